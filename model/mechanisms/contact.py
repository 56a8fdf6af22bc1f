"""Phase 4, everyday contact: people see their ties at the frequency of the layer each tie is in.

Personal networks are layered by contact: a handful of people are seen about weekly (the inner
circle), about fifteen at least monthly (the sympathy group), the rest a few times a year (Zhou et
al. 2005; Roberts & Dunbar 2011; Sutcliffe et al. 2012). People spend a limited social time where
they feel closest (Miritello et al. 2013; Saramaki et al. 2014), so each person ranks their ties by
strength: the ``layer_inner`` strongest get ``contact_inner`` contacts a week, the next up to
``layer_sympathy`` get ``contact_sympathy``, the rest ``contact_wider`` (layer sizes scale with a
person's network size). A tie's rate is the mean of what its two people give it, times both
people's availability:

    rate_ij  = (layer rate of j for i + layer rate of i for j) / 2
    avail_i  = (1 - withdrawal_strength * loneliness_i)      [withdrawal on]
               * (1 - depression_contact_effect * depression_i)
               * (1 - care_contact_effect)                  [carers, caregiving on]
               * shock_contact_multiplier                   [under a lockdown-type shock]
               * cohesion[neighbourhood of i]
    contacts_ij ~ Poisson(rate_ij * avail_i * avail_j)

Neighbourhoods differ in how much everyday contact they foster (social cohesion: shared spaces,
safety, stability; Sampson, Raudenbush & Earls 1997): each neighbourhood's factor is drawn once,
log-normal with spread ``neighbourhood_cohesion_sd`` and mean 1. People who move in take on their
neighbourhood's. Lower cohesion is a shared cause of loneliness for neighbours and their friends
(Kearns et al. 2015), so it spreads loneliness over network distance without contagion.

Contact is what keeps ties alive (the ties phase) and loneliness low (the loneliness phase); help
is asked for and given over it (the seeking phase), not instead of it. Strength follows contact,
so the ranking is self-sustaining but not fixed: when a close tie ends, the next closest moves up.

Draws per step: one uniform per tie, in canonical order, turned into a Poisson count by inversion.

Sources:
    Zhou, W.-X., Sornette, D., Hill, R. A. & Dunbar, R. I. M. (2005). Discrete hierarchical
    organization of social group sizes. Proc. R. Soc. B 272, 439-444.
    Roberts, S. G. B. & Dunbar, R. I. M. (2011). Communication in social networks: effects of
    kinship, network size, and emotional closeness. Personal Relationships 18(3), 439-452.
    Sutcliffe, A., Dunbar, R., Binder, J. & Arrow, H. (2012). Relationships and the social brain:
    integrating psychological and evolutionary perspectives. Br. J. Psychol. 103(2), 149-168.
    Miritello, G. et al. (2013). Time as a limited resource: communication strategy in mobile
    phone networks. Social Networks 35(1), 89-95.
    Saramaki, J. et al. (2014). Persistence of social signatures in human communication. PNAS
    111(3), 942-947.
    Sampson, R. J., Raudenbush, S. W. & Earls, F. (1997). Neighborhoods and violent crime: a
    multilevel study of collective efficacy. Science 277(5328), 918-924.
    Kearns, A., Whitley, E., Tannahill, C. & Ellaway, A. (2015). Loneliness, social relations and
    health and well-being in deprived communities. Psychology, Health & Medicine 20(3), 332-344.
    Cacioppo, J. T., Hawkley, L. C. & Thisted, R. A. (2010). Perceived social isolation makes me
    sad. Psychology and Aging 25(2), 453-463 (loneliness and depression both cut social contact).
"""

from __future__ import annotations

import numpy as np

from ..kernels import layer_contact_rates, poisson_counts
from .context import StepContext, draw_per_tie

__all__ = ["availability", "contact_rates", "run"]


def availability(ctx: StepContext) -> np.ndarray:
    """Each person's availability for everyday contact this step, in [0, 1]."""
    p, pop = ctx.params, ctx.pop
    a = 1.0 - p.depression_contact_effect * pop.depression
    if p.caregiving:
        a = a * np.where(pop.carer_of >= 0, 1.0 - p.care_contact_effect, 1.0)
    if p.withdrawal:
        a = a * (1.0 - p.withdrawal_strength * pop.loneliness)
    if ctx.shock.any():
        a = np.where(ctx.shock, a * p.shock_contact_multiplier, a)
    a = np.clip(a, 0.0, 1.0)
    if ctx.cohesion is not None and len(ctx.cohesion) > 1:
        from ..space import Neighbourhoods

        g = int(round(np.sqrt(len(ctx.cohesion))))
        cell = Neighbourhoods.cell_of_grid(pop.home, g)
        a = a * np.where(pop.is_professional, 1.0, ctx.cohesion[cell])
    return a


def contact_rates(ctx: StepContext) -> np.ndarray:
    """Expected everyday contacts per tie this step (the Poisson means)."""
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    if ties.m == 0:
        return np.zeros(0)
    fptr, bptr = ties.row_pointers()
    rates = np.array([p.contact_inner, p.contact_sympathy, p.contact_wider], float)
    # The layer rates times both people's availability, in one pass over the ties.
    return layer_contact_rates(
        ties.keys, ties.vkeys, fptr, bptr, ties.strength, pop.layer_inner, pop.layer_sympathy,
        rates, availability(ctx),
    )  # fmt: skip


def run(ctx: StepContext) -> None:
    """Draw this step's everyday contacts over every tie."""
    lam = contact_rates(ctx)
    counts = poisson_counts(lam, draw_per_tie(ctx.rng, ctx.ties, 1)[0])
    ctx.contacts = counts
    ctx.contact = counts > 0
    ctx.ties.contacts += counts
