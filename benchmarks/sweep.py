"""Sweep throughput: runs per minute with 1 and 2 workers, and the runner's overhead per run.

Usage::

    python -m supportnet.benchmarks.sweep                       # the demo sweep (36 runs)
    python -m supportnet.benchmarks.sweep --config demo --replications 2 --json

Three measurements of the same runs (same seeds and parameters, from the config's plan):

1. **direct** — a plain loop in this process: ``SupportModel(rng=seed, **params)``,
   ``run_for(steps)``, ``dataframe()`` (what a user would write without the runner), and the same
   loop plus the per-run analyses the runner also computes (buffering estimate, loneliness by
   distance), to separate the analyses from the bookkeeping.
2. **runner, 1 worker** — ``run_sweep(..., workers=1)`` into a fresh folder: the same runs in this
   process, plus seeds, manifest, Parquet files written atomically (flushed to disk), summary.
3. **runner, 2 workers** — ``run_sweep(..., workers=2)``: local worker processes (fork server),
   start-up included.

Cores used = the CPU seconds the workers spent on runs (recorded per run in the run files) divided
by the sweep's wall time: at most 1 with one worker and 2 with two. Unlike the wall-clock speed-up,
it shows whether the runner keeps its workers busy even when other programs share the cores.

Overhead per run = (runner 1-worker time - direct time) / runs, reported against the bare direct
loop and against the direct loop with analyses, both in wall time and in this process's CPU time
(CPU time does not count other programs on a shared machine). Speed-up = 1-worker wall time /
2-worker wall time.

A paired measurement isolates the per-run bookkeeping: for each of ``--paired`` runs, the direct
computation (model, per-step table, analyses) and the runner's path for one run
(``execute_run`` and ``ResultStore.write_run``: summary row, Parquet file written atomically and
flushed to disk) are timed back to back, twice in alternating order, keeping each one's fastest;
the overhead is the ratio of the sums. Back-to-back pairs see the same machine load, so this
figure is the one to trust on a shared machine. The fixed cost of a session (manifest, provenance,
scanning finished runs, summary) is measured by running the finished sweep again.

On a shared machine other programs slow some measurements down: ``--repeat K`` runs the four
measurements K times, interleaved, and reports each one's fastest time (the one least disturbed),
with the 1-minute load average before and after.

Output: a table, or one JSON object with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from supportnet.benchmarks.speed import cpu_name

__all__ = ["main"]


def _timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def _cores_used(folder: Path, wall: float) -> float:
    """CPU seconds spent on the runs in ``folder`` per second of the sweep's wall time."""
    from supportnet.experiments.store import ResultStore

    store = ResultStore(folder)
    return sum(store.stored_meta(p.stem)["cpu"] for p in store.runs_dir.glob("*.parquet")) / wall


def _same(a: Path, b: Path) -> bool:
    """Whether two results folders hold identical summaries and per-step tables."""
    import pandas as pd

    if not pd.read_parquet(a / "summary.parquet").equals(pd.read_parquet(b / "summary.parquet")):
        return False
    return all(
        pd.read_parquet(p).equals(pd.read_parquet(b / "runs" / p.name))
        for p in (a / "runs").glob("*.parquet")
    )


def _direct(specs, analyses: bool) -> None:
    from supportnet import SupportModel
    from supportnet.analysis import buffering_estimate, loneliness_by_distance

    for spec in specs:
        model = SupportModel(rng=spec.seed, **spec.params)
        model.run_for(spec.steps)
        model.dataframe()
        if analyses:
            buffering_estimate(model, spec.burn_in)
            loneliness_by_distance(model)


def _paired(specs, folder: Path) -> dict:
    """Time direct computation and the runner's per-run path back to back for each spec."""
    from supportnet.experiments.runner import execute_run
    from supportnet.experiments.store import ResultStore

    store = ResultStore(folder)
    store.runs_dir.mkdir(parents=True)

    def runner_path(spec):
        store.write_run(execute_run(spec))

    direct, runner = [], []
    for spec in specs:
        d, r = [], []
        paths = (lambda: _direct([spec], analyses=True), lambda: runner_path(spec))  # noqa: B023
        for which in (0, 1, 1, 0):  # direct, runner, runner, direct: neither always goes first
            (d, r)[which].append(_timed(paths[which])[1:])
        direct.append(min(d))
        runner.append(min(r))
    dw, dc = (sum(x[i] for x in direct) for i in (0, 1))
    rw, rc = (sum(x[i] for x in runner) for i in (0, 1))
    return {
        "paired_runs": len(specs),
        "paired_overhead_pct_wall": 100 * (rw / dw - 1),
        "paired_overhead_pct_cpu": 100 * (rc / dc - 1),
        "paired_overhead_ms_per_run_wall": 1000 * (rw - dw) / len(specs),
    }


def measure(
    config_name: str, replications: int | None = None, repeat: int = 1, paired: int = 12
) -> dict:
    """Run the measurements on ``config_name`` (``repeat`` times, interleaved); return figures."""
    from supportnet.experiments.config import load_config
    from supportnet.experiments.plan import plan_runs
    from supportnet.experiments.sweep import run_sweep

    config = load_config(config_name)
    if replications:
        config = replace(config, replications=replications)
    specs = plan_runs(config)
    n = len(specs)
    _direct(specs[:1], analyses=True)  # warm-up: imports, caches

    load_before = os.getloadavg()[0]
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in ("d", "a", "w1", "w2")}
    cores: dict[str, list[float]] = {"w1": [], "w2": []}
    fixed: list[float] = []
    identical: list[bool] = []
    kw = {"progress": False, "echo": None, "specs": specs, "command": ["benchmark"]}
    for _ in range(repeat):
        times["d"].append(_timed(lambda: _direct(specs, analyses=False))[1:])
        times["a"].append(_timed(lambda: _direct(specs, analyses=True))[1:])
        with tempfile.TemporaryDirectory() as tmp:
            times["w1"].append(
                _timed(lambda: run_sweep(config, Path(tmp) / "w1", workers=1, **kw))[1:]
            )
            cores["w1"].append(_cores_used(Path(tmp) / "w1", times["w1"][-1][0]))
            # The same command again finds every run finished: the fixed cost of a session
            # (manifest, provenance, scanning runs/, summary).
            fixed.append(_timed(lambda: run_sweep(config, Path(tmp) / "w1", workers=1, **kw))[1])
            out2, w2_wall, w2_cpu = _timed(
                lambda: run_sweep(config, Path(tmp) / "w2", workers=2, **kw)
            )
            assert out2.finished == n
            identical.append(_same(Path(tmp) / "w1", Path(tmp) / "w2"))
            times["w2"].append((w2_wall, w2_cpu))
            cores["w2"].append(_cores_used(Path(tmp) / "w2", w2_wall))
    with tempfile.TemporaryDirectory() as tmp:
        pairs = _paired(specs[:paired], Path(tmp) / "paired") if paired else {}
    best = {k: min(v) for k, v in times.items()}  # fastest (least disturbed) wall time
    direct_wall, direct_cpu = best["d"]
    analyses_wall, analyses_cpu = best["a"]
    w1_wall, w1_cpu = best["w1"]
    w2_wall = best["w2"][0]

    return {
        "config": config.name,
        "runs": n,
        "steps": config.steps,
        "people": config.base.get("n_people"),
        "cpus": os.cpu_count(),
        "repeat": repeat,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "all_wall_s": {k: [round(w, 2) for w, _ in v] for k, v in times.items()},
        "machine": f"{platform.machine()} {cpu_name()}",
        "direct_s": direct_wall,
        "direct_with_analyses_s": analyses_wall,
        "workers1_s": w1_wall,
        "workers2_s": w2_wall,
        "runs_per_min_direct": 60 * n / direct_wall,
        "runs_per_min_workers1": 60 * n / w1_wall,
        "runs_per_min_workers2": 60 * n / w2_wall,
        "speedup_2_workers": w1_wall / w2_wall,
        "cores_used_workers1": max(cores["w1"]),
        "cores_used_workers2": max(cores["w2"]),
        "session_fixed_s": min(fixed),
        "identical_1_vs_2_workers": all(identical),
        "overhead_ms_per_run": 1000 * (w1_wall - direct_wall) / n,
        "overhead_pct_vs_direct": 100 * (w1_wall / direct_wall - 1),
        "overhead_pct_vs_direct_with_analyses": 100 * (w1_wall / analyses_wall - 1),
        "cpu_overhead_pct_vs_direct": 100 * (w1_cpu / direct_cpu - 1),
        "cpu_overhead_pct_vs_direct_with_analyses": 100 * (w1_cpu / analyses_cpu - 1),
        **pairs,
    }


def _table(r: dict) -> str:
    lines = [
        f"Sweep throughput: {r['config']} ({r['runs']} runs of {r['steps']} steps, "
        f"{r['people']} people), {r['cpus']} CPUs, fastest of {r['repeat']}, load average "
        f"{r['load_average_before']:.1f} before, {r['load_average_after']:.1f} after",
        "",
        f"{'':34}{'wall s':>9}{'runs/min':>10}",
        f"{'direct loop (model only)':34}{r['direct_s']:>9.1f}{r['runs_per_min_direct']:>10.1f}",
        f"{'direct loop + analyses':34}{r['direct_with_analyses_s']:>9.1f}"
        f"{60 * r['runs'] / r['direct_with_analyses_s']:>10.1f}",
        f"{'runner, 1 worker':34}{r['workers1_s']:>9.1f}{r['runs_per_min_workers1']:>10.1f}",
        f"{'runner, 2 workers':34}{r['workers2_s']:>9.1f}{r['runs_per_min_workers2']:>10.1f}",
        "",
        f"speed-up with 2 workers: {r['speedup_2_workers']:.2f}x (target >= 1.8x); cores used "
        f"on runs: {r['cores_used_workers1']:.2f} of 1 with 1 worker, "
        f"{r['cores_used_workers2']:.2f} of 2 with 2 workers",
        f"runner overhead: {r['overhead_ms_per_run']:.0f} ms per run; "
        f"{r['overhead_pct_vs_direct']:+.1f}% wall / {r['cpu_overhead_pct_vs_direct']:+.1f}% CPU "
        "vs the bare model loop, "
        f"{r['overhead_pct_vs_direct_with_analyses']:+.1f}% wall / "
        f"{r['cpu_overhead_pct_vs_direct_with_analyses']:+.1f}% CPU vs the loop with the same "
        "analyses (target <= 5%)",
    ]
    lines.append(f"results with 1 and 2 workers identical: {r['identical_1_vs_2_workers']}")
    lines.append(
        f"fixed cost of a sweep session (all runs already finished): "
        f"{1000 * r['session_fixed_s']:.0f} ms"
    )
    if "paired_runs" in r:
        lines.append(
            f"paired per-run overhead ({r['paired_runs']} runs, back to back): "
            f"{r['paired_overhead_pct_wall']:+.1f}% wall, {r['paired_overhead_pct_cpu']:+.1f}% "
            f"CPU ({r['paired_overhead_ms_per_run_wall']:+.0f} ms per run)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="demo", help="experiment (default: demo)")
    parser.add_argument("--replications", type=int, help="override the config's replications")
    parser.add_argument("--repeat", type=int, default=1, help="repeat, keep the fastest")
    parser.add_argument(
        "--paired", type=int, default=12, help="runs in the paired overhead measurement (0 = skip)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = measure(args.config, args.replications, args.repeat, args.paired)
    print(json.dumps(result) if args.json else _table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
