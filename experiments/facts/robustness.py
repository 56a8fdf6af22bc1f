"""Robustness of the verdicts: the same facts at another burn-in, in other towns, at other sizes.

A pattern that holds only at one run length, one set of seeds or one town size does not hold. This
module runs the battery (``supportnet facts --only ...``) once per variant of how it is run, each
in a folder of its own under ``out`` (so an interrupted check resumes like a battery), and lays
every check's verdict side by side:

- ``declared``: the facts as declared (their settings' burn-in, the default town, the battery's
  seed);
- ``burn-in-N``: every setting measured after N steps instead (``--burn-in``; default 800, where
  the default town's loneliness has finished its warm-up, docs/validation.md);
- ``other-towns``: another battery seed (``--seed``), so other towns of the same parameters;
- ``town-N``: a town of N people (``--sizes``), with the community groups scaled to keep the
  default town's people per group (the neighbourhoods keep their size, a parameter).

Usage::

    python -m supportnet.experiments.facts.robustness --only prevalence,layers --seeds 10
        --out results/robustness

(one command line) writes ``out/robustness.csv`` (one row per variant and check),
``out/robustness.md`` (the checks against the variants) and ``out/robustness.png``.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..files import atomic_path, write_text
from .figures import VERDICT_COLOURS
from .tradeoff import checks_of, run_battery

__all__ = ["Variant", "collect", "main", "markdown", "plot", "run_robustness", "variants"]

#: The battery seed of the ``other-towns`` variant (any seed other than the declared one).
OTHER_SEED = 31337


@dataclass(frozen=True)
class Variant:
    """One way of running the battery.

    Attributes:
        name: Folder name and column heading.
        label: What it changes, in words.
        args: Further ``supportnet facts`` arguments.
    """

    name: str
    label: str
    args: tuple[str, ...] = ()


def variants(
    *, burn_in: int | None = 800, seed: int | None = OTHER_SEED, sizes: Sequence[int] = (500, 2000)
) -> list[Variant]:
    """The variants: as declared, then each change alone (None or empty leaves one out)."""
    out = [Variant("declared", "as declared")]
    if burn_in is not None:
        out.append(
            Variant(
                f"burn-in-{burn_in}", f"measured after {burn_in} steps", ("--burn-in", str(burn_in))
            )
        )
    if seed is not None:
        out.append(Variant("other-towns", f"other towns (seed {seed})", ("--seed", str(seed))))
    from supportnet.params import scaled_town

    for size in sizes:
        town = scaled_town(size)
        args = tuple(a for k, v in town.items() for a in ("--set", f"{k}={v}"))
        label = f"a town of {size:,} ({town['n_groups']} groups)"
        out.append(Variant(f"town-{size}", label, args))
    return out


def run_robustness(
    chosen: Sequence[Variant],
    only: str,
    out: Path,
    *,
    seeds: int | None = None,
    quick: bool = False,
    workers: int | None = None,
    force: bool = False,
) -> pd.DataFrame:
    """Run the battery's ``only`` facts in each variant; return the checks (:func:`collect`).

    ``force`` lets each battery take over its folder when it was run another way before (more
    seeds than last time, say), keeping the runs that did not change.

    Raises:
        SystemExit: With the battery's exit status if a battery is refused (its one-line
            message is already printed).
    """
    for v in chosen:
        print(f"{v.name}: {v.label}", flush=True)
        run_battery(
            only, out / v.name, v.args, seeds=seeds, quick=quick, workers=workers, force=force
        )
    return collect(chosen, out)


def collect(chosen: Sequence[Variant], out: Path) -> pd.DataFrame:
    """Read each variant's ``report/facts.json``: one row per variant and check."""
    rows = []
    for v in chosen:
        for row in checks_of(out / v.name):
            rows.append({"variant": v.name, "label": v.label, **row})
    return pd.DataFrame(rows)


def _cell(r) -> str:
    if r["mean"] is None or (isinstance(r["mean"], float) and math.isnan(r["mean"])):
        return r["verdict"]
    text = f"{r['mean']:.3g}"
    if not math.isnan(r["lo"]):
        text += f" [{r['lo']:.3g}, {r['hi']:.3g}]"
    verdict = r["verdict"] if r["verdict"] == "pass" else f"**{r['verdict']}**"
    return f"{text} {verdict}"


def markdown(table: pd.DataFrame) -> str:
    """The checks (rows) against the variants (columns): mean [95% CI] and verdict."""
    names = list(dict.fromkeys(table["variant"]))
    labels = dict(zip(table["variant"], table["label"], strict=True))
    checks = list(dict.fromkeys(zip(table["fact"], table["check"], table["target"], strict=True)))
    lines = ["| fact | check | target | " + " | ".join(labels[n] for n in names) + " |"]
    lines.append("|---" * (3 + len(names)) + "|")
    for fact, check, target in checks:
        part = table[(table["fact"] == fact) & (table["check"] == check)].set_index("variant")
        cells = [_cell(part.loc[n]) if n in part.index else "–" for n in names]
        lines.append(f"| {fact} | {check} | {target} | " + " | ".join(cells) + " |")
    facts = table.groupby(["variant", "fact"], sort=False)["verdict"]
    held = (
        facts.apply(lambda v: (v == "pass").all()).groupby(level=0, sort=False).agg(["sum", "size"])
    )
    lines.append("")
    lines += [
        f"- {labels[n]}: {int(held.loc[n, 'sum'])} of {int(held.loc[n, 'size'])} facts pass"
        for n in names
    ]
    return "\n".join(lines) + "\n"


def plot(table: pd.DataFrame, path: Path) -> Path:
    """A grid of checks against variants, each cell coloured by its verdict."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    names = list(dict.fromkeys(table["variant"]))
    checks = list(dict.fromkeys(zip(table["fact"], table["check"], strict=True)))
    fig, ax = plt.subplots(figsize=(4.0 + 1.3 * len(names), 1.0 + 0.3 * len(checks)))
    grey = to_rgb("#eeeeee")
    image = [[grey] * len(names) for _ in checks]
    for i, (fact, check) in enumerate(checks):
        for j, n in enumerate(names):
            hit = table[
                (table["fact"] == fact) & (table["check"] == check) & (table["variant"] == n)
            ]
            if len(hit):
                r = hit.iloc[0]
                image[i][j] = to_rgb(VERDICT_COLOURS.get(r["verdict"], "#eeeeee"))
                text = "" if math.isnan(r["mean"]) else f"{r['mean']:.3g}"
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white")
    ax.imshow(image, aspect="auto")
    from matplotlib.patches import Patch

    shown = list(dict.fromkeys(table["verdict"]))
    handles = [Patch(color=VERDICT_COLOURS.get(v, "#eeeeee"), label=v) for v in shown]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.04),
        ncol=len(handles),
        fontsize=8,
    )
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(checks)), [f"{f}: {c}" for f, c in checks], fontsize=7)
    ax.set_title(
        "Each check's verdict when the battery is run another way (mean over seeds)", fontsize=9
    )
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png", bbox_inches="tight")
    plt.close(fig)
    return path


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of whole numbers"
        ) from None
    if any(s < 2 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: a town needs at least 2 people")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: see the module docstring."""
    from ..cli import whole_number

    count = whole_number(1, "a whole number >= 1")
    ap = argparse.ArgumentParser(
        prog="python -m supportnet.experiments.facts.robustness",
        description="Run facts of the battery as declared, after another burn-in, in other towns "
        "and at other town sizes, and lay each check's verdict side by side.",
    )
    ap.add_argument("--only", required=True, metavar="ID,...", help="facts to run")
    ap.add_argument("--seeds", type=count, metavar="N", help="seeds per fact")
    ap.add_argument("--workers", type=count, metavar="N", help="local worker processes")
    ap.add_argument("--quick", action="store_true", help="the battery's quick mode")
    ap.add_argument(
        "--burn-in", type=whole_number(0, "a whole number >= 0"), default=800, metavar="STEPS",
        help="the burn-in of the burn-in variant (default 800)",
    )  # fmt: skip
    ap.add_argument(
        "--seed", type=whole_number(0, "a whole number >= 0"), default=OTHER_SEED, metavar="N",
        help=f"the battery seed of the other-towns variant (default {OTHER_SEED})",
    )  # fmt: skip
    ap.add_argument(
        "--sizes", type=_sizes, default=[500, 2000], metavar="N,...",
        help="town sizes of the size variants (default 500,2000; '' for none)",
    )  # fmt: skip
    ap.add_argument("--out", type=Path, required=True, metavar="DIR", help="results folder")
    ap.add_argument(
        "--force",
        action="store_true",
        help="let each battery take over a folder it ran another way (e.g. with fewer seeds)",
    )
    args = ap.parse_args(argv)
    chosen = variants(burn_in=args.burn_in, seed=args.seed, sizes=args.sizes)
    table = run_robustness(
        chosen, args.only, args.out,
        seeds=args.seeds, quick=args.quick, workers=args.workers, force=args.force,
    )  # fmt: skip
    with atomic_path(args.out / "robustness.csv") as tmp:
        table.to_csv(tmp, index=False)
    write_text(args.out / "robustness.md", markdown(table))
    plot(table, args.out / "robustness.png")
    print(markdown(table))
    print(f"wrote {args.out / 'robustness.csv'}, robustness.md and robustness.png")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
