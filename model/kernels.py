"""Compiled loops over ties for the hot phases of a step (numba).

A step touches every tie several times; written as numpy expressions, each touch is a separate
pass over arrays of millions of elements with temporaries in between. These kernels fuse the
per-tie work of a phase into one pass. They compute exactly what the numpy forms in the phase
modules' docstrings say (the per-agent reference in ``benchmarks/reference.py`` checks it), and
make no random draws: draws are made by the phases, in canonical order, and passed in.

Compiled once per machine and cached next to this file (``cache=True``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "adjacency_from_keys",
    "asking_arcs",
    "choose_asked_arcs",
    "layer_contact_rates",
    "poisson_counts",
    "clustering_by_keys",
    "contact_sums",
    "merge_sorted",
    "network_pass",
    "nth_neighbours",
    "quality_sum",
    "rows_from_keys",
    "shared_neighbours",
    "symmetric_sum",
    "tie_update",
    "ties_of_people",
]


@njit(cache=True)
def symmetric_sum(u, v, w, n):  # pragma: no cover - compiled
    """Return, per person, the sum of ``w`` over their ties (both ends of each tie)."""
    out = np.zeros(n)
    for e in range(len(u)):
        out[u[e]] += w[e]
        out[v[e]] += w[e]
    return out


@njit(cache=True)
def quality_sum(u, v, strength, conflict, kind, quality, n):  # pragma: no cover - compiled
    """Return, per person, sum of strength * (1 - conflict) * quality[kind] over their ties."""
    out = np.zeros(n)
    for e in range(len(u)):
        w = strength[e] * (1.0 - conflict[e]) * quality[kind[e]]
        out[u[e]] += w
        out[v[e]] += w
    return out


@njit(cache=True)
def shared_neighbours(keys, vkeys, fptr, bptr, u, v):  # pragma: no cover - compiled
    """Number of people tied to both ``u`` and ``v`` (the triangles the tie u-v closes).

    A person's neighbours in increasing order are their lower neighbours
    (``vkeys[bptr[i]:bptr[i+1]]``, low 32 bits) then their higher ones
    (``keys[fptr[i]:fptr[i+1]]``), so the two sorted lists are intersected by one merge.
    """
    low = np.int64(0xFFFFFFFF)
    nu_lo, nu_hi = bptr[u + 1] - bptr[u], fptr[u + 1] - fptr[u]
    nv_lo, nv_hi = bptr[v + 1] - bptr[v], fptr[v + 1] - fptr[v]
    a, b, count = 0, 0, 0
    while a < nu_lo + nu_hi and b < nv_lo + nv_hi:
        x = (vkeys[bptr[u] + a] if a < nu_lo else keys[fptr[u] + a - nu_lo]) & low
        y = (vkeys[bptr[v] + b] if b < nv_lo else keys[fptr[v] + b - nv_lo]) & low
        if x == y:
            count += 1
            a += 1
            b += 1
        elif x < y:
            a += 1
        else:
            b += 1
    return count


@njit(cache=True)
def tie_update(
    strength,
    kind,
    conflict,
    balance,
    last_contact,
    contact,
    f_uv,
    f_vu,
    end_draw,
    step,
    strengthen_rate,
    reciprocity_bonus,
    contact_gain,
    decay,
    floor,
    balance_memory,
    end_threshold,
    imbalance_threshold,
    end_hazard,
    can_end,
    base_hazard,
    keys,
    vkeys,
    fptr,
    bptr,
    embeddedness,
):  # pragma: no cover - compiled
    """Strengthen, maintain, decay, rebalance; return the mask of ties that end (see ties).

    With ``embeddedness`` the friends a tie's two people share shelter it from ending
    (:func:`shared_neighbours`, read from the key indexes ``keys``, ``vkeys``, ``fptr``, ``bptr``
    as in :func:`layer_contact_rates`). They are counted only for the few ties whose draw falls
    below the ending chance the tie would have with no shared friend: the chance can only fall
    with shelter, so every other tie stays whatever its count. Two screens: the base rate plus
    ``end_hazard`` (every factor and sum in it is monotone, also in floating point), then the
    full chance with the tie's own risk, plus 1e-12 for rounding (a tenth of the ties the first
    screen lets through). Counting every tie's triangles each step cost about as much as the
    rest of the tie phase; counting them for the first screen's ties, a third of the kernel.
    """
    m = len(strength)
    low = np.int64(0xFFFFFFFF)
    ends = np.zeros(m, np.bool_)
    keep = 1.0 - balance_memory
    for e in range(m):
        s = strength[e]
        k = kind[e]
        fu, fv = f_uv[e], f_vu[e]
        if fu + fv > 0:
            bonus = 1.0 + reciprocity_bonus if (fu > 0 and fv > 0) else 1.0
            s = s + min(strengthen_rate * bonus * (1.0 - s), 1.0 - s)
        elif contact[e]:
            s = s + contact_gain * (1.0 - s)
        else:
            s = s * (1.0 - decay[k])
        if s < floor[k]:
            s = floor[k]
        if s > 1.0:
            s = 1.0
        strength[e] = s
        bal = keep * balance[e] + fu - fv
        balance[e] = bal
        if contact[e]:
            last_contact[e] = step
        if can_end[k]:
            if s < end_threshold:
                ends[e] = True
            else:
                # Weaker ties end more often: the base rate at strength 0.5, twice it at 0;
                # ties embedded in shared friendships end less often (shelter per tie).
                rate = base_hazard * 2.0 * (1.0 - s)
                base = min(1.0, rate)
                if end_draw[e] >= base + end_hazard:
                    continue  # cannot end, sheltered or not
                imbalance = min(1.0, abs(bal) / imbalance_threshold)
                risk = min(1.0, imbalance * imbalance + conflict[e] * conflict[e])
                if embeddedness > 0:
                    # The chance of ending, base + (1 - base) * end_hazard * risk, grows with
                    # base (risk <= 1) and shelter only lowers base: a draw at or above the
                    # chance without shelter (plus 1e-12, far above rounding) cannot end it.
                    if end_draw[e] >= base + (1.0 - base) * end_hazard * risk + 1e-12:
                        continue
                    u, v = keys[e] >> 32, keys[e] & low
                    common = shared_neighbours(keys, vkeys, fptr, bptr, u, v)
                    base = min(1.0, rate * (1.0 / (1.0 + embeddedness * common)))
                if (
                    end_draw[e] < base + end_hazard
                    and end_draw[e] < base + (1.0 - base) * end_hazard * risk
                ):
                    ends[e] = True
    return ends


@njit(cache=True)
def merge_sorted(old, remove, new, insert_at):  # pragma: no cover - compiled
    """Return ``old`` without the entries at ``remove``, with ``new`` inserted; any dtype.

    Args:
        old: The array (e.g. a tie column, in slot order).
        remove: Positions in ``old`` to drop, sorted, distinct.
        new: Entries to insert, in order.
        insert_at: Per new entry, the position in ``old`` it goes before (as from
            ``np.searchsorted(old_keys, new_keys)``), non-decreasing; new entries go before the
            old entry at that position, whether or not it is dropped.

    The kept entries between two changes are copied as one block: few ties form or end in a
    change, so this is close to a plain copy, where writing every entry to its own planned
    destination cost three times as much.
    """
    m, r_count, k = len(old), len(remove), len(new)
    out = np.empty(m - r_count + k, old.dtype)
    o = i = r = j = 0
    while True:
        # Copy the block of kept entries up to the next change.
        stop = m
        if r < r_count and remove[r] < stop:
            stop = remove[r]
        if j < k and insert_at[j] < stop:
            stop = insert_at[j]
        if stop > i:
            # An element loop over unsigned offsets: numba checks signed indices for
            # wraparound, which keeps LLVM from vectorising the copy (a slice assignment is
            # not vectorised either); unsigned, the copy runs 2-7 times faster.
            size, dst, src = np.uint64(stop - i), np.uint64(o), np.uint64(i)
            for x in range(size):
                out[dst + x] = old[src + x]
            o += stop - i
            i = stop
        if j < k and insert_at[j] == i:
            out[o] = new[j]
            o += 1
            j += 1
        elif r < r_count and remove[r] == i:
            i += 1
            r += 1
        elif i >= m:
            break
    return out


@njit(cache=True)
def _components(u, v, n):  # pragma: no cover - compiled
    """Number of connected components of n people and the ties (u, v), in any order.

    Union-find with path halving; two roots are joined under the lower-numbered one, which
    over ties in canonical order took half the time of hanging the other end's root under the
    lower end's (0.28 against 0.61 ms for 70,000 ties: fewer steps up the trees). The count
    does not depend on the order of the unions or on which root is kept.
    """
    parent = np.arange(n)
    components = n
    for e in range(len(u)):
        a = u[e]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        b = v[e]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            if a < b:
                parent[b] = a
            else:
                parent[a] = b
            components -= 1
    return components


@njit(cache=True)
def network_pass(u, v, kind, strength, x, n, n_kinds):  # pragma: no cover - compiled
    """Tie-level measures: components, assortativity of x, ties by kind, strength.

    Components by union-find (isolated people count one each); assortativity is the Pearson
    correlation of x over ties with each tie counted both ways, computed in two passes (the mean
    first, then sums of deviations from it): the one-pass form ``E[x^2] - E[x]^2`` loses most of
    its digits when x is nearly constant, e.g. loneliness near saturation.

    Returns:
        (components, assortativity (NaN without variation), count per kind, sum of strength).
    """
    m = len(u)
    counts = np.zeros(n_kinds, np.int64)
    total = 0.0
    s = 0.0
    for e in range(m):
        s += x[u[e]] + x[v[e]]
        counts[kind[e]] += 1
        total += strength[e]
    components = _components(u, v, n)
    corr = np.nan
    if m >= 2:
        mean = s / (2 * m)
        squares = 0.0  # sum of squared deviations over both ends of every tie
        products = 0.0  # sum of products of the two ends' deviations
        for e in range(m):
            da = x[u[e]] - mean
            db = x[v[e]] - mean
            squares += da * da + db * db
            products += da * db
        var = squares / (2 * m)
        if var > 1e-12 * max(mean * mean, 1e-300):
            corr = 2.0 * products / squares
    return components, corr, counts, total


@njit(cache=True)
def _fit(s, d, k, need, total_need, competence, landing):  # pragma: no cover - compiled
    f = 0.0
    for t in range(need.shape[1]):
        f += need[s, t] / total_need[s] * competence[d, t] * landing[k, t]
    return f


@njit(cache=True)
def choose_asked_arcs(
    u,
    v,
    kind,
    strength,
    asks,
    need,
    total_need,
    competence,
    landing,
    breadth,
    draw,
    arcs,
):  # pragma: no cover - compiled
    """Arcs on which people ask for help (see mechanisms.seeking), in arc order.

    The candidates are the arcs leaving askers over ties with contact this step, in arc order
    (:func:`asking_arcs`). Candidate c, from s to d, has weight
    w = strength * fit(s's needs, d's competence, tie kind) and is asked when ``draw[c]`` is
    below min(1, breadth * w / (sum of s's weights)).

    Args:
        u: Lower endpoint per tie.
        v: Higher endpoint per tie.
        kind: Kind code per tie.
        strength: Strength per tie.
        asks: Per person, whether they ask this step.
        need: Unmet need (n, 4).
        total_need: Per person, the sum of need.
        competence: Competence (n, 4).
        landing: Landing table (kinds, 4).
        breadth: ask_breadth.
        draw: One uniform per candidate arc, in candidate order.
        arcs: The candidate arcs, from :func:`asking_arcs`.

    Returns:
        Indices of the asked arcs (into the 2m arc list: u -> v for every tie, then v -> u).
    """
    m, n = len(u), len(asks)
    count = len(arcs)
    weight = np.empty(count)
    source = np.empty(count, np.int64)
    wsum = np.zeros(n)
    for c in range(count):
        a = arcs[c]
        e = a if a < m else a - m
        s, d = (u[e], v[e]) if a < m else (v[e], u[e])
        w = strength[e] * _fit(s, d, kind[e], need, total_need, competence, landing)
        weight[c] = w
        source[c] = s
        wsum[s] += w
    out = np.empty(count, np.int64)
    k = 0
    for c in range(count):
        s = source[c]
        total = wsum[s] if wsum[s] > 0 else 1.0
        if draw[c] < min(1.0, breadth * weight[c] / total):
            out[k] = arcs[c]
            k += 1
    return out[:k].copy()


@njit(cache=True)
def nth_neighbours(keys, vkeys, fptr, bptr, people, draw):  # pragma: no cover - compiled
    """For each person, their neighbour at position floor(draw * degree) in sorted order, or -1.

    Person i's lower neighbours are ``vkeys[bptr[i]:bptr[i+1]] & LOW`` (ties (u, i)) and its
    higher neighbours ``keys[fptr[i]:fptr[i+1]] & LOW`` (ties (i, v)); in that order they form
    i's sorted neighbour list (see ``TieStore.row_pointers``).
    """
    out = np.full(len(people), -1, np.int64)
    mask = np.int64(0xFFFFFFFF)
    for t in range(len(people)):
        i = people[t]
        nb = bptr[i + 1] - bptr[i]
        deg = nb + fptr[i + 1] - fptr[i]
        if deg == 0:
            continue
        idx = min(int(draw[t] * deg), deg - 1)
        out[t] = (vkeys[bptr[i] + idx] if idx < nb else keys[fptr[i] + idx - nb]) & mask
    return out


@njit(cache=True)
def ties_of_people(keys, vkeys, fptr, bptr, people):  # pragma: no cover - compiled
    """Each of ``people``'s ties, person by person: (position in ``people``, partner, slot).

    A person's lower neighbours (ties (u, i), ``vkeys[bptr[i]:bptr[i+1]]``, their slots found
    in u's row of ``keys``: a few entries, where a binary search over every key meets a cache
    miss at nearly every step), then their higher ones (ties (i, v), ``keys[fptr[i]:fptr[i+1]]``,
    slots themselves): partners in increasing order, which is also slot order.
    """
    low = np.int64(0xFFFFFFFF)
    count = 0
    for i in people:
        count += (bptr[i + 1] - bptr[i]) + (fptr[i + 1] - fptr[i])
    owner = np.empty(count, np.int64)
    partner = np.empty(count, np.int64)
    slot = np.empty(count, np.int64)
    o = 0
    for t in range(len(people)):
        i = people[t]
        for p in range(bptr[i], bptr[i + 1]):
            u = vkeys[p] & low
            owner[o], partner[o] = t, u
            start, stop = fptr[u], fptr[u + 1]
            slot[o] = start + np.searchsorted(keys[start:stop], (u << 32) | i)
            o += 1
        for p in range(fptr[i], fptr[i + 1]):
            owner[o], partner[o], slot[o] = t, keys[p] & low, p
            o += 1
    return owner, partner, slot


@njit(cache=True)
def clustering_by_keys(keys, vkeys, fptr, bptr, sample):  # pragma: no cover - compiled
    """Mean local clustering over ``sample`` (0 for people with < 2 ties), from the key indexes."""
    n = len(fptr) - 1
    mark = np.zeros(n, np.bool_)
    mask = np.int64(0xFFFFFFFF)
    total = 0.0
    for i in sample:
        d = (bptr[i + 1] - bptr[i]) + (fptr[i + 1] - fptr[i])
        if d < 2:
            continue
        for p in range(bptr[i], bptr[i + 1]):
            mark[vkeys[p] & mask] = True
        for p in range(fptr[i], fptr[i + 1]):
            mark[keys[p] & mask] = True
        closed = 0
        for part in range(2):
            start, end = (bptr[i], bptr[i + 1]) if part == 0 else (fptr[i], fptr[i + 1])
            for p in range(start, end):
                j = (vkeys[p] if part == 0 else keys[p]) & mask
                for q in range(bptr[j], bptr[j + 1]):
                    if mark[vkeys[q] & mask]:
                        closed += 1
                for q in range(fptr[j], fptr[j + 1]):
                    if mark[keys[q] & mask]:
                        closed += 1
        for p in range(bptr[i], bptr[i + 1]):
            mark[vkeys[p] & mask] = False
        for p in range(fptr[i], fptr[i + 1]):
            mark[keys[p] & mask] = False
        total += closed / (d * (d - 1.0))
    return total / len(sample) if len(sample) else 0.0


@njit(cache=True)
def rows_from_keys(keys, vkeys, n):  # pragma: no cover - compiled
    """Where each person's ties start in the two sorted key indexes, and their degrees.

    The same as ``np.searchsorted(keys, np.arange(n + 1) << 32)`` (and for ``vkeys``), by
    counting each person's keys in one pass instead of a binary search per person.

    Returns:
        (fptr, bptr, degree): person i's higher neighbours are ``keys[fptr[i]:fptr[i+1]]``, its
        lower neighbours ``vkeys[bptr[i]:bptr[i+1]]``.
    """
    fptr = np.zeros(n + 1, np.int64)
    bptr = np.zeros(n + 1, np.int64)
    for e in range(len(keys)):
        fptr[(keys[e] >> 32) + 1] += 1
        bptr[(vkeys[e] >> 32) + 1] += 1
    degree = np.empty(n, np.int64)
    for i in range(n):
        fptr[i + 1] += fptr[i]
        bptr[i + 1] += bptr[i]
        degree[i] = (fptr[i + 1] - fptr[i]) + (bptr[i + 1] - bptr[i])
    return fptr, bptr, degree


@njit(cache=True)
def carry_rows(fptr, bptr, degree, removed_u, removed_v, new_u, new_v):  # pragma: no cover
    """Row pointers and degrees (as from :func:`rows_from_keys`) after ties ended and formed.

    Each person's rows shift by the ties that ended and formed among the people before them:
    one pass over the changes and one over the people, instead of one over every key.

    Args:
        fptr: Row starts in ``keys`` before the change (left as they are).
        bptr: Row starts in ``vkeys`` before the change.
        degree: Degrees before the change.
        removed_u: Lower end of each tie that ended.
        removed_v: Higher end of each tie that ended.
        new_u: Lower end of each tie that formed.
        new_v: Higher end of each tie that formed.

    Returns:
        (fptr, bptr, degree) after the change, new arrays.
    """
    n = len(degree)
    forward = np.zeros(n, np.int64)  # change in each person's count of higher neighbours
    backward = np.zeros(n, np.int64)  # and of lower neighbours
    for e in range(len(removed_u)):
        forward[removed_u[e]] -= 1
        backward[removed_v[e]] -= 1
    for e in range(len(new_u)):
        forward[new_u[e]] += 1
        backward[new_v[e]] += 1
    new_fptr, new_bptr = np.empty_like(fptr), np.empty_like(bptr)
    new_fptr[0], new_bptr[0] = fptr[0], bptr[0]
    new_degree = np.empty_like(degree)
    shift_f = shift_b = 0
    for i in range(n):
        shift_f += forward[i]
        shift_b += backward[i]
        new_fptr[i + 1] = fptr[i + 1] + shift_f
        new_bptr[i + 1] = bptr[i + 1] + shift_b
        new_degree[i] = degree[i] + forward[i] + backward[i]
    return new_fptr, new_bptr, new_degree


@njit(cache=True)
def adjacency_from_keys(keys, vkeys, n):  # pragma: no cover - compiled
    """CSR arrays (indptr, indices, tie slot per entry) from the two key indexes, rows sorted."""
    m = len(keys)
    mask = np.int64(0xFFFFFFFF)
    indptr = np.zeros(n + 1, np.int64)
    indices = np.empty(2 * m, np.int32)
    slots = np.empty(2 * m, np.int64)
    b = 0
    f = 0
    o = 0
    for i in range(n):
        while b < m and (vkeys[b] >> 32) == i:  # lower neighbours u of ties (u, i)
            u = vkeys[b] & mask
            indices[o] = u
            slots[o] = np.searchsorted(keys, (u << 32) | i)
            o += 1
            b += 1
        while f < m and (keys[f] >> 32) == i:  # higher neighbours v of ties (i, v)
            indices[o] = keys[f] & mask
            slots[o] = f
            o += 1
            f += 1
        indptr[i + 1] = o
    return indptr, indices, slots


@njit(cache=True, inline="always")
def _stable_rank(key, k, a):  # pragma: no cover - compiled
    """Rank of ``key[a]`` among ``key[:k]`` sorted descending, stably (equal keys: lower first).

    The count of keys ahead of it: those before it that are not smaller, those after it that
    are larger. Two branch-free counting loops: an insertion sort's branches follow the data
    and are mispredicted about once per tie, which made most of the layer kernel's time
    (its ranks are the same: the position in a stable sort).
    """
    x = key[a]
    rank = 0
    for b in range(a):
        rank += key[b] >= x
    for b in range(a + 1, k):
        rank += key[b] > x
    return rank


@njit(cache=True, inline="always")
def _layer(rank, inner, sympathy):  # pragma: no cover - compiled
    """Layer of the tie at ``rank``: 0 inner circle, 1 sympathy group, 2 wider network.

    Branch-free; the same as ``0 if rank < inner else 1 if rank < sympathy else 2``.
    """
    return (rank >= inner) * (1 + (rank >= sympathy))


@njit(cache=True)
def layer_contact_rates(
    keys, vkeys, fptr, bptr, strength, layer_inner, layer_sympathy, rates, avail
):  # pragma: no cover - compiled
    """Everyday contact rate of each tie from the layer it sits in for each of its two people.

    Each person ranks their ties by strength (strongest first; equal strengths by the other
    person's index): ranks below ``layer_inner[i]`` are the inner circle, below
    ``layer_sympathy[i]`` the sympathy group, the rest the wider network. A tie's rate is the mean
    of the rates its two people give it (``rates``: inner, sympathy, wider), times both people's
    availability: ``rate * avail[u] * avail[v]``, multiplied in that order, in the same pass.

    Args:
        keys: Sorted tie keys (u << 32 | v); a tie's slot is its key's position.
        vkeys: The same ties keyed v << 32 | u, sorted.
        fptr: Person i's higher neighbours are keys[fptr[i]:fptr[i+1]].
        bptr: Person i's lower neighbours are vkeys[bptr[i]:bptr[i+1]].
        strength: Strength per tie.
        layer_inner: Inner-circle size per person.
        layer_sympathy: Sympathy-group size per person (inner circle included).
        rates: (3,) contacts per week for the inner, sympathy and wider layers.
        avail: Availability per person.

    Returns:
        Expected contacts per tie this step.
    """
    m = len(keys)
    out = np.zeros(m)
    n = len(fptr) - 1
    low = np.int64(0xFFFFFFFF)
    # People are visited in increasing order, so when person i is visited, each lower
    # neighbour u's tie (u, i) is u's first tie to a higher neighbour not yet visited: a cursor
    # per person finds it (a counting pass over every tie for their slots beforehand cost a
    # fifth of the kernel, a binary search per tie three times the whole kernel).
    cursor = fptr[:n].copy()
    biggest = 0
    for i in range(n):
        biggest = max(biggest, (fptr[i + 1] - fptr[i]) + (bptr[i + 1] - bptr[i]))
    slot = np.empty(biggest, np.int64)
    key = np.empty(biggest)
    for i in range(n):
        # Lower neighbours first, then higher: neighbour index increasing.
        k = 0
        for t in range(bptr[i], bptr[i + 1]):
            e = cursor[vkeys[t] & low]
            cursor[vkeys[t] & low] = e + 1
            slot[k] = e
            key[k] = strength[e]
            k += 1
        for t in range(fptr[i], fptr[i + 1]):
            slot[k] = t
            key[k] = strength[t]
            k += 1
        # By strength, descending; stable, so equal strengths keep neighbour order. Each of
        # the usual few ties is ranked by counting the ties before it (a merge sort, also
        # stable, for large networks).
        if k > 32:
            ranked = slot[:k][np.argsort(-key[:k], kind="mergesort")]
            for r in range(k):
                out[ranked[r]] += 0.5 * rates[_layer(r, layer_inner[i], layer_sympathy[i])]
        else:
            for a in range(k):
                r = _stable_rank(key, k, a)
                out[slot[a]] += 0.5 * rates[_layer(r, layer_inner[i], layer_sympathy[i])]
    for e in range(m):
        out[e] = out[e] * avail[keys[e] >> 32] * avail[keys[e] & low]
    return out


@njit(cache=True)
def poisson_counts(lam, draw):  # pragma: no cover - compiled
    """Poisson counts with means ``lam`` by inversion of one uniform each (exact, any mean).

    Inversion keeps one draw per tie in canonical order, which an implementation that stores
    ties differently can repeat exactly.

    Most ties have a small mean and a count of 0: the draw is at most e^-mu. Since
    e^-mu >= 1 - mu, a draw below 1 - mu less a margin for rounding (1e-15, well above the few
    units in the last place that 1 - mu and the computed e^-mu can be off) is certainly below the
    computed e^-mu, and its count is 0 without computing the exponential; others go the full way,
    so the counts are exactly those of the full inversion.

    The full way runs in rounds over the ties still searching, not tie by tie: round k adds
    the k-th term (p *= mu / k; cdf += p, as the tie-by-tie loop does, so the same numbers) for
    every tie whose draw is still above its sum, and keeps those it leaves above. A tie-by-tie
    loop ended after a number of terms that follows the draw, a branch mispredicted about once
    per tie, and each tie's divisions waited on the one before; in rounds the ties' divisions
    overlap and no branch follows the data (0.5-0.7 against 1.2 ms for 70,000 ties).
    """
    m = len(lam)
    out = np.zeros(m)
    # The ties that need the exponential, as positions; kept by advancing the count.
    idx = np.empty(m, np.int64)
    c = 0
    for e in range(m):
        mu = lam[e]
        idx[c] = e
        c += (not (mu <= 0.0)) & (not (draw[e] < (1.0 - mu) - 1e-15))
    p = np.empty(c)
    cdf = np.empty(c)
    for t in range(c):
        p[t] = np.exp(-lam[idx[t]])
    searching = 0  # ties whose draw is above the sum so far, compacted in place
    for t in range(c):
        e, pt = idx[t], p[t]
        idx[searching], p[searching], cdf[searching] = e, pt, pt
        searching += draw[e] > pt
    k = 0
    while searching > 0 and k < 1000:
        k += 1
        still = 0
        for t in range(searching):
            e = idx[t]
            pk = p[t] * (lam[e] / k)
            ck = cdf[t] + pk
            out[e] = k
            idx[still], p[still], cdf[still] = e, pk, ck
            still += draw[e] > ck
        searching = still
    return out


@njit(cache=True)
def contact_sums(
    u,
    v,
    contacts,
    strength,
    conflict,
    kind,
    quality,
    lonely_quality,
    loneliness,
    threshold,
    n,
    with_lonely,
):  # pragma: no cover - compiled
    """Per person, the quality-weighted contact and the contacts with lonely people (loneliness).

    One pass over the ties for what the numpy form computes in two ``np.bincount`` each (one per
    end of the tie): each end's sums are kept apart and added at the end, in the same order, so
    the results are exactly those of::

        w = contacts * strength * (1 - conflict) * quality[kind]
        Q = bincount(u, w * (1 - lonely_quality * L[v])) + bincount(v, w * (1 - ... * L[u]))
        x = bincount(u, contacts * lonely[v]) + bincount(v, contacts * lonely[u])

    (without the loneliness factor when ``lonely_quality`` is 0; ``lonely`` is L > threshold).

    Returns:
        (Q, x); x is empty unless ``with_lonely``.
    """
    qu = np.zeros(n)
    qv = np.zeros(n)
    k = n if with_lonely else 0
    xu = np.zeros(k)
    xv = np.zeros(k)
    for e in range(len(u)):
        a, b = u[e], v[e]
        c = contacts[e]
        w = c * strength[e] * (1.0 - conflict[e]) * quality[kind[e]]
        if lonely_quality > 0:
            qu[a] += w * (1.0 - lonely_quality * loneliness[b])
            qv[b] += w * (1.0 - lonely_quality * loneliness[a])
        else:
            qu[a] += w
            qv[b] += w
        if with_lonely:
            # c * lonely: c or +0.0, and adding +0.0 changes no sum.
            if loneliness[b] > threshold:
                xu[a] += c
            if loneliness[a] > threshold:
                xv[b] += c
    return qu + qv, xu + xv


@njit(cache=True)
def asking_arcs(u, v, asks, contact):  # pragma: no cover - compiled
    """The arcs leaving an asker over a tie with contact, in arc order (see choose_asked_arcs).

    u -> v for every such tie whose u asks (ties in canonical order), then v -> u for every
    such tie whose v asks; as indices into the 2m arc list. Branch-free: each arc is written
    and kept by advancing the count by whether it qualifies (whether a tie had contact is a
    coin toss to the branch predictor).
    """
    m = len(u)
    arcs = np.empty(2 * m, np.int64)
    c = 0
    for e in range(m):
        arcs[c] = e
        c += contact[e] & asks[u[e]]
    for e in range(m):
        arcs[c] = e + m
        c += contact[e] & asks[v[e]]
    return arcs[:c].copy()
