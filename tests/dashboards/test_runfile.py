"""Run files restore a run exactly; exports load in pandas and networkx; the store survives."""

from __future__ import annotations

import io
import json

import networkx as nx
import pandas as pd
import pytest

from supportnet.dashboards import exports, runfile
from supportnet.dashboards.session import MAX_PEOPLE, Session
from supportnet.dashboards.store import RunStore

SMALL = {"n_people": 80, "convoy_inner": 3, "convoy_sympathy": 6, "convoy_wider": 12}


def test_a_run_file_restores_the_run_to_its_step():
    s = Session(seed=5, **SMALL)
    s.set_value("stressor_rate", 0.1)
    s.reset()
    s.step(9)
    s.set_value("buffering", False)  # an edit not applied yet comes back too
    data = runfile.parse(exports.run_file_bytes(s))
    t = Session(seed=1, **SMALL)
    assert runfile.restore(t, data) is None
    assert t.run.steps == 9 and t.run.seed == 5
    assert t.model.dataframe().equals(s.model.dataframe())  # the very same run
    assert t.pending() == {"buffering": False}


def test_a_comparison_is_restored():
    s = Session(seed=2, **SMALL)
    s.start_comparison("stressor_rate", 0.2)
    s.step(4)
    t = Session(seed=1, **SMALL)
    assert runfile.restore(t, runfile.from_session(s)) is None
    assert len(t.runs) == 2 and t.runs[1].dataframe().equals(s.runs[1].dataframe())


@pytest.mark.parametrize("name", ["lesson_loneliness", "lesson_interventions"])
def test_a_lesson_preset_is_still_shown_after_a_reload(name):
    s = Session(seed=2, **SMALL)
    s.choose_preset(name)
    s.step(2)
    data = runfile.parse(exports.run_file_bytes(s))
    assert data["preset"] == name
    t = Session(seed=1, **SMALL)
    assert runfile.restore(t, data) is None
    assert t.preset == name and t.comparison == s.comparison
    assert t.interventions == s.interventions and len(t.runs) == 2
    # The same settings under the name "baseline" stay "baseline" (the stored name wins).
    if name == "lesson_loneliness":
        u = Session(seed=1, **SMALL)
        assert runfile.restore(u, {**data, "preset": "baseline"}) is None
        assert u.preset == "baseline"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"format": "other"}, "not a SupportNet run file"),
        ({"step": -1}, "field 'step'"),
        ({"step": runfile.MAX_STEPS + 1}, "field 'step'"),
        ({"seed": "x"}, "field 'seed'"),
        ({"params": {"stresor_rate": 0.1}}, "stresor_rate"),
        ({"params": {"n_people": MAX_PEOPLE + 1}}, "more than the dashboard builds"),
        ({"version": 99}, "newer"),
    ],
)
def test_bad_run_files_are_refused_by_field(change, words):
    s = Session(seed=3, **SMALL)
    s.step(2)
    data = {**runfile.from_session(s), **change}
    t = Session(seed=1, **SMALL)
    t.step(1)
    try:
        err = runfile.restore(t, runfile.parse(json.dumps(data)))
    except runfile.RunFileError as exc:
        err = str(exc)
    assert err is not None and words in err
    assert t.run.steps == 1  # the running model is kept
    assert set(t.errors) <= {"runfile"}  # the controls carry no stray error


def test_not_json():
    with pytest.raises(runfile.RunFileError, match="not JSON"):
        runfile.parse(b"\x00garbage")


def test_exports_load(tmp_path):
    s = Session(seed=4, **SMALL)
    s.step(6)
    df = pd.read_csv(io.BytesIO(exports.csv_bytes(s.run)), index_col="step")
    assert list(df.index) == list(range(7))
    assert df["mean_stress"].tolist() == pytest.approx(s.model.dataframe()["mean_stress"].tolist())
    G = nx.read_graphml(io.BytesIO(exports.graphml_bytes(s.run)))
    assert G.number_of_nodes() == s.model.population.n
    assert G.number_of_edges() == s.model.ties.m
    node = G.nodes["0"]
    assert node["stress"] == pytest.approx(float(s.model.population.stress[0]))
    _, _, tie = next(iter(G.edges(data=True)))
    assert {"kind", "strength", "last_contact"} <= set(tie)
    assert exports.file_stem(s) == "supportnet-custom-seed4-step6"


def test_store_round_trip_and_odd_keys(tmp_path):
    store = RunStore(tmp_path)
    assert store.load("nobody") is None
    store.save("abc-123", {"a": 1})
    assert store.load("abc-123") == {"a": 1}
    store.save("../../etc/passwd", {"b": 2})  # a cookie is never a path
    assert not (tmp_path.parent / "etc").exists()
    assert store.load("../../etc/passwd") == {"b": 2}
    (tmp_path / "broken.json").write_text("{")
    assert store.load("broken") is None
    store.forget("abc-123")
    assert store.load("abc-123") is None


def test_uploaded_network_is_capped_like_everything_else(tmp_path):
    s = Session(seed=1, **SMALL)
    edges = "\n".join(f"{i} {i + 1}" for i in range(MAX_PEOPLE + 5)).encode()
    err = s.take_network_file(tmp_path, "big.txt", edges)
    assert "network file 'big.txt'" in err and "more than the dashboard builds" in err
    small = "\n".join(f"{i} {(i + 1) % 40}" for i in range(40)).encode()
    assert s.take_network_file(tmp_path, "ring.txt", small) is None
    assert s.values["network"] == "file"
    assert s.reset() is None and s.model.population.n == 40
