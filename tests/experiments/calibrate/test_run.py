"""A calibration is reproducible: the same posterior after a SIGKILL and resume, with local
workers or on a Dask cluster, and from the command line; it writes its report and preset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from supportnet.experiments.calibrate import load_calibration, run_calibration
from supportnet.experiments.calibrate.driver import load_generations

from .conftest import TINY_CAL

ROOT = Path(__file__).resolve().parents[3]
SUPPORTNET = [sys.executable, "-m", "supportnet.experiments.cli"]


def posterior(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "posterior.parquet")


def assert_same_posterior(a: Path, b: Path) -> None:
    pa, pb = posterior(a), posterior(b)
    pd.testing.assert_frame_equal(pa, pb, check_exact=True)
    ga, gb = load_generations(a), load_generations(b)
    assert [g.meta["epsilon"] for g in ga] == [g.meta["epsilon"] for g in gb]
    assert [g.meta["proposals"] for g in ga] == [g.meta["proposals"] for g in gb]
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "predictive.parquet"), pd.read_parquet(b / "predictive.parquet")
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny calibration, uninterrupted, in this process."""
    folder = tmp_path_factory.mktemp("cal") / "reference"
    path = folder.parent / "tinycal.toml"
    path.write_text(TINY_CAL)
    outcome = run_calibration(load_calibration(path), folder, workers=1, echo=None)
    return folder, outcome


def test_the_reference_run_writes_posterior_report_and_predictive_check(reference):
    folder, outcome = reference
    assert len(outcome.generations) == 3
    eps = [g.meta["epsilon"] for g in outcome.generations]
    assert eps[0] is None and eps[1] >= eps[2]  # thresholds only tighten
    post = posterior(folder)
    assert len(post) == 4 and abs(post["weight"].sum() - 1) < 1e-12
    assert post["distance"].max() <= eps[2]
    assert post["contact_inner"].between(0.5, 5.0).all()
    for name in ("report.md", "marginals.png", "pairs.png", "predictive.png", "summary.json"):
        assert (folder / "report" / name).is_file(), name
    text = (folder / "report" / "report.md").read_text()
    assert "| caregiver | held out |" in text and "| prevalence | fitted |" in text
    assert len(pd.read_parquet(folder / "predictive.parquet")) == 2


@pytest.fixture
def pools(monkeypatch):
    """Every local worker pool started meanwhile (the class ProcessExecutor starts, counting)."""
    from supportnet.experiments import executors

    started = []

    class CountedPool(executors.WorkerPool):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)
            self.processes = [w.proc for w in self.workers]

    monkeypatch.setattr(executors, "WorkerPool", CountedPool)
    return started


def test_local_workers_give_the_same_posterior_from_one_pool(
    reference, tiny_cal_file, tmp_path, pools
):
    """The reference's 14 batches run on one pool of workers, started once and closed at the end.

    Each batch's runs finish out of order; the later generations' proposals, weights and
    acceptance depend on the earlier distances; the predictive draws run on the workers too.
    """
    out = tmp_path / "two"
    config = load_calibration(tiny_cal_file)
    outcome = run_calibration(config, out, workers=2, echo=None, report=False)
    batches = sum(-(-g.meta["proposals"] // config.abc.batch) for g in outcome.generations) + 1
    assert batches == 14  # the generations' batches and the predictive draws
    assert len(pools) == 1
    assert pools[0].workers == [] and not any(p.is_alive() for p in pools[0].processes)
    assert_same_posterior(reference[0], out)


def test_an_interrupted_calibration_stops_its_workers(tiny_cal_file, tmp_path, pools):
    """Ctrl-C after the first batch: the pool is closed on the way out, its workers stopped."""

    def interrupt(line):
        if line.startswith("generation"):  # a batch is done
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_calibration(
            load_calibration(tiny_cal_file), tmp_path / "cal", workers=2, echo=interrupt,
            report=False,
        )  # fmt: skip
    assert len(pools) == 1
    assert pools[0].workers == [] and not any(p.is_alive() for p in pools[0].processes)


def test_a_dask_cluster_gives_the_same_posterior(reference, tiny_cal_file, tmp_path):
    """Scheduler and workers are started here, as separate processes, like a real cluster."""
    port = 8700 + os.getpid() % 200
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                ":0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )  # fmt: skip
    ]
    try:
        address = f"tcp://127.0.0.1:{port}"
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                    cwd=ROOT,
                )  # fmt: skip
            )
        from dask.distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        out = tmp_path / "dask"
        done = subprocess.run(
            [*SUPPORTNET, "calibrate", str(tiny_cal_file), "--out", str(out), "--scheduler",
             address],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"on Dask cluster at {address}" in done.stdout
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    assert_same_posterior(reference[0], out)


def test_a_local_dask_cluster_gives_the_same_posterior(
    reference, tiny_cal_file, tmp_path, monkeypatch
):
    """One cluster and one client for the whole calibration, closed at the end."""
    from supportnet.experiments import executors

    opened = []
    enter = executors.DaskExecutor.__enter__

    def counted_enter(self):
        opened.append(self)
        return enter(self)

    monkeypatch.setattr(executors.DaskExecutor, "__enter__", counted_enter)
    out = tmp_path / "dask-local"
    run_calibration(load_calibration(tiny_cal_file), out, dask_local=2, echo=None)
    assert len(opened) == 1  # not a client per batch (14 batches)
    assert opened[0]._client is None and opened[0]._cluster is None  # closed
    assert_same_posterior(reference[0], out)


@pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL of a process group")
def test_killed_mid_generation_it_resumes_to_the_same_posterior(reference, tiny_cal_file, tmp_path):
    out = tmp_path / "killed"
    command = [*SUPPORTNET, "calibrate", str(tiny_cal_file), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(
        command, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        # Kill once generation 0 is complete and generation 1 has finished some runs.
        while time.monotonic() < deadline and proc.poll() is None:
            if list((out / "runs" / "runs").glob("g01-*.parquet")):
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the calibration ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(load_generations(out)) == 1  # killed in the middle of generation 1
    assert not (out / "posterior.parquet").exists()
    kept = len(list((out / "runs" / "runs").glob("g01-*.parquet")))
    assert kept >= 1
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Resuming" in done.stdout and "1 generation(s) finished" in done.stdout
    assert_same_posterior(reference[0], out)


def test_apply_writes_the_calibrated_preset_with_provenance(reference, tmp_path, monkeypatch):
    from supportnet import params as params_module
    from supportnet.experiments.calibrate.apply import apply_preset

    folder, outcome = reference
    config = load_calibration(folder.parent / "tinycal.toml")
    path = apply_preset(config, outcome, folder=tmp_path)
    data = tomllib.loads(path.read_text())
    assert path.name == "calibrated.toml"
    assert set(data["values"]) == {"contact_inner", "depression_recovery"}
    prov = data["provenance"]
    assert prov["config_hash"] == config.hash() and prov["statistic"] == "posterior median"
    assert prov["date"].startswith("20") and "commit" in prov
    # The model reads presets stored as files, and the values make a valid model.
    (stored,) = params_module._stored_presets(tmp_path)
    assert stored.name == "calibrated" and stored.provenance["config_hash"] == config.hash()
    p = stored.params()
    median = outcome.posterior.particles["contact_inner"].median()
    assert 0.5 <= p.contact_inner <= 5.0 and median > 0


def test_a_folder_of_another_calibration_is_refused(reference, tiny_cal_file, tmp_path, capsys):
    from supportnet.experiments.cli import main

    other = tmp_path / "other.toml"
    other.write_text(tiny_cal_file.read_text().replace("seed = 17", "seed = 18"))
    assert main(["calibrate", str(other), "--out", str(reference[0])]) == 2
    err = capsys.readouterr().err
    assert "holds another calibration" in err and "--force" in err
    assert "differ in seed (17 in the folder, 18 in this config)." in err
