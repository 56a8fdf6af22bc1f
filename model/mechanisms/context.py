"""What the phases of one step share: the state, and what earlier phases of the step produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..network import TieStore
from ..params import Params
from ..population import Population

__all__ = ["StepContext", "arc_ends", "draw_per_tie"]


@dataclass
class StepContext:
    """State and scratch for one step.

    Attributes:
        pop: The people's arrays (updated in place).
        ties: The tie store (updated in place).
        params: The parameters.
        rng: The model's generator. Draws are made in a fixed order so that a per-agent
            implementation making the same draws reproduces the step exactly.
        step: Number of the step being run (1 for the first).
        shock: Mask of people under a shock this step (all False when none).
        flow_uv: Support given this step over each tie from ``u`` to ``v``.
        flow_vu: Support given this step over each tie from ``v`` to ``u``.
        contact: Ties with contact this step (support exchange or routine contact).
        ask_arcs: Arcs (index into the 2m arc list) on which someone asked for help.
        ask_need: Total need of the asker at the time of asking, per person.
        given_by_type: Support given this step per support type (4,).
        given_by_kind: Support given this step per tie kind (6,).
        exchanges: (giver, receiver, amount, tie kind) arrays of this step's support.
        formed: Ties formed this step; ended: ties ended this step.
        contacts: Everyday contacts per tie this step (the contact phase's counts).
        replaced: People who left this step, their rows now newcomers (the turnover phase).
        cohesion: Contact factor of each neighbourhood (G x G, row-major), or None (all 1).
        families: Number of family slots of the town (:mod:`supportnet.families`).
        mood: The SISa mood layer's state (:class:`~supportnet.mechanisms.mood.MoodState`), or
            None when the mode is off.
    """

    pop: Population
    ties: TieStore
    params: Params
    rng: np.random.Generator
    step: int
    shock: np.ndarray
    flow_uv: np.ndarray = field(default=None)  # type: ignore[assignment]
    flow_vu: np.ndarray = field(default=None)  # type: ignore[assignment]
    contact: np.ndarray = field(default=None)  # type: ignore[assignment]
    ask_arcs: np.ndarray = field(default=None)  # type: ignore[assignment]
    ask_need: np.ndarray = field(default=None)  # type: ignore[assignment]
    given_by_type: np.ndarray = field(default_factory=lambda: np.zeros(4))
    given_by_kind: np.ndarray = field(default_factory=lambda: np.zeros(6))
    exchanges: tuple = field(default_factory=tuple)
    formed: int = 0
    ended: int = 0
    contacts: np.ndarray = field(default=None)  # type: ignore[assignment]
    replaced: np.ndarray = field(default=None)  # type: ignore[assignment]
    cohesion: np.ndarray = field(default=None)  # type: ignore[assignment]
    families: int = 0
    mood: Any = None

    def __post_init__(self) -> None:
        m = self.ties.m
        if self.flow_uv is None:
            self.flow_uv = np.zeros(m)
            self.flow_vu = np.zeros(m)
            self.contact = np.zeros(m, bool)
            self.ask_arcs = np.zeros(0, np.int64)
            self.ask_need = np.zeros(self.pop.n)
        if self.contacts is None:
            self.contacts = np.zeros(m)
            self.replaced = np.zeros(0, np.int64)

    def used_ties(self) -> np.ndarray:
        """Slots of the ties that carried support this step (either way)."""
        return np.flatnonzero(self.used_mask())

    def used_mask(self) -> np.ndarray:
        """Per tie, whether it carried support this step (either way)."""
        return (self.flow_uv + self.flow_vu) > 0

    def arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (source, target, tie slot) of the 2m arcs: u->v for every tie, then v->u."""
        t = self.ties
        m = t.m
        slots = np.arange(m)
        return (
            np.concatenate([t.u, t.v]),
            np.concatenate([t.v, t.u]),
            np.concatenate([slots, slots]),
        )


def draw_per_tie(rng: np.random.Generator, ties: TieStore, count: int = 1) -> np.ndarray:
    """Draw ``count`` uniforms per tie, in canonical (u, v) order (which is slot order).

    The tie store keeps its slots in canonical order, so the draws line up with the arrays and an
    implementation that stores ties differently can make the same draws by visiting ties in
    (u, v) order.

    Returns:
        An array (count, m) of uniforms, column ``s`` belonging to the tie in slot ``s``.
    """
    return rng.random((count, ties.m))


def arc_ends(ties: TieStore, arcs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (source, target, tie slot) of the given arcs (indices into the 2m arc list).

    The same as indexing :meth:`StepContext.arcs`, without building arrays over all 2m arcs.
    """
    m = ties.m
    forward = arcs < m
    slot = np.where(forward, arcs, arcs - m)
    u, v = ties.u[slot], ties.v[slot]
    return np.where(forward, u, v), np.where(forward, v, u), slot
