"""Generated parts of docs/validation.md: the facts (from facts.toml) and the latest battery.

    python -m supportnet.experiments.facts.docs                 # rewrite the facts section
    python -m supportnet.experiments.facts.docs --check         # exit 1 if it is out of date
    python -m supportnet.experiments.facts.docs --results DIR   # also paste DIR's verdict table

The facts section is regenerated from the declarations, so the docs never describe a fact
differently from the battery that runs it. The results section is pasted from a finished battery
(its facts.json and manifest): the command, commit, machine and date travel with the table.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from ..files import write_text
from .declare import Battery, load_battery

__all__ = ["DOC", "facts_section", "main", "results_section"]

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"
FACTS = ("<!-- facts:start (generated from facts.toml; do not edit) -->", "<!-- facts:end -->")
RESULTS = ("<!-- results:start (pasted from a battery's facts.json) -->", "<!-- results:end -->")


def _num(x) -> str:
    from .output import _fmt

    return "-" if x is None else _fmt(float(x))


def facts_section(battery: Battery) -> str:
    """Markdown for every fact: claim, source, why it matters, how it is measured, its targets."""
    out = []
    for f in battery.facts:
        s = battery.settings[f.setting]
        arms = ""
        if len(f.arms) > 1:
            parts = []
            for a in f.arms:
                change = ", ".join(
                    [f"`{k}` = {v}" for k, v in a.set.items()]
                    + [f"`{k}` x {v:.3g}" for k, v in a.scale.items()]
                )
                parts.append(f"`{a.name}` ({change or 'as the setting'})")
            arms = " Arms: " + "; ".join(parts) + "."
        out += [
            f"### {f.id}: {f.title}",
            "",
            f"**Claim.** {f.claim}",
            "",
            f"**Source.** {f.source}",
            "",
            f"**Why it matters.** {f.why}",
            "",
            f"**How it is measured.** {f.method} Measure `{f.measure}` "
            f"(`supportnet.analysis.measures`) on setting `{f.setting}`: {s.label}; burn-in "
            f"{s.burn_in} steps, {s.measure_steps} steps measured, {s.seeds} seeds.{arms}",
            "",
        ]
        for r in f.requires:
            cond = f">= {r.at_least:g}" if r.at_least is not None else f"<= {r.at_most:g}"
            out.append(f"- Measurable only if `{r.stat}` {cond} ({r.why}).")
        if f.requires:
            out.append("")
        out += ["| check | read in | target | published |", "|---|---|---|---|"]
        for c in f.checks:
            if c.contrast:
                where = f"`{c.contrast[0]}` minus `{c.contrast[1]}`, seed by seed"
            elif c.ratio:
                where = f"`{c.ratio[0]}` / `{c.ratio[1]}` (ratio of means)"
            else:
                where = f"`{c.stat}`" + (f" in `{c.arm}`" if c.arm else "")
            pub = _num(c.published) if math.isfinite(c.published) else ""
            out.append(f"| {c.label} | {where} | {c.target_text()} | {pub} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def results_section(folder: Path) -> str:
    """Markdown of a finished battery: how it was run, the verdict table, the forest plot."""
    data = json.loads((folder / "report" / "facts.json").read_text(encoding="utf-8"))
    prov = data.get("provenance") or {}
    p = prov.get("provenance") or {}
    sessions = prov.get("sessions") or [{}]
    last = sessions[-1]
    git = p.get("git") or {}
    counts = data["summary"]
    settings = data["battery"]["settings"]
    seeds = ", ".join(f"{k}: {v['seeds']}" for k, v in settings.items())
    lines = [
        f"Command: `{' '.join(last.get('command') or ['supportnet', 'facts'])}`  ",
        f"Commit: `{(git.get('commit') or 'unknown')[:12]}`"
        + (" (with uncommitted changes)" if git.get("dirty") else "")
        + "  ",
        f"Machine: {p.get('host', '?')}, {p.get('cpus', '?')} CPUs, {p.get('platform', '')}  ",
        f"Date: {last.get('started', '?')} (ended {last.get('ended', '?')}); "
        f"executor: {last.get('executor', '?')}  ",
        f"Seeds per setting: {seeds}",
        "",
        f"**{counts.get('pass', 0)} pass, {counts.get('fail', 0)} fail, "
        f"{counts.get('not measurable', 0)} not measurable** (of {len(data['facts'])} facts).",
        "",
        "| fact | verdict | check | target | measured (95% CI) | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for f in data["facts"]:
        for i, c in enumerate(f["checks"]):
            lo, hi = c["ci"]
            est = "-" if c["mean"] is None else f"{_num(c['mean'])} [{_num(lo)}, {_num(hi)}]"
            head = (f"**{f['id']}**", f["verdict"]) if i == 0 else ("", "")
            lines.append(
                f"| {head[0]} | {head[1]} | {c['label']} | {c['target_text']} | {est} | "
                f"{c['verdict']} |"
            )
    lines.append("")
    for f in data["facts"]:
        if f["verdict"] != "pass" and f["reason"]:
            lines.append(f"- **{f['id']}**: {f['verdict']}: {f['reason']}")
    return "\n".join(lines) + "\n"


def _replace(text: str, markers: tuple[str, str], body: str) -> str:
    start, end = markers
    i, j = text.index(start) + len(start), text.index(end)
    return text[:i] + "\n" + body + text[j:]


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or check) docs/validation.md."""
    parser = argparse.ArgumentParser(prog="python -m supportnet.experiments.facts.docs")
    parser.add_argument("--check", action="store_true", help="exit 1 if the facts are out of date")
    parser.add_argument("--results", metavar="DIR", help="paste this battery's verdict table")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    new = _replace(text, FACTS, facts_section(load_battery()))
    if args.results:
        new = _replace(new, RESULTS, results_section(Path(args.results)))
    if args.check:
        if new != text:
            print(f"{DOC} is out of date: run `python -m supportnet.experiments.facts.docs`")
            return 1
        return 0
    write_text(DOC, new)
    print(f"{DOC}: updated")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
