"""Phase 3, stressors: life events arrive and create needs.

Each person meets a life event with probability ``stressor_rate`` per step (times
``low_income_stress_rate`` for low-income people, times ``shock_rate_multiplier`` for those under
a shock). An event has a magnitude drawn from a Beta distribution with mean
``stressor_magnitude`` (times ``shock_magnitude_multiplier`` under a shock) and concentration 4,
and a kind (loss, practical, financial, interpersonal, equally likely) whose profile
(:data:`supportnet.kinds.EVENT_NEEDS`) says how much need of each support type it creates:

    need[i, k] <- min(1, need[i, k] + magnitude_i * profile[kind_i, k])

A loss (bereavement, separation, a friend moving away) also ends a relationship with probability
``loss_ends_tie``: one of the person's ties that can end (not family or professional), chosen in
proportion to strength, ends for both of them. This is how more life events make people lonelier
as well as more stressed (bereavement and separation are leading causes of loneliness: Dykstra, van
Tilburg & de Jong Gierveld 2005; Hawkley & Cacioppo 2010).

Draws per step, in order: uniform (n) who meets an event; then, for the h people who do, in index
order, beta (h) its size and kind (h); then, for the l of them whose event is a loss, uniform (l)
whether it ends a tie and uniform (l) which tie. Professionals meet no events.

Sources:
    Holmes, T. H. & Rahe, R. H. (1967). The social readjustment rating scale (life events as
    discrete stressors of differing magnitude).
    Dykstra, P. A., van Tilburg, T. G. & de Jong Gierveld, J. (2005). Changes in older adult
    loneliness: results from a seven-year longitudinal study. Research on Aging 27(6), 725-747.
    Hawkley, L. C. & Cacioppo, J. T. (2010). Loneliness matters: a theoretical and empirical
    review of consequences and mechanisms. Annals of Behavioral Medicine 40(2), 218-227.
    Pearlin, L. I. et al. (1981). The stress process. J. Health Soc. Behav. 22, 337-356
    (events differ in the needs they create; low income as chronic strain raising exposure).
"""

from __future__ import annotations

import numpy as np

from ..kinds import CAN_END, EVENT_KINDS, EVENT_NEEDS
from .context import StepContext

LOSS = EVENT_KINDS.index("loss")
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
    hit = np.flatnonzero(ctx.rng.random(n) < rate)
    # Size and kind are drawn for the people who meet an event only, in person order: a beta
    # draw for everyone was a fortieth of the whole step at 10,000 people, for the few per cent hit.
    mean_hit = mean[hit]
    safe = np.clip(mean_hit, 1e-6, None)
    magnitude = ctx.rng.beta(safe * CONCENTRATION, (1 - safe) * CONCENTRATION)
    magnitude[mean_hit <= 0] = 0.0
    kind = ctx.rng.integers(0, len(EVENT_NEEDS), len(hit))
    pop.event[hit] = magnitude
    pop.event_kind[hit] = kind
    pop.need[hit] += magnitude[:, None] * EVENT_NEEDS[kind]
    np.minimum(pop.need, 1.0, out=pop.need)
    pop.stressor_load[hit] += magnitude
    pop.stressor_total[hit] += magnitude  # recording only: the run record's stressor load
    loss = hit[kind == LOSS]
    u_end, u_which = ctx.rng.random(len(loss)), ctx.rng.random(len(loss))
    ends = u_end < ctx.params.loss_ends_tie
    if ends.any():
        end_lost_ties(ctx, loss[ends], u_which[ends])


def end_lost_ties(ctx: StepContext, people: np.ndarray, draw: np.ndarray) -> None:
    """End one tie of each of ``people`` (a loss): chosen in proportion to strength.

    Only ties that can end (not family or professional ties) are candidates; a person with none
    loses none. The other person loses the tie too.
    """
    ties, pop = ctx.ties, ctx.pop
    if ties.m == 0:
        return
    owner, _, slot = ties.ties_of(people)  # by person, ties in canonical order
    keep = CAN_END[ties.kind[slot]]
    src, slot = people[owner[keep]], slot[keep]
    if len(src) == 0:
        return
    w = ties.strength[slot]
    cum = np.cumsum(w)
    first = np.searchsorted(src, people, side="left")
    last = np.searchsorted(src, people, side="right")
    has = last > first
    people, draw, first, last = people[has], draw[has], first[has], last[has]
    base = np.where(first > 0, cum[np.maximum(first - 1, 0)], 0.0)
    total = cum[last - 1] - base
    target = base + draw * total
    pick = np.minimum(np.searchsorted(cum, target, side="right"), last - 1)
    ending = np.unique(slot[pick])
    n = pop.n
    pop.ties_lost_total += np.bincount(ties.u[ending], minlength=n)
    pop.ties_lost_total += np.bincount(ties.v[ending], minlength=n)
    ties.remove(ending)
    ctx.ended += len(ending)
