"""Every model parameter, declared once: type, default, bounds, unit, meaning, group.

The CLI (``--set``), experiment configs, dashboard controls and the parameter table in
``docs/model.md`` are all generated from :data:`PARAMETERS`. Validation lives here too:
:func:`make_params` turns user overrides into a frozen :class:`Params`, or raises a
:class:`ParameterError` whose message names the parameter, the value and what is allowed.

Presets (:data:`PRESETS`) are named sets of overrides with a short story each: the ones written
here, and those stored as TOML files in ``data/presets/`` beside this module (a calibration's
``supportnet calibrate --apply`` writes ``calibrated.toml`` there, with its provenance).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "GROUPS",
    "NETWORK_KINDS",
    "PARAMETERS",
    "PRESETS",
    "SUBGROUPS",
    "Param",
    "ParameterError",
    "Params",
    "Preset",
    "coerce_text",
    "describe_compare",
    "describe_spec",
    "make_params",
    "parameter_table",
    "preset",
    "scaled_town",
]

#: Starting-network families (``network``). ``file`` reads ``network_file``.
NETWORK_KINDS = (
    "convoy",
    "watts_strogatz",
    "barabasi_albert",
    "erdos_renyi",
    "random_regular",
    "family_sbm",
    "karate_club",
    "davis_southern_women",
    "florentine_families",
    "les_miserables",
    "file",
)

#: Subgroups a shock can be aimed at (``shock_subgroup``).
SUBGROUPS = ("all", "low_income", "severe_mental_illness", "older_adults")

#: Parameter groups in display order (dashboard panels, docs sections).
GROUPS = (
    "population",
    "subgroups",
    "network",
    "turnover",
    "contact",
    "caregiving",
    "stressors",
    "appraisal",
    "seeking",
    "giving",
    "costs",
    "recovery",
    "loneliness",
    "depression",
    "ties",
    "mood",
    "measurement",
)


class ParameterError(ValueError):
    """A parameter value, name or combination that the model cannot accept."""


@dataclass(frozen=True)
class Param:
    """Declaration of one model parameter.

    Attributes:
        name: Keyword used everywhere (CLI ``--set``, configs, ``SupportModel(**params)``).
        type: One of ``float``, ``int``, ``bool``, ``str``.
        default: Value used when none is given.
        low: Smallest allowed value (numbers only).
        high: Largest allowed value (numbers only).
        unit: Unit of the value, for tables and help text.
        meaning: One-line meaning, shown as help text.
        group: One of :data:`GROUPS`.
        choices: Allowed values for ``str`` parameters (empty means any text).
        main: Shown on the dashboard's first screen.
    """

    name: str
    type: type
    default: Any
    low: float | None = None
    high: float | None = None
    unit: str = ""
    meaning: str = ""
    group: str = "population"
    choices: tuple[str, ...] = ()
    main: bool = False

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages and tables."""
        if self.type is bool:
            return "true or false"
        if self.type is str:
            return "one of " + ", ".join(repr(c) for c in self.choices) if self.choices else "text"
        kind = "a whole number" if self.type is int else "a number"
        return f"{kind} from {_fmt(self.low)} to {_fmt(self.high)}"

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ParameterError."""
        where = f"parameter '{self.name}'"
        if self.type is bool:
            if isinstance(value, (bool,)) or (hasattr(value, "dtype") and value.dtype == bool):
                return bool(value)
            raise ParameterError(f"{where}: {value!r} is not allowed; expected true or false")
        if self.type is str:
            if not isinstance(value, str):
                raise ParameterError(
                    f"{where}: {value!r} is not allowed; expected {self.allowed()}"
                )
            if self.choices and value not in self.choices:
                hint = _did_you_mean(value, self.choices)
                raise ParameterError(
                    f"{where}: {value!r} is not allowed; expected {self.allowed()}{hint}"
                )
            return value
        # Numbers. bool is an int subclass in Python; refuse it so `n_people=True` is an error.
        if isinstance(value, bool) or not _is_number(value):
            raise ParameterError(f"{where}: {value!r} is not allowed; expected {self.allowed()}")
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float: far beyond any bound
            raise ParameterError(
                f"{where}: {_short(value)} is out of range; expected {self.allowed()}"
            ) from None
        if self.type is int:
            if not math.isfinite(number) or number != math.floor(number):
                raise ParameterError(
                    f"{where}: {_short(value)} is not allowed; expected {self.allowed()}"
                )
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ParameterError(
                    f"{where}: {value!r} is not allowed; expected {self.allowed()}"
                )
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise ParameterError(
                f"{where}: {_short(value)} is out of range; expected {self.allowed()}"
            )
        return value


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except OverflowError:  # a huge integer is a number (out of range, said later)
        return not isinstance(value, str)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, str)


def _short(value: Any) -> str:
    """``repr(value)``, cut to 40 characters (a 400-digit integer in a message helps no one)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"


def _fmt(x: float | None) -> str:
    if x is None:
        return "any"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:g}"


def _did_you_mean(name: str, options: Any) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _p(name, type_, default, low=None, high=None, unit="", meaning="", group="", **kw) -> Param:
    return Param(name, type_, default, low, high, unit, meaning, group, **kw)


F, I, B, S = float, int, bool, str  # noqa: E741 (short names keep the table readable)

# fmt: off
_DECLARATIONS: tuple[Param, ...] = (
    # --- population ---------------------------------------------------------------------------
    _p("n_people", I, 1000, 2, 2_000_000, "people", "Number of people (ignored for networkx's real networks and files, which fix it)", "population", main=True),
    _p("capacity_mean", F, 0.6, 0, 1, "share", "Mean of each person's maximum capacity to give support per step", "population", main=True),
    _p("capacity_sd", F, 0.15, 0, 0.5, "share", "Spread of maximum capacity across people", "population"),
    _p("help_seeking_mean", F, 0.6, 0, 1, "probability", "Mean willingness to ask for help when in need (lowered by stigma, shame)", "population", main=True),
    _p("help_seeking_sd", F, 0.15, 0, 0.5, "probability", "Spread of willingness to ask", "population"),
    _p("resilience_mean", F, 0.15, 0, 1, "per step", "Mean share of stress a person copes away each step", "population"),
    _p("resilience_sd", F, 0.05, 0, 0.5, "per step", "Spread of resilience across people", "population"),
    _p("desired_connection_mean", F, 0.3, 0, 1, "share", "Mean connection a person wants: the share of the everyday contact a full network of their size would give (0 = none, 1 = all of it)", "population"),
    _p("desire_size_correlation", F, 0.7, -1, 1, "correlation", "Correlation between a person's desired connection and their network size (sociable people want and keep more ties)", "population"),
    _p("desired_connection_sd", F, 0.1, 0, 0.5, "share", "Spread of desired connection between people", "population"),
    _p("competence_mean", F, 0.5, 0, 1, "share", "Mean competence at giving each support type", "population"),
    _p("competence_sd", F, 0.2, 0, 0.5, "share", "Spread of competence across people and support types", "population"),
    _p("loneliness_bias_sd", F, 0.1, 0, 0.5, "share", "Spread of a stable proneness to loneliness (rejection sensitivity, attachment): how far loneliness departs from the contact gap", "population"),
    _p("perception_bias_sd", F, 0.1, 0, 0.5, "share", "Spread of perception bias (attachment style): how far perceived support departs from experience", "population"),
    _p("initial_stress_mean", F, 0.2, 0, 1, "share", "Mean starting stress", "population"),
    _p("initial_depression_mean", F, 0.15, 0, 1, "share", "Mean starting depressive symptoms", "population"),
    _p("initial_loneliness_mean", F, 0.2, 0, 1, "share", "Mean starting loneliness", "population"),
    _p("initial_perceived_support_mean", F, 0.5, 0, 1, "share", "Mean starting perceived support", "population"),
    _p("interest_dims", I, 3, 1, 10, "dimensions", "Dimensions of the interest space used for homophily", "population"),
    _p("n_groups", I, 70, 1, 100_000, "groups", "Number of community groups (focal points: circles of friends, clubs, workplaces), spread over the whole town; with the default town, about 14 people each", "population"),
    # --- subgroups ----------------------------------------------------------------------------
    _p("low_income_share", F, 0.0, 0, 1, "share", "Share of people with low income", "subgroups", main=True),
    _p("low_income_capacity", F, 0.5, 0, 1, "factor", "Capacity of low-income people relative to others", "subgroups"),
    _p("low_income_stress_rate", F, 1.5, 1, 5, "factor", "Stressor rate of low-income people relative to others", "subgroups"),
    _p("smi_share", F, 0.0, 0, 1, "share", "Share of people with a severe mental illness", "subgroups"),
    _p("smi_support_factor", F, 0.5, 0, 1, "factor", "Starting perceived support and help-seeking of people with severe mental illness, relative to others", "subgroups"),
    _p("smi_depression_add", F, 0.3, 0, 1, "share", "Extra starting depression of people with severe mental illness", "subgroups"),
    _p("older_share", F, 0.0, 0, 1, "share", "Share of older adults", "subgroups"),
    _p("older_tie_formation", F, 0.5, 0, 1, "factor", "Rate at which older adults form new ties, relative to others", "subgroups"),
    _p("older_online", F, 0.3, 0, 1, "factor", "Rate at which older adults form online ties, relative to others", "subgroups"),
    # --- network ------------------------------------------------------------------------------
    _p("network", S, "convoy", meaning="Starting network: the layered convoy, a standard generator, a real network from networkx, or a file", group="network", choices=NETWORK_KINDS, main=True),
    _p("network_file", S, "", unit="path", meaning="Edge list (.txt, .csv, .edgelist), GraphML or GML file, used when network is 'file'", group="network"),
    _p("convoy_inner", I, 5, 0, 1000, "ties", "Inner circle: mean number of ties seen about weekly (Dunbar's support clique); scaled per person by their network size", "network"),
    _p("convoy_sympathy", I, 18, 0, 1000, "ties", "Sympathy group: mean number of ties seen at least monthly, inner circle included", "network"),
    _p("convoy_wider", I, 30, 0, 1000, "ties", "Network size: mean number of ties a person can keep up, all layers (a finite capacity for relationships)", "network"),
    _p("neighbourhood_cohesion_sd", F, 0.3, 0, 2, "log factor", "Spread between neighbourhoods of how much everyday contact they foster (social cohesion; 0 = all alike)", "network"),
    _p("network_size_cv", F, 0.6, 0, 2, "ratio", "Spread of network size between people (coefficient of variation); layers scale with it", "network"),
    _p("neighbourhood_size", I, 50, 2, 1_000_000, "people", "People per neighbourhood: the town is a square grid of neighbourhoods on a torus", "network"),
    _p("convoy_family_share", F, 0.6, 0, 1, "share", "Share of the inner circle that is family", "network"),
    _p("convoy_locality", F, 0.2, 0, 1, "share", "Share of starting non-family ties drawn from a person's own or an adjacent neighbourhood (of the rest, two thirds from their community group, a third from anywhere)", "network"),
    _p("ws_k", I, 6, 2, 1000, "ties", "Watts-Strogatz: ties per person in the ring", "network"),
    _p("ws_p", F, 0.1, 0, 1, "probability", "Watts-Strogatz: rewiring probability", "network"),
    _p("ba_m", I, 3, 1, 1000, "ties", "Barabasi-Albert: ties each new person brings", "network"),
    _p("er_mean_degree", F, 8.0, 0, 1000, "ties", "Erdos-Renyi: mean ties per person", "network"),
    _p("rr_degree", I, 4, 1, 1000, "ties", "Random regular: ties of every person (n_people x rr_degree must be even)", "network"),
    _p("sbm_family_size", I, 4, 1, 50, "people", "Family SBM: people per family block (family ties within)", "network"),
    _p("sbm_mean_degree_between", F, 6.0, 0, 1000, "ties", "Family SBM: mean ties per person outside the family", "network"),
    _p("family_share", F, 0.2, 0, 1, "share", "Standard generators and files: share of ties that are family", "network"),
    _p("neighbour_share", F, 0.25, 0, 1, "share", "Standard generators and files: share of ties that are neighbours (the rest are friends)", "network"),
    _p("conflict_mean", F, 0.1, 0, 1, "share", "Mean conflict level of a tie (some ties bring stress along with support)", "network"),
    _p("initial_strength_mean", F, 0.5, 0.01, 1, "strength", "Mean starting strength of non-family ties (family ties start stronger)", "network"),
    # --- turnover ----------------------------------------------------------------------------
    _p("turnover", B, True, meaning="Switch: people leave the town (move away or die) and newcomers arrive", group="turnover"),
    _p("leave_rate", F, 0.04, 0, 1, "per person per year", "Chance that a person leaves the town in a year (moving away or dying); each is replaced by a newcomer", "turnover"),
    _p("local_entry_share", F, 0.9, 0, 1, "share", "Share of people with family in the town, at the start and among newcomers (who then join one of the town's families and arrive with family ties)", "turnover"),
    # --- contact -----------------------------------------------------------------------------
    _p("contact_inner", F, 2.5, 0, 20, "contacts per week", "Everyday contact over a tie in a person's inner circle", "contact"),
    _p("contact_sympathy", F, 0.4, 0, 20, "contacts per week", "Everyday contact over a tie in the sympathy group (outside the inner circle)", "contact"),
    _p("contact_wider", F, 0.06, 0, 20, "contacts per week", "Everyday contact over any other tie (a few times a year)", "contact"),
    _p("depression_contact_effect", F, 0.1, 0, 1, "share", "How much full depression cuts a person's everyday contact (social withdrawal in depression)", "contact"),
    # --- caregiving --------------------------------------------------------------------------
    _p("caregiving", B, True, meaning="Switch: some people need sustained care and a family member becomes their carer", group="caregiving"),
    _p("care_onset_rate", F, 0.02, 0, 1, "per person per year", "Chance that a person develops a sustained need for care in a year (chronic illness, disability, frailty)", "caregiving"),
    _p("care_end_rate", F, 0.2, 0, 1, "per person per year", "Chance that a need for care ends in a year (recovery, moving into residential care)", "caregiving"),
    _p("care_need", F, 0.5, 0, 1, "share", "Practical need that never falls below this while a person needs care", "caregiving"),
    _p("care_hours", F, 0.3, 0, 1, "share of capacity per step", "Care a carer gives each step, as a share of their maximum capacity", "caregiving"),
    _p("care_stress", F, 0.0275, 0, 1, "per step", "Stress a carer's role adds each step (the demands and captivity of caring), on top of the burden of giving beyond capacity", "caregiving"),
    _p("care_contact_effect", F, 0.3, 0, 1, "share", "How much caring cuts the carer's everyday contact (time taken up by care)", "caregiving"),
    # --- stressors ----------------------------------------------------------------------------
    _p("stressors", B, True, meaning="Switch: life events arrive", group="stressors"),
    _p("stressor_rate", F, 0.05, 0, 1, "per person per step", "Probability that a person meets a life event in a step", "stressors", main=True),
    _p("stressor_magnitude", F, 0.4, 0, 1, "share", "Mean magnitude of a life event", "stressors", main=True),
    _p("loss_ends_tie", F, 0.8, 0, 1, "probability", "Chance that a loss event (bereavement, separation, a friend moving away) ends one of the person's ties (not family), chosen by strength", "stressors"),
    _p("shock_start", I, 0, 0, 1_000_000, "step", "Step at which a shock begins (with shock_duration > 0)", "stressors"),
    _p("shock_duration", I, 0, 0, 1_000_000, "steps", "Length of the shock; 0 means no shock", "stressors"),
    _p("shock_rate_multiplier", F, 1.0, 1, 20, "factor", "Stressor rate during the shock, relative to normal", "stressors"),
    _p("shock_magnitude_multiplier", F, 1.0, 1, 5, "factor", "Event magnitude during the shock, relative to normal", "stressors"),
    _p("shock_contact_multiplier", F, 1.0, 0, 1, "factor", "Routine contact during the shock, relative to normal (e.g. lockdown)", "stressors"),
    _p("shock_subgroup", S, "all", meaning="Who the shock hits", group="stressors", choices=SUBGROUPS),
    # --- appraisal ----------------------------------------------------------------------------
    _p("buffering", B, True, meaning="Switch: support protects against stress (buffering hypothesis): perceived support reduces the stress an event causes, and support received relieves stress", group="appraisal", main=True),
    _p("buffering_strength", F, 0.6, 0, 1, "share", "How much full perceived support cuts an event's impact", "appraisal"),
    _p("main_effect", B, True, meaning="Switch: perceived support lowers depression whatever the stressors (main-effect hypothesis)", group="appraisal", main=True),
    _p("main_effect_strength", F, 0.002, 0, 0.2, "per step", "Depression lowered per step by full perceived support", "appraisal"),
    _p("perceived_support_rate", F, 0.1, 0, 1, "per step", "Speed at which perceived support follows experience and integration", "appraisal"),
    _p("help_reference", F, 0.4, 0.01, 1, "share", "Share of help that must land (competence x fit) for an answered ask to count as fully helpful, for trust in one's ties", "appraisal"),
    _p("trust_rate", F, 0.2, 0, 1, "per ask", "Speed at which trust that ties will help follows how asks were answered (and how well the help fitted)", "appraisal"),
    _p("integration_saturation", F, 6.0, 0.01, 1000, "strength", "Quality-weighted tie strength at which the integration index reaches 63%", "appraisal"),
    # --- seeking ------------------------------------------------------------------------------
    _p("seeking", B, True, meaning="Switch: people in need ask their ties for help", group="seeking"),
    _p("seek_stress_threshold", F, 0.3, 0, 1, "share", "Stress above which a person considers asking", "seeking"),
    _p("seek_need_threshold", F, 0.2, 0, 1, "share", "Unmet need (any type) above which a person considers asking", "seeking"),
    _p("ask_breadth", F, 2.0, 0, 50, "ties", "Expected number of ties asked by someone who asks", "seeking"),
    _p("depression_seeking_effect", F, 0.5, 0, 1, "share", "How much full depression lowers willingness to ask", "seeking"),
    # --- giving -------------------------------------------------------------------------------
    _p("giving", B, True, meaning="Switch: asked ties give support", group="giving"),
    _p("giving_boundary", F, 0.5, 0, 1, "share", "Share of current capacity a person is willing to give in one step", "giving", main=True),
    _p("support_stress_relief", F, 0.5, 0, 2, "per unit", "Stress relieved per unit of well-landed support (a pathway of buffering: none with buffering off)", "giving"),
    _p("online_landing", F, 0.5, 0, 1, "factor", "How well support over online ties lands, relative to face-to-face friends", "giving"),
    # --- costs --------------------------------------------------------------------------------
    _p("giving_costs", B, True, meaning="Switch: giving spends capacity and heavy demand stresses the giver", group="costs"),
    _p("burden_threshold", F, 0.15, 0, 1, "share", "Support given per step (share of maximum capacity) above which giving stresses the giver", "costs"),
    _p("burden_stress", F, 0.5, 0, 5, "per unit", "Stress added per unit of giving above the burden threshold (caregiver burden)", "costs"),
    _p("conflict_stress", F, 0.05, 0, 1, "per contact", "Stress added per contact over a fully conflictual tie", "costs"),
    _p("burnout_capacity", F, 0.2, 0, 1, "share", "A giver is burnt out when capacity is below this share of their maximum", "costs"),
    # --- recovery -----------------------------------------------------------------------------
    _p("recovery", B, True, meaning="Switch: stress is coped with and capacity recovers", group="recovery"),
    _p("capacity_recovery", F, 0.15, 0, 1, "per step", "Share of spent capacity regained per step", "recovery"),
    _p("stress_recovery_penalty", F, 0.5, 0, 1, "share", "How much full stress slows capacity recovery", "recovery"),
    _p("need_stress", F, 0.01, 0, 1, "per step", "Stress added each step by a full unit of unmet need (chronic strain)", "recovery"),
    _p("need_decay", F, 0.05, 0, 1, "per step", "Share of unmet need that resolves on its own each step", "recovery"),
    _p("depression_capacity_effect", F, 0.5, 0, 1, "share", "How much full depression slows capacity recovery and coping", "recovery"),
    # --- loneliness ---------------------------------------------------------------------------
    _p("loneliness_dynamics", B, True, meaning="Switch: loneliness follows the gap between desired and actual contact", group="loneliness"),
    _p("lonely_contact_quality", F, 0.8, 0, 1, "share", "How much a partner's full loneliness lowers the quality of contact with them (lonely people's interactions are less rewarding for both)", "loneliness"),
    _p("loneliness_rate", F, 0.1, 0, 1, "per step", "Speed at which loneliness moves toward the contact gap", "loneliness"),
    _p("withdrawal", B, True, meaning="Switch: lonely people withdraw (ask less, accept fewer new ties, let ties decay)", group="loneliness", main=True),
    _p("withdrawal_strength", F, 0.5, 0, 1, "share", "How much full loneliness cuts contact, asking and new ties", "loneliness"),
    _p("loneliness_contagion", F, 0.0, 0, 1, "per contact", "Direct contagion: chance that one contact with a lonely person passes loneliness on (recovery follows the contact gap; 0 = off)", "loneliness"),
    _p("lonely_threshold", F, 0.5, 0, 1, "share", "Loneliness above which a person counts as lonely; read on the 3-item UCLA scale (3 + 6 x loneliness), 0.5 is a score of 6 or more", "loneliness"),
    # --- depression ---------------------------------------------------------------------------
    _p("depression_dynamics", B, True, meaning="Switch: depression moves with stress and loneliness", group="depression"),
    _p("depression_rate", F, 0.04, 0, 1, "per step", "Speed at which stress and loneliness raise depression", "depression"),
    _p("stress_weight", F, 0.7, 0, 1, "weight", "Weight of stress in driving depression", "depression"),
    _p("loneliness_weight", F, 0.16, 0, 1, "weight", "Weight of loneliness in driving depression", "depression"),
    _p("depression_recovery", F, 0.03, 0, 1, "per step", "Share of depression that recovers per step", "depression"),
    _p("case_threshold", F, 0.37, 0, 1, "share", "Depression above which a person counts as a case; read on the PHQ-9 (27 x depression), 0.37 is a score of 10 or more", "depression"),
    # --- ties ---------------------------------------------------------------------------------
    _p("tie_dynamics", B, True, meaning="Switch: ties strengthen, decay, end and form", group="ties", main=True),
    _p("strengthen_rate", F, 0.05, 0, 1, "per use", "Strength gained (share of the gap to 1) by a tie used for support", "ties"),
    _p("contact_gain", F, 0.03, 0, 1, "per contact", "Strength gained (share of the gap to 1) by routine contact: contact maintains ties", "ties"),
    _p("reciprocity_bonus", F, 0.5, 0, 5, "factor", "Extra strengthening when support flowed both ways", "ties"),
    _p("decay_family", F, 0.001, 0, 1, "per step", "Strength lost per step without contact: family", "ties"),
    _p("decay_friend", F, 0.005, 0, 1, "per step", "Strength lost per step without contact: friends", "ties"),
    _p("decay_neighbour", F, 0.008, 0, 1, "per step", "Strength lost per step without contact: neighbours", "ties"),
    _p("decay_peer", F, 0.01, 0, 1, "per step", "Strength lost per step without contact: support-group peers", "ties"),
    _p("decay_professional", F, 0.0, 0, 1, "per step", "Strength lost per step without contact: professionals", "ties"),
    _p("decay_online", F, 0.01, 0, 1, "per step", "Strength lost per step without contact: online ties", "ties"),
    _p("end_threshold", F, 0.05, 0, 1, "strength", "Ties weaker than this end (family ties persist at family_floor)", "ties"),
    _p("family_floor", F, 0.1, 0, 1, "strength", "Family ties never fall below this strength", "ties"),
    _p("imbalance_threshold", F, 1.0, 0.01, 100, "support units", "Reciprocity imbalance at which a non-family tie is at high risk of ending", "ties"),
    _p("end_hazard", F, 0.02, 0, 1, "per step", "Chance per step that a fully unbalanced or fully conflictual tie (not family or professional) ends", "ties"),
    _p("embeddedness", F, 0.5, 0, 10, "per common friend", "How much each friend two people share lowers the chance their tie ends (ties embedded in triangles last: the rate is divided by 1 + embeddedness x common friends)", "ties"),
    _p("tie_end_rate", F, 0.10, 0, 1, "per tie per year", "Chance that a tie of strength 0.5 that can end (not family or professional) ends in a year: people drift apart and move on (twice that at strength 0, none at 1)", "ties"),
    _p("balance_memory", F, 0.1, 0.001, 1, "per step", "Share of the reciprocity balance forgotten each step", "ties"),
    _p("closure_rate", F, 0.15, 0, 1, "per person per step", "Chance that a person with room for new ties meets a friend of a friend (triadic closure), at full room", "ties"),
    _p("neighbourhood_rate", F, 0.1, 0, 1, "per person per step", "Chance that a person with room for new ties meets someone from their own or an adjacent neighbourhood, at full room", "ties"),
    _p("focal_rate", F, 0.3, 0, 1, "per person per step", "Chance that a person with room for new ties meets someone from their community group, at full room", "ties"),
    _p("online_rate", F, 0.003, 0, 1, "per person per step", "Chance that a person with room for new ties meets someone online, at full room", "ties"),
    _p("homophily", F, 0.5, 0, 20, "per unit distance", "How much interest dissimilarity lowers the chance a meeting becomes a tie", "ties"),
    _p("sociability_homophily", F, 1.5, 0, 20, "per log unit", "How much a difference in network size (sociability) lowers the chance a meeting becomes a tie: similar people befriend each other, so networks are assortative by degree", "ties"),
    _p("new_tie_strength", F, 0.2, 0.01, 1, "strength", "Strength of a newly formed tie", "ties"),
    _p("max_ties", I, 150, 1, 100_000, "ties", "Ties a person can keep up (Dunbar's number); no new ties beyond it", "ties"),
    # --- mood (SISa emotion contagion, Hill et al. 2010; rates per year, converted to the week) --
    _p("sisa", B, False, meaning="Switch: SISa emotion contagion: people are content, neutral or discontent, and moods spread per contact (Hill et al. 2010)", group="mood"),
    _p("sisa_classic", B, False, meaning="Classic SISa mode: no other mechanism acts, the network is static and every tie is a contact every step (the paper's setting; use with sisa on)", group="mood"),
    _p("sisa_content_spontaneous", F, 0.18, 0, 10, "per year", "a_C: rate at which a neutral person becomes content on their own", "mood"),
    _p("sisa_discontent_spontaneous", F, 0.04, 0, 10, "per year", "a_D: rate at which a neutral person becomes discontent on their own", "mood"),
    _p("sisa_content_contact", F, 0.02, 0, 10, "per year per contact", "b_C: rate of becoming content added by each content contact", "mood"),
    _p("sisa_discontent_contact", F, 0.04, 0, 10, "per year per contact", "b_D: rate of becoming discontent added by each discontent contact", "mood"),
    _p("sisa_content_recovery", F, 0.088, 0, 10, "per year", "g_C: rate at which a content person returns to neutral", "mood"),
    _p("sisa_discontent_recovery", F, 0.13, 0, 10, "per year", "g_D: rate at which a discontent person returns to neutral", "mood"),
    _p("sisa_discontent_to_content", F, 0.07, 0, 10, "per year", "s_DC: rate at which a discontent person becomes content directly", "mood"),
    _p("sisa_content_to_discontent", F, 0.009, 0, 10, "per year", "s_CD: rate at which a content person becomes discontent directly", "mood"),
    _p("sisa_heterogeneity", F, 0.0, 0, 2, "log sd", "Spread between people of their susceptibility to becoming content or discontent (log-normal, mean 1; 0 = all alike)", "mood"),
    _p("sisa_depression_to_mood", F, 0.0, 0, 20, "factor", "Coupling: full depression multiplies the rates into discontent by 1 + this (0 = off)", "mood"),
    _p("sisa_loneliness_to_mood", F, 0.0, 0, 20, "factor", "Coupling: full loneliness multiplies the rates into discontent by 1 + this (0 = off)", "mood"),
    _p("sisa_mood_to_depression", F, 0.0, 0, 0.2, "per step", "Coupling: depression added each step by a discontent mood, taken by a content one (0 = off)", "mood"),
    _p("sisa_mood_to_loneliness", F, 0.0, 0, 0.2, "per step", "Coupling: loneliness added each step by a discontent mood, taken by a content one (0 = off)", "mood"),
    # --- measurement --------------------------------------------------------------------------
    _p("panel_every", I, 10, 0, 1_000_000, "steps", "Window length of the person panel behind the buffering estimate (0 = no panel)", "measurement"),
    _p("agent_every", I, 0, 0, 1_000_000, "steps", "Collect person-level state every k steps through the DataCollector (0 = never)", "measurement"),
    _p("clustering_sample", I, 100, 1, 1_000_000, "people", "People sampled to estimate clustering each step (exact when the network is smaller)", "measurement"),
)
# fmt: on

#: All declarations by name, in declaration order.
PARAMETERS: Mapping[str, Param] = MappingProxyType({p.name: p for p in _DECLARATIONS})


class Params(Mapping[str, Any]):
    """A validated, read-only set of parameter values (every declared name present).

    Values are read as attributes (``params.stressor_rate``) or by key (``params["n_people"]``).
    Build one with :func:`make_params`.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_values":
            # Not a parameter: lets copy and pickle probe a half-built instance safely.
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __reduce__(self):
        return (Params, (self._values,))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Params are read-only; use make_params(base, **changes)")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != PARAMETERS[k].default}
        return f"Params({changed})"

    def changed(self) -> dict[str, Any]:
        """Return the values that differ from the declared defaults."""
        return {k: v for k, v in self._values.items() if v != PARAMETERS[k].default}

    def replace(self, **changes: Any) -> Params:
        """Return a new validated Params with ``changes`` applied."""
        return make_params(self, **changes)


def make_params(base: Mapping[str, Any] | None = None, /, **overrides: Any) -> Params:
    """Validate parameter values and fill the rest with defaults.

    Args:
        base: Starting values (a Params or a mapping); defaults where absent.
        **overrides: Values that replace those of ``base``.

    Returns:
        The complete, validated parameter set.

    Raises:
        ParameterError: For an unknown name (with a did-you-mean), a value of the wrong type,
            a value out of range, or an inconsistent combination. The message names the
            parameter, the value and what is allowed.

    Examples:
        >>> make_params(stressor_rate=0.1).stressor_rate
        0.1
        >>> make_params(stresor_rate=0.1)
        Traceback (most recent call last):
        ...
        supportnet.params.ParameterError: unknown parameter 'stresor_rate' (did you mean 'stressor_rate'?); `supportnet params` lists them all
    """
    values = {name: p.default for name, p in PARAMETERS.items()}
    for source in (base or {}), overrides:
        for name, value in source.items():
            if name not in PARAMETERS:
                raise ParameterError(
                    f"unknown parameter {name!r}{_did_you_mean(name, PARAMETERS)}; "
                    "`supportnet params` lists them all"
                )
            values[name] = PARAMETERS[name].check(value)
    _check_combinations(values)
    return Params(values)


def _check_combinations(v: dict[str, Any]) -> None:
    """Reject combinations that are each in range but cannot work together."""

    def fail(msg: str) -> None:
        raise ParameterError(msg)

    if not v["convoy_inner"] <= v["convoy_sympathy"] <= v["convoy_wider"]:
        fail(
            "parameters 'convoy_inner', 'convoy_sympathy', 'convoy_wider' "
            f"({v['convoy_inner']}, {v['convoy_sympathy']}, {v['convoy_wider']}) are not allowed "
            "together; the layers are cumulative, so inner <= sympathy <= wider is required"
        )
    n = v["n_people"]
    generated = v["network"] in ("convoy", "watts_strogatz", "barabasi_albert", "erdos_renyi")
    if v["network"] == "convoy" and v["convoy_wider"] >= n:
        fail(
            f"parameter 'convoy_wider' ({v['convoy_wider']}) is not allowed with "
            f"n_people={n}; it must be smaller than n_people"
        )
    if v["network"] == "watts_strogatz" and v["ws_k"] >= n:
        fail(f"parameter 'ws_k' ({v['ws_k']}) is not allowed with n_people={n}; it must be smaller")
    if v["network"] == "barabasi_albert" and v["ba_m"] >= n:
        fail(f"parameter 'ba_m' ({v['ba_m']}) is not allowed with n_people={n}; it must be smaller")
    if v["network"] == "erdos_renyi" and v["er_mean_degree"] > n - 1:
        fail(
            f"parameter 'er_mean_degree' ({v['er_mean_degree']:g}) is not allowed with "
            f"n_people={n}; it can be at most n_people - 1 = {n - 1}"
        )
    if v["network"] == "family_sbm" and v["sbm_family_size"] > n:
        fail(
            f"parameter 'sbm_family_size' ({v['sbm_family_size']}) is not allowed with "
            f"n_people={n}; a family cannot be larger than the population"
        )
    if generated and v["n_groups"] > n:
        fail(
            f"parameter 'n_groups' ({v['n_groups']}) is not allowed with n_people={n}; "
            "there cannot be more community groups than people"
        )
    if v["network"] == "file" and not v["network_file"]:
        fail(
            "parameter 'network_file' is empty but network is 'file'; give the path of a network file"
        )  # noqa: E501
    if v["network_file"] and v["network"] != "file":
        fail(
            f"parameter 'network_file' ({v['network_file']!r}) is set but network is "
            f"{v['network']!r}; set network='file' to use it (or clear network_file)"
        )
    if v["family_share"] + v["neighbour_share"] > 1:
        fail(
            f"parameters 'family_share' ({v['family_share']:g}) and 'neighbour_share' "
            f"({v['neighbour_share']:g}) are not allowed together; their sum must be at most 1"
        )
    if v["low_income_share"] + v["smi_share"] + v["older_share"] > 1:
        fail(
            "parameters 'low_income_share', 'smi_share', 'older_share' "
            f"({v['low_income_share']:g}, {v['smi_share']:g}, {v['older_share']:g}) are not "
            "allowed together; the subgroups do not overlap, so their shares must sum to at most 1"
        )
    if v["family_floor"] < v["end_threshold"] and v["decay_family"] > 0:
        # Family ties persist by definition; a floor below the ending threshold would end them.
        fail(
            f"parameter 'family_floor' ({v['family_floor']:g}) is not allowed with "
            f"end_threshold={v['end_threshold']:g}; family ties persist, so the floor must be "
            "at least the ending threshold"
        )
    if v["new_tie_strength"] <= v["end_threshold"]:
        fail(
            f"parameter 'new_tie_strength' ({v['new_tie_strength']:g}) is not allowed with "
            f"end_threshold={v['end_threshold']:g}; a new tie must start above the threshold "
            "at which ties end"
        )
    if v["network"] == "random_regular" and (v["rr_degree"] >= n or (v["rr_degree"] * n) % 2):
        fail(
            f"parameter 'rr_degree' ({v['rr_degree']}) is not allowed with n_people={n}; it must "
            "be smaller than n_people, and n_people x rr_degree must be even"
        )
    if v["sisa_classic"] and not v["sisa"]:
        fail(
            "parameter 'sisa_classic' (True) is not allowed with sisa=False; the classic mode "
            "runs the SISa mood layer alone, so switch sisa on too"
        )
    if v["shock_duration"] > 0 and v["shock_start"] < 1:
        fail(
            f"parameter 'shock_start' ({v['shock_start']}) is not allowed with "
            f"shock_duration={v['shock_duration']}; steps are numbered from 1"
        )


def coerce_text(name: str, text: str) -> Any:
    """Convert a value typed as text (CLI ``--set``, dashboard inputs) to the parameter's type.

    Raises:
        ParameterError: If the name is unknown or the text does not read as the right type.
    """
    if name not in PARAMETERS:
        raise ParameterError(
            f"unknown parameter {name!r}{_did_you_mean(name, PARAMETERS)}; "
            "`supportnet params` lists them all"
        )
    p = PARAMETERS[name]
    t = text.strip()
    if p.type is bool:
        low = t.lower()
        if low in ("true", "yes", "on", "1"):
            return True
        if low in ("false", "no", "off", "0"):
            return False
        raise ParameterError(f"parameter {name!r}: {text!r} is not allowed; expected true or false")
    if p.type is str:
        return text
    try:
        return int(t) if p.type is int else float(t)
    except ValueError:
        raise ParameterError(
            f"parameter {name!r}: {text!r} is not allowed; expected {p.allowed()}"
        ) from None


@dataclass(frozen=True)
class Preset:
    """A named scenario: a short story and the parameter values that tell it.

    A preset can also switch interventions on and set up the dashboard's compare mode (the
    lesson presets do): choosing it in the dashboard then loads all three, and ``supportnet run
    --preset`` runs its interventions (compare mode is the dashboard's alone).

    Attributes:
        name: The preset's name (``supportnet run --preset NAME``).
        title: Its name in words (the dashboard's Preset picker).
        story: What the scenario is and what to watch, for students.
        values: Parameter values that differ from the defaults.
        provenance: Where the values came from (a calibration's config and commit), if stored.
        compare: None, or ``(param, value)``: condition B is condition A with this one change,
            the arguments of the dashboard session's ``start_comparison``; ``("", None)`` makes
            B the same town without the interventions.
        interventions: Intervention specs, as ``supportnet.interventions.build`` takes them
            (e.g. ``{"kind": "peer_groups", "start": 300, "budget": 30}``); checked where used.
    """

    name: str
    title: str
    story: str
    values: Mapping[str, Any]
    provenance: Mapping[str, Any] = field(default_factory=dict)
    compare: tuple[str, Any] | None = None
    interventions: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        # Read-only copies: a preset is shared by every session of a server.
        specs = tuple(MappingProxyType(dict(s)) for s in self.interventions)
        object.__setattr__(self, "interventions", specs)
        if self.compare is not None:
            object.__setattr__(self, "compare", tuple(self.compare))

    def params(self, **overrides: Any) -> Params:
        """Return the preset's validated parameters with ``overrides`` applied."""
        return make_params(dict(self.values), **overrides)

    def carries(self) -> str:
        """Say what the preset sets beyond parameter values ('' when nothing).

        >>> preset("lesson_buffering").carries()
        'a comparison (B: buffering = off)'
        """
        parts = []
        if self.interventions:
            parts.append(
                "interventions (" + "; ".join(map(describe_spec, self.interventions)) + ")"
            )
        if self.compare is not None:
            parts.append(f"a comparison ({describe_compare(self.compare)})")
        return " and ".join(parts)


def describe_compare(compare: tuple[str, Any]) -> str:
    """Say in words what condition B changes: ``B: buffering = off``.

    >>> describe_compare(("", None))
    'B: the same town without the interventions'
    """
    param, value = compare
    if not param:
        return "B: the same town without the interventions"
    if isinstance(value, bool):
        shown = "on" if value else "off"
    else:
        shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"B: {param} = {shown}"


def describe_spec(spec: Mapping[str, Any]) -> str:
    """Say in words what an intervention spec sets: ``peer_groups, start 300, budget 30``."""
    rest = ", ".join(f"{k} {v}" for k, v in spec.items() if k != "kind")
    return f"{spec.get('kind', '?')}" + (f", {rest}" if rest else "")


_PRESETS = (
    Preset(
        "baseline",
        "Baseline town",
        "A mixed town of 1,000 people in twenty neighbourhoods, each person in a layered network "
        "of family, friends and neighbours whom they see weekly, monthly or now and then. People "
        "move away and arrive, some need care from their family, and life events come now and "
        "then; most people cope with some help from their inner circle. Its ties settle within "
        "about 300 steps; loneliness creeps up a few per cent more until about step 800.",
        {},
    ),
    Preset(
        "isolated_elderly_village",
        "Isolated elderly village",
        "A village of 150 people, most of them old, in one neighbourhood: few new ties form, "
        "nothing happens online, and each death or move thins a network that is slow to rebuild, "
        "since few newcomers arrive with family here. People keep about half as many ties as in "
        "the baseline town and more of them are depressed. Watch where the lonely are: among "
        "those who have lost their inner circle.",
        {
            "n_people": 150,
            "older_share": 0.7,
            "convoy_inner": 4,
            "convoy_sympathy": 10,
            "convoy_wider": 20,
            "convoy_family_share": 0.5,
            "neighbourhood_size": 150,
            "n_groups": 5,
            "stressor_rate": 0.06,
            "closure_rate": 0.08,
            "focal_rate": 0.15,
            "online_rate": 0.0,
            "leave_rate": 0.05,
            "local_entry_share": 0.6,
        },
    ),
    Preset(
        "pandemic_shock",
        "Pandemic shock",
        "Life goes on as in the baseline town until step 300, when a pandemic brings half as many "
        "life events again for a year (52 steps) and cuts everyday contact (lockdown). Loneliness "
        "and depression cases climb, then come down slowly: ties that faded in the months apart "
        "take years to rebuild. Who holds up, and whose ties survive?",
        {
            "shock_start": 300,
            "shock_duration": 52,
            "shock_rate_multiplier": 1.5,
            "shock_magnitude_multiplier": 1.0,
            "shock_contact_multiplier": 0.85,
        },
    ),
    Preset(
        "student_campus",
        "Student campus",
        "Students far from family: few family ties, many new acquaintances through courses, halls "
        "and clubs, much contact online, frequent exam and money stress, and a steady flow of "
        "people arriving with no ties and leaving. More are lonely and more are depressed than in "
        "the baseline town, as in student surveys.",
        {
            "n_people": 400,
            "n_groups": 20,
            "convoy_family_share": 0.2,
            "convoy_inner": 4,
            "convoy_sympathy": 12,
            "convoy_wider": 30,
            "stressor_rate": 0.06,
            "closure_rate": 0.3,
            "focal_rate": 0.6,
            "neighbourhood_rate": 0.2,
            "online_rate": 0.02,
            "new_tie_strength": 0.3,
            "contact_sympathy": 0.6,
            "contact_wider": 0.1,
            "leave_rate": 0.15,
            "local_entry_share": 0.1,
            "care_onset_rate": 0.005,
            "help_seeking_mean": 0.45,
            "low_income_share": 0.3,
        },
    ),
    Preset(
        "caregiver_strain",
        "Caregiver strain",
        "A town where many people live with a long illness, a disability or severe mental illness, "
        "and relatives carry the load: a need for care starts for 4% of people a year, it is "
        "heavier, and each carer gives half their capacity every week. About one person in ten "
        "is a carer. Watch the carers' capacity drain and their own stress and depression "
        "climb above everyone else's (caregiver burden).",
        {
            "smi_share": 0.1,
            "care_onset_rate": 0.04,
            "care_end_rate": 0.3,
            "care_need": 0.7,
            "care_hours": 0.5,
            "care_stress": 0.04,
        },
    ),
)

_PRESETS += (
    Preset(
        "moods_spread",
        "Moods spread (SISa)",
        "The classic SISa model of Hill, Rand, Nowak & Christakis (2010): 2,000 people, each with "
        "four ties that never change, are content, neutral or discontent. Moods arise on their "
        "own and, a little more, from each content or discontent contact; contentment lasts about "
        "ten years, discontent about five. Nothing else happens in this town. Colour people by "
        "mood and watch the shares settle (a step is a week: give it a few hundred): contentment "
        "arises more on its own, discontent spreads more per contact.",
        {
            "n_people": 2000,
            "network": "random_regular",
            "rr_degree": 4,
            "sisa": True,
            "sisa_classic": True,
        },
    ),
)

# The lesson presets (docs/lessons/): each sets up the matched towns A and B of one classroom
# lesson in the dashboard's Compare tab. experiments/lessons checks that what each worksheet says
# students will see still happens on these settings.
_PRESETS += (
    Preset(
        "lesson_buffering",
        "Lesson 1: Does support protect?",
        "Two matched towns of 1,000 people with many life events. In A, feeling supported softens "
        "the stress of each event (buffering, as in the default town); in B it does not. Same "
        "seed, same people. Play to step 300 and read B − A for depression in the Compare tab; "
        "then set the Stressor rate to 0.03, press Reset, and do it again.",
        {"stressor_rate": 0.10},
        compare=("buffering", False),
    ),
    Preset(
        "lesson_loneliness",
        "Lesson 2: Is loneliness catching?",
        "Two matched towns of 1,000 people. A is the default town: lonely people withdraw, but "
        "loneliness does not pass from person to person. B is the same town where each contact "
        "with a lonely person carries a small chance of catching loneliness. Colour people by "
        "loneliness and size them by ties, play, and watch where the lonely are; then compare "
        "the lonely share and the loneliness similarity of neighbours in A and B.",
        {},
        compare=("loneliness_contagion", 0.005),
    ),
    Preset(
        "lesson_interventions",
        "Lesson 3: Which help helps most?",
        "A town of 400 people. From step 300 to step 400, peer support groups spend 30 units a "
        "step helping people in A; B is the same town without them. Each group of students "
        "swaps in its own intervention (same start, duration and budget) in the Interventions "
        "panel, presses Reset, plays past step 400 and reads B − A in the Compare tab.",
        {"n_people": 400, "n_groups": 28, "neighbourhood_size": 20},
        compare=("", None),
        interventions=({"kind": "peer_groups", "start": 300, "duration": 100, "budget": 30},),
    ),
)

#: Folder of presets stored as files (``<name>.toml``: title, story, [values], [provenance]).
PRESET_DIR = Path(__file__).resolve().parent / "data" / "presets"


def _stored_presets(folder: Path = PRESET_DIR) -> tuple[Preset, ...]:
    """Presets stored as TOML files in ``folder`` (values are checked when a preset is used)."""
    import tomllib

    out = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out.append(
            Preset(
                path.stem,
                str(data.get("title", path.stem)),
                str(data.get("story", "")),
                MappingProxyType(dict(data.get("values", {}))),
                MappingProxyType(dict(data.get("provenance", {}))),
            )
        )
    return tuple(out)


#: Presets by name.
PRESETS: Mapping[str, Preset] = MappingProxyType(
    {p.name: p for p in (*_PRESETS, *_stored_presets())}
)


def scaled_town(size: int) -> dict[str, int]:
    """Parameters of a town of ``size`` people, with the community groups scaled to it.

    Community groups (focal points) have a fixed number, ``n_groups``, meant for the default
    town; kept as it is, a town 100 times larger would have groups 100 times larger, and a
    different network. So the number of groups scales with the town, keeping the default town's
    people per group (read from the declarations, not copied here). Neighbourhoods need no
    scaling: their size is a parameter.
    """
    people, groups = PARAMETERS["n_people"].default, PARAMETERS["n_groups"].default
    return {"n_people": size, "n_groups": max(1, round(groups * size / people))}


def preset(name: str) -> Preset:
    """Return the preset called ``name``, or raise ParameterError with a did-you-mean."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ParameterError(
            f"unknown preset {name!r}{_did_you_mean(name, PRESETS)}; allowed: {', '.join(PRESETS)}"
        ) from None


def parameter_table(groups: tuple[str, ...] = GROUPS, markdown: bool = True) -> str:
    """Render the declarations as a table (markdown, or plain text for the terminal).

    Args:
        groups: Groups to include, in order.
        markdown: A markdown table with one section per group; otherwise aligned plain text.

    Returns:
        The table as text.
    """
    rows = []
    for g in groups:
        for p in PARAMETERS.values():
            if p.group != g:
                continue
            if p.type is str:
                bounds = ", ".join(p.choices) if p.choices else "text"
            elif p.type is bool:
                bounds = "true/false"
            else:
                bounds = f"{_fmt(p.low)} – {_fmt(p.high)}"
            default = (
                repr(p.default)
                if p.type is str
                else str(p.default).lower()
                if p.type is bool
                else _fmt(p.default)
            )  # noqa: E501
            rows.append((g, p.name, p.type.__name__, default, bounds, p.unit, p.meaning))
    if markdown:
        out = []
        for g in groups:
            out.append(f"\n#### {g.capitalize()}\n")
            out.append("| name | type | default | allowed | unit | meaning |")
            out.append("|---|---|---|---|---|---|")
            for r in rows:
                if r[0] == g:
                    cells = [f"`{r[1]}`", *r[2:]]
                    out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
        return "\n".join(out).strip() + "\n"
    # Plain text: choices of text parameters go on a line of their own, to keep columns narrow.
    plain = [(*r[:4], "choice" if "," in r[4] else r[4], *r[5:], r[4]) for r in rows]
    widths = [max(len(str(r[i])) for r in plain) for i in range(1, 5)]
    lines = []
    for g in groups:
        lines.append(f"[{g}]")
        for r in plain:
            if r[0] == g:
                cols = [str(r[i]).ljust(widths[i - 1]) for i in range(1, 5)]
                lines.append("  " + "  ".join(cols) + "  " + r[6])
                if r[4] == "choice":
                    lines.append("  " + " " * (sum(widths) + 8) + "one of: " + r[7])
    return "\n".join(lines) + "\n"
