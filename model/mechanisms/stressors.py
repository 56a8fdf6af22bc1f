"""Phase 1, stressors: life events arrive and create needs.

Each person meets a life event with probability ``stressor_rate`` per step (times
``low_income_stress_rate`` for low-income people, times ``shock_rate_multiplier`` for those under
a shock). An event has a magnitude drawn from a Beta distribution with mean
``stressor_magnitude`` (times ``shock_magnitude_multiplier`` under a shock) and concentration 4,
and a kind (loss, practical, financial, interpersonal, equally likely) whose profile
(:data:`supportnet.kinds.EVENT_NEEDS`) says how much need of each support type it creates:

    need[i, k] <- min(1, need[i, k] + magnitude_i * profile[kind_i, k])

Draws per step, in order: uniform (n), beta (n), kind (n). Professionals meet no events.

Sources:
    Holmes, T. H. & Rahe, R. H. (1967). The social readjustment rating scale (life events as
    discrete stressors of differing magnitude).
    Pearlin, L. I. et al. (1981). The stress process. J. Health Soc. Behav. 22, 337-356
    (events differ in the needs they create; low income as chronic strain raising exposure).
"""

from __future__ import annotations

import numpy as np

from ..kinds import EVENT_NEEDS
from .context import StepContext

CONCENTRATION = 4.0  # Beta(a, b) with a + b = 4: right-skewed, most events small


def event_rates(ctx: StepContext) -> tuple[np.ndarray, np.ndarray]:
    """Return each person's event probability and mean magnitude this step."""
    p, pop = ctx.params, ctx.pop
    rate = np.full(pop.n, p.stressor_rate)
    rate[pop.subgroup == 1] *= p.low_income_stress_rate
    rate[ctx.shock] *= p.shock_rate_multiplier
    rate[pop.is_professional] = 0.0
    mean = np.full(pop.n, p.stressor_magnitude)
    mean[ctx.shock] *= p.shock_magnitude_multiplier
    return np.clip(rate, 0, 1), np.clip(mean, 0, 0.95)


def run(ctx: StepContext) -> None:
    """Draw this step's life events and add the needs they create."""
    pop = ctx.pop
    pop.event[:] = 0.0
    pop.event_kind[:] = -1
    if not ctx.params.stressors:
        return
    n = pop.n
    rate, mean = event_rates(ctx)
    hit = ctx.rng.random(n) < rate
    safe = np.clip(mean, 1e-6, None)
    magnitude = ctx.rng.beta(safe * CONCENTRATION, (1 - safe) * CONCENTRATION)
    magnitude[mean <= 0] = 0.0
    kind = ctx.rng.integers(0, len(EVENT_NEEDS), n)
    magnitude = np.where(hit, magnitude, 0.0)
    pop.event[:] = magnitude
    pop.event_kind[hit] = kind[hit]
    pop.need += magnitude[:, None] * EVENT_NEEDS[kind]
    np.minimum(pop.need, 1.0, out=pop.need)
    pop.stressor_load += magnitude
    pop.stressor_total += magnitude  # recording only: the run record's stressor load
