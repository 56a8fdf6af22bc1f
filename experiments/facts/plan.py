"""Planning a battery: the runs behind the chosen facts, each a picklable spec the sweep runs.

A run is (setting, arm, replication). Facts that share a setting and an arm with the same content
share its runs, and every arm of a setting starts each replication from the same seed (common
random numbers), so contrasts between arms are taken seed by seed. A run's seed is derived from the
battery seed, the setting and the replication only (:func:`supportnet.experiments.plan.run_seed`),
so it does not depend on which facts were chosen, which worker ran it, or on the executor.

The parameters of every run are checked here, before anything runs: the preset, ``--set`` values,
then the arm's own values and scale factors, through :func:`supportnet.params.make_params`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..config import ConfigError, _plain
from ..plan import run_seed
from .declare import Arm, Battery, Fact, Setting

__all__ = ["BatteryConfig", "FactRun", "Overrides", "plan_battery"]

#: Per-step measures are stored every this many steps (and at the last step), for figures.
STEPS_EVERY = 4


@dataclass(frozen=True)
class Overrides:
    """How a battery is run: on a preset, with parameter values, quick, with a seed count.

    Attributes:
        preset: Preset the base values come from ('' for the model's defaults).
        set: Parameter values that replace the base values of every run.
        quick: Use each setting's quick values (fewer seeds, shorter runs).
        seeds: Seeds per setting, replacing the declared (or quick) count.
        burn_in: Steps before measuring in every setting, replacing the declared (or quick)
            burn-in: the same facts measured after another burn-in (a robustness check).
        seed: The battery's seed, replacing the declared one: another set of towns.
    """

    preset: str = ""
    set: Mapping[str, Any] = field(default_factory=dict)
    quick: bool = False
    seeds: int | None = None
    burn_in: int | None = None
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for manifests and facts.json.

        ``burn_in`` and ``seed`` appear only when given, so a battery run without them keeps the
        digest (and the results folder) it had before they existed.
        """
        data = {"preset": self.preset, "set": dict(self.set), "quick": self.quick}
        return _plain({**data, "seeds": self.seeds, **self.given()})

    def given(self) -> dict[str, int]:
        """``burn_in`` and ``seed``, those of them that are given."""
        return {k: getattr(self, k) for k in ("burn_in", "seed") if getattr(self, k) is not None}

    def battery_seed(self, battery: Battery) -> int:
        """The seed the runs derive from: ``seed`` if given, else the battery's own."""
        return battery.seed if self.seed is None else self.seed

    def setting(self, setting: Setting) -> Setting:
        """``setting`` as run: quick values, then the seed count and burn-in given here."""
        return setting.resolved(quick=self.quick, seeds=self.seeds, burn_in=self.burn_in)


@dataclass(frozen=True)
class FactRun:
    """One run of the battery (duck-typed like :class:`~supportnet.experiments.plan.RunSpec`).

    Attributes:
        run_id: Stable name, e.g. ``standard-default-r03``; also its file name.
        arm: Name of the run's arm (``default`` or ``<fact>-<arm>``).
        setting: Name of the setting.
        replication: Replication number (0-based).
        seed: The run's seed.
        params: Parameter values given to the model.
        burn_in: Steps before measuring.
        steps: Steps in all.
        every: Steps between person snapshots.
        contact_window: Steps over which contact frequencies are counted, at the end.
        measures: Run measures computed on the run's record.
        trials: Interventions tried in twin trials (``label`` plus intervention fields).
        digest: Hash of everything above but the id; a stored run counts only when it matches.
    """

    run_id: str
    arm: str
    setting: str
    replication: int
    seed: int
    params: dict[str, Any]
    burn_in: int
    steps: int
    every: int
    contact_window: int
    measures: tuple[str, ...]
    trials: tuple[dict[str, Any], ...] = ()
    digest: str = ""
    # What the results store records about a run (shared with sweeps' RunSpec).
    point: int = 0
    factors: dict[str, Any] = field(default_factory=dict)
    interventions: tuple[dict[str, Any], ...] = ()

    def execute(self):
        """Run it and return (summary row, per-step table); see :mod:`.execute`."""
        from .execute import execute_fact_run

        return execute_fact_run(self)


@dataclass(frozen=True)
class BatteryConfig:
    """What the results store records about a battery (duck-typed like an ExperimentConfig)."""

    battery: Battery
    overrides: Overrides
    name: str = "facts"
    title: str = "Stylised facts battery"
    memory: int = 0  # estimated peak memory of the largest run, bytes (not part of the hash)

    @property
    def source(self) -> str:
        """The facts file."""
        return self.battery.source

    @property
    def seed(self) -> int:
        """The seed the runs derive from (the battery's, unless the overrides give another)."""
        return self.overrides.battery_seed(self.battery)

    def canonical(self) -> dict[str, Any]:
        """The declarations and how they are run, as plain data (what the hash covers).

        The chosen facts (``--only``) are not part of it: a partial battery's runs are the full
        battery's runs, so either resumes the other in the same folder.
        """
        b = self.battery
        return _plain(
            {
                "kind": "facts",
                "seed": b.seed,
                "settings": {k: asdict(s) for k, s in b.settings.items()},
                "facts": [asdict(f) for f in b.facts],
                "overrides": self.overrides.as_dict(),
            }
        )

    def hash(self) -> str:
        """A short digest of :meth:`canonical`."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "arm"


def arm_params(base: Mapping[str, Any], arm: Arm, fact: Fact) -> dict[str, Any]:
    """Return the parameter values of ``arm``: the base, its values, then its scale factors.

    Raises:
        ConfigError: If a value or a scaled value is not allowed, naming the fact and the arm.
    """
    from supportnet.params import PARAMETERS, ParameterError, make_params

    where = f"fact '{fact.id}', arm '{arm.name}'"
    values = {**base, **arm.set}
    try:
        resolved = make_params(values)
    except ParameterError as exc:
        raise ConfigError([f"{where}: {exc}"]) from None
    for name, factor in arm.scale.items():
        if name not in PARAMETERS or PARAMETERS[name].type not in (int, float):
            raise ConfigError([f"{where}: scale of {name!r}: not a numeric model parameter"])
        scaled = resolved[name] * factor
        values[name] = round(scaled) if PARAMETERS[name].type is int else scaled
    try:
        make_params(values)
    except ParameterError as exc:
        raise ConfigError(
            [f"{where}: {exc} (after scaling by {dict(arm.scale)}; lower the base value)"]
        ) from None
    return values


def base_params(overrides: Overrides) -> dict[str, Any]:
    """Return the base values of every run: the preset's, then ``--set`` values (checked)."""
    from supportnet.params import ParameterError, make_params, preset

    values: dict[str, Any] = {}
    try:
        if overrides.preset:
            values.update(preset(overrides.preset).values)
        values.update(overrides.set)
        make_params(values)
    except ParameterError as exc:
        raise ConfigError([str(exc)]) from None
    return values


def _digest(run: FactRun) -> str:
    data = asdict(run)
    for key in ("run_id", "digest", "point", "factors", "interventions"):
        data.pop(key)
    text = json.dumps(_plain(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_battery(
    battery: Battery, overrides: Overrides, facts: Sequence[Fact] | None = None
) -> tuple[list[FactRun], dict[tuple[str, str], str]]:
    """Plan the runs of ``facts`` (all by default).

    Returns:
        The runs (replication by replication, so early results cover every fact), and the run
        arm of each (fact id, fact arm name).

    Raises:
        ConfigError: If any run's parameters are not allowed.
    """
    chosen = {f.id for f in (facts if facts is not None else battery.facts)}
    base = base_params(overrides)
    # Distinct arms per setting, by content; the first fact that declares one names it. Arms and
    # their measures are found over the whole battery, so that a run is the same (same digest)
    # whichever facts are chosen: `--only` reuses the runs of a full battery and vice versa.
    arms: dict[str, dict[str, dict[str, Any]]] = {}
    arm_of: dict[tuple[str, str], str] = {}
    for fact in battery.facts:
        setting = battery.settings[fact.setting]
        for arm in fact.arms:
            params = arm_params(base, arm, fact)
            key = json.dumps(_plain([params, list(arm.trials)]), sort_keys=True)
            known = arms.setdefault(setting.name, {})
            if key not in known:
                changed = arm.set or arm.scale or arm.trials
                name = _slug(f"{fact.id}-{arm.name}") if changed else "default"
                known[key] = {
                    "name": name, "params": params, "trials": arm.trials, "measures": [],
                    "used": False,
                }  # fmt: skip
            entry = known[key]
            if fact.measure != "trial" and fact.measure not in entry["measures"]:
                entry["measures"].append(fact.measure)
            entry["used"] = entry["used"] or fact.id in chosen
            arm_of[(fact.id, arm.name)] = entry["name"]
    runs: list[FactRun] = []
    resolved = {name: overrides.setting(s) for name, s in battery.settings.items()}
    arms = {k: {a: e for a, e in v.items() if e["used"]} for k, v in arms.items()}
    arms = {k: v for k, v in arms.items() if v}
    most = max((resolved[name].seeds for name in arms), default=0)
    for rep in range(most):
        for setting_name, known in arms.items():
            setting: Setting = resolved[setting_name]
            if rep >= setting.seeds:
                continue
            seed = run_seed(overrides.battery_seed(battery), rep, {"setting": setting_name})
            for entry in known.values():
                run = FactRun(
                    run_id=f"{setting_name}-{entry['name']}-r{rep:02d}",
                    arm=entry["name"],
                    setting=setting_name,
                    replication=rep,
                    seed=seed,
                    params=dict(entry["params"]),
                    burn_in=setting.burn_in,
                    steps=setting.steps,
                    every=setting.every,
                    contact_window=setting.contact_window,
                    measures=tuple(sorted(entry["measures"])),
                    trials=tuple(dict(t) for t in entry["trials"]),
                )
                runs.append(replace(run, digest=_digest(run)))
    return runs, arm_of


def largest_run_memory(runs: Sequence[FactRun]) -> int:
    """Estimate the peak memory of the largest run (a twin trial holds two models at once).

    Raises:
        ConfigError: If a run would need more memory than this machine has.
    """
    from supportnet.params import ParameterError, make_params
    from supportnet.resources import check_memory

    seen: dict[str, int] = {}
    most = 0
    for run in runs:
        key = json.dumps(_plain([run.params, run.steps, bool(run.trials)]), sort_keys=True)
        if key not in seen:
            try:
                one = check_memory(make_params(run.params), run.steps)
            except ParameterError as exc:
                raise ConfigError([f"setting '{run.setting}', arm '{run.arm}': {exc}"]) from None
            seen[key] = one * (2 if run.trials else 1)
        most = max(most, seen[key])
    return most
