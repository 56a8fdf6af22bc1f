"""Verdicts: each target kind, pooling over seeds, contrasts, ratios, requirements."""

import math

import numpy as np
import pandas as pd
import pytest

from supportnet.experiments.facts.declare import Arm, Check, Fact, Requirement
from supportnet.experiments.facts.judge import judge_check, judge_facts, verdict_of


def check(kind, low=math.nan, high=math.nan, **kw):
    return Check(kw.pop("label", "c"), kw.pop("stat", "x"), kw.pop("ratio", None), kw.pop("arm", None),
                 kw.pop("contrast", None), kind, low, high)  # fmt: skip


@pytest.mark.parametrize(
    "c, estimate, verdict",
    [
        (check("band", 0.25, 1.0), (0.5, 0.4, 0.6), "pass"),
        (check("band", 0.25, 1.0), (0.5, 0.2, 0.6), "uncertain"),
        (check("band", 0.25, 1.0), (0.2, 0.1, 0.3), "fail"),
        (check("band", 0.25, 1.0), (1.2, 1.1, 1.3), "fail"),
        (check("below", 0.0), (-0.2, -0.3, -0.1), "pass"),
        (check("below", 0.0), (-0.1, -0.3, 0.1), "no effect"),
        (check("below", 0.0), (0.2, 0.1, 0.3), "opposite"),
        (check("below", 0.85), (0.8, 0.7, 0.9), "uncertain"),
        (check("below", 0.85), (0.95, 0.9, 1.0), "fail"),
        (check("above", 0.0), (0.2, 0.1, 0.3), "pass"),
        (check("above", 0.0), (0.0, -0.1, 0.1), "no effect"),
        (check("above", 0.0), (-0.2, -0.3, -0.1), "opposite"),
        (check("not_above", 0.0), (0.01, -0.01, 0.03), "pass"),
        (check("not_above", 0.0), (-0.2, -0.3, -0.1), "pass"),
        (check("not_above", 0.0), (0.2, 0.1, 0.3), "fail"),
        (check("null"), (0.01, -0.01, 0.03), "pass"),
        (check("null"), (0.02, 0.01, 0.03), "fail"),
    ],
)
def test_verdicts(c, estimate, verdict):
    assert verdict_of(c, *estimate, 10)[0] == verdict


def test_no_estimate_or_one_seed_is_not_measurable():
    c = check("band", 0, 1)
    assert verdict_of(c, math.nan, math.nan, math.nan, 0)[0] == "not measurable"
    v, reason = verdict_of(c, 0.5, math.nan, math.nan, 1)
    assert v == "not measurable" and "one seed" in reason


def fact(checks, arms=("a",), requires=(), measure="m"):
    return Fact("f", "t", "c", "s", "w", "m", "set", measure, tuple(Arm(a) for a in arms),
                tuple(checks), tuple(requires))  # fmt: skip


def rows(**arms):
    out = []
    for arm, values in arms.items():
        for rep, v in enumerate(values):
            out.append({"run_id": f"set-{arm}-r{rep:02d}", "setting": "set", "arm": arm,
                        "replication": rep, **v})  # fmt: skip
    return pd.DataFrame(out)


def test_contrast_pairs_seeds():
    rng = np.random.default_rng(1)
    base = rng.normal(0, 1, 10)  # seed effects, shared by both arms
    r = rows(a=[{"m.x": b + 0.1} for b in base], b=[{"m.x": b} for b in base])
    c = check("above", 0.0, contrast=("a", "b"))
    f = fact([c], arms=("a", "b"))
    res = judge_check(c, f, r, {("f", "a"): "a", ("f", "b"): "b"})
    assert res.mean == pytest.approx(0.1) and res.verdict == "pass" and res.n == 10
    # Unpaired, the seed effects would swamp the difference.
    assert res.hi - res.lo < 1e-9


def test_ratio_of_means_with_a_seeded_bootstrap():
    rng = np.random.default_rng(2)
    r = rows(
        a=[
            {"m.n": 0.35 + rng.normal(0, 0.03), "m.d": 0.17 + rng.normal(0, 0.03)}
            for _ in range(12)
        ]
    )
    c = check("band", 1.5, 3.0, stat=None, ratio=("n", "d"))
    f = fact([c])
    one = judge_check(c, f, r, {("f", "a"): "a"}, battery_seed=7)
    two = judge_check(c, f, r, {("f", "a"): "a"}, battery_seed=7)
    assert (one.lo, one.hi) == (two.lo, two.hi)
    assert one.lo < one.mean < one.hi
    assert one.mean == pytest.approx(r["m.n"].mean() / r["m.d"].mean())


class _B:
    seed = 0


def test_unmeasurable_reason_and_missing_statistics():
    r = rows(a=[{"m.unmeasurable": "the model has no such mode"}] * 3)
    c = check("band", 0, 1)
    res = judge_facts(_B, [fact([c])], r, {("f", "a"): "a"})[0]
    assert res.verdict == "not measurable" and res.reason == "the model has no such mode"
    r = rows(a=[{"m.y": 1.0}] * 3)
    res = judge_facts(_B, [fact([c])], r, {("f", "a"): "a"})[0]
    assert res.verdict == "not measurable" and "gives no statistic 'x'" in res.reason


def test_fact_verdicts_and_requirements():
    good = [{"m.x": 0.5 + 0.01 * i, "m.p": 0.1} for i in range(5)]
    c = check("band", 0, 1)
    arm_of = {("f", "a"): "a"}
    assert judge_facts(_B, [fact([c])], rows(a=good), arm_of)[0].verdict == "pass"
    need = Requirement("p", at_least=0.05, why="too few pairs")
    assert judge_facts(_B, [fact([c], requires=[need])], rows(a=good), arm_of)[0].verdict == "pass"
    need = Requirement("p", at_least=0.2, why="too few pairs")
    res = judge_facts(_B, [fact([c], requires=[need])], rows(a=good), arm_of)[0]
    assert res.verdict == "not measurable" and res.reason.startswith("too few pairs (p = 0.1)")
    bad = check("band", 2, 3, label="far")
    res = judge_facts(_B, [fact([c, bad])], rows(a=good), arm_of)[0]
    assert res.verdict == "fail" and res.reason == "far: fail"
