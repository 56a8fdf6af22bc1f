"""Executors: a worker that dies is replaced, its run is redone or recorded as failed with the
cause, a run that kills its worker every time cannot stop the sweep, workers that die before
running anything stop it with a clear message; the thread variables reach the workers."""

from __future__ import annotations

import pandas as pd
import pytest

from supportnet.experiments.config import parse_config
from supportnet.experiments.executors import (
    ExecutorError,
    InProcessExecutor,
    ProcessExecutor,
    make_executor,
)
from supportnet.experiments.plan import plan_runs
from tests.experiments import helpers
from tests.experiments.conftest import TINY


@pytest.fixture
def specs():
    return plan_runs(parse_config(TINY))


def test_a_dead_worker_is_replaced_and_every_run_finishes(specs):
    victim = next(s for s in specs if s.run_id.endswith("p001-r00"))
    helpers.marker(victim).unlink(missing_ok=True)
    with ProcessExecutor(2, run=helpers.die_once, attempts=2) as ex:
        results = list(ex.results(specs))
    assert helpers.marker(victim).exists()  # a worker really died
    helpers.marker(victim).unlink()
    assert sorted(r.run_id for r in results) == sorted(s.run_id for s in specs)
    assert all(r.ok for r in results)
    with InProcessExecutor() as ex:
        expected = summaries(ex.results(specs))
    # Compared as tables: a NaN measure (e.g. no pair at distance 4) equals NaN there, whereas
    # two NaN floats in dicts are equal only when they are the same object.
    pd.testing.assert_frame_equal(summaries(results), expected, check_exact=True)


def summaries(results) -> pd.DataFrame:
    """The runs' summary rows as a table ordered by run id."""
    rows = sorted((r.summary for r in results), key=lambda row: row["run_id"])
    return pd.DataFrame(rows).reset_index(drop=True)


@pytest.mark.xdist_group("poison")  # both cases count in one file: never at the same time
@pytest.mark.parametrize("attempts", [1, 3])
def test_a_poison_run_is_recorded_as_failed_and_the_others_finish(attempts):
    """A run that kills its worker every time (issue 15, failure 1): it comes back failed with
    the signal after ``attempts`` tries, and every other run finishes."""
    # Each case its own runs (another seed, other digests), so that two cases running at once
    # (xdist workers) never share the attempts counter.
    specs = plan_runs(parse_config({**TINY, "seed": TINY["seed"] + attempts}))
    victim = next(s for s in specs if s.run_id.endswith("p001-r00"))
    helpers.attempts_file(victim).unlink(missing_ok=True)
    with ProcessExecutor(2, run=helpers.always_die, attempts=attempts) as ex:
        results = {r.run_id: r for r in ex.results(specs)}
    assert sorted(results) == sorted(s.run_id for s in specs)
    bad = [r for r in results.values() if not r.ok]
    assert [r.run_id for r in bad] == [victim.run_id]
    assert bad[0].error.startswith("WorkerDied: worker killed (signal 9, SIGKILL): out of memory?")
    assert helpers.attempts_file(victim).read_text() == "x" * attempts  # exactly that many tries
    helpers.attempts_file(victim).unlink()


def test_a_run_that_ends_its_worker_is_failed_with_the_exit_status(specs):
    with ProcessExecutor(2, run=helpers.die_at_start) as ex:
        results = list(ex.results(specs))
    assert len(results) == len(specs) and not any(r.ok for r in results)
    assert all("worker exited with status 7" in r.error for r in results)


def test_workers_that_die_while_idle_stop_the_sweep_with_a_clear_message(specs):
    import os
    import signal

    with (
        pytest.raises(
            ExecutorError,
            match=r"worker processes died 1 times before running anything \(worker killed "
            r"\(signal 9, SIGKILL\).* run the same command again to resume",
        ),
        ProcessExecutor(1, restarts=0, run=helpers.die_at_start) as ex,
    ):
        os.kill(ex._pool.workers[0].proc.pid, signal.SIGKILL)
        list(ex.results(specs))


def test_make_executor_picks_by_options():
    assert isinstance(make_executor(workers=1), InProcessExecutor)
    assert make_executor(workers=3).description == "3 local processes"
    assert make_executor(dask_local=2).description == "local Dask cluster (2 workers)"
    assert make_executor(scheduler="tcp://h:8786").description == "Dask cluster at tcp://h:8786"
