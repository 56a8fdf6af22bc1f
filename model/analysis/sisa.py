"""Measures of the SISa mood layer: sojourn times, per-contact hazards, the mean field.

All three read the run's own events, the :class:`~supportnet.mechanisms.mood.MoodTally` of
person-steps and transitions (members only; after the burn-in when taken from a record).

Sojourns. The time in a state is exponential with mean 1 / (total hazard out of it); its maximum
likelihood estimate from right-censored spells is the time spent in the state divided by the number
of exits (a spell cut by the end of the run adds time but no exit). On the weekly grid the exit
probability is 1 - exp(-h dt), so the expected sojourn is dt / (1 - exp(-h dt)) = 1/h + dt/2 + ...

Per-contact hazards. A hazard regression of the N -> C (N -> D) transitions on the person-step's
number of content (discontent) contacts: a Poisson regression with identity link (additive
hazards), transitions in a cell of x contacts ~ Poisson(T_x (a + b x)) with T_x the time at risk
in years, fitted by Fisher scoring (:func:`additive_poisson`). The intercept estimates the
spontaneous rate, the slope the per-contact rate. Counting a step at risk as a full dt while the
exact probability is (h1/h)(1 - exp(-h dt)) biases both down by about h dt / 2 (0.3% here).

Mean field. With c, d the shares of content and discontent people, n = 1 - c - d, and k the mean
number of contacts a person has each step (every tie in the classic mode: the degree),

    dc/dt = (a_C + b_C k c) n + s_DC d - (g_C + s_CD) c
    dd/dt = (a_D + b_D k d) n + s_CD c - (g_D + s_DC) d

whose stable fixed point (:func:`mean_field`) the run's equilibrium shares are compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..mechanisms.mood import DT, MAX_CONTACTS, MoodTally

if TYPE_CHECKING:  # pragma: no cover
    from .record import RunRecord

__all__ = [
    "MoodRecord",
    "additive_poisson",
    "hazards",
    "mean_field",
    "mood_record",
    "sisa_measure",
    "sojourns",
]


@dataclass
class MoodRecord:
    """What the measures read of a run's mood layer.

    Attributes:
        tally: Person-steps and transitions over the measured steps.
        rates: The run's eight rates (:func:`supportnet.mechanisms.mood.rate_table`).
        mean_contacts: Mean ties with contact per member-step over those steps (k).
    """

    tally: MoodTally
    rates: dict[str, float]
    mean_contacts: float


def mood_record(model, since: MoodTally | None = None) -> MoodRecord | None:
    """The mood record of ``model`` (None when the mode is off), counting from ``since``."""
    from ..mechanisms.mood import rate_table

    if model.mood is None:
        return None
    tally = model.mood.tally - since if since is not None else model.mood.tally.copy()
    k = tally.contacts / tally.person_steps if tally.person_steps else float("nan")
    return MoodRecord(tally=tally, rates=rate_table(model.params), mean_contacts=float(k))


def sojourns(t: MoodTally) -> dict[str, float]:
    """Mean sojourn in contentment and in discontent, in years (NaN without an exit)."""
    c_exits = t.content_to_neutral + t.content_to_discontent
    d_exits = t.discontent_to_neutral + t.discontent_to_content
    return {
        "sojourn_content_years": t.content_steps * DT / c_exits if c_exits else float("nan"),
        "sojourn_discontent_years": t.discontent_steps * DT / d_exits if d_exits else float("nan"),
    }


def additive_poisson(
    x: np.ndarray, exposure: np.ndarray, events: np.ndarray, iterations: int = 50
) -> tuple[float, float, float, float]:
    """Fit events ~ Poisson(exposure * (a + b x)) by Fisher scoring (identity link).

    Args:
        x: The covariate of each cell (here: contacts).
        exposure: Time at risk of each cell.
        events: Events in each cell.
        iterations: Most scoring steps (it stops when the change is below 1e-12).

    Returns:
        (a, b, se_a, se_b); NaN when there is nothing to fit (fewer than two values of x at risk).

    Examples:
        >>> x = np.array([0.0, 1.0, 2.0]); T = np.array([100.0, 100.0, 100.0])
        >>> a, b, _, _ = additive_poisson(x, T, T * (0.5 + 0.25 * x))
        >>> round(a, 6), round(b, 6)
        (0.5, 0.25)
    """
    keep = exposure > 0
    x, T, y = x[keep], exposure[keep], events[keep]
    if len(np.unique(x)) < 2 or y.sum() == 0:
        return (float("nan"),) * 4  # type: ignore[return-value]
    X = np.column_stack([np.ones_like(x), x])
    # Start from weighted least squares on the crude rates.
    beta = np.linalg.lstsq(X * np.sqrt(T)[:, None], y / np.sqrt(T), rcond=None)[0]
    info = np.eye(2)
    for _ in range(iterations):
        rate = np.maximum(X @ beta, 1e-12)
        mu = T * rate
        score = X.T @ ((y - mu) / rate)
        info = (X * (T / rate)[:, None]).T @ X
        step = np.linalg.solve(info, score)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    cov = np.linalg.inv(info)
    return float(beta[0]), float(beta[1]), float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1]))


def hazards(t: MoodTally) -> dict[str, float]:
    """Spontaneous and per-contact hazards (per year) recovered by the regression above."""
    contacts = np.arange(MAX_CONTACTS + 1, dtype=float)
    out: dict[str, float] = {}
    for name, axis, events in (
        ("content", 1, t.neutral_to_content),
        ("discontent", 0, t.neutral_to_discontent),
    ):
        # N -> C depends on content contacts (rows): sum over the discontent ones, and vice versa.
        T = t.neutral_steps.sum(axis=axis) * DT
        a, b, se_a, se_b = additive_poisson(contacts, T, events.sum(axis=axis).astype(float))
        out[f"spontaneous_{name}"] = a
        out[f"hazard_{name}_contact"] = b
        out[f"hazard_{name}_contact_se"] = se_b
    return out


def mean_field(rates: dict[str, float], k: float) -> tuple[float, float, float]:
    """Stable equilibrium shares (n, c, d) of the mean-field equations with k contacts each.

    Integrates the equations from everyone neutral (a stable point is where they settle; the
    equations have one in the simplex for these rates) with steps of a tenth of a year, then
    polishes the point with Newton's method.
    """
    r = rates

    def f(z: np.ndarray) -> np.ndarray:
        c, d = z
        n = 1.0 - c - d
        return np.array(
            [
                (r["a_C"] + r["b_C"] * k * c) * n + r["s_DC"] * d - (r["g_C"] + r["s_CD"]) * c,
                (r["a_D"] + r["b_D"] * k * d) * n + r["s_CD"] * c - (r["g_D"] + r["s_DC"]) * d,
            ]
        )

    z = np.zeros(2)
    for _ in range(20_000):
        dz = f(z)
        z = np.clip(z + 0.1 * dz, 0.0, 1.0)
        if np.max(np.abs(dz)) < 1e-13:
            break
    for _ in range(20):  # Newton on the analytic Jacobian
        c, d = z
        n = 1.0 - c - d
        J = np.array(
            [
                [
                    r["b_C"] * k * n - (r["a_C"] + r["b_C"] * k * c) - (r["g_C"] + r["s_CD"]),
                    -(r["a_C"] + r["b_C"] * k * c) + r["s_DC"],
                ],
                [
                    -(r["a_D"] + r["b_D"] * k * d) + r["s_CD"],
                    r["b_D"] * k * n - (r["a_D"] + r["b_D"] * k * d) - (r["g_D"] + r["s_DC"]),
                ],
            ]
        )
        try:
            z = z - np.linalg.solve(J, f(z))
        except np.linalg.LinAlgError:  # a flat field (e.g. every rate 0): keep where it settled
            break
    c, d = float(z[0]), float(z[1])
    return 1.0 - c - d, c, d


def sisa_measure(record: RunRecord) -> dict[str, float]:
    """The ``sisa`` fact's statistics of a run: sojourns, hazards, shares and the mean-field gap.

    ``equilibrium_gap`` is the largest difference (run minus mean field, by absolute size) between
    the post-burn-in mean shares of content and discontent people and the mean field's, with k the
    run's mean number of contacts per person-step.

    Raises:
        NotMeasurable: If the run had the mode off.
    """
    from supportnet.experiments.facts.measures import NotMeasurable

    mood = record.mood
    if mood is None:
        raise NotMeasurable("the SISa mood layer was off in this run (set sisa = true)")
    out = {**sojourns(mood.tally), **hazards(mood.tally)}
    df = record.steps
    post = df.loc[df.index > record.burn_in]
    c, d = float(post["content_share"].mean()), float(post["discontent_share"].mean())
    k = mood.mean_contacts
    _, c_mf, d_mf = mean_field(mood.rates, k) if np.isfinite(k) else (np.nan,) * 3
    gaps = (c - c_mf, d - d_mf)
    out.update(
        {
            "content_share": c,
            "discontent_share": d,
            "content_share_mean_field": c_mf,
            "discontent_share_mean_field": d_mf,
            "equilibrium_gap": float(max(gaps, key=abs)),
            "mean_contacts": mood.mean_contacts,
        }
    )
    return out
