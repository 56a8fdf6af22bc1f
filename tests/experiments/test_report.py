"""Reports, tested on small synthetic results folders (no simulation): every figure is written,
effect sizes pair each condition with its control, sensitivity indices find the parameter that
drives the outcome, and the markdown says what was run."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from supportnet import metrics
from supportnet.experiments.config import parse_config
from supportnet.experiments.plan import plan_runs
from supportnet.experiments.report import write_report
from supportnet.experiments.runner import RunResult
from supportnet.experiments.stats import hedges_g
from supportnet.experiments.store import ResultStore
from tests.experiments.conftest import TINY

OUTCOMES = ["mean_depression", "mean_loneliness"]


def fake_results(folder, data, effect=None, skip=()):
    """Write a results folder for ``data`` with synthetic runs (outcomes = effect(spec) + noise)."""
    config = parse_config(data)
    specs = plan_runs(config)
    store = ResultStore(folder)
    store.open(config, force=False, session={"command": ["test"]}, provenance={}, n_runs=len(specs))
    rows = []
    for spec in specs:
        if spec.run_id in skip:
            continue
        rng = np.random.default_rng(spec.seed + spec.point)
        level = effect(spec) if effect else 0.3
        steps = np.arange(config.steps + 1)
        table = pd.DataFrame({"step": steps})
        for m in metrics.ALL_MEASURES:
            table[m] = level * (1 - np.exp(-steps / 3)) + rng.normal(0, 0.01, len(steps))
        summary = {
            "run_id": spec.run_id,
            "arm": spec.arm,
            "point": spec.point,
            "replication": spec.replication,
            "seed": spec.seed,
            **spec.factors,
        }
        for o in config.output.outcomes:
            summary[o] = float(table[o].iloc[-config.output.outcome_window :].mean())
        summary.update(
            buffering_interaction=-0.01 * level + rng.normal(0, 0.001),
            buffering_ci_low=-0.02,
            buffering_ci_high=0.001,
            loneliness_r_d1=0.2,
            loneliness_r_d2=0.1 + rng.normal(0, 0.01),
            loneliness_r_d3=0.02,
            loneliness_r_d4=float("nan"),
        )
        rows.append(store.write_run(RunResult(spec.run_id, spec.digest, True, summary, table)))
    store.write_summary(rows)
    return config, pd.DataFrame(rows)


def tiny(**changes):
    data = copy.deepcopy(TINY)
    data["output"]["outcomes"] = OUTCOMES
    data["replications"] = 4
    data.update(changes)
    return data


def png(path):
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_grid_report_with_a_where_control(tmp_path):
    def effect(spec):  # buffering lowers the outcome by 0.05; stress raises it
        return 0.3 + spec.factors["stressor_rate"] - 0.05 * spec.factors["buffering"]

    _, summary = fake_results(tmp_path, tiny(), effect)
    report = write_report(tmp_path)
    names = sorted(p.name for p in report.figures)
    assert names == [
        "buffering.png",
        "effect_sizes.png",
        "loneliness_distance.png",
        "outcomes_vs_buffering.png",
        "outcomes_vs_stressor_rate.png",
        "trajectories.png",
    ]
    assert all(png(p) for p in report.figures)
    text = report.markdown.read_text()
    for part in [
        "# tiny",
        "config hash",
        "Runs: 16 finished, 0 failed, of 16 planned",
        "## Outcomes",
        "![Outcome trajectories](trajectories.png)",
        "### Effect sizes against the control (control)",
        "### Buffering",
        "### Loneliness by network distance",
        "| stressor_rate=0.02, buffering=true | 4 |",
    ]:
        assert part in text
    # Each treated point is compared with the control point at the same stressor rate.
    g = pd.read_csv(tmp_path / "report" / "effect_sizes.csv")
    assert sorted(set(g["condition"])) == [
        "stressor_rate=0.02, buffering=true",
        "stressor_rate=0.1, buffering=true",
    ]
    row = g[(g.condition == "stressor_rate=0.1, buffering=true") & (g.outcome == OUTCOMES[0])]
    treated = summary[(summary.stressor_rate == 0.1) & summary.buffering][OUTCOMES[0]]
    control = summary[(summary.stressor_rate == 0.1) & ~summary.buffering][OUTCOMES[0]]
    want = hedges_g(treated, control)
    assert row["g"].item() == pytest.approx(want.g) and want.g < -2
    assert row["lo"].item() == pytest.approx(want.ci_low)


def test_arms_report_compares_each_arm_with_the_control_arm(tmp_path):
    data = tiny(
        arms=[{"name": "none"}, {"name": "more", "set": {"capacity_mean": 0.9}}],
        control={"arm": "none", "label": "no change"},
    )
    _, summary = fake_results(tmp_path, data, lambda s: 0.2 + 0.1 * (s.arm == "more"))
    report = write_report(tmp_path)
    g = pd.read_csv(tmp_path / "report" / "effect_sizes.csv")
    assert set(g["condition"]) == {
        f"more, stressor_rate={r}, buffering={b}"
        for r in ("0.02", "0.1")
        for b in ("true", "false")
    }
    assert (g["g"] > 2).all()
    assert "Arms: none (`none`), more (`more`)" in report.markdown.read_text()


def test_ratio_of_effect_sizes_in_the_report(tmp_path):
    data = tiny(
        arms=[{"name": "none"}, {"name": "weak"}, {"name": "strong"}],
        control={"arm": "none", "label": "no change"},
        ratios=[
            {
                "label": "strong / weak",
                "numerator": "strong",
                "denominator": "weak",
                "outcome": OUTCOMES[0],
            }
        ],
    )
    data.pop("design")
    shift = {"none": 0.0, "weak": 0.05, "strong": 0.1}
    # Arms share each replication's seed, so the noise is shared and the ratio is exactly 2.
    fake_results(tmp_path, data, lambda s: 0.2 + shift[s.arm])
    text = write_report(tmp_path).markdown.read_text()
    assert "### Ratios of effect sizes (each against no change)" in text
    r = pd.read_csv(tmp_path / "report" / "ratios.csv")
    assert r["ratio"].tolist() == ["strong / weak"] and r["units"].item() == 4
    assert r["value"].item() == pytest.approx(2.0)
    assert r["lo"].item() == pytest.approx(2.0) and r["hi"].item() == pytest.approx(2.0)
    again = tmp_path / "again"
    fake_results(again, data, lambda s: 0.2 + shift[s.arm] * (1 + (s.arm == "strong")))
    write_report(again)
    assert pd.read_csv(again / "report" / "ratios.csv")["value"].item() == pytest.approx(4.0)


def test_many_conditions_are_grouped_in_line_plots(tmp_path):
    from supportnet.experiments.report import _groups, _load

    data = tiny(replications=1)
    data.pop("control")
    data["design"] = {
        "vary": {"stressor_rate": [0.02, 0.05, 0.1], "capacity_mean": [0.2, 0.4, 0.6, 0.8]}
    }
    fake_results(tmp_path, data)
    assert _groups(_load(tmp_path)) == (
        ["arm", "stressor_rate"],
        "grouped by stressor_rate (other factors pooled)",
    )
    data["design"]["vary"]["stressor_rate"] = [0.01 * i for i in range(1, 10)]
    fake_results(tmp_path / "more", data)
    assert _groups(_load(tmp_path / "more")) == (["arm"], "all design points pooled")
    data["design"]["vary"] = {"stressor_rate": [0.02, 0.05]}
    fake_results(tmp_path / "few", data)
    assert _groups(_load(tmp_path / "few")) == (["arm", "point"], "")


@pytest.mark.parametrize("kind", ["sobol", "morris"])
def test_sensitivity_indices_find_the_driving_parameter(tmp_path, kind):
    data = tiny(replications=1)
    data.pop("control")
    data["design"] = {
        "kind": kind,
        "samples": 16 if kind == "sobol" else 10,
        "ranges": {
            "stressor_rate": [0.0, 0.2],
            "capacity_mean": [0.2, 0.9],
            "contact_inner": [1.0, 4.0],
        },
    }
    # The outcome depends strongly on stressor_rate, weakly on contact_inner, not on capacity.
    fake_results(
        tmp_path, data, lambda s: 5 * s.factors["stressor_rate"] + 0.01 * s.factors["contact_inner"]
    )
    report = write_report(tmp_path)
    assert "sensitivity.png" in [p.name for p in report.figures]
    t = pd.read_csv(tmp_path / "report" / "sensitivity.csv")
    t = t[t.outcome == OUTCOMES[0]].set_index("parameter")
    col = "ST" if kind == "sobol" else "mu_star"
    assert t[col].idxmax() == "stressor_rate"
    assert t.loc["stressor_rate", col] > 5 * t.loc["capacity_mean", col]
    text = report.markdown.read_text()
    assert ("Sobol indices" if kind == "sobol" else "Morris screening") in text
    assert "Outcomes across the design's runs" in text


def test_sensitivity_needs_every_point(tmp_path):
    data = tiny(replications=1)
    data.pop("control")
    data["design"] = {
        "kind": "morris",
        "samples": 4,
        "ranges": {"stressor_rate": [0.0, 0.2], "capacity_mean": [0.2, 0.9]},
    }
    fake_results(tmp_path, data, skip={"main-p003-r00"})
    text = write_report(tmp_path).markdown.read_text()
    assert "11 of 12 design points finished; the indices need every point" in text


def test_empty_folder_report_and_not_a_results_folder(tmp_path, capsys):
    from supportnet.experiments.cli import main

    fake_results(
        tmp_path / "empty", tiny(), skip={s.run_id for s in plan_runs(parse_config(tiny()))}
    )
    assert "No finished runs yet" in write_report(tmp_path / "empty").markdown.read_text()
    (tmp_path / "other").mkdir()
    assert main(["report", str(tmp_path / "other")]) == 2
    assert "not a results folder (no manifest.json)" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing")]) == 2


def test_person_level_g_pairs_runs_by_seed_and_uses_the_spread_between_people():
    from supportnet.experiments.report import person_level_g

    rng = np.random.default_rng(3)
    reps = range(8)
    # Each seed's town differs (run means move together); people spread with sd 0.2.
    town = rng.normal(0.3, 0.05, 8)
    control = pd.DataFrame({
        "replication": list(reps), "person_mean_depression": town,
        "person_sd_depression": 0.2, "person_n": 300.0,
    })  # fmt: skip
    treated = control.assign(person_mean_depression=town - 0.07)  # a 0.35 SD improvement
    g, lo, hi, n = person_level_g(treated, control, "mean_depression")
    j = 1 - 3 / (4 * 600 - 9)
    assert n == 8 and g == pytest.approx(-0.35 * j) and lo <= g <= hi
    # No person-level value for this outcome, or old results without the columns: n/a.
    assert np.isnan(person_level_g(treated, control, "burnt_out_givers")[0])
    assert np.isnan(person_level_g(treated[["replication"]], control, "mean_depression")[0])


def test_report_labels_between_run_g_and_says_how_to_check_the_facts(tmp_path):
    data = copy.deepcopy(TINY)
    fake_results(tmp_path, data, effect=lambda s: 0.3 + 0.1 * (s.factors["stressor_rate"] > 0.05))
    md = write_report(tmp_path).markdown.read_text()
    assert "Between-run Hedges' g [95% CI]" in md and "Person-level Hedges' g" in md
    assert "## Checked against the stylised facts?" in md
    assert "`supportnet facts --set n_people=40" in md


def test_report_of_a_facts_folder_points_to_its_own_report(tmp_path):
    import json

    from supportnet.experiments.config import ConfigError

    (tmp_path / "manifest.json").write_text(json.dumps({"config": {"kind": "facts"}}))
    with pytest.raises(ConfigError, match="holds a stylised facts battery"):
        write_report(tmp_path)


def test_a_legend_of_long_condition_labels_fits_the_figure():
    # The demo's trajectories figure: six conditions with long labels (arm and willingness) in a
    # legend below the axes; with four columns it ran past both edges of the figure.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from supportnet.experiments.report import _grid_axes, _legend_ncols

    labels = [
        f"{arm} life events (0.0{r} a week), help_seeking_mean=0.{w}"
        for arm, r in (("fewer", 3), ("more", 8))
        for w in (3, 6, 9)
    ]
    fig, axes = _grid_axes(6)
    for label in labels:
        axes[0].plot([0, 1], [0, 1], label=label)
    ncols = _legend_ncols(labels, fig.get_figwidth())
    legend = fig.legend(loc="outside lower center", ncols=ncols, fontsize="small")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = legend.get_window_extent(canvas.get_renderer())
    assert 1 <= ncols < 4
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width
    # Short labels keep four columns.
    assert _legend_ncols(["a=1", "a=2", "a=3", "a=4", "a=5"], fig.get_figwidth()) == 4
