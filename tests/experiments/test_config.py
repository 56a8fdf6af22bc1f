"""Config validation: every kind of mistake gives a message naming the file, key, value and what
is allowed; valid configs parse into the expected experiment; the shipped configs are valid."""

from __future__ import annotations

import copy

import pytest

from supportnet.experiments.config import (
    ConfigError,
    load_config,
    parse_config,
    resolve_config_path,
    shipped_configs,
)
from supportnet.params import PRESETS
from tests.experiments.conftest import TINY


def problems(data, source="exp.toml") -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data, source=source)
    return info.value.problems


def one_problem(data) -> str:
    found = problems(data)
    assert len(found) == 1, found
    assert found[0].startswith("exp.toml: ")
    return found[0]


def changed(**changes):
    data = copy.deepcopy(TINY)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = data
        for p in parents:
            target = target.setdefault(p, {})
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return data


# --- valid configs ------------------------------------------------------------------------------
def test_tiny_config_parses():
    c = parse_config(TINY, source="exp.toml")
    assert c.name == "tiny" and c.seed == 11 and c.steps == 12 and c.replications == 2
    assert c.varied == ("stressor_rate", "buffering")
    assert c.design.factors[0].values == (0.02, 0.1)
    assert c.control.where == {"buffering": False}
    assert [a.name for a in c.arms] == ["main"]
    assert c.output.outcome_window == 4


def test_hash_ignores_layout_but_not_values(tiny):
    same = copy.deepcopy(tiny)
    same["base"] = dict(reversed(list(tiny["base"].items())))  # order of keys does not matter
    assert parse_config(tiny).hash() == parse_config(same).hash()
    tiny["steps"] = 13
    assert parse_config(tiny).hash() != parse_config(same).hash()


def test_ints_given_for_float_parameters_are_converted(tiny):
    tiny["design"]["vary"]["stressor_rate"] = [0, 1]
    c = parse_config(tiny)
    assert c.design.factors[0].values == (0.0, 1.0)
    assert all(isinstance(v, float) for v in c.design.factors[0].values)


@pytest.mark.parametrize("name", sorted(shipped_configs()))
def test_shipped_configs_are_valid(name):
    c = load_config(name)
    assert c.name == name
    assert c.title and c.description


def test_shipped_experiments_are_the_promised_ones():
    assert {"demo", "buffering", "loneliness", "network_structure", "sensitivity"} <= set(
        shipped_configs()
    )


# --- files --------------------------------------------------------------------------------------
def test_missing_file_suggests_a_shipped_name(tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"demoo: no such config file or shipped experiment "
        r"\(did you mean 'demo'\?\); shipped: .*buffering",
    ):
        resolve_config_path("demoo")


def test_toml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\nseed = \n')
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML: .*line 2"):
        load_config(path)


def test_folder_is_not_a_config(tmp_path):
    with pytest.raises(ConfigError, match="is a folder"):
        resolve_config_path(tmp_path)


# --- top level ----------------------------------------------------------------------------------
def test_unknown_top_level_key_with_did_you_mean():
    msg = one_problem(changed(replicatons=3))
    assert msg == (
        "exp.toml: unknown key 'replicatons' = 3 (did you mean 'replications'?); allowed: keys "
        "at the top level: name, title, description, seed, steps, replications, preset, base, "
        "design, interventions, arms, control, ratios, output"
    )


def test_missing_required_key():
    msg = one_problem(changed(seed=None))
    assert "'seed' is missing; expected a whole number from 0" in msg


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("steps", "ten", "'steps' = \"ten\" has the wrong type; allowed: a whole number from 1"),
        ("steps", 0, "'steps' = 0 is out of range; allowed: a whole number from 1 to 1000000"),
        ("replications", 1.5, "'replications' = 1.5 has the wrong type; allowed: a whole number"),
        ("seed", -1, "'seed' = -1 is out of range; allowed: a whole number from 0"),
        ("seed", True, "'seed' = true has the wrong type"),
        ("name", "my experiment", "'name' = \"my experiment\" is not allowed; allowed: letters"),
        ("base", [1, 2], "'base' = [1, 2] has the wrong type; allowed: a table"),
    ],
)
def test_top_level_values(key, value, expected):
    assert expected in one_problem(changed(**{key: value}))


def test_unknown_preset_with_did_you_mean():
    msg = one_problem(changed(preset="pandemic"))
    assert "'preset' = \"pandemic\" is not a preset (did you mean 'pandemic_shock'?)" in msg
    assert "allowed: one of 'baseline'" in msg


def test_preset_values_are_the_base_and_base_overrides_them(tiny):
    tiny["preset"] = "pandemic_shock"
    tiny["base"]["shock_rate_multiplier"] = 2.0
    c = parse_config(tiny)
    shock = PRESETS["pandemic_shock"].values
    assert shock["shock_rate_multiplier"] != 2.0  # so the override shows
    assert c.base["shock_start"] == shock["shock_start"] and c.base["shock_rate_multiplier"] == 2.0


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("lesson_buffering", "sets a comparison (B: buffering = off)"),
        ("lesson_loneliness", "[design.vary] loneliness_contagion = [0.0, 0.005]"),
        ("lesson_interventions", "sets interventions (peer_groups, start 300"),
        ("lesson_interventions", "its interventions in [[interventions]] (or [[arms]])"),
        ("lesson_interventions", "B as [control] (the same runs without the interventions)"),
    ],
)
def test_a_preset_that_sets_more_than_values_is_refused_with_what_to_write(name, words):
    msg = one_problem(changed(preset=name))
    assert msg.startswith(f"exp.toml: 'preset' = \"{name}\" sets "), msg
    assert "which a sweep does not take from a preset" in msg and words in msg, msg


# --- parameters ---------------------------------------------------------------------------------
def test_unknown_parameter_with_did_you_mean():
    msg = one_problem(changed(base__stresor_rate=0.1))
    assert msg == (
        "exp.toml: unknown key 'base.stresor_rate' = 0.1 (did you mean 'stressor_rate'?); "
        "allowed: a model parameter (`supportnet params` lists them)"
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "capacity_mean",
            1.5,
            "'base.capacity_mean' = 1.5 is out of range; allowed: a number from 0 to 1",
        ),
        ("n_people", 2.5, "'base.n_people' = 2.5 is not allowed; allowed: a whole number from 2"),
        ("buffering", "yes", "'base.buffering' = \"yes\" is not allowed; allowed: true or false"),
        (
            "network",
            "convoi",
            "'base.network' = \"convoi\" is not allowed (did you mean "
            "'convoy'?); allowed: one of 'convoy'",
        ),
        (
            "agent_every",
            5,
            "'base.agent_every' = 5 is set by the experiment; allowed: use "
            "persons_every in [output] instead",
        ),
    ],
)
def test_parameter_values(name, value, expected):
    assert expected in one_problem(changed(**{f"base__{name}": value}))


def test_missing_network_file_names_where_it_looked(tmp_path):
    msg = one_problem(changed(base__network="file", base__network_file="nowhere.txt"))
    assert "'base.network_file' = \"nowhere.txt\" is not an existing file (looked for" in msg
    assert "allowed: the path of an edge list" in msg


def test_network_file_is_relative_to_the_config(tmp_path):
    (tmp_path / "net.edgelist").write_text("0 1\n1 2\n2 0\n")
    data = changed(base__network="file", base__network_file="net.edgelist", base__n_groups=1)
    c = parse_config(data, source=str(tmp_path / "exp.toml"))
    assert c.base["network_file"] == str((tmp_path / "net.edgelist").resolve())


def test_invalid_design_point_is_named_before_any_run(tiny):
    tiny["design"]["vary"] = {"convoy_wider": [8, 50]}
    tiny.pop("control")
    msg = one_problem(tiny)
    assert msg.startswith("exp.toml: design point 1 (convoy_wider = 50): parameter 'convoy_wider'")
    assert "it must be smaller than n_people" in msg


# --- designs ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("design", "expected"),
    [
        (
            {"kind": "latin"},
            "'design.kind' = \"latin\" is not allowed; allowed: one of 'grid', "
            "'lhs', 'sobol', 'morris'",
        ),
        (
            {"vary": {"stressor_rate": 0.1}},
            "'design.vary.stressor_rate' = 0.1 is not a list of values; allowed: a non-empty list",
        ),
        ({"vary": {"stressor_rate": []}}, "'design.vary.stressor_rate' = [] is not a list"),
        (
            {"vary": {"stressor_rate": [0.1, 0.1]}},
            "'design.vary.stressor_rate' = [0.1, 0.1] repeats a value; allowed: each value once",
        ),
        (
            {"vary": {"stressor_rate": [0.1, 2.0]}},
            "'design.vary.stressor_rate[1]' = 2.0 is out of range; allowed: a number from 0 to 1",
        ),
        (
            {"vary": {"stressor_rat": [0.1]}},
            "unknown key 'design.vary.stressor_rat' = [0.1] (did you mean 'stressor_rate'?)",
        ),
        (
            {"ranges": {"stressor_rate": [0, 1]}},
            "'design.ranges' = {stressor_rate = [0, 1]} is for sampled designs",
        ),
        ({"kind": "grid", "samples": 8}, "'design.samples' = 8 does not apply to kind = \"grid\""),
    ],
)
def test_design_problems(design, expected):
    data = changed(design=design, control=None)
    assert expected in one_problem(data)


@pytest.mark.parametrize(
    ("design", "expected"),
    [
        (
            {"kind": "sobol", "samples": 12, "ranges": {"stressor_rate": [0.0, 0.1]}},
            "'design.samples' = 12 is not a power of 2; allowed: a power of 2",
        ),
        (
            {"kind": "lhs", "ranges": {"stressor_rate": [0.0, 0.1]}},
            "'design.samples' is missing; kind = \"lhs\" needs a sample size",
        ),
        ({"kind": "lhs", "samples": 4}, "'design.ranges' is missing"),
        (
            {"kind": "lhs", "samples": 4, "ranges": {"stressor_rate": [0.2, 0.1]}},
            "'design.ranges.stressor_rate' = [0.2, 0.1] is not a range (low must be below high)",
        ),
        (
            {"kind": "lhs", "samples": 4, "ranges": {"stressor_rate": [0.1]}},
            "'design.ranges.stressor_rate' = [0.1] is not a range; allowed: [low, high]",
        ),
        (
            {"kind": "lhs", "samples": 4, "ranges": {"buffering": [0, 1]}},
            "'design.ranges.buffering' = [0, 1] is a range, but 'buffering' is true or false",
        ),
        (
            {"kind": "lhs", "samples": 4, "ranges": {"n_groups": [1.5, 4]}},
            "'design.ranges.n_groups' = [1.5, 4] has a fractional end",
        ),
        (
            {"kind": "lhs", "samples": 4, "ranges": {"stressor_rate": [0.5, 3.0]}},
            "'design.ranges.stressor_rate (high)' = 3.0 is out of range; allowed: a number from 0 "
            "to 1",
        ),
        (
            {"kind": "morris", "samples": 4, "levels": 5, "ranges": {"stressor_rate": [0.0, 0.1]}},
            "'design.levels' = 5 is odd",
        ),
        (
            {
                "kind": "sobol",
                "samples": 8,
                "vary": {"stressor_rate": [0.1]},
                "ranges": {"stressor_rate": [0.0, 0.1]},
            },
            "'design.vary' = {stressor_rate = [0.1]} is for grid designs",
        ),
    ],
)
def test_sampled_design_problems(design, expected):
    data = changed(design=design, control=None)
    assert expected in one_problem(data)


# --- output -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            {"measures": ["mean_depresion"]},
            "'output.measures[0]' = \"mean_depresion\" is not a "
            "measure (did you mean 'mean_depression'?)",
        ),
        (
            {"outcomes": ["mean_stress", "mean_stress"]},
            '\'output.outcomes\' = ["mean_stress", "mean_stress"] repeats a name',
        ),
        (
            {"outcome_window": 20},
            "'output.outcome_window' = 20 is longer than the run (steps = "
            "12); allowed: a whole number from 1 to 12",
        ),
        ({"burn_in": 12}, "'output.burn_in' = 12 leaves no panel windows"),
        ({"persons_every": -1}, "'output.persons_every' = -1 is out of range"),
        ({"measures": "all"}, "'output.measures' = \"all\" has the wrong type; allowed: a list"),
    ],
)
def test_output_problems(output, expected):
    assert expected in one_problem(changed(output=output))


# --- control and arms ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("control", "expected"),
    [
        (
            {"where": {"bufering": False}},
            "unknown key 'control.where.bufering' = false (did you "
            "mean 'buffering'?); allowed: keys of [design.vary]: stressor_rate, buffering",
        ),
        (
            {"where": {"stressor_rate": 0.5}},
            "'control.where.stressor_rate' = 0.5 is not one of "
            "the design's values; allowed: [0.02, 0.1]",
        ),
        ({"where": {}}, "'control.where' = {} is empty"),
        (
            {"arm": "none"},
            "'control.arm' = \"none\" is not an arm; allowed: the name of one of "
            "the [[arms]]: (none declared)",
        ),
        ({"where": {"buffering": False}, "arm": "x"}, "mixes ways of declaring the control"),
        ({"label": "nothing"}, "'control' = {label = \"nothing\"} is identical to the treatment"),
        (
            {"lable": "x", "where": {"buffering": False}},
            "unknown key 'control.lable' = \"x\" (did you mean 'label'?)",
        ),
    ],
)
def test_control_problems(control, expected):
    assert expected in one_problem(changed(control=control))


def test_control_where_needs_a_grid(tiny):
    tiny["design"] = {"kind": "lhs", "samples": 4, "ranges": {"stressor_rate": [0.0, 0.1]}}
    assert "'control.where' = {buffering = false} needs a grid design" in one_problem(tiny)


def test_arms_and_control_arm(tiny):
    tiny.pop("control")
    tiny["arms"] = [
        {"name": "low", "set": {"capacity_mean": 0.3}},
        {"name": "high", "set": {"capacity_mean": 0.9}},
    ]
    tiny["control"] = {"arm": "low"}
    c = parse_config(tiny)
    assert [a.name for a in c.arms] == ["low", "high"] and c.control.arm == "low"
    tiny["control"] = {"arm": "lo"}
    assert "'control.arm' = \"lo\" is not an arm (did you mean 'low'?)" in one_problem(tiny)


def ratio_config(tiny, ratios, control=None):
    tiny.pop("control")
    tiny["arms"] = [{"name": "none"}, {"name": "one"}, {"name": "two"}]
    tiny["control"] = control if control is not None else {"arm": "none"}
    tiny["ratios"] = ratios
    return tiny


RATIO = {
    "label": "two over one",
    "numerator": "two",
    "denominator": "one",
    "outcome": "mean_stress",
}


def test_ratios_parse_and_enter_the_hash(tiny):
    c = parse_config(ratio_config(copy.deepcopy(tiny), [RATIO]))
    assert [(r.numerator, r.denominator, r.outcome) for r in c.ratios] == [
        ("two", "one", "mean_stress")
    ]
    assert c.canonical()["ratios"][0]["label"] == "two over one"
    without = parse_config(ratio_config(copy.deepcopy(tiny), []))
    assert "ratios" not in without.canonical() and without.hash() != c.hash()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"numerator": "tow"},
            "'ratios[0].numerator' = \"tow\" is not a treated arm (did you mean 'two'?); "
            "allowed: the name of one of the [[arms]] other than the control: one, two",
        ),
        ({"denominator": "none"}, "'ratios[0].denominator' = \"none\" is not a treated arm"),
        ({"denominator": "two"}, "'ratios[0].denominator' = \"two\" is the numerator too"),
        (
            {"outcome": "mean_stres"},
            "'ratios[0].outcome' = \"mean_stres\" is not an outcome of this experiment "
            "(did you mean 'mean_stress'?)",
        ),
        ({"label": None}, "'ratios[0].label' is missing"),
        ({"lable": "x"}, "unknown key 'ratios[0].lable' = \"x\" (did you mean 'label'?)"),
    ],
)
def test_ratio_problems(tiny, change, expected):
    ratio = {**RATIO, **change}
    ratio = {k: v for k, v in ratio.items() if v is not None}
    assert expected in one_problem(ratio_config(tiny, [ratio]))


def test_ratios_need_a_control_arm(tiny):
    tiny["ratios"] = [RATIO]  # the tiny config's control is a set of design points
    assert "'ratios' = " in one_problem(tiny)
    assert "needs a control arm" in one_problem(tiny)


def test_arm_problems(tiny):
    tiny.pop("control")
    tiny["arms"] = [{"name": "a", "set": {"capacity_man": 0.3}}, {"name": "a"}, {"nme": "b"}]
    found = problems(tiny)
    assert any(
        "unknown key 'arms[0].set.capacity_man' = 0.3 (did you mean 'capacity_mean'?)" in p
        for p in found
    )
    assert any("'arms[1].name' = \"a\" is used by another arm" in p for p in found)
    assert any("unknown key 'arms[2].nme' = \"b\" (did you mean 'name'?)" in p for p in found)
    assert any("'arms[2].name' is missing" in p for p in found)


def test_every_problem_is_listed_at_once():
    data = changed(steps=0, base__stresor_rate=0.1, output={"measures": ["x"]})
    found = problems(data)
    assert len(found) == 3
    assert all(p.startswith("exp.toml: ") for p in found)
    text = str(ConfigError(found))
    assert text.startswith("3 problems:\n  exp.toml: ")


# --- interventions ------------------------------------------------------------------------------
PEER = {"kind": "peer_groups", "start": 2, "budget": 16, "targeting": "most_lonely"}


def with_interventions(*items, control=None):
    data = changed(control=None)
    data["interventions"] = [dict(i) for i in items]
    if control is not None:
        data["control"] = control
    return data


def test_interventions_and_their_control_arm():
    c = parse_config(with_interventions(PEER, control={"label": "none"}))
    assert [a.name for a in c.arms] == ["main", "control"]
    assert c.arms[0].interventions == (PEER,) and c.arms[1].interventions == ()
    assert c.arms[0].label == "treatment" and c.control.arm == "control"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {**PEER, "kind": "peer_group"},
            "'interventions[0].kind' = \"peer_group\" is not an "
            "intervention (did you mean 'peer_groups'?); allowed: one of 'peer_groups'",
        ),
        (
            {**PEER, "budgt": 3},
            "unknown key 'interventions[0].budgt' = 3 (did you mean "
            "'budget'?); allowed: settings of 'peer_groups': start, duration, budget",
        ),
        (
            {**PEER, "budget": -5},
            "'interventions[0].budget' = -5 is out of range; allowed: a number from 0",
        ),
        (
            {**PEER, "targeting": "lonely"},
            "'interventions[0].targeting' = \"lonely\" is not allowed",
        ),
        (
            {k: v for k, v in PEER.items() if k != "kind"},
            "'interventions[0].kind' is missing; expected one of 'peer_groups'",
        ),
    ],
)
def test_intervention_problems(item, expected):
    assert expected in one_problem(with_interventions(item, control={}))


def test_varying_an_intervention_setting():
    data = with_interventions(PEER, control={})
    data["design"] = {"vary": {"peer_groups": {"budget": [0, 16]}}}  # nested form
    c = parse_config(data)
    assert c.design.factors[0].key == "peer_groups.budget"
    assert c.design.factors[0].values == (0.0, 16.0)
    data["design"] = {"vary": {"peer_groups.budjet": [0, 16]}}
    assert (
        "unknown key 'design.vary.peer_groups.budjet' = [0, 16] (did you mean "
        "'peer_groups.budget'?)" in one_problem(data)
    )
    data["design"] = {"vary": {"outreach.budget": [0, 16]}}
    assert "for an intervention kind the config declares (peer_groups)" in one_problem(data)
    data["design"] = {"vary": {"peer_groups.budget": [0, -3]}}
    assert "'design.vary.peer_groups.budget' = -3 is not accepted" in one_problem(data)


def test_interventions_and_arms_cannot_be_mixed():
    data = with_interventions(PEER)
    data["arms"] = [{"name": "a"}, {"name": "b", "interventions": [PEER]}]
    assert "'interventions' = [" in one_problem(data)
    assert "is given together with [[arms]]" in one_problem(data)


def test_cli_validate_prints_one_message_and_exits_2(tmp_path, capsys):
    from supportnet.experiments.cli import main

    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\nseed = 1\nsteps = 5\n[base]\ncapacity_mean = 1.5\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("supportnet validate: error: ")
    assert "bad.toml: 'base.capacity_mean' = 1.5 is out of range" in err
    assert "Traceback" not in err


def test_cli_validate_describes_a_valid_config(tiny_file, capsys):
    from supportnet.experiments.cli import main

    assert main(["validate", str(tiny_file)]) == 0
    out = capsys.readouterr().out
    assert "design: grid, 4 points (stressor_rate [0.02, 0.1] x buffering [true, false])" in out
    assert "8 runs = 4 points x 1 arm(s) x 2 replication(s)" in out
    assert ": OK (config hash " in out


def test_cli_validate_lists_arms_control_and_ratios(capsys):
    from supportnet.experiments.cli import main

    assert main(["validate", "interventions"]) == 0
    out = capsys.readouterr().out
    assert "control: no intervention (arm 'control')" in out
    assert (
        "ratio: professional help, personalised / generic = g(professional_personalised) / "
        "g(professional_generic) on mean_depression"
    ) in out
    assert "96 runs = 1 point x 8 arm(s) x 12 replication(s)" in out
