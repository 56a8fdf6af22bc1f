"""Analyses of finished runs: the buffering estimate, loneliness by distance, the fact measures.

The older per-run analyses (:func:`buffering_estimate`, :func:`loneliness_by_distance`) work on
a model or on plain arrays. The fact measures work on a :class:`RunRecord` (made by
:func:`record_run`) and are listed by name in :data:`MEASURES`; each module documents its method,
its equation in words and its source:

- ``record``: the run record (snapshots, window sums, contact rates);
- ``regression``: OLS with cluster-robust errors, R^2, z-scores;
- ``stationarity``: MSER-5 burn-in, drift per 100 steps;
- ``distance``: excess risk of loneliness by network distance against a permutation null;
- ``periphery``: degree and tie loss of the lonely;
- ``buffering``: the stress x support interaction and simple slopes;
- ``panel``: cross-sectional and lagged loneliness-depression, family vs friend support;
- ``effects``: person-level Hedges' g (carers);
- ``layers``: contact layers, degree CV, clustering;
- ``measures``: the registry, and the post-burn-in levels.
"""

from .buffering import BufferingEstimate, buffering, buffering_estimate, buffering_from_panel
from .distance import excess_risk_by_distance, loneliness_by_distance
from .effects import caregiver, person_hedges_g
from .layers import layers, mean_clustering
from .measures import LEVELS, MEASURES, levels
from .panel import family_friends, lonely_depressed
from .periphery import periphery
from .record import RunRecord, Snapshot, record_run
from .regression import OLSFit, ols_cluster, ols_fit
from .stationarity import mser_burn_in, relative_drift, stationarity

__all__ = [
    "LEVELS",
    "MEASURES",
    "BufferingEstimate",
    "OLSFit",
    "RunRecord",
    "Snapshot",
    "buffering",
    "buffering_estimate",
    "buffering_from_panel",
    "caregiver",
    "excess_risk_by_distance",
    "family_friends",
    "layers",
    "levels",
    "loneliness_by_distance",
    "lonely_depressed",
    "mean_clustering",
    "mser_burn_in",
    "ols_cluster",
    "ols_fit",
    "periphery",
    "person_hedges_g",
    "record_run",
    "relative_drift",
    "stationarity",
]
