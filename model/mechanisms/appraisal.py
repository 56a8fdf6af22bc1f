"""Phase 5, appraisal and buffering: how much stress an event causes, and the main effect.

Buffering (switch ``buffering``): perceived support reduces an event's impact on stress,

    impact_i = magnitude_i * (1 - buffering_strength * perceived_support_i)
    stress_i <- min(1, stress_i + impact_i)

so support protects most when stress is high. This is the appraisal pathway of buffering; the
switch also covers its second pathway, the stress relief of support received (the giving phase).
Stress adds up linearly (bounded at 1), so that how much an event harms does not depend on how
stressed a person already was: the only interaction of stress with support is buffering's (with
buffering off, a clean null). With buffering off, impact_i = magnitude_i.

Main effect (switch ``main_effect``): perceived support lowers depression whatever the stressors,

    depression_i <- max(0, depression_i - main_effect_strength * perceived_support_i)

The two are separate so that the hypotheses can be tested against each other.

Sources:
    Cohen, S. & Wills, T. A. (1985). Stress, social support, and the buffering hypothesis.
    Psychological Bulletin 98(2), 310-357.
    Lazarus, R. S. & Folkman, S. (1984). Stress, Appraisal, and Coping (appraisal of events).
"""

from __future__ import annotations

import numpy as np

from .context import StepContext


def run(ctx: StepContext) -> None:
    """Turn this step's events into stress; apply the main effect of support."""
    p, pop = ctx.params, ctx.pop
    impact = pop.event.copy()
    if p.buffering:
        impact *= 1.0 - p.buffering_strength * pop.perceived_support
    pop.stress += impact
    np.minimum(pop.stress, 1.0, out=pop.stress)
    if p.main_effect:
        pop.depression -= p.main_effect_strength * pop.perceived_support
        np.maximum(pop.depression, 0.0, out=pop.depression)
