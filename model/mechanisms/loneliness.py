"""Phase 7, loneliness and withdrawal: routine contact, the contact gap, and contagion.

Routine contact: each tie has contact this step with probability

    c_ij = contact_rate * shock_contact_multiplier * strength_ij
           * (1 - withdrawal_strength * loneliness_i) * (1 - withdrawal_strength * loneliness_j)

(the loneliness factors only with ``withdrawal`` on: lonely people let contact lapse, so their
ties decay; see the ties phase). Ties used for support this step count as contact too.

Loneliness moves toward the gap between desired connection and quality-weighted contact:

    Q_i   = sum_{ties with contact} strength_ij * (1 - conflict_ij) * quality[kind_ij]
    q_i   = 1 - exp(-Q_i / contact_saturation)
    gap_i = max(0, desired_i - q_i) / desired_i        (0 when desired_i = 0)
    loneliness_i <- loneliness_i + loneliness_rate * (gap_i - loneliness_i)

Direct contagion (``loneliness_contagion`` > 0, default off, SISa-type):

    loneliness_i <- loneliness_i + loneliness_contagion * (1 - loneliness_i) * lbar_i

with lbar_i the strength-weighted mean loneliness of i's ties.

Draws per step: one uniform per tie in canonical order (always, so that switching loneliness off
does not change the other phases' draws).

Sources:
    Cacioppo, J. T. & Hawkley, L. C. (2009). Perceived social isolation and cognition. Trends in
    Cognitive Sciences 13(10), 447-454 (lonely people withdraw; the loneliness loop).
    Cacioppo, J. T., Fowler, J. H. & Christakis, N. A. (2009). Alone in the crowd: the structure
    and spread of loneliness in a large social network. J. Pers. Soc. Psychol. 97(6), 977-991.
    Perlman, D. & Peplau, L. A. (1981). Toward a social psychology of loneliness (the gap between
    desired and achieved contact).
    Hill, A. L. et al. (2010). Emotions as infectious diseases in a large social network: the SISa
    model. Proc. R. Soc. B 277, 3827-3835.
"""

from __future__ import annotations

import numpy as np

from ..kernels import contact_pass
from ..kinds import CONTACT_QUALITY
from .context import StepContext, draw_per_tie


def contact_probability(ctx: StepContext) -> np.ndarray:
    """Return the chance of routine contact over each tie this step.

    (The step itself computes this inside :func:`supportnet.kernels.contact_pass`, fused with the
    contact draw and the quality-weighted sums; this numpy form is the readable statement.)
    """
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    rate = p.contact_rate
    if ctx.shock.any():
        # A lockdown-type shock thins contact of the people it hits.
        hit = ctx.shock[ties.u] | ctx.shock[ties.v]
        rate = np.where(hit, rate * p.shock_contact_multiplier, rate)
    c = rate * ties.strength
    if p.withdrawal:
        ws = p.withdrawal_strength
        c = c * (1.0 - ws * pop.loneliness[ties.u]) * (1.0 - ws * pop.loneliness[ties.v])
    return c


def run(ctx: StepContext) -> None:
    """Draw routine contact; move loneliness toward the contact gap; apply contagion."""
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    n = pop.n
    draw = draw_per_tie(ctx.rng, ties, 1)[0]
    rate = p.contact_rate
    ctx.contact, Q = contact_pass(
        ties.u, ties.v, ties.strength, ties.conflict, ties.kind, draw, ctx.used_mask(),
        pop.loneliness, ctx.shock, rate, rate * p.shock_contact_multiplier,
        p.withdrawal_strength if p.withdrawal else 0.0, CONTACT_QUALITY, n,
    )  # fmt: skip
    pop.contact[:] = Q
    ties.contacts += ctx.contact  # recording: contacts per tie since it formed
    if not p.loneliness_dynamics:
        return
    q = 1.0 - np.exp(-Q / p.contact_saturation)
    desired = pop.desired_connection
    gap = np.where(
        desired > 0, np.maximum(0.0, desired - q) / np.where(desired > 0, desired, 1.0), 0.0
    )  # noqa: E501
    gap[pop.is_professional] = 0.0
    pop.loneliness += p.loneliness_rate * (gap - pop.loneliness)
    if p.loneliness_contagion > 0 and ties.m:
        s = ties.strength
        wsum = ties.weighted_degree(s)
        lsum = np.bincount(ties.u, s * pop.loneliness[ties.v], n) + np.bincount(
            ties.v, s * pop.loneliness[ties.u], n
        )
        lbar = np.where(wsum > 0, lsum / np.where(wsum > 0, wsum, 1.0), 0.0)
        pop.loneliness += p.loneliness_contagion * (1.0 - pop.loneliness) * lbar
    np.clip(pop.loneliness, 0.0, 1.0, out=pop.loneliness)
