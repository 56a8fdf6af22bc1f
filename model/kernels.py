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
    "contact_pass",
    "merge_apply",
    "merge_plan",
    "quality_sum",
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
