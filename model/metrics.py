"""Reporter names and the per-step measures, shared by the model, experiments and dashboards.

Every name below is a column of ``model.datacollector.get_model_vars_dataframe()``. Use the
constants, not string literals, in code that reads them (experiments, reports, dashboards).
All measures are computed together once per step, by :func:`compute`, with array operations.
Person-level measures cover the population proper (professionals excluded).

The names load nothing heavy: numpy and the compiled kernels are imported by the functions that
measure, so the command line and config validation read the names without loading them.
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import TYPE_CHECKING

from .names import SUPPORT_TYPES, TIE_KINDS

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "ALL_MEASURES",
    "OUTCOMES",
    "MOOD_MEASURES",
    "PERSON_REPORTERS",
    "reporter",
    "compute",
]

STATES = ("stress", "depression", "loneliness", "perceived_support")
QUANTILES = (("p10", 0.1), ("p50", 0.5), ("p90", 0.9))

MEAN_STRESS = "mean_stress"
MEAN_DEPRESSION = "mean_depression"
MEAN_LONELINESS = "mean_loneliness"
MEAN_PERCEIVED_SUPPORT = "mean_perceived_support"
MEAN_CAPACITY = "mean_capacity"
CASE_PREVALENCE = "case_prevalence"
LONELY_FRACTION = "lonely_fraction"
UNMET_NEED = "unmet_need"
ASKED_FRACTION = "asked_fraction"
EVENT_FRACTION = "event_fraction"
BURNT_OUT = "burnt_out_givers"
SUPPORT_GIVEN = "support_given"
SUPPORT_RECEIVED = "support_received"
SUPPORT_BY_TYPE = tuple(f"support_{t}" for t in SUPPORT_TYPES)
SUPPORT_BY_KIND = tuple(f"support_via_{k}" for k in TIE_KINDS)
TIES = "ties"
MEAN_DEGREE = "mean_degree"
MEAN_TIE_STRENGTH = "mean_tie_strength"
CLUSTERING = "clustering"
ISOLATES = "isolates"
COMPONENTS = "components"
LONELINESS_ASSORTATIVITY = "loneliness_assortativity"
TIES_FORMED = "ties_formed"
TIES_ENDED = "ties_ended"
TIES_BY_KIND = tuple(f"ties_{k}" for k in TIE_KINDS)

#: Per-step shares of members in each SISa mood state; columns only when the mode (``sisa``) is on.
MOOD_MEASURES: tuple[str, ...] = ("neutral_share", "content_share", "discontent_share")

#: Every per-step measure, in column order.
ALL_MEASURES: tuple[str, ...] = (
    *(f"mean_{s}" for s in STATES),
    *(f"{q}_{s}" for s in STATES for q, _ in QUANTILES),
    MEAN_CAPACITY,
    CASE_PREVALENCE,
    LONELY_FRACTION,
    UNMET_NEED,
    ASKED_FRACTION,
    EVENT_FRACTION,
    BURNT_OUT,
    SUPPORT_GIVEN,
    SUPPORT_RECEIVED,
    *SUPPORT_BY_TYPE,
    *SUPPORT_BY_KIND,
    TIES,
    MEAN_DEGREE,
    MEAN_TIE_STRENGTH,
    CLUSTERING,
    ISOLATES,
    COMPONENTS,
    LONELINESS_ASSORTATIVITY,
    TIES_FORMED,
    TIES_ENDED,
    *TIES_BY_KIND,
)

#: The main outcomes, for summaries and reports.
OUTCOMES = (
    MEAN_STRESS,
    MEAN_DEPRESSION,
    MEAN_LONELINESS,
    MEAN_PERCEIVED_SUPPORT,
    CASE_PREVALENCE,
    LONELY_FRACTION,
    UNMET_NEED,
    BURNT_OUT,
    MEAN_DEGREE,
)

#: Person-level reporters (attribute names of :class:`supportnet.agents.Person`), for the agent
#: DataCollector (sampled every ``agent_every`` steps).
PERSON_REPORTERS = (
    "stress",
    "depression",
    "loneliness",
    "perceived_support",
    "capacity",
    "unmet_need",
    "degree",
    "family_ties",
    "friend_ties",
    "other_ties",
)


def read_measure(name: str, model) -> float:
    """Return the latest value of measure ``name`` of ``model``."""
    return model.measures[name]


def reporter(name: str) -> partial:
    """Return a DataCollector reporter for measure ``name``.

    A ``functools.partial`` of a module-level function: Mesa calls it with the model, and it
    pickles (no lambdas), so models and collectors cross process boundaries.
    """
    return partial(read_measure, name)


def clustering_sample(ties, sample: np.ndarray) -> float:
    """Average local clustering over ``sample`` (zero for people with fewer than two ties).

    Args:
        ties: The tie store.
        sample: People to average over.
    """
    import numpy as np

    from .kernels import clustering_by_keys

    fptr, bptr = ties.row_pointers()
    return float(
        clustering_by_keys(ties.keys, ties.vkeys, fptr, bptr, np.asarray(sample, np.int64))
    )


@lru_cache(maxsize=8)
def _quantile_plan(n: int):
    """Where :data:`QUANTILES` sit in a sorted array of ``n`` values, as ``np.quantile`` finds them.

    The "linear" method's own steps (``numpy.lib._function_base_impl``): virtual index (n - 1) q,
    its floor and the next index (both -1 at or past the last), gamma the distance from the
    floor, and the positions to partition at (0 and -1 always: -1 shows a NaN, which sorts last).

    Returns:
        (kth, previous, next, gamma), kept per ``n`` (the population's size rarely changes).
    """
    import numpy as np

    virtual = (n - 1) * np.array([q for _, q in QUANTILES])
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1
    previous[above] = -1
    following[above] = -1
    previous, following = previous.astype(np.intp), following.astype(np.intp)
    gamma = virtual - previous
    kth = np.unique(np.concatenate(([0, -1], previous, following)))
    return kth, previous, following, gamma


def state_quantiles(states: list[np.ndarray]) -> np.ndarray:
    """Return ``np.quantile(x, [0.1, 0.5, 0.9])`` for each array of ``states``, bit for bit.

    The arrays share their length, so they are sorted as rows of one array in one call and
    interpolated together, where four ``np.quantile`` calls cost ~0.15 ms each, mostly Python
    (a quarter of the measurement at 1,000 people), and a partition at all the positions the
    quantiles need cost four times the sort (numpy's sort is vectorised, its partition at
    several positions is not). The values are numpy's: the same positions (order statistics
    do not depend on how they are found: NaN sorts last in both; only the sign of a zero can
    differ, as numpy's vectorised sort and partition each give zeros of either sign where a
    row holds both, so a row whose quantile is a zero and that holds zeros of both signs is
    partitioned, as before), the same interpolation (``numpy``'s ``_lerp``, elementwise). A row
    holding NaN is left to ``np.quantile``.

    Args:
        states: Arrays of equal length (the population's states).

    Returns:
        Array (len(states), len(QUANTILES)).
    """
    import numpy as np

    n = len(states[0])
    if n == 0:
        return np.full((len(states), len(QUANTILES)), np.nan)
    kth, previous, following, gamma = _quantile_plan(n)
    rows = np.stack(states)
    rows.sort(axis=1)
    a, b = rows[:, previous], rows[:, following]
    for r in np.flatnonzero(((a == 0.0) | (b == 0.0)).any(axis=1)):
        zeros = np.signbit(states[r][states[r] == 0.0])
        if zeros.any() and not zeros.all():
            row = states[r].copy()
            row.partition(kth)
            a[r], b[r] = row[previous], row[following]
    diff = b - a
    result = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=result, where=gamma >= 0.5)
    for r in np.flatnonzero(np.isnan(rows[:, -1])):
        result[r] = np.quantile(states[r], [q for _, q in QUANTILES])
    return result


def compute(model, ctx=None) -> dict[str, float]:
    """Compute every per-step measure of ``model`` (after a step, or at the start).

    Args:
        model: A :class:`supportnet.SupportModel`.
        ctx: The finished step's context (None at step 0: flows and counts are zero).

    Returns:
        A dict with one float per name in :data:`ALL_MEASURES`.
    """
    import numpy as np

    from .kernels import network_pass
    from .rows import row_sum  # numpy: light commands import this module without it

    pop, ties, p = model.population, model.ties, model.params
    mem = pop.members
    everyone = bool(mem.all())  # no professionals: measure the arrays themselves, no copies
    out: dict[str, float] = {}

    def of_members(x: np.ndarray) -> np.ndarray:
        """The members' rows of ``x``: ``x`` itself when everyone is a member (no copy)."""
        return x if everyone else x[mem]

    states = [of_members(getattr(pop, s)) for s in STATES]
    for s, x in zip(STATES, states, strict=True):
        out[f"mean_{s}"] = float(x.mean()) if len(x) else float("nan")
    quantiles = state_quantiles(states)
    for s, qs in zip(STATES, quantiles, strict=True):
        for (name, _), val in zip(QUANTILES, qs, strict=True):
            out[f"{name}_{s}"] = float(val)
    n_mem = max(int(mem.sum()), 1)
    out[MEAN_CAPACITY] = float(of_members(pop.capacity).mean()) if mem.any() else float("nan")
    out[CASE_PREVALENCE] = float((of_members(pop.depression) > p.case_threshold).sum() / n_mem)
    out[LONELY_FRACTION] = float((of_members(pop.loneliness) > p.lonely_threshold).sum() / n_mem)
    out[UNMET_NEED] = float(row_sum(of_members(pop.need)).mean()) if mem.any() else float("nan")
    out[ASKED_FRACTION] = float(of_members(pop.asked).sum() / n_mem)
    out[EVENT_FRACTION] = float((of_members(pop.event) > 0).sum() / n_mem)
    givers = pop.given > 0
    depleted = pop.capacity < p.burnout_capacity * pop.capacity_max
    out[BURNT_OUT] = float((givers & depleted).sum() / givers.sum()) if givers.any() else 0.0
    by_type = ctx.given_by_type if ctx is not None else np.zeros(len(SUPPORT_TYPES))
    by_kind = ctx.given_by_kind if ctx is not None else np.zeros(len(TIE_KINDS))
    out[SUPPORT_GIVEN] = float(pop.given.sum())
    out[SUPPORT_RECEIVED] = float(pop.received.sum())
    for name, val in zip(SUPPORT_BY_TYPE, by_type, strict=True):
        out[name] = float(val)
    for name, val in zip(SUPPORT_BY_KIND, by_kind, strict=True):
        out[name] = float(val)

    deg = ties.degree()
    components, assortativity, counts, strength_sum = network_pass(
        ties.u, ties.v, ties.kind, ties.strength, pop.loneliness, pop.n, len(TIE_KINDS)
    )
    out[TIES] = float(ties.m)
    out[MEAN_DEGREE] = float(of_members(deg).mean()) if mem.any() else 0.0
    out[MEAN_TIE_STRENGTH] = float(strength_sum / ties.m) if ties.m else float("nan")
    out[CLUSTERING] = clustering_sample(ties, model.clustering_nodes)
    out[ISOLATES] = float((of_members(deg) == 0).sum())
    out[COMPONENTS] = float(components)
    out[LONELINESS_ASSORTATIVITY] = float(assortativity)
    out[TIES_FORMED] = float(ctx.formed if ctx is not None else 0)
    out[TIES_ENDED] = float(ctx.ended if ctx is not None else 0)
    for name, val in zip(TIES_BY_KIND, counts, strict=True):
        out[name] = float(val)
    return out


def mood_shares(model) -> dict[str, float]:
    """Shares of members in each SISa mood state (:data:`MOOD_MEASURES`; the mode must be on)."""
    pop = model.population
    members = pop.members[: len(model.mood.mood)]
    return dict(zip(MOOD_MEASURES, model.mood.shares(members), strict=True))
