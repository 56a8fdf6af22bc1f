"""Sweeps: identical results on every executor and worker count, failures recorded, crash-safe
resume (SIGKILL mid-way, then the same command), changed configs refused, the Python API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from supportnet.experiments.api import load_results, run_experiment
from supportnet.experiments.config import ConfigError, parse_config
from supportnet.experiments.plan import plan_runs
from supportnet.experiments.store import ResultStore
from supportnet.experiments.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[2]
SUPPORTNET = [sys.executable, "-m", "supportnet.experiments.cli"]


def sweep(config, out, **kw):
    kw.setdefault("progress", False)
    kw.setdefault("echo", None)
    return run_sweep(parse_config(config) if isinstance(config, dict) else config, out, **kw)


def tables(folder) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The summary and every run's per-step table of a results folder."""
    store = ResultStore(folder)
    runs = {p.stem: pd.read_parquet(p) for p in sorted(store.runs_dir.glob("*.parquet"))}
    return pd.read_parquet(store.summary_path), runs


def assert_same_results(a, b):
    sa, ra = tables(a)
    sb, rb = tables(b)
    pd.testing.assert_frame_equal(sa, sb, check_exact=True)
    assert ra.keys() == rb.keys()
    for k in ra:
        pd.testing.assert_frame_equal(ra[k], rb[k], check_exact=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny sweep run in this process (workers=1): the result every executor must match."""
    from tests.experiments.conftest import TINY

    out = tmp_path_factory.mktemp("ref") / "tiny"
    outcome = sweep(TINY, out, workers=1)
    assert outcome.finished == 8 and outcome.complete
    return out


def test_results_layout_and_summary(reference):
    store = ResultStore(reference)
    manifest = json.loads(store.manifest_path.read_text())
    assert manifest["experiment"] == "tiny" and manifest["seed"] == 11
    assert manifest["runs_planned"] == 8 and len(manifest["config_hash"]) == 16
    assert manifest["provenance"]["versions"]["mesa"] == "3.5.1"
    assert {"commit", "dirty"} <= set(manifest["provenance"]["git"])
    assert manifest["sessions"][0]["executor"] == "this process"
    assert manifest["config"]["base"]["n_people"] == 40
    summary, runs = tables(reference)
    assert len(summary) == 8 and summary["run_id"].is_unique
    for col in [
        "run_id",
        "arm",
        "point",
        "replication",
        "seed",
        "stressor_rate",
        "buffering",
        "mean_depression",
        "buffering_interaction",
        "buffering_ci_low",
        "loneliness_r_d1",
        "loneliness_r_d2",
    ]:
        assert col in summary.columns
    run = runs["main-p000-r00"]
    assert list(run["step"]) == list(range(13)) and "mean_depression" in run
    # The summary's outcome is the mean over the last outcome_window (4) steps of the run.
    first = summary.set_index("run_id").loc["main-p000-r00"]
    assert first["mean_depression"] == pytest.approx(run["mean_depression"].iloc[-4:].mean())
    assert not list(reference.glob("**/.*.tmp"))


def test_seed_in_summary_reproduces_the_run_directly(reference):
    from supportnet import SupportModel

    summary, runs = tables(reference)
    row = summary.iloc[3]
    spec = {
        s.run_id: s
        for s in plan_runs(
            parse_config(__import__("tests.experiments.conftest", fromlist=["TINY"]).TINY)
        )
    }[row["run_id"]]
    model = SupportModel(rng=int(row["seed"]), **spec.params)
    model.run_for(12)
    direct = model.dataframe()["mean_depression"].to_numpy()
    assert (direct == runs[row["run_id"]]["mean_depression"].to_numpy()).all()


def test_two_local_workers_give_identical_results(reference, tiny, tmp_path):
    outcome = sweep(tiny, tmp_path / "w2", workers=2)
    assert outcome.executor.startswith("2 local processes (") and outcome.finished == 8
    assert_same_results(reference, tmp_path / "w2")
    # Worker processes ran most runs; this process at most one in three (the warm start, only
    # when the workers are not forked from it).
    store = ResultStore(tmp_path / "w2")
    where = [store.stored_meta(f"main-p00{p}-r0{r}")["worker"] for p in range(4) for r in range(2)]
    mine = {w for w in where if w.endswith(f":{os.getpid()}")}
    assert sum(w in mine for w in where) <= 8 // 3 and set(where) - mine


def test_cli_two_workers_forked_from_a_fresh_process_give_identical_results(
    reference, tiny_file, tmp_path
):
    # The command line has one thread when it starts its workers, so on Linux it forks them.
    out = tmp_path / "cli2"
    done = subprocess.run(
        [
            *SUPPORTNET,
            "sweep",
            str(tiny_file),
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    method = "fork" if sys.platform == "linux" else "forkserver"
    assert f"on 2 local processes ({method})" in done.stdout
    assert_same_results(reference, out)


def test_dask_local_cluster_gives_identical_results(reference, tiny, tmp_path):
    outcome = sweep(tiny, tmp_path / "dask", dask_local=2)
    assert outcome.executor.startswith("local Dask cluster (2 workers)")
    assert outcome.finished == 8
    assert_same_results(reference, tmp_path / "dask")


def test_existing_dask_scheduler_via_cli_gives_identical_results(
    reference, tiny_file, tmp_path, monkeypatch, capsys
):
    from dask.distributed import LocalCluster

    from supportnet.experiments import runner
    from supportnet.experiments.cli import main

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        out = tmp_path / "sched"
        command = [
            "sweep",
            str(tiny_file),
            "--out",
            str(out),
            "--scheduler",
            address,
            "--no-progress",
        ]
        # A worker running other model code is refused before anything runs.
        monkeypatch.setattr(runner, "MODEL_CODE", "something-else")
        assert main(command) == 2
        assert "runs another version of the model" in capsys.readouterr().err
        monkeypatch.undo()
        assert main([*command, "--force"]) == 0
        assert f"on Dask cluster at {address}, 1 workers" in capsys.readouterr().out
    assert_same_results(reference, out)


def test_runs_made_with_other_model_code_are_not_mixed_in(tiny, tmp_path, monkeypatch):
    """As if the model were edited while the sweep runs: the workers' results carry another
    model-code digest than this process, so they are recorded as failures, not as results."""
    from supportnet.experiments import runner
    from supportnet.experiments.executors import ProcessExecutor

    # Forked workers share this process's loaded code; a fork server loads it from disk.
    monkeypatch.setattr(ProcessExecutor, "start_method", "forkserver")
    monkeypatch.setattr(runner, "MODEL_CODE", "edited-since")
    outcome = sweep(tiny, tmp_path / "code", workers=2)
    assert outcome.failed and outcome.finished + len(outcome.failed) == 8
    failure = json.loads((tmp_path / "code" / "failures" / f"{outcome.failed[0]}.json").read_text())
    assert failure["error"].startswith("ModelCodeChanged: this run was made with other model code")
    monkeypatch.undo()
    outcome = sweep(tiny, tmp_path / "code", workers=1)
    assert outcome.complete and not list((tmp_path / "code" / "failures").glob("*.json"))


def test_a_raising_run_is_recorded_and_the_others_finish(tiny_file, tmp_path, capsys, monkeypatch):
    import networkx as nx

    from supportnet.experiments import runner
    from supportnet.experiments.cli import main
    from supportnet.generators import NetworkFileError

    good = tmp_path / "good.edgelist"
    good.write_text("".join(f"{i} {(i + 1) % 12}\n{i} {(i + 3) % 12}\n" for i in range(12)))
    bad = tmp_path / "bad.graphml"  # valid (validation reads it), but its runs raise
    nx.write_graphml(nx.cycle_graph(12), bad)
    real_build = runner.build_model

    def failing_build(spec):
        if spec.params.get("network_file", "").endswith("bad.graphml"):
            raise NetworkFileError(f"network file '{bad}' cannot be read as graphml: damaged")
        return real_build(spec)

    # In this process (--workers 1): the replaced function is what runs.
    monkeypatch.setattr(runner, "build_model", failing_build)
    cfg = tmp_path / "files.toml"
    cfg.write_text(
        'name = "files"\nseed = 3\nsteps = 12\nreplications = 2\n'
        '[base]\nnetwork = "file"\nnetwork_file = "good.edgelist"\nn_groups = 2\n'
        '[design.vary]\nnetwork_file = ["good.edgelist", "bad.graphml"]\n'
        "stressor_rate = [0.02, 0.1]\n"
    )
    out = tmp_path / "fail"
    assert main(["sweep", str(cfg), "--out", str(out), "--workers", "1", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "4 runs failed (error and traceback in" in err and "main-p002-r00" in err
    res = load_results(out)
    assert len(res.summary) == 4 and set(res.summary["point"]) == {0, 1}
    assert sorted(res.failures["run_id"]) == [
        "main-p002-r00",
        "main-p002-r01",
        "main-p003-r00",
        "main-p003-r01",
    ]
    failure = json.loads((out / "failures" / "main-p002-r00.json").read_text())
    assert failure["error"].startswith("NetworkFileError: ")
    assert "Traceback (most recent call last)" in failure["traceback"]
    assert failure["factors"]["network_file"] == str(bad.resolve()) and failure["seed"] >= 0
    # The report lists them.
    from supportnet.experiments.report import write_report

    text = write_report(out).markdown.read_text()
    assert "## Failed runs (4)" in text and "NetworkFileError" in text
    # Once the file is fixed, the same command runs only the failed runs, and the failures go.
    monkeypatch.undo()
    before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert main(["sweep", str(cfg), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    assert "4 of 8 runs already finished, 4 to run" in capsys.readouterr().out
    assert not list((out / "failures").glob("*.json"))
    assert {
        p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet") if p.name in before
    } == before
    assert len(load_results(out).summary) == 8
    # Files appear by name in the report (full paths made the figures' labels too long to draw).
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "constrained_layout not applied"
        text = write_report(out).markdown.read_text()
    assert "network_file=bad.graphml" in text and str(tmp_path) not in text.split("## Outcomes")[1]


def test_sigkill_then_same_command_resumes_identically(reference, tiny_file, tmp_path):
    """Kill the whole sweep (coordinator and workers) mid-way; the same command finishes it,
    recomputes no finished run, and ends identical to the uninterrupted reference."""
    text = tiny_file.read_text().replace("n_people = 40", "n_people = 40\nclustering_sample = 40")
    # Slower runs (more steps) so the kill lands mid-way; outcome identical settings otherwise.
    text = text.replace("steps = 12", "steps = 60").replace("replications = 2", "replications = 3")
    cfg = tmp_path / "slow.toml"
    cfg.write_text(text)
    out = tmp_path / "killed"
    cmd = [*SUPPORTNET, "sweep", str(cfg), "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2"],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    runs_dir = out / "runs"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if runs_dir.is_dir() and len(list(runs_dir.glob("*.parquet"))) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in runs_dir.glob("*.parquet")
    }
    assert 3 <= len(done_before) < 12
    assert not (out / "summary.parquet").exists()  # killed before the end of the session

    resumed = subprocess.run(
        [*cmd, "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert (
        f"{len(done_before)} of 12 runs already finished, {12 - len(done_before)} to run"
        in resumed.stdout
    )
    for name, stat in done_before.items():  # finished runs were not recomputed or rewritten
        p = runs_dir / name
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == stat
    assert not list(out.glob("**/.*.tmp"))

    uninterrupted = tmp_path / "uninterrupted"
    sweep(parse_config(__import__("tomllib").loads(text)), uninterrupted, workers=1)
    assert_same_results(out, uninterrupted)
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["sessions"]) == 2 and manifest["sessions"][1]["finished"] == 12 - len(
        done_before
    )


def test_changed_config_is_refused_unless_forced(reference, tiny, tmp_path):
    out = tmp_path / "f"
    sweep(tiny, out, workers=1)
    stats = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    tiny["replications"] = 3
    with pytest.raises(ConfigError, match=r"holds results of a different config .* --force") as err:
        sweep(tiny, out, workers=1)
    assert "differ in replications (2 in the folder, 3 in this config)." in str(err.value)
    outcome = sweep(tiny, out, workers=1, force=True)
    # The first two replications did not change: kept, not rerun; the third is new.
    assert outcome.skipped == 8 and outcome.finished == 4
    for name, mtime in stats.items():
        assert (out / "runs" / name).stat().st_mtime_ns == mtime
    tiny["steps"] = 10
    tiny["output"]["outcome_window"] = 2
    outcome = sweep(tiny, out, workers=1, force=True)
    assert outcome.skipped == 0 and outcome.finished == 12
    assert len(list((out / "runs").glob("*.parquet"))) == 12


def test_a_folder_that_is_not_a_results_folder_is_refused(tiny, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not a SupportNet results folder"):
        sweep(tiny, tmp_path / "mine", workers=1)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_python_api_returns_summary_and_steps(tiny, tmp_path):
    tiny["output"]["persons_every"] = 6
    tiny["output"]["measures"] = ["mean_depression", "mean_loneliness"]
    tiny["output"]["every"] = 5
    res = run_experiment(tiny, tmp_path / "api", workers=1, progress=False, quiet=True)
    assert len(res.summary) == 8 and res.outcome.finished == 8
    steps = res.steps
    assert list(steps.columns) == [
        "run_id",
        "arm",
        "point",
        "replication",
        "stressor_rate",
        "buffering",
        "step",
        "mean_depression",
        "mean_loneliness",
    ]
    assert sorted(set(steps["step"])) == [0, 5, 10, 12]  # every 5th step, and the last
    persons = res.persons
    assert sorted(set(persons["step"])) == [0, 6, 12] and persons["person"].max() == 39
    assert {"stress", "depression", "degree"} <= set(persons.columns)
    again = load_results(tmp_path / "api")
    pd.testing.assert_frame_equal(again.summary, res.summary)
    # Running it again resumes: nothing to do.
    assert (
        run_experiment(
            tiny, tmp_path / "api", workers=1, progress=False, quiet=True
        ).outcome.finished
        == 0
    )


def test_dry_run_lists_runs_and_runs_nothing(tiny_file, tmp_path, capsys):
    from supportnet.experiments.cli import main

    out = tmp_path / "dry"
    assert main(["sweep", str(tiny_file), "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "main-p000-r00" in text and "main-p003-r01" in text
    assert "8 runs into" in text and "nothing was run" in text
    assert not out.exists()


def test_cli_sweep_refuses_conflicting_options(tiny_file, capsys):
    from supportnet.experiments.cli import main

    assert main(["sweep", str(tiny_file), "--scheduler", "tcp://x:1", "--dask-local", "2"]) == 2
    assert "alternatives" in capsys.readouterr().err
    assert main(["sweep", str(tiny_file), "--dask-local", "2", "--workers", "2"]) == 2
    assert "--workers is for local processes" in capsys.readouterr().err


def test_unreachable_scheduler_is_a_clear_error():
    from supportnet.experiments.executors import DaskExecutor, ExecutorError

    executor = DaskExecutor("tcp://127.0.0.1:9", timeout=1)
    with pytest.raises(ExecutorError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        executor.__enter__()


def test_interventions_arm_and_control(tmp_path, tiny):
    tiny.pop("control")
    tiny["interventions"] = [
        {"kind": "peer_groups", "start": 2, "budget": 16, "targeting": "most_lonely"}
    ]
    tiny["design"] = {"vary": {"peer_groups.budget": [0, 16]}}
    tiny["control"] = {"label": "no intervention"}
    tiny["replications"] = 2
    res = run_experiment(tiny, tmp_path / "iv", workers=1, progress=False, quiet=True)
    s = res.summary.set_index("run_id")
    assert len(s) == 8 and set(s["arm"]) == {"main", "control"}
    # Same seeds in both arms; a zero budget does nothing, so it equals the control exactly.
    for rep in (0, 1):
        treated, control = s.loc[f"main-p000-r0{rep}"], s.loc[f"control-p000-r0{rep}"]
        assert treated["seed"] == control["seed"]
        assert treated["mean_depression"] == control["mean_depression"]
        active = s.loc[f"main-p001-r0{rep}"]
        assert active["mean_loneliness"] != s.loc[f"control-p001-r0{rep}"]["mean_loneliness"]


def test_shipped_interventions_experiment_reports_the_professional_ratio(tmp_path):
    import tomllib

    from supportnet.experiments.config import CONFIG_DIR
    from supportnet.experiments.report import write_report
    from tests.experiments.conftest import TINY

    data = tomllib.loads((CONFIG_DIR / "interventions.toml").read_text())
    # The shipped design, shrunk: a small town, a short run, three replications.
    data.update(steps=20, replications=3, base=dict(TINY["base"], n_people=60))
    # The burn-in shrinks with the run: the interventions start when it ends, as shipped.
    data["output"].update(outcome_window=10, burn_in=5)
    for arm in data["arms"]:
        for iv in arm.get("interventions", []):
            iv.update(start=5, duration=15)
    run_experiment(data, tmp_path / "iv", workers=2, progress=False, quiet=True)
    text = write_report(tmp_path / "iv").markdown.read_text()
    assert "### Ratios of effect sizes (each against no intervention)" in text
    assert "| professional help, personalised / generic | mean_depression |" in text
    ratio = pd.read_csv(tmp_path / "iv" / "report" / "ratios.csv").iloc[0]
    g = pd.read_csv(tmp_path / "iv" / "report" / "effect_sizes.csv")
    g = g[g.outcome == "mean_depression"].set_index("condition")["g"]
    assert ratio["g_numerator"] == pytest.approx(g["professional help, personalised"])
    assert ratio["g_denominator"] == pytest.approx(g["professional help, generic"])
    assert ratio["value"] == pytest.approx(ratio["g_numerator"] / ratio["g_denominator"])
    assert ratio["units"] == 3
