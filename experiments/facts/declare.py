"""The facts battery, declared once: reading and checking ``facts.toml``.

:func:`load_battery` reads the declarations (the shipped ``facts.toml`` or a researcher's own file)
and returns a :class:`Battery`, or raises :class:`~supportnet.experiments.config.ConfigError`
listing every problem, each naming the file, the fact, the key and what is allowed. Parameter
values are checked later, when the runs are planned (:mod:`.plan`), because they depend on the
preset and ``--set`` values a battery is run with.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError

__all__ = [
    "FACTS_FILE",
    "TARGET_KINDS",
    "Arm",
    "Battery",
    "Check",
    "Fact",
    "Requirement",
    "Setting",
    "load_battery",
    "parse_battery",
]

#: The shipped declarations.
FACTS_FILE = Path(__file__).resolve().parent / "facts.toml"

#: How a check's target is stated (see the header of facts.toml).
TARGET_KINDS = ("band", "above", "below", "not_above", "null")

#: Statistics computed on the mean over seeds of the runs' per-step series (``ensemble = true``).
ENSEMBLE_STATS = ("burn_in",)

_SETTING_KEYS = ("label", "burn_in", "measure_steps", "seeds", "every", "contact_window", "quick")
_QUICK_KEYS = ("burn_in", "measure_steps", "seeds")
_FACT_KEYS = (
    "id", "title", "claim", "source", "why", "method", "setting", "measure", "arms", "checks",
    "requires",
)  # fmt: skip
_ARM_KEYS = ("name", "set", "scale", "trials")
_CHECK_KEYS = (
    "stat", "ratio", "arm", "contrast", "label", "published", "ensemble", *TARGET_KINDS,
)  # fmt: skip
_REQUIRE_KEYS = ("stat", "at_least", "at_most", "why")


@dataclass(frozen=True)
class Setting:
    """How the runs behind some facts are made.

    Attributes:
        name: Key in ``[settings]``.
        label: One line for reports.
        burn_in: Steps run before anything is measured.
        measure_steps: Steps measured after the burn-in (0 for trials, which run to their
            follow-up).
        seeds: Independent replications.
        every: Steps between person snapshots.
        contact_window: Steps over which contact frequencies are counted, at the end.
        quick: Values that replace burn_in, measure_steps and seeds in a quick battery.
    """

    name: str
    label: str
    burn_in: int
    measure_steps: int
    seeds: int
    every: int
    contact_window: int
    quick: Mapping[str, int] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Steps per run (burn-in plus the measured steps)."""
        return self.burn_in + self.measure_steps

    def resolved(self, *, quick: bool, seeds: int | None, burn_in: int | None = None) -> Setting:
        """Return the setting as run: quick values, then the user's seed count and burn-in."""
        values = dict(self.quick) if quick else {}
        if seeds is not None:
            values["seeds"] = seeds
        if burn_in is not None:
            values["burn_in"] = burn_in
        if not values:
            return self
        from dataclasses import replace

        return replace(self, **values, quick={})


@dataclass(frozen=True)
class Arm:
    """One way of running a setting: parameter changes from the base, or twin trials.

    Attributes:
        name: Name within its fact (checks refer to it).
        set: Parameter values that replace the base values.
        scale: Factors that multiply the base values (so a variant's own rate is scaled).
        trials: Interventions tried in twin trials (each with a ``label``), for the trial measure.
    """

    name: str
    set: Mapping[str, Any] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    trials: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Requirement:
    """A condition on a statistic's mean without which a fact cannot be measured.

    Attributes:
        stat: The statistic (a key of the fact's measure).
        at_least: It must be at least this.
        at_most: It must be at most this.
        why: What it means when it fails, in words.
    """

    stat: str
    at_least: float | None = None
    at_most: float | None = None
    why: str = ""

    def holds(self, value: float) -> bool:
        """Return True when ``value`` (the mean over seeds) meets the requirement."""
        if not math.isfinite(value):
            return False
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)


@dataclass(frozen=True)
class Check:
    """One target of a fact: a statistic (or a ratio or a contrast of arms) and its band.

    Attributes:
        label: Short name in tables and figures.
        stat: The statistic, a key of the fact's measure (None for a ratio).
        ratio: Two statistics whose ratio of means is judged (numerator, denominator).
        arm: The arm it is read in (default: the fact's first arm).
        contrast: Two arms whose difference (first minus second) is judged, seed by seed.
        kind: One of :data:`TARGET_KINDS`.
        low: Lower end of the band (``band``), or the value for ``above``/``below``/``not_above``.
        high: Upper end of the band (``band`` only).
        published: The published value, for figures (NaN when there is none).
        ensemble: The statistic is computed on the mean over seeds of the runs' per-step series
            (``ENSEMBLE_STATS``), with a bootstrap interval over seeds, not per run.
    """

    label: str
    stat: str | None
    ratio: tuple[str, str] | None
    arm: str | None
    contrast: tuple[str, str] | None
    kind: str
    low: float
    high: float
    published: float = math.nan
    ensemble: bool = False

    @property
    def stats(self) -> tuple[str, ...]:
        """The statistics this check reads."""
        return self.ratio if self.ratio else (self.stat,)  # type: ignore[return-value]

    def target_text(self) -> str:
        """The target in words, e.g. ``0.25 to 1`` or ``< 0``."""
        if self.kind == "band":
            return f"{_num(self.low)} to {_num(self.high)}"
        if self.kind == "above":
            return f"> {_num(self.low)}"
        if self.kind == "below":
            return f"< {_num(self.low)}"
        if self.kind == "not_above":
            return f"not > {_num(self.low)}"
        return "contains 0"


@dataclass(frozen=True)
class Fact:
    """One published pattern the model is held to."""

    id: str
    title: str
    claim: str
    source: str
    why: str
    method: str
    setting: str
    measure: str
    arms: tuple[Arm, ...]
    checks: tuple[Check, ...]
    requires: tuple[Requirement, ...] = ()

    def arm(self, name: str | None) -> Arm:
        """Return the arm called ``name`` (the first arm for None)."""
        if name is None:
            return self.arms[0]
        return next(a for a in self.arms if a.name == name)


@dataclass(frozen=True)
class Battery:
    """The declared facts and the settings they are measured at.

    Attributes:
        seed: Seed every run's seed is derived from.
        settings: Settings by name.
        facts: The facts, in declaration order.
        source: The file they came from.
    """

    seed: int
    settings: Mapping[str, Setting]
    facts: tuple[Fact, ...]
    source: str = ""

    def fact(self, fact_id: str) -> Fact:
        """Return the fact called ``fact_id``."""
        return next(f for f in self.facts if f.id == fact_id)

    def select(self, ids: list[str] | None) -> tuple[Fact, ...]:
        """Return the facts named in ``ids`` (all for None); ConfigError names unknown ones."""
        if not ids:
            return self.facts
        known = [f.id for f in self.facts]
        bad = [i for i in ids if i not in known]
        if bad:
            raise ConfigError(
                [
                    f"unknown fact {b!r}{_did_you_mean(b, known)}; facts: {', '.join(known)}"
                    for b in bad
                ]
            )
        return tuple(f for f in self.facts if f.id in ids)


def _num(x: float) -> str:
    return f"{x:g}"


def _did_you_mean(name: str, options) -> str:
    close = difflib.get_close_matches(str(name), list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_battery(path: str | Path | None = None) -> Battery:
    """Read and check a facts file (the shipped one by default).

    Raises:
        ConfigError: Listing every problem found.
    """
    path = Path(path) if path is not None else FACTS_FILE
    if not path.is_file():
        raise ConfigError([f"{path}: no such facts file"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot be read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return parse_battery(data, source=str(path))


class _Problems:
    def __init__(self, source: str):
        self.where = source or "facts"
        self.items: list[str] = []

    def add(self, text: str) -> None:
        self.items.append(f"{self.where}: {text}")

    def unknown_keys(self, table: Mapping[str, Any], allowed, what: str) -> None:
        for key in table:
            if key not in allowed:
                self.add(
                    f"{what}: unknown key {key!r}{_did_you_mean(key, allowed)}; "
                    f"allowed: {', '.join(allowed)}"
                )

    def integer(self, table, key, what, low: int, default=None) -> int:
        value = table.get(key, default)
        if value is None:
            self.add(f"{what}: '{key}' is missing; give a whole number >= {low}")
            return low
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.add(
                f"{what}: '{key}' = {value!r} is not allowed; expected a whole number >= {low}"
            )
            return low
        return value

    def text(self, table, key, what, required=True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(f"{what}: '{key}' must be a non-empty text")
            return ""
        return " ".join(value.split())


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    x = float(value)
    return x if not math.isnan(x) else None


def parse_battery(data: Mapping[str, Any], source: str = "") -> Battery:
    """Check parsed TOML data and build the :class:`Battery`.

    Raises:
        ConfigError: Listing every problem found.
    """
    from .measures import measure_names

    pr = _Problems(source)
    pr.unknown_keys(data, ("seed", "settings", "facts"), "top level")
    seed = pr.integer(data, "seed", "top level", 0, default=0)
    settings: dict[str, Setting] = {}
    raw_settings = data.get("settings", {})
    if not isinstance(raw_settings, Mapping) or not raw_settings:
        pr.add("[settings]: at least one setting is needed")
        raw_settings = {}
    for name, table in raw_settings.items():
        what = f"setting '{name}'"
        if not isinstance(table, Mapping):
            pr.add(f"{what}: must be a table")
            continue
        pr.unknown_keys(table, _SETTING_KEYS, what)
        quick = table.get("quick", {})
        if not isinstance(quick, Mapping):
            pr.add(f"{what}: 'quick' must be a table")
            quick = {}
        pr.unknown_keys(quick, _QUICK_KEYS, f"{what}, quick")
        quick_values = {
            k: pr.integer(quick, k, f"{what}, quick", 1 if k == "seeds" else 0) for k in quick
        }
        settings[name] = Setting(
            name=name,
            label=pr.text(table, "label", what),
            burn_in=pr.integer(table, "burn_in", what, 0),
            measure_steps=pr.integer(table, "measure_steps", what, 0),
            seeds=pr.integer(table, "seeds", what, 1),
            every=pr.integer(table, "every", what, 1, default=13),
            contact_window=pr.integer(table, "contact_window", what, 1, default=52),
            quick=quick_values,
        )

    facts: list[Fact] = []
    raw_facts = data.get("facts", [])
    if not isinstance(raw_facts, list) or not raw_facts:
        pr.add("[[facts]]: at least one fact is needed")
        raw_facts = []
    seen: set[str] = set()
    known_measures = measure_names()
    for i, table in enumerate(raw_facts, 1):
        if not isinstance(table, Mapping):
            pr.add(f"fact {i}: must be a table")
            continue
        fid = table.get("id", f"#{i}")
        what = f"fact '{fid}'"
        pr.unknown_keys(table, _FACT_KEYS, what)
        if not isinstance(fid, str) or not fid or not all(c.isalnum() or c in "-_" for c in fid):
            pr.add(f"fact {i}: 'id' = {fid!r} is not allowed; letters, digits, '-' and '_'")
        elif fid in seen:
            pr.add(f"{what}: the id is used twice")
        seen.add(str(fid))
        setting = table.get("setting", "")
        if setting not in settings:
            pr.add(
                f"{what}: setting {setting!r} is not declared{_did_you_mean(setting, settings)}; "
                f"settings: {', '.join(settings)}"
            )
        measure = table.get("measure", "")
        if measure not in known_measures:
            pr.add(
                f"{what}: measure {measure!r} is unknown{_did_you_mean(measure, known_measures)}; "
                f"measures: {', '.join(known_measures)}"
            )
        arms = _arms(table.get("arms", [{"name": "default"}]), what, pr)
        arm_names = [a.name for a in arms]
        checks = _checks(table.get("checks", []), what, arm_names, pr)
        requires = _requires(table.get("requires", []), what, pr)
        if measure == "trial" and not any(a.trials for a in arms):
            pr.add(f"{what}: the trial measure needs an arm with 'trials'")
        facts.append(
            Fact(
                id=str(fid),
                title=pr.text(table, "title", what),
                claim=pr.text(table, "claim", what),
                source=pr.text(table, "source", what),
                why=pr.text(table, "why", what),
                method=pr.text(table, "method", what),
                setting=str(setting),
                measure=str(measure),
                arms=arms,
                checks=checks,
                requires=requires,
            )
        )
    if pr.items:
        raise ConfigError(pr.items)
    return Battery(seed=seed, settings=settings, facts=tuple(facts), source=source)


def _arms(raw: Any, what: str, pr: _Problems) -> tuple[Arm, ...]:
    if not isinstance(raw, list) or not raw:
        pr.add(f"{what}: 'arms' must be a non-empty list of tables")
        return (Arm("default"),)
    arms = []
    for j, table in enumerate(raw, 1):
        where = f"{what}, arm {j}"
        if not isinstance(table, Mapping):
            pr.add(f"{where}: must be a table")
            continue
        pr.unknown_keys(table, _ARM_KEYS, where)
        name = table.get("name", "")
        if not isinstance(name, str) or not name:
            pr.add(f"{where}: 'name' must be a non-empty text")
            name = f"arm{j}"
        sets = table.get("set", {})
        scale = table.get("scale", {})
        trials = table.get("trials", [])
        for key, value in (("set", sets), ("scale", scale)):
            if not isinstance(value, Mapping):
                pr.add(f"{where}: '{key}' must be a table of parameter values")
        if isinstance(scale, Mapping):
            for k, v in scale.items():
                x = _number(v)
                if x is None or x < 0 or math.isinf(x):
                    pr.add(f"{where}: scale of '{k}' = {v!r} is not allowed; a number >= 0")
        if not isinstance(trials, list) or not all(
            isinstance(t, Mapping) and isinstance(t.get("label"), str) and "kind" in t
            for t in trials
        ):
            pr.add(f"{where}: 'trials' must be a list of intervention tables with a 'label'")
            trials = []
        arms.append(
            Arm(
                name=name,
                set=dict(sets) if isinstance(sets, Mapping) else {},
                scale=dict(scale) if isinstance(scale, Mapping) else {},
                trials=tuple(dict(t) for t in trials),
            )
        )
    names = [a.name for a in arms]
    for n in set(names):
        if names.count(n) > 1:
            pr.add(f"{what}: arm name {n!r} is used twice")
    return tuple(arms)


def _pair(value: Any) -> tuple[str, str] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value[0], value[1]
    return None


def _checks(raw: Any, what: str, arms: list[str], pr: _Problems) -> tuple[Check, ...]:
    if not isinstance(raw, list) or not raw:
        pr.add(f"{what}: 'checks' must be a non-empty list of tables")
        return ()
    out = []
    for j, table in enumerate(raw, 1):
        where = f"{what}, check {j}"
        if not isinstance(table, Mapping):
            pr.add(f"{where}: must be a table")
            continue
        pr.unknown_keys(table, _CHECK_KEYS, where)
        stat = table.get("stat")
        ratio = _pair(table.get("ratio")) if "ratio" in table else None
        if "ratio" in table and ratio is None:
            pr.add(f"{where}: 'ratio' must be two statistic names, e.g. ['excess_d2', 'excess_d1']")
        if (stat is None) == (ratio is None) and not ("ratio" in table and ratio is None):
            pr.add(f"{where}: give either 'stat' or 'ratio'")
        if stat is not None and not isinstance(stat, str):
            pr.add(f"{where}: 'stat' must be a statistic name")
            stat = None
        arm = table.get("arm")
        if arm is not None and arm not in arms:
            pr.add(f"{where}: arm {arm!r} is not one of the fact's arms ({', '.join(arms)})")
        contrast = _pair(table.get("contrast")) if "contrast" in table else None
        if "contrast" in table:
            if (
                contrast is None
                or any(a not in arms for a in contrast)
                or contrast[0] == contrast[1]
            ):
                pr.add(
                    f"{where}: 'contrast' must name two different arms of the fact "
                    f"({', '.join(arms)})"
                )
                contrast = None
            elif ratio is not None or arm is not None:
                pr.add(f"{where}: 'contrast' cannot be combined with 'ratio' or 'arm'")
        targets = [k for k in TARGET_KINDS if k in table]
        kind, low, high = "band", math.nan, math.nan
        if len(targets) != 1:
            pr.add(f"{where}: give exactly one target: {', '.join(TARGET_KINDS)}")
        else:
            kind = targets[0]
            value = table[kind]
            if kind == "band":
                pair = value if isinstance(value, list) and len(value) == 2 else None
                lo, hi = (_number(pair[0]), _number(pair[1])) if pair else (None, None)
                if lo is None or hi is None or lo > hi:
                    pr.add(
                        f"{where}: 'band' = {value!r} is not allowed; [low, high] with low <= high"
                    )
                else:
                    low, high = lo, hi
            elif kind == "null":
                if value is not True:
                    pr.add(f"{where}: 'null' must be true")
            else:
                x = _number(value)
                if x is None:
                    pr.add(f"{where}: '{kind}' = {value!r} is not allowed; expected a number")
                else:
                    low = x
        published = table.get("published", math.nan)
        if _number(published) is None and not (
            isinstance(published, float) and math.isnan(published)
        ):
            pr.add(f"{where}: 'published' = {published!r} is not a number")
            published = math.nan
        ensemble = table.get("ensemble", False)
        if not isinstance(ensemble, bool):
            pr.add(f"{where}: 'ensemble' must be true or false")
            ensemble = False
        if ensemble and (ratio is not None or "contrast" in table or stat not in ENSEMBLE_STATS):
            pr.add(
                f"{where}: 'ensemble' needs a 'stat' among {', '.join(ENSEMBLE_STATS)} (no ratio "
                "or contrast)"
            )
            ensemble = False
        label = table.get("label") or (
            stat if stat else f"{ratio[0]} / {ratio[1]}" if ratio else ""
        )
        out.append(
            Check(
                label=str(label),
                stat=stat if isinstance(stat, str) else None,
                ratio=ratio,
                arm=arm if arm in arms else None,
                contrast=contrast,
                kind=kind,
                low=low,
                high=high,
                published=float(published),
                ensemble=ensemble,
            )
        )
    return tuple(out)


def _requires(raw: Any, what: str, pr: _Problems) -> tuple[Requirement, ...]:
    if not isinstance(raw, list):
        pr.add(f"{what}: 'requires' must be a list of tables")
        return ()
    out = []
    for j, table in enumerate(raw, 1):
        where = f"{what}, requirement {j}"
        if not isinstance(table, Mapping):
            pr.add(f"{where}: must be a table")
            continue
        pr.unknown_keys(table, _REQUIRE_KEYS, where)
        lo = _number(table.get("at_least")) if "at_least" in table else None
        hi = _number(table.get("at_most")) if "at_most" in table else None
        if not isinstance(table.get("stat"), str) or (lo is None and hi is None):
            pr.add(f"{where}: give 'stat' and 'at_least' or 'at_most' (numbers)")
            continue
        out.append(Requirement(table["stat"], lo, hi, str(table.get("why", ""))))
    return tuple(out)
