"""What a battery writes: the verdict table (terminal and markdown), facts.json and figures.

Everything under ``DIR/report/`` is computed from the stored summary rows, so a resumed battery
writes the same table and the same facts.json (its ``provenance`` part aside: commit, dates,
command lines).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..files import write_text
from .declare import Battery
from .judge import FactResult
from .plan import Overrides

__all__ = ["FORMAT", "format_table", "write_report"]

#: Version of facts.json's layout.
FORMAT = 1

#: Headline series drawn for the stationarity fact.
TRAJECTORIES = (
    "mean_stress",
    "mean_depression",
    "mean_loneliness",
    "mean_perceived_support",
    "case_prevalence",
    "lonely_fraction",
    "mean_degree",
    "ties",
    "clustering",
)


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    if x != 0 and (abs(x) >= 1e4 or abs(x) < 1e-3):
        return f"{x:.2e}"
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def measured_text(c) -> str:
    """``mean [lo, hi]`` of a check, or ``-``."""
    if not math.isfinite(c.mean):
        return "-"
    if math.isfinite(c.lo) and math.isfinite(c.hi):
        return f"{_fmt(c.mean)} [{_fmt(c.lo)}, {_fmt(c.hi)}]"
    return _fmt(c.mean)


def format_table(results: Sequence[FactResult], width: int = 100) -> str:
    """The verdict table for the terminal: one line per fact, then one per check."""
    lines = []
    head = ("fact / check", "target", "measured [95% CI]", "verdict")
    rows: list[tuple[str, str, str, str]] = []
    for r in results:
        rows.append((r.fact.id, "", "", r.verdict.upper()))
        for c in r.checks:
            rows.append(("  " + c.check.label, c.check.target_text(), measured_text(c), c.verdict))
    w = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    w[0] = min(w[0], 48)
    lines.append("  ".join(h.ljust(w[i]) for i, h in enumerate(head)).rstrip())
    lines.append("  ".join("-" * x for x in w))
    for row in rows:
        first = row[0] if len(row[0]) <= w[0] else row[0][: w[0] - 1] + "…"
        cells = [first, *row[1:]]
        lines.append("  ".join(cells[i].ljust(w[i]) for i in range(4)).rstrip())
    counts = _counts(results)
    lines.append("")
    lines.append(
        f"{counts['pass']} pass, {counts['fail']} fail, {counts['not measurable']} not measurable "
        f"(of {len(results)} facts)"
    )
    for r in results:
        if r.reason and r.verdict != "pass":
            lines.append(f"  {r.fact.id}: {r.verdict}: {r.reason}")
    return "\n".join(lines)


def _counts(results: Sequence[FactResult]) -> dict[str, int]:
    out = {"pass": 0, "fail": 0, "not measurable": 0}
    for r in results:
        out[r.verdict] = out.get(r.verdict, 0) + 1
    return out


def _md(text: str) -> str:
    return str(text).replace("|", "\\|")


def source_name(battery: Battery) -> str:
    """The facts file as recorded: ``facts.toml (shipped)`` or the path given."""
    from .declare import FACTS_FILE

    if battery.source and Path(battery.source).resolve() == FACTS_FILE:
        return "facts.toml (shipped)"
    return battery.source


def _settings_as_run(battery: Battery, overrides: Overrides, used: set[str]) -> dict:
    out = {}
    for name, s in battery.settings.items():
        if name in used:
            r = overrides.setting(s)
            out[name] = {
                "label": r.label,
                "burn_in": r.burn_in,
                "measure_steps": r.measure_steps,
                "seeds": r.seeds,
                "every": r.every,
                "contact_window": r.contact_window,
            }
    return out


def write_report(
    folder: Path,
    battery: Battery,
    results: Sequence[FactResult],
    summary: pd.DataFrame,
    arm_of: Mapping[tuple[str, str], str],
    overrides: Overrides,
    runs: Sequence,
    store,
) -> tuple[Path, list[Path]]:
    """Write ``DIR/report/``: report.md, facts.json, facts.png and the per-fact figures.

    Returns:
        The report folder and the figures written.
    """
    from .figures import distance_figure, forest_plot, slopes_figure, trajectories_figure

    out = Path(folder) / "report"
    out.mkdir(parents=True, exist_ok=True)
    figures: list[Path] = [forest_plot(results, out / "facts.png")]
    per_fact: dict[str, Path] = {}
    for r in results:
        f = r.fact
        arms = {a.name: arm_of[(f.id, a.name)] for a in f.arms}
        rows = summary[(summary["setting"] == f.setting) & summary["arm"].isin(arms.values())]
        path = None
        if f.measure == "distance" and len(rows):
            path = distance_figure(rows, out / f"{f.id}.png")
        elif f.measure == "buffering" and len(rows):
            path = slopes_figure(rows, arms, out / f"{f.id}.png")
        elif f.measure == "stationarity" and len(rows):
            steps = store.steps(rows["run_id"])
            burn_in = next((x.burn_in for x in runs if x.setting == f.setting), 0)
            path = trajectories_figure(steps, TRAJECTORIES, burn_in, out / f"{f.id}.png")
        if path is not None:
            figures.append(path)
            per_fact[f.id] = path

    used = {r.fact.setting for r in results}
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    data = {
        "format": FORMAT,
        "battery": {
            "source": source_name(battery),
            "seed": overrides.battery_seed(battery),
            "overrides": overrides.as_dict(),
            "settings": _settings_as_run(battery, overrides, used),
            "facts": [r.fact.id for r in results],
        },
        "summary": _counts(results),
        "facts": [r.as_dict() for r in results],
        "provenance": {
            "config_hash": manifest.get("config_hash"),
            "provenance": manifest.get("provenance"),
            "sessions": manifest.get("sessions"),
        },
    }
    write_text(out / "facts.json", json.dumps(data, indent=2, allow_nan=False) + "\n")
    md = _markdown(battery, results, overrides, used, manifest, per_fact)
    write_text(out / "report.md", md)
    return out, figures


def _markdown(battery, results, overrides, used, manifest, per_fact) -> str:
    counts = _counts(results)
    prov = manifest.get("provenance") or {}
    git = prov.get("git") or {}
    sessions = manifest.get("sessions") or [{}]
    cmd = " ".join(sessions[-1].get("command") or []) or "supportnet facts"
    dirty = " (with uncommitted changes)" if git.get("dirty") else ""
    how = []
    if overrides.preset:
        how.append(f"preset `{overrides.preset}`")
    if overrides.set:
        how.append(", ".join(f"`{k} = {v}`" for k, v in overrides.set.items()))
    if overrides.quick:
        how.append("quick (fewer seeds, shorter runs: plumbing, not verdicts)")
    if overrides.burn_in is not None:
        how.append(f"every setting measured after a burn-in of {overrides.burn_in} steps")
    if overrides.seed is not None:
        how.append(f"battery seed {overrides.seed} (another set of towns)")
    lines = [
        "# Stylised facts battery",
        "",
        f"Command: `{cmd}`  ",
        f"Model: {'the defaults' if not how else '; '.join(how)}  ",
        f"Commit: {git.get('commit') or 'unknown'}{dirty}  ",
        f"Run: {sessions[-1].get('started', '')} on {prov.get('host', '?')} "
        f"({prov.get('cpus', '?')} CPUs, {prov.get('platform', '')})",
        "",
        f"**{counts['pass']} pass, {counts['fail']} fail, "
        f"{counts['not measurable']} not measurable** "
        f"(of {len(results)} facts). Each target is judged on the mean over seeds and its 95% "
        "interval: a check passes when the whole interval meets the target.",
        "",
        "![every check against its target](facts.png)",
        "",
        "| fact | check | target | measured (95% CI) | seeds | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        for i, c in enumerate(r.checks):
            fact = f"**{r.fact.id}** ({r.verdict})" if i == 0 else ""
            lines.append(
                f"| {fact} | {_md(c.check.label)} | {_md(c.check.target_text())} | "
                f"{measured_text(c)} | {c.n} | {c.verdict} |"
            )
    lines += ["", "## Settings", ""]
    for name, s in _settings_as_run(battery, overrides, used).items():
        lines.append(
            f"- `{name}`: {s['label']}. Burn-in {s['burn_in']} steps, then {s['measure_steps']} "
            f"steps measured; {s['seeds']} seeds; person snapshots every {s['every']} steps; "
            f"contact counted over the last {s['contact_window']} steps."
        )
    lines += ["", "## The facts", ""]
    for r in results:
        f = r.fact
        lines += [f"### {f.id}: {f.title} — {r.verdict}", ""]
        if r.reason:
            lines += [f"*{_md(r.reason)}*", ""]
        lines += [
            f"**Claim.** {f.claim}",
            "",
            f"**Source.** {f.source}",
            "",
            f"**How it is measured.** {f.method} Setting `{f.setting}`; {r.runs} runs, "
            f"{r.seeds} seeds.",
            "",
        ]
        for req, mean, ok in r.requirements:
            cond = f">= {req.at_least:g}" if req.at_least is not None else f"<= {req.at_most:g}"
            lines.append(
                f"- requires {req.stat} {cond}: {_fmt(mean)} ({'holds' if ok else 'does not hold'})"
            )
        for c in r.checks:
            extra = f" — {c.reason}" if c.reason else ""
            pub = f"; published {c.check.published:g}" if math.isfinite(c.check.published) else ""
            lines.append(
                f"- {c.check.label}: {measured_text(c)} against {c.check.target_text()}{pub}: "
                f"**{c.verdict}**{_md(extra)}"
            )
        if f.id in per_fact:
            lines += ["", f"![{f.id}]({per_fact[f.id].name})"]
        lines.append("")
    return "\n".join(lines)
