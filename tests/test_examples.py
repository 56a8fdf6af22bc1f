"""The example scripts in docs/examples run and show what they say."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def _run_example(script: str, *args: str) -> str:
    """Run an example script with the test's Python; return its output (fails on an error)."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_mesa_idioms_example_runs():
    out = _run_example("mesa_idioms.py")
    for shown in (
        "Scenario: stressor_rate=0.1",
        "mesa.batch_run, final mean stress by stressor_rate: {0.02:",
        "run_scenarios",
        "SolaraViz: rendered",
        "person.remove(): person 0 cannot be removed",
        "degree now 0",
    ):
        assert shown in out, out


#: A small run of the warm-up diagnostic: two towns of 200, a settled network at step 380.
SMALL_WARMUP = ["--seeds", "2", "--settle", "380", "--after", "120", "--people", "200", "--out"]


def test_stationary_warmup_example_runs(tmp_path):
    """The warm-up diagnostic of docs/validation.md runs both arms and measures tie retention."""
    out = _run_example("stationary_warmup.py", *SMALL_WARMUP, str(tmp_path))
    for shown in (
        "fresh states on a settled network",
        "standard start",
        "MSER-5 burn-in",
        "Core ties (strongest 15) still held after seven years",
    ):
        assert shown in out, out
    assert (tmp_path / "warmup.png").stat().st_size > 10_000
    table = pd.read_parquet(tmp_path / "warmup.parquet")
    assert set(table.arm) == {"standard start", "fresh states on a settled network"}
    assert table.groupby("arm").seed.nunique().eq(2).all()


def test_observed_network_distance_example_runs():
    """The observed-network distance comparison of docs/validation.md measures both networks."""
    out = _run_example(
        "observed_network_distance.py", "--seeds", "2", "--steps", "60", "--people", "200"
    )
    for shown in ("whole network", "observed, Framingham-like", "published (Cacioppo et al. 2009)"):
        assert shown in out, out
