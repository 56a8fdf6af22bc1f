"""The stylised facts on small, fast subsets: each fact's own targets and tolerances.

These replace the old direction-only behaviour checks. Each test runs the runs behind one fact of
the shipped battery (``experiments/facts/facts.toml``: the same settings, arms, measures and
common random numbers as ``supportnet facts``) on a smaller town, with fewer seeds and shorter
runs, and judges them with the battery's own verdict logic (:func:`judge_facts`, which pools each
statistic over seeds and calls :func:`~supportnet.experiments.facts.judge.verdict_of` with the
fact's target). A fact passes when every check's 95% interval over seeds lies inside its target.

The full battery, at the default town, is the documented command (docs/validation.md):

    supportnet facts --seeds 20

Facts that do not hold at the defaults yet (issue 9's calibration is under way; docs/validation.md
gives the full battery and the trade-offs) are marked ``xfail(strict=True)`` with what fails: the
runs are deterministic, so such a test fails as soon as its fact starts to hold, and the marker
must then go.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from supportnet.experiments.facts import Overrides, load_battery
from supportnet.experiments.facts.execute import execute_fact_run
from supportnet.experiments.facts.judge import judge_facts
from supportnet.experiments.facts.plan import plan_battery

#: A small town: 400 people, about 14 per community group and 20 neighbourhoods as in the default
#: town (with fewer, larger neighbourhoods one town differs from the next by its neighbourhoods'
#: cohesion, and seeds disagree more than the facts' tolerances allow).
TOWN = {"n_people": 400, "n_groups": 28, "neighbourhood_size": 20}
#: Runs: a burn-in as documented (the defaults settle within about 300 steps), two measured
#: years, five seeds (with three, t intervals are four standard errors wide).
BURN_IN, MEASURED, SEEDS = 300, 104, 5

_rows: dict[str, dict] = {}  # summary rows by run id, shared by the facts of one test process


def small_battery(**setting_changes):
    """The shipped battery with its settings shortened to the small subset."""
    battery = load_battery()
    short = {
        name: dataclasses.replace(
            s,
            burn_in=setting_changes.get("burn_in", BURN_IN),
            measure_steps=setting_changes.get("measure_steps", MEASURED if s.measure_steps else 0),
            seeds=setting_changes.get("seeds", SEEDS),
        )
        for name, s in battery.settings.items()
    }
    return dataclasses.replace(battery, settings=short)


def judge(fact_id: str, town=None, **setting_changes):
    """Run (or reuse) the runs behind ``fact_id`` on the small subset; return its FactResult."""
    battery = small_battery(**setting_changes)
    fact = battery.fact(fact_id)
    runs, arm_of = plan_battery(battery, Overrides(set=TOWN if town is None else town), [fact])
    rows = []
    for run in runs:
        key = run.digest
        if key not in _rows:
            _rows[key] = execute_fact_run(run)[0]
        rows.append(_rows[key])
    (result,) = judge_facts(battery, [fact], pd.DataFrame(rows), arm_of)
    return result


def explain(result) -> str:
    """The checks and their estimates, for the failure message."""
    lines = [f"{result.fact.id}: {result.verdict} ({result.reason})"]
    for c in result.checks:
        lines.append(
            f"  {c.check.label}: {c.mean:.3g} [{c.lo:.3g}, {c.hi:.3g}] "
            f"target {c.check.target_text()} -> {c.verdict}"
        )
    for r, mean, holds in result.requirements:
        lines.append(f"  requires {r.stat}: {mean:.3g} ({'holds' if holds else 'does not hold'})")
    return "\n".join(lines)


def assert_passes(fact_id: str, town=None, **setting_changes) -> None:
    result = judge(fact_id, town, **setting_changes)
    assert result.verdict == "pass", explain(result)


def calibrating(fact_id: str, why: str):
    """xfail (strict) for a fact that does not hold at today's defaults yet."""
    return pytest.mark.xfail(
        strict=True, reason=f"fact '{fact_id}' does not hold at the defaults yet: {why}"
    )


@pytest.mark.slow
def test_prevalence_of_cases_and_loneliness_is_at_survey_rates():
    assert_passes("prevalence")


@pytest.mark.slow
def test_more_life_events_raise_stress_depression_and_loneliness():
    # The default town, twelve seeds: loneliness moves less than stress and depression
    # (half -> usual about +0.01 to +0.02), and between-seed spread, not run length, sets its
    # interval: at five seeds it straddles 0 (+0.010 [-0.004, 0.025]), ten measured years do not
    # help (+0.007 [-0.011, 0.025]), eight seeds did (+0.011 [0.003, 0.018]) until the random
    # stream of life events changed (commit 156b1f6: +0.010 [-0.001, 0.022]); twelve do. So the
    # run is the module's two measured years, not five: at twelve seeds five years gave +0.0175
    # [0.0061, 0.0289] and two give +0.0179 [0.0072, 0.0286], in 0.65 of the time. The battery's
    # 20 seeds give +0.0145 [0.0072, 0.0217].
    assert_passes("stress-dose", town={}, seeds=12)


@pytest.mark.slow
def test_more_capacity_lowers_unmet_need_and_depression_without_raising_loneliness():
    # The default town: in a small one capacity's effect on depression is within noise.
    assert_passes("capacity", town={})


@pytest.mark.slow
def test_lonely_people_have_fewer_ties_and_lose_ties_faster():
    assert_passes("periphery")


@pytest.mark.slow
def test_support_buffers_stress_and_the_switch_off_is_a_clean_null():
    assert_passes("buffering")


@pytest.mark.slow
@calibrating(
    "lonely-depressed",
    "passes in the battery's default town at 10 seeds (r 0.55 [0.53, 0.57], lagged 0.111 [0.104, 0.119]); it does not pass in the small towns of this test (5 seeds)",
)
def test_loneliness_goes_with_and_precedes_depression():
    assert_passes("lonely-depressed")


@pytest.mark.slow
@calibrating(
    "caregiver",
    "passes in the default town at 20 seeds (g 0.57 [0.45, 0.70] at care_stress 0.0275); in a small town there are too few carers and the interval crosses the band's edge",
)
def test_carers_are_more_depressed_and_stressed_than_others():
    assert_passes("caregiver")


@pytest.mark.slow
@calibrating(
    "family-friends",
    "family support's effect on later stress is not more negative than friends'",
)
def test_family_support_lowers_later_stress_more_than_friends_support():
    assert_passes("family-friends")


@pytest.mark.slow
def test_networks_are_layered_varied_and_clustered():
    assert_passes("layers")


@pytest.mark.slow
@calibrating(
    "distance-decay",
    "excess risk does not fall with distance: negative at 2-3 steps, positive at 4 (loneliness goes with low degree, which the permutation null does not hold fixed)",
)
def test_loneliness_clusters_and_fades_with_network_distance():
    # Distances of 3 and 4 steps need the default town (1,000 people); fewer seeds.
    assert_passes("distance-decay", town={})


@pytest.mark.slow
@calibrating(
    "personalised",
    "in towns of 400 generic help's effect on perceived support is near zero (g 0.03-0.05 with 12 or 30 "
    "clients; ratio 4-8); it passes in the default town of 1,000 (ratio 2.11, 20 seeds) and at 2,000 "
    "(1.79); at 400 generic g stays near 0 also with 12 clients (0.031): they share one professional's "
    "capacity, so generic help exceeds their need and lowers trust (capacity 3 instead of 5: ratio 1.48)",
)
def test_personalised_help_works_about_twice_as_well_as_generic():
    assert_passes("personalised")


@pytest.mark.slow
@calibrating(
    "stationary",
    "the tie count settles within 300 steps, but the loneliness measures stay 2-7% below their level for 500-1,000 steps: the joint sorting of loneliness in the network relaxes at the published pace of tie turnover (docs/validation.md, docs/examples/stationary_warmup.py), and MSER on the mean over seeds reads a burn-in of 600-1,140",
)
def test_the_world_is_stationary_after_the_burn_in():
    # The battery measures drift over 2,000 steps; here over 1,000 after the burn-in.
    assert_passes("stationary", measure_steps=1000)


@pytest.mark.slow
def test_moods_in_the_classic_sisa_mode_last_and_spread_as_published():
    # The battery's own runs and judge, a 20-year burn-in and 100 measured years (the fact's own
    # setting measures 200): sojourns, per-contact hazards and the mean-field gap, both networks.
    assert_passes("sisa", burn_in=1040, measure_steps=5200)
