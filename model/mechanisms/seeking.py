"""Phase 6, help-seeking: who asks, and whom they ask.

Help is asked for over everyday contact: only ties that had contact this step (the contact
phase) can be asked. A person considers asking when stress exceeds ``seek_stress_threshold`` or
any unmet need exceeds ``seek_need_threshold`` (and they have some need). They ask with probability

    willingness_i = help_seeking_i * (1 - depression_seeking_effect * depression_i)
                    * (1 - withdrawal_strength * loneliness_i   [withdrawal on])
                    + seeking_boost_i                             [outreach interventions]

(clipped to [0, 1]). An asker asks each tie j with probability
``min(1, ask_breadth * w_ij / sum_j w_ij)``, where the weight is the tie's strength times the
expected fit of j's competence to i's needs on that kind of tie:

    w_ij = strength_ij * sum_k need_ik * competence_jk * landing[kind_ij, k] / sum_k need_ik

so ``ask_breadth`` ties are asked on average, the strong and competent ones most often.

Booked sessions: a client of a professional (see :mod:`supportnet.interventions.professional`) with
any unmet need sees their professional every step, whether or not they ask anyone else.

Draws per step, in order: uniform (n) for willingness, then one uniform per arc leaving an asker
over a tie with contact this step, in arc order: u -> v for each such tie (canonical order) whose u
asks, then v -> u for each such tie whose v asks.

Sources:
    Rickwood, D. & Thomas, K. (2012). Conceptual measurement framework for help-seeking for mental
    health problems. Psychology Research and Behavior Management 5, 173-183.
    Clement, S. et al. (2015). What is the impact of mental health-related stigma on help-seeking?
    Psychological Medicine 45(1), 11-27 (stigma lowers willingness to ask).
    Wellman & Wortley (1990), for the fit of tie kinds to support types.
"""

from __future__ import annotations

import numpy as np

from ..kernels import asking_arcs, choose_asked_arcs
from ..kinds import landing_matrix
from ..rows import row_max, row_sum
from .context import StepContext


def willingness(ctx: StepContext) -> np.ndarray:
    """Return each person's probability of asking, if in need, this step."""
    p, pop = ctx.params, ctx.pop
    w = pop.help_seeking * (1.0 - p.depression_seeking_effect * pop.depression)
    if p.withdrawal:
        w = w * (1.0 - p.withdrawal_strength * pop.loneliness)
    return np.clip(w + pop.seeking_boost, 0.0, 1.0)


def run(ctx: StepContext) -> None:
    """Decide who asks and which ties they ask; record the asked arcs."""
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    pop.asked[:] = False
    total_need = row_sum(pop.need)
    ctx.ask_need = total_need
    if not p.seeking:
        return
    n, m = pop.n, ties.m
    u_ask = ctx.rng.random(n)
    considers = (pop.stress > p.seek_stress_threshold) | (row_max(pop.need) > p.seek_need_threshold)
    asks = considers & (total_need > 0) & (u_ask < willingness(ctx)) & ~pop.is_professional
    pop.asked[:] = asks
    if m == 0 or not asks.any():
        ctx.ask_arcs = np.zeros(0, np.int64)
        _book_sessions(ctx, total_need)
        return
    # One uniform per arc leaving an asker over a tie with contact this step, in arc order; one
    # compiled pass weighs and picks. Help is asked for over everyday contact, not instead of it.
    arcs = asking_arcs(ties.u, ties.v, asks, ctx.contact)
    u_arc = ctx.rng.random(len(arcs))
    ctx.ask_arcs = choose_asked_arcs(
        ties.u, ties.v, ties.kind, ties.strength, asks, pop.need, total_need, pop.competence,
        landing_matrix(p), p.ask_breadth, u_arc, arcs,
    )  # fmt: skip
    _book_sessions(ctx, total_need)


def _book_sessions(ctx: StepContext, total_need: np.ndarray) -> None:
    """Add booked sessions: a client in any need sees their professional every step.

    Only people added as professionals by an intervention (supportnet.interventions.professional)
    are flagged, so in a model without them this returns at once. No random draws.
    """
    pop = ctx.pop
    if ctx.ties.m == 0 or not pop.is_professional.any():
        return
    src, dst, _ = ctx.arcs()
    booked = np.flatnonzero(pop.is_professional[dst] & (total_need[src] > 0))
    if len(booked):
        ctx.ask_arcs = np.union1d(ctx.ask_arcs, booked)
        pop.asked[src[booked]] = True
        # A session is a contact over the professional tie (counted once per step).
        slot = booked % ctx.ties.m
        fresh = slot[~ctx.contact[slot]]
        ctx.contact[fresh] = True
        ctx.contacts[fresh] += 1.0
        ctx.ties.contacts[fresh] += 1.0
