"""Calibration configs: reading a TOML file and checking it before anything runs.

A calibration config says which parameters are free (each with a prior), which facts of the
battery are fitted and which are held out for validation, the town and run every evaluation uses,
and the ABC-SMC budget (population, generations, threshold rule). :func:`load_calibration`
returns a :class:`CalibrationConfig` or raises :class:`~supportnet.experiments.config.ConfigError`
listing every problem, each naming the file, the key, the value and what is allowed (with a
did-you-mean), like experiment configs. docs/calibration.md describes every key.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import ConfigError, _did_you_mean, _plain, _Problems, read_toml, toml_value
from ..facts.declare import Battery, Fact, load_battery

__all__ = [
    "CONFIG_DIR",
    "PRIORS",
    "AbcSettings",
    "CalibrationConfig",
    "FreeParameter",
    "RunSettings",
    "load_calibration",
    "parse_calibration",
    "shipped_calibrations",
]

#: Folder of the shipped calibration configs.
CONFIG_DIR = Path(__file__).resolve().parent / "configs"

#: Prior distributions a free parameter can have (both bounded by ``low`` and ``high``).
PRIORS = ("uniform", "loguniform")

_TOP_KEYS = ("name", "title", "seed", "facts_file", "budget", "fit", "town", "run", "abc",
             "parameters")  # fmt: skip
_FIT_KEYS = ("facts", "held_out")
_PARAM_KEYS = ("low", "high", "prior")
#: [run] keys: (default, smallest allowed).
_RUN_KEYS = {"burn_in": (None, 0), "measure_steps": (None, 1), "seeds": (2, 1), "every": (13, 1),
             "contact_window": (52, 1)}  # fmt: skip
#: [abc] keys: (default, smallest, largest, whole number). None defaults depend on others.
_ABC_KEYS = {
    "population": (None, 2, 100_000, True),
    "generations": (None, 1, 1000, True),
    "quantile": (0.5, 0.01, 0.99, False),
    "batch": (None, 1, 100_000, True),
    "max_proposals": (None, 1, 10_000_000, True),
    "min_epsilon": (0.0, 0.0, math.inf, False),
    "min_acceptance": (0.0, 0.0, 1.0, False),
    "predictive": (20, 0, 100_000, True),
}


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the calibration fits.

    Attributes:
        name: The model parameter.
        low: Lower end of the prior.
        high: Upper end of the prior.
        prior: ``uniform`` or ``loguniform`` (uniform in the logarithm: for rates spanning
            orders of magnitude).
    """

    name: str
    low: float
    high: float
    prior: str = "uniform"

    def to_unit(self, value):
        """Map values to [0, 1], where the prior is uniform (works on numpy arrays)."""
        import numpy as np

        if self.prior == "loguniform":
            return (np.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (np.asarray(value, dtype=float) - self.low) / (self.high - self.low)

    def from_unit(self, z):
        """Map [0, 1] back to parameter values (works on numpy arrays)."""
        import numpy as np

        z = np.asarray(z, dtype=float)
        if self.prior == "loguniform":
            return np.exp(math.log(self.low) + z * (math.log(self.high) - math.log(self.low)))
        return self.low + z * (self.high - self.low)


@dataclass(frozen=True)
class RunSettings:
    """How every evaluation runs its facts (replaces the battery's settings).

    Attributes:
        burn_in: Steps before measuring.
        measure_steps: Steps measured (trial settings keep 0: they run to their follow-up).
        seeds: Independent replications per evaluation.
        every: Steps between person snapshots.
        contact_window: Steps over which contact frequencies are counted, at the end.
    """

    burn_in: int
    measure_steps: int
    seeds: int = 2
    every: int = 13
    contact_window: int = 52


@dataclass(frozen=True)
class AbcSettings:
    """The ABC-SMC budget and threshold rule (see docs/calibration.md).

    Attributes:
        population: Particles accepted per generation.
        generations: Generations in all, the first being the prior sample.
        quantile: Each threshold is this weighted quantile of the previous generation's distances.
        batch: Proposals evaluated together; fixed, so that results do not depend on the workers.
        max_proposals: Proposals per generation after which the calibration stops.
        min_epsilon: Stop once the threshold is at or below this.
        min_acceptance: Stop once a generation's acceptance rate is below this.
        predictive: Posterior draws simulated afresh for the posterior predictive check.
    """

    population: int
    generations: int
    quantile: float = 0.5
    batch: int = 0
    max_proposals: int = 0
    min_epsilon: float = 0.0
    min_acceptance: float = 0.0
    predictive: int = 20


@dataclass(frozen=True)
class CalibrationConfig:
    """A checked calibration config.

    Attributes:
        name: Short name (folders, the preset's provenance).
        title: One line for reports.
        seed: Every proposal and simulation seed derives from it.
        source: The file it came from.
        battery: The facts battery restricted to the fitted and held-out facts, with its settings
            replaced by ``run``.
        fitted: Ids of the fitted facts.
        held_out: Ids of the held-out facts.
        town: Fixed parameter values of every evaluation.
        parameters: The free parameters, in declaration order.
        run: How evaluations run.
        abc: The ABC-SMC settings.
        budget: The documented budget, in words.
        facts_file: The facts file used ('' for the shipped one).
    """

    name: str
    title: str
    seed: int
    source: str
    battery: Battery
    fitted: tuple[str, ...]
    held_out: tuple[str, ...]
    town: Mapping[str, Any]
    parameters: tuple[FreeParameter, ...]
    run: RunSettings
    abc: AbcSettings
    budget: str = ""
    facts_file: str = ""
    memory: int = field(default=0, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """The free parameters' names."""
        return tuple(p.name for p in self.parameters)

    def fitted_facts(self) -> tuple[Fact, ...]:
        """The fitted facts, in the battery's order."""
        return tuple(f for f in self.battery.facts if f.id in self.fitted)

    def held_out_facts(self) -> tuple[Fact, ...]:
        """The held-out facts, in the battery's order."""
        return tuple(f for f in self.battery.facts if f.id in self.held_out)

    def canonical(self) -> dict[str, Any]:
        """Everything that decides the results, as plain data (what the hash covers)."""
        b = self.battery
        return _plain(
            {
                "kind": "calibration",
                "seed": self.seed,
                "fitted": list(self.fitted),
                "held_out": list(self.held_out),
                "facts": [asdict(f) for f in b.facts],
                "settings": {k: asdict(s) for k, s in b.settings.items()},
                "town": dict(self.town),
                "parameters": [asdict(p) for p in self.parameters],
                "run": asdict(self.run),
                "abc": asdict(self.abc),
            }
        )

    def hash(self) -> str:
        """A short digest of :meth:`canonical`."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def shipped_calibrations() -> dict[str, Path]:
    """Return the shipped calibration configs: name -> path."""
    return {p.stem: p for p in sorted(CONFIG_DIR.glob("*.toml"))}


def load_calibration(source: str | Path) -> CalibrationConfig:
    """Read and check a calibration config (a TOML path or a shipped calibration's name).

    Raises:
        ConfigError: Listing every problem found.
    """
    path = Path(source)
    if not path.is_file():
        shipped = shipped_calibrations()
        name = path.stem if path.suffix == ".toml" and len(path.parts) == 1 else str(source)
        if name not in shipped:
            raise ConfigError(
                [
                    f"{source}: no such calibration config or shipped calibration"
                    f"{_did_you_mean(name, shipped)}; shipped: {', '.join(shipped) or '(none)'}"
                ]
            )
        path = shipped[name]
    return parse_calibration(read_toml(path), source=str(path), base_dir=path.parent)


def _table(p: _Problems, top: Mapping[str, Any], key: str, required: bool) -> dict[str, Any]:
    value = top.get(key)
    if value is None:
        if required:
            p.add(f"[{key}] is missing; see docs/calibration.md")
        return {}
    if not isinstance(value, dict):
        p.value(key, value, "has the wrong type", "a table")
        return {}
    return value


def _unknown(p: _Problems, table: Mapping[str, Any], allowed, prefix: str) -> None:
    for key, value in table.items():
        if key not in allowed:
            p.unknown(f"{prefix}{key}", value, allowed, f"keys here: {', '.join(allowed)}", key)


def _number(p: _Problems, key: str, value: Any, low: float, high: float, whole: bool):
    kind = "a whole number" if whole else "a number"
    ok = isinstance(value, int if whole else (int, float)) and not isinstance(value, bool)
    allowed = f"{kind} from {low:g} to {high:g}"
    if not ok:
        p.value(key, value, "has the wrong type", allowed)
        return None
    if not (low <= value <= high):
        p.value(key, value, "is out of range", allowed)
        return None
    return value


def _facts_list(p: _Problems, fit: Mapping[str, Any], key: str, known: list[str]) -> list[str]:
    raw = fit.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        p.value(f"fit.{key}", raw, "has the wrong type", "a list of fact ids")
        return []
    out = []
    for fid in raw:
        if fid not in known:
            p.value(
                f"fit.{key}",
                raw,
                f"names an unknown fact {fid!r}{_did_you_mean(fid, known)}",
                f"facts of the battery: {', '.join(known)}",
            )
        elif fid in out:
            p.value(f"fit.{key}", raw, f"names {fid!r} twice", "each fact once")
        else:
            out.append(fid)
    return out


def _free_parameter(p: _Problems, name: str, spec: Any, town: Mapping[str, Any]):
    from supportnet.params import PARAMETERS

    key = f"parameters.{name}"
    if name not in PARAMETERS:
        p.unknown(key, spec, PARAMETERS, "a model parameter (`supportnet params` lists them)")
        return None
    decl = PARAMETERS[name]
    if decl.type is not float:
        what = {int: "a whole number", bool: "a switch", str: "a text"}[decl.type]
        p.value(key, spec, f"cannot be fitted: it is {what}", "a real-valued model parameter")
        return None
    if name in town:
        p.value(key, spec, "is also fixed in [town]", "a parameter either free or fixed")
        return None
    if not isinstance(spec, dict):
        p.value(key, spec, "has the wrong type", "a table { low = ..., high = ..., prior = ... }")
        return None
    _unknown(p, spec, _PARAM_KEYS, f"{key}.")
    prior = spec.get("prior", "uniform")
    if prior not in PRIORS:
        p.value(f"{key}.prior", prior, f"is not allowed{_did_you_mean(prior, PRIORS)}",
                " or ".join(PRIORS))  # fmt: skip
        return None
    bounds = []
    for end in ("low", "high"):
        if end not in spec:
            p.add(f"'{key}.{end}' is missing; expected {decl.allowed()}")
            return None
        value = spec[end]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            p.value(f"{key}.{end}", value, "has the wrong type", decl.allowed())
            return None
        if (decl.low is not None and value < decl.low) or (
            decl.high is not None and value > decl.high
        ):
            p.value(f"{key}.{end}", value, "is outside the parameter's range", decl.allowed())
            return None
        bounds.append(float(value))
    low, high = bounds
    if not low < high:
        p.add(f"'{key}': low = {toml_value(low)} is not below high = {toml_value(high)}; "
              "allowed: low < high")  # fmt: skip
        return None
    if prior == "loguniform" and low <= 0:
        p.value(f"{key}.low", low, "is not allowed with a loguniform prior", "a number above 0")
        return None
    return FreeParameter(name, low, high, prior)


def parse_calibration(
    data: Mapping[str, Any], source: str = "", base_dir: Path | None = None
) -> CalibrationConfig:
    """Check a calibration config's data and return it.

    Args:
        data: The parsed TOML.
        source: The file name, for messages.
        base_dir: Folder that a relative ``facts_file`` is read from.

    Raises:
        ConfigError: Listing every problem found.
    """
    from ..config import _check_param
    from ..facts.plan import Overrides, base_params

    p = _Problems(source)
    _unknown(p, data, _TOP_KEYS, "")
    name = data.get("name", Path(source).stem if source else "calibration")
    if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
        p.value("name", name, "is not allowed", "letters, digits, - and _")
        name = "calibration"
    title = data.get("title", name)
    budget = data.get("budget", "")
    for key, value in (("title", title), ("budget", budget)):
        if not isinstance(value, str):
            p.value(key, value, "has the wrong type", "a text")
    seed = data.get("seed")
    if seed is None:
        p.add("'seed' is missing; expected a whole number from 0 to 4294967295")
        seed = 0
    elif _number(p, "seed", seed, 0, 2**32 - 1, True) is None:
        seed = 0

    facts_file = data.get("facts_file", "")
    battery = None
    if not isinstance(facts_file, str):
        p.value("facts_file", facts_file, "has the wrong type", "a path to a facts file")
    else:
        path = None
        if facts_file:
            path = Path(facts_file)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
        try:
            battery = load_battery(path)
        except ConfigError as exc:
            for item in exc.problems:
                p.add(f"facts_file: {item}")
    known = [f.id for f in battery.facts] if battery else []

    fit = _table(p, data, "fit", required=True)
    _unknown(p, fit, _FIT_KEYS, "fit.")
    fitted = _facts_list(p, fit, "facts", known) if battery else []
    held_out = _facts_list(p, fit, "held_out", known) if battery else []
    if "facts" in fit and battery and not fitted and not p.items:
        p.value("fit.facts", fit["facts"], "is empty", "one or more fact ids")
    if "facts" not in fit and fit:
        p.add("'fit.facts' is missing; expected a list of fact ids to fit")
    for fid in held_out:
        if fid in fitted:
            p.add(
                f"'fit.held_out' names {fid!r}, which 'fit.facts' fits; allowed: a fact is "
                "either fitted or held out"
            )
    if battery:
        for fid in fitted:
            fact = battery.fact(fid)
            if any(c.ensemble for c in fact.checks):
                p.value(
                    "fit.facts", fit.get("facts"),
                    f"names {fid!r}, whose checks include an ensemble statistic (computed over "
                    "all seeds together) that no single evaluation can give",
                    "hold it out or leave it out",
                )  # fmt: skip

    town_raw = _table(p, data, "town", required=False)
    town: dict[str, Any] = {}
    for pname, value in town_raw.items():
        ok, conv = _check_param(p, f"town.{pname}", pname, value, base_dir)
        if ok:
            town[pname] = conv

    params_raw = _table(p, data, "parameters", required=True)
    free = [f for n, s in params_raw.items() if (f := _free_parameter(p, n, s, town))]
    if not params_raw and "parameters" in data:
        p.add("[parameters] is empty; give one or more free parameters with their priors")

    run_raw = _table(p, data, "run", required=True)
    _unknown(p, run_raw, _RUN_KEYS, "run.")
    run_values: dict[str, int] = {}
    for key, (default, low) in _RUN_KEYS.items():
        if key not in run_raw:
            if default is None and run_raw:
                p.add(f"'run.{key}' is missing; expected a whole number >= {low}")
            run_values[key] = default if default is not None else max(low, 1)
            continue
        value = _number(p, f"run.{key}", run_raw[key], low, 1_000_000, True)
        run_values[key] = value if value is not None else max(low, 1)
    run = RunSettings(**run_values)

    abc_raw = _table(p, data, "abc", required=True)
    _unknown(p, abc_raw, _ABC_KEYS, "abc.")
    abc_values: dict[str, Any] = {}
    for key, (default, low, high, whole) in _ABC_KEYS.items():
        if key not in abc_raw:
            if key in ("population", "generations") and abc_raw:
                p.add(f"'abc.{key}' is missing; expected a whole number >= {low}")
            abc_values[key] = default
            continue
        abc_values[key] = _number(p, f"abc.{key}", abc_raw[key], low, high, whole)
    population = abc_values["population"] or 2
    abc = AbcSettings(
        population=population,
        generations=abc_values["generations"] or 1,
        quantile=abc_values["quantile"] if abc_values["quantile"] is not None else 0.5,
        batch=abc_values["batch"] or population,
        max_proposals=abc_values["max_proposals"] or 50 * population,
        min_epsilon=abc_values["min_epsilon"] or 0.0,
        min_acceptance=abc_values["min_acceptance"] or 0.0,
        predictive=abc_values["predictive"] if abc_values["predictive"] is not None else 20,
    )
    if abc.max_proposals < abc.population:
        p.value("abc.max_proposals", abc.max_proposals, "is below the population",
                f"a whole number >= abc.population ({abc.population})")  # fmt: skip
    p.raise_if_any()

    assert battery is not None
    chosen = set(fitted) | set(held_out)
    facts = tuple(f for f in battery.facts if f.id in chosen)
    used = {f.setting for f in facts}
    settings = {
        k: replace(
            s,
            burn_in=run.burn_in,
            measure_steps=run.measure_steps if s.measure_steps > 0 else 0,
            seeds=run.seeds,
            every=run.every,
            contact_window=run.contact_window,
            quick={},
        )
        for k, s in battery.settings.items()
        if k in used
    }
    sub = Battery(seed=seed, settings=settings, facts=facts, source=battery.source)
    # Every parameter set the calibration can propose must be a valid model: check the corners
    # of the prior box with the town's values (a combination rule broken at a corner is named).
    try:
        base_params(Overrides(set={**town, **{f.name: f.low for f in free}}))
        base_params(Overrides(set={**town, **{f.name: f.high for f in free}}))
    except ConfigError as exc:
        raise ConfigError(
            [f"{source}: [town] with the priors' ends: {x}" for x in exc.problems]
        ) from None
    return CalibrationConfig(
        name=name,
        title=title,
        seed=int(seed),
        source=source,
        battery=sub,
        fitted=tuple(f.id for f in facts if f.id in fitted),
        held_out=tuple(f.id for f in facts if f.id in held_out),
        town=town,
        parameters=tuple(free),
        run=run,
        abc=abc,
        budget=" ".join(budget.split()) if isinstance(budget, str) else "",
        facts_file=facts_file if isinstance(facts_file, str) else "",
    )
