"""Commands about experiments: ``supportnet validate``, ``sweep`` and ``report``."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from .cli import UserError, positive_int
from .config import MAX_RUNS, ExperimentConfig, load_config, shipped_configs, toml_value

__all__ = ["cmd_report", "cmd_sweep", "cmd_validate", "register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the validate, sweep and report commands."""
    shipped = ", ".join(shipped_configs()) or "(none)"
    p = sub.add_parser(
        "validate",
        help="check an experiment config without running it",
        description="Check an experiment config: keys, parameter names and values, every design "
        "point. Prints a summary of the experiment, or every problem found.",
    )
    p.add_argument(
        "config", metavar="FILE", help=f"config file, or a shipped experiment ({shipped})"
    )  # noqa: E501
    _max_runs_option(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "sweep",
        help="run an experiment's sweep (resumable), on local processes or Dask",
        description="Run an experiment's sweep into a results folder. Runs are written as they "
        "finish; the same command again resumes an interrupted sweep.",
    )
    p.add_argument(
        "config", metavar="FILE", help=f"config file, or a shipped experiment ({shipped})"
    )  # noqa: E501
    p.add_argument("--out", metavar="DIR", help="results folder (default results/<name>)")
    p.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help=f"local worker processes (default: {os.cpu_count()} cores; 1 = this process)",
    )  # noqa: E501
    p.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on an existing Dask distributed cluster",
    )
    p.add_argument(
        "--dask-local",
        type=positive_int,
        metavar="N",
        help="start a local Dask cluster with N workers and run on it",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="accept a folder holding another config's results (changed runs are redone)",
    )  # noqa: E501
    _max_runs_option(p)
    p.add_argument("--dry-run", action="store_true", help="list the runs without running them")
    p.add_argument("--no-progress", action="store_true", help="no live progress bar")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser(
        "report",
        help="write figures and a markdown summary of a results folder",
        description="Write PNG figures and report.md into DIR/report/ from a sweep's results.",
    )
    p.add_argument("folder", metavar="DIR", help="results folder written by `supportnet sweep`")
    p.set_defaults(func=cmd_report)


def _max_runs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-runs",
        type=positive_int,
        metavar="N",
        default=MAX_RUNS,
        help=f"refuse designs of more than N runs (default {MAX_RUNS:,}); a guard against "
        "designs that would take weeks or all the memory",
    )


def check_scheduler(text: str) -> str:
    """Check a Dask scheduler address: ``tcp://HOST:PORT`` and the like (one line if not)."""
    m = re.fullmatch(
        r"(tcp|tls|ucx|ws|wss|inproc)://(\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):(\d{1,5})", text
    )
    if not m or not 0 < int(m.group(3)) < 65536:
        raise UserError(
            f"--scheduler {text[:80]!r} is not a scheduler address; expected tcp://HOST:PORT or "
            "tls://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        )
    return text


def describe(config: ExperimentConfig, n_points: int) -> str:
    """Return a few lines describing an experiment (for validate and dry runs)."""
    d = config.design
    n_runs = n_points * len(config.arms) * config.replications
    lines = [f"{config.name}: {config.title}" if config.title != config.name else config.name]
    if config.description:
        lines.append(f"  {config.description}")
    if d.kind == "grid":
        what = (
            " x ".join(f"{f.key} {toml_value(list(f.values))}" for f in d.factors) or "no factors"
        )
        lines.append(f"  design: grid, {_points(n_points)} ({what})")
    else:
        ranges = ", ".join(f"{f.key} [{f.low:g}, {f.high:g}]" for f in d.factors)
        lines.append(f"  design: {d.kind}, samples = {d.samples}, {_points(n_points)} ({ranges})")
    if len(config.arms) > 1:
        lines.append("  arms: " + ", ".join(a.name for a in config.arms))
    if config.control is not None:
        c = config.control
        how = (
            f"arm '{c.arm}'"
            if c.arm
            else "points where " + ", ".join(f"{k} = {toml_value(v)}" for k, v in c.where.items())
        )
        lines.append(f"  control: {c.label} ({how})")
    for r in config.ratios:
        lines.append(f"  ratio: {r.label} = g({r.numerator}) / g({r.denominator}) on {r.outcome}")
    lines.append(
        f"  {n_runs} runs = {_points(n_points)} x {len(config.arms)} arm(s) x "
        f"{config.replications} replication(s), {config.steps} steps each, seed {config.seed}"
    )  # noqa: E501
    return "\n".join(lines)


def _points(n: int) -> str:
    return "1 point" if n == 1 else f"{n} points"


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a config and describe it."""
    from .designs import design_size

    config = load_config(args.config, max_runs=args.max_runs)
    print(describe(config, design_size(config.design)))
    for warning in config.warnings:
        print(warning, file=sys.stderr)
    print(
        f"{config.source}: OK (config hash {config.hash()}; largest run needs about "
        f"{config.memory / 1e9:.1f} GB of memory)"
    )
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run (or resume) a sweep, or list its runs with --dry-run."""
    from .designs import design_size
    from .executors import ExecutorError
    from .plan import plan_runs
    from .sweep import default_folder, run_sweep

    if args.scheduler and args.dask_local:
        raise UserError("--scheduler and --dask-local are alternatives; give one of them")
    if args.scheduler:
        check_scheduler(args.scheduler)
    if (args.scheduler or args.dask_local) and args.workers:
        raise UserError(
            "--workers is for local processes; with Dask the cluster's workers run "
            "the sweep (use --dask-local N for a local cluster of N workers)"
        )
    config = load_config(args.config, max_runs=args.max_runs)
    for warning in config.warnings:
        print(warning, file=sys.stderr)
    specs = plan_runs(config)
    folder = Path(args.out) if args.out else default_folder(config)
    n_points = design_size(config.design)
    if args.dry_run:
        return _dry_run(config, specs, folder, n_points)
    print(describe(config, n_points))
    try:
        outcome = run_sweep(
            config,
            folder,
            workers=args.workers,
            scheduler=args.scheduler,
            dask_local=args.dask_local,
            force=args.force,
            progress=not args.no_progress,
            command=["supportnet", *args.argv],
            specs=specs,
        )
    except ExecutorError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:  # a full disk, a folder made read-only: the message says which file
        raise UserError(
            f"{folder}: cannot write the results ({_os_error(exc)}). Finished runs are kept: "
            "fix this and run the same command again to resume"
        ) from None
    except KeyboardInterrupt:
        print(
            f"Interrupted: finished runs are kept in {folder}; run the same command again to "
            "resume.",
            file=sys.stderr,
        )
        raise
    done = outcome.skipped + outcome.finished
    print(
        f"Ran {outcome.finished} runs in {outcome.elapsed:.1f} s on {outcome.executor or 'nothing (all finished)'}; "  # noqa: E501
        f"{done} of {outcome.planned} finished."
    )
    print(f"Results: {folder}/ (summary.parquet, runs/, manifest.json)")
    if outcome.failed:
        print(
            f"{len(outcome.failed)} runs failed (error and traceback in {folder}/failures/): "
            + ", ".join(outcome.failed[:5])
            + (" ..." if len(outcome.failed) > 5 else ""),
            file=sys.stderr,
        )
        return 1
    print(f"Report: supportnet report {folder}")
    return 0


def _os_error(exc: OSError) -> str:
    """Describe an OSError in one line: what went wrong and with which file."""
    what = exc.strerror or str(exc) or type(exc).__name__
    return f"{what}: {exc.filename}" if exc.filename else what


def _dry_run(config, specs, folder: Path, n_points: int) -> int:
    from .store import ResultStore

    print(describe(config, n_points))
    store = ResultStore(folder)
    finished = set()
    if store.manifest_path.exists():
        finished = {
            s.run_id
            for s in specs
            if (m := store.stored_meta(s.run_id)) and m.get("digest") == s.digest
        }
    keys = list(config.varied)
    header = ["run_id", "seed", *keys] + (["status"] if finished else [])
    rows = [
        [s.run_id, str(s.seed), *(toml_value(s.factors.get(k)) for k in keys)]
        + (["finished" if s.run_id in finished else "to run"] if finished else [])
        for s in specs
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    todo = len(specs) - len(finished)
    print(
        f"{len(specs)} runs into {folder}/"
        + (f" ({len(finished)} finished, {todo} to run)" if finished else "")
        + "; nothing was run."
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report of a results folder."""
    from .report import write_report

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder; give a folder written by `supportnet sweep`")
    written = write_report(folder)
    print(f"Report: {written.markdown}")
    print(
        f"Figures ({len(written.figures)}): {written.markdown.parent}/ — "
        + ", ".join(p.name for p in written.figures)
    )
    return 0
