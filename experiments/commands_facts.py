"""The ``supportnet facts`` command: the stylised facts battery (see :mod:`.facts`)."""

from __future__ import annotations

import argparse
import os
import sys

from .cli import UserError, positive_int, whole_number

__all__ = ["add_executor_options", "check_executor_options", "cmd_facts", "register"]


#: An argparse type for --burn-in and --seed: 0 or more.
_steps = whole_number(0, "a whole number >= 0")


def add_executor_options(p: argparse.ArgumentParser) -> None:
    """Add --workers, --scheduler and --dask-local (where the runs run)."""
    p.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help=f"local worker processes (default: {os.cpu_count()} cores; 1 = this process)",
    )
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask cluster")
    p.add_argument(
        "--dask-local",
        type=positive_int,
        metavar="N",
        help="start a local Dask cluster of N workers",
    )


def check_executor_options(args: argparse.Namespace) -> None:
    """Refuse executor options that contradict each other (one message)."""
    if args.scheduler and args.dask_local:
        raise UserError("--scheduler and --dask-local are alternatives; give one of them")
    if (args.scheduler or args.dask_local) and args.workers:
        raise UserError("--workers is for local processes; with Dask the cluster's workers run it")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the facts command."""
    p = sub.add_parser(
        "facts",
        help="measure the model against the published patterns it exists to test",
        description="Run the stylised facts battery: every fact of facts.toml at its setting, "
        "across seeds, judged against its published target and tolerance. Prints the verdict "
        "table and writes DIR/report/ (report.md, facts.json, figures). Resumable: the same "
        "command again continues an interrupted battery. docs/validation.md explains each fact.",
    )
    p.add_argument(
        "--list", action="store_true", help="list the facts and their targets, run nothing"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="fewer seeds and shorter runs: checks the plumbing in a minute, not the verdicts",
    )
    p.add_argument("--only", metavar="ID,...", help="run only these facts (comma-separated ids)")
    p.add_argument("--preset", metavar="NAME", help="measure a preset instead of the defaults")
    p.add_argument(
        "--set",
        dest="settings",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="change a parameter in every run (repeatable): measure your own variant",
    )
    p.add_argument(
        "--seeds", type=positive_int, metavar="N", help="seeds per fact (default: as declared, 10)"
    )
    p.add_argument(
        "--burn-in",
        type=_steps,
        metavar="STEPS",
        help="measure every setting after this many steps instead of its declared burn-in "
        "(does a fact hold at another run length?)",
    )
    p.add_argument(
        "--seed",
        type=_steps,
        metavar="N",
        help="the battery's seed, replacing the declared one: the same facts in other towns",
    )
    add_executor_options(p)
    p.add_argument("--out", metavar="DIR", help="results folder (default results/facts[-quick])")
    p.add_argument(
        "--file", metavar="FACTS.toml", help="your own facts file (default: the shipped facts)"
    )
    p.add_argument("--strict", action="store_true", help="exit with status 1 if any fact fails")
    p.add_argument(
        "--force",
        action="store_true",
        help="accept a folder holding another battery's results (changed runs are redone)",
    )
    p.add_argument("--no-progress", action="store_true", help="no live progress bar")
    p.set_defaults(func=cmd_facts)


def _list(battery) -> int:
    for f in battery.facts:
        s = battery.settings[f.setting]
        arms = ", ".join(a.name for a in f.arms) if len(f.arms) > 1 else ""
        print(f"{f.id}: {f.title}")
        print(f"  {f.claim}")
        print(f"  source: {f.source}")
        print(
            f"  measured: {f.measure} on setting '{f.setting}' ({s.seeds} seeds, burn-in "
            f"{s.burn_in}, {s.measure_steps} steps)" + (f"; arms: {arms}" if arms else "")
        )
        for c in f.checks:
            where = ""
            if c.contrast:
                where = f" [{c.contrast[0]} - {c.contrast[1]}]"
            elif c.arm:
                where = f" [{c.arm}]"
            print(f"    - {c.label}{where}: {c.target_text()}")
        print()
    print(f"{len(battery.facts)} facts in {battery.source}. Run them: supportnet facts [--quick]")
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    """Run the battery (or list it)."""
    from .commands_model import parse_settings
    from .executors import ExecutorError
    from .facts import Overrides, load_battery, run_facts
    from .facts.output import format_table

    battery = load_battery(args.file)
    if args.list:
        return _list(battery)
    check_executor_options(args)
    only = [x.strip() for x in args.only.split(",") if x.strip()] if args.only else None
    if args.only is not None and not only:
        raise UserError("--only: give one or more fact ids, e.g. --only buffering,layers")
    if args.preset:
        from supportnet.params import preset

        chosen = preset(args.preset)  # an unknown preset: one message with a did-you-mean
        if chosen.carries():
            # The battery measures one world at a time: dropping a preset's interventions or
            # comparison silently would measure something else than the preset's name says.
            values = " ".join(f"--set {k}={v}" for k, v in chosen.values.items())
            raise UserError(
                f"--preset: {args.preset!r} sets {chosen.carries()}, which the facts battery "
                "does not run (it measures the facts of one world, without interventions); "
                + (f"measure its town with {values}" if values else "measure the defaults")
            )
    overrides = Overrides(
        preset=args.preset or "",
        set=parse_settings(args.settings),
        quick=args.quick,
        seeds=args.seeds,
        burn_in=args.burn_in,
        seed=args.seed,
    )
    try:
        outcome = run_facts(
            battery,
            only=only,
            overrides=overrides,
            out=args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            dask_local=args.dask_local,
            force=args.force,
            progress=not args.no_progress,
            command=["supportnet", *args.argv],
        )
    except ExecutorError as exc:
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        print(
            "Interrupted: finished runs are kept; run the same command again to resume.",
            file=sys.stderr,
        )
        raise
    print(format_table(outcome.results))
    print(
        f"\nRan {outcome.finished} runs in {outcome.elapsed:.1f} s "
        f"({outcome.skipped} already finished); report: {outcome.report / 'report.md'}"
    )
    if outcome.failed:
        print(f"{len(outcome.failed)} runs failed: see {outcome.folder}/failures/", file=sys.stderr)
    if args.strict and any(r.verdict == "fail" for r in outcome.results):
        return 1
    return 0
