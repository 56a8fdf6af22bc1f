"""Trade-offs between facts: one parameter over a range of values, every check against its band.

When no value of a parameter meets two facts at once (raising the weight of loneliness in
depression lifts the lagged effect into its band and the cross-sectional correlation out of its),
the honest report is a figure of both checks along the parameter, not one value that hides it.
This module runs the battery (``supportnet facts --only ... --set NAME=VALUE``) once per value,
each in a folder of its own under ``out`` (so an interrupted trade-off resumes like a battery),
collects every check's mean and 95% interval, and draws one panel per check with its target band.

Usage::

    python -m supportnet.experiments.facts.tradeoff loneliness_weight 0.1,0.2,0.3
        --only prevalence,lonely-depressed --seeds 4 --out results/tradeoff-lw

(one command line)

writes ``out/tradeoff.csv`` (one row per value and check) and ``out/tradeoff.png``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..files import atomic_path
from .figures import VERDICT_COLOURS

__all__ = ["checks_of", "collect", "main", "plot", "run_battery", "run_tradeoff"]

_BAND = "#a6dba0"


def _folder(out: Path, name: str, value: str) -> Path:
    return out / f"{name}={value}"


def run_tradeoff(
    name: str,
    values: Sequence[str],
    only: str,
    out: Path,
    *,
    seeds: int | None = None,
    quick: bool = False,
    workers: int | None = None,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Run the battery's ``only`` facts at each value of parameter ``name``; return the checks.

    Args:
        name: The parameter varied.
        values: Its values, as they would be written on the command line.
        only: Comma-separated fact ids.
        out: Folder; each value's battery goes to ``out/NAME=VALUE``.
        seeds: Seeds per fact (default: as declared).
        quick: The battery's quick mode (plumbing, not verdicts).
        workers: Local worker processes.
        extra: Further ``supportnet facts`` arguments (e.g. ``--set other=1``).

    Returns:
        The table of :func:`collect`.

    Raises:
        SystemExit: With the battery's exit status if a battery is refused (bad parameter or
            value: its one-line message is already printed).
    """
    for value in values:
        print(f"{name} = {value}", flush=True)
        args = ["--set", f"{name}={value}", *extra]
        run_battery(
            only, _folder(out, name, value), args, seeds=seeds, quick=quick, workers=workers
        )
    return collect(name, values, out)


def run_battery(
    only: str,
    folder: Path,
    args: Sequence[str] = (),
    *,
    seeds: int | None = None,
    quick: bool = False,
    workers: int | None = None,
    force: bool = False,
) -> None:
    """Run ``supportnet facts --only ONLY --out FOLDER ARGS...`` (resuming what is there).

    With ``force`` the battery accepts a folder holding another battery's results (e.g. with
    fewer seeds) and keeps the runs that did not change.

    Raises:
        SystemExit: With the battery's exit status if it is refused (its one-line message is
            already printed).
    """
    from ..cli import main as cli_main

    argv = ["facts", "--only", only, "--no-progress", "--out", str(folder), *args]
    if seeds is not None:
        argv += ["--seeds", str(seeds)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    if quick:
        argv.append("--quick")
    if force:
        argv.append("--force")
    code = cli_main(argv)
    if code not in (0, None):
        raise SystemExit(code)


def checks_of(folder: Path) -> list[dict]:
    """Every check of the battery in ``folder`` (its ``report/facts.json``), one dict each.

    Keys: ``fact``, ``check``, ``mean``, ``lo``, ``hi`` (NaN when not measured), ``verdict``,
    ``target`` (in words), ``low``, ``high``, ``kind`` (the target's) and ``seeds``.
    """
    report = json.loads((folder / "report" / "facts.json").read_text())
    rows = []
    for fact in report["facts"]:
        for check in fact["checks"]:
            target = check["target"]
            lo, hi = check["ci"] if check.get("ci") else (math.nan, math.nan)
            rows.append(
                {
                    "fact": fact["id"],
                    "check": check["label"],
                    "mean": math.nan if check["mean"] is None else check["mean"],
                    "lo": math.nan if lo is None else lo,
                    "hi": math.nan if hi is None else hi,
                    "verdict": check["verdict"],
                    "target": check["target_text"],
                    "low": target.get("low", target.get("value")),
                    "high": target.get("high"),
                    "kind": target["kind"],
                    "seeds": check.get("n_seeds"),
                }
            )
    return rows


def collect(name: str, values: Sequence[str], out: Path) -> pd.DataFrame:
    """Read each value's ``report/facts.json``: one row per value and check."""
    rows = []
    for value in values:
        for row in checks_of(_folder(out, name, value)):
            rows.append({"parameter": name, "value": float(value), **row})
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, path: Path, *, title: str | None = None) -> Path:
    """One panel per check: mean and 95% interval along the parameter, target band shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    checks = list(dict.fromkeys(zip(table["fact"], table["check"], strict=True)))
    cols = min(3, len(checks))
    rows = math.ceil(len(checks) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    name = table["parameter"].iloc[0]
    for ax, (fact, label) in zip(axes.flat, checks, strict=False):
        part = table[(table["fact"] == fact) & (table["check"] == label)].sort_values("value")
        first = part.iloc[0]
        low, high, kind = first["low"], first["high"], first["kind"]
        if kind == "band":
            ax.axhspan(low, high, color=_BAND, alpha=0.6, lw=0, label="target band")
        elif low is not None and not (isinstance(low, float) and math.isnan(low)):
            ax.axhline(low, color=_BAND, lw=3, label=f"target {first['target']}")
        ax.plot(part["value"], part["mean"], color="#444444", lw=1)
        for _, r in part.iterrows():
            colour = VERDICT_COLOURS.get(r["verdict"], "#444444")
            ax.errorbar(
                r["value"], r["mean"], yerr=[[r["mean"] - r["lo"]], [r["hi"] - r["mean"]]],
                fmt="o", color=colour, capsize=3,
            )  # fmt: skip
        ax.set_title(f"{fact}: {label}", fontsize=9)
        ax.set_xlabel(name)
        ax.legend(fontsize=7, loc="best")
    for ax in list(axes.flat)[len(checks) :]:
        ax.set_visible(False)
    fig.suptitle(title or f"Checks along {name} (mean and 95% interval over seeds)", fontsize=10)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(
        prog="python -m supportnet.experiments.facts.tradeoff",
        description="Run facts of the battery at several values of one parameter and draw "
        "each check against its target band along the parameter.",
    )
    ap.add_argument("parameter", help="the parameter varied")
    ap.add_argument("values", help="its values, comma-separated")
    ap.add_argument("--only", required=True, metavar="ID,...", help="facts to run")
    ap.add_argument("--seeds", type=int, metavar="N", help="seeds per fact")
    ap.add_argument("--workers", type=int, metavar="N", help="local worker processes")
    ap.add_argument("--quick", action="store_true", help="the battery's quick mode")
    ap.add_argument("--out", type=Path, required=True, metavar="DIR", help="results folder")
    args = ap.parse_args(argv)
    values = [v.strip() for v in args.values.split(",") if v.strip()]
    try:
        [float(v) for v in values]
    except ValueError:
        ap.error(f"values: {args.values!r} is not a comma-separated list of numbers")
    table = run_tradeoff(
        args.parameter, values, args.only, args.out,
        seeds=args.seeds, quick=args.quick, workers=args.workers,
    )  # fmt: skip
    with atomic_path(args.out / "tradeoff.csv") as tmp:
        table.to_csv(tmp, index=False)
    plot(table, args.out / "tradeoff.png")
    print(f"wrote {args.out / 'tradeoff.csv'} and {args.out / 'tradeoff.png'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
