"""Phase 7, giving: asked ties give support, split by need and strength.

Each giver j is willing to give ``budget_j = giving_boundary * capacity_j`` this step. It is
split among the people who asked j in proportion to need x tie strength,

    g_ij = min( budget_j * a_ij / sum_i a_ij ,  need_i / asks_i ),   a_ij = need_i * strength_ij

(the second bound: nobody receives more than their need, spread over the ties they asked).
A giver with a caseload limit (professionals) serves only the ``caseload`` askers with the largest
a_ij. Support is split across the four types by the asker's needs, ``g_ijk = g_ij * need_ik /
need_i``, except by givers flagged ``generic_support`` (generic professional help, an
intervention), who split it evenly, ``g_ijk = g_ij / 4``. What is received lands according to the
giver's competence and the tie kind,

    effective_ijk = g_ijk * competence_jk * landing[kind_ij, k]
                    (generic givers: times min(1, (need_ik / asks_i) / g_ijk): support of a
                     type lands only up to the asker's need of that type, the rest is wasted)
    need_ik      <- max(0, need_ik - sum_j effective_ijk)
    stress_i     <- stress_i * (1 - min(1, support_stress_relief * sum_jk effective_ijk
                                               * stress_relief[kind_ij]))   (buffering on)

The stress relief is the second pathway of buffering in Cohen & Wills (1985): support received
after the event relieves the stress it caused (coping assistance; Thoits 1986), and since it takes
a share of the stress a person has, it protects most those under most stress. It belongs to the
``buffering`` switch with the appraisal pathway (the appraisal phase): with buffering off, support
still meets needs, but relieves no stress, so that the stress x support interaction is a clean
null (measured: the relief alone left a product of about -0.0003 to -0.0007 in the buffering
fact's off arm, an eighth of the buffering arm's).

Support given equals support received: both are sums of the same g_ijk. No random draws.
For perceived support (the perception phase) each asker's asks (``asks_made``) and how helpful the
responses were (``responses``: for each ask that brought support, min(1, landed share /
help_reference), the landed share being sum_k g_ijk * competence_jk * match_ijk / g_ij, match
being 1 but for generic support) are recorded.

Sources:
    Cohen & Wills (1985) and Cutrona, C. E. & Russell, D. W. (1990). Type of social support and
    specific stress: a theory of optimal matching (support helps when its type fits the need).
    Thoits (2011), for stress relief by tie kind.
    Thoits, P. A. (1986). Social support as coping assistance. Journal of Consulting and Clinical
    Psychology 54(4), 416-423.
"""

from __future__ import annotations

import numpy as np

from ..kinds import STRESS_RELIEF, landing_matrix
from ..rows import row_sum
from .context import StepContext, arc_ends


def budget(ctx: StepContext) -> np.ndarray:
    """Return what each person is willing to give this step."""
    return ctx.params.giving_boundary * ctx.pop.capacity


def _apply_caseload(giver: np.ndarray, weight: np.ndarray, caseload: np.ndarray) -> np.ndarray:
    """Return a mask keeping, for givers with a caseload limit, their top-weighted asks."""
    keep = np.ones(len(giver), bool)
    limited = caseload[giver] > 0
    if not limited.any():
        return keep
    idx = np.flatnonzero(limited)
    # Order by giver, then weight (largest first), then position (stable): deterministic.
    order = idx[np.lexsort((idx, -weight[idx], giver[idx]))]
    g = giver[order]
    first = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    keep[order[rank >= caseload[g]]] = False
    return keep


def run(ctx: StepContext) -> None:
    """Transfer support along the asked arcs; update needs and stress of receivers."""
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    n, m = pop.n, ties.m
    pop.received[:] = 0.0
    pop.received_effective[:] = 0.0
    pop.given[:] = 0.0
    ctx.flow_uv = np.zeros(m)
    ctx.flow_vu = np.zeros(m)
    ctx.exchanges = (np.zeros(0, np.int64),) * 2 + (np.zeros(0), np.zeros(0, np.int8))
    arcs = ctx.ask_arcs
    pop.asks_made[:] = 0.0
    pop.responses[:] = 0.0
    if len(arcs):
        pop.asks_made[:] = np.bincount(arc_ends(ties, arcs)[0], minlength=n)
    if not p.giving or len(arcs) == 0:
        return
    asker, giver, e = arc_ends(ties, arcs)
    need_total = ctx.ask_need
    weight = need_total[asker] * ties.strength[e]
    keep = _apply_caseload(giver, weight, pop.caseload)
    arcs, asker, giver, e, weight = arcs[keep], asker[keep], giver[keep], e[keep], weight[keep]
    asks_per_asker = np.bincount(asker, minlength=n)
    demand = np.bincount(giver, weight, n)
    share = weight / np.where(demand[giver] > 0, demand[giver], 1.0)
    amount = np.minimum(budget(ctx)[giver] * share, need_total[asker] / asks_per_asker[asker])
    by_type = amount[:, None] * pop.need[asker] / need_total[asker, None]  # g_ijk
    generic = pop.generic_support[giver]
    if generic.any():
        # Generic givers (a standard programme) split support evenly over the types.
        by_type[generic] = amount[generic, None] / by_type.shape[1]
    kind = ties.kind[e]

    # Accounting: what is given is exactly what is received.
    pop.given[:] = np.bincount(giver, amount, n)
    for k in range(by_type.shape[1]):
        pop.received[:, k] = np.bincount(asker, by_type[:, k], n)
    ctx.given_by_type = by_type.sum(axis=0)
    ctx.given_by_kind = np.bincount(kind, amount, 6)
    # Run totals for the run record (recording only): one bincount over asker x kind.
    pop.given_total += pop.given
    n_kinds = pop.received_kind_total.shape[1]
    by_kind = np.bincount(asker * n_kinds + kind, amount, n * n_kinds)
    pop.received_kind_total += by_kind.reshape(n, n_kinds)
    # Arc e < m is "u asks v", so v gives over it: what u gives to v travels on arcs v -> u.
    u_gives = arcs >= m
    # float: np.bincount of an empty selection returns int64 zeros even with weights, and the
    # care phase adds care to these flows afterwards.
    ctx.flow_uv = np.bincount(e[u_gives], amount[u_gives], m).astype(float, copy=False)
    ctx.flow_vu = np.bincount(e[~u_gives], amount[~u_gives], m).astype(float, copy=False)
    ctx.exchanges = (giver, asker, amount, kind)

    # Effect: competence x fit of the type to the tie kind.
    effective = by_type * pop.competence[giver] * landing_matrix(p)[kind]
    if generic.any():
        # Optimal matching (Cutrona & Russell 1990): support of a type the asker does not need
        # does not help, so generic support of a type lands only up to the asker's need of that
        # type (their share of it for this ask, as need-proportional support never exceeds);
        # the rest is wasted. A need of the type already met is not met again.
        a = asker[generic]
        per_ask_need = pop.need[a] / asks_per_asker[a, None]
        match = np.minimum(1.0, per_ask_need / np.maximum(by_type[generic], 1e-300))
        effective[generic] *= match
    for k in range(effective.shape[1]):
        pop.received_effective[:, k] = np.bincount(asker, effective[:, k], n)
    # Responses, each counted by how helpful it was: the giver's competence at the types given
    # and, for generic support, their match to the need, against help_reference.
    skill = row_sum(by_type * pop.competence[giver])
    if generic.any():
        skill[generic] = row_sum(by_type[generic] * pop.competence[giver[generic]] * match)
    landed = skill / np.maximum(amount, 1e-300)
    helpful = np.where(amount > 0, np.minimum(1.0, landed / p.help_reference), 0.0)
    pop.responses[:] = np.bincount(asker, helpful, n)
    pop.need -= pop.received_effective
    np.maximum(pop.need, 0.0, out=pop.need)
    relief = np.bincount(asker, row_sum(effective) * STRESS_RELIEF[kind], n)
    if p.buffering:  # coping assistance, the second pathway of buffering
        pop.stress *= 1.0 - np.minimum(1.0, p.support_stress_relief * relief)
