"""`supportnet facts`: the quick battery end to end (plumbing, not verdicts), resuming, errors.

The quick battery runs the real model (fewer seeds, shorter runs) on 2 workers, as a user would.
Whether the facts pass is not asserted here: that is what the battery measures.
"""

import fcntl
import json
import shutil

import pytest

from supportnet.experiments.cli import main
from supportnet.experiments.facts import load_battery

VERDICTS = {"pass", "fail", "not measurable"}


@pytest.fixture(scope="session")
def quick(tmp_path_factory, worker_id):
    """The quick battery, run once for the whole test session, whatever the xdist workers.

    It is over a minute of CPU. Under ``pytest -n 2`` the workers share the parent of their
    temporary folders: the first to get here runs it there under a lock, the other waits and
    reads it (the tests copy it before changing anything).
    """
    base = tmp_path_factory.getbasetemp()
    root = base.parent if worker_id != "master" else base
    out = root / "facts-quick"
    with open(root / "facts-quick.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = root / "facts-quick.exit-code"
        if not done.exists():
            code = main(["facts", "--quick", "--workers", "2", "--out", str(out), "--no-progress"])
            done.write_text(str(code))
        return out, int(done.read_text())


def test_quick_battery_judges_every_fact_and_writes_its_report(quick, capsys):
    out, code = quick
    assert code == 0
    data = json.loads((out / "report" / "facts.json").read_text())
    ids = [f.id for f in load_battery().facts]
    assert [f["id"] for f in data["facts"]] == ids
    for fact in data["facts"]:
        assert fact["verdict"] in VERDICTS
        assert fact["verdict"] == "pass" or fact["reason"]
        for c in fact["checks"]:
            assert c["verdict"] in VERDICTS | {"uncertain", "no effect", "opposite"}
            # Every declared statistic exists in its measure (a typo in facts.toml shows here).
            assert "gives no statistic" not in c["reason"]
    assert data["battery"]["overrides"]["quick"] is True
    assert data["battery"]["settings"]["standard"]["seeds"] == 3
    report = out / "report"
    for name in ("report.md", "facts.png", "distance-decay.png", "buffering.png", "stationary.png"):
        assert (report / name).stat().st_size > 1000, name
    md = (report / "report.md").read_text()
    assert "| fact | check | target | measured (95% CI) | seeds | verdict |" in md
    assert "![every check against its target](facts.png)" in md


def test_a_resumed_battery_gives_identical_output(quick, tmp_path):
    out, _ = quick
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    before = json.loads((copy / "report" / "facts.json").read_text())
    # A battery killed part way: some runs missing, the summary and report gone.
    runs = sorted((copy / "runs").glob("*.parquet"))
    for path in runs[::7]:
        path.unlink()
    (copy / "summary.parquet").unlink()
    shutil.rmtree(copy / "report")
    assert main(["facts", "--quick", "--workers", "1", "--out", str(copy), "--no-progress"]) == 0
    after = json.loads((copy / "report" / "facts.json").read_text())
    assert after["facts"] == before["facts"]
    assert after["summary"] == before["summary"]
    assert len(after["provenance"]["sessions"]) == 2


def test_only_reuses_the_runs_of_a_full_battery(quick, tmp_path, capsys):
    out, _ = quick
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert main(["facts", "--quick", "--only", "layers,buffering", "--out", str(copy),
                 "--no-progress", "--workers", "1"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "Ran 0 runs" in text
    data = json.loads((copy / "report" / "facts.json").read_text())
    assert [f["id"] for f in data["facts"]] == ["buffering", "layers"]


def test_list(capsys):
    assert main(["facts", "--list"]) == 0
    text = capsys.readouterr().out
    assert "distance-decay: Loneliness clusters, and fades with distance" in text
    assert "excess risk at distance 1: 0.25 to 1" in text
    assert "13 facts in" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--only", "bufering"], "unknown fact 'bufering' (did you mean 'buffering'?)"),
        (
            ["--preset", "pandemic_shok"],
            "unknown preset 'pandemic_shok' (did you mean 'pandemic_shock'?)",
        ),
        (
            ["--set", "stresor_rate=0.1"],
            "unknown parameter 'stresor_rate' (did you mean 'stressor_rate'?)",
        ),
        (["--set", "stressor_rate=2"], "parameter 'stressor_rate': 2.0 is out of range"),
        (
            ["--set", "stressor_rate=0.6"],
            "fact 'stress-dose', arm 'double': parameter 'stressor_rate': 1.2 is out of range",
        ),
        (
            ["--preset", "lesson_interventions"],
            "--preset: 'lesson_interventions' sets interventions (peer_groups, start 300, "
            "duration 100, budget 30) and a comparison",
        ),
        (
            ["--preset", "lesson_buffering"],
            "measure its town with --set stressor_rate=0.1",
        ),
        (["--only", ","], "--only: give one or more fact ids"),
        (["--file", "/nonexistent/facts.toml"], "no such facts file"),
        (["--scheduler", "tcp://x:1", "--dask-local", "2"], "alternatives"),
    ],
)
def test_mistakes_get_one_line_and_exit_2(args, message, capsys, tmp_path):
    code = main(["facts", "--quick", "--out", str(tmp_path / "o"), *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "o").exists()  # nothing ran, nothing was written


def test_strict_exits_1_when_a_fact_fails(quick, tmp_path):
    out, _ = quick
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    data = json.loads((out / "report" / "facts.json").read_text())
    failing = [f["id"] for f in data["facts"] if f["verdict"] == "fail"]
    passing_or_not = [f["id"] for f in data["facts"] if f["verdict"] != "fail"]
    args = ["facts", "--quick", "--out", str(copy), "--no-progress", "--workers", "1", "--strict"]
    if failing:
        assert main([*args, "--only", failing[0]]) == 1
    if passing_or_not:
        assert main([*args, "--only", passing_or_not[0]]) == 0
