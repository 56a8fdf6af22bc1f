"""The facts declarations: the shipped file, and one clear message per mistake."""

import copy
import re
import tomllib
from pathlib import Path

import pytest

from supportnet.experiments.config import ConfigError
from supportnet.experiments.facts.declare import FACTS_FILE, load_battery, parse_battery

SHARED_FACTS = Path(__file__).resolve().parents[4] / "shared" / "design" / "facts.md"
FACT_IDS = [
    "stationary", "prevalence", "stress-dose", "capacity", "distance-decay", "periphery",
    "buffering", "lonely-depressed", "caregiver", "family-friends", "layers", "personalised", "sisa",
]  # fmt: skip


def raw():
    return tomllib.loads(FACTS_FILE.read_text(encoding="utf-8"))


def test_shipped_battery_declares_every_fact_of_the_design_note():
    b = load_battery()
    assert [f.id for f in b.facts] == FACT_IDS
    for f in b.facts:
        assert f.claim and f.source and f.why and f.method and f.checks
        assert f.setting in b.settings
    if SHARED_FACTS.exists():  # the design note beside the project (CI has it)
        table_ids = re.findall(r"^\| ([a-z-]+) \|", SHARED_FACTS.read_text(), re.M)
        assert set(table_ids) - {"id"} == set(FACT_IDS)


def test_targets_follow_the_design_note():
    b = load_battery()
    d = b.fact("distance-decay")
    by_label = {c.label: c for c in d.checks}
    assert (
        by_label["excess risk at distance 1"].low,
        by_label["excess risk at distance 1"].high,
    ) == (0.25, 1.0)
    assert by_label["distance 2 / distance 1"].ratio == ("excess_d2", "excess_d1")
    assert {r.stat for r in d.requires} >= {"pairs_d3", "pairs_d4"}
    buf = b.fact("buffering")
    assert [c.kind for c in buf.checks] == ["below", "below", "band", "null"]
    assert buf.checks[3].arm == "off"
    care = b.fact("caregiver")
    assert (care.checks[0].low, care.checks[0].high) == (0.35, 0.80)


def problems(data):
    with pytest.raises(ConfigError) as info:
        parse_battery(data, source="f.toml")
    return info.value.problems


@pytest.mark.parametrize(
    "edit, pattern",
    [
        (
            lambda d: d["facts"][0].update(mesure="levels"),
            r"unknown key 'mesure' \(did you mean 'measure'\?\)",
        ),
        (
            lambda d: d["facts"][1].update(setting="standrd"),
            r"setting 'standrd' is not declared \(did you mean 'standard'\?\)",
        ),
        (
            lambda d: d["facts"][1].update(measure="levles"),
            r"measure 'levles' is unknown \(did you mean 'levels'\?\)",
        ),
        (
            lambda d: d["facts"][1]["checks"][0].update(band=[0.3, 0.1]),
            r"'band' = \[0.3, 0.1\] is not allowed",
        ),
        (lambda d: d["facts"][1]["checks"][0].update(above=0), r"give exactly one target"),
        (lambda d: d["facts"][1]["checks"][0].pop("band"), r"give exactly one target"),
        (
            lambda d: d["facts"][1]["checks"][0].update(bnad=1),
            r"unknown key 'bnad' \(did you mean 'band'\?\)",
        ),
        (
            lambda d: d["facts"][2]["checks"][0].update(contrast=["usual", "nope"]),
            r"'contrast' must name two different arms",
        ),
        (
            lambda d: d["facts"][6]["checks"][0].update(arm="of"),
            r"arm 'of' is not one of the fact's arms",
        ),
        (lambda d: d["facts"][1].update(id="prevalence!"), r"'id' = 'prevalence!' is not allowed"),
        (lambda d: d["facts"][2].update(id="prevalence"), r"the id is used twice"),
        (lambda d: d["settings"]["standard"].update(seeds=0), r"'seeds' = 0 is not allowed"),
        (lambda d: d["settings"]["standard"].update(burn_in=-1), r"'burn_in' = -1 is not allowed"),
        (
            lambda d: d["facts"][2]["arms"][0].update(scale={"stressor_rate": -1}),
            r"scale of 'stressor_rate' = -1",
        ),
        (
            lambda d: d["facts"][4]["requires"][0].pop("at_least"),
            r"give 'stat' and 'at_least' or 'at_most'",
        ),
        (lambda d: d.update(facts=[]), r"at least one fact is needed"),
        (
            lambda d: d["facts"][11]["arms"][0].pop("trials"),
            r"the trial measure needs an arm with 'trials'",
        ),
    ],
)
def test_each_mistake_gets_one_message_naming_where(edit, pattern):
    data = copy.deepcopy(raw())
    edit(data)
    found = problems(data)
    assert len(found) == 1, found
    assert found[0].startswith("f.toml: ")
    assert re.search(pattern, found[0]), found[0]


def test_several_mistakes_are_all_listed():
    data = copy.deepcopy(raw())
    data["facts"][0]["setting"] = "nope"
    data["facts"][1]["measure"] = "nope"
    assert len(problems(data)) == 2


def test_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="no such facts file"):
        load_battery(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_battery(bad)


def test_select_names_unknown_facts_with_a_suggestion():
    b = load_battery()
    assert [f.id for f in b.select(["layers", "buffering"])] == ["buffering", "layers"]
    with pytest.raises(
        ConfigError, match=r"unknown fact 'bufering' \(did you mean 'buffering'\?\)"
    ):
        b.select(["bufering"])
