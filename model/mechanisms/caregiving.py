"""Phases 2 and 8, caregiving as a role: sustained need, a family carer, and what caring costs.

Some people develop a sustained need for care (chronic illness, disability, frailty): each person
does so with yearly probability ``care_onset_rate`` and the need ends (recovery, moving into
residential care) with yearly probability ``care_end_rate``, both turned into weekly hazards as
1 - (1 - r) ** (1 / 52). While it lasts, their practical (instrumental) need never falls below
``care_need``. Each person in need gets a carer: the member of their family (a family tie) with the
strongest tie who is not caring for anyone yet; failing that, the strongest other tie (a friend or
neighbour). The role lasts until the need ends, or either of them leaves the town or the tie ends.

Phase ``care_roles`` (after turnover): needs start and end, carers are released and assigned.

At the start (``start_roles``, when the town is built) the roles are already at their steady
state, so that a run does not spend its first years filling them: each person is in need with the
stationary probability of the two-state process with exits by recovery and by leaving the town,

    pi = h_on / (h_on + h_end + h_leave)        (weekly hazards; h_leave = 0 without turnover)

and carers are assigned as in the phase. (Starting with nobody in need, the carer share took about
three time constants, 1 / (h_on + h_end + h_leave) ~ 200 steps each, to settle, and depression and
loneliness crept up with it for ~600 steps: the burn-in of the stationary fact.)

Phase ``care`` (after giving): every carer gives care over the tie to the person they care for,

    care_j = min(care_hours * capacity_max_j, capacity_j)        (instrumental support)

which lands like any support (competence x the tie kind's fit) and is counted as support given and
received (so support given still equals support received), spends the carer's capacity (the costs
phase) and, above ``burden_threshold``, stresses them (caregiver burden). The role itself is a
stressor whatever capacity is left (its demands and role captivity: Pearlin et al. 1990):

    stress_j <- stress_j + care_stress * (1 - stress_j) Caring also takes time:
carers' everyday contact is cut by ``care_contact_effect`` (the contact phase), as carers report
(Carers UK 2019; Pinquart & Sorensen 2003). So carers as a group end up more stressed and more
depressed than non-carers, the pattern of the meta-analysis.

Draws per step (care_roles): uniform (n) for onset, uniform (n) for the end of a need. At the
start: uniform (n) for who is in need (only with ``caregiving`` on).

Sources:
    Pinquart, M. & Sorensen, S. (2003). Differences between caregivers and noncaregivers in
    psychological health and physical health: a meta-analysis. Psychology and Aging 18(2),
    250-267 (carers: depression g = 0.58, stress g = 0.55).
    Pearlin, L. I., Mullan, J. T., Semple, S. J. & Skaff, M. M. (1990). Caregiving and the stress
    process. The Gerontologist 30(5), 583-594 (primary stressors of the role, and role captivity).
    Schulz, R. & Sherwood, P. R. (2008). Physical and mental health effects of family caregiving.
    American Journal of Nursing 108(9), 23-27 (most care is given by a spouse or an adult child).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..kinds import FAMILY, PROFESSIONAL, SUPPORT_TYPES, landing_matrix
from .context import StepContext

__all__ = [
    "INSTRUMENTAL",
    "assign_carers",
    "give_care",
    "run_roles",
    "start_roles",
    "stationary_need_share",
    "weekly",
]

#: Column of practical (instrumental) support in the (n, 4) need and support arrays.
INSTRUMENTAL = SUPPORT_TYPES.index("instrumental")


def weekly(rate_per_year: float) -> float:
    """The per-step probability that gives ``rate_per_year`` per year."""
    return 1.0 - (1.0 - rate_per_year) ** (1.0 / 52.0)


def stationary_need_share(p) -> float:
    """The steady-state share of people in sustained need, from the weekly hazards.

    Needs begin at ``h_on``, end at ``h_end`` and also end when the person leaves the town (their
    row then holds a newcomer without need) at ``h_leave``; the two-state process's stationary
    share is ``h_on / (h_on + h_end + h_leave)``.
    """
    from .turnover import weekly_leave_probability

    h_on, h_end = weekly(p.care_onset_rate), weekly(p.care_end_rate)
    h_leave = weekly_leave_probability(p.leave_rate) if p.turnover else 0.0
    total = h_on + h_end + h_leave
    return h_on / total if total > 0 else 0.0


def start_roles(pop, ties, p, rng) -> None:
    """Start the town with care roles at their steady state (called once, when it is built).

    Args:
        pop: The population (its ``care_need``, ``cared_by``, ``carer_of`` are set).
        ties: The starting ties (carers are chosen over them as in :func:`assign_carers`).
        p: The parameters.
        rng: The model's generator (one uniform per person, only with ``caregiving`` on).
    """
    if not p.caregiving:
        return
    draw = rng.random(pop.n)
    pop.care_need[:] = pop.members & (draw < stationary_need_share(p))
    assign_carers(SimpleNamespace(pop=pop, ties=ties))
    need = pop.care_need
    pop.need[need, INSTRUMENTAL] = np.maximum(pop.need[need, INSTRUMENTAL], p.care_need)


def run_roles(ctx: StepContext) -> None:
    """Care needs start and end; carers are released and assigned (phase ``care_roles``)."""
    p, pop, rng = ctx.params, ctx.pop, ctx.rng
    n = pop.n
    start = rng.random(n)
    end = rng.random(n)
    if not p.caregiving:
        return
    mem = pop.members
    # Newcomers (turnover) arrive with no need and no role: their rows were redrawn.
    begins = mem & ~pop.care_need & (start < weekly(p.care_onset_rate))
    ends = pop.care_need & (end < weekly(p.care_end_rate))
    pop.care_need[begins] = True
    pop.care_need[ends] = False
    release_carers(ctx)
    assign_carers(ctx)
    need = pop.care_need
    pop.need[need, INSTRUMENTAL] = np.maximum(pop.need[need, INSTRUMENTAL], p.care_need)


def release_carers(ctx: StepContext) -> None:
    """End care roles whose need ended, or whose tie ended (someone left, or they fell out)."""
    pop, ties = ctx.pop, ctx.ties
    # A recipient whose carer's row no longer cares for them (the carer left) is waiting again.
    cared = np.flatnonzero(pop.cared_by >= 0)
    lost = cared[pop.carer_of[pop.cared_by[cared]] != cared]
    pop.cared_by[lost] = -1
    carers = np.flatnonzero(pop.carer_of >= 0)
    if len(carers) == 0:
        return
    cared = pop.carer_of[carers]
    gone = ~pop.care_need[cared] | (pop.cared_by[cared] != carers)
    gone |= ties.find(carers, cared) < 0
    done = carers[gone]
    pop.cared_by[pop.carer_of[done]] = -1
    pop.carer_of[done] = -1


def assign_carers(ctx: StepContext) -> None:
    """Give each person in need without a carer the strongest free family tie (else any tie).

    Deterministic: people in need in index order; each takes the strongest eligible partner still
    free (ties between strengths go to the lower index), so two people never share a carer.
    """
    pop, ties = ctx.pop, ctx.ties
    waiting = np.flatnonzero(pop.care_need & (pop.cared_by < 0) & pop.members)
    if len(waiting) == 0 or ties.m == 0:
        return
    # Candidate arcs: from a waiting person to a free member partner, not over professional ties.
    owner, dst, slot = ties.ties_of(waiting)
    src = waiting[owner]
    free = pop.members & (pop.carer_of < 0) & ~pop.care_need
    ok = free[dst] & (ties.kind[slot] != PROFESSIONAL)
    src, dst, slot = src[ok], dst[ok], slot[ok]
    if len(src) == 0:
        return
    family = ties.kind[slot] == FAMILY
    # Best first: by person in need, family before others, stronger first, lower index first.
    order = np.lexsort((dst, -ties.strength[slot], ~family, src))
    src, dst = src[order], dst[order]
    taken = np.zeros(pop.n, bool)
    first = np.r_[True, src[1:] != src[:-1]]
    starts = np.flatnonzero(first)
    stops = np.r_[starts[1:], len(src)]
    for a, b in zip(starts, stops, strict=True):  # one loop over people waiting (few a step)
        for k in range(a, b):
            j = dst[k]
            if not taken[j]:
                taken[j] = True
                pop.carer_of[j] = src[k]
                pop.cared_by[src[k]] = j
                break


def give_care(ctx: StepContext) -> None:
    """Every carer gives care to the person they care for (phase ``care``, after giving)."""
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    pop.carer[:] = pop.carer_of >= 0
    if not p.caregiving:
        return
    carers = np.flatnonzero(pop.carer_of >= 0)
    if len(carers) == 0:
        return
    cared = pop.carer_of[carers]
    slot = ties.find(carers, cared)
    ok = slot >= 0
    carers, cared, slot = carers[ok], cared[ok], slot[ok]
    spent = pop.given[carers]  # what they already gave to those who asked this step
    room = np.maximum(pop.capacity[carers] - spent, 0.0)
    amount = np.minimum(p.care_hours * pop.capacity_max[carers], room)
    amount = np.minimum(amount, pop.need[cared, INSTRUMENTAL] + 1e-12)
    amount[amount < 0] = 0.0
    n = pop.n
    kind = ties.kind[slot]
    pop.given += np.bincount(carers, amount, n)
    pop.received[:, INSTRUMENTAL] += np.bincount(cared, amount, n)
    effective = (
        amount * pop.competence[carers, INSTRUMENTAL] * landing_matrix(p)[kind, INSTRUMENTAL]
    )
    pop.received_effective[:, INSTRUMENTAL] += np.bincount(cared, effective, n)
    pop.need[:, INSTRUMENTAL] = np.maximum(
        pop.need[:, INSTRUMENTAL] - np.bincount(cared, effective, n), 0.0
    )
    ctx.given_by_type[INSTRUMENTAL] += amount.sum()
    ctx.given_by_kind += np.bincount(kind, amount, 6)
    forward = ties.u[slot] == carers  # the carer is the tie's lower end: flow u -> v
    ctx.flow_uv += np.bincount(slot[forward], amount[forward], ties.m)
    ctx.flow_vu += np.bincount(slot[~forward], amount[~forward], ties.m)
    g, a, amt, k = ctx.exchanges
    ctx.exchanges = (
        np.concatenate([g, carers]),
        np.concatenate([a, cared]),
        np.concatenate([amt, amount]),
        np.concatenate([k, kind]),
    )
    # Role strain: caring is a primary stressor whatever capacity is left (Pearlin et al. 1990).
    pop.stress[carers] += p.care_stress * (1.0 - pop.stress[carers])
    pop.given_total += np.bincount(carers, amount, n)
    kind_total = np.zeros((n, pop.received_kind_total.shape[1]))
    np.add.at(kind_total, (cared, kind), amount)
    pop.received_kind_total += kind_total
