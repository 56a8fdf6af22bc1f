"""Phase 10, costs: giving spends capacity; heavy demand and conflict stress the giver.

    capacity_j <- capacity_j - given_j
    burden_j    = given_j / capacity_max_j
    stress_j   <- stress_j + burden_stress * max(0, burden_j - burden_threshold) * (1 - stress_j)

Contact over a conflictual tie adds stress to both people even while it supports:

    stress_i   <- stress_i + conflict_stress * min(1, sum_{ties used this step} conflict_ij)
                              * (1 - stress_i)

No random draws.

Sources:
    Pinquart, M. & Sorensen, S. (2003). Differences between caregivers and noncaregivers in
    psychological health and physical health: a meta-analysis. Psychology and Aging 18(2),
    250-267 (caregiver burden).
    Rook, K. S. (1984). The negative side of social interaction: impact on psychological well-being.
    J. Pers. Soc. Psychol. 46(5), 1097-1108 (conflictual ties add stress).
"""

from __future__ import annotations

import numpy as np

from .context import StepContext


def run(ctx: StepContext) -> None:
    """Spend givers' capacity; add caregiver burden and conflict stress."""
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    cmax = np.where(pop.capacity_max > 0, pop.capacity_max, 1.0)
    pop.burden[:] = pop.given / cmax
    if not p.giving_costs:
        return
    pop.capacity -= pop.given
    np.maximum(pop.capacity, 0.0, out=pop.capacity)
    overload = np.maximum(0.0, pop.burden - p.burden_threshold)
    pop.stress += np.minimum(1.0, p.burden_stress * overload) * (1.0 - pop.stress)
    used = ctx.used_ties()
    if len(used):
        n = pop.n
        c = ties.conflict[used]
        conflict = np.bincount(ties.u[used], c, n) + np.bincount(ties.v[used], c, n)
        pop.stress += p.conflict_stress * np.minimum(1.0, conflict) * (1.0 - pop.stress)
