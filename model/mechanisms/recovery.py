"""Phase 11, coping and recovery: stress decays, capacity and needs recover.

    strain_i    = need_stress * min(1, sum_k need_ik)          (chronic strain)
    coping_i    = resilience_i * (1 - depression_capacity_effect * depression_i)
    stress_i   <- min(1, stress_i + strain_i) * (1 - coping_i)
    capacity_i <- capacity_i + capacity_recovery * (capacity_max_i - capacity_i)
                      * (1 - stress_recovery_penalty * stress_i)
                      * (1 - depression_capacity_effect * depression_i)
    need_ik    <- need_ik * (1 - need_decay)

Unmet needs are a chronic strain: a need the network leaves unmet keeps stress up week after week
(secondary stressors of the stress process: Pearlin et al. 1981). This is where support that is
given (or not) shows in stress and depression beyond the immediate relief of the giving phase.
No random draws.

Sources:
    Lazarus & Folkman (1984), for coping as a personal rate.
    Hobfoll, S. E. (1989). Conservation of resources: a new attempt at conceptualizing stress.
    American Psychologist 44(3), 513-524 (resources spent recover, more slowly under strain).
"""

from __future__ import annotations

import numpy as np

from ..rows import row_sum
from .context import StepContext


def run(ctx: StepContext) -> None:
    """Cope with stress; recover capacity; let needs resolve."""
    p, pop = ctx.params, ctx.pop
    if not p.recovery:
        return
    drag = 1.0 - p.depression_capacity_effect * pop.depression
    # Chronic strain: needs that stay unmet keep stress up (secondary stressors).
    strain = p.need_stress * np.minimum(row_sum(pop.need), 1.0)
    strain[pop.is_professional] = 0.0
    pop.stress = np.minimum(pop.stress + strain, 1.0)
    pop.stress *= 1.0 - pop.resilience * drag
    pop.capacity += (
        p.capacity_recovery
        * (pop.capacity_max - pop.capacity)
        * (1.0 - p.stress_recovery_penalty * pop.stress)
        * drag
    )
    np.minimum(pop.capacity, pop.capacity_max, out=pop.capacity)
    pop.need *= 1.0 - p.need_decay
