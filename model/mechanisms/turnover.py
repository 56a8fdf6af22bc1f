"""Phase 1, turnover: people leave the town (move away or die) and newcomers take their place.

A town's population renews itself: in a year a few percent of adults move away and about one in a
hundred dies (residential mobility and mortality), and as many arrive. Without it nobody's network
is ever broken from outside and the world never settles. Each person (not professionals) leaves
with probability

    h = 1 - (1 - leave_rate) ** (1 / 52)        per step (leave_rate is per year)

Their ties end (their partners lose a tie, counted in ``ties_lost_total``) and a newcomer takes
their row, drawn afresh from the parameters (:func:`supportnet.population.draw_population`; the
subgroups by their shares as probabilities), with ``arrived`` set to this step. A share
``local_entry_share`` of newcomers grow up in or join a local family: they live near a resident
drawn at random and have family ties to that resident and to the resident's family (strength
around 0.8). The others move in from elsewhere with no ties yet and form them like anyone with
room for new ties (the ties phase). The town's size stays the same.

Draws per step, in order: uniform (n) for leaving; then, if anyone leaves: the newcomers'
population draws; uniform (k) local or not; integers (k) the resident each local newcomer joins;
uniform (k, 2) home jitter; normal (family ties) their strengths; uniform (family ties) their
conflict.

Sources:
    Mollenhorst, G., Volker, B. & Flap, H. (2014). Changes in personal relationships: how social
    contexts affect the emergence and discontinuation of relationships. Social Networks 37,
    65-80 (networks keep their size while their members are replaced).
    Kahn, R. L. & Antonucci, T. C. (1980). Convoys over the life course (family ties persist).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from ..kinds import FAMILY
from ..population import draw_population
from .context import StepContext

__all__ = ["weekly_leave_probability", "run"]

#: Family ties a local newcomer can join at most (the resident and their closest family).
MAX_FAMILY = 6


def weekly_leave_probability(leave_rate: float) -> float:
    """The per-step probability of leaving that gives ``leave_rate`` per year."""
    return 1.0 - (1.0 - leave_rate) ** (1.0 / 52.0)


def run(ctx: StepContext) -> None:
    """Let people leave and newcomers arrive in their rows."""
    p, pop, ties, rng = ctx.params, ctx.pop, ctx.ties, ctx.rng
    ctx.replaced = np.zeros(0, np.int64)
    if not p.turnover or p.leave_rate <= 0:
        return
    n = pop.n
    leave = (rng.random(n) < weekly_leave_probability(p.leave_rate)) & pop.members
    who = np.flatnonzero(leave)
    if len(who) == 0:
        return
    # Their ties end; partners lose a tie.
    if ties.m:
        gone = leave[ties.u] | leave[ties.v]
        slots = np.flatnonzero(gone)
        partners = np.concatenate([ties.v[slots][~leave[ties.v[slots]]],
                                   ties.u[slots][~leave[ties.u[slots]]]])  # fmt: skip
        pop.ties_lost_total += np.bincount(partners, minlength=n)
        ties.remove(slots)
        ctx.ended += len(slots)
    # Newcomers take the rows.
    k = len(who)
    new = draw_population(p, k, rng, exact_shares=False)
    for f in fields(pop):
        getattr(pop, f.name)[who] = getattr(new, f.name)
    pop.arrived[who] = ctx.step
    local = rng.random(k) < p.local_entry_share
    residents = np.flatnonzero(pop.members & ~leave)
    joined = rng.integers(0, max(len(residents), 1), k)
    jitter = (rng.random((k, 2)) - 0.5) * 0.02
    if len(residents):
        anchor = residents[joined]
        pop.home[who[local]] = (pop.home[anchor[local]] + jitter[local]) % 1.0
        _join_families(ctx, who[local], anchor[local])
    ctx.replaced = who


def _join_families(ctx: StepContext, newcomers: np.ndarray, anchors: np.ndarray) -> None:
    """Tie each local newcomer to the resident they join and to that resident's family."""
    ties, rng = ctx.ties, ctx.rng
    if len(newcomers) == 0:
        return
    # The anchor's family: partners over family ties, the first MAX_FAMILY - 1 in index order.
    owner, partner, slot = ties.ties_of(anchors)
    family = ties.kind[slot] == FAMILY
    owner, partner = owner[family], partner[family]
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner)  # place in the anchor's family
    joins = rank < MAX_FAMILY - 1
    u = np.concatenate([newcomers, newcomers[owner[joins]]])
    v = np.concatenate([anchors, partner[joins]])
    strength = np.clip(rng.normal(0.8, 0.1, len(u)), 0.3, 1.0)
    strength = np.maximum(strength, ctx.params.family_floor)
    conflict = np.clip(ctx.params.conflict_mean * 2.0 * rng.random(len(u)), 0.0, 1.0)
    added = ties.add(u, v, FAMILY, strength, conflict, step=ctx.step)
    ctx.formed += len(added)
