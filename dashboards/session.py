"""What one browser session is doing: the settings being edited and the runs being watched.

Plain Python, no Solara: the page's components read a :class:`Session` and call its methods, and
tests drive it directly. Each browser session builds its own (the classroom server gives every
student an independent model).

A :class:`Run` is one model being watched, with what the views need beyond the model itself: the
network layout (seeded, relaxed incrementally), a ring buffer of every person's recent state (for
the inspector) and a log of recent support exchanges (who helped whom).
"""

from __future__ import annotations

import copy
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supportnet import PARAMETERS, PRESETS, ParameterError, SupportModel, make_params
from supportnet.kinds import TIE_KINDS
from supportnet.params import Preset
from supportnet.population import STATE_FIELDS as HISTORY_STATES

from .layout import IncrementalLayout

__all__ = [
    "COLOUR_MEASURES",
    "DEFAULT_SEED",
    "HISTORY_STATES",
    "MAX_PEOPLE",
    "SIZE_MEASURES",
    "SPEEDS",
    "DEFAULT_SPEED",
    "Comparison",
    "MeasureTable",
    "PersonHistory",
    "Run",
    "Session",
    "interventions_available",
    "mood_badness",
    "people_built",
    "preset_settings",
    "size_error",
]

DEFAULT_SEED = 42

#: Person measures the network can be coloured by: label, and whether a high value is bad
#: (the colour scale always runs from good to bad, so dark red means trouble whatever is shown).
COLOUR_MEASURES: Mapping[str, tuple[str, bool]] = {
    "stress": ("Stress", True),
    "depression": ("Depression", True),
    "loneliness": ("Loneliness", True),
    "capacity": ("Capacity to give", False),
    "perceived_support": ("Perceived support", False),
    "mood": ("Mood (SISa: content, neutral, discontent)", True),
}

#: Where each SISa mood (neutral, content, discontent) sits on the colour scale (0 good, 1 bad).
MOOD_BADNESS = np.array([0.5, 0.0, 1.0])


def mood_badness(model) -> np.ndarray:
    """Each row's mood as a place on the colour scale (all neutral when the mood layer is off)."""
    n = model.population.n
    out = np.full(n, MOOD_BADNESS[0])
    if model.mood is not None:
        k = min(len(model.mood.mood), n)  # rows added since the last step are neutral
        out[:k] = MOOD_BADNESS[model.mood.mood[:k]]
    return out


#: What people's size can show.
SIZE_MEASURES: Mapping[str, str] = {
    "degree": "Number of ties",
    "capacity": "Capacity to give",
    "none": "All the same",
}

#: Speed levels of Play in model steps per second, slowest first (the speed slider's stops; any
#: rate from the first to the last can be typed). When the server is busy, a frame runs several
#: steps so that the model keeps this pace (see :mod:`supportnet.dashboards.play`).
SPEEDS: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
#: The speed a session starts at (steps per second).
DEFAULT_SPEED = 10

#: Memory allowed for one run's person history (the ring buffer holds fewer steps when the
#: population is large).
HISTORY_BYTES = 8_000_000
#: Steps of exchanges kept for "who helped whom".
EXCHANGE_STEPS = 200
#: Largest population drawn in the network view (plots and monitors work at any size).
MAX_DRAWN = 5000
#: Largest population the dashboard builds, whatever builds it (the parameters, a preset, compare
#: mode's B, a run file, an uploaded network): a shared classroom server must stay responsive.
MAX_PEOPLE = 20_000
#: Networks of networkx's collection have a fixed size.
_FIXED_SIZES = {
    "karate_club": 34,
    "davis_southern_women": 32,
    "florentine_families": 15,
    "les_miserables": 77,
}


def interventions_available():
    """Return ``supportnet.interventions`` if it is installed, else None."""
    try:
        from supportnet import interventions
    except ImportError:
        return None
    return interventions if hasattr(interventions, "INTERVENTIONS") else None


def people_built(params) -> tuple[int, str]:
    """Return how many people ``params`` build, and what fixes that number (for messages).

    A network file fixes the population to its nodes; the file is read only to count them
    (unreadable files are left to the model, which says what is wrong with them).
    """
    kind = params["network"]
    if kind in _FIXED_SIZES:
        return _FIXED_SIZES[kind], f"network {kind!r}"
    if kind == "file" and params["network_file"]:
        from supportnet.generators import read_network_file

        try:
            n = read_network_file(params["network_file"]).n
        except (ParameterError, OSError, ValueError):
            return 0, ""
        return n, f"network file {Path(params['network_file']).name!r}"
    return int(params["n_people"]), "parameter 'n_people'"


def too_many(what: str, n: int) -> str:
    """The one message for anything over :data:`MAX_PEOPLE`."""
    return (
        f"{what}: {n:,} people is more than the dashboard builds (up to {MAX_PEOPLE:,} per "
        "model, so that no one session can stall a shared server); use `supportnet run` "
        "for larger populations"
    )


def size_error(params, prefix: str = "") -> str | None:
    """Return the message refusing ``params`` if they build more than :data:`MAX_PEOPLE`."""
    n, what = people_built(params)
    return too_many(prefix + what, n) if n > MAX_PEOPLE else None


class PersonHistory:
    """A ring buffer of every person's state over the most recent steps.

    Args:
        n: Number of people.
        budget_bytes: Memory allowed; sets how many steps are kept (between 50 and 500).
    """

    def __init__(self, n: int, budget_bytes: int = HISTORY_BYTES):
        per_step = max(n, 1) * len(HISTORY_STATES) * 4
        self.capacity = int(np.clip(budget_bytes // per_step, 50, 500))
        self.data = np.zeros((self.capacity, len(HISTORY_STATES), n), np.float32)
        self.steps = np.full(self.capacity, -1, np.int64)
        self.count = 0

    @property
    def n(self) -> int:
        """Number of people tracked."""
        return self.data.shape[2]

    def record(self, step: int, population) -> None:
        """Store everyone's state at ``step``."""
        n = population.n
        if n > self.n:
            grown = np.zeros((self.capacity, len(HISTORY_STATES), n), np.float32)
            grown[:, :, : self.n] = self.data
            self.data = grown
        slot = self.count % self.capacity
        for j, name in enumerate(HISTORY_STATES):
            self.data[slot, j, :n] = getattr(population, name)
        self.steps[slot] = step
        self.count += 1

    def series(self, person: int) -> pd.DataFrame:
        """Return one person's recorded states, indexed by step (oldest first)."""
        kept = min(self.count, self.capacity)
        order = (np.arange(self.count - kept, self.count)) % self.capacity
        if person < self.n:
            values = self.data[order, :, person]
        else:
            values = np.empty((0, len(HISTORY_STATES)))
        df = pd.DataFrame(values.astype(float), columns=list(HISTORY_STATES))
        df.index = pd.Index(self.steps[order], name="step")
        return df


class MeasureTable:
    """The per-step measures as a DataFrame, equal to ``model.dataframe()``, built up step by step.

    ``model.dataframe()`` converts the whole history from the collector's lists at every call: a
    picture's table then costs more the longer the run (about 7 ms at 340 steps). Here the
    values are kept in one growing float array and only the steps since the last call are
    converted; the frame returned is a view of its first rows (rows already filled never change).

    Args:
        collector: The model's Mesa DataCollector (its ``model_vars``: name -> list per step).
    """

    def __init__(self, collector):
        self._vars: dict[str, list] = collector.model_vars
        self._data = np.empty((64, len(self._vars)))
        self._rows = 0  # rows of _data filled
        self._frame: pd.DataFrame | None = None
        self._read_at = -1  # steps collected when _frame was made

    def read(self) -> pd.DataFrame:
        """The table of every step collected so far (index ``step``, one column per measure)."""
        columns = list(self._vars.values())
        rows = len(columns[0]) if columns else 0
        if self._frame is None or rows != self._read_at:
            new = [c[self._rows : rows] for c in columns]
            if all(isinstance(x, float) for c in new for x in c):
                self._frame = self._extended(np.array(new, dtype=float).T)
            else:  # pandas would infer other column types: the collector's own table
                self._frame = pd.DataFrame(self._vars)
            self._frame.index.name = "step"
            self._read_at = rows
        return self._frame

    def _extended(self, new: np.ndarray) -> pd.DataFrame:
        """Append the rows ``new`` (steps x measures); return the table of all rows."""
        rows = self._rows + len(new)
        if rows > len(self._data):
            grown = np.empty((max(rows, 2 * len(self._data)), self._data.shape[1]))
            grown[: self._rows] = self._data[: self._rows]
            self._data = grown
        self._data[self._rows : rows] = new
        self._rows = rows
        return pd.DataFrame(self._data[:rows], columns=list(self._vars), copy=False)


class Run:
    """One model being watched, with its layout, person history and exchange log.

    Args:
        params: The validated parameters.
        seed: The model's seed (also seeds the layout's own generator).
        interventions: Intervention specs (dicts for ``supportnet.interventions.build``).
        label: Name shown in compare mode ("A", "B").
        like: A run just built whose picture to reuse when this one starts from the same ties
            (compare mode: B then starts from A's picture, and differences show as they grow).
        lock: Held while the run steps; the views hold it while they read (Play steps in its
            own thread, and a half-made step can have tie arrays of different lengths).

    Raises:
        ParameterError: If the parameters or interventions are invalid (messages name the field).
    """

    def __init__(
        self,
        params,
        seed: int,
        interventions: tuple[dict[str, Any], ...] = (),
        label: str = "A",
        like: Run | None = None,
        lock: threading.RLock | None = None,
    ):
        self.lock = lock if lock is not None else threading.RLock()
        self.params = make_params(params)
        # The one place every model of the dashboard is built: the size cap holds for all.
        error = size_error(self.params, prefix="B: " if label == "B" else "")
        if error:
            raise ParameterError(error)
        built = []
        if interventions:
            iv = interventions_available()
            if iv is None:
                raise ParameterError("interventions are not installed in this version")
            built = [iv.build(dict(spec)) for spec in interventions]
        self.label = label
        self.seed = int(seed)
        self.intervention_specs = tuple(dict(s) for s in interventions)
        self.interventions = built
        self.model = SupportModel(rng=self.seed, params=self.params, interventions=built)
        pop, ties = self.model.population, self.model.ties
        self.drawn = pop.n <= MAX_DRAWN
        self.layout: IncrementalLayout | None = None
        if self.drawn:
            if like is not None and like.layout is not None and _same_ties(like.model, self.model):
                self.layout = copy.deepcopy(like.layout)
            else:
                self.layout = IncrementalLayout(
                    pop.n, ties.u, ties.v, ties.strength, seed=self.seed, group=pop.group
                )
        self.history = PersonHistory(pop.n)
        self.history.record(0, pop)
        self.exchanges: deque[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = deque(
            maxlen=EXCHANGE_STEPS
        )
        self._relaxed_at = 0  # the step the layout was last relaxed at
        self._table = MeasureTable(self.model.datacollector)

    @property
    def steps(self) -> int:
        """Steps run so far."""
        return self.model.steps

    def advance(self, steps: int = 1, stop: Callable[[], bool] | None = None) -> int:
        """Run ``steps`` steps, recording what the inspector needs, then update the layout once.

        Args:
            steps: Steps to run.
            stop: Checked before each step; when it returns True no further step is run (Pause
                takes effect within a step even at 50 steps per frame).

        Returns:
            The number of steps run.
        """
        with self.lock:
            return self._advance(steps, stop)

    def _advance(self, steps: int, stop: Callable[[], bool] | None) -> int:
        m = self.model
        done = 0
        renewed: list[np.ndarray] = []  # rows taken over by newcomers (turnover)
        for _ in range(int(steps)):
            if stop is not None and stop():
                break
            done += 1
            m.step()
            if m.last_step is not None and len(m.last_step.replaced):
                renewed.append(m.last_step.replaced)
            self.history.record(m.steps, m.population)
            giver, receiver, amount, kind = m.last_step.exchanges or ((), (), (), ())
            self.exchanges.append(
                (
                    m.steps,
                    np.array(giver, np.int32),
                    np.array(receiver, np.int32),
                    np.array(amount, float),
                    np.array(kind, np.int8),
                )
            )
        if done and self.layout is not None:
            ties, n = m.ties, m.population.n
            if n > self.layout.n:  # new people are placed at once (the views index by person)
                self.layout.grow(n - self.layout.n, ties.u, ties.v)
            if renewed:  # newcomers in leavers' rows: their own community, by their ties
                rows = np.unique(np.concatenate(renewed))
                rows = rows[rows < self.layout.n]
                self.layout.renew(rows, m.population.group[rows], ties.u, ties.v)
        return done

    def refresh_layout(self, inner: np.ndarray | None = None) -> None:
        """Relax the layout one gentle iteration on the current ties, once per picture.

        Called by the network view when it draws (not at every step): on a busy server a
        picture shows several steps, and relaxing for each of them would cost the server as much
        as the model itself (about 7 ms at 1,000 people) for pictures nobody sees. Nothing is
        done when the layout was already relaxed at this step.

        Args:
            inner: The ties' inner-circle flags (:func:`~supportnet.dashboards.layout.inner_circle`)
                if the caller has them (the view does); computed otherwise.
        """
        if self.layout is None or self._relaxed_at == self.model.steps:
            return
        self._relaxed_at = self.model.steps
        ties = self.model.ties
        self.layout.relax(ties.u, ties.v, ties.strength, iterations=1, inner=inner)

    # --- what the views read (under the lock) --------------------------------------------------
    def dataframe(self) -> pd.DataFrame:
        """The per-step measures so far (index = step), read consistently while Play runs."""
        with self.lock:
            return self._table.read()

    def values(self, name: str) -> np.ndarray:
        """A copy of a person state (``stress``, ..., ``degree``, ``mood``) for the members.

        ``mood`` is the place on the colour scale: 0 content, 0.5 neutral, 1 discontent.
        """
        with self.lock:
            pop = self.model.population
            if name == "degree":
                return self.model.ties.degree()[pop.members]
            if name == "mood":
                return mood_badness(self.model)[pop.members]
            return getattr(pop, name)[pop.members].copy()

    def person_ties(self, person: int) -> pd.DataFrame:
        """Return a person's ties: other person, kind, strength, balance, conflict."""
        with self.lock:
            return self._person_ties(person)

    def _person_ties(self, person: int) -> pd.DataFrame:
        t = self.model.ties
        mine = np.flatnonzero((t.u == person) | (t.v == person))
        lower = t.u[mine] == person
        return pd.DataFrame(
            {
                "other": np.where(lower, t.v[mine], t.u[mine]).astype(int),
                "kind": [TIE_KINDS[k] for k in t.kind[mine]],
                "strength": t.strength[mine],
                "balance": np.where(lower, t.balance[mine], -t.balance[mine]),
                "conflict": t.conflict[mine],
            }
        ).sort_values("strength", ascending=False, ignore_index=True)

    def helped(self, person: int) -> tuple[pd.DataFrame, pd.DataFrame, int]:
        """Return whom ``person`` helped and who helped them over the logged steps.

        Returns:
            Two tables (``other``, ``amount``, ``times``, ``kind`` of the tie), largest amounts
            first, and the number of steps logged.
        """

        def empty() -> pd.DataFrame:
            return pd.DataFrame(columns=["other", "amount", "times", "kind"])

        with self.lock:
            log = list(self.exchanges)
        if not log:
            return empty(), empty(), 0
        giver = np.concatenate([e[1] for e in log])
        receiver = np.concatenate([e[2] for e in log])
        amount = np.concatenate([e[3] for e in log])
        kind = np.concatenate([e[4] for e in log])
        kind_names = np.asarray(TIE_KINDS)

        def table(mask: np.ndarray, other: np.ndarray) -> pd.DataFrame:
            if not mask.any():
                return empty()
            df = pd.DataFrame(
                {
                    "other": other[mask].astype(int),
                    "amount": amount[mask],
                    "kind": kind_names[kind[mask]],
                }
            )
            out = df.groupby("other").agg(
                amount=("amount", "sum"), times=("amount", "size"), kind=("kind", "last")
            )
            return out.reset_index().sort_values("amount", ascending=False, ignore_index=True)

        return (
            table(giver == person, receiver),
            table(receiver == person, giver),
            len(self.exchanges),
        )


@dataclass(frozen=True)
class Comparison:
    """What condition B changes relative to A.

    Attributes:
        param: Name of the parameter B sets differently, or ``""`` when B instead runs without
            A's interventions.
        value: B's value of ``param``.
    """

    param: str = "buffering"
    value: Any = False

    def describe(self) -> str:
        """Say in words what differs in B."""
        if not self.param:
            return "B runs without the interventions"
        return f"B: {self.param} = {_show(self.value)}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


#: Field of errors that belong to no one control (shown in the sidebar's banner).
GENERAL = ""
#: Largest network file a session may upload (bytes).
MAX_UPLOAD = 20_000_000
_NAMED = re.compile(r"parameter '(\w+)'")


class Session:
    """The state of one dashboard session.

    Args:
        seed: The seed of the first run.
        preset: The preset the session starts from (its values, interventions and comparison).
        **values: Parameter values that override the preset's.

    Raises:
        ParameterError: If the starting values are invalid.

    Attributes:
        values: Parameter values being edited (applied to the model at :meth:`reset`).
        seed: The seed of the next reset.
        preset: Name of the preset the settings came from (None once edited away from it).
        interventions: Intervention specs switched on, by kind.
        comparison: What B changes, when compare mode is on (else None).
        runs: The run(s) being watched: ``[A]``, or ``[A, B]`` in compare mode.
        selected: Person selected in the inspector (None when nobody is).
        errors: Errors standing, by the field they belong to (a parameter's name, ``seed``,
            ``person``, ``compare``, ``upload``, ``runfile``; :data:`GENERAL` for none). A
            field's error goes when the field gets a good value, and all go at a successful
            reset.
        open_groups: Parameter groups the user has opened (they stay open whatever else
            redraws).
        frame: Counter bumped whenever the views should redraw.
        lock: Held while the runs are stepped or rebuilt (Play runs in its own thread).
    """

    def __init__(self, seed: int = DEFAULT_SEED, preset: str = "baseline", **values: Any):
        self.lock = threading.RLock()
        self.seed = int(seed)
        self.preset: str | None = preset
        base, self.interventions, self.comparison = preset_settings(PRESETS[preset])
        self.values: dict[str, Any] = dict(make_params(base, **values))
        self.runs: list[Run] = []
        self.selected: int | None = None
        self.errors: dict[str, str] = {}
        self.open_groups: set[str] = set()
        self.frame = 0
        if values:
            self.preset = self._matching_preset()
        if self.reset():
            raise ParameterError(self.error)

    # --- errors ----------------------------------------------------------------------------
    @property
    def error(self) -> str | None:
        """The most recent error still standing (None when there is none)."""
        return next(reversed(self.errors.values()), None)

    def _fail(self, field: str, message: str) -> str:
        self.errors.pop(field, None)  # re-inserted last: it is the most recent
        self.errors[field] = message
        return message

    def _fixed(self, field: str) -> None:
        """Clear ``field``'s error: it has a good value now.

        A combination error that named it goes too (the combination is checked again at reset).
        """
        message = self.errors.pop(field, None)
        if message is not None:
            for other in [f for f, m in self.errors.items() if m == message]:
                del self.errors[other]
        self.errors.pop(GENERAL, None)

    def error_of(self, field: str) -> str | None:
        """Return the error standing on ``field``, if any."""
        return self.errors.get(field)

    # --- reading ---------------------------------------------------------------------------
    @property
    def run(self) -> Run:
        """The main run (A)."""
        return self.runs[0]

    @property
    def model(self) -> SupportModel:
        """The main run's model."""
        return self.runs[0].model

    def pending(self) -> dict[str, Any]:
        """Return edited values that the running model does not use yet (applied at reset)."""
        running = self.run.params
        return {k: v for k, v in self.values.items() if running[k] != v}

    def interventions_pending(self) -> bool:
        """True when the interventions switched on differ from those of the running model."""
        return tuple(self.interventions.values()) != self.run.intervention_specs

    # --- editing ---------------------------------------------------------------------------
    def check(self, name: str, value: Any, field: str | None = None) -> tuple[Any, str | None]:
        """Check one parameter value on its own (type, range, size cap).

        Returns:
            ``(converted value, None)``, or ``(None, message)``; the message also stands as
            the error of ``field`` (the parameter's name unless given).
        """
        field = name if field is None else field
        if name not in PARAMETERS:
            return None, self._fail(field, f"unknown parameter {name!r}")
        try:
            value = PARAMETERS[name].check(value)
        except ParameterError as exc:
            return None, self._fail(field, str(exc))
        if name == "n_people" and value > MAX_PEOPLE:
            return None, self._fail(field, too_many("parameter 'n_people'", value))
        return value, None

    def set_value(self, name: str, value: Any) -> str | None:
        """Set one parameter for the next reset; return an error message or None.

        The value is checked on its own (type, range) here, and with the others at reset.
        """
        value, error = self.check(name, value)
        if error:
            return error
        self.values[name] = value
        self.preset = self._matching_preset()
        self._fixed(name)
        return None

    def _matching_preset(self, prefer: str | None = None) -> str | None:
        """Return the name of the preset the edited settings match (None when none does).

        A preset that carries interventions or a comparison matches only when the session has
        the same ones; a preset of values alone matches on the values (interventions and compare
        mode are then the user's own additions to its town). Of several matches, ``prefer`` (the
        name stored before) wins, then the one of the session's preset, then one that carries
        more than values (``lesson_loneliness`` has the values of ``baseline``).
        """
        found = []
        for name, p in PRESETS.items():
            try:
                values, interventions, comparison = preset_settings(p)
            except ParameterError:
                continue
            if values != self.values:
                continue
            if p.carries() and (interventions, comparison) != (
                self.interventions,
                self.comparison,
            ):
                continue
            found.append(name)
        for name in (prefer, self.preset):
            if name in found:
                return name
        found.sort(key=lambda name: not PRESETS[name].carries())  # stable: declared order
        return found[0] if found else None

    def set_seed(self, seed: Any) -> str | None:
        """Set the seed of the next reset; return an error message or None."""
        try:
            value = int(str(seed).strip())
        except (TypeError, ValueError):
            return self._fail("seed", f"seed: {seed!r} is not allowed; expected a whole number")
        if value < 0:
            return self._fail("seed", f"seed: {value} is not allowed; expected a whole number >= 0")
        self.seed = value
        self._fixed("seed")
        return None

    def choose_preset(self, name: str) -> str | None:
        """Load a preset and restart from it; return an error message or None.

        The preset's values replace the edited ones, its interventions replace those switched on
        (none for a preset without), and compare mode starts with its comparison (or stops, for
        a preset without one). All of it is applied in one reset; on error nothing changes.
        """
        if name not in PRESETS:
            return self._fail(GENERAL, f"unknown preset {name!r}; allowed: {', '.join(PRESETS)}")
        try:
            values, interventions, comparison = preset_settings(PRESETS[name])
        except ParameterError as exc:
            return self._fail(GENERAL, f"preset {name!r}: {exc}")
        with self.lock:
            saved = (self.values, self.interventions, self.comparison, self.preset)
            self.values, self.interventions, self.comparison = values, interventions, comparison
            self.preset = name
            error = self.reset()
            if error:
                self.values, self.interventions, self.comparison, self.preset = saved
                # The error belongs to the preset, not to the controls (they show the old values).
                self.errors = {f: m for f, m in self.errors.items() if m != error}
                return self._fail(GENERAL, f"preset {name!r}: {error}")
            return None

    def set_intervention(self, kind: str, settings: Mapping[str, Any] | None) -> str | None:
        """Switch an intervention on with ``settings`` (or off with None) for the next reset."""
        iv = interventions_available()
        field = f"intervention:{kind}"
        if iv is None:
            return self._fail(field, "interventions are not installed in this version")
        if settings is None:
            self.interventions.pop(kind, None)
        else:
            spec = {"kind": kind, **settings}
            try:
                iv.build(spec)
            except ParameterError as exc:
                return self._fail(field, str(exc))
            self.interventions[kind] = spec
        self.preset = self._matching_preset()
        self._fixed(field)
        return None

    def take_network_file(self, folder: Path, name: str, data: bytes) -> str | None:
        """Start from an uploaded network file (next reset); return an error message or None.

        The file is kept in ``folder`` under a name made from its content, and checked like
        every other way of building a model: readable, and within :data:`MAX_PEOPLE`.
        """
        import hashlib

        suffix = Path(name).suffix.lower()
        if len(data) > MAX_UPLOAD:
            return self._fail(
                "upload",
                f"network file {name!r}: {len(data) / 1e6:.1f} MB is more than the dashboard "
                f"reads (up to {MAX_UPLOAD / 1e6:.0f} MB)",
            )
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (hashlib.sha256(data).hexdigest()[:16] + suffix)
        path.write_bytes(data)
        values = {**self.values, "network": "file", "network_file": str(path)}
        try:
            params = make_params(values)
            from supportnet.generators import read_network_file

            n = read_network_file(path).n
        except ParameterError as exc:
            return self._fail("upload", str(exc).replace(str(path), name))
        if n > MAX_PEOPLE:
            return self._fail("upload", too_many(f"network file {name!r}", n))
        self.values = dict(params)
        self.preset = None
        self._fixed("upload")
        return None

    # --- running ---------------------------------------------------------------------------
    def reset(self) -> str | None:
        """Rebuild the run(s) from the edited values and the seed.

        On invalid values the running model is kept, and the error (naming the parameter)
        stands on each parameter it names and is returned.
        """
        with self.lock:
            try:
                params = make_params(self.values)
                specs = tuple(self.interventions.values())
                a = Run(params, self.seed, specs, label="A", lock=self.lock)
                runs = [a]
                if self.comparison is not None:
                    runs.append(self._build_b(a))
            except ParameterError as exc:
                message = str(exc)
                named = [n for n in _NAMED.findall(message) if n in PARAMETERS]
                if message.startswith("B: ") and self.comparison is not None:
                    named = ["compare"]
                for field in named or [GENERAL]:
                    self._fail(field, message)
                return message
            self.runs = runs
            if self.selected is not None and self.selected >= a.model.population.n:
                self.selected = None
            self.errors.clear()
            self.frame += 1
            return None

    def _build_b(self, a: Run) -> Run:
        c = self.comparison
        if c.param:
            params = make_params(a.params, **{c.param: c.value})
            specs = a.intervention_specs
        else:
            params, specs = a.params, ()
        return Run(params, self.seed, specs, label="B", like=a, lock=self.lock)

    def step(self, steps: int = 1, stop: Callable[[], bool] | None = None) -> int:
        """Advance every run by ``steps`` steps and ask the views to redraw.

        ``stop`` (see :meth:`Run.advance`) can end the frame early; in compare mode both runs
        then still make the same number of steps.

        Returns:
            The number of steps run.
        """
        with self.lock:
            done = self.runs[0].advance(steps, stop)
            for run in self.runs[1:]:
                run.advance(done)
            self.frame += 1
            self.errors.pop(GENERAL, None)
            return done

    def start_comparison(self, param: str, value: Any) -> str | None:
        """Turn compare mode on: A as edited, B with one change, both from the seed.

        Args:
            param: Parameter B sets differently, or ``""`` for "B without the interventions".
            value: B's value of it.

        Returns:
            An error message (standing on the ``compare`` field), or None.
        """
        if param:
            value, error = self.check(param, value, field="compare")
            if error:
                self.errors["compare"] = "B: " + error
                return self.errors["compare"]
        elif not self.interventions:
            return self._fail(
                "compare", "no interventions are switched on, so B would be the same as A"
            )
        old = self.comparison
        self.comparison = Comparison(param, value)
        err = self.reset()
        if err:
            self.comparison = old
            self.errors["compare"] = err
        else:
            self.preset = self._matching_preset()
        return err

    def stop_comparison(self) -> None:
        """Turn compare mode off (A keeps running)."""
        with self.lock:
            self.comparison = None
            self.runs = self.runs[:1]
            self.errors.pop("compare", None)
            self.preset = self._matching_preset()
            self.frame += 1

    def select(self, person: int | None) -> str | None:
        """Select a person for the inspector (None clears); return an error message or None."""
        if person is None:
            self.selected = None
            self._fixed("person")
            return None
        n = self.model.population.n
        try:
            person = int(person)
        except (TypeError, ValueError):
            return self._fail(
                "person", f"person: {person!r} is not allowed; expected a whole number"
            )
        if not 0 <= person < n:
            return self._fail(
                "person", f"person: {person} is not allowed; expected a number from 0 to {n - 1}"
            )
        self.selected = person
        self._fixed("person")
        return None


def preset_settings(
    preset: Preset,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], Comparison | None]:
    """Return what choosing ``preset`` sets in a session, checked.

    Returns:
        The parameter values (all of them, validated), the interventions by kind (each spec
        complete, with every setting, as the Interventions panel keeps them), and the comparison
        (None for a preset without one).

    Raises:
        ParameterError: If a value, an intervention or the comparison is invalid, or the preset
            has interventions and they are not installed.
    """
    values = dict(preset.params())
    interventions: dict[str, dict[str, Any]] = {}
    if preset.interventions:
        iv = interventions_available()
        if iv is None:
            raise ParameterError("interventions are not installed in this version")
        for spec in preset.interventions:
            full = iv.build(dict(spec)).spec()
            interventions[full["kind"]] = full
    if preset.compare is None:
        return values, interventions, None
    param, value = preset.compare
    if param:
        if param not in PARAMETERS:
            raise ParameterError(f"compare: unknown parameter {param!r}")
        value = PARAMETERS[param].check(value)
    elif not interventions:
        raise ParameterError("compare: B runs without the interventions, but there are none")
    return values, interventions, Comparison(param, value)


def _same_ties(a: SupportModel, b: SupportModel) -> bool:
    ta, tb = a.ties, b.ties
    return ta.m == tb.m and np.array_equal(ta.u, tb.u) and np.array_equal(ta.v, tb.v)
