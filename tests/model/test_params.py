"""Parameter declarations and validation: every kind of invalid value gets its clear message."""

import pytest

from supportnet.params import (
    GROUPS,
    PARAMETERS,
    PRESETS,
    ParameterError,
    coerce_text,
    make_params,
    parameter_table,
    preset,
)


def test_every_declaration_is_complete():
    for p in PARAMETERS.values():
        assert p.meaning and p.group in GROUPS
        if p.type in (int, float):
            assert p.low is not None and p.high is not None and p.low <= p.default <= p.high
            assert p.unit
        if p.type is str and p.choices:
            assert p.default in p.choices
    # The defaults form a valid parameter set.
    assert dict(make_params()) == {n: p.default for n, p in PARAMETERS.items()}


def test_unknown_name_suggests_the_closest():
    with pytest.raises(
        ParameterError, match=r"unknown parameter 'stresor_rate' \(did you mean 'stressor_rate'\?\)"
    ):
        make_params(stresor_rate=0.1)
    with pytest.raises(ParameterError, match="unknown parameter 'zzz'; `supportnet params`"):
        make_params(zzz=1)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "stressor_rate",
            "high",
            r"parameter 'stressor_rate': 'high' is not allowed; expected a number from 0 to 1",
        ),
        (
            "n_people",
            10.5,
            r"parameter 'n_people': 10.5 is not allowed; expected a whole number from 2 to 2000000",
        ),
        ("n_people", True, r"parameter 'n_people': True is not allowed; expected a whole number"),
        ("buffering", 1, r"parameter 'buffering': 1 is not allowed; expected true or false"),
        (
            "buffering",
            "yes",
            r"parameter 'buffering': 'yes' is not allowed; expected true or false",
        ),
        ("network", 3, r"parameter 'network': 3 is not allowed; expected one of 'convoy'"),
        (
            "network",
            "convy",
            r"parameter 'network': 'convy' is not allowed; expected one of .* \(did you mean 'convoy'\?\)",
        ),
        ("stressor_rate", float("nan"), r"parameter 'stressor_rate': nan is not allowed"),
        ("stressor_rate", float("inf"), r"parameter 'stressor_rate': inf is not allowed"),
    ],
)
def test_wrong_types(name, value, message):
    with pytest.raises(ParameterError, match=message):
        make_params(**{name: value})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "stressor_rate",
            1.5,
            r"parameter 'stressor_rate': 1.5 is out of range; expected a number from 0 to 1",
        ),
        (
            "n_people",
            1,
            r"parameter 'n_people': 1 is out of range; expected a whole number from 2 to 2000000",
        ),
        (
            "shock_rate_multiplier",
            0.5,
            r"'shock_rate_multiplier': 0.5 is out of range; expected a number from 1 to 20",
        ),
    ],
)
def test_out_of_range(name, value, message):
    with pytest.raises(ParameterError, match=message):
        make_params(**{name: value})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"convoy_inner": 10, "convoy_sympathy": 5}, "inner <= sympathy <= wider"),
        (
            {"n_people": 30, "n_groups": 3, "convoy_wider": 40},
            r"'convoy_wider' \(40\) is not allowed with n_people=30",
        ),
        (
            {"network": "watts_strogatz", "n_people": 5, "ws_k": 6},
            r"'ws_k' \(6\) is not allowed with n_people=5",
        ),
        (
            {"network": "barabasi_albert", "n_people": 3, "ba_m": 3},
            r"'ba_m' \(3\) is not allowed with n_people=3",
        ),
        (
            {"network": "erdos_renyi", "n_people": 5, "er_mean_degree": 8.0},
            "at most n_people - 1 = 4",
        ),
        (
            {"network": "family_sbm", "n_people": 10, "sbm_family_size": 20},
            "a family cannot be larger",
        ),
        (
            {"network": "erdos_renyi", "n_people": 5, "er_mean_degree": 2.0, "n_groups": 10},
            "more community groups than people",
        ),
        ({"network": "file"}, "'network_file' is empty but network is 'file'"),
        ({"network_file": "x.txt"}, "set network='file' to use it"),
        ({"family_share": 0.6, "neighbour_share": 0.6}, "their sum must be at most 1"),
        (
            {"low_income_share": 0.5, "smi_share": 0.3, "older_share": 0.3},
            "shares must sum to at most 1",
        ),
        (
            {"family_floor": 0.01, "end_threshold": 0.05},
            "the floor must be at least the ending threshold",
        ),
        (
            {"new_tie_strength": 0.05, "end_threshold": 0.05},
            "a new tie must start above the threshold",
        ),
        ({"shock_duration": 10, "shock_start": 0}, "steps are numbered from 1"),
    ],
)
def test_inconsistent_combinations(values, message):
    with pytest.raises(ParameterError, match=message):
        make_params(**values)


def test_params_are_read_only_and_replaceable():
    p = make_params(stressor_rate=0.2)
    assert p.stressor_rate == 0.2 and p["stressor_rate"] == 0.2
    with pytest.raises(AttributeError):
        p.stressor_rate = 0.3
    q = p.replace(stressor_rate=0.3)
    assert q.stressor_rate == 0.3 and p.stressor_rate == 0.2
    assert q.changed() == {"stressor_rate": 0.3}
    # ints are accepted for floats, and whole floats for ints
    assert make_params(stressor_rate=0, n_people=100.0).n_people == 100


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("stressor_rate", "0.25", 0.25),
        ("n_people", "120", 120),
        ("buffering", "off", False),
        ("buffering", "True", True),
        ("network", "karate_club", "karate_club"),
    ],
)
def test_coerce_text(name, text, value):
    assert coerce_text(name, text) == value


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("n_people", "many", "'many' is not allowed; expected a whole number"),
        ("buffering", "maybe", "expected true or false"),
        ("stressr_rate", "1", "did you mean 'stressor_rate'"),
    ],
)
def test_coerce_text_errors(name, text, message):
    with pytest.raises(ParameterError, match=message):
        coerce_text(name, text)


def test_presets_are_valid_and_have_stories():
    assert {"baseline", "isolated_elderly_village", "pandemic_shock", "student_campus"} <= set(
        PRESETS
    )
    for p in PRESETS.values():
        assert len(p.story) > 40 and p.title
        p.params()  # validates
    with pytest.raises(
        ParameterError, match=r"unknown preset 'pandemic' \(did you mean 'pandemic_shock'\?\)"
    ):
        preset("pandemic")


#: The lesson presets (docs/lessons/) and the one change each makes in condition B.
LESSONS = {
    "lesson_buffering": ("buffering", False),
    "lesson_loneliness": ("loneliness_contagion", 0.005),
    "lesson_interventions": ("", None),
}


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_presets_carry_a_valid_comparison_and_interventions(name):
    p = PRESETS[name]
    assert p.title.startswith("Lesson ") and len(p.story) > 100
    p.params()  # the values validate
    assert p.compare == LESSONS[name]
    param, value = p.compare
    if param:
        assert param in PARAMETERS
        assert PARAMETERS[param].check(value) == value
        assert p.params()[param] != value  # B differs from A
        assert p.params(**{param: value})[param] == value
    else:
        assert p.interventions  # "B without the interventions" needs some
    from supportnet.interventions import build

    for spec in p.interventions:
        built = build(dict(spec))
        for k, v in spec.items():
            assert built.spec()[k] == v
    assert p.carries()  # `supportnet presets` and a sweep config say what it sets


def test_presets_of_values_alone_carry_nothing_more():
    for name in ("baseline", "pandemic_shock", "moods_spread"):
        p = PRESETS[name]
        assert p.compare is None and p.interventions == () and p.carries() == ""


def test_a_presets_interventions_cannot_be_changed_in_place():
    spec = PRESETS["lesson_interventions"].interventions[0]
    with pytest.raises(TypeError):
        spec["budget"] = 1  # shared by every session of a server


def test_parameter_table_lists_every_parameter():
    md = parameter_table()
    text = parameter_table(markdown=False)
    for name in PARAMETERS:
        assert f"`{name}`" in md and name in text
