"""The shared interface of every intervention: settings, timing, budget, targeting, bookkeeping.

An intervention is built from settings (:meth:`Intervention.__init__`, validated against its
declared parameters) and handed to ``SupportModel(interventions=[...])``. The model calls
:meth:`Intervention.setup` once, at construction, and :meth:`Intervention.act` at the end of every
step, after the phases and before the step is measured.

Timing. An intervention acts at the end of steps ``start, start + 1, ..., start + duration - 1``
(step 0 is the model's construction, so ``start = 0`` acts before the first step). What it
changes (ties, capacities, willingness to ask, tie formation) shapes the steps that follow.

Budget. ``budget`` is spent per step while the intervention acts, in budget units shared by all
interventions. Each intervention declares its ``cost``: the units one person reached (per step, or
once) or one tie created costs, so ``floor(budget / cost)`` people or ties are bought per step and
interventions can be compared on equal budgets. A budget below the cost of one unit buys nothing
and the intervention does nothing at all.

Randomness. An intervention never draws from ``model.rng``: it draws from its own generator,
seeded from the model's seed and the intervention's position in the model's list. So a zero budget
(or a run before ``start``) leaves the model's random stream, and therefore the whole run,
bit-for-bit identical to a run without the intervention.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..params import Param, ParameterError, _fmt
from .targeting import TARGETING_RULES, rank

__all__ = ["COMMON_PARAMETERS", "Intervention", "InterventionError", "did_you_mean"]

#: Longest duration a setting may ask for; the default lasts this long (longer than any run).
FOREVER = 1_000_000

# Salt of intervention streams, so they never coincide with the model's other derived streams.
_STREAM_SALT = 0x1A7E


class InterventionError(ParameterError):
    """An intervention kind, setting or combination that cannot be accepted."""


def did_you_mean(name: str, options) -> str:
    """Return `` (did you mean 'x'?)`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(str(name), list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _param(name, type_, default, low=None, high=None, unit="", meaning="", choices=()) -> Param:
    return Param(name, type_, default, low, high, unit, meaning, "interventions", choices)


#: Settings every intervention has (``targeting``'s default differs by kind).
COMMON_PARAMETERS: tuple[Param, ...] = (
    _param("start", int, 0, 0, FOREVER, "step",
           "Step at whose end it first acts (0 = before the first step)"),
    _param("duration", int, FOREVER, 0, FOREVER, "steps",
           "Steps it acts for (0 = never; the default outlasts any run)"),
    _param("budget", float, 10.0, 0, 1e9, "units per step",
           "Budget units spent per step while it acts (0 = it does nothing)"),
    _param("targeting", str, "random", meaning="Whom it reaches first",
           choices=TARGETING_RULES),
)  # fmt: skip


class Intervention:
    """Base class: one intervention with its settings, timing, budget and targeting.

    Subclasses declare ``kind``, ``title``, ``summary``, ``source``, ``cost_unit``,
    ``DEFAULT_TARGETING`` and ``OWN_PARAMETERS`` (which must include ``cost``), and implement
    :meth:`apply` (called at the end of each step in the window). They may override
    :meth:`prepare` (at setup), :meth:`every_step` (every step, before ``apply``), :meth:`stop`
    (once, at the end of the first step after the window) and :meth:`check_params`.

    Settings are attributes (``iv.budget``, ``iv.cost``, ...); :attr:`settings` holds them all.

    Attributes:
        settings: The validated settings (every declared parameter).
        spent: Budget units spent so far.
        ties_created: Ties the intervention has created so far.
        ties_ended: Ties the intervention has ended so far (professional help: finished courses).
        first_reached: Step at which each person was first reached (-1: never).
        steps_acted: Steps on which the intervention acted.
    """

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    source: ClassVar[str] = ""
    cost_unit: ClassVar[str] = ""
    DEFAULT_TARGETING: ClassVar[str] = "random"
    OWN_PARAMETERS: ClassVar[tuple[Param, ...]] = ()
    PARAMETERS: ClassVar[Mapping[str, Param]] = MappingProxyType({})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        common = [
            dataclasses.replace(p, default=cls.DEFAULT_TARGETING) if p.name == "targeting" else p
            for p in COMMON_PARAMETERS
        ]
        declared = {p.name: p for p in (*common, *cls.OWN_PARAMETERS)}
        clash = [n for n in declared if n not in {p.name for p in COMMON_PARAMETERS}]
        clash = [n for n in clash if hasattr(Intervention, n)]
        if clash:  # a setting would shadow a method of the interface
            raise TypeError(f"{cls.__name__}: settings {clash} clash with Intervention attributes")
        cls.PARAMETERS = MappingProxyType(declared)

    @classmethod
    def parameters(cls) -> Mapping[str, Param]:
        """Return the declared settings by name: the common ones, then the kind's own."""
        return cls.PARAMETERS

    # --- construction and validation -------------------------------------------------------
    def __init__(self, **settings: Any):
        values = {name: p.default for name, p in self.PARAMETERS.items()}
        for name, value in settings.items():
            if name not in self.PARAMETERS:
                raise InterventionError(
                    f"intervention '{self.kind}': unknown setting {name!r}"
                    f"{did_you_mean(name, self.PARAMETERS)}; allowed: " + ", ".join(self.PARAMETERS)
                )
            try:
                values[name] = self.PARAMETERS[name].check(value)
            except InterventionError:
                raise
            except ParameterError as exc:
                msg = str(exc).replace(f"parameter '{name}'", f"setting '{name}'", 1)
                raise InterventionError(f"intervention '{self.kind}': {msg}") from None
        self.check_settings(values)
        self._settings = dict(values)
        for name, value in values.items():
            setattr(self, name, value)
        self._reset(0)

    @property
    def settings(self) -> Mapping[str, Any]:
        """The validated settings (read-only)."""
        return MappingProxyType(self._settings)

    def check_settings(self, values: Mapping[str, Any]) -> None:
        """Reject combinations of settings that are each allowed but cannot work together."""

    def check_params(self, params) -> None:
        """Reject settings that cannot work with these model parameters.

        Called at setup with the model's parameters, and by config validation with every
        design point's, so a sweep refuses before any run what every run would refuse.
        """

    def fail(self, message: str) -> None:
        """Raise an :class:`InterventionError` naming this intervention."""
        raise InterventionError(f"intervention '{self.kind}': {message}")

    @property
    def units(self) -> int:
        """People or ties the budget buys per step: ``floor(budget / cost)``."""
        return int(math.floor(self.budget / self.cost + 1e-9))

    @property
    def end(self) -> int:
        """First step at whose end the intervention no longer acts."""
        return self.start + self.duration

    def active_at(self, step: int) -> bool:
        """Whether the intervention acts at the end of ``step``."""
        return self.units > 0 and self.start <= step < self.end

    def spec(self) -> dict[str, Any]:
        """Return a spec that :func:`~.interventions.build` turns back into an equal object."""
        return {"kind": self.kind, **self.settings}

    def __repr__(self) -> str:
        changed = {
            k: v for k, v in self.settings.items() if v != self.PARAMETERS[k].default
        }  # fmt: skip
        inner = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"{type(self).__name__}({inner})"

    # --- the model's calls -----------------------------------------------------------------
    def setup(self, model) -> None:
        """Attach to a newly built model (resets all state: one model at a time), act at step 0."""
        self.check_params(model.params)
        self._reset(model.population.n)
        position = next((i for i, iv in enumerate(model.interventions) if iv is self), 0)
        self.rng = np.random.default_rng([abs(int(model._seed)), _STREAM_SALT, position])
        self.prepare(model)
        if self.units == 0:
            return  # a zero budget does nothing at all
        self._tick(model, 0)

    def act(self, model, ctx) -> None:
        """Act at the end of a step (the model calls this after the phases, before measuring)."""
        if self.units == 0:
            return
        made, ended = self.ties_created, self.ties_ended
        self._tick(model, ctx.step)
        # The step's tie counts include what the intervention made and ended.
        ctx.formed += self.ties_created - made
        ctx.ended += self.ties_ended - ended

    def people_replaced(self, model, people: np.ndarray) -> None:
        """Forget ``people``: they left the town and newcomers took their rows (turnover).

        Resets who was reached and lets the intervention drop them from its own records
        (:meth:`forget`). Their ties, professional ones included, have already ended.
        """
        people = np.asarray(people, np.int64)
        people = people[people < self.n0]
        if len(people) == 0:
            return
        self.first_reached[people] = -1
        self.forget(model, people)

    def forget(self, model, people: np.ndarray) -> None:
        """Drop ``people`` (who left the town) from the intervention's own records."""

    def _tick(self, model, step: int) -> None:
        self.every_step(model, step)
        if self.start <= step < self.end:
            self.steps_acted += 1
            self.apply(model, step)
        elif step >= self.end and self.steps_acted and not self._stopped:
            self._stopped = True
            self.stop(model, step)

    def _reset(self, n: int) -> None:
        self.n0 = n
        self.spent = 0.0
        self.ties_created = 0
        self.ties_ended = 0
        self.first_reached = np.full(n, -1, np.int64)
        self.steps_acted = 0
        self._stopped = False
        self.rng: np.random.Generator | None = None

    # --- for subclasses ----------------------------------------------------------------------
    def prepare(self, model) -> None:
        """Set up the intervention's own state (must not change the model)."""

    def every_step(self, model, step: int) -> None:
        """Observe the model at the end of every step, before :meth:`apply`.

        Must not change the model before the intervention first acts.
        """

    def apply(self, model, step: int) -> None:
        """Act at the end of ``step`` (inside the window)."""
        raise NotImplementedError

    def stop(self, model, step: int) -> None:
        """Undo what only lasts while the intervention runs (once, after the window)."""

    def candidates(self, model) -> np.ndarray:
        """Return the people the intervention could reach (the population, not professionals)."""
        return np.flatnonzero(model.population.members[: self.n0])

    def ranked(self, model, candidates: np.ndarray) -> np.ndarray:
        """Return ``candidates`` in targeting order."""
        return rank(self.targeting, model.population, model.ties, candidates, self.rng)

    def reach(self, people: np.ndarray, step: int) -> None:
        """Record that ``people`` were reached at ``step``."""
        people = np.asarray(people, np.int64)
        first = self.first_reached[people] < 0
        self.first_reached[people[first]] = step

    def spend(self, units: int) -> None:
        """Record ``units`` bought at this intervention's cost."""
        self.spent += units * self.cost

    def conflict_draws(self, model, k: int) -> np.ndarray:
        """Draw conflict levels of ``k`` new ties, uniform on [0, 2 x conflict_mean]."""
        return np.clip(model.params.conflict_mean * 2.0 * self.rng.random(k), 0.0, 1.0)

    @property
    def reached(self) -> int:
        """Number of different people reached so far."""
        return int((self.first_reached >= 0).sum())

    def status(self) -> dict[str, Any]:
        """Return what the intervention has done so far, for summaries and dashboards."""
        return {
            "kind": self.kind,
            "acted_steps": self.steps_acted,
            "spent": float(self.spent),
            "reached": self.reached,
            "ties_created": int(self.ties_created),
        }

    def follow_up(self) -> int:
        """Steps after a person is first reached at which a trial measures the outcome."""
        return 12


def describe_parameter(p: Param) -> str:
    """Return the allowed values of a setting in words (for tables)."""
    if p.type is str:
        return ", ".join(p.choices)
    return f"{_fmt(p.low)} – {_fmt(p.high)}"
