"""Starting networks: the layered convoy (default), standard generators, real networks, files.

Every generator returns a :class:`StartingNetwork` (edges with optional kinds and strengths, the
number of people, their labels, and a report of any conversion made). All randomness comes from
the model's generator: networkx generators get an integer seed drawn from it.

Sources:
    Kahn, R. L. & Antonucci, T. C. (1980). Convoys over the life course: attachment, roles, and
    social support. Life-Span Development and Behavior 3, 253-286.
    Zhou, W.-X., Sornette, D., Hill, R. A. & Dunbar, R. I. M. (2005). Discrete hierarchical
    organization of social group sizes. Proc. R. Soc. B 272, 439-444 (layers of ~5, ~15, ~50).
    Watts, D. J. & Strogatz, S. H. (1998); Barabasi, A.-L. & Albert, R. (1999);
    Erdos, P. & Renyi, A. (1959);
    Holland, P. W., Laskey, K. B. & Leinhardt, S. (1983) Stochastic blockmodels.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np

from .families import complete_pairs, draw_families, slot_count
from .kinds import FAMILY, FRIEND, KIND_CODES, NEIGHBOUR, TIE_KINDS
from .network import tie_keys
from .params import ParameterError, Params

__all__ = ["NetworkFileError", "StartingNetwork", "build_network", "read_network_file"]

#: Node attributes a network file may carry to set people's starting states and traits.
NODE_STATE_ATTRS = (
    "stress",
    "depression",
    "loneliness",
    "perceived_support",
    "capacity",
    "help_seeking",
    "desired_connection",
    "resilience",
)
NODE_OTHER_ATTRS = ("group",)
EDGE_ATTRS = ("kind", "strength", "weight", "conflict")


class NetworkFileError(ParameterError):
    """A network file that cannot be used; the message names the file and the problem."""


@dataclass
class StartingNetwork:
    """A starting network before it becomes the model's tie store.

    Attributes:
        n: Number of people.
        u: First endpoint of each tie.
        v: Second endpoint.
        kind: Kind code per tie, or None to draw kinds from the shares.
        strength: Strength per tie in (0, 1], or None to draw.
        conflict: Conflict per tie in [0, 1], or None to draw.
        group: Community group per person, or None to keep the drawn groups.
        labels: Display name per person (node labels of real networks and files).
        node_values: Starting values per person read from a file (name -> array with NaN
            where a node had no value).
        report: Conversions made, in words (printed by the CLI, shown by the dashboard).
        home: Home of each person (n, 2), or None to draw homes.
        network_size: Network size of each person, or None (then: starting degree / 0.85).
        family: Family slot of each person (-1: none), or None to read families from the family
            ties (:func:`supportnet.families.families_from_ties`).
        families: Number of family slots (with ``family``).
        arrived: Step at which each person joined the town (0 or earlier: a starting person who
            has lived there for ``-arrived`` steps), or None (all at step 0).
    """

    n: int
    u: np.ndarray
    v: np.ndarray
    kind: np.ndarray | None = None
    strength: np.ndarray | None = None
    conflict: np.ndarray | None = None
    group: np.ndarray | None = None
    labels: list[str] | None = None
    node_values: dict[str, np.ndarray] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    home: np.ndarray | None = None
    network_size: np.ndarray | None = None
    family: np.ndarray | None = None
    families: int = 0
    arrived: np.ndarray | None = None


def build_network(params: Params, rng: np.random.Generator) -> StartingNetwork:
    """Build the starting network that ``params.network`` names.

    Args:
        params: Validated parameters.
        rng: The model's generator.

    Returns:
        The starting network.

    Raises:
        NetworkFileError: If ``network`` is 'file' and the file cannot be used.
    """
    kind = params.network
    n = params.n_people
    if kind == "convoy":
        return _convoy(params, rng)
    if kind == "family_sbm":
        return _family_sbm(params, rng)
    seed = int(rng.integers(2**31 - 1))
    if kind == "watts_strogatz":
        return _from_graph(nx.watts_strogatz_graph(n, params.ws_k, params.ws_p, seed=seed))
    if kind == "barabasi_albert":
        return _from_graph(nx.barabasi_albert_graph(n, params.ba_m, seed=seed))
    if kind == "erdos_renyi":
        p = params.er_mean_degree / max(n - 1, 1)
        return _from_graph(nx.fast_gnp_random_graph(n, p, seed=seed))
    if kind == "random_regular":
        # Every person has rr_degree ties (the classic SISa setting: Hill et al. 2010).
        return _from_graph(nx.random_regular_graph(params.rr_degree, n, seed=seed))
    if kind == "karate_club":
        G = nx.karate_club_graph()
        net = _from_graph(G, source="Zachary's karate club (34 members)")
        clubs = sorted({d["club"] for _, d in G.nodes(data=True)})
        net.group = np.array([clubs.index(G.nodes[i]["club"]) for i in G.nodes], np.int32)
        return net
    if kind == "davis_southern_women":
        B = nx.davis_southern_women_graph()
        women = [n_ for n_, d in B.nodes(data=True) if d["bipartite"] == 0]
        G = nx.bipartite.weighted_projected_graph(B, women)
        net = _from_graph(G, source="Davis' Southern Women")
        net.report.append(
            "Davis' Southern Women is a women-by-events graph: projected onto the 18 women, "
            "two women tied when they attended an event together, strength from shared events"
        )
        return net
    if kind == "florentine_families":
        return _from_graph(nx.florentine_families_graph(), source="Padgett's Florentine families")
    if kind == "les_miserables":
        return _from_graph(nx.les_miserables_graph(), source="Les Miserables co-appearances")
    if kind == "file":
        return read_network_file(params.network_file)
    raise ParameterError(f"parameter 'network': {kind!r} is not a known network")


#: A settled resident's ties as a share of their network size, in the steady state of the tie
#: dynamics: SETTLED_FILL for most networks, less for the largest (they fill more slowly, since
#: few people are as sociable as they are, while their ties end at the same rate per tie),
#:
#:     settled share(S) = SETTLED_FILL / (1 + (S / LARGE_NETWORK) ** LARGE_NETWORK_EXPONENT)
#:
#: Measured at the defaults (3 seeds of 2,000 people, steps 1,200-1,800, residents of more than
#: 900 steps; 9,000 person-snapshots): 0.85 / (1 + (S / 77) ** 3.2), within 0.03 in every band of
#: network size.
SETTLED_FILL = 0.85
LARGE_NETWORK = 77.0
LARGE_NETWORK_EXPONENT = 3.2

#: The share of their network size a long-standing resident starts with: START_FILL, or their
#: settled share if it is lower. Below the steady state on purpose: a network below it fills
#: within one to three years by the model's own tie formation, which sorts ties as the dynamics do
#: (the lonely and withdrawn gain fewer, loneliness clusters), while a network above it empties
#: only at the slow base rate of tie ending (~500 steps) and keeps the generator's unsorted ties.
#: Tried (20 seeds each, the stationary fact's long runs; mean loneliness at step 300 against its
#: mean over steps 1,500-2,800): this rule, -0.007 (-3.2%); 0.55 of network size for everyone,
#: -0.006 (but the largest networks start above their steady state); 0.65 of the settled share,
#: -0.009; the settled share itself, -0.011 (ties level from the start, loneliness crept up for
#: 1,500 steps); the one-pass generator of before (85% proposed, about 70% realised), -0.010;
#: before time in town was drawn (everyone settled), -0.012 over 10 seeds.
START_FILL = 0.55

#: Non-family ties a newcomer forms per step while their network is still empty. A newcomer's
#: network fills as dk/dt = a (1 - k/S) (formation in proportion to the room left, see
#: :mod:`supportnet.mechanisms.ties`), so after t steps it holds 1 - exp(-a t / S) of its settled
#: share and a network of size S takes S / a steps to fill to 63%. Measured at the defaults (3
#: seeds, steps 800-1,400, 12,000 person-snapshots): 1 - exp(-t / T(S)) with T = 177 (S / 30) **
#: 0.94 fits non-family degree against time in town in every band of network size, i.e. a = 0.17
#: ties per step and the exponent the law predicts (1); ``tests/model/test_start.py`` re-measures
#: it.
NEWCOMER_TIES_PER_STEP = 0.17

#: Rounds of proposals the convoy generator makes to bring each person to their target.
START_ROUNDS = 4


# --- generators ---------------------------------------------------------------------------------
def _stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)


def _convoy(params: Params, rng: np.random.Generator) -> StartingNetwork:
    """Layered personal networks in a town with neighbourhoods (the default starting network).

    Homes are spread over the town (a torus divided into neighbourhoods, see
    :mod:`supportnet.space`); each person's network size is drawn (:func:`network_sizes`).
    Families are drawn as :mod:`supportnet.families` describes (a person has family in the town
    with probability ``local_entry_share``, in one of a fixed number of family slots; a family is a
    complete cluster around its home, in one community group), so that they start at the law that
    population turnover keeps. The starting people are a cross-section of a town that renews
    itself: each has a time in town t drawn from the stationary law of the leaving hazard
    (:func:`starting_tenure`) and has filled 1 - exp(-a t / S) of their non-family network, as a
    newcomer does (:data:`NEWCOMER_TIES_PER_STEP`); a long-standing resident's share of their
    network size is :data:`START_FILL` or their settled share if lower. Non-family ties are drawn
    in rounds until each person holds their target: each round every person proposes half of what
    they still lack; a partner is drawn from the person's own or an adjacent neighbourhood with
    probability ``convoy_locality`` (a neighbour tie in the same neighbourhood, a friend
    otherwise), else from their community group or anywhere (friends), and accepts in proportion
    to their own network size (people with nothing left to fill decline), so that degree follows
    network size.
    Starting strengths are spread out; everyday contact sorts ties into layers within the burn-in.
    """
    from .population import network_sizes
    from .space import Neighbourhoods, grid_size

    p = params
    n = p.n_people
    group = rng.integers(0, p.n_groups, n).astype(np.int32)
    home = rng.random((n, 2))
    size = network_sizes(p, n, rng)
    us, vs, kinds, strengths = [], [], [], []
    fam_count = np.zeros(n)

    # Families: slots joined with probability local_entry_share (see supportnet.families), each
    # family a complete cluster living around its home in one area, in one community group.
    slots = slot_count(p, n)
    family = draw_families(n, slots, p.local_entry_share, rng)
    if slots:
        centre = rng.random((slots, 2))
        family_group = rng.integers(0, p.n_groups, slots).astype(np.int32)
        g = grid_size(n, p.neighbourhood_size)
        jitter = (rng.random((n, 2)) - 0.5) * (0.5 / g)
        has = family >= 0
        home[has] = (centre[family[has]] + jitter[has]) % 1.0
        group[has] = family_group[family[has]]
        fu, fv = complete_pairs(family)
        us.append(fu)
        vs.append(fv)
        fam_count = np.bincount(fu, minlength=n) + np.bincount(fv, minlength=n)
        kinds.append(np.full(len(fu), FAMILY, np.int8))
        strengths.append(np.clip(rng.normal(0.8, 0.1, len(fu)), 0.3, 1.0))

    # Time in town: with turnover, the starting people are a cross-section of a town that has
    # always renewed itself, so their time in town has the stationary law of a constant leaving
    # hazard (geometric), and a person who came t steps ago has filled 1 - exp(-a t / S) of their
    # non-family network, as a newcomer does (NEWCOMER_TIES_PER_STEP). Starting everyone with a
    # full network instead makes the town relax for the many years newcomers need to replace them.
    arrived, fill = starting_tenure(p, size, rng)

    # Other ties until each person holds their target, the settled share of their network size
    # less their family, times the share filled in their time in town: in each round every person
    # proposes half of what they still lack (their partners' acceptances bring the other half);
    # a partner with nothing left to fill declines, and pairs already tied are dropped.
    g = grid_size(n, p.neighbourhood_size)
    town = Neighbourhoods(home, g)
    share = np.minimum(START_FILL, settled_share(size))
    target = np.maximum(0.0, share * size - fam_count) * fill
    have = np.zeros(n)
    keys = [tie_keys(u_, v_) for u_, v_ in zip(us, vs, strict=True)]
    taken = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    pu, pv = [], []
    for _ in range(START_ROUNDS):
        lack = target - have
        k = _stochastic_round(np.maximum(lack, 0.0) / 2.0, rng)
        if not k.any():
            break
        people = np.repeat(np.arange(n), k)
        partners = _convoy_partners(people, home, group, size, town, p, rng, open_=lack > 0)
        ok = (partners >= 0) & (partners != people)
        people, partners = people[ok], partners[ok]
        key = tie_keys(people, partners)
        key, first = np.unique(key, return_index=True)
        fresh = ~np.isin(key, taken)
        people, partners = people[first[fresh]], partners[first[fresh]]
        taken = np.concatenate([taken, key[fresh]])
        have += np.bincount(people, minlength=n) + np.bincount(partners, minlength=n)
        pu.append(people)
        pv.append(partners)
    people = np.concatenate(pu) if pu else np.zeros(0, np.int64)
    partners = np.concatenate(pv) if pv else np.zeros(0, np.int64)
    same_cell = town.cells[people] == town.cells[partners]
    kind = np.where(same_cell, NEIGHBOUR, FRIEND).astype(np.int8)
    us.append(people)
    vs.append(partners)
    kinds.append(kind)
    scale = p.initial_strength_mean / 0.5
    strengths.append(np.clip(rng.uniform(0.1, 0.9, len(people)) * scale, 0.06, 1.0))

    u = np.concatenate(us) if us else np.zeros(0, np.int64)
    v = np.concatenate(vs) if vs else np.zeros(0, np.int64)
    return StartingNetwork(
        n=n,
        u=u,
        v=v,
        kind=np.concatenate(kinds) if kinds else None,
        strength=np.concatenate(strengths) if strengths else None,
        group=group,
        home=home,
        network_size=size,
        family=family,
        families=slots,
        arrived=arrived,
    )


def settled_share(size: np.ndarray) -> np.ndarray:
    """A settled resident's ties as a share of their network size (see :data:`SETTLED_FILL`)."""
    relative = np.asarray(size, float) / LARGE_NETWORK
    return SETTLED_FILL / (1.0 + relative**LARGE_NETWORK_EXPONENT)


def starting_tenure(params: Params, size: np.ndarray, rng: np.random.Generator):
    """Draw each starting person's time in town and the share of their network it has filled.

    With turnover on, time in town t (whole steps) is geometric with the weekly leaving
    probability h: P(t = k) = h (1 - h)^k, the stationary law of a constant hazard; the share
    filled is 1 - exp(-NEWCOMER_TIES_PER_STEP * t / size). Without turnover everyone has always
    been there (t = 0 recorded, full networks) and nothing is drawn.

    Returns:
        ``arrived`` (int64, -t) and ``fill`` (float in [0, 1]) per person.
    """
    from .mechanisms.turnover import weekly_leave_probability

    n = len(size)
    h = weekly_leave_probability(params.leave_rate) if params.turnover else 0.0
    if h <= 0:  # (a yearly rate so small that its weekly share is 0 in floating point)
        return np.zeros(n, np.int64), np.ones(n)
    tenure = rng.geometric(h, n).astype(np.int64) - 1
    fill = -np.expm1(-NEWCOMER_TIES_PER_STEP * tenure / np.maximum(size, 1.0))
    return -tenure, fill


def _convoy_partners(people, home, group, size, town, p, rng, open_=None) -> np.ndarray:
    """Draw a partner for each proposal: nearby, in the group, or anywhere; accept by size.

    Each proposal draws up to 8 candidates and takes the first that accepts; a candidate accepts
    with probability min(1, size / (2 * mean size)), so people with larger networks get more ties.
    """
    n = len(home)
    m = len(people)
    out = np.full(m, -1, np.int64)
    if m == 0:
        return out
    order = np.argsort(group, kind="stable")
    gsize = np.bincount(group, minlength=int(group.max()) + 1)
    gstart = np.concatenate([[0], np.cumsum(gsize)[:-1]])
    accept = np.minimum(1.0, size / (2.0 * max(size.mean(), 1e-9)))
    if open_ is not None:
        accept = np.where(open_, accept, 0.0)
    logsize = np.log(np.maximum(size, 1.0))
    todo = np.arange(m)
    for _ in range(12):
        if len(todo) == 0:
            break
        who = people[todo]
        d = rng.random((4, len(todo)))
        local = d[0] < p.convoy_locality
        in_group = d[0] >= p.convoy_locality + (1 - p.convoy_locality) / 3
        cand = rng.integers(0, n, len(todo))
        near = town.nearby(who, d[1], d[2])
        cand = np.where(local & (near >= 0), near, cand)
        gg = group[who]
        pick = order[gstart[gg] + np.minimum((d[1] * gsize[gg]).astype(np.int64), gsize[gg] - 1)]
        cand = np.where(in_group, pick, cand)
        alike = np.exp(-p.sociability_homophily * np.abs(logsize[who] - logsize[cand]))
        ok = (d[3] < accept[cand] * alike) & (cand != who)
        out[todo[ok]] = cand[ok]
        todo = todo[~ok]
    return out


def _family_sbm(params: Params, rng: np.random.Generator) -> StartingNetwork:
    """Stochastic block model with family blocks: p_in = 1 within a family, p_out between.

    p_out = sbm_mean_degree_between / (n - family size), drawn as that many random pairs, which
    for sparse graphs is the same distribution up to the rare repeat (repeats are dropped).
    """
    p = params
    n = p.n_people
    size = p.sbm_family_size
    fam = np.arange(n) // size
    us, vs = [], []
    for s in range(size):
        for t in range(s + 1, size):
            a = np.arange(s, n, size)
            b = a + (t - s)
            ok = b < n
            us.append(a[ok])
            vs.append(b[ok])
    fu = np.concatenate(us) if us else np.zeros(0, np.int64)
    fv = np.concatenate(vs) if vs else np.zeros(0, np.int64)
    m_out = int(rng.poisson(p.sbm_mean_degree_between * n / 2))
    ou = rng.integers(0, n, m_out)
    ov = rng.integers(0, n, m_out)
    keep = fam[ou] != fam[ov]
    ou, ov = ou[keep], ov[keep]
    okind = _draw_kinds(len(ou), params, rng, allow_family=False)
    return StartingNetwork(
        n=n,
        u=np.concatenate([fu, ou]),
        v=np.concatenate([fv, ov]),
        kind=np.concatenate([np.full(len(fu), FAMILY, np.int8), okind]),
        strength=np.concatenate(
            [
                np.clip(rng.normal(0.8, 0.1, len(fu)), 0.3, 1.0),
                np.clip(rng.normal(p.initial_strength_mean, 0.15, len(ou)), 0.06, 1.0),
            ]
        ),
        group=(fam % p.n_groups).astype(np.int32),
    )


def _draw_kinds(m: int, params: Params, rng: np.random.Generator, allow_family=True) -> np.ndarray:
    fam = params.family_share if allow_family else 0.0
    neigh = params.neighbour_share
    r = rng.random(m)
    kind = np.full(m, FRIEND, np.int8)
    kind[r < fam + neigh] = NEIGHBOUR
    kind[r < fam] = FAMILY
    return kind


def _from_graph(G: nx.Graph, source: str = "", path: str = "") -> StartingNetwork:
    """Convert a networkx graph (any labels, optional attributes) into a StartingNetwork.

    Nodes are numbered in the graph's node order; labels keep their names. Edge ``kind``,
    ``strength`` (or ``weight``, scaled so the largest is 1) and ``conflict`` are used when
    present, and node state attributes (:data:`NODE_STATE_ATTRS`) and ``group`` when present.
    """
    where = f"network file {path!r}" if path else (source or "network")
    report: list[str] = []
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    edges = list(G.edges(data=True))
    u = np.array([index[a] for a, _, _ in edges], np.int64)
    v = np.array([index[b] for _, b, _ in edges], np.int64)

    kind = strength = conflict = None
    if any("kind" in d for _, _, d in edges):
        codes = []
        for a, b, d in edges:
            k = d.get("kind")
            if k not in KIND_CODES:
                raise NetworkFileError(
                    f"{where}: edge ({a}, {b}) has kind={k!r}; allowed: {', '.join(TIE_KINDS)}"
                )
            codes.append(KIND_CODES[k])
        kind = np.array(codes, np.int8)
    skey = (
        "strength"
        if any("strength" in d for *_, d in edges)
        else "weight"
        if any("weight" in d for *_, d in edges)
        else None
    )
    if skey is not None:
        vals = []
        for a, b, d in edges:
            x = _number(d.get(skey, None), where, f"edge ({a}, {b})", skey)
            if x is None or not x > 0:
                raise NetworkFileError(
                    f"{where}: edge ({a}, {b}) has {skey}={d.get(skey)!r}; "
                    f"every edge needs a positive {skey} when any has one"
                )
            vals.append(x)
        arr = np.array(vals, float)
        if skey == "strength" and arr.max() > 1:
            raise NetworkFileError(
                f"{where}: edge strength {arr.max():g} is out of range; strength must be in (0, 1] "
                "(use a 'weight' attribute for other scales: it is rescaled)"
            )
        if skey == "weight":
            top = arr.max()
            arr = arr / top
            if not np.all(arr == 1):
                report.append(
                    f"{where}: edge weights rescaled to strengths in (0, 1] (max {top:g} -> 1)"
                )  # noqa: E501
        strength = np.clip(arr, 1e-3, 1.0)
    if any("conflict" in d for *_, d in edges):
        vals = []
        for a, b, d in edges:
            x = _number(d.get("conflict", 0.0), where, f"edge ({a}, {b})", "conflict")
            if x is None or not 0 <= x <= 1:
                raise NetworkFileError(
                    f"{where}: edge ({a}, {b}) has conflict={d.get('conflict')!r}; "
                    "conflict must be a number from 0 to 1"
                )
            vals.append(x)
        conflict = np.array(vals, float)

    node_values: dict[str, np.ndarray] = {}
    group = None
    present = {k for _, d in G.nodes(data=True) for k in d}
    for name in NODE_STATE_ATTRS:
        if name not in present:
            continue
        arr = np.full(n, np.nan)
        for node, d in G.nodes(data=True):
            if name in d:
                x = _number(d[name], where, f"node {node!r}", name)
                if x is None or not 0 <= x <= 1:
                    raise NetworkFileError(
                        f"{where}: node {node!r} has {name}={d[name]!r}; "
                        f"{name} must be a number from 0 to 1"
                    )
                arr[index[node]] = x
        node_values[name] = arr
    if "group" in present and path:
        raw = [G.nodes[node].get("group") for node in nodes]
        cats = sorted({str(x) for x in raw if x is not None})
        group = np.array([cats.index(str(x)) if x is not None else 0 for x in raw], np.int32)
        report.append(f"{where}: {len(cats)} community groups read from node attribute 'group'")
    if path:
        ignored = sorted(
            str(k) for k in present - set(NODE_STATE_ATTRS) - set(NODE_OTHER_ATTRS) - {"label"}
        )
        if ignored:
            report.append(f"{where}: node attributes not used by the model: {', '.join(ignored)}")
    labels = [str(G.nodes[x].get("label", x)) for x in nodes]
    if source:
        report.insert(0, f"{source}: {n} people, {len(edges)} ties")
    return StartingNetwork(
        n=n,
        u=u,
        v=v,
        kind=kind,
        strength=strength,
        conflict=conflict,
        group=group,
        labels=labels,
        node_values=node_values,
        report=report,
    )


def _number(x, where: str, what: str, name: str) -> float | None:
    if x is None:
        return None
    if isinstance(x, bool):
        raise NetworkFileError(f"{where}: {what} has {name}={x!r}; expected a number")
    try:
        val = float(x)
    except (TypeError, ValueError):
        raise NetworkFileError(f"{where}: {what} has {name}={x!r}; expected a number") from None
    if not math.isfinite(val):
        raise NetworkFileError(f"{where}: {what} has {name}={x!r}; expected a finite number")
    return val


# --- files --------------------------------------------------------------------------------------
_EDGE_LIST = (".txt", ".edgelist", ".edges", ".csv", ".tsv")
_FORMATS = ".graphml, .gml, " + ", ".join(_EDGE_LIST)


def read_network_file(path: str | Path) -> StartingNetwork:
    """Read a network file (edge list, GraphML, GML) into a StartingNetwork.

    Accepted, with a reported conversion: directed graphs (made undirected; a pair tied both
    ways becomes one tie with the larger strength), multigraphs (parallel edges merged, their
    weights summed), self-loops (dropped), disconnected pieces (kept; the report counts them).
    Refused with a clear message: a missing or unreadable file, an unknown format, a file with
    no ties or fewer than two people, and attributes that do not fit (see :func:`_from_graph`).

    Args:
        path: The file.

    Returns:
        The starting network, with ``report`` listing conversions.

    Raises:
        NetworkFileError: If the file cannot be used.
    """
    path = Path(path)
    where = f"network file '{path}'"
    if not path.exists():
        raise NetworkFileError(f"{where} does not exist")
    if not path.is_file():
        raise NetworkFileError(f"{where} is not a file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".graphml":
            G = nx.read_graphml(path)
        elif suffix == ".gml":
            G = nx.read_gml(path, label="label")
        elif suffix in _EDGE_LIST:
            G = _read_edge_list(path, where)
        else:
            raise NetworkFileError(
                f"{where}: the format {suffix or '(no extension)'!r} is not known; "
                f"allowed: {_FORMATS}"
            )
    except NetworkFileError:
        raise
    except UnicodeDecodeError:
        raise NetworkFileError(f"{where} is not a text file ({_FORMATS} are read)") from None
    except Exception as exc:  # parsers raise many types; all mean "cannot read this"
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NetworkFileError(f"{where} cannot be read as {suffix[1:]}: {msg}") from None

    report = list(G.graph.pop("notes", []))
    if G.number_of_nodes() == 0 or G.number_of_edges() == 0:
        raise NetworkFileError(f"{where} has no ties; a network needs at least one tie")
    if G.is_multigraph():
        H = nx.DiGraph() if G.is_directed() else nx.Graph()
        H.add_nodes_from(G.nodes(data=True))
        merged = 0
        for a, b, d in G.edges(data=True):
            if H.has_edge(a, b):
                merged += 1
                w = H[a][b].get("weight", 1.0) + float(d.get("weight", 1.0))
                H[a][b]["weight"] = w
            else:
                H.add_edge(a, b, **d)
                H[a][b].setdefault("weight", float(d.get("weight", 1.0)))
        G = H
        report.append(f"{where}: multigraph; {merged} parallel edges merged, weights summed")
    if G.is_directed():
        H = nx.Graph()
        H.add_nodes_from(G.nodes(data=True))
        for a, b, d in G.edges(data=True):
            if H.has_edge(a, b):
                for key in ("weight", "strength"):
                    if key in d:
                        H[a][b][key] = max(H[a][b].get(key, 0), d[key])
            else:
                H.add_edge(a, b, **d)
        report.append(f"{where}: directed; made undirected ({H.number_of_edges()} ties)")
        G = H
    loops = nx.number_of_selfloops(G)
    if loops:
        G = G.copy()
        G.remove_edges_from(list(nx.selfloop_edges(G)))
        report.append(f"{where}: {loops} self-loops dropped")
    if G.number_of_nodes() < 2 or G.number_of_edges() == 0:
        raise NetworkFileError(f"{where} has fewer than two people with ties between them")
    pieces = nx.number_connected_components(G)
    if pieces > 1:
        isolated = sum(1 for _ in nx.isolates(G))
        report.append(
            f"{where}: {pieces} disconnected pieces kept ({isolated} people without ties)"
        )
    net = _from_graph(G, path=str(path))
    net.report[:0] = [f"{where}: {net.n} people, {len(net.u)} ties", *report]
    return net


#: Column names that make a first line a header: endpoints, then edge attributes.
_SOURCES = ("source", "from", "u", "node1")
_TARGETS = ("target", "to", "v", "node2")


def _rows(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """Split an edge list into (line number, fields): CSV cells, or words of plain lines."""
    if path.suffix.lower() == ".csv":
        reader = csv.reader(io.StringIO(text), skipinitialspace=True)
        return [(i, [c.strip() for c in row]) for i, row in enumerate(reader, 1) if any(row)]
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            rows.append((lineno, line.replace(",", " ").split()))
    return rows


def _header(fields: list[str]) -> list[str] | None:
    """Return the column names if ``fields`` is a header line, else None (it is an edge).

    A header names its first two columns as endpoints (source/target, from/to, u/v,
    node1/node2) or names an edge attribute (weight, strength, kind, conflict) among its
    columns; an edge between people called that is read as a header (and reported).
    """
    names = [f.lower() for f in fields]
    ends = len(names) >= 2 and names[0] in _SOURCES and names[1] in _TARGETS
    return names if ends or any(n in EDGE_ATTRS for n in names[2:]) else None


def _read_edge_list(path: Path, where: str) -> nx.Graph:
    """Read an edge list: 'a b [weight]' lines, or CSV, each with or without a header line.

    A UTF-8 byte order mark is skipped. A repeated pair (in either order) is one tie: its
    weights are summed (a missing weight counts 1), its other attributes are the first line's.
    What was decided goes into ``G.graph["notes"]`` for the report.
    """
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    notes = [f"{where}: UTF-8 byte order mark skipped"] if raw.startswith(codecs.BOM_UTF8) else []
    if not text.strip():
        raise NetworkFileError(f"{where} is empty; a network needs at least one tie")
    rows = _rows(path, text)
    is_csv = path.suffix.lower() == ".csv"
    names = _header(rows[0][1]) if rows else None
    if names is not None:
        notes.append(f"{where}: first line read as a header: {', '.join(rows[0][1])}")
        rows = rows[1:]
        src = next((i for i, c in enumerate(names) if c in _SOURCES), 0)
        dst = next((i for i, c in enumerate(names) if c in _TARGETS), 1)
        if src == dst:
            src, dst = 0, 1
    elif rows:
        names, src, dst = ["", "", "weight"], 0, 1
        notes.append(f"{where}: no header line; columns read as: a, b[, weight]")
    G = nx.Graph()
    repeats, had_weights = 0, False
    shape = "a,b[,weight] or a header line naming the columns" if is_csv else "'a b [weight]'"
    for lineno, fields in rows:
        line = ",".join(fields) if is_csv else " ".join(fields)
        if len(fields) < 2:
            raise NetworkFileError(
                f"{where}, line {lineno}: {line!r} is not an edge; expected {shape}"
            )
        if len(fields) > len(names) or (not is_csv and len(fields) > 3):
            raise NetworkFileError(
                f"{where}, line {lineno}: {line!r} has {len(fields)} fields; expected {shape}"
            )
        a, b = fields[src], fields[dst]
        if not a or not b:
            raise NetworkFileError(f"{where}, line {lineno}: {line!r} has an empty endpoint")
        attrs = {}
        for i, cell in enumerate(fields):
            if i in (src, dst) or not cell or not names[i]:
                continue
            if names[i] == "weight":
                try:
                    attrs["weight"] = float(cell)
                except ValueError:
                    raise NetworkFileError(
                        f"{where}, line {lineno}: weight {cell!r} is not a number"
                    ) from None
            else:
                attrs[names[i]] = _maybe_number(cell)
        repeats += _merge_edge(G, a, b, attrs)
        had_weights = had_weights or "weight" in attrs
    if repeats and not had_weights:
        # Weights here only count merged repeats: every other pair counts once.
        for *_, d in G.edges(data=True):
            d.setdefault("weight", 1.0)
    if repeats:
        other = sorted({k for *_, d in G.edges(data=True) for k in d} - {"weight"})
        notes.append(
            f"{where}: {repeats} repeated pairs merged into one tie each, weights summed"
            + (f" ({', '.join(other)} kept from the first line)" if other else "")
        )
    G.graph["notes"] = notes
    return G


def _merge_edge(G: nx.Graph, a: str, b: str, attrs: dict) -> int:
    """Add edge a-b, or merge it into an existing one (weights summed); return 1 if merged."""
    if not G.has_edge(a, b):
        G.add_edge(a, b, **attrs)
        return 0
    if a == b:
        return 0  # a repeated self-loop: dropped with the others later
    G[a][b]["weight"] = G[a][b].get("weight", 1.0) + attrs.get("weight", 1.0)
    return 1


def _maybe_number(x: str):
    try:
        return float(x)
    except (TypeError, ValueError):
        return x.strip() if isinstance(x, str) else x
