"""Model speed and memory: the vectorised model against the per-agent reference, per size.

Usage::

    python -m supportnet.benchmarks.speed --sizes 1000,10000,100000 --steps 20 --json

For each size, a fresh Python process builds ``SupportModel(rng=seed, **town(size))``: the
default parameters (the convoy network) for a town of that size, with the community groups scaled
to the size so that they keep the default town's size (:func:`town`; the neighbourhoods need no
scaling: their size is a parameter and their number follows the town's). It runs one untimed
warm-up step, then times ``--steps`` steps, measurement included (as users run it), and reports
its peak resident memory. Another fresh process then runs the per-agent reference
(:mod:`supportnet.benchmarks.reference`) from the same starting state, unless its projected time
exceeds ``--reference-budget`` seconds or the size exceeds ``--reference-max-people``; its step
count is cut to fit the budget (at least ``--reference-min-steps``). That process also steps the
fast model from the same start and reports how far the two are apart: they must agree, the speed-up
compares the same computation.

Times are the median over steps of the process's CPU time per step: on an idle machine that is
the wall-clock time, and on a shared machine it is not inflated by other processes taking turns
on the cores (wall-clock medians and the load average are reported alongside).

Output: one JSON object per size per line with ``--json``, otherwise a table. Keys:

- ``people``, ``n_groups``, ``ties`` (at the start), ``mean_degree``, ``steps``, ``setup_s``;
- ``fast_ms_per_step``, ``fast_us_per_agent_step``, ``fast_agent_steps_per_s``,
  ``fast_phases_ms_per_step`` and ``fast_measure_ms_per_step`` (the step without, and only,
  its measurement), ``fast_wall_ms_per_step``;
- ``peak_mb`` (peak RSS of the fast run's process), ``base_mb`` (RSS after imports, before the
  model), ``load_avg`` (1-minute load average when the fast run started);
- ``reference_steps``, ``reference_setup_s``, ``reference_ms_per_step``,
  ``reference_agent_steps_per_s`` (null when skipped), ``reference_wall_ms_per_step``,
  ``reference_phases_ms_per_step`` and ``reference_measure_ms_per_step``,
  ``reference_max_abs_diff`` (largest state difference to the fast model after the same
  steps), ``reference_max_measure_diff`` (largest difference of a per-step measure),
  ``reference_peak_mb``, ``reference_note`` (why it was skipped or shortened);
- ``speedup`` (whole steps, measurement included in both) and ``speedup_phases`` (the steps
  without their measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

__all__ = ["cpu_name", "main", "machine", "town"]

STATE_NAMES = ("stress", "depression", "loneliness", "capacity", "perceived_support", "need")


def _rss_mb() -> float:
    """Current resident memory of this process, in MB (Linux /proc)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo on Linux, else what platform says)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> dict:
    """Describe the machine and software versions the figures come from."""
    import mesa
    import numpy as np

    return {
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
    }


def town(size: int) -> dict:
    """Parameters of a town of ``size`` people (:func:`supportnet.params.scaled_town`)."""
    from supportnet.params import scaled_town

    return scaled_town(size)


# --- the child processes ------------------------------------------------------------------------
def _timed_steps(model, steps: int) -> tuple[list[float], list[float]]:
    """Step ``model`` ``steps`` times; return the CPU and the wall-clock seconds of each step.

    CPU time (of the whole process, so library threads count) is what the figures use: on an
    idle machine it equals wall-clock time, and on a shared one it is not inflated by other
    processes taking turns on the cores.
    """
    cpu, wall = [], []
    for _ in range(steps):
        c0, w0 = time.process_time(), time.perf_counter()
        model.step()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return cpu, wall


def _measure_timer(model, hook: str = "_measure") -> list[float]:
    """Time a model's per-step measurement (its ``hook`` method); return the list it fills.

    Both models measure every step; timing the measurement apart also gives the cost of the
    phases alone. The list stays empty if the model has no such hook.
    """
    spent: list[float] = []
    measure = getattr(model, hook, None)
    if measure is None:
        return spent

    def timed(*args, **kwargs):
        t0 = time.process_time()
        measure(*args, **kwargs)
        spent.append(time.process_time() - t0)

    setattr(model, hook, timed)
    return spent


def _run_fast(size: int, steps: int, seed: int, profile: bool) -> dict:
    from supportnet import SupportModel

    base = _rss_mb()  # the interpreter and libraries, before any model exists
    t0 = time.perf_counter()
    model = SupportModel(rng=seed, **town(size))
    setup = time.perf_counter() - t0
    ties = int(model.ties.m)
    model.step()  # warm-up: first-use costs (caches, allocations) are not the steady state
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    measuring = _measure_timer(model)
    load = os.getloadavg()[0]
    times, wall = _timed_steps(model, steps)
    # Medians, not means: a step slowed by something else should not decide the figure.
    per_step = statistics.median(times)
    phases = None
    if len(measuring) == len(times):
        phases = statistics.median(t - m for t, m in zip(times, measuring, strict=True))
    if profiler is not None:
        import pstats

        profiler.disable()
        print(f"--- cProfile of the fast model, {size} people, {steps} steps ---", file=sys.stderr)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    return {
        "people": size,
        "n_groups": model.params.n_groups,
        "ties": ties,
        "mean_degree": round(2 * ties / size, 2),
        "steps": steps,
        "setup_s": round(setup, 3),
        "fast_ms_per_step": round(1e3 * per_step, 3),
        "fast_us_per_agent_step": round(1e6 * per_step / size, 4),
        "fast_agent_steps_per_s": round(size / per_step),
        "fast_wall_ms_per_step": round(1e3 * statistics.median(wall), 3),
        "fast_phases_ms_per_step": round(1e3 * phases, 3) if phases else None,
        "fast_measure_ms_per_step": round(1e3 * (per_step - phases), 3) if phases else None,
        "peak_mb": round(_peak_mb(), 1),
        "base_mb": round(base, 1),
        "load_avg": round(load, 2),
    }


def _run_reference(size: int, steps: int, seed: int, budget: float, min_steps: int) -> dict:
    import numpy as np

    from supportnet import SupportModel
    from supportnet.benchmarks.reference import ReferenceModel

    fast = SupportModel(rng=seed, **town(size))
    t0 = time.perf_counter()
    ref = ReferenceModel(fast)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref.step()  # warm-up, as for the fast model; it also tells the cost of a step
    first = time.perf_counter() - t0  # the budget is in wall-clock seconds
    spent = setup + first
    fit = int((budget - spent) / max(first, 1e-9))
    run = min(steps, fit)
    min_steps = min(min_steps, steps)
    out = {"reference_setup_s": round(setup, 3), "reference_note": None}
    if run < min_steps:
        out["reference_note"] = (
            f"skipped: {min_steps} steps of {first:.1f} s would exceed the {budget:g} s budget"
        )
        return out
    if run < steps:
        out["reference_note"] = f"timed over {run} of {steps} steps to stay within {budget:g} s"
    measuring = _measure_timer(ref, "measure")
    times, wall = _timed_steps(ref, run)
    per_step = statistics.median(times)
    phases = statistics.median(t - m for t, m in zip(times, measuring, strict=True))
    # The same computation: the fast model, stepped as often from the same start, must agree.
    fast.run_for(run + 1)
    mine = ref.state()
    diff = max(
        float(np.max(np.abs(mine[name] - getattr(fast.population, name)))) for name in STATE_NAMES
    )
    measure_diff = max(
        abs(fast.measures[name] - ref.measures[name])
        for name in fast.measures
        if np.isfinite(fast.measures[name]) or np.isfinite(ref.measures[name])
    )
    out.update(
        {
            "reference_steps": run,
            "reference_ms_per_step": round(1e3 * per_step, 3),
            "reference_agent_steps_per_s": round(size / per_step),
            "reference_wall_ms_per_step": round(1e3 * statistics.median(wall), 3),
            "reference_phases_ms_per_step": round(1e3 * phases, 3),
            "reference_measure_ms_per_step": round(1e3 * (per_step - phases), 3),
            "reference_max_abs_diff": diff,
            "reference_max_measure_diff": float(measure_diff),
            "reference_peak_mb": round(_peak_mb(), 1),
        }
    )
    return out


def _child(args: argparse.Namespace) -> None:
    if args.child == "fast":
        result = _run_fast(args.size, args.steps, args.seed, args.profile)
    else:
        result = _run_reference(
            args.size, args.steps, args.seed, args.reference_budget, args.reference_min_steps
        )
    print(json.dumps(result))


def _spawn(kind: str, size: int, args: argparse.Namespace) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "supportnet.benchmarks.speed",
        "--child",
        kind,
        "--size",
        str(size),
        "--steps",
        str(args.steps),
        "--seed",
        str(args.seed),
        "--reference-budget",
        str(args.reference_budget),
        "--reference-min-steps",
        str(args.reference_min_steps),
    ]
    if args.profile and kind == "fast":
        cmd.append("--profile")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark of {size} people ({kind}) failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the parent ---------------------------------------------------------------------------------
REFERENCE_KEYS = (
    "reference_steps",
    "reference_setup_s",
    "reference_ms_per_step",
    "reference_agent_steps_per_s",
    "reference_wall_ms_per_step",
    "reference_phases_ms_per_step",
    "reference_measure_ms_per_step",
    "reference_max_abs_diff",
    "reference_max_measure_diff",
    "reference_peak_mb",
)


def measure(size: int, args: argparse.Namespace, prior: dict | None) -> dict:
    """Measure one size (fast model, then reference if affordable); return its result row."""
    row = _spawn("fast", size, args)
    row.update(dict.fromkeys(REFERENCE_KEYS))
    row["reference_note"] = None
    if size > args.reference_max_people:
        row["reference_note"] = f"skipped: more than {args.reference_max_people} people"
    elif prior is not None:
        # Per-agent work scales with people: project from the largest size measured so far.
        fewest = min(args.reference_min_steps, args.steps)
        scale = size / prior["people"]
        projected = scale * (
            prior["reference_setup_s"] + prior["reference_ms_per_step"] / 1e3 * (1 + fewest)
        )
        if projected > args.reference_budget:
            row["reference_note"] = (
                f"skipped: projected {projected:.0f} s for {fewest} steps, "
                f"over the {args.reference_budget:g} s budget"
            )
    if row["reference_note"] is None:
        row.update(_spawn("reference", size, args))
    ref = row["reference_agent_steps_per_s"]
    row["speedup"] = round(row["fast_agent_steps_per_s"] / ref, 1) if ref else None
    phases = row["fast_phases_ms_per_step"]
    row["speedup_phases"] = (
        round(row["reference_phases_ms_per_step"] / phases, 1) if ref and phases else None
    )
    return row


def _table_header() -> str:
    return (
        f"{'people':>8} {'ties':>9} {'setup s':>8} {'fast ms/step':>13} {'fast us/agent-step':>19} "
        f"{'fast agent-steps/s':>19} {'ref agent-steps/s':>18} {'speed-up':>9} "
        f"{'w/o measures':>13} {'peak MB':>8}"
    )


def _table_row(r: dict) -> str:
    ref = r["reference_agent_steps_per_s"]
    speedup = f"{r['speedup']:.0f}x" if r["speedup"] else "-"
    phases = f"{r['speedup_phases']:.0f}x" if r["speedup_phases"] else "-"
    return (
        f"{r['people']:>8,} {r['ties']:>9,} {r['setup_s']:>8.2f} {r['fast_ms_per_step']:>13.1f} "
        f"{r['fast_us_per_agent_step']:>19.2f} {r['fast_agent_steps_per_s']:>19,} "
        f"{(f'{ref:,}' if ref else 'skipped'):>18} {speedup:>9} {phases:>13} {r['peak_mb']:>8.0f}"
    )


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of whole numbers (e.g. 1000,10000)"
        ) from None
    if not sizes:
        raise argparse.ArgumentTypeError("give at least one size")
    return sizes


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m supportnet.benchmarks.speed",
        description=(
            "Time the vectorised SupportModel against the per-agent Mesa reference at several "
            "population sizes (default parameters: convoy network; community groups scaled with "
            "the town). Each size runs in fresh "
            "processes, so peak memory is per size."
        ),
    )
    ap.add_argument(
        "--sizes", type=_sizes, default=[1000, 10000, 100000], help="people, e.g. 1000,10000"
    )
    ap.add_argument("--steps", type=int, default=20, help="timed steps per size (default 20)")
    ap.add_argument("--seed", type=int, default=1, help="model seed (default 1)")
    ap.add_argument("--json", action="store_true", help="one JSON object per size per line")
    ap.add_argument(
        "--reference-budget",
        type=float,
        default=60.0,
        help="seconds the per-agent reference may take per size (default 60)",
    )
    ap.add_argument(
        "--reference-min-steps",
        type=int,
        default=3,
        help="fewest timed reference steps worth reporting; skip it otherwise (default 3)",
    )
    ap.add_argument(
        "--reference-max-people",
        type=int,
        default=50_000,
        help="never run the reference above this size (default 50000)",
    )
    ap.add_argument(
        "--profile", action="store_true", help="print a cProfile of the fast model to stderr"
    )
    ap.add_argument("--child", choices=("fast", "reference"), help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return ap


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark from the command line."""
    ap = _parser()
    args = ap.parse_args(argv)
    if args.steps < 1:
        ap.error(f"--steps: {args.steps} is not allowed; give at least 1")
    if args.reference_min_steps < 1:
        ap.error(f"--reference-min-steps: {args.reference_min_steps} is not allowed; at least 1")
    if args.reference_budget <= 0:
        ap.error(f"--reference-budget: {args.reference_budget:g} is not allowed; give seconds > 0")
    if args.child:
        _child(args)
        return
    from supportnet import ParameterError, make_params

    for size in args.sizes:
        try:
            make_params(**town(size))
        except ParameterError as err:
            ap.error(f"--sizes: {size} people is not allowed with the default parameters ({err})")
    if not args.json:
        m = machine()
        print(
            f"SupportNet model speed: {args.steps} steps per size, seed {args.seed}; "
            f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, numpy {m['numpy']}, "
            f"mesa {m['mesa']}"
        )
        print(_table_header(), flush=True)
    prior = None
    for size in args.sizes:
        row = measure(size, args, prior)
        if row["reference_agent_steps_per_s"]:
            prior = row
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(_table_row(row), flush=True)
            if row["reference_note"]:
                print(f"{'':>8} reference: {row['reference_note']}", flush=True)


if __name__ == "__main__":
    main()
