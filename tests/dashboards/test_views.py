"""What the network view and the plots are sent: decoded back and checked against the model."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from supportnet import metrics
from supportnet.dashboards import plots
from supportnet.dashboards.info import info_text
from supportnet.dashboards.layout import INNER_CIRCLE, inner_circle
from supportnet.dashboards.network import EdgeSync, frame_data, palette, tie_codes
from supportnet.dashboards.session import (
    COLOUR_MEASURES,
    HISTORY_STATES,
    MOOD_BADNESS,
    SIZE_MEASURES,
    Session,
    mood_badness,
)
from supportnet.mechanisms.mood import MOOD_NAMES

SMALL = {"n_people": 80, "convoy_inner": 3, "convoy_sympathy": 6, "convoy_wider": 12}


def _decode(b64, dtype):
    return np.frombuffer(base64.b64decode(b64), dtype=dtype)


@pytest.fixture(scope="module")
def run():
    s = Session(seed=2, **SMALL)
    s.step(3)
    return s.run


def decode_ties(frame) -> dict[tuple[int, int], int]:
    """What the canvas does: the snapshot, with the frame's changes applied (key -> code)."""
    raw = base64.b64decode(frame.ties)
    m = frame.ties_count
    u = np.frombuffer(raw[: 2 * m], "<u2")
    v = np.frombuffer(raw[2 * m : 4 * m], "<u2")
    code = np.frombuffer(raw[4 * m :], np.uint8)
    ties = {(int(a), int(b)): int(c) for a, b, c in zip(u, v, code, strict=True)}
    d = base64.b64decode(frame.delta)
    ns, nd = np.frombuffer(d[:8], "<u4")
    o = 8
    su = np.frombuffer(d[o : o + 2 * ns], "<u2")
    sv = np.frombuffer(d[o + 2 * ns : o + 4 * ns], "<u2")
    o += 4 * ns
    du = np.frombuffer(d[o : o + 2 * nd], "<u2")
    dv = np.frombuffer(d[o + 2 * nd : o + 4 * nd], "<u2")
    sc = np.frombuffer(d[o + 4 * nd :], np.uint8)
    for a, b in zip(du, dv, strict=True):
        del ties[(int(a), int(b))]
    for a, b, c in zip(su, sv, sc, strict=True):
        ties[(int(a), int(b))] = int(c)
    return ties


def model_ties(run, min_strength=0.0) -> dict[tuple[int, int], int]:
    """The ties as the canvas should have them, computed here with plain loops (an oracle)."""
    t = run.model.ties
    group = run.model.population.group
    # A person's inner circle: their INNER_CIRCLE strongest ties by rank (equal strengths: the
    # earlier tie first), so that ties at equal strength never put more than that in it.
    ties_of = {}  # person -> (-strength, tie index) of their ties
    for i, (a, b, s) in enumerate(zip(t.u, t.v, t.strength, strict=True)):
        ties_of.setdefault(int(a), []).append((-s, i))
        ties_of.setdefault(int(b), []).append((-s, i))
    inner = np.zeros(len(t.u), bool)
    for ranked in ties_of.values():
        for _, i in sorted(ranked)[:INNER_CIRCLE]:
            inner[i] = True
    same = group[t.u] == group[t.v]
    keep = t.strength >= min_strength
    codes = tie_codes(t.kind[keep], t.strength[keep], inner[keep], same[keep])
    return {(int(a), int(b)): int(c) for a, b, c in zip(t.u[keep], t.v[keep], codes, strict=True)}


@pytest.mark.parametrize("colour_by", list(COLOUR_MEASURES))
@pytest.mark.parametrize("size_by", list(SIZE_MEASURES))
def test_frame_round_trip(run, colour_by, size_by):
    f = frame_data(run, colour_by, size_by, 0.0)
    pop, ties = run.model.population, run.model.ties
    n, m = pop.n, ties.m
    assert (f.n, f.m) == (n, m)
    pos = _decode(f.pos, "<u2").reshape(n, 2) / 65535 * 2 - 1
    assert np.allclose(pos, run.layout.pos, atol=1e-4)
    colour = _decode(f.colour, np.uint8) / 255
    value = mood_badness(run.model) if colour_by == "mood" else getattr(pop, colour_by)
    bad = value if COLOUR_MEASURES[colour_by][1] else 1 - value
    assert np.allclose(colour, bad, atol=1 / 255)
    size = _decode(f.size, np.uint8)
    if size_by == "degree":
        assert size.argmax() == ties.degree().argmax()
    elif size_by == "none":
        assert len(set(size)) == 1
    assert decode_ties(f) == model_ties(run)


def test_tie_codes():
    kind = np.array([0, 1, 5, 5])
    strength = np.array([0.1, 0.5, 0.99, 0.2])
    inner = np.array([False, False, True, True])
    same = np.array([True, False, False, True])
    # kind * 4 + class: wider weak, wider, inner circle across communities, within.
    assert list(tie_codes(kind, strength, inner, same)) == [0, 5, 22, 23]


def test_inner_circle_is_each_persons_strongest_ties():
    rng = np.random.default_rng(3)
    u = rng.integers(0, 30, 400)
    v = rng.integers(0, 30, 400)
    keep = u < v
    u, v = u[keep], v[keep]
    s = rng.random(len(u))
    inner = inner_circle(u, v, s, k=3)
    for person in range(30):
        mine = np.flatnonzero((u == person) | (v == person))
        top = mine[np.argsort(-s[mine])[:3]]
        assert inner[top].all()  # a person's 3 strongest are in
    # and a tie in nobody's top 3 is out
    for j in np.flatnonzero(~inner):
        for person in (u[j], v[j]):
            mine = np.flatnonzero((u == person) | (v == person))
            assert (s[mine] > s[j]).sum() >= 3


def test_only_changes_are_sent_each_frame():
    s = Session(seed=4, **SMALL)
    run = s.run
    sync = EdgeSync(refresh=0.5)
    first = frame_data(run, "stress", "degree", 0.0, sync)
    assert first.ties_version > 0 and first.ties_count == run.model.ties.m
    sizes = []
    for _ in range(8):
        s.step(1)
        f = frame_data(run, "stress", "degree", 0.0, sync)
        assert decode_ties(f) == model_ties(run)  # the canvas always has the current ties
        sizes.append(len(f.delta))
        if f.ties_version == first.ties_version:
            assert f.ties == first.ties  # the snapshot itself is not sent again
    assert max(sizes) < len(first.ties) / 2
    # Past the refresh share, a new snapshot replaces the changes.
    tight = EdgeSync(refresh=0.0)
    before = frame_data(run, "stress", "degree", 0.0, tight).ties_version
    assert before > first.ties_version  # versions are never reused, even by a new view
    s.step(1)
    f = frame_data(run, "stress", "degree", 0.0, tight)
    assert f.ties_version > before and decode_ties(f) == model_ties(run)
    assert np.frombuffer(base64.b64decode(f.delta)[:8], "<u4").tolist() == [0, 0]


def test_weak_ties_can_be_hidden(run):
    f = frame_data(run, "stress", "degree", 0.5)
    assert f.m == int((run.model.ties.strength >= 0.5).sum()) < run.model.ties.m
    assert decode_ties(f) == model_ties(run, 0.5)


def test_bad_view_choices(run):
    with pytest.raises(ValueError, match="colour_by"):
        frame_data(run, "happiness", "degree", 0)
    with pytest.raises(ValueError, match="size_by"):
        frame_data(run, "stress", "height", 0)


def test_palette():
    lut = palette()
    assert len(lut) == 256 and all(c.startswith("#") and len(c) == 7 for c in lut)


def test_every_live_plot_is_json_and_shows_the_measures(run):
    df = run.model.dataframe()
    options = {
        "wellbeing": plots.wellbeing_option(df),
        "strain": plots.strain_option(df),
        "type": plots.support_type_option(df),
        "kind": plots.support_kind_option(df),
        "network": plots.network_option(df),
        "person": plots.person_option(run.history.series(0), 0),
        "hist": plots.histogram_option(run.model.population.stress, "Stress"),
    }
    for opt in options.values():
        json.dumps(opt, allow_nan=False)  # NaN would break the chart: must be None
    series = {s["name"]: s for s in options["wellbeing"]["series"]}
    mean_stress = series[plots.MEASURE_LABELS[metrics.MEAN_STRESS]]["data"]
    assert [p[0] for p in mean_stress] == list(df.index)
    assert mean_stress[-1][1] == pytest.approx(df[metrics.MEAN_STRESS].iloc[-1], abs=1e-5)
    assert len(options["type"]["series"]) == 4 and len(options["kind"]["series"]) == 6
    counts = options["hist"]["series"][0]["data"]
    assert sum(counts) == run.model.population.n


def test_thin_keeps_the_last_step_and_gaps_stay_gaps():
    df = pd.DataFrame({metrics.MEAN_STRESS: np.linspace(0, 1, 1001)})
    df.iloc[500, 0] = np.nan
    thinned = plots.thin(df, 100)
    assert len(thinned) <= 101 and thinned.index[-1] == 1000
    opt = plots.line_option(df.iloc[490:510], [metrics.MEAN_STRESS], "t")
    assert [p[1] for p in opt["series"][0]["data"] if p[0] == 500] == [None]


def test_chart_points_are_each_points_rounded_number():
    """The points built in one pass are the numbers ``_num`` gives point by point."""
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.random(500), [np.nan, np.inf, -np.inf, 0.123455, 1e-9, 7.0]])
    steps = np.arange(len(values), dtype=np.int64) * 3
    points = plots._points(steps, values)
    assert points == [[int(s), plots._num(v)] for s, v in zip(steps, values, strict=True)]
    assert all(type(s) is int for s, _ in points)
    assert json.dumps(points[-6:]) == "[[1500, null], [1503, null], [1506, null], " + (
        f"[1509, {round(0.123455, 5)}], [1512, 0.0], [1515, 7.0]]"
    )


def test_compare_and_difference():
    a = pd.DataFrame({metrics.MEAN_STRESS: [0.1, 0.2, 0.3]})
    b = pd.DataFrame({metrics.MEAN_STRESS: [0.1, 0.25, 0.5, 0.6]})
    comp = plots.compare_option(a, b, metrics.MEAN_STRESS)
    assert [s["name"] for s in comp["series"]] == ["A", "B"]
    diff = plots.difference_option(a, b, metrics.MEAN_STRESS)["series"][0]["data"]
    assert diff == [[0, 0.0], [1, 0.05], [2, 0.2]]


W = plots.SETTLING_STEPS

#: Every chart over time, made from one table of every measure (index = step).
OVER_TIME = {
    "wellbeing": plots.wellbeing_option,
    "strain": plots.strain_option,  # unmet need on a second y axis
    "type": plots.support_type_option,
    "kind": plots.support_kind_option,
    "network": plots.network_option,  # clustering on a second y axis
    "mood": plots.mood_option,
    "compare": lambda df: plots.compare_option(df, df * 1.1, metrics.MEAN_LONELINESS),
    "person": lambda df: plots.person_option(df[list(HISTORY_STATES)], 0),
}


def _steps_frame(steps: range) -> pd.DataFrame:
    """Every measure the charts draw, random, at ``steps``."""
    columns = [*plots.MEASURE_LABELS, *HISTORY_STATES]
    rng = np.random.default_rng(len(steps))
    return pd.DataFrame(rng.random((len(steps), len(columns))), columns=columns, index=steps)


def _settling(opt) -> tuple[int, int] | None:
    """The steps the chart shades as the warm-up, checked to be on the first series only."""
    json.dumps(opt, allow_nan=False)  # what the page is sent
    assert all("markArea" not in s for s in opt["series"][1:])
    area = opt["series"][0].get("markArea")
    if area is None:
        return None
    (start, end), *more = area["data"]
    assert more == [] and start["name"] == "settling" and set(end) == {"xAxis"}
    return start["xAxis"], end["xAxis"]


@pytest.mark.parametrize("chart", list(OVER_TIME))
@pytest.mark.parametrize(
    ("steps", "shaded"),
    [
        (range(0, 1201), (0, W)),  # a run from the start, past the warm-up
        (range(0, 301), (0, 300)),  # a run still in the warm-up: shaded as far as it goes
        (range(500, 1501), (500, W)),  # a history that begins in the warm-up
        (range(W, W + 500), None),  # ... or at its end
        (range(W + 1, W + 1500), None),  # ... or after it: nothing to shade
        (range(0, 1), None),  # one step: no stretch to shade
    ],
)
def test_charts_over_time_shade_the_warm_up_they_show(chart, steps, shaded):
    opt = OVER_TIME[chart](_steps_frame(steps))
    assert _settling(opt) == shaded
    if shaded:
        area = opt["series"][0]["markArea"]
        assert area["silent"] and area["label"]["show"]
        # The shade lies within the steps drawn, so the x axis still spans exactly those.
        drawn = [p[0] for s in opt["series"] for p in s["data"]]
        assert min(drawn) <= shaded[0] < shaded[1] <= max(drawn)
        assert (opt["xAxis"]["min"], opt["xAxis"]["max"]) == ("dataMin", "dataMax")


def test_the_settling_label_is_left_off_a_sliver():
    """A shade under a twentieth of the chart keeps its grey but not its word."""
    long = plots.wellbeing_option(_steps_frame(range(0, 40 * W + 1)))
    assert _settling(long) == (0, W) and not long["series"][0]["markArea"]["label"]["show"]
    late = plots.wellbeing_option(_steps_frame(range(W - 10, W + 500)))
    assert _settling(late) == (W - 10, W) and not late["series"][0]["markArea"]["label"]["show"]


def test_the_difference_of_matched_towns_is_not_shaded():
    """A and B settle together: B - A is the change's doing from the start (lesson 1 reads it)."""
    df = _steps_frame(range(0, 1201))
    assert _settling(plots.difference_option(df, df * 1.1, metrics.MEAN_LONELINESS)) is None


def test_the_info_tab_says_what_the_shaded_stretch_is():
    assert f"the first {W} steps are shaded grey and marked *settling*" in info_text()


def test_depression_by_support_is_the_mean_of_each_fifth_by_support():
    """Fifths by rank of perceived support, lowest first; each the mean of its people."""
    s = Session(seed=5, n_people=203)
    s.step(30)
    model = s.run.model
    pop = model.population
    support, depression = pop.perceived_support[pop.members], pop.depression[pop.members]
    fifths = plots.depression_by_support(model)
    order = np.argsort(support, kind="stable")
    sizes = [41, 41, 41, 40, 40]  # 203 people: the first three fifths get one more
    edges = np.cumsum([0, *sizes])
    expected = [depression[order[a:b]].mean() for a, b in zip(edges[:-1], edges[1:], strict=True)]
    assert fifths == pytest.approx(expected, abs=1e-5)
    # The people in a higher fifth never have less perceived support than those below.
    assert support[order[edges[1] - 1]] <= support[order[edges[4]]]
    opt = plots.support_gradient_option([fifths, fifths[::-1]])
    assert [s["name"] for s in opt["series"]] == ["A", "B"]
    assert opt["series"][1]["data"] == fifths[::-1]
    assert opt["xAxis"]["data"][0] == "lowest fifth"
    json.dumps(opt)  # what the page is sent


def test_buffering_shows_as_a_steeper_support_gradient_under_stress():
    """The chart shows what lesson 1 says: with buffering, the least supported fare worse."""
    on = Session(seed=2, stressor_rate=0.10, n_people=400)
    off = Session(seed=2, stressor_rate=0.10, n_people=400, buffering=False)
    on.step(150)
    off.step(150)
    gap = [g[0] - g[-1] for g in map(plots.depression_by_support, (on.run.model, off.run.model))]
    assert gap[0] > gap[1] > 0


def test_people_are_coloured_by_their_sisa_mood_and_the_shares_are_plotted():
    s = Session(seed=3, sisa=True, sisa_classic=True, network="random_regular", n_people=300)
    s.step(40)
    run = s.run
    f = frame_data(run, "mood", "none", 0.0)
    colour = _decode(f.colour, np.uint8) / 255
    assert np.allclose(colour, MOOD_BADNESS[run.model.mood.mood], atol=1 / 255)
    assert len(set(np.round(colour, 2))) == 3  # content, neutral and discontent people
    # The legend: three swatches, not a scale, named as the states, best first, each with the
    # colour code the people in that state are drawn with.
    swatches = f.legend["swatches"]
    assert "low" not in f.legend and "high" not in f.legend
    assert [sw["label"] for sw in swatches] == ["content", "neutral", "discontent"]
    codes = _decode(f.colour, np.uint8)
    for sw in swatches:
        state = MOOD_NAMES.index(sw["label"])
        assert set(codes[run.model.mood.mood == state].tolist()) == {sw["code"]}
    opt = json.loads(json.dumps(plots.mood_option(run.dataframe())))
    names = [series["name"] for series in opt["series"]]
    assert names == ["Neutral (share)", "Content (share)", "Discontent (share)"]
    last = [series["data"][-1] for series in opt["series"]]
    assert [step for step, _ in last] == [40] * 3
    shares = run.model.measures
    assert [value for _, value in last] == [
        round(shares[k], 5) for k in ("neutral_share", "content_share", "discontent_share")
    ]
    assert abs(sum(value for _, value in last) - 1) < 1e-4
    # Without the mood layer: everyone neutral on the scale, and the chart says it is off.
    plain = Session(seed=3, network="random_regular", n_people=300).run
    f = frame_data(plain, "mood", "none", 0.0)
    assert np.all(_decode(f.colour, np.uint8) == 128)
    assert f.legend["swatches"] == [{"label": "everyone neutral (mood layer off)", "code": 128}]
    off = plots.mood_option(plain.dataframe())
    assert off["series"] == [] and "off" in off["title"]["text"]
