"""Smoke tests of ``python -m benchmarks.speed`` (tiny sizes: this checks the output, not speed)."""

from __future__ import annotations

import json
import subprocess
import sys

REQUIRED = ("people", "fast_agent_steps_per_s", "reference_agent_steps_per_s", "peak_mb")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.speed", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_lines_have_the_documented_keys_and_the_reference_agrees():
    proc = run("--sizes", "200,300", "--steps", "2", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["people"] for r in rows] == [200, 300]
    for r in rows:
        assert set(REQUIRED) <= r.keys()
        assert r["fast_agent_steps_per_s"] > 0 and r["reference_agent_steps_per_s"] > 0
        assert r["peak_mb"] > r["base_mb"] > 0
        assert r["ties"] > 0 and r["speedup"] > 0 and r["speedup_phases"] > 0
        assert 0 < r["fast_phases_ms_per_step"] < r["fast_ms_per_step"]
        assert r["reference_max_abs_diff"] < 1e-9  # the same computation, timed twice


def test_reference_is_skipped_with_null_above_the_size_limit():
    proc = run("--sizes", "200", "--steps", "1", "--json", "--reference-max-people", "100")
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row["reference_agent_steps_per_s"] is None and row["speedup"] is None
    assert "skipped" in row["reference_note"]


def test_table_without_json():
    proc = run("--sizes", "200", "--steps", "1")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "cores" in lines[0] and "agent-steps/s" in lines[1]
    assert lines[2].split()[0] == "200"


def test_bad_arguments_give_one_clear_message():
    for args, words in (
        (("--sizes", "abc"), "'abc' is not a comma-separated list"),
        (("--sizes", "20"), "convoy_wider"),
        (("--steps", "0"), "--steps: 0 is not allowed"),
    ):
        proc = run(*args)
        assert proc.returncode == 2
        assert words in proc.stderr and "Traceback" not in proc.stderr
