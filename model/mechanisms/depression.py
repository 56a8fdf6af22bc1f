"""Phase 8, depression: moves with stress and loneliness, recovers slowly.

    drive_i       = stress_weight * stress_i + loneliness_weight * loneliness_i
    depression_i <- depression_i + depression_rate * drive_i * (1 - depression_i)
                                 - depression_recovery * depression_i

Depression feeds back: it lowers willingness to ask (seeking), coping and capacity recovery
(recovery). A person is a "case" above ``case_threshold``. No random draws.

Sources:
    Hammen, C. (2005). Stress and depression. Annual Review of Clinical Psychology 1, 293-319.
    Cacioppo, J. T., Hawkley, L. C. & Thisted, R. A. (2010). Perceived social isolation makes me
    sad: 5-year cross-lagged analyses of loneliness and depressive symptomatology. Psychology and
    Aging 25(2), 453-463.
    Erzen, E. & Cikrikci, O. (2018). The effect of loneliness on depression: a meta-analysis.
    Int. J. Social Psychiatry 64(5), 427-435 (a 1-point rise in loneliness ~ 0.61 in depression).
"""

from __future__ import annotations

import numpy as np

from .context import StepContext


def run(ctx: StepContext) -> None:
    """Update depressive symptoms."""
    p, pop = ctx.params, ctx.pop
    if not p.depression_dynamics:
        return
    drive = p.stress_weight * pop.stress + p.loneliness_weight * pop.loneliness
    pop.depression += p.depression_rate * drive * (1.0 - pop.depression)
    pop.depression -= p.depression_recovery * pop.depression
    pop.depression[pop.is_professional] = 0.0
    np.clip(pop.depression, 0.0, 1.0, out=pop.depression)
