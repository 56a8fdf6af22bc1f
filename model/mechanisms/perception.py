"""Perceived support (after giving): expectations follow experience and integration.

Perceived support is how much support a person expects to get if they ask. It moves toward a
target that mixes the support a person just received relative to their need (when they asked)
with their structural integration, and is distorted by a personal perception bias
(attachment style):

    integration_i = 1 - exp(-sum_j strength_ij * (1 - conflict_ij) * quality[kind_ij]
                                / integration_saturation)
    ratio_i       = min(1, sum_k effective_ik / need_i at asking)          (askers only)
    target_i      = clip(w * ratio_i + (1 - w) * integration_i + bias_i)   (askers)
                    clip(integration_i + bias_i)                           (others)
    perceived_i  <- perceived_i + perceived_support_rate * (target_i - perceived_i)

with w = ``experience_weight``. No random draws.

Sources:
    Lakey, B. & Cassady, P. B. (1990). Cognitive processes in perceived social support. J. Pers.
    Soc. Psychol. 59(2), 337-343 (perceived support as a stable, partly cognitive expectation).
    Uchino, B. N. (2009). Understanding the links between social support and physical health.
    Perspectives on Psychological Science 4(3), 236-255 (perceived vs received support).
"""

from __future__ import annotations

import numpy as np

from ..kernels import quality_sum
from ..kinds import CONTACT_QUALITY
from .context import StepContext


def integration(ctx: StepContext) -> np.ndarray:
    """Return each person's integration index in [0, 1) from the quality of their ties."""
    t = ctx.ties
    total = quality_sum(t.u, t.v, t.strength, t.conflict, t.kind, CONTACT_QUALITY, t.n_nodes)
    return 1.0 - np.exp(-total / ctx.params.integration_saturation)


def run(ctx: StepContext) -> None:
    """Move perceived support toward experience and integration."""
    p, pop = ctx.params, ctx.pop
    integ = integration(ctx)
    target = integ + pop.perception_bias
    asked = pop.asked & (ctx.ask_need > 0)
    if asked.any():
        got = pop.received_effective[asked].sum(axis=1)
        ratio = np.minimum(1.0, got / ctx.ask_need[asked])
        w = p.experience_weight
        target[asked] = w * ratio + (1 - w) * integ[asked] + pop.perception_bias[asked]
    target = np.clip(target, 0.0, 1.0)
    pop.perceived_support += p.perceived_support_rate * (target - pop.perceived_support)
