"""Experiment configs: reading a TOML file and validating it before any run starts.

:func:`load_config` reads a config (a path, or the name of a shipped experiment in
``experiments/configs/``) and returns an :class:`ExperimentConfig`, or raises a
:class:`ConfigError` listing every problem found. Each problem names the file, the key (with a
did-you-mean for a misspelled one), the value and what is allowed. Keys are checked against
:mod:`supportnet.experiments.schema`, parameter names and values against
:data:`supportnet.params.PARAMETERS`, measure names against :mod:`supportnet.metrics`, interventions
against :mod:`supportnet.interventions`, and every design point's full parameter set through
:func:`supportnet.params.make_params`, so a sweep never stops halfway on a value it could have
refused at the start.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import importlib
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from supportnet import metrics
from supportnet.params import PARAMETERS, PRESETS, ParameterError, Preset, make_params

from .schema import DESIGN_KINDS, Key, section_of

__all__ = [
    "CONFIG_DIR",
    "Arm",
    "ConfigError",
    "Control",
    "Design",
    "ExperimentConfig",
    "Factor",
    "Output",
    "Ratio",
    "load_config",
    "parse_config",
    "resolve_config_path",
    "shipped_configs",
    "toml_value",
]

#: Folder of the shipped experiment configs.
CONFIG_DIR = Path(__file__).resolve().parent / "configs"

#: Names become folder and file names: at most 100 characters (file systems allow 255 bytes).
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
#: Runs a config may plan unless the caller raises the limit (``--max-runs``).
MAX_RUNS = 100_000
_PARAM_HELP = "a model parameter (`supportnet params` lists them)"


class ConfigError(ValueError):
    """An experiment config that cannot be run; one line per problem, each naming the file.

    Attributes:
        problems: The problems, one message each.
    """

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        return f"{len(self.problems)} problems:\n" + "\n".join(f"  {p}" for p in self.problems)


# --- the parsed config --------------------------------------------------------------------------
@dataclass(frozen=True)
class Factor:
    """One thing a design varies: a model parameter or a field of an intervention kind.

    Attributes:
        key: As written in the config: ``stressor_rate`` or ``peer_groups.budget``.
        values: Grid values (converted to the parameter's type), or empty for a range.
        low: Lower end of a sampled range.
        high: Upper end of a sampled range.
        integer: Sampled values are rounded to whole numbers.
    """

    key: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @property
    def intervention(self) -> tuple[str, str] | None:
        """``(kind, field)`` for an intervention field, None for a model parameter."""
        if "." in self.key:
            kind, name = self.key.split(".", 1)
            return kind, name
        return None


@dataclass(frozen=True)
class Design:
    """What varies and how it is sampled (see :mod:`supportnet.experiments.designs`)."""

    kind: str = "grid"
    factors: tuple[Factor, ...] = ()
    samples: int | None = None
    levels: int = 4
    second_order: bool = False


@dataclass(frozen=True)
class Arm:
    """An arm: parameter values and interventions that every design point is run with."""

    name: str
    label: str
    set: Mapping[str, Any] = field(default_factory=dict)
    interventions: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Control:
    """The control condition for effect sizes.

    Attributes:
        label: Name in the report.
        arm: The control arm's name (when the control is an arm).
        where: Grid values that make a design point a control point (when the control is a
            set of design points).
    """

    label: str
    arm: str | None = None
    where: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ratio:
    """A ratio of two arms' effect sizes against the control arm, for the report.

    Attributes:
        label: Name in the report.
        numerator: Arm whose Hedges' g is the numerator.
        denominator: Arm whose Hedges' g is the denominator.
        outcome: Outcome both effect sizes are taken on.
    """

    label: str
    numerator: str
    denominator: str
    outcome: str


@dataclass(frozen=True)
class Output:
    """What each run keeps and how it is summarised."""

    measures: tuple[str, ...] = metrics.ALL_MEASURES
    every: int = 1
    persons_every: int = 0
    outcomes: tuple[str, ...] = metrics.OUTCOMES
    outcome_window: int = 1
    burn_in: int | None = None


@dataclass(frozen=True)
class ExperimentConfig:
    """A validated experiment: everything needed to plan, run and report a sweep.

    Attributes:
        name: Experiment name (default output folder ``results/<name>``).
        title: One-line title.
        description: What it asks.
        seed: Experiment seed.
        steps: Steps per run.
        replications: Runs per design point and arm.
        preset: Preset the base values start from ('' for none).
        base: Parameter values for every run (the preset's values, then ``[base]``).
        design: The design.
        arms: The arms (at least one); with a control arm, it is among them.
        control: The control condition, or None.
        output: Output settings.
        source: The file it came from ('' when built from a dict).
        ratios: Ratios of two arms' effect sizes, reported with bootstrap intervals.
        warnings: Settings that are allowed but do nothing or less than asked (printed by
            ``validate`` and ``sweep``; not part of the config's identity).
        memory: Estimated peak memory of its largest run, in bytes (not part of its identity).
    """

    name: str
    title: str
    description: str
    seed: int
    steps: int
    replications: int
    preset: str
    base: Mapping[str, Any]
    design: Design
    arms: tuple[Arm, ...]
    control: Control | None
    output: Output
    source: str = ""
    ratios: tuple[Ratio, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)
    memory: int = field(default=0, compare=False)

    def canonical(self) -> dict[str, Any]:
        """Return the config as plain JSON-ready data (what the hash and the manifest record).

        The base parameters appear fully resolved (every declared parameter), so a changed
        model default changes the hash too. ``ratios`` appears only when declared, so configs
        without them keep the hash they had before ratios existed.
        """
        ratios = {"ratios": [asdict(r) for r in self.ratios]} if self.ratios else {}
        return _plain(
            {
                "name": self.name,
                "title": self.title,
                "description": self.description,
                "seed": self.seed,
                "steps": self.steps,
                "replications": self.replications,
                "preset": self.preset,
                "base": dict(self.base),
                "resolved_base": {
                    k: self.base.get(k, param.default) for k, param in PARAMETERS.items()
                },
                "design": {
                    "kind": self.design.kind,
                    "samples": self.design.samples,
                    "levels": self.design.levels,
                    "second_order": self.design.second_order,
                    "factors": [
                        {
                            "key": f.key,
                            "values": list(f.values),
                            "low": f.low,
                            "high": f.high,
                            "integer": f.integer,
                        }
                        for f in self.design.factors
                    ],
                },
                "arms": [
                    {
                        "name": a.name,
                        "label": a.label,
                        "set": dict(a.set),
                        "interventions": [dict(i) for i in a.interventions],
                    }
                    for a in self.arms
                ],
                "control": None
                if self.control is None
                else {
                    "label": self.control.label,
                    "arm": self.control.arm,
                    "where": dict(self.control.where),
                },
                "output": {
                    "measures": list(self.output.measures),
                    "every": self.output.every,
                    "persons_every": self.output.persons_every,
                    "outcomes": list(self.output.outcomes),
                    "outcome_window": self.output.outcome_window,
                    "burn_in": self.output.burn_in,
                },
                **ratios,
            }
        )

    def hash(self) -> str:
        """Return a short digest of :meth:`canonical` (sha256, 16 hex digits)."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def varied(self) -> tuple[str, ...]:
        """Keys of the design's factors, in declaration order."""
        return tuple(f.key for f in self.design.factors)

    @property
    def has_interventions(self) -> bool:
        """True when any arm has interventions."""
        return any(a.interventions for a in self.arms)


def _plain(x: Any) -> Any:
    """Convert to JSON-ready data (tuples to lists, numpy scalars to Python)."""
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        return x.item()
    return x


# --- reading -------------------------------------------------------------------------------------
def shipped_configs() -> dict[str, Path]:
    """Return the shipped experiments: name -> path of their config."""
    return {p.stem: p for p in sorted(CONFIG_DIR.glob("*.toml"))}


def resolve_config_path(text: str | Path) -> Path:
    """Return the config file for ``text``: a path, or the name of a shipped experiment.

    Raises:
        ConfigError: If there is no such file or shipped experiment.
    """
    path = Path(text)
    if path.is_file():
        return path
    shipped = shipped_configs()
    name = path.stem if path.suffix == ".toml" and len(path.parts) == 1 else str(text)
    if name in shipped:
        return shipped[name]
    if path.is_dir():
        raise ConfigError([f"{text}: is a folder; give a config file (.toml) or a shipped name"])
    hint = _did_you_mean(name, shipped)
    raise ConfigError(
        [
            f"{text}: no such config file or shipped experiment{hint}; "
            f"shipped: {', '.join(shipped) or '(none)'}"
        ]
    )


def load_config(source: str | Path, max_runs: int | None = MAX_RUNS) -> ExperimentConfig:
    """Read and validate a config (a TOML path or a shipped experiment's name).

    ``max_runs`` is passed to :func:`parse_config`.

    Raises:
        ConfigError: Listing every problem, each naming the file, key, value and what is allowed.
    """
    path = resolve_config_path(source)
    return parse_config(read_toml(path), source=_shown(path), max_runs=max_runs)


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file; a file that cannot be read or parsed is a ConfigError naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot be read: {exc}"]) from None


def _shown(path: Path) -> str:
    """Return ``path`` relative to the working folder when it is inside it (shorter messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def toml_value(value: Any) -> str:
    """Write ``value`` as it would appear in TOML (for messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = json.dumps(value)
        return text if len(text) <= 80 else f'{text[:60]}..." ({len(value)} characters)'
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, (list, tuple)):
        text = "[" + ", ".join(toml_value(v) for v in value) + "]"
        return text if len(text) <= 80 else text[:76] + " ...]"
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"


def _did_you_mean(name: str, options: Any) -> str:
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Problems:
    """Collects problems, each prefixed with the file name."""

    def __init__(self, source: str):
        self.source = source or "<config>"
        self.items: list[str] = []
        # Intervention tables already reported as invalid (kept, so later checks do not
        # report follow-on problems such as "the control is identical to the treatment").
        self.invalid: set[int] = set()
        # Network files read while checking (path -> (people, ties)); each is read once.
        self.networks: dict[str, tuple[int, int]] = {}

    def add(self, text: str) -> None:
        self.items.append(f"{self.source}: {text}")

    def value(self, key: str, value: Any, problem: str, allowed: str) -> None:
        self.add(f"'{key}' = {toml_value(value)} {problem}; allowed: {allowed}")

    def unknown(
        self, key: str, value: Any, options: Any, allowed: str, name: str | None = None
    ) -> None:
        name = key.rsplit(".", 1)[-1] if name is None else name
        self.add(
            f"unknown key '{key}' = {toml_value(value)}{_did_you_mean(name, options)}; "
            f"allowed: {allowed}"
        )

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(self.items)


def _check_key(p: _Problems, key: str, decl: Key, value: Any) -> Any:
    """Check one schema key's value; return it (converted) or None after recording a problem."""
    kind = decl.kind
    ok = True
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and (
            (decl.low is not None and value < decl.low)
            or (decl.high is not None and value > decl.high)
        ):
            p.value(key, value, "is out of range", decl.allowed())
            return None
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "str":
        ok = isinstance(value, str)
        if ok and decl.choices and value not in decl.choices:
            p.value(
                key, value, f"is not allowed{_did_you_mean(value, decl.choices)}", decl.allowed()
            )
            return None
    elif kind == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == "table":
        ok = isinstance(value, dict)
    elif kind == "tables":
        ok = isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if not ok:
        p.value(key, value, "has the wrong type", decl.allowed())
        return None
    return value


def _read_section(
    p: _Problems, table: Mapping[str, Any], section: str, prefix: str
) -> dict[str, Any]:
    """Check a table's keys against a schema section; return the checked values (with defaults).

    Args:
        p: Where problems go.
        table: The TOML table.
        section: Schema section name.
        prefix: Key path prefix for messages ('' at the top level).
    """
    decls = section_of(section)
    out: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if name not in decls:
            where = f"[{prefix.rstrip('.')}]" if prefix else "the top level"
            p.unknown(key, value, decls, f"keys at {where}: {', '.join(decls)}")
            continue
        checked = _check_key(p, key, decls[name], value)
        if checked is not None:
            out[name] = checked
    for name, decl in decls.items():
        if name not in table:
            if decl.required:
                p.add(f"'{prefix}{name}' is missing; expected {decl.allowed()} ({decl.meaning})")
            elif decl.default is not None:
                out.setdefault(name, decl.default)
    return out


def _check_param(
    p: _Problems, key: str, name: str, value: Any, base_dir: Path | None
) -> tuple[bool, Any]:
    """Check a parameter name and value; return (ok, converted value).

    A network file is resolved relative to ``base_dir`` and checked to exist.
    """
    if name not in PARAMETERS:
        p.unknown(key, value, PARAMETERS, _PARAM_HELP)
        return False, None
    param = PARAMETERS[name]
    if name == "agent_every":
        p.value(key, value, "is set by the experiment", "use persons_every in [output] instead")
        return False, None
    try:
        conv = param.check(value)
    except ParameterError as exc:
        problem = "is out of range" if "out of range" in str(exc) else "is not allowed"
        if param.type is str and param.choices and isinstance(value, str):
            problem += _did_you_mean(value, param.choices)
        p.value(key, value, problem, param.allowed())
        return False, None
    if name == "network_file" and conv:
        conv = _network_path(p, key, conv, base_dir)
    return True, conv


def _param_table(p: _Problems, table: Mapping[str, Any], prefix: str, base_dir: Path | None):
    """Check a table of parameter values; return the converted values."""
    out: dict[str, Any] = {}
    for name, value in table.items():
        ok, conv = _check_param(p, f"{prefix}{name}", name, value, base_dir)
        if ok:
            out[name] = conv
    return out


def _network_path(p: _Problems, key: str, text: str, base_dir: Path | None) -> str:
    """Resolve a network file relative to the config's folder; read it as the run will."""
    from supportnet.generators import NetworkFileError, read_network_file

    path = Path(text).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    resolved = str(path.resolve())
    if not path.is_file():
        p.value(
            key,
            text,
            f"is not an existing file (looked for {path})",
            "the path of an edge list, GraphML or GML file, relative to the config's folder",
        )
    elif resolved not in p.networks:
        try:
            net = read_network_file(resolved)
        except NetworkFileError as exc:
            p.add(f"'{key}' = {toml_value(text)}: {exc}")
        else:
            p.networks[resolved] = (net.n, len(net.u))
    return resolved


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested tables: {peer_groups = {budget = [..]}} -> {'peer_groups.budget': [..]}."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


# --- interventions -------------------------------------------------------------------------------
def _interventions_module():
    """Return :mod:`supportnet.interventions`, or None while it does not exist."""
    try:
        return importlib.import_module("supportnet.interventions")
    except ModuleNotFoundError as exc:
        if exc.name in ("supportnet.interventions",):
            return None
        raise


def _read_interventions(p: _Problems, items: list[dict], prefix: str) -> tuple[dict, ...]:
    """Check a list of intervention tables against the kinds' declared settings, then build each.

    Settings are checked one by one (so each problem names its key, value and what is allowed);
    :func:`supportnet.interventions.build` then checks combinations of settings.
    """
    out = []
    mod = _interventions_module() if items else None
    for i, item in enumerate(items):
        key = f"{prefix}[{i}]"
        if not isinstance(item, dict):
            p.value(key, item, "is not a table", "a table with a kind and its settings")
            continue
        kind = item.get("kind")
        out.append(dict(item))
        if mod is None:
            p.value(
                f"{key}.kind",
                kind,
                "cannot be used: supportnet.interventions is not available in this version",
                "no interventions",
            )
            p.invalid.add(id(out[-1]))
            continue
        kinds = ", ".join(repr(k) for k in mod.INTERVENTIONS)
        if kind is None or kind not in mod.INTERVENTIONS:
            if kind is None:
                p.add(f"'{key}.kind' is missing; expected one of {kinds}")
            else:
                p.value(
                    f"{key}.kind",
                    kind,
                    f"is not an intervention{_did_you_mean(kind, mod.INTERVENTIONS)}",
                    f"one of {kinds}",
                )
            p.invalid.add(id(out[-1]))
            continue
        settings = mod.INTERVENTIONS[kind].parameters()
        ok = True
        for name, value in item.items():
            if name == "kind":
                continue
            if name not in settings:
                p.unknown(
                    f"{key}.{name}", value, settings, f"settings of '{kind}': {', '.join(settings)}"
                )
                ok = False
                continue
            try:
                settings[name].check(value)
            except ParameterError as exc:
                problem = "is out of range" if "out of range" in str(exc) else "is not allowed"
                if isinstance(value, str) and settings[name].choices:
                    problem += _did_you_mean(value, settings[name].choices)
                p.value(f"{key}.{name}", value, problem, settings[name].allowed())
                ok = False
        if ok:
            try:
                mod.build(dict(item))
            except ParameterError as exc:
                p.add(f"'{key}' = {toml_value(item)}: {exc}")
                ok = False
        if not ok:
            p.invalid.add(id(out[-1]))
    return tuple(out)


def _resolve_intervention_factors(p: _Problems, design: Design, arms: tuple[Arm, ...]) -> Design:
    """Check design keys naming intervention settings (``kind.setting``) and convert their values.

    The kind must be among the arms' interventions and the setting one it declares; grid values
    and range ends are checked against the setting's declaration, and each value is tried in a
    build of the first intervention of that kind (for combinations of settings).
    """
    factors = []
    # Imported only when a factor names an intervention setting (it loads the whole model).
    mod = _interventions_module() if any(f.intervention for f in design.factors) else None
    for f in design.factors:
        if f.intervention is None:
            factors.append(f)
            continue
        kind, name = f.intervention
        key = f"design.{'vary' if f.values else 'ranges'}.{f.key}"
        shown = list(f.values) or [f.low, f.high]
        items = [i for a in arms for i in a.interventions if i.get("kind") == kind]
        if not items or mod is None or kind not in mod.INTERVENTIONS:
            declared = sorted(
                {
                    str(i.get("kind"))
                    for a in arms
                    for i in a.interventions
                    if mod is not None and i.get("kind") in mod.INTERVENTIONS
                }
            )
            p.unknown(
                key,
                shown,
                [f"{k}.{n}" for k in declared for n in mod.INTERVENTIONS[k].parameters()]
                if mod
                else [],
                "a model parameter, or '<kind>.<setting>' for an intervention kind the "
                "config declares (" + (", ".join(declared) or "none declared") + ")",
                name=f.key,
            )
            continue
        settings = mod.INTERVENTIONS[kind].parameters()
        if name not in settings:
            p.unknown(
                key,
                shown,
                [f"{kind}.{n}" for n in settings],
                f"'{kind}.<setting>' with a setting of '{kind}': {', '.join(settings)}",
                name=f.key,
            )
            continue
        setting = settings[name]
        if not f.values and setting.type not in (int, float):
            p.value(
                key,
                shown,
                f"is a range, but '{f.key}' is {setting.allowed()}",
                "numeric settings in sampled designs (vary others with a grid design)",
            )
            continue
        values = []
        for v in f.values or (
            int(f.low) if setting.type is int else f.low,
            int(f.high) if setting.type is int else f.high,
        ):
            try:
                conv = setting.check(v)
                if id(items[0]) not in p.invalid:
                    mod.build({**items[0], name: conv})
            except ParameterError as exc:
                p.value(key, v, f"is not accepted: {exc}", setting.allowed())
                break
            values.append(conv)
        else:
            if f.values:
                factors.append(Factor(f.key, values=tuple(values)))
            else:
                factors.append(Factor(f.key, low=f.low, high=f.high, integer=setting.type is int))
    return Design(design.kind, tuple(factors), design.samples, design.levels, design.second_order)


# --- the whole config ----------------------------------------------------------------------------
def parse_config(
    data: Mapping[str, Any], source: str = "", max_runs: int | None = MAX_RUNS
) -> ExperimentConfig:
    """Validate a config given as data (what ``tomllib`` returns) and build it.

    Args:
        data: The config's tables and keys.
        source: File name used in messages (and to resolve relative network files).
        max_runs: Most runs the design may plan (None: no limit); a larger design is refused
            before its points are built.

    Raises:
        ConfigError: Listing every problem found.
    """
    p = _Problems(source)
    base_dir = Path(source).resolve().parent if source else None
    top = _read_section(p, data, "", "")

    name = top.get("name", "")
    if "name" in top and not _NAME.match(name):
        p.value(
            "name",
            name,
            "is not allowed",
            "letters, digits, '_' and '-', at most 100 (it names the results folder)",
        )
    preset_name = top.get("preset", "")
    base: dict[str, Any] = {}
    if preset_name:
        if preset_name in PRESETS and PRESETS[preset_name].carries():
            p.add(_preset_carries(PRESETS[preset_name]))
        elif preset_name in PRESETS:
            base.update(PRESETS[preset_name].values)
        else:
            p.value(
                "preset",
                preset_name,
                f"is not a preset{_did_you_mean(preset_name, PRESETS)}",
                "one of " + ", ".join(repr(k) for k in PRESETS),
            )
    base.update(_param_table(p, top.get("base", {}), "base.", base_dir))

    design = _read_design(p, top.get("design", {}), base_dir)
    output = _read_output(p, top.get("output", {}), top.get("steps"))
    arms = _read_arms(p, top, base_dir)
    design = _resolve_intervention_factors(p, design, arms)
    control, arms = _read_control(p, top, design, arms, base_dir)
    ratios = _read_ratios(p, top.get("ratios", []), control, arms, output)
    p.raise_if_any()

    config = ExperimentConfig(
        name=name,
        title=top.get("title", "") or name,
        description=top.get("description", ""),
        seed=top["seed"],
        steps=top["steps"],
        replications=top.get("replications", 1),
        preset=preset_name,
        base=base,
        design=design,
        arms=arms,
        control=control,
        output=output,
        source=source,
        ratios=ratios,
    )
    memory = _check_points(p, config, max_runs)
    p.raise_if_any()
    return dataclasses.replace(config, warnings=tuple(_warnings(config, top)), memory=memory)


def _preset_carries(preset: Preset) -> str:
    """The problem of a preset that sets more than values (a lesson's): what to write instead.

    A sweep takes only a preset's values; its interventions and its comparison (the dashboard's
    A and B) are not dropped silently but refused, with the config lines that say the same.
    """
    instead = []
    if preset.values:
        shown = ", ".join(f"{k} = {toml_value(v)}" for k, v in preset.values.items())
        instead.append(f"its values in [base] ({shown})")
    if preset.interventions:
        instead.append("its interventions in [[interventions]] (or [[arms]])")
    if preset.compare is not None:
        param, value = preset.compare
        if param:
            a = preset.params()[param]
            instead.append(
                f"A and B as [design.vary] {param} = [{toml_value(a)}, {toml_value(value)}]"
            )
        else:
            instead.append("B as [control] (the same runs without the interventions)")
    return (
        f"'preset' = {toml_value(preset.name)} sets {preset.carries()}, which a sweep does not "
        "take from a preset; allowed: a preset of parameter values alone; instead, write "
        + ", ".join(instead[:-1])
        + (" and " if len(instead) > 1 else "")
        + instead[-1]
    )


def _read_design(p: _Problems, table: Mapping[str, Any], base_dir: Path | None) -> Design:
    d = _read_section(p, table, "design", "design.")
    kind = d.get("kind", "grid")
    vary = _flatten(d.get("vary", {}))
    ranges = _flatten(d.get("ranges", {}))
    factors: list[Factor] = []
    if kind == "grid":
        if ranges:
            p.value(
                "design.ranges",
                d["ranges"],
                "is for sampled designs",
                '[design.vary] lists of values for kind = "grid"',
            )
        for key, values in vary.items():
            factor = _grid_factor(p, f"design.vary.{key}", key, values, base_dir)
            if factor is not None:
                factors.append(factor)
    elif kind in DESIGN_KINDS:
        if vary:
            p.value(
                "design.vary",
                d["vary"],
                f'is for grid designs, not kind = "{kind}"',
                "[design.ranges] with [low, high] per parameter",
            )
        if not ranges:
            p.add(
                f"'design.ranges' is missing; kind = \"{kind}\" needs at least one "
                "numeric parameter with [low, high]"
            )
        for key, bounds in ranges.items():
            factor = _range_factor(p, f"design.ranges.{key}", key, bounds)
            if factor is not None:
                factors.append(factor)
        samples = d.get("samples")
        if samples is None:
            p.add(
                f"'design.samples' is missing; kind = \"{kind}\" needs a sample size "
                "(a whole number from 1)"
            )
        elif kind == "sobol" and samples & (samples - 1):
            p.value(
                "design.samples",
                samples,
                "is not a power of 2",
                "a power of 2 for Sobol designs (e.g. 32, 64, 128)",
            )
        if kind == "morris" and len(factors) > 0 and d.get("levels", 4) % 2:
            p.value(
                "design.levels",
                d.get("levels"),
                "is odd",
                "an even number of levels for Morris designs (e.g. 4)",
            )
    for extra, allowed_kinds in (
        ("samples", ("lhs", "sobol", "morris")),
        ("levels", ("morris",)),
        ("second_order", ("sobol",)),
    ):
        if extra in table and kind not in allowed_kinds:
            p.value(
                f"design.{extra}",
                table[extra],
                f'does not apply to kind = "{kind}"',
                "it only for kind " + " or ".join(f'"{k}"' for k in allowed_kinds),
            )
    return Design(
        kind, tuple(factors), d.get("samples"), d.get("levels", 4), d.get("second_order", False)
    )


def _grid_factor(
    p: _Problems, key: str, name: str, values: Any, base_dir: Path | None
) -> Factor | None:
    if not isinstance(values, list) or not values:
        p.value(key, values, "is not a list of values", "a non-empty list, e.g. [0.02, 0.05, 0.1]")
        return None
    if "." in name:  # an intervention field; checked against the interventions later
        converted = list(values)
    else:
        if name not in PARAMETERS:
            p.unknown(key, values, PARAMETERS, _PARAM_HELP)
            return None
        converted = []
        for i, v in enumerate(values):
            ok, conv = _check_param(p, f"{key}[{i}]", name, v, base_dir)
            if not ok:
                return None
            converted.append(conv)
    if len({json.dumps(v) for v in converted}) < len(converted):
        p.value(key, values, "repeats a value", "each value once")
        return None
    return Factor(name, values=tuple(converted))


def _range_factor(p: _Problems, key: str, name: str, bounds: Any) -> Factor | None:
    ok = (
        isinstance(bounds, list)
        and len(bounds) == 2
        and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
    )
    if not ok:
        p.value(key, bounds, "is not a range", "[low, high] with two numbers, low < high")
        return None
    try:
        low, high = float(bounds[0]), float(bounds[1])
    except OverflowError:
        low = high = math.nan
    if not (math.isfinite(low) and math.isfinite(high)):
        p.value(key, bounds, "is not a range of finite numbers", "[low, high] with two numbers")
        return None
    if not low < high:
        p.value(
            key,
            bounds,
            "is not a range (low must be below high)",
            "[low, high] with two numbers, low < high",
        )
        return None
    if "." in name:
        return Factor(name, low=low, high=high)
    if name not in PARAMETERS:
        p.unknown(key, bounds, PARAMETERS, _PARAM_HELP)
        return None
    param = PARAMETERS[name]
    if param.type not in (int, float):
        p.value(
            key,
            bounds,
            f"is a range, but '{name}' is {param.allowed()}",
            "numeric parameters in sampled designs (vary others with a grid design)",
        )
        return None
    for end, v in (("low", low), ("high", high)):
        ok, _ = _check_param(
            p, f"{key} ({end})", name, int(v) if param.type is int else v, base_dir=None
        )
        if not ok:
            return None
    if param.type is int and (not low.is_integer() or not high.is_integer()):
        p.value(
            key,
            bounds,
            f"has a fractional end, but '{name}' is a whole number",
            "whole-number ends for integer parameters",
        )
        return None
    return Factor(name, low=low, high=high, integer=param.type is int)


def _read_output(p: _Problems, table: Mapping[str, Any], steps: Any) -> Output:
    o = _read_section(p, table, "output", "output.")
    measures = tuple(o.get("measures") or metrics.ALL_MEASURES)
    outcomes = tuple(o.get("outcomes") or metrics.OUTCOMES)
    for key, names in (("output.measures", measures), ("output.outcomes", outcomes)):
        for i, m in enumerate(names):
            if m not in metrics.ALL_MEASURES:
                p.value(
                    f"{key}[{i}]",
                    m,
                    f"is not a measure{_did_you_mean(m, metrics.ALL_MEASURES)}",  # noqa: E501
                    "names in supportnet.metrics.ALL_MEASURES (docs/experiments.md lists them)",
                )
        if len(set(names)) < len(names):
            p.value(key, list(names), "repeats a name", "each measure once")
    steps_ok = isinstance(steps, int) and not isinstance(steps, bool) and steps >= 1
    window = o.get("outcome_window")
    if window is None:
        window = max(1, steps // 10) if steps_ok else 1
    elif steps_ok and window > steps:
        p.value(
            "output.outcome_window",
            window,
            f"is longer than the run (steps = {steps})",
            f"a whole number from 1 to {steps}",
        )
    burn_in = o.get("burn_in")
    if burn_in is not None and steps_ok and burn_in >= steps:
        p.value(
            "output.burn_in",
            burn_in,
            f"leaves no panel windows (steps = {steps})",
            f"a whole number from 0 to {steps - 1}",
        )
    return Output(measures, o.get("every", 1), o.get("persons_every", 0), outcomes, window, burn_in)


def _read_arms(p: _Problems, top: Mapping[str, Any], base_dir: Path | None) -> tuple[Arm, ...]:
    top_interventions = _read_interventions(p, top.get("interventions", []), "interventions")
    declared = top.get("arms", [])
    if not declared:
        return (Arm("main", "", {}, top_interventions),)
    if top.get("interventions"):
        p.value(
            "interventions",
            top["interventions"],
            "is given together with [[arms]]",
            "interventions inside each [[arms]] table, or a top-level [[interventions]] "
            "without arms",
        )
    arms = []
    for i, table in enumerate(declared):
        a = _read_section(p, table, "arms[]", f"arms[{i}].")
        name = a.get("name")
        if name is None:
            continue
        if not _NAME.match(name):
            p.value(
                f"arms[{i}].name",
                name,
                "is not allowed",
                "letters, digits, '_' and '-', at most 100 (it names run files)",
            )
        if name in {x.name for x in arms}:
            p.value(f"arms[{i}].name", name, "is used by another arm", "a name used once")
        arms.append(
            Arm(
                name,
                a.get("label") or name,
                _param_table(p, a.get("set", {}), f"arms[{i}].set.", base_dir),
                _read_interventions(p, a.get("interventions", []), f"arms[{i}].interventions"),
            )
        )
    return tuple(arms)


def _read_control(
    p: _Problems,
    top: Mapping[str, Any],
    design: Design,
    arms: tuple[Arm, ...],
    base_dir: Path | None,
) -> tuple[Control | None, tuple[Arm, ...]]:
    if "control" not in top:
        return None, arms
    c = _read_section(p, top["control"], "control", "control.")
    label = c.get("label", "control")
    modes = [k for k in ("where", "arm") if k in c]
    arm_keys = [k for k in ("set", "interventions") if k in c]
    if len(modes) + bool(arm_keys) > 1:
        p.value(
            "control",
            top["control"],
            "mixes ways of declaring the control",
            'one of: where = {...} (design points), arm = "name" (one of [[arms]]), or '
            "set/interventions (an extra control arm)",
        )
        return None, arms
    if "where" in c:
        return _control_where(p, c["where"], label, design, base_dir), arms
    if "arm" in c:
        names = [a.name for a in arms if a.name != "main" or len(arms) > 1]
        if c["arm"] not in names:
            p.value(
                "control.arm",
                c["arm"],
                f"is not an arm{_did_you_mean(c['arm'], names)}",
                "the name of one of the [[arms]]: " + (", ".join(names) or "(none declared)"),
            )
            return None, arms
        if len(arms) < 2:
            p.value("control.arm", c["arm"], "leaves nothing to compare", "at least two [[arms]]")
        return Control(label, arm=c["arm"]), arms
    # An extra arm: base values (plus `set`) and its own interventions (none by default).
    extra = Arm(
        "control",
        label,
        _param_table(p, c.get("set", {}), "control.set.", base_dir),
        _read_interventions(p, c.get("interventions", []), "control.interventions"),
    )
    if any(a.name == "control" for a in arms):
        p.value(
            "control",
            top["control"],
            'adds an arm called "control", but [[arms]] has one',
            'arm = "control" to use that arm as the control',
        )
        return None, arms
    for a in arms:
        if dict(a.set) == dict(extra.set) and list(a.interventions) == list(extra.interventions):
            who = "the treatment" if a.name == "main" else f"arm '{a.name}'"
            p.value(
                "control",
                top["control"],
                f"is identical to {who}",
                "a control that differs: declare [[interventions]] for the treatment, or "
                "give the control its own set/interventions",
            )
            return None, arms
    if arms[0].name == "main" and not arms[0].label:
        arms = (Arm("main", "treatment", arms[0].set, arms[0].interventions),)
    return Control(label, arm="control"), (*arms, extra)


def _read_ratios(
    p: _Problems,
    tables: Sequence[Mapping[str, Any]],
    control: Control | None,
    arms: tuple[Arm, ...],
    output: Output,
) -> tuple[Ratio, ...]:
    """Check the [[ratios]] tables: each names two treated arms and an outcome."""
    if tables and (control is None or control.arm is None):
        p.value(
            "ratios",
            tables,
            "needs a control arm (effect sizes are taken against it)",
            '[control] with arm = "name", or an extra control arm (set/interventions)',
        )
        return ()
    treated = [a.name for a in arms if a.name != control.arm] if control else []
    ratios = []
    for i, table in enumerate(tables):
        r = _read_section(p, table, "ratios[]", f"ratios[{i}].")
        ok = all(k in r for k in ("label", "numerator", "denominator", "outcome"))
        for key in ("numerator", "denominator"):
            name = r.get(key)
            if name is not None and name not in treated:
                ok = False
                p.value(
                    f"ratios[{i}].{key}",
                    name,
                    f"is not a treated arm{_did_you_mean(name, treated)}",
                    "the name of one of the [[arms]] other than the control: "
                    + (", ".join(treated) or "(none declared)"),
                )
        if ok and r["numerator"] == r["denominator"]:
            ok = False
            p.value(
                f"ratios[{i}].denominator",
                r["denominator"],
                "is the numerator too",
                "two different arms",
            )
        outcome = r.get("outcome")
        if outcome is not None and outcome not in output.outcomes:
            ok = False
            p.value(
                f"ratios[{i}].outcome",
                outcome,
                f"is not an outcome of this experiment{_did_you_mean(outcome, output.outcomes)}",
                "one of [output] outcomes: " + ", ".join(output.outcomes),
            )
        if ok:
            ratios.append(Ratio(r["label"], r["numerator"], r["denominator"], outcome))
    return tuple(ratios)


def _control_where(
    p: _Problems, where: Mapping[str, Any], label: str, design: Design, base_dir: Path | None
):
    if design.kind != "grid":
        p.value(
            "control.where",
            where,
            f'needs a grid design (kind is "{design.kind}")',
            "an extra control arm (set/interventions) for sampled designs",
        )
        return None
    factors = {f.key: f for f in design.factors}
    flat = _flatten(where)
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if key not in factors:
            p.unknown(
                f"control.where.{key}",
                value,
                factors,
                "keys of [design.vary]: " + (", ".join(factors) or "(none)"),
            )
            continue
        f = factors[key]
        conv = value
        if f.intervention is None:
            ok, conv = _check_param(p, f"control.where.{key}", key, value, base_dir)
            if not ok:
                continue
        if conv not in f.values:
            p.value(
                f"control.where.{key}",
                value,
                "is not one of the design's values",
                toml_value(list(f.values)),
            )
            continue
        out[key] = conv
    if (
        flat
        and len(out) == len(flat)
        and len(out) == len(factors)
        and all(len(factors[k].values) == 1 for k in out)
    ):
        p.value(
            "control.where",
            where,
            "selects every design point",
            "values that leave some points outside the control",
        )
    if not flat:
        p.value("control.where", where, "is empty", "one or more keys of [design.vary]")
    return Control(label, where=out)


def _check_points(p: _Problems, config: ExperimentConfig, max_runs: int | None) -> int:
    """Validate every run before any run starts; return the largest run's memory estimate.

    The design's size is computed first, without building it, and refused above ``max_runs``.
    Then each design point x arm is checked as its run would be: its full parameter set
    (:func:`supportnet.params.make_params`), its interventions built with the point's values
    and checked against those parameters (the check the model makes at setup), and its memory.
    """
    from supportnet.resources import check_memory

    from .designs import design_points, design_size

    n_points = design_size(config.design)
    n_runs = n_points * len(config.arms) * config.replications
    if max_runs is not None and n_runs > max_runs:
        p.add(
            f"the design plans {n_runs:,} runs ({n_points:,} points x {len(config.arms)} arm(s) "
            f"x {config.replications} replication(s)), more than the limit of {max_runs:,}; "
            f"make the design smaller, or raise the limit with --max-runs {n_runs} "
            "(max_runs= from Python) if you mean it"
        )
        return 0
    try:
        points = design_points(config)
    except ValueError as exc:
        p.add(f"'design': {exc}")
        return 0
    seen: set[str] = set()
    memory = 0
    for arm in config.arms:
        for i, point in enumerate(points):
            values = {**config.base, **arm.set, **{k: v for k, v in point.items() if "." not in k}}
            if config.output.persons_every:  # as the plan sets it (person-level state kept)
                values["agent_every"] = config.output.persons_every
            items = tuple(dict(x) for x in arm.interventions)
            for k, v in point.items():
                if "." in k:
                    kind, name = k.split(".", 1)
                    items = tuple({**x, name: v} if x.get("kind") == kind else x for x in items)
            try:
                params = make_params(values)
                if items:  # the interventions (and the model they load) only when there are any
                    from supportnet.interventions import build

                    for item in items:
                        build(item).check_params(params)
                n, ties = p.networks.get(params.network_file, (None, 0))
                memory = max(memory, check_memory(params, config.steps, n_people=n, ties=ties))
            except ParameterError as exc:
                shown = ", ".join(f"{k} = {toml_value(v)}" for k, v in point.items())
                where = f"design point {i} ({shown})" if shown else "[base]"
                if len(config.arms) > 1:
                    where += f" in arm '{arm.name}'"
                msg = f"{where}: {exc}"
                if msg not in seen:
                    seen.add(msg)
                    p.add(msg)
                if len(seen) >= 10:
                    p.add("(further invalid design points not listed)")
                    return memory
    return memory


def _warnings(config: ExperimentConfig, top: Mapping[str, Any]) -> list[str]:
    """Return what is allowed but would silently do nothing, or less than the config asks."""
    out = []
    src = config.source or "<config>"
    for arm in config.arms:
        for j, item in enumerate(arm.interventions):
            start = item.get("start", 0)
            if isinstance(start, int) and start > config.steps:
                where = "interventions" if len(config.arms) == 1 else f"arm '{arm.name}'"
                out.append(
                    f"{src}: warning: {where}[{j}] ({item.get('kind')}) starts at step {start}, "
                    f"after the run ends (steps = {config.steps}): it never acts"
                )
    o = config.output
    if o.every > config.steps:
        out.append(
            f"{src}: warning: 'output.every' = {o.every} is longer than the run (steps = "
            f"{config.steps}): only the first and last steps are kept"
        )
    if o.persons_every > config.steps:
        out.append(
            f"{src}: warning: 'output.persons_every' = {o.persons_every} is longer than the run "
            f"(steps = {config.steps}): person-level state is kept at step 0 only"
        )
    missing = [m for m in o.outcomes if m not in o.measures]
    if missing:
        out.append(
            f"{src}: warning: outcomes {', '.join(missing)} are not among 'output.measures': "
            "their per-step values are not kept, so the report draws no trajectories of them"
        )
    return out
