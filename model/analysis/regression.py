"""Least squares with cluster-robust standard errors, R^2 and standardised predictors.

Method: ordinary least squares, beta = (X'X)^-1 X'y, with the cluster-robust "sandwich" covariance
(CR1): V = c (X'X)^-1 (sum over clusters g of X_g' e_g e_g' X_g) (X'X)^-1, where e are the
residuals and the small-sample factor c = G/(G-1) * (n-1)/(n-k) for G clusters, n rows and k
coefficients. R^2 = 1 - (residual sum of squares) / (total sum of squares about the mean).
Standardised predictors are z-scores over the pooled rows (population sd), so a coefficient is
the change in the outcome per standard deviation of the predictor.

The measures use clusters = people: repeated windows of the same person are not independent.

Sources:
    Liang, K.-Y. & Zeger, S. L. (1986). Longitudinal data analysis using generalized linear models.
    Biometrika 73(1), 13-22 (the sandwich estimator).
    Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    J. Human Resources 50(2), 317-372 (the CR1 correction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["OLSFit", "ols_cluster", "ols_fit", "standardised_ols", "zscore"]


@dataclass(frozen=True)
class OLSFit:
    """An OLS fit with cluster-robust standard errors.

    Attributes:
        beta: Coefficients (k,), in the design's column order.
        se: Their cluster-robust (CR1) standard errors (k,).
        r2: Coefficient of determination.
        n_obs: Rows.
        n_clusters: Clusters.
    """

    beta: np.ndarray
    se: np.ndarray
    r2: float
    n_obs: int
    n_clusters: int


def ols_fit(y: np.ndarray, X: np.ndarray, clusters: np.ndarray) -> OLSFit:
    """Ordinary least squares with cluster-robust (CR1) standard errors and R^2.

    Args:
        y: Outcome (n,).
        X: Design matrix (n, k), intercept included by the caller.
        clusters: Cluster id per row (n,), any integer labels.

    Returns:
        The fit (see :class:`OLSFit`).
    """
    y = np.asarray(y, float)
    X = np.asarray(X, float)
    n, k = X.shape
    XtX_inv = np.linalg.pinv(X.T @ X)
    beta = XtX_inv @ X.T @ y
    resid = y - X @ beta
    ids, inv = np.unique(clusters, return_inverse=True)
    g = len(ids)
    contrib = X * resid[:, None]
    scores = np.column_stack([np.bincount(inv, contrib[:, j], g) for j in range(k)])
    meat = scores.T @ scores
    correction = (g / max(g - 1, 1)) * ((n - 1) / max(n - k, 1))
    cov = correction * XtX_inv @ meat @ XtX_inv
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / tss if tss > 0 else float("nan")
    return OLSFit(beta, np.sqrt(np.maximum(np.diag(cov), 0.0)), r2, n, g)


def ols_cluster(
    y: np.ndarray, X: np.ndarray, clusters: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Ordinary least squares with cluster-robust (CR1) standard errors.

    Args:
        y: Outcome (n,).
        X: Design matrix (n, k), intercept included by the caller.
        clusters: Cluster id per row (n,).

    Returns:
        Coefficients (k,) and their standard errors (k,).
    """
    fit = ols_fit(y, X, clusters)
    return fit.beta, fit.se


def zscore(x: np.ndarray) -> np.ndarray | None:
    """Return ``(x - mean) / sd`` (population sd), or None when x does not vary."""
    x = np.asarray(x, float)
    sd = x.std()
    # Relative test: a column of identical floats can still have a rounding-level sd.
    if len(x) < 2 or not np.isfinite(sd) or sd <= 1e-12 * max(abs(x.mean()), 1e-300):
        return None
    return (x - x.mean()) / sd


def standardised_ols(
    y: np.ndarray, predictors: dict[str, np.ndarray], clusters: np.ndarray, min_rows: int = 10
) -> dict[str, tuple[float, float]]:
    """Regress z-scored ``y`` on z-scored predictors (with an intercept), cluster-robust.

    A predictor that does not vary is left out, and its coefficient is NaN (it cannot be
    estimated); the others are estimated without it.

    Args:
        y: Outcome (n,).
        predictors: Name -> values (n,) each.
        clusters: Cluster id per row (n,).
        min_rows: Fewer rows than this give NaN throughout.

    Returns:
        Name -> (standardised coefficient, its standard error).
    """
    nan = (float("nan"), float("nan"))
    out = dict.fromkeys(predictors, nan)
    yz = zscore(y) if len(y) >= min_rows else None
    if yz is None:
        return out
    cols = {name: zscore(x) for name, x in predictors.items()}
    kept = [name for name, z in cols.items() if z is not None]
    if not kept:
        return out
    design = np.column_stack([np.ones(len(yz)), *(cols[name] for name in kept)])
    fit = ols_fit(yz, design, clusters)
    for i, name in enumerate(kept, start=1):
        out[name] = (float(fit.beta[i]), float(fit.se[i]))
    return out
