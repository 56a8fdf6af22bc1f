"""The results explorer's reader: tolerant of what it finds, exact in what it computes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from supportnet.dashboards.results import (
    BANDS,
    SweepError,
    band_figure,
    band_table,
    find_sweeps,
    open_sweep,
)

from .helpers import LEVELS, REPLICATIONS, make_sweep


def test_reads_a_sweep_folder(tmp_path):
    df = make_sweep(tmp_path / "s")
    sweep = open_sweep(tmp_path / "s")
    assert sweep.name == "test_sweep" and sweep.title.startswith("Stressor rate")
    assert sweep.factors == ["stressor_rate", "buffering"]  # the manifest's order
    # Outcomes: numeric, not ids, not factors, not all-NaN; the manifest's order first.
    assert sweep.outcomes == ["mean_depression", "mean_stress"]
    assert len(sweep.summary) == len(df) == 24
    assert sweep.notes == []
    text = sweep.describe()
    assert "24 runs in the summary of 24 planned" in text and "grid" in text


def test_tolerates_a_folder_without_manifest_and_with_csv(tmp_path):
    make_sweep(tmp_path / "s", manifest=False, fmt="csv")
    sweep = open_sweep(tmp_path / "s")
    assert set(sweep.factors) == set(LEVELS)  # found as varying model parameters
    assert "n_people" not in sweep.factors  # constant
    assert set(sweep.outcomes) == {"mean_stress", "mean_depression"}
    assert any("no manifest" in n for n in sweep.notes)


def test_tolerates_damaged_files(tmp_path):
    make_sweep(tmp_path / "s", fmt="csv")
    (tmp_path / "s" / "summary.parquet").write_bytes(b"not parquet")
    (tmp_path / "s" / "manifest.json").write_text("{ broken")
    sweep = open_sweep(tmp_path / "s")
    assert len(sweep.summary) == 24
    assert any("summary.csv was used" in n for n in sweep.notes)
    assert any("manifest.json could not be read" in n for n in sweep.notes)


def test_manifest_naming_a_missing_factor(tmp_path):
    make_sweep(tmp_path / "s")
    path = tmp_path / "s" / "manifest.json"
    m = json.loads(path.read_text())
    m["config"]["design"]["factors"].append({"key": "ghost"})
    path.write_text(json.dumps(m))
    sweep = open_sweep(tmp_path / "s")
    assert any("ghost" in n for n in sweep.notes)


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda p: None, "no such folder"),
        (lambda p: p.mkdir(), "no summary.parquet"),
        (
            lambda p: (p.mkdir(), (p / "summary.parquet").write_bytes(b"junk")),
            "cannot be read",
        ),
        (
            lambda p: (p.mkdir(), pd.DataFrame({"run_id": []}).to_parquet(p / "summary.parquet")),
            "no runs yet",
        ),
        (
            lambda p: (
                p.mkdir(),
                pd.DataFrame({"run_id": ["a"], "seed": [1]}).to_parquet(p / "summary.parquet"),
            ),
            "no numeric outcome",
        ),
    ],
)
def test_unreadable_folders_say_why(tmp_path, setup, words):
    folder = tmp_path / "bad"
    setup(folder)
    with pytest.raises(SweepError, match=words):
        open_sweep(folder)


def test_find_sweeps(tmp_path):
    make_sweep(tmp_path / "b")
    make_sweep(tmp_path / "a", manifest=False)
    (tmp_path / "empty").mkdir()
    assert [p.name for p in find_sweeps(tmp_path)] == ["a", "b"]
    assert find_sweeps(tmp_path / "nowhere") == []


def test_band_table_numbers(tmp_path):
    df = make_sweep(tmp_path / "s")
    t = band_table(df, "stressor_rate", "mean_stress", "ci95", by="buffering")
    assert len(t) == 6 and (t["n"] == REPLICATIONS).all()
    row = t[(t["x"] == 0.05) & (t["group"] == "False")].iloc[0]
    y = df[(df.stressor_rate == 0.05) & (~df.buffering)]["mean_stress"].to_numpy()
    half = stats.t.ppf(0.975, len(y) - 1) * y.std(ddof=1) / np.sqrt(len(y))
    assert row["mean"] == pytest.approx(y.mean())
    assert (row["low"], row["high"]) == pytest.approx((y.mean() - half, y.mean() + half))
    sd = band_table(df, "stressor_rate", "mean_stress", "sd")
    y = df[df.stressor_rate == 0.1]["mean_stress"]
    assert sd[sd.x == 0.1]["high"].iloc[0] == pytest.approx(y.mean() + y.std(ddof=1))
    rng = band_table(df, "buffering", "mean_stress", "range")
    assert rng["low"].min() == pytest.approx(df["mean_stress"].min())
    everything = band_table(df, None, "mean_stress", "ci95")
    assert len(everything) == 1 and everything["n"].iloc[0] == 24


def test_sampled_factors_are_binned():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 200)
    df = pd.DataFrame({"stressor_rate": x, "mean_stress": 2 * x + rng.normal(0, 0.01, 200)})
    t = band_table(df, "stressor_rate", "mean_stress", "ci95", bins=10)
    assert len(t) == 10 and t["n"].sum() == 200
    assert np.all(np.diff(t["mean"]) > 0)  # the trend survives binning
    assert np.allclose(t["mean"], 2 * t["x"], atol=0.02)


def test_band_table_refuses_unknown_columns(tmp_path):
    df = make_sweep(tmp_path / "s")
    with pytest.raises(ValueError, match="not in the summary"):
        band_table(df, "nope", "mean_stress")
    with pytest.raises(ValueError, match="band must be"):
        band_table(df, "stressor_rate", "mean_stress", "iqr")


@pytest.mark.parametrize("band", list(BANDS))
def test_band_figure_draws_each_group(tmp_path, band):
    df = make_sweep(tmp_path / "s")
    t = band_table(df, "stressor_rate", "mean_stress", band, by="buffering")
    fig = band_figure(t, df, "stressor_rate", "mean_stress", band, by="buffering")
    ax = fig.axes[0]
    assert len(ax.lines) == 2  # one mean line per value of buffering
    assert len(ax.collections) == 3  # two bands and the runs' dots
    cat = band_figure(band_table(df, "buffering", "mean_stress", band), df, "buffering",
                      "mean_stress", band)  # fmt: skip
    assert [t.get_text() for t in cat.axes[0].get_xticklabels()] == ["False", "True"]


def test_reads_a_folder_written_by_supportnet_sweep(tmp_path):
    """The explorer and the experiments engine agree on the folder format (a tiny real sweep)."""
    run_experiment = pytest.importorskip("supportnet.experiments").run_experiment
    config = {
        "name": "tiny",
        "title": "Tiny sweep for the dashboard's reader",
        "seed": 5,
        "steps": 4,
        "replications": 2,
        # A small town needs no more community groups than people.
        "base": {
            "n_people": 40,
            "n_groups": 3,
            "convoy_inner": 2,
            "convoy_sympathy": 4,
            "convoy_wider": 8,
        },
        "design": {"kind": "grid", "vary": {"stressor_rate": [0.02, 0.2]}},
        "output": {"outcomes": ["mean_stress", "mean_depression"], "outcome_window": 2},
    }
    run_experiment(config, tmp_path / "tiny", workers=1, progress=False, quiet=True)
    sweep = open_sweep(tmp_path / "tiny")
    assert sweep.name == "tiny" and sweep.title.startswith("Tiny sweep")
    assert sweep.factors == ["stressor_rate"]
    assert sweep.outcomes[:2] == ["mean_stress", "mean_depression"]
    assert len(sweep.summary) == 4 and sweep.notes == []
    table = band_table(sweep.summary, "stressor_rate", "mean_stress")
    assert list(table["x"]) == [0.02, 0.2] and (table["n"] == 2).all()
