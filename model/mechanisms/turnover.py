"""Phase 1, turnover: people leave the town (move away or die) and newcomers take their place.

A town's population renews itself: in a year a few percent of adults move away and about one in a
hundred dies (residential mobility and mortality), and as many arrive. Without it nobody's network
is ever broken from outside and the world never settles. Each person (not professionals) leaves
with probability

    h = 1 - (1 - leave_rate) ** (1 / 52)        per step (leave_rate is per year)

Their ties end (their partners lose a tie, counted in ``ties_lost_total``) and a newcomer takes
their row, drawn afresh from the parameters (:func:`supportnet.population.draw_population`; the
subgroups by their shares as probabilities), with ``arrived`` set to this step. A newcomer's family
is drawn as a starting person's is (:mod:`supportnet.families`): with probability
``local_entry_share`` they grow up in or join one of the town's F family slots, drawn uniformly,
and are tied by family ties (strength around 0.8) to its members (at most
:data:`~supportnet.families.MAX_JOINED`, the lowest indices first) and to the other newcomers who
join it this step; they live near a member drawn at random (within half a neighbourhood) and share
the family's community group. A newcomer who joins an empty slot founds the family again. The
others move in from elsewhere with no ties yet and form them like anyone with room for new ties
(the ties phase). The town's size stays the same, and so does the law of its families.

Draws per step, in order: uniform (n) for leaving; then, if anyone leaves: the newcomers'
population draws; uniform (k) local or not and integers (k) the family slot
(:func:`~supportnet.families.draw_families`); uniform (k) the member to live near; uniform (k, 2)
home jitter; normal (family ties) their strengths; uniform (family ties) their conflict.

Sources:
    Mollenhorst, G., Volker, B. & Flap, H. (2014). Changes in personal relationships: how social
    contexts affect the emergence and discontinuation of relationships. Social Networks 37,
    65-80 (networks keep their size while their members are replaced).
    Kahn, R. L. & Antonucci, T. C. (1980). Convoys over the life course (family ties persist).
    Kelly, F. P. (1979). Reversibility and Stochastic Networks (M/M/infinity: why drawing the
    newcomers' families like the starting ones keeps the families stationary).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from ..families import MAX_JOINED, draw_families
from ..kinds import FAMILY
from ..ordering import stable_order
from ..population import draw_population
from ..space import grid_size
from .context import StepContext

__all__ = ["weekly_leave_probability", "run"]


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
    # Their ties end (with the newcomers' family ties added below, in one merge of the tie
    # arrays); partners lose a tie.
    slots = np.zeros(0, np.int64)
    if ties.m:
        # The leavers' ties by binary search (a few people), not a pass over every tie.
        slots = np.unique(ties.ties_of(who)[2])
        partners = np.concatenate([ties.v[slots][~leave[ties.v[slots]]],
                                   ties.u[slots][~leave[ties.u[slots]]]])  # fmt: skip
        pop.ties_lost_total += np.bincount(partners, minlength=n)
        ctx.ended += len(slots)
    # Newcomers take the rows.
    k = len(who)
    new = draw_population(p, k, rng, exact_shares=False)
    for f in fields(pop):
        getattr(pop, f.name)[who] = getattr(new, f.name)
    pop.arrived[who] = ctx.step
    pop.family[who] = draw_families(k, ctx.families, p.local_entry_share, rng)
    near = rng.random(k)
    g = grid_size(n, p.neighbourhood_size)
    jitter = (rng.random((k, 2)) - 0.5) * (0.5 / g)
    u, v, strength, conflict = _join_families(ctx, who, near, jitter)
    # The leavers' ties end and the newcomers' family ties form in one change of the tie arrays;
    # a newcomer's row is free of the leaver's ties, so a family tie to a former partner of the
    # leaver forms anew (renew).
    added = ties.add(u, v, FAMILY, strength, conflict, step=ctx.step, remove=slots, renew=True)
    ctx.formed += len(added)
    ctx.replaced = who


def _join_families(ctx: StepContext, who: np.ndarray, near: np.ndarray, jitter: np.ndarray):
    """Place the newcomers who join a family near one of its members; return their family ties.

    Returns:
        (u, v, strength, conflict) of the family ties to form (empty if nobody joins a family).
    """
    pop, rng = ctx.pop, ctx.rng
    joining = np.flatnonzero(pop.family[who] >= 0)
    if len(joining) == 0:
        none = np.zeros(0, np.int64)
        return none, none, np.zeros(0), np.zeros(0)
    newcomers, slot = who[joining], pop.family[who[joining]]
    # The families' members before this step, sorted by slot (and by index within a slot).
    staying = pop.family >= 0
    staying[who] = False  # a mask: np.isin(old, who) sorted both arrays
    old = np.flatnonzero(staying)
    old = old[stable_order(pop.family[old])]
    lo = np.searchsorted(pop.family[old], slot, "left")
    size = np.searchsorted(pop.family[old], slot, "right") - lo
    # Home near a member drawn at random, and the family's community group.
    have = size > 0
    member = old[lo[have] + np.minimum((near[joining][have] * size[have]).astype(np.int64),
                                       size[have] - 1)]  # fmt: skip
    pop.home[newcomers[have]] = (pop.home[member] + jitter[joining][have]) % 1.0
    pop.group[newcomers[have]] = pop.group[member]
    # Family ties: to the members (the first MAX_JOINED), then between newcomers of one family.
    count = np.minimum(size, MAX_JOINED)
    first = np.repeat(lo, count)
    rank = np.arange(len(first)) - np.repeat(np.cumsum(count) - count, count)
    iu, iv = np.triu_indices(len(newcomers), 1)
    same = slot[iu] == slot[iv]
    u = np.concatenate([np.repeat(newcomers, count), newcomers[iu[same]]])
    v = np.concatenate([old[first + rank], newcomers[iv[same]]])
    strength = np.clip(rng.normal(0.8, 0.1, len(u)), 0.3, 1.0)
    strength = np.maximum(strength, ctx.params.family_floor)
    conflict = np.clip(ctx.params.conflict_mean * 2.0 * rng.random(len(u)), 0.0, 1.0)
    return u, v, strength, conflict
