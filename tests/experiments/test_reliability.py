"""Failures a hostile week of use found (issue 15), each reproduced: a worker killed mid-sweep,
SIGTERM during a sweep, damaged run files, two sweeps into one folder, a full or read-only disk,
and a session that fails before running anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from supportnet.experiments.config import parse_config
from supportnet.experiments.store import FolderBusy, ResultStore
from tests.experiments.test_sweep import assert_same_results, sweep

ROOT = Path(__file__).resolve().parents[2]
SUPPORTNET = [sys.executable, "-m", "supportnet.experiments.cli"]

#: Runs slow enough (about a second each) that a kill lands while a worker is busy.
SLOW = """\
name = "slow"
seed = 5
steps = 80
replications = 3

[base]
n_people = 150
convoy_inner = 3
convoy_sympathy = 8
convoy_wider = 20
n_groups = 4
clustering_sample = 40

[design.vary]
stressor_rate = [0.02, 0.1]

[output]
outcome_window = 4
"""


def children(pid: int) -> list[int]:
    """Process ids of the direct children of ``pid`` (Linux)."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(x) for x in text]
    return out


def start_sweep(cfg: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*SUPPORTNET, "sweep", str(cfg), "--out", str(out), "--no-progress", *extra],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_runs(out: Path, proc: subprocess.Popen, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((out / "runs").glob("*.parquet"))) >= n:
            return
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep ended before it could be disturbed"


@pytest.fixture
def slow_cfg(tmp_path) -> Path:
    cfg = tmp_path / "slow.toml"
    cfg.write_text(SLOW)
    return cfg


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for the worker processes")
def test_a_killed_worker_is_recorded_and_the_sweep_finishes_then_resumes_identically(
    slow_cfg, tmp_path
):
    """Failure 1: a 2-worker sweep whose worker is SIGKILLed (as by the OOM killer) used to hang
    forever. Now it finishes within a minute, the killed run is recorded as failed with the
    cause, and the same command redoes it: results identical to an uninterrupted sweep."""
    out = tmp_path / "killed"
    proc = start_sweep(slow_cfg, out, "--workers", "2")
    try:
        wait_for_runs(out, proc, 1)
        victim = children(proc.pid)[0]
        os.kill(victim, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 1, stderr
    assert "1 runs failed" in stderr
    (failure,) = [json.loads(p.read_text()) for p in (out / "failures").glob("*.json")]
    assert failure["error"].startswith(
        "WorkerDied: worker killed (signal 9, SIGKILL): out of memory?"
    )
    assert f"worker {victim}" in failure["error"]
    assert "5 of 6 finished" in stdout

    resumed = subprocess.run(
        [*SUPPORTNET, "sweep", str(slow_cfg), "--out", str(out), "--no-progress", "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "5 of 6 runs already finished, 1 to run" in resumed.stdout
    assert not list((out / "failures").glob("*.json"))
    reference = tmp_path / "reference"
    sweep(parse_config(__import__("tomllib").loads(SLOW)), reference, workers=1)
    assert_same_results(out, reference)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for the worker processes")
def test_sigterm_ends_a_local_sweep_and_its_workers(slow_cfg, tmp_path):
    """Failure 1: SIGTERM to the sweep ends it (and its workers) within seconds, resumable."""
    out = tmp_path / "term"
    proc = start_sweep(slow_cfg, out, "--workers", "2")
    try:
        wait_for_runs(out, proc, 1)
        workers = children(proc.pid)
        assert workers
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and "interrupted" in stderr
    time.sleep(0.5)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "workers were left running"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][-1]["interrupted"] is True


def _damage_value(path: Path) -> None:
    """Change one value of a run file, keeping its metadata (silent damage, as bit rot)."""
    table = pq.read_table(path)
    col = table.column("mean_stress").to_pylist()
    col[3] += 0.125
    i = table.column_names.index("mean_stress")
    table = table.set_column(i, "mean_stress", pa.array(col, pa.float64()))
    pq.write_table(table, path)


def _damage_bytes(path: Path) -> None:
    """Overwrite bytes in the middle of the file."""
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_damage_value, _damage_bytes])
def test_a_damaged_run_file_is_detected_and_recomputed(tiny, tmp_path, damage, capsys):
    """Failure 4: a run file damaged after the sweep used to count as finished ("8 of 8") and
    crash the report. Now the report refuses it with one line and the sweep recomputes it."""
    from supportnet.experiments.cli import main

    reference = tmp_path / "ref"
    sweep(tiny, reference, workers=1)
    out = tmp_path / "damaged"
    sweep(tiny, out, workers=1)
    damage(out / "runs" / "main-p001-r00.parquet")

    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "main-p001-r00" in err and "damaged" in err

    outcome = sweep(tiny, out, workers=1, echo=print)
    assert "1 run files are damaged" in capsys.readouterr().out
    assert outcome.finished == 1 and outcome.complete
    assert_same_results(out, reference)
    assert main(["report", str(out)]) == 0


def test_a_second_sweep_into_a_locked_folder_is_refused_naming_the_first(tiny, tmp_path):
    """Failure 8: two sweeps into one folder each recomputed runs and lost a session record."""
    out = tmp_path / "locked"
    first = ResultStore(out)
    with first.lock(["supportnet", "sweep", "first.toml"]):
        with pytest.raises(FolderBusy, match=rf"process {os.getpid()} \(`supportnet sweep first"):
            sweep(tiny, out, workers=1)
        assert not (out / "manifest.json").exists()
    outcome = sweep(tiny, out, workers=1)  # released: the sweep runs
    assert outcome.complete


def test_a_concurrent_cli_sweep_is_refused_naming_the_first(slow_cfg, tmp_path):
    out = tmp_path / "two"
    slow_cfg.write_text(SLOW.replace("replications = 3", "replications = 30"))
    proc = start_sweep(slow_cfg, out, "--workers", "1")
    try:
        wait_for_runs(out, proc, 1)
        second = subprocess.run(
            [*SUPPORTNET, "sweep", str(slow_cfg), "--out", str(out), "--no-progress"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.poll() is None, "the first sweep ended before the second started"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=60)
    assert second.returncode == 2
    assert f"another sweep is writing this results folder: process {proc.pid}" in second.stderr
    assert second.stderr.count("\n") == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["sessions"]) == 1 and "ended" in manifest["sessions"][0]


def test_a_session_that_fails_before_running_keeps_the_summary(tiny, tmp_path, monkeypatch):
    """Failure 6: after a failure a sweep once replaced a good summary with an empty one: run
    files it could not read (an I/O error, not damage) counted as not finished, and the session
    then failed (here: an unreachable cluster) and wrote what it had, nothing."""
    import errno

    from supportnet.experiments import store as store_mod

    out = tmp_path / "keep"
    sweep(tiny, out, workers=1)
    before = (out / "summary.parquet").read_bytes()

    def eio(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error", str(args[0]))

    monkeypatch.setattr(store_mod.pq, "read_schema", eio)
    monkeypatch.setattr(store_mod.pq, "read_table", eio)
    with pytest.raises(Exception):  # noqa: B017 - which error says it is not the point here
        sweep(tiny, out, scheduler="tcp://127.0.0.1:9")
    monkeypatch.undo()
    assert (out / "summary.parquet").read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_results_folder_is_one_line(tiny_file, tmp_path, capsys):
    from supportnet.experiments.cli import main

    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert main(["sweep", str(tiny_file), "--out", str(out), "--no-progress"]) == 2
    finally:
        out.chmod(0o700)
    assert capsys.readouterr().err.count("\n") == 1


def test_a_full_disk_is_one_line_and_keeps_finished_runs(tiny_file, tmp_path, capsys, monkeypatch):
    """Failure 6: a full disk gave a double traceback. Simulated: the third run write fails."""
    import errno

    from supportnet.experiments import store as store_mod
    from supportnet.experiments.cli import main

    real = store_mod.ResultStore.write_run
    calls = []

    def full(self, result):
        calls.append(result.run_id)
        if len(calls) >= 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.runs_dir / "x.tmp"))
        return real(self, result)

    monkeypatch.setattr(store_mod.ResultStore, "write_run", full)
    real_summary = store_mod.ResultStore.write_summary

    def full_summary(self, rows):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.summary_path))

    monkeypatch.setattr(store_mod.ResultStore, "write_summary", full_summary)
    out = tmp_path / "full"
    code = main(["sweep", str(tiny_file), "--out", str(out), "--workers", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert "No space left on device" in err and "run the same command again" in err
    assert len(list((out / "runs").glob("*.parquet"))) == 2
    monkeypatch.setattr(store_mod.ResultStore, "write_summary", real_summary)
    monkeypatch.setattr(store_mod.ResultStore, "write_run", real)
    assert (
        main(["sweep", str(tiny_file), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    )
    assert "2 of 8 runs already finished, 6 to run" in capsys.readouterr().out


def test_a_report_that_fails_midway_leaves_the_old_report_whole(tiny, tmp_path, monkeypatch):
    """Failure 7: a report killed mid-way had already deleted the old figures, so report.md
    pointed at missing files. Now the old report stays whole until the new one is swapped in."""
    import re

    from supportnet.experiments import report as report_mod

    out = tmp_path / "rep"
    sweep(tiny, out, workers=1)
    first = report_mod.write_report(out)
    assert first.figures and all(p.exists() for p in first.figures)
    old_text = first.markdown.read_text()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as a Ctrl-C or kill arriving in the middle of the report

    monkeypatch.setattr(report_mod, "_buffering", killed)
    with pytest.raises(KeyboardInterrupt):
        report_mod.write_report(out)
    assert first.markdown.read_text() == old_text
    linked = re.findall(r"\]\(([^)]+\.png)\)", old_text)
    assert linked and all((out / "report" / name).exists() for name in linked)
    assert not list(out.glob(".report-*"))
    monkeypatch.undo()
    second = report_mod.write_report(out)
    assert [p.name for p in second.figures] == [p.name for p in first.figures]
    assert all(p.exists() for p in second.figures)
