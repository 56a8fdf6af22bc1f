"""From a measure on constructed runs to the battery's verdict, as the battery judges it.

The known-answer tests of each measure live with the measures (tests/model/analysis); these tie a
few of them to the verdicts of the shipped facts: a planted effect of the published size passes,
and no effect gets the verdict "no effect" (a directional target whose interval contains 0).
"""

import numpy as np
import pandas as pd

from supportnet.analysis.buffering import buffering
from supportnet.analysis.effects import person_hedges_g
from supportnet.experiments.facts import load_battery
from supportnet.experiments.facts.judge import judge_check
from tests.model.analysis.test_buffering import interaction_for, panel_record


def rows_of(measure: str, values: list[dict], arm: str = "default") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"run_id": f"s-{arm}-r{i:02d}", "setting": "standard", "arm": arm, "replication": i,
             **{f"{measure}.{k}": v for k, v in v.items()}}
            for i, v in enumerate(values)
        ]
    )  # fmt: skip


def buffering_check(label: str):
    fact = load_battery().fact("buffering")
    check = next(c for c in fact.checks if c.label == label)
    return fact, check


def test_planted_buffering_passes_and_none_is_no_effect():
    fact, check = buffering_check("stress x support (buffering on)")
    arm_of = {("buffering", "on"): "default", ("buffering", "off"): "off"}
    planted = [buffering(panel_record(interaction_for(0.7), seed=s)) for s in range(10)]
    none = [buffering(panel_record(0.0, seed=s)) for s in range(10)]
    assert judge_check(check, fact, rows_of("buffering", planted), arm_of).verdict == "pass"
    assert judge_check(check, fact, rows_of("buffering", none), arm_of).verdict == "no effect"
    # The clean-null check of the "off" arm is met by no effect, and failed by a planted one.
    _, null = buffering_check("stress x support (buffering off)")
    off = rows_of("buffering", none, arm="off")
    assert judge_check(null, fact, off, arm_of).verdict == "pass"
    off = rows_of("buffering", planted, arm="off")
    assert judge_check(null, fact, off, arm_of).verdict == "fail"


def test_carers_g_of_the_published_size_passes_and_none_is_no_effect():
    fact = load_battery().fact("caregiver")
    check = next(c for c in fact.checks if c.stat == "g_stress")  # target: above 0
    band = next(c for c in fact.checks if c.stat == "g_depression")  # 0.35 to 0.80
    arm_of = {("caregiver", "default"): "default"}
    rng = np.random.default_rng(5)
    planted, none = [], []
    for _ in range(10):
        others = rng.normal(0.0, 1.0, 900)
        planted.append({"g_stress": person_hedges_g(rng.normal(0.58, 1.0, 100), others),
                        "g_depression": person_hedges_g(rng.normal(0.58, 1.0, 100), others)})  # fmt: skip
        none.append({"g_stress": person_hedges_g(rng.normal(0.0, 1.0, 100), others),
                     "g_depression": person_hedges_g(rng.normal(0.0, 1.0, 100), others)})  # fmt: skip
    assert judge_check(check, fact, rows_of("caregiver", planted), arm_of).verdict == "pass"
    assert judge_check(band, fact, rows_of("caregiver", planted), arm_of).verdict == "pass"
    assert judge_check(check, fact, rows_of("caregiver", none), arm_of).verdict == "no effect"
    assert judge_check(band, fact, rows_of("caregiver", none), arm_of).verdict == "fail"
