"""Executors: a worker that dies is replaced and its runs are redone; repeated deaths stop the
sweep with a clear message (finished runs are kept); the thread variables reach the workers."""

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
    with ProcessExecutor(2, run=helpers.die_once) as ex:
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


def test_workers_that_keep_dying_stop_the_sweep_with_a_clear_message(specs):
    got = []
    with (
        pytest.raises(
            ExecutorError,
            match=r"worker processes died 2 times .* run the same "
            r"command again to resume",
        ),
        ProcessExecutor(2, restarts=1, run=helpers.always_die) as ex,
    ):
        for result in ex.results(specs):
            got.append(result.run_id)
    assert not any(r.endswith("p001-r00") for r in got)


def test_make_executor_picks_by_options():
    assert isinstance(make_executor(workers=1), InProcessExecutor)
    assert make_executor(workers=3).description == "3 local processes"
    assert make_executor(dask_local=2).description == "local Dask cluster (2 workers)"
    assert make_executor(scheduler="tcp://h:8786").description == "Dask cluster at tcp://h:8786"
