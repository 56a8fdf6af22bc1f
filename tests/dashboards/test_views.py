"""What the network view and the plots are sent: decoded back and checked against the model."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from dashboards import plots
from dashboards.network import frame_data, palette
from dashboards.session import COLOUR_MEASURES, SIZE_MEASURES, Session
from model import metrics

SMALL = {"n_people": 80, "convoy_inner": 3, "convoy_sympathy": 6, "convoy_wider": 12}


def _decode(b64, dtype):
    return np.frombuffer(base64.b64decode(b64), dtype=dtype)


@pytest.fixture(scope="module")
def run():
    s = Session(seed=2, **SMALL)
    s.step(3)
    return s.run


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
    value = getattr(pop, colour_by)
    bad = value if COLOUR_MEASURES[colour_by][1] else 1 - value
    assert np.allclose(colour, bad, atol=1 / 255)
    size = _decode(f.size, np.uint8)
    if size_by == "degree":
        assert size.argmax() == ties.degree().argmax()
    elif size_by == "none":
        assert len(set(size)) == 1
    edges = base64.b64decode(f.edges)
    u = np.frombuffer(edges[: 2 * m], "<u2")
    v = np.frombuffer(edges[2 * m : 4 * m], "<u2")
    kind = np.frombuffer(edges[4 * m : 5 * m], np.uint8)
    strength = np.frombuffer(edges[5 * m :], np.uint8) / 255
    assert np.array_equal(u, ties.u) and np.array_equal(v, ties.v)
    assert np.array_equal(kind, ties.kind)
    assert np.allclose(strength, ties.strength, atol=1 / 255)


def test_weak_ties_can_be_hidden(run):
    f = frame_data(run, "stress", "degree", 0.5)
    assert f.m == int((run.model.ties.strength >= 0.5).sum()) < run.model.ties.m


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


def test_compare_and_difference():
    a = pd.DataFrame({metrics.MEAN_STRESS: [0.1, 0.2, 0.3]})
    b = pd.DataFrame({metrics.MEAN_STRESS: [0.1, 0.25, 0.5, 0.6]})
    comp = plots.compare_option(a, b, metrics.MEAN_STRESS)
    assert [s["name"] for s in comp["series"]] == ["A", "B"]
    diff = plots.difference_option(a, b, metrics.MEAN_STRESS)["series"][0]["data"]
    assert diff == [[0, 0.0], [1, 0.05], [2, 0.2]]
