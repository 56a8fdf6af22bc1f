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
    "asker_arcs",
    "build_adjacency",
    "choose_asked_arcs",
    "contact_pass",
    "count_components",
    "local_clustering_mean",
    "merge_apply",
    "merge_plan",
    "quality_sum",
    "symmetric_correlation",
    "symmetric_sum",
    "tie_update",
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
def contact_pass(
    u,
    v,
    strength,
    conflict,
    kind,
    draw,
    used,
    loneliness,
    shock,
    rate,
    shock_rate,
    withdrawal,
    quality,
    n,
):  # pragma: no cover - compiled
    """Routine contact and quality-weighted contact, in one pass (see mechanisms.loneliness).

    Args:
        u: Lower endpoint per tie.
        v: Higher endpoint per tie.
        strength: Strength per tie.
        conflict: Conflict per tie.
        kind: Kind code per tie.
        draw: One uniform per tie (canonical order).
        used: Per tie, whether it carried support this step (always counts as contact).
        loneliness: Per person.
        shock: Per person, under a shock this step.
        rate: contact_rate.
        shock_rate: contact_rate * shock_contact_multiplier.
        withdrawal: withdrawal_strength, or 0 with withdrawal off.
        quality: CONTACT_QUALITY table by kind.
        n: Number of people.

    Returns:
        (contact per tie, Q per person).
    """
    m = len(u)
    contact = np.zeros(m, np.bool_)
    Q = np.zeros(n)
    for e in range(m):
        a, b = u[e], v[e]
        r = shock_rate if (shock[a] or shock[b]) else rate
        c = r * strength[e] * (1.0 - withdrawal * loneliness[a])
        c = c * (1.0 - withdrawal * loneliness[b])
        if used[e] or draw[e] < c:
            contact[e] = True
            w = strength[e] * (1.0 - conflict[e]) * quality[kind[e]]
            Q[a] += w
            Q[b] += w
    return contact, Q


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
):  # pragma: no cover - compiled
    """Strengthen, maintain, decay, rebalance; return the mask of ties that end (see ties)."""
    m = len(strength)
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
            elif end_draw[e] < end_hazard:
                imbalance = min(1.0, abs(bal) / imbalance_threshold)
                risk = min(1.0, imbalance * imbalance + conflict[e] * conflict[e])
                if end_draw[e] < end_hazard * risk:
                    ends[e] = True
    return ends


@njit(cache=True)
def merge_plan(keep, insert_at):  # pragma: no cover - compiled
    """Plan a merge of sorted arrays: drop entries where ``keep`` is False, insert new ones.

    Args:
        keep: Per old entry, whether it stays.
        insert_at: Per new entry (in sorted order), the old index it goes before (as from
            ``np.searchsorted(old_keys, new_keys)``), non-decreasing.

    Returns:
        (destination of each old entry, -1 if dropped; destination of each new entry; new length).
    """
    m, k = len(keep), len(insert_at)
    dest_old = np.empty(m, np.int64)
    dest_new = np.empty(k, np.int64)
    o = 0
    j = 0
    for i in range(m + 1):
        while j < k and insert_at[j] == i:
            dest_new[j] = o
            o += 1
            j += 1
        if i < m:
            if keep[i]:
                dest_old[i] = o
                o += 1
            else:
                dest_old[i] = -1
    return dest_old, dest_new, o


@njit(cache=True)
def merge_apply(old, dest_old, new, dest_new, size):  # pragma: no cover - compiled
    """Return the merged array that :func:`merge_plan` planned (one pass; any dtype)."""
    out = np.empty(size, old.dtype)
    for i in range(len(old)):
        d = dest_old[i]
        if d >= 0:
            out[d] = old[i]
    for j in range(len(new)):
        out[dest_new[j]] = new[j]
    return out


@njit(cache=True)
def local_clustering_mean(indptr, indices, sample):  # pragma: no cover - compiled
    """Mean local clustering coefficient over ``sample`` (0 for people with < 2 ties).

    Neighbour lists (CSR rows) are sorted, so a person's neighbours are marked once and each
    neighbour's list is scanned for marks: cost sum over the sample of (degree x mean degree).
    """
    n = len(indptr) - 1
    mark = np.zeros(n, np.bool_)
    total = 0.0
    for i in sample:
        start, end = indptr[i], indptr[i + 1]
        d = end - start
        if d < 2:
            continue
        for p in range(start, end):
            mark[indices[p]] = True
        closed = 0
        for p in range(start, end):
            j = indices[p]
            for q in range(indptr[j], indptr[j + 1]):
                if mark[indices[q]]:
                    closed += 1
        for p in range(start, end):
            mark[indices[p]] = False
        total += closed / (d * (d - 1.0))
    return total / len(sample) if len(sample) else 0.0


@njit(cache=True)
def symmetric_correlation(u, v, x):  # pragma: no cover - compiled
    """Pearson correlation of x over ties, each tie counted both ways (assortativity)."""
    m = len(u)
    if m < 2:
        return np.nan
    s = 0.0
    ss = 0.0
    sp = 0.0
    for e in range(m):
        a, b = x[u[e]], x[v[e]]
        s += a + b
        ss += a * a + b * b
        sp += a * b
    mean = s / (2 * m)
    var = ss / (2 * m) - mean * mean
    if var <= 1e-12 * max(mean * mean, 1e-300):
        return np.nan
    return (sp / m - mean * mean) / var


@njit(cache=True)
def asker_arcs(u, v, asks):  # pragma: no cover - compiled
    """Indices (into the 2m arc list: u->v, then v->u) of the arcs leaving people who ask."""
    m = len(u)
    count = 0
    for e in range(m):
        count += asks[u[e]] + asks[v[e]]
    out = np.empty(count, np.int64)
    k = 0
    for e in range(m):
        if asks[u[e]]:
            out[k] = e
            k += 1
    for e in range(m):
        if asks[v[e]]:
            out[k] = m + e
            k += 1
    return out


@njit(cache=True)
def count_components(u, v, n):  # pragma: no cover - compiled
    """Number of connected components (isolated people count one each), by union-find."""
    parent = np.arange(n)
    components = n
    for e in range(len(u)):
        a, b = u[e], v[e]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            parent[a] = b
            components -= 1
    return components


@njit(cache=True)
def build_adjacency(u, v, n):  # pragma: no cover - compiled
    """CSR arrays (indptr, indices, tie slot per entry) of the ties, rows sorted.

    Ties come sorted by (u, v) with u < v, so in one pass a row ``i`` gets first its lower
    neighbours (ties (u, i), met in increasing u) and then its higher ones (ties (i, v), met in
    increasing v): every row comes out sorted without a sort.
    """
    m = len(u)
    indptr = np.zeros(n + 1, np.int64)
    for e in range(m):
        indptr[u[e] + 1] += 1
        indptr[v[e] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    fill = indptr[:-1].copy()
    indices = np.empty(2 * m, np.int32)
    slots = np.empty(2 * m, np.int64)
    for e in range(m):  # lower neighbours first: tie (u, v) puts u into row v
        b = v[e]
        indices[fill[b]] = u[e]
        slots[fill[b]] = e
        fill[b] += 1
    for e in range(m):  # then higher neighbours: tie (u, v) puts v into row u
        a = u[e]
        indices[fill[a]] = v[e]
        slots[fill[a]] = e
        fill[a] += 1
    return indptr, indices, slots


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
):  # pragma: no cover - compiled
    """Arcs on which people ask for help (see mechanisms.seeking), in arc order.

    Each arc s -> d leaving an asker s has weight w = strength * fit(s's needs, d's competence,
    tie kind) and is asked when its draw is below min(1, breadth * w / (sum of s's weights)).

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
        draw: Uniforms for the 2m arcs (u -> v for every tie, then v -> u).

    Returns:
        Indices of the asked arcs (into the 2m arc list), increasing.
    """
    m, n = len(u), len(asks)
    wsum = np.zeros(n)
    for e in range(m):
        a, b = u[e], v[e]
        if asks[a]:
            wsum[a] += strength[e] * _fit(a, b, kind[e], need, total_need, competence, landing)
        if asks[b]:
            wsum[b] += strength[e] * _fit(b, a, kind[e], need, total_need, competence, landing)
    out = np.empty(2 * m, np.int64)
    k = 0
    for direction in range(2):
        for e in range(m):
            s, d = (u[e], v[e]) if direction == 0 else (v[e], u[e])
            if not asks[s]:
                continue
            w = strength[e] * _fit(s, d, kind[e], need, total_need, competence, landing)
            total = wsum[s] if wsum[s] > 0 else 1.0
            arc = e + direction * m
            if draw[arc] < min(1.0, breadth * w / total):
                out[k] = arc
                k += 1
    return out[:k].copy()
