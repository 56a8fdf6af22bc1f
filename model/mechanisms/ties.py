"""Phase 15, tie dynamics: ties strengthen with use, decay without contact, end, and form.

Strengthening (ties used for support this step; more when support flowed both ways):

    strength <- strength + strengthen_rate * (1 + reciprocity_bonus * reciprocal) * (1 - strength)

Maintenance (ties with routine contact but no support this step): contact keeps ties alive,

    strength <- strength + contact_gain * (1 - strength)

Decay (ties without contact this step; rate by kind, family slowest):

    strength <- strength * (1 - decay[kind])          family: never below family_floor

Reciprocity balance (given by u minus given by v, with forgetting):

    balance <- (1 - balance_memory) * balance + flow_uv - flow_vu

Ending: a tie that can end (not family, not professional) ends when strength < end_threshold.
Otherwise it ends with probability

    b        = min(1, w * 2 * (1 - strength) / (1 + embeddedness * common))
    p_end    = b + (1 - b) * end_hazard * min(1, min(1, |balance| / imbalance_threshold)^2
                                                + conflict^2)

with w = 1 - (1 - tie_end_rate) ** (1 / 52) and ``common`` the friends the two share: people
drift apart at a base rate (about half of a personal network is replaced in seven years:
Mollenhorst, Volker & Flap 2014), weak ties more often (w at strength 0.5, twice it at 0, none at
1), and ties embedded in shared friendships less often (Krackhardt 1998; Dahlander & McFarland
2013); very unbalanced or conflictual ties are at extra risk (squares: only extreme ones).

Formation: a person with room for new ties, room_i = clip(1 - degree_i / network_size_i, 0, 1)
(0 at ``max_ties`` and for professionals), meets people through four channels; the meeting
chance is the channel's rate times room_i, the person's openness (``1 - withdrawal_strength *
loneliness``, with withdrawal on) and their tie-formation factor (online: the online factor):
  - triadic closure (``closure_rate``): a random friend of a random friend (neighbour lists in
    order); they tie if the other is open (a uniform below their openness times sociability
    similarity) and has room;
  - focal points (``focal_rate``): a random member of one's community group;
  - neighbourhood (``neighbourhood_rate``): someone from one's own or an adjacent neighbourhood
    (:meth:`supportnet.space.Neighbourhoods.nearby`), a neighbour tie;
  - online (``online_rate``): anyone, an online tie.
For the last three the other accepts with probability openness x exp(-homophily x interest
distance) x sociability similarity, if they have room. Sociability similarity is
exp(-sociability_homophily x |log size_i - log size_j|): people of similar sociability befriend
each other (McPherson et al. 2001), so networks are assortative by degree, as social networks are
(Newman 2002). Networks fill toward their size and formation balances ending: a finite capacity for
relationships (Dunbar 1998; Tamarit et al. 2018). New ties start at ``new_tie_strength`` with
conflict uniform on [0, 2 x conflict_mean].

Draws per step, in order: one uniform per tie (ending, canonical order); 14 uniforms per person
(closure: meet, friend, friend-of-friend, accept; focal: meet, partner, accept; online: meet,
partner, accept; neighbourhood: meet, which neighbourhood, whom, accept); one uniform per new tie
for its conflict.

Sources:
    Roberts & Dunbar (2011) also for maintenance: contact frequency sustains emotional closeness.
    Granovetter, M. (1973). The strength of weak ties (closure, tie strength).
    Feld, S. L. (1981). The focused organization of social ties. Am. J. Sociology 86(5), 1015-1035.
    McPherson, M., Smith-Lovin, L. & Cook, J. M. (2001). Birds of a feather: homophily in social
    networks. Annual Review of Sociology 27, 415-444.
    Roberts, S. G. B. & Dunbar, R. I. M. (2011). The costs of family and friends: an 18-month
    longitudinal study of relationship maintenance and decay. Evolution and Human Behavior 32,
    186-197 (friendships decay without contact, kin ties much less).
    Buunk, B. P. & Schaufeli, W. B. (1999). Reciprocity in interpersonal relationships
    (unbalanced ties are left).
    Mollenhorst, G., Volker, B. & Flap, H. (2014). Changes in personal relationships: how social
    contexts affect the emergence and discontinuation of relationships. Social Networks 37, 65-80.
    Krackhardt, D. (1998). Simmelian ties: super strong and sticky. In Kramer & Neale (eds.),
    Power and Influence in Organizations, 21-38.
    Dahlander, L. & McFarland, D. A. (2013). Ties that last: tie formation and persistence in
    research collaborations over time. Administrative Science Quarterly 58(1), 69-110.
    Newman, M. E. J. (2002). Assortative mixing in networks. Phys. Rev. Lett. 89, 208701.
    Dunbar, R. I. M. (1998). The social brain hypothesis. Evolutionary Anthropology 6(5), 178-190.
    Tamarit, I., Cuesta, J. A., Dunbar, R. I. M. & Sanchez, A. (2018). Cognitive resource
    allocation determines the organization of personal networks. PNAS 115(33), 8316-8321.
"""

from __future__ import annotations

import numpy as np

from ..kernels import nth_neighbours, tie_update
from ..kinds import CAN_END, FAMILY, FRIEND, NEIGHBOUR, ONLINE, decay_by_kind
from ..ordering import stable_order
from .context import StepContext, draw_per_tie

N_FORMATION_DRAWS = 14


def update_existing(ctx: StepContext) -> np.ndarray:
    """Strengthen, decay and rebalance existing ties; return the slots of ties that end."""
    p, ties = ctx.params, ctx.ties
    end_draw = draw_per_tie(ctx.rng, ties, 1)[0]
    floor = np.full(len(CAN_END), 1e-9)
    floor[FAMILY] = max(p.family_floor, 1e-9)
    # Shared friends shelter a tie: 1 / (1 + embeddedness * common), counted in the tie update
    # from the key indexes for the ties whose draw could end them.
    fptr, bptr = ties.row_pointers()
    ends = tie_update(
        ties.strength, ties.kind, ties.conflict, ties.balance, ties.last_contact, ctx.contact,
        ctx.flow_uv, ctx.flow_vu, end_draw, ctx.step, p.strengthen_rate, p.reciprocity_bonus,
        p.contact_gain, decay_by_kind(p), floor, p.balance_memory, p.end_threshold,
        p.imbalance_threshold, p.end_hazard, CAN_END, weekly_end_probability(p.tie_end_rate),
        ties.keys, ties.vkeys, fptr, bptr, p.embeddedness,
    )  # fmt: skip
    return np.flatnonzero(ends)


def weekly_end_probability(tie_end_rate: float) -> float:
    """The per-step probability that a tie ends whatever its state, from the yearly rate."""
    return 1.0 - (1.0 - tie_end_rate) ** (1.0 / 52.0)


def room_for_ties(ctx: StepContext) -> np.ndarray:
    """Each person's room for new ties: the free share of their network size, in [0, 1].

    People with a full network seek no new ties and accept none (a finite capacity for
    relationships: Dunbar 1998; Tamarit et al. 2018), so formation slows as networks fill and
    balances the ties that end. Professionals seek none; nobody goes above ``max_ties``.
    """
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    deg = ties.degree()
    size = np.where(pop.network_size > 0, pop.network_size, 1.0)
    room = np.clip(1.0 - deg / size, 0.0, 1.0)
    room[(deg >= p.max_ties) | pop.is_professional] = 0.0
    return room


def formation_candidates(ctx: StepContext, draws: np.ndarray):
    """Return (u, v, kind) of the ties that form this step, before duplicates are dropped.

    Args:
        ctx: The step context.
        draws: Array (N_FORMATION_DRAWS, n) of this step's formation uniforms.
    """
    p, pop, ties = ctx.params, ctx.pop, ctx.ties
    n = pop.n
    ws = p.withdrawal_strength if p.withdrawal else 0.0
    open_ = 1.0 - ws * pop.loneliness  # willingness to meet and to accept new ties
    room = room_for_ties(ctx)
    active = room * open_ * pop.tie_formation
    us, vs, kinds = [], [], []

    # Triadic closure: neighbour lists in sorted order (the same pick in any implementation).
    if p.closure_rate > 0 and ties.m:
        meet = np.flatnonzero(draws[0] < p.closure_rate * active)
        fptr, bptr = ties.row_pointers()
        j = nth_neighbours(ties.keys, ties.vkeys, fptr, bptr, meet, draws[1][meet])
        ok = j >= 0
        meet, j = meet[ok], j[ok]
        k = nth_neighbours(ties.keys, ties.vkeys, fptr, bptr, j, draws[2][meet])
        ok = (k >= 0) & (k != meet)
        meet, k = meet[ok], k[ok]
        acc = (draws[3][meet] < open_[k] * _alike(ctx, meet, k)) & (room[k] > 0)
        us.append(meet[acc])
        vs.append(k[acc])
        kinds.append(np.full(acc.sum(), FRIEND, np.int8))

    # Focal points: a random member of one's community group.
    if p.focal_rate > 0:
        order = stable_order(pop.group)
        sizes = np.bincount(pop.group, minlength=int(pop.group.max()) + 1)
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        meet = np.flatnonzero(draws[4] < p.focal_rate * active)
        g = pop.group[meet]
        k = order[
            starts[g] + np.minimum((draws[5][meet] * sizes[g]).astype(np.int64), sizes[g] - 1)
        ]  # noqa: E501
        acc = _accepts(ctx, meet, k, draws[6][meet], open_, room)
        us.append(meet[acc])
        vs.append(k[acc])
        kinds.append(np.full(acc.sum(), FRIEND, np.int8))

    # Neighbourhood: someone from one's own or an adjacent neighbourhood.
    if p.neighbourhood_rate > 0:
        from ..space import Neighbourhoods, grid_size

        members = ~pop.is_professional
        town = Neighbourhoods(pop.home, grid_size(int(members.sum()), p.neighbourhood_size),
                              eligible=members)  # fmt: skip
        meet = np.flatnonzero(draws[10] < p.neighbourhood_rate * active)
        k = town.nearby(meet, draws[11][meet], draws[12][meet])
        found = k >= 0
        meet, k = meet[found], k[found]
        acc = _accepts(ctx, meet, k, draws[13][meet], open_, room)
        us.append(meet[acc])
        vs.append(k[acc])
        kinds.append(np.full(acc.sum(), NEIGHBOUR, np.int8))

    # Online: anyone, with interest homophily.
    if p.online_rate > 0:
        active_online = room * open_ * pop.online_formation
        meet = np.flatnonzero(draws[7] < p.online_rate * active_online)
        k = np.minimum((draws[8][meet] * n).astype(np.int64), n - 1)
        acc = _accepts(ctx, meet, k, draws[9][meet], open_, room)
        us.append(meet[acc])
        vs.append(k[acc])
        kinds.append(np.full(acc.sum(), ONLINE, np.int8))

    if not us:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int8)
    return np.concatenate(us), np.concatenate(vs), np.concatenate(kinds)


def _accepts(ctx, i, k, draw, open_, room):
    pop, p = ctx.pop, ctx.params
    dist = np.linalg.norm(pop.interests[i] - pop.interests[k], axis=1) / np.sqrt(
        pop.interests.shape[1]
    )  # noqa: E501
    prob = open_[k] * np.exp(-p.homophily * dist) * _alike(ctx, i, k)
    return (k != i) & (room[k] > 0) & (draw < prob)


def _alike(ctx, i, k) -> np.ndarray:
    """Sociability homophily: exp(-sociability_homophily * |log size_i - log size_k|)."""
    h = ctx.params.sociability_homophily
    if h <= 0:
        return np.ones(len(i))
    size = np.maximum(ctx.pop.network_size, 1.0)
    return np.exp(-h * np.abs(np.log(size[i]) - np.log(size[k])))


def run(ctx: StepContext) -> None:
    """Update existing ties, form new ones, end those that end."""
    p, ties = ctx.params, ctx.ties
    if not p.tie_dynamics:
        ctx.ties.last_contact[ctx.contact] = ctx.step
        return
    ending = update_existing(ctx)
    draws = ctx.rng.random((N_FORMATION_DRAWS, ctx.pop.n))
    u, v, kind = formation_candidates(ctx, draws)
    conflict = np.zeros(len(u))
    if len(u):
        c = ctx.rng.random(len(u))
        conflict = np.clip(p.conflict_mean * 2.0 * c, 0.0, 1.0)  # uniform on [0, 2 * mean]
    if len(ending):
        # Recording (run record: tie loss per person): both ends of every tie that ends.
        n = ctx.pop.n
        ctx.pop.ties_lost_total += np.bincount(ties.u[ending], minlength=n) + np.bincount(
            ties.v[ending], minlength=n
        )
    # One pass over the arrays ends the old ties and adds the new (a tie that ends cannot
    # re-form in the same step: it still exists when the new ones are checked).
    added = ties.add(u, v, kind, p.new_tie_strength, conflict, step=ctx.step, remove=ending)
    ctx.formed += len(added)
    ctx.ended += len(ending)
