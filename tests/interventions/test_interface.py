"""The shared interface: declarations, build, parsing, validation messages, docs."""

import pickle
from pathlib import Path

import pytest

from supportnet import ParameterError, SupportModel
from supportnet.interventions import (
    COMMON_PARAMETERS,
    INTERVENTIONS,
    TARGETING_RULES,
    Intervention,
    InterventionError,
    build,
    coerce_setting,
    intervention_table,
    parse_spec,
)
from supportnet.params import Param
from tests.conftest import SMALL

KINDS = ("peer_groups", "professional", "community", "outreach", "online", "respite")


def test_registry_has_the_six_kinds_with_declared_settings():
    assert tuple(INTERVENTIONS) == KINDS
    common = [p.name for p in COMMON_PARAMETERS]
    assert common == ["start", "duration", "budget", "targeting"]
    for kind, cls in INTERVENTIONS.items():
        assert issubclass(cls, Intervention) and cls.kind == kind
        params = cls.parameters()
        assert list(params)[:4] == common and "cost" in params
        for p in params.values():
            assert isinstance(p, Param) and p.meaning and p.default is not None
            assert p.check(p.default) == p.default  # every default is allowed
        assert params["targeting"].choices == TARGETING_RULES
        assert params["targeting"].default == cls.DEFAULT_TARGETING
        assert cls.title and cls.summary and cls.source and cls.cost_unit
        assert cls.__module__ != Intervention.__module__ and cls.__doc__
        # Each kind's module cites its sources in its docstring.
        import sys

        assert "Sources:" in sys.modules[cls.__module__].__doc__


def test_build_fills_defaults_and_round_trips():
    iv = build({"kind": "outreach", "budget": 20, "targeting": "most_lonely"})
    assert iv.budget == 20.0 and isinstance(iv.budget, float)
    assert iv.targeting == "most_lonely" and iv.start == 0 and iv.cost == 5.0
    assert iv.units == 4
    again = build(iv.spec())
    assert again.settings == iv.settings
    assert "budget=20.0" in repr(iv)


def test_budget_buys_whole_units():
    assert build({"kind": "peer_groups", "budget": 2.5, "cost": 1}).units == 2
    assert build({"kind": "peer_groups", "budget": 0.3, "cost": 0.1}).units == 3  # no float loss
    assert build({"kind": "professional", "budget": 4.99}).units == 0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"budget": 3}, r"needs a 'kind': one of peer_groups, professional"),
        (
            {"kind": "peer_group"},
            r"unknown intervention kind 'peer_group' \(did you mean 'peer_groups'\?\)",
        ),
        ({"kind": 3}, r"unknown intervention kind 3; allowed: peer_groups"),
        (
            {"kind": "outreach", "budgt": 3},
            r"intervention 'outreach': unknown setting 'budgt' \(did you mean 'budget'\?\); allowed: start, duration",
        ),
        (
            {"kind": "outreach", "budget": -1},
            r"intervention 'outreach': setting 'budget': -1.0 is out of range; expected a number from 0 to",
        ),
        (
            {"kind": "outreach", "budget": "lots"},
            r"setting 'budget': 'lots' is not allowed; expected a number",
        ),
        ({"kind": "outreach", "budget": True}, r"setting 'budget': True is not allowed"),
        (
            {"kind": "outreach", "start": 2.5},
            r"setting 'start': 2.5 is not allowed; expected a whole number from 0",
        ),
        (
            {"kind": "outreach", "targeting": "loneliest"},
            r"setting 'targeting': 'loneliest' is not allowed; expected one of 'random', 'most_lonely'",
        ),
        ({"kind": "professional", "matching": "personal"}, r"\(did you mean 'personalised'\?\)"),
        (
            {"kind": "peer_groups", "group_size": 1},
            r"setting 'group_size': 1 is out of range; expected a whole number from 2 to 100",
        ),
        ({"kind": "outreach", "boost": 1.5}, r"setting 'boost': 1.5 is out of range"),
        ({"kind": "respite", "cost": 0}, r"setting 'cost': 0.0 is out of range"),
    ],
)
def test_invalid_settings_give_one_clear_message(spec, message):
    with pytest.raises(InterventionError, match=message):
        build(spec)


def test_intervention_error_is_a_parameter_error():
    assert issubclass(InterventionError, ParameterError)
    with pytest.raises(InterventionError, match="must be a table"):
        build(["outreach"])


def test_settings_that_clash_with_the_model_fail_at_setup():
    iv = build({"kind": "peer_groups", "tie_strength": 0.04})
    with pytest.raises(
        InterventionError, match=r"'tie_strength' \(0.04\) is not allowed with end_threshold=0.05"
    ):
        SupportModel(rng=1, interventions=[iv], **SMALL)
    online = build({"kind": "online", "tie_strength": 0.3})
    with pytest.raises(InterventionError, match="end_threshold=0.4"):
        SupportModel(rng=1, interventions=[online], end_threshold=0.4, family_floor=0.5,
                     new_tie_strength=0.5, **SMALL)  # fmt: skip


def test_parse_spec_reads_the_cli_form():
    assert parse_spec("respite") == {"kind": "respite"}
    spec = parse_spec(" professional : matching=generic, budget=20,caseload=5,start=3")
    assert spec == {"kind": "professional", "matching": "generic", "budget": 20.0,
                    "caseload": 5, "start": 3}  # fmt: skip
    assert build(spec).caseload == 5
    with pytest.raises(InterventionError, match=r"'budget' is not a setting; expected name=value"):
        parse_spec("outreach:budget")
    with pytest.raises(InterventionError, match="setting 'budget' is given twice"):
        parse_spec("outreach:budget=1,budget=2")
    with pytest.raises(
        InterventionError, match=r"unknown intervention kind 'outrech' \(did you mean 'outreach'"
    ):
        parse_spec("outrech:budget=1")
    with pytest.raises(
        InterventionError,
        match=r"setting 'caseload': 'many' is not allowed; expected a whole number",
    ):
        parse_spec("professional:caseload=many")
    with pytest.raises(InterventionError, match=r"unknown setting 'bost' \(did you mean 'boost'"):
        coerce_setting("outreach", "bost", "1")


def test_interventions_pickle_before_and_after_use():
    iv = build({"kind": "peer_groups", "budget": 8})
    clone = pickle.loads(pickle.dumps(iv))
    assert clone.settings == iv.settings
    m = SupportModel(rng=2, interventions=[iv], **SMALL)
    m.run_for(3)
    assert pickle.loads(pickle.dumps(iv)).status() == iv.status()


def test_table_lists_every_setting_and_docs_hold_it():
    table = intervention_table()
    for cls in INTERVENTIONS.values():
        for name in cls.parameters():
            assert f"`{name}`" in table
    docs = Path(__file__).resolve().parents[2] / "docs" / "interventions.md"
    assert table in docs.read_text(), (
        "docs/interventions.md is out of date: paste supportnet.interventions.intervention_table()"
    )
    plain = intervention_table(markdown=False)
    assert "[outreach: Outreach and anti-stigma (cost per person reached)]" in plain


def test_professional_help_hires_for_at_most_as_many_places_as_people():
    """Issue 15, failure 2: a budget of 1e9 asked for 10 million professionals in a town of 100."""
    from supportnet import SupportModel
    from supportnet.interventions import build

    iv = build({"kind": "professional", "budget": 1e9, "cost": 0.01, "caseload": 1})
    m = SupportModel(rng=1, n_people=100, convoy_wider=20, interventions=[iv])
    m.run_for(2)
    assert iv.places == 100 and iv.status()["professionals"] == 100
