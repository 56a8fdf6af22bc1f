"""Phase 12, loneliness and withdrawal: the contact gap, and contagion per contact.

Loneliness is the discrepancy between the connection a person wants and the quality-weighted
everyday contact they get (Perlman & Peplau 1981; the contact phase's counts: every contact over a
tie counts, support exchanges are not extra contact). What a person wants is relative to their own
network: ``desired_connection`` is the share of the contact a full network of their size would
give (C_i, from their layer sizes and the layer contact rates), so a small network kept by choice is
not a lonely one, and loneliness relates to network size only moderately, as in surveys:

    Q_i   = sum_j contacts_ij * strength_ij * (1 - conflict_ij) * quality[kind_ij]
                  * (1 - lonely_contact_quality * loneliness_j)
    C_i   = inner_i * contact_inner + (sympathy_i - inner_i) * contact_sympathy
            + (size_i - sympathy_i) * contact_wider
    gap_i = max(0, 1 - Q_i / (desired_i * C_i))        (0 when desired_i = 0)
    target_i = clip(gap_i + loneliness_bias_i, 0, 1)
    loneliness_i <- loneliness_i + loneliness_rate * (target_i - loneliness_i)

where ``loneliness_bias`` is a stable proneness to loneliness (rejection sensitivity, insecure
attachment; loneliness is about half heritable: Boomsma et al. 2005), so that loneliness is not
merely the count of one's contacts: it relates to network size only moderately, as in surveys.

Contact with a lonely person is less rewarding: lonely people are more guarded and negative in
interaction and are rated less favourably by their partners (Jones, Hobbs & Hockenbury 1982;
Cacioppo & Hawkley 2009), so a partner's loneliness lowers the quality of a contact for the other.
This is how loneliness is induced along ties without a contagion term of its own.

Lonely people withdraw (switch ``withdrawal``): they see their ties less (the contact phase), ask
less (seeking) and accept fewer new ties (ties), so their ties weaken and end and they drift to the
edge of the network; their partners lose contact too.

Direct contagion (``loneliness_contagion`` > 0, default off): every contact this step with a lonely
person (loneliness above ``lonely_threshold``) is a chance ``loneliness_contagion`` of catching
some of it,

    x_i = sum_j contacts_ij * [loneliness_j > lonely_threshold]
    loneliness_i <- loneliness_i + (1 - (1 - loneliness_contagion) ** x_i) * (1 - loneliness_i)

and people recover as loneliness relaxes toward their own contact gap (as in the SIS-type models of
Hill et al. 2010). Like them it has a threshold: below it, contagion raises loneliness and clusters
it (at the defaults, rates up to about 0.005 per contact raise the loneliness assortativity);
above it, loneliness feeds itself and a town tips until most people are lonely (some towns from
about 0.006-0.01, every town at 0.02 and above).

No random draws.

Sources:
    Cacioppo, J. T. & Hawkley, L. C. (2009). Perceived social isolation and cognition. Trends in
    Cognitive Sciences 13(10), 447-454 (lonely people withdraw; the loneliness loop).
    Cacioppo, J. T., Fowler, J. H. & Christakis, N. A. (2009). Alone in the crowd: the structure
    and spread of loneliness in a large social network. J. Pers. Soc. Psychol. 97(6), 977-991.
    Boomsma, D. I. et al. (2005). Genetic and environmental contributions to loneliness in adults:
    the Netherlands Twin Register study. Behavior Genetics 35(6), 745-752.
    Jones, W. H., Hobbs, S. A. & Hockenbury, D. (1982). Loneliness and social skill deficits. J.
    Pers. Soc. Psychol. 42(4), 682-689.
    Perlman, D. & Peplau, L. A. (1981). Toward a social psychology of loneliness (the gap between
    desired and achieved contact).
    Hill, A. L. et al. (2010). Emotions as infectious diseases in a large social network: the SISa
    model. Proc. R. Soc. B 277, 3827-3835.
"""

from __future__ import annotations

import numpy as np

from ..kernels import contact_sums
from ..kinds import CONTACT_QUALITY
from .context import StepContext


def contact_quality(ctx: StepContext) -> np.ndarray:
    """Quality-weighted everyday contact of each person this step (Q above)."""
    return _contact_sums(ctx, with_lonely=False)[0]


def _contact_sums(ctx: StepContext, with_lonely: bool) -> tuple[np.ndarray, np.ndarray]:
    """Q above and, with ``with_lonely``, x above (contacts with lonely people), in one pass."""
    ties, pop, p = ctx.ties, ctx.pop, ctx.params
    if ties.m == 0:
        return np.zeros(pop.n), np.zeros(pop.n)
    return contact_sums(
        ties.u, ties.v, ctx.contacts, ties.strength, ties.conflict, ties.kind, CONTACT_QUALITY,
        float(p.lonely_contact_quality), pop.loneliness, float(p.lonely_threshold), pop.n,
        with_lonely,
    )  # fmt: skip


def full_network_contact(ctx: StepContext) -> np.ndarray:
    """Contacts a week each person would have with a full network of their size (C above)."""
    p, pop = ctx.params, ctx.pop
    inner = pop.layer_inner
    sympathy = np.maximum(pop.layer_sympathy - inner, 0)
    wider = np.maximum(pop.network_size - pop.layer_sympathy, 0.0)
    return inner * p.contact_inner + sympathy * p.contact_sympathy + wider * p.contact_wider


def run(ctx: StepContext) -> None:
    """Move loneliness toward the contact gap; apply contagion per contact."""
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    contagion = p.loneliness_dynamics and p.loneliness_contagion > 0 and ties.m > 0
    # x: contacts with people lonely at the start of this phase, summed with Q in one pass.
    Q, x = _contact_sums(ctx, with_lonely=contagion)
    pop.contact[:] = Q
    if not p.loneliness_dynamics:
        return
    want = pop.desired_connection * full_network_contact(ctx)
    safe = np.where(want > 0, want, 1.0)
    gap = np.where(want > 0, np.maximum(0.0, 1.0 - Q / safe), 0.0)
    target = np.clip(gap + pop.loneliness_bias, 0.0, 1.0)
    target[pop.is_professional] = 0.0
    pop.loneliness += p.loneliness_rate * (target - pop.loneliness)
    if contagion:
        catch = 1.0 - (1.0 - p.loneliness_contagion) ** x
        pop.loneliness += catch * (1.0 - pop.loneliness)
    np.clip(pop.loneliness, 0.0, 1.0, out=pop.loneliness)
