"""Smoke tests of ``python -m supportnet.benchmarks.speed`` (tiny sizes: this checks the output, not speed)."""

from __future__ import annotations

import json
import subprocess
import sys

REQUIRED = ("people", "fast_agent_steps_per_s", "reference_agent_steps_per_s", "peak_mb")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "supportnet.benchmarks.speed", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_lines_have_the_documented_keys_and_the_reference_agrees():
    # One run covers both cases: the reference runs at 200 people and is skipped above 250.
    proc = run("--sizes", "200,300", "--steps", "2", "--json", "--reference-max-people", "250")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["people"] for r in rows] == [200, 300]
    for r in rows:
        assert set(REQUIRED) <= r.keys()
        assert r["fast_agent_steps_per_s"] > 0 and r["ties"] > 0
        assert r["peak_mb"] > r["base_mb"] > 0
        assert 0 < r["fast_phases_ms_per_step"] < r["fast_ms_per_step"]
    ran, skipped = rows
    assert ran["reference_agent_steps_per_s"] > 0
    assert ran["speedup"] > 0 and ran["speedup_phases"] > 0
    assert ran["reference_max_abs_diff"] < 1e-9  # the same computation, timed twice
    assert ran["reference_max_measure_diff"] < 1e-9  # measured the same way too
    assert 0 < ran["reference_phases_ms_per_step"] < ran["reference_ms_per_step"]
    assert skipped["reference_agent_steps_per_s"] is None and skipped["speedup"] is None
    assert "skipped" in skipped["reference_note"]


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
