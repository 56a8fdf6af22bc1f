"""The experiment config schema: every key a config may hold, declared once.

:mod:`supportnet.experiments.config` validates configs against these declarations (unknown keys get
a did-you-mean among the keys of their table), and ``python -m supportnet.experiments.docs`` renders
them as the config reference in ``docs/experiments.md``. Model parameters are not repeated here:
``[base]``, ``[design.vary]``, ``[design.ranges]``, ``[control.where]`` and ``set`` tables are
checked against :data:`supportnet.params.PARAMETERS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "DESIGN_KINDS",
    "SECTIONS",
    "Key",
    "section_of",
]

#: Designs a config can ask for (``design.kind``).
DESIGN_KINDS = ("grid", "lhs", "sobol", "morris")


@dataclass(frozen=True)
class Key:
    """Declaration of one config key.

    Attributes:
        name: The key as written in TOML.
        kind: ``int``, ``number``, ``bool``, ``str``, ``table`` (of parameters or fields),
            ``list`` (of strings) or ``tables`` (an array of tables, ``[[...]]`` in TOML).
        meaning: One line for the reference and for error messages.
        default: Value used when the key is absent (None: no default).
        required: The key must be present.
        low: Smallest allowed value (``int`` keys).
        high: Largest allowed value (``int`` keys).
        choices: Allowed values (``str`` keys); empty means any text.
    """

    name: str
    kind: str
    meaning: str
    default: Any = None
    required: bool = False
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()

    def allowed(self) -> str:
        """Describe the allowed values in words."""
        if self.kind == "int":
            hi = "" if self.high is None else f" to {self.high}"
            return (
                f"a whole number from {self.low}{hi}" if self.low is not None else "a whole number"
            )
        if self.kind == "number":
            return "a number"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "one of " + ", ".join(repr(c) for c in self.choices) if self.choices else "text"
        if self.kind == "list":
            return 'a list of names, e.g. ["mean_depression", "mean_loneliness"]'
        if self.kind == "tables":
            return "an array of tables ([[...]] in TOML)"
        return "a table"


_TOP = (
    Key(
        "name",
        "str",
        "Experiment name: letters, digits, '_' and '-'; results go to "
        "results/<name>/ unless --out says otherwise",
        required=True,
    ),
    Key("title", "str", "One-line title for the report", default=""),
    Key("description", "str", "What the experiment asks, for the report", default=""),
    Key(
        "seed",
        "int",
        "Experiment seed; every run's seed is derived from it and the run's identity",
        required=True,
        low=0,
        high=2**63 - 1,
    ),
    Key("steps", "int", "Steps each run lasts", required=True, low=1, high=1_000_000),
    Key(
        "replications",
        "int",
        "Runs per design point (and arm), each with its own seed",
        default=1,
        low=1,
        high=100_000,
    ),
    Key(
        "preset",
        "str",
        "Start from this preset's values (`supportnet presets`); [base] overrides it. A preset "
        "that also sets interventions or a comparison (the lesson presets) is refused, with the "
        "[base], [[interventions]], [control] or [design.vary] lines that say the same",
        default="",
    ),
    Key(
        "base",
        "table",
        "Parameter values for every run (`supportnet params` lists them)",
        default={},
    ),
    Key(
        "design",
        "table",
        "What varies: a grid of values or a sampled design (see [design])",
        default={},
    ),
    Key(
        "interventions",
        "tables",
        "Interventions in every run (not the control arm): [[interventions]] tables, see below",
        default=[],
    ),
    Key(
        "arms",
        "tables",
        "Named arms, each run at every design point with the same seeds: "
        "[[arms]] tables, see below",
        default=[],
    ),
    Key("control", "table", "The control condition for effect sizes (see [control])"),
    Key(
        "ratios",
        "tables",
        "Ratios of two arms' effect sizes for the report, e.g. personalised over generic help: "
        "[[ratios]] tables, see below (needs a control arm)",
        default=[],
    ),
    Key("output", "table", "What each run keeps (see [output])", default={}),
)

_DESIGN = (
    Key(
        "kind",
        "str",
        "grid: every combination of [design.vary]; lhs: Latin hypercube; "
        "sobol: Saltelli/Sobol sequence for Sobol indices; morris: Morris trajectories for "
        "elementary effects (all sampled designs through SALib, seeded)",
        default="grid",
        choices=DESIGN_KINDS,
    ),
    Key(
        "vary",
        "table",
        "grid: parameter -> list of values, e.g. stressor_rate = [0.02, 0.05]",
        default={},
    ),
    Key("ranges", "table", "lhs/sobol/morris: numeric parameter -> [low, high]", default={}),
    Key(
        "samples",
        "int",
        "lhs: number of points; sobol: base sample N, a power of 2 "
        "(N x (D + 2) points, N x (2D + 2) with second_order); morris: trajectories "
        "(trajectories x (D + 1) points)",
        low=1,
        high=10_000_000,
    ),
    Key("levels", "int", "morris: grid levels per parameter", default=4, low=2, high=100),
    Key("second_order", "bool", "sobol: also estimate second-order indices", default=False),
)

_OUTPUT = (
    Key(
        "measures",
        "list",
        "Per-step measures kept in each run's table ([] or absent: all "
        "of supportnet.metrics.ALL_MEASURES)",
        default=[],
    ),
    Key(
        "every",
        "int",
        "Keep the per-step measures every k steps (step 0 and the last step are always kept)",
        default=1,
        low=1,
        high=1_000_000,
    ),
    Key(
        "persons_every",
        "int",
        "Keep person-level state every k steps in persons/<run>.parquet (0 = off)",
        default=0,
        low=0,
        high=1_000_000,
    ),
    Key(
        "outcomes",
        "list",
        "Measures summarised per run in summary.parquet and the report "
        "(default: supportnet.metrics.OUTCOMES)",
        default=[],
    ),
    Key(
        "outcome_window",
        "int",
        "A run's outcome is the mean of the measure over its last k "
        "steps (default: a tenth of the steps, at least 1)",
        low=1,
        high=1_000_000,
    ),
    Key(
        "burn_in",
        "int",
        "Panel windows starting before this step are left out of the "
        "buffering estimate (default: the first fifth of the run)",
        low=0,
        high=1_000_000,
    ),
)

_CONTROL = (
    Key("label", "str", "Name of the control condition in the report", default="control"),
    Key(
        "where",
        "table",
        "grid designs: the control is the design points with these values "
        "(e.g. {buffering = false}); every other point is compared with the control point that "
        "shares its other values",
    ),
    Key("arm", "str", "The control is this arm of [[arms]]"),
    Key("set", "table", "An extra control arm with these parameter values (on top of [base])"),
    Key("interventions", "tables", "The extra control arm's interventions (default: none)"),
)

_ARM = (
    Key("name", "str", "Arm name (letters, digits, '_' and '-')", required=True),
    Key("label", "str", "Name shown in the report (default: the name)", default=""),
    Key("set", "table", "Parameter values of this arm (on top of [base])", default={}),
    Key("interventions", "tables", "This arm's interventions", default=[]),
)

_RATIO = (
    Key("label", "str", "Name of the ratio in the report", required=True),
    Key(
        "numerator",
        "str",
        "Arm whose Hedges' g against the control is the numerator (a name of [[arms]])",
        required=True,
    ),
    Key(
        "denominator",
        "str",
        "Arm whose Hedges' g against the control is the denominator (a name of [[arms]])",
        required=True,
    ),
    Key(
        "outcome",
        "str",
        "Outcome the effect sizes are taken on (one of [output] outcomes)",
        required=True,
    ),
)

_INTERVENTION = (
    Key(
        "kind",
        "str",
        "Intervention kind: a key of supportnet.interventions.INTERVENTIONS; the "
        "table's other keys are that kind's settings (start, duration, budget, targeting and "
        "its own; docs/interventions.md)",
        required=True,
    ),
)

#: Sections of a config: table path -> declared keys. ``interventions[]``, ``arms[]`` and
#: ``ratios[]`` are the keys of each table in those arrays (interventions also take their own
#: kind's parameters).
SECTIONS: dict[str, tuple[Key, ...]] = {
    "": _TOP,
    "design": _DESIGN,
    "output": _OUTPUT,
    "control": _CONTROL,
    "arms[]": _ARM,
    "ratios[]": _RATIO,
    "interventions[]": _INTERVENTION,
}


def section_of(name: str) -> dict[str, Key]:
    """Return the keys of section ``name`` by key name."""
    return {k.name: k for k in SECTIONS[name]}
