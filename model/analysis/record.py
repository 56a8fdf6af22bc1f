"""The run record: what a finished run leaves for the fact measures.

Method: :func:`record_run` steps a fresh model to ``burn_in``, then takes a person-level
:class:`Snapshot` every ``every`` steps until ``steps`` (the last snapshot is at the last step
``burn_in + k * every`` that is <= ``steps``; the run itself goes on to ``steps``). A snapshot holds
each person's states at its step and, for the window since the previous snapshot, window sums read
as differences of the model's run totals (``Population.stressor_total``, ``given_total``,
``received_kind_total``, ``ties_lost_total``): window sum = total now - total at the previous
snapshot. For a person who arrived inside the window (and for every person in the first
snapshot, which has no previous one) the window sum is their total since arrival, so measures use
the windows of the second and later snapshots. Rows are the same person in two snapshots if and
only if both have the row and its ``arrived`` step is equal.

Contact rates per tie: the contacts over a tie (``TieStore.contacts``) in the last
``contact_window`` steps, divided by the weeks observed (one step is a week): contacts at the end
minus contacts at step ``steps - contact_window`` (found by tie key), over ``contact_window``
weeks; for a tie formed later than that, its contacts since it formed over ``steps - formed``
weeks (NaN for a tie formed in the last step: it has not been observed).

Source: the person-period panel design of the stylised facts (../shared/design/facts.md, "How to
measure"); windows as in Cohen & Wills (1985)-style buffering studies (stress in a window,
support at its start).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..kernels import quality_sum
from ..kinds import AVAILABILITY, TIE_KINDS
from .sisa import mood_record

if TYPE_CHECKING:  # pragma: no cover
    from ..model import SupportModel

__all__ = ["RunRecord", "Snapshot", "person_keys", "record_run", "same_person", "stable_rows"]


@dataclass
class Snapshot:
    """Person-level state at ``step``, and window sums since the previous snapshot.

    The first snapshot of a record has no previous one: its window sums are totals since each
    person arrived (since step 0 for the starting population), so the measures read windows
    from the second snapshot on.

    Attributes:
        step: The step of the snapshot.
        arrived: Step at which each row's person joined (int64); rows are the same person across
            snapshots if and only if these are equal.
        member: Population proper (not professionals).
        stress: Stress at ``step``.
        depression: Depression at ``step``.
        loneliness: Loneliness at ``step``.
        perceived_support: Perceived support at ``step``.
        degree: Number of ties at ``step`` (int64).
        stressor_load: Event magnitudes summed over the window.
        given: Support given over the window.
        received_by_kind: Support received over the window, by tie kind (n, 6).
        ties_lost: Ties of the person that ended in the window (int64).
        carer: Has a caring role at ``step`` (all False when the model has none).
        perceived_by_kind: Perceived support from each tie kind at ``step`` (n, 6): the model's
            perception formula over that kind's ties alone, trust times the integration they
            give (as the MSPSS asks about family and friends separately; Zimet et al. 1988).
    """

    step: int
    arrived: np.ndarray
    member: np.ndarray
    stress: np.ndarray
    depression: np.ndarray
    loneliness: np.ndarray
    perceived_support: np.ndarray
    degree: np.ndarray
    stressor_load: np.ndarray
    given: np.ndarray
    received_by_kind: np.ndarray
    ties_lost: np.ndarray
    carer: np.ndarray
    perceived_by_kind: np.ndarray

    @property
    def n(self) -> int:
        """Rows in this snapshot."""
        return len(self.arrived)


@dataclass
class RunRecord:
    """Everything the fact measures read from one finished run.

    Attributes:
        steps: The model's per-step measures (``model.dataframe()``), indexed by step.
        snapshots: Person snapshots: the first at ``burn_in``, then every ``every`` steps.
        n: Rows (people, professionals included) at the end.
        edges_u: Lower end of each tie at the end.
        edges_v: Higher end of each tie at the end (u < v).
        edges_kind: Kind code of each tie (int8, :data:`supportnet.kinds.TIE_KINDS`).
        contacts_per_week: Per tie at the end, contacts per week over the last ``contact_window``
            steps (or since it formed, if later; NaN if it formed in the last step).
        burn_in: Steps before the first snapshot (the measures' post-burn-in is steps >= this).
        every: Steps between snapshots.
        contact_window: Steps over which contact rates are measured.
        case_threshold: The run's depression case threshold.
        lonely_threshold: The run's loneliness threshold.
        carer_role: Whether the model has a caring role (a ``carer`` array on the population).
        seed: The run's seed (the measures' permutations and samples derive from it).
        mood: The SISa mood layer's events after the burn-in
            (:class:`~supportnet.analysis.sisa.MoodRecord`), or None when the mode was off.
    """

    steps: pd.DataFrame
    snapshots: list[Snapshot]
    n: int
    edges_u: np.ndarray
    edges_v: np.ndarray
    edges_kind: np.ndarray
    contacts_per_week: np.ndarray
    burn_in: int
    every: int
    contact_window: int
    case_threshold: float
    lonely_threshold: float
    carer_role: bool
    seed: int
    mood: Any = None

    def final_members(self) -> np.ndarray:
        """Members at the end, over the ``n`` rows (rows added after the last snapshot: no)."""
        last = self.snapshots[-1]
        out = np.zeros(self.n, bool)
        out[: last.n] = last.member[: self.n]
        return out

    def final_degree(self) -> np.ndarray:
        """Number of ties of each of the ``n`` rows at the end."""
        return np.bincount(self.edges_u, minlength=self.n) + np.bincount(
            self.edges_v, minlength=self.n
        )


def same_person(a: Snapshot, b: Snapshot) -> np.ndarray:
    """Mask over the rows of ``a`` that hold the same person in ``b``."""
    n = min(a.n, b.n)
    out = np.zeros(a.n, bool)
    out[:n] = a.arrived[:n] == b.arrived[:n]
    return out


def person_keys(rows: np.ndarray, arrived: np.ndarray) -> np.ndarray:
    """Return one int64 id per person: their row and arrival step, ``row << 32 | arrived``.

    A row is reused when its person leaves, so the row alone does not name a person across
    snapshots; row and arrival step together do (see :func:`same_person`). The arrival step is
    kept as its low 32 bits, so the negative steps of the starting population get ids of their
    own; regressions use the ids to cluster by person.

    Args:
        rows: Rows of the people (non-negative, below 2**31).
        arrived: Their arrival steps, one per row (int, may be negative; within 32 bits).

    Returns:
        int64 ids, equal exactly when both row and arrival step are equal.

    Examples:
        >>> person_keys(np.array([0, 0, 1]), np.array([-3, 5, -3])).tolist()
        [4294967293, 5, 8589934589]
    """
    low = np.asarray(arrived, dtype=np.int64) & np.int64(0xFFFFFFFF)
    return (np.asarray(rows, dtype=np.int64) << np.int64(32)) | low


def stable_rows(snapshots: list[Snapshot]) -> np.ndarray:
    """Mask over the rows of the first snapshot that hold the same person in every snapshot."""
    first = snapshots[0]
    out = np.ones(first.n, bool)
    for s in snapshots[1:]:
        out &= same_person(first, s)
    return out


class _Totals:
    """The run totals at one snapshot, to difference against at the next."""

    def __init__(self, pop):
        self.arrived = pop.arrived.copy()
        self.stressor = pop.stressor_total.copy()
        self.given = pop.given_total.copy()
        self.received = pop.received_kind_total.copy()
        self.lost = pop.ties_lost_total.copy()

    def window(self, current: np.ndarray, before: np.ndarray, pop) -> np.ndarray:
        """Total now minus total then, for rows that are the same person; else since arrival."""
        out = current.copy()
        k = min(len(before), len(current))
        same = pop.arrived[:k] == self.arrived[:k]
        out[:k][same] -= before[:k][same]
        return out


def _snapshot(model, previous: _Totals | None) -> tuple[Snapshot, _Totals]:
    pop = model.population
    now = _Totals(pop)
    if previous is None:
        stress_load, given, received, lost = now.stressor, now.given, now.received, now.lost
    else:
        stress_load = previous.window(now.stressor, previous.stressor, pop)
        given = previous.window(now.given, previous.given, pop)
        received = previous.window(now.received, previous.received, pop)
        lost = previous.window(now.lost, previous.lost, pop)
    carer = getattr(pop, "carer", None)
    snap = Snapshot(
        step=int(model.steps),
        arrived=now.arrived,
        member=pop.members.copy(),
        stress=pop.stress.copy(),
        depression=pop.depression.copy(),
        loneliness=pop.loneliness.copy(),
        perceived_support=pop.perceived_support.copy(),
        degree=model.ties.degree().astype(np.int64),
        stressor_load=stress_load.copy(),
        given=given.copy(),
        received_by_kind=received.copy(),
        ties_lost=lost.copy(),
        carer=np.zeros(pop.n, bool) if carer is None else np.asarray(carer, bool).copy(),
        perceived_by_kind=_perceived_by_kind(model),
    )
    return snap, now


def _perceived_by_kind(model) -> np.ndarray:
    """Perceived support from each tie kind: trust times the integration of that kind's ties."""
    t, pop = model.ties, model.population
    out = np.zeros((pop.n, len(TIE_KINDS)))
    for k in range(len(TIE_KINDS)):
        only = np.where(np.arange(len(TIE_KINDS)) == k, AVAILABILITY, 0.0)
        total = quality_sum(t.u, t.v, t.strength, t.conflict, t.kind, only, t.n_nodes)[: pop.n]
        out[:, k] = pop.trust * (1.0 - np.exp(-total / model.params.integration_saturation))
    return out


def _check(name: str, value, low: int, allowed: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"record_run: {name} must be {allowed}, got {value!r}")
    return int(value)


def _contact_rates(ties, before: tuple[np.ndarray, np.ndarray] | None, start: int, end: int):
    """Contacts per week per tie over steps (start, end], or since the tie formed if later."""
    contacts = ties.contacts.copy()
    weeks = end - np.maximum(ties.formed, start)
    if before is not None and len(before[0]):
        keys, counts = before
        pos = np.minimum(np.searchsorted(keys, ties.keys), len(keys) - 1)
        # The same tie as at `start`: its key was there and it formed no later. (A tie that
        # ended and formed again since has a later `formed`, and counts from then.)
        old = (keys[pos] == ties.keys) & (ties.formed <= start)
        contacts[old] -= counts[pos[old]]
    observed = weeks > 0
    return np.where(observed, contacts / np.where(observed, weeks, 1), np.nan)


def record_run(
    model: SupportModel,
    *,
    steps: int,
    burn_in: int,
    every: int = 13,
    contact_window: int = 52,
) -> RunRecord:
    """Run a fresh model to ``steps``, taking snapshots from ``burn_in`` every ``every`` steps.

    Args:
        model: A :class:`~supportnet.SupportModel` that has not been stepped yet.
        steps: Steps to run in all.
        burn_in: Step of the first snapshot (0 <= burn_in <= steps).
        every: Steps between snapshots (>= 1).
        contact_window: Steps over which contact rates per tie are measured (>= 1).

    Returns:
        The run record.

    Raises:
        ValueError: For a bad argument (the message names it, its value and what is allowed).
    """
    steps = _check("steps", steps, 0, "an integer >= 0")
    burn_in = _check("burn_in", burn_in, 0, "an integer >= 0")
    every = _check("every", every, 1, "an integer >= 1")
    contact_window = _check("contact_window", contact_window, 1, "an integer >= 1")
    if burn_in > steps:
        raise ValueError(f"record_run: burn_in must be at most steps ({steps}), got {burn_in!r}")
    if model.steps != 0:
        raise ValueError(
            f"record_run: model must be fresh (not stepped yet), it is at step {model.steps}"
        )
    window_start = max(steps - contact_window, 0)
    last_snapshot = burn_in + ((steps - burn_in) // every) * every
    before = None
    snapshots: list[Snapshot] = []
    totals: _Totals | None = None
    mood_start = None
    while True:
        t = model.steps
        if t == burn_in and model.mood is not None:
            mood_start = model.mood.tally.copy()
        if t == window_start and t > 0:
            before = (model.ties.keys.copy(), model.ties.contacts.copy())
        if t >= burn_in and (t - burn_in) % every == 0 and t <= last_snapshot:
            snap, totals = _snapshot(model, totals)
            snapshots.append(snap)
        if t >= steps:
            break
        model.step()
    ties, p = model.ties, model.params
    return RunRecord(
        steps=model.dataframe(),
        snapshots=snapshots,
        n=int(model.population.n),
        edges_u=ties.u.astype(np.int64),
        edges_v=ties.v.astype(np.int64),
        edges_kind=ties.kind.copy(),
        contacts_per_week=_contact_rates(ties, before, window_start, steps),
        burn_in=burn_in,
        every=every,
        contact_window=contact_window,
        case_threshold=float(p.case_threshold),
        lonely_threshold=float(p.lonely_threshold),
        carer_role=getattr(model.population, "carer", None) is not None,
        seed=abs(int(getattr(model, "_seed", 0) or 0)),
        mood=mood_record(model, mood_start),
    )
