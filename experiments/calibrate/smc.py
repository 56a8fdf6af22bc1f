"""The ABC-SMC algorithm: proposals, importance weights and thresholds (pure numpy).

The population-Monte-Carlo ABC of Beaumont et al. (2009) and Toni et al. (2009), with the
threshold schedule of Del Moral et al. (2012) (each threshold a quantile of the previous
generation's distances), on parameters mapped to the unit cube, where every prior is uniform
(a log-uniform prior is uniform in the logarithm). Generation 0 samples the prior. Generation
t > 0 proposes by picking an ancestor of generation t - 1 by weight and moving it with a Gaussian
kernel whose covariance is twice the weighted covariance of generation t - 1 (Beaumont et al.
2009); a proposal outside the cube is drawn again. An accepted particle's weight is
prior / sum_j w_j K(z | z_j), the prior being constant on the cube.

Determinism: every random number of proposal i of generation t comes from its own generator,
seeded by (calibration seed, t, i), and proposals are accepted in index order. So which proposals
are made, which are accepted and the resulting population do not depend on how many workers
evaluate them, in which order they finish, or on an interruption in between.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "effective_sample_size",
    "kernel_covariance",
    "propose",
    "proposal_rng",
    "simulation_seed",
    "smc_weights",
    "weighted_quantile",
]

#: Draws of a proposal that lands outside the cube before giving up (a sign of a broken kernel).
MAX_REDRAWS = 10_000


def proposal_rng(seed: int, generation: int, index: int) -> np.random.Generator:
    """Return the generator of proposal ``index`` of ``generation``.

    Examples:
        >>> a = proposal_rng(1, 2, 3).random()
        >>> a == proposal_rng(1, 2, 3).random(), a == proposal_rng(1, 2, 4).random()
        (True, False)
    """
    return np.random.default_rng(np.random.SeedSequence([seed, generation, index]))


def simulation_seed(seed: int, generation: int, index: int) -> int:
    """Return the seed the simulations of proposal ``index`` of ``generation`` derive from.

    Examples:
        >>> simulation_seed(1, 0, 0) == simulation_seed(1, 0, 0) != simulation_seed(1, 0, 1)
        True
    """
    ss = np.random.SeedSequence([seed, generation, index], spawn_key=(1,))
    return int(ss.generate_state(1, np.uint32)[0])


def kernel_covariance(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Twice the weighted covariance of a population (Beaumont et al. 2009), kept positive.

    Examples:
        >>> z = np.array([[0.1, 0.2], [0.3, 0.1], [0.5, 0.6]])
        >>> kernel_covariance(z, np.ones(3) / 3).shape
        (2, 2)
    """
    z = np.atleast_2d(z)
    w = np.asarray(w, dtype=float) / np.sum(w)
    mean = w @ z
    dev = z - mean
    cov = 2.0 * (dev * w[:, None]).T @ dev
    # A population collapsed in some direction would give a singular kernel: keep a floor of
    # 1e-3 of the unit interval as standard deviation.
    return cov + np.eye(z.shape[1]) * 1e-6


def propose(
    rng: np.random.Generator,
    dims: int,
    previous: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    cov: np.ndarray | None = None,
) -> np.ndarray:
    """Draw one proposal in the unit cube: from the prior, or by moving an ancestor.

    Args:
        rng: The proposal's own generator (:func:`proposal_rng`).
        dims: Free parameters.
        previous: The previous generation's particles (None for generation 0: the prior).
        weights: Their normalised weights.
        cov: The kernel's covariance (:func:`kernel_covariance`).

    Raises:
        RuntimeError: If no move lands inside the cube after many tries.
    """
    if previous is None:
        return rng.random(dims)
    chol = np.linalg.cholesky(cov)
    for _ in range(MAX_REDRAWS):
        j = rng.choice(len(previous), p=weights)
        z = previous[j] + chol @ rng.standard_normal(dims)
        if np.all((z >= 0.0) & (z <= 1.0)):
            return z
    raise RuntimeError("no proposal landed inside the prior's bounds after 10,000 draws")


def smc_weights(
    z: np.ndarray, previous: np.ndarray, prev_weights: np.ndarray, cov: np.ndarray
) -> np.ndarray:
    """Importance weights of accepted particles ``z`` (normalised to sum 1).

    w_i ∝ prior(z_i) / sum_j w_j K(z_i | z_j); the prior is constant on the cube and the
    kernel's normalising constant is the same for every particle, so both cancel.
    """
    prec = np.linalg.inv(cov)
    diff = z[:, None, :] - previous[None, :, :]
    mahal = np.einsum("ijk,kl,ijl->ij", diff, prec, diff)
    # Log-sum-exp: far particles underflow otherwise.
    logk = -0.5 * mahal + np.log(prev_weights)[None, :]
    top = logk.max(axis=1, keepdims=True)
    denom = top[:, 0] + np.log(np.exp(logk - top).sum(axis=1))
    logw = -denom
    w = np.exp(logw - logw.max())
    return w / w.sum()


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``x`` under weights ``w`` (the smallest x whose weight reaches q).

    Examples:
        >>> weighted_quantile(np.array([3.0, 1.0, 2.0]), np.ones(3), 0.5)
        2.0
    """
    x, w = np.asarray(x, float), np.asarray(w, float)
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    k = int(np.searchsorted(cum, q - 1e-12))
    return float(x[order][min(k, len(x) - 1)])


def effective_sample_size(w: np.ndarray) -> float:
    """Kish's effective sample size of weights ``w``.

    Examples:
        >>> effective_sample_size(np.ones(4))
        4.0
    """
    w = np.asarray(w, float)
    total = w.sum()
    return float(total * total / (w * w).sum()) if total > 0 else math.nan
