"""The fact measures: one named, pure function of a run record each.

``MEASURES[name](record)`` returns a flat dict of floats (NaN where a value cannot be computed:
too few people, no variation, nobody lonely). Shares of people are over members (the population
proper, not professionals); "post-burn-in" is the steps >= the record's ``burn_in``. The battery
(``supportnet facts``) names a measure per fact and pools its values over seeds.

Levels (this module): the post-burn-in means of the per-step outcome measures. Prevalence uses the
run's instrument thresholds: a depression "case" is depression > ``case_threshold``, "lonely" is
loneliness > ``lonely_threshold`` (their mapping to PHQ-9 and UCLA-3 scores is documented with the
facts). The other measures are documented in their modules: stationarity (MSER-5 burn-in, drift),
distance (excess risk by network distance), periphery, buffering, panel (lonely-depressed,
family-friends), effects (caregiver g), layers.

Source: ../shared/design/facts.md (the stylised facts and how each is measured).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .buffering import buffering
from .distance import distance_measure, distance_top20_measure
from .effects import caregiver
from .layers import layers
from .panel import family_friends, lonely_depressed
from .periphery import periphery
from .sisa import sisa_measure
from .stationarity import stationarity

if TYPE_CHECKING:  # pragma: no cover
    from .record import RunRecord

__all__ = ["LEVELS", "MEASURES", "levels"]

#: The per-step measures averaged by :func:`levels`.
LEVELS = (
    "mean_stress",
    "mean_depression",
    "mean_loneliness",
    "mean_perceived_support",
    "unmet_need",
    "case_prevalence",
    "lonely_fraction",
)


def levels(record: RunRecord) -> dict[str, float]:
    """Post-burn-in means of the outcome levels (keys: :data:`LEVELS`)."""
    df = record.steps
    post = df.loc[df.index >= record.burn_in, list(LEVELS)]
    return {name: float(post[name].mean()) for name in LEVELS}


#: Every measure by name.
MEASURES: dict[str, Callable[[RunRecord], dict[str, float]]] = {
    "levels": levels,
    "stationarity": stationarity,
    "distance": distance_measure,
    "distance_top20": distance_top20_measure,
    "periphery": periphery,
    "buffering": buffering,
    "lonely_depressed": lonely_depressed,
    "family_friends": family_friends,
    "caregiver": caregiver,
    "layers": layers,
    "sisa": sisa_measure,
}
