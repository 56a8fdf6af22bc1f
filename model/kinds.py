"""Support types, tie kinds and life-event kinds, with the tables that make kinds differ.

The tables are fixed properties of the model's world, documented in ``docs/model.md`` with their
sources; the user-facing knobs that scale them (decay per kind, ``online_landing``) are parameters
in :mod:`supportnet.params`.

Sources:
    Wellman, B. & Wortley, S. (1990). Different strokes from different folks: community ties and
    social support. American Journal of Sociology 96(3), 558-588 (which kinds of tie give which
    kinds of support: kin give emotional and practical help, neighbours small services).
    House, J. S. (1981). Work Stress and Social Support (the four types of support).
    Kahn, R. L. & Antonucci, T. C. (1980). Convoys over the life course (layers, family persists).
    Thoits, P. A. (2011). Mechanisms linking social ties and support to physical and mental health.
    Journal of Health and Social Behavior 52(2), 145-161 (family support reduces stress most).
"""

from __future__ import annotations

import numpy as np

# The names and codes live apart (no numpy there); they are part of this module's interface.
from .names import (  # noqa: F401
    EVENT_KINDS,
    FAMILY,
    FRIEND,
    KIND_CODES,
    NEIGHBOUR,
    ONLINE,
    PEER,
    PROFESSIONAL,
    SUPPORT_TYPES,
    TIE_KINDS,
)

__all__ = [
    "CAN_END",
    "AVAILABILITY",
    "CONTACT_QUALITY",
    "EVENT_KINDS",
    "EVENT_NEEDS",
    "KIND_CODES",
    "LANDING",
    "STRESS_RELIEF",
    "SUPPORT_TYPES",
    "TIE_KINDS",
    "decay_by_kind",
    "landing_matrix",
]


#: How well each support type lands over each tie kind (rows: TIE_KINDS, columns: SUPPORT_TYPES).
#: The online row is scaled further by the parameter ``online_landing``.
LANDING = np.array(
    [
        # emotional, instrumental, informational, appraisal
        [1.0, 0.9, 0.6, 0.8],  # family: comfort and practical help (Wellman & Wortley 1990)
        [0.9, 0.6, 0.7, 0.9],  # friend: companionship, emotional and esteem support
        [0.5, 0.9, 0.5, 0.5],  # neighbour: small services, rides, borrowing
        [0.8, 0.4, 0.8, 0.9],  # peer (support group): shared experience, advice, validation
        [0.9, 0.3, 1.0, 0.7],  # professional: emotional and informational competence
        [0.9, 0.1, 0.8, 0.8],  # online: like a friend, but no practical help at a distance
    ]
)

#: Stress relieved by one unit of well-landed support, per tie kind: family support lowers
#: perceived stress most (Thoits 2011; Acoba 2024: family support, not friends', went with lower
#: perceived stress).
STRESS_RELIEF = np.array([1.0, 0.6, 0.5, 0.7, 0.9, 0.5])

#: How much a contact over each tie kind counts toward feeling connected (loneliness).
CONTACT_QUALITY = np.array([1.0, 1.0, 0.7, 0.8, 0.3, 0.5])

#: How much a tie of each kind counts toward expected availability of support (perceived
#: support's integration): people count on family and friends, less on neighbours and online
#: ties, and most of all on a professional they see, whose job is to be there (Cohen & Wills 1985;
#: Thoits 2011).
AVAILABILITY = np.array([1.0, 1.0, 0.6, 0.8, 3.0, 0.5])

#: Tie kinds that can end. Family ties weaken but persist (Kahn & Antonucci 1980);
#: professional ties end when the service ends, not through decay or imbalance.
CAN_END = np.array([False, True, True, True, False, True])

#: The unmet need each kind of life event (EVENT_KINDS) creates across the four support types.
EVENT_NEEDS = np.array(
    [
        [0.9, 0.3, 0.1, 0.4],  # loss: bereavement, separation
        [0.3, 0.9, 0.4, 0.1],  # practical: illness, injury, moving house
        [0.4, 0.6, 0.7, 0.5],  # financial: job loss, debt
        [0.7, 0.1, 0.2, 0.8],  # interpersonal: conflict, rejection
    ]
)


def decay_by_kind(params) -> np.ndarray:
    """Return the per-step decay rate of each tie kind, from the ``decay_*`` parameters."""
    return np.array([params[f"decay_{k}"] for k in TIE_KINDS], dtype=float)


def landing_matrix(params) -> np.ndarray:
    """Return :data:`LANDING` with the online row scaled by ``online_landing``."""
    table = LANDING.copy()
    table[ONLINE] *= params.online_landing
    return table
