"""Phase 13, depression: moves with stress and loneliness, recovers slowly.

    drive_i       = stress_weight * stress_i + loneliness_weight * loneliness_i
    depression_i <- clip(depression_i + depression_rate * drive_i
                                      - depression_recovery * depression_i, 0, 1)

Linear in the drive (bounded only at 0 and 1), so the harm of stress does not depend on the
current level of depression, and support modifies it only through buffering.

Depression feeds back: it lowers willingness to ask (seeking), coping and capacity recovery
(recovery). A person is a "case" above ``case_threshold``. No random draws.

Sources:
    Hammen, C. (2005). Stress and depression. Annual Review of Clinical Psychology 1, 293-319.
    Cacioppo, J. T., Hawkley, L. C. & Thisted, R. A. (2010). Perceived social isolation makes me
    sad: 5-year cross-lagged analyses of loneliness and depressive symptomatology. Psychology and
    Aging 25(2), 453-463.
    Lee, S. L. et al. (2021). The association between loneliness and depressive symptoms among
    adults aged 50 years and older: a 12-year population-based cohort study. Lancet Psychiatry
    8(1), 48-57 (loneliness predicts later depressive symptoms beyond earlier ones).
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
    pop.depression += p.depression_rate * drive
    pop.depression -= p.depression_recovery * pop.depression
    pop.depression[pop.is_professional] = 0.0
    np.clip(pop.depression, 0.0, 1.0, out=pop.depression)
