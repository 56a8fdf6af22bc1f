"""The ``supportnet calibrate`` command: ABC-SMC fits to the stylised facts (:mod:`.calibrate`)."""

from __future__ import annotations

import argparse
import sys

from .cli import UserError
from .commands_facts import add_executor_options, check_executor_options

__all__ = ["cmd_calibrate", "register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the calibrate command."""
    p = sub.add_parser(
        "calibrate",
        help="fit parameters to the stylised facts (ABC-SMC) and check facts it did not fit",
        description="Fit the free parameters of a calibration config to its fitted facts by "
        "approximate Bayesian computation (ABC-SMC), then simulate the posterior afresh and "
        "judge every fitted and held-out fact against it. Writes DIR/posterior.parquet and "
        "DIR/report/ (report.md and figures). Resumable: the same command again continues after "
        "the last finished generation, to the same posterior. docs/calibration.md explains it.",
    )
    p.add_argument(
        "config",
        metavar="CONFIG",
        nargs="?",
        help="a calibration config (.toml) or a shipped one's name (--list shows them)",
    )
    add_executor_options(p)
    p.add_argument(
        "--out", metavar="DIR", help="calibration folder (default results/calibrate-NAME)"
    )
    p.add_argument(
        "--force", action="store_true", help="start afresh in a folder holding another calibration"
    )
    p.add_argument(
        "--apply",
        action="store_true",
        help="write the posterior median as the preset 'calibrated' (with provenance)",
    )
    p.add_argument("--list", action="store_true", help="list the shipped calibration configs")
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run (or resume) a calibration, print its summary, and with --apply write the preset."""
    from .calibrate import load_calibration, run_calibration
    from .calibrate.config import shipped_calibrations
    from .executors import ExecutorError

    if args.list:
        for name, path in shipped_calibrations().items():
            print(f"{name}: {path}")
        return 0
    if not args.config:
        raise UserError("give a calibration config (.toml) or a shipped one's name, e.g. town")
    check_executor_options(args)
    config = load_calibration(args.config)
    try:
        outcome = run_calibration(
            config,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            dask_local=args.dask_local,
            force=args.force,
            echo=lambda text: print(text, flush=True),
            command=["supportnet", *args.argv],
        )
    except ExecutorError as exc:
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        print(
            "Interrupted: finished generations and runs are kept; run the same command again "
            "to resume.",
            file=sys.stderr,
        )
        raise
    from .calibrate.output import parameter_summary

    summary = parameter_summary(config, outcome.posterior.particles)
    print()
    for _, r in summary.iterrows():
        print(
            f"{r['parameter']:<28} median {r['median']:<10.4g} 90% [{r['q05']:.4g}, "
            f"{r['q95']:.4g}]  {r['identification']}"
        )
    print(
        f"\n{len(outcome.generations)} generations ({outcome.stopped}) in "
        f"{outcome.elapsed:.0f} s; report: {outcome.report / 'report.md'}"
    )
    if outcome.failed_runs:
        print(f"{outcome.failed_runs} runs failed: see {outcome.folder}/runs/failures/",
              file=sys.stderr)  # fmt: skip
    if args.apply:
        from .calibrate.apply import apply_preset

        path = apply_preset(config, outcome)
        print(f"Wrote the preset 'calibrated' to {path} (use it: --preset calibrated)")
    return 0
