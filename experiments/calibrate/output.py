"""What a calibration writes: the posterior, its summary, the predictive check, the report.

Files in the calibration folder:

- ``posterior.parquet``: the last generation's particles (values, weights, distances, estimates).
- ``predictive.parquet``: the posterior predictive draws (one row per draw, every check's estimate).
- ``report/report.md`` with ``marginals.png``, ``pairs.png``, ``predictive.png`` and
  ``generations.png``; ``report/summary.json`` with the same numbers as data.

A parameter counts as *identified* when its posterior 90% interval is less than half as wide as
its prior's (in the prior's own scale: log scale for a log-uniform prior), *weakly identified*
below 80%, and *loose* otherwise: the facts then leave it where the prior put it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..facts.figures import _pyplot, _save
from ..files import atomic_path
from .config import CalibrationConfig
from .evaluate import check_keys, meets_target

__all__ = [
    "parameter_summary",
    "predictive_table",
    "weighted_quantiles",
    "write_outputs",
]

#: Posterior 90% width over prior 90% width below which a parameter counts as identified / weakly.
IDENTIFIED, WEAKLY = 0.5, 0.8


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: Sequence[float]) -> list[float]:
    """Quantiles of ``x`` under weights ``w`` (linear in the cumulative weight at mid-points).

    Examples:
        >>> weighted_quantiles(np.array([1.0, 2.0, 3.0]), np.ones(3), [0.5])
        [2.0]
    """
    x, w = np.asarray(x, float), np.asarray(w, float)
    keep = np.isfinite(x)
    x, w = x[keep], w[keep]
    if len(x) == 0:
        return [math.nan] * len(qs)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order] / w[order].sum()
    mid = np.cumsum(w) - w / 2
    return [float(np.interp(q, mid, x)) for q in qs]


def parameter_summary(config: CalibrationConfig, particles: pd.DataFrame) -> pd.DataFrame:
    """Per free parameter: prior, posterior median and 90% interval, how well it is identified."""
    w = particles["weight"].to_numpy(float)
    rows = []
    for p in config.parameters:
        x = particles[p.name].to_numpy(float)
        q05, med, q95 = weighted_quantiles(x, w, [0.05, 0.5, 0.95])
        z05, z95 = weighted_quantiles(particles[f"z.{p.name}"].to_numpy(float), w, [0.05, 0.95])
        ratio = (z95 - z05) / 0.9
        status = (
            "identified" if ratio < IDENTIFIED else "weakly identified" if ratio < WEAKLY
            else "loose"
        )  # fmt: skip
        rows.append(
            {
                "parameter": p.name,
                "prior": f"{p.prior} [{p.low:g}, {p.high:g}]",
                "median": med,
                "q05": q05,
                "q95": q95,
                "width_ratio": ratio,
                "identification": status,
            }
        )
    return pd.DataFrame(rows)


def correlations(
    config: CalibrationConfig, particles: pd.DataFrame
) -> list[tuple[str, str, float]]:
    """Weighted correlations between free parameters (in the prior's scale), strongest first."""
    names = config.names
    if len(names) < 2 or len(particles) < 3:
        return []
    z = particles[[f"z.{n}" for n in names]].to_numpy(float)
    w = particles["weight"].to_numpy(float)
    w = w / w.sum()
    dev = z - w @ z
    cov = (dev * w[:, None]).T @ dev
    sd = np.sqrt(np.diag(cov))
    out = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            r = cov[i, j] / (sd[i] * sd[j]) if sd[i] > 0 and sd[j] > 0 else math.nan
            out.append((names[i], names[j], float(r)))
    return sorted(out, key=lambda x: -abs(x[2]) if math.isfinite(x[2]) else 0.0)


def predictive_table(config: CalibrationConfig, predictive: pd.DataFrame) -> pd.DataFrame:
    """Per check of every fitted and held-out fact: target, predicted interval, verdict.

    Verdicts: ``pass`` when the predicted 90% interval meets the target (lies in the band, or on
    the right side), ``fail`` when the predicted median does not, ``partly`` otherwise.
    """
    rows = []
    for key, fact, check in check_keys(config.battery.facts):
        col = f"stat.{key}"
        x = predictive[col].to_numpy(float) if col in predictive else np.array([])
        finite = x[np.isfinite(x)]
        if len(finite) == 0:
            q05 = med = q95 = math.nan
            share, verdict = math.nan, "not measurable"
        else:
            q05, med, q95 = (float(v) for v in np.quantile(finite, [0.05, 0.5, 0.95]))
            share = float(np.mean([meets_target(check, v) for v in x]))
            if check.kind == "null":
                ok_all, ok_mid = q05 <= 0 <= q95, abs(med) <= (q95 - q05) / 2
            elif check.kind == "band":
                ok_all = check.low <= q05 and q95 <= check.high
                ok_mid = meets_target(check, med)
            else:
                ok_all = meets_target(check, q05) and meets_target(check, q95)
                ok_mid = meets_target(check, med)
            verdict = "pass" if ok_all else "partly" if ok_mid else "fail"
        rows.append(
            {
                "fact": fact.id,
                "role": "fitted" if fact.id in config.fitted else "held out",
                "check": check.label,
                "target": check.target_text(),
                "q05": q05,
                "median": med,
                "q95": q95,
                "share_meeting": share,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def fact_verdicts(table: pd.DataFrame) -> dict[str, str]:
    """A fact's predictive verdict: pass if every check passes, fail if any fails, else partly."""
    out = {}
    for fid, sub in table.groupby("fact", sort=False):
        v = list(sub["verdict"])
        out[str(fid)] = (
            "pass" if all(x == "pass" for x in v) else "fail" if "fail" in v
            else "not measurable" if all(x == "not measurable" for x in v) else "partly"
        )  # fmt: skip
    return out


def _log_axis(ax, which: str) -> None:
    """A log axis with labels on the decades only (minor labels overlap at small sizes)."""
    from matplotlib.ticker import NullFormatter

    getattr(ax, f"set_{which}scale")("log")
    getattr(ax, f"{which}axis").set_minor_formatter(NullFormatter())


def _bins(p, n: int = 21):
    if p.prior == "loguniform":
        return np.geomspace(p.low, p.high, n)
    return np.linspace(p.low, p.high, n)


def marginals_figure(config, particles, path: Path, truth=None) -> Path:
    """Weighted histogram of each parameter over its prior range (truth: dashed lines)."""
    plt = _pyplot()
    n = len(config.parameters)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
    w = particles["weight"].to_numpy(float)
    for ax, p in zip(axes.ravel(), config.parameters, strict=False):
        x = particles[p.name].to_numpy(float)
        if p.prior == "loguniform":
            _log_axis(ax, "x")
        ax.hist(x, bins=_bins(p), weights=w, color="#4393c3", alpha=0.8)
        q05, med, q95 = weighted_quantiles(x, w, [0.05, 0.5, 0.95])
        ax.axvspan(q05, q95, color="#92c5de", alpha=0.3, label="90% interval")
        ax.axvline(med, color="#053061", label="median")
        if truth and p.name in truth:
            ax.axvline(truth[p.name], color="#c51b7d", ls="--", label="true value")
        ax.set_xlim(p.low, p.high)
        ax.set_title(p.name, fontsize=9)
        ax.set_yticks([])
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7)
    fig.suptitle("Posterior marginals over the prior range", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def pairs_figure(config, particles, path: Path, truth=None) -> Path:
    """Every pair of parameters: particles sized by weight (truth: a cross)."""
    plt = _pyplot()
    ps = config.parameters
    n = len(ps)
    fig, axes = plt.subplots(n, n, figsize=(2.3 * n + 0.5, 2.3 * n + 0.5), squeeze=False)
    w = particles["weight"].to_numpy(float)
    size = 60 * w / w.max()
    for i, pi in enumerate(ps):
        for j, pj in enumerate(ps):
            ax = axes[i, j]
            if i == j:
                ax.hist(particles[pi.name], bins=_bins(pi, 16), weights=w, color="#4393c3")
                ax.set_yticks([])
                if pi.prior == "loguniform":
                    _log_axis(ax, "x")
                ax.set_xlim(pi.low, pi.high)
            elif i > j:
                ax.scatter(particles[pj.name], particles[pi.name], s=size, color="#2166ac",
                           alpha=0.5, linewidths=0)  # fmt: skip
                if truth and pi.name in truth and pj.name in truth:
                    ax.plot(truth[pj.name], truth[pi.name], "x", color="#c51b7d", ms=9, mew=2)
                if pj.prior == "loguniform":
                    _log_axis(ax, "x")
                if pi.prior == "loguniform":
                    _log_axis(ax, "y")
                ax.set_xlim(pj.low, pj.high)
                ax.set_ylim(pi.low, pi.high)
            else:
                ax.axis("off")
            if i == n - 1:
                ax.set_xlabel(pj.name, fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(pi.name, fontsize=7)
            ax.tick_params(labelsize=6)
    fig.suptitle("Posterior: pairs (dot size = weight)", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


_COLOURS = {"pass": "#1b7837", "partly": "#d95f02", "fail": "#c51b7d", "not measurable": "#7f7f7f"}


def predictive_figure(config, table: pd.DataFrame, path: Path) -> Path:
    """One row per check: the target band (green) and the predicted 90% interval and median."""
    plt = _pyplot()
    n = len(table)
    fig, axes = plt.subplots(n, 1, figsize=(8, 0.55 * n + 0.8), squeeze=False)
    checks = {k: c for k, _f, c in check_keys(config.battery.facts)}
    for ax, (_, row) in zip(axes[:, 0], table.iterrows(), strict=True):
        c = checks[f"{row['fact']}: {row['check']}"]
        xs = [v for v in (row["q05"], row["q95"], c.low, c.high) if math.isfinite(v)]
        lo, hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
        pad = (hi - lo) * 0.15 or 0.1
        lo, hi = lo - pad, hi + pad
        if c.kind == "band":
            ax.axvspan(c.low, c.high, color="#a6dba0")
        elif c.kind == "above":
            ax.axvspan(c.low, hi, color="#a6dba0")
        elif c.kind in ("below", "not_above"):
            ax.axvspan(lo, c.low, color="#a6dba0")
        colour = _COLOURS.get(row["verdict"], "#7f7f7f")
        if math.isfinite(row["median"]):
            ax.plot([row["q05"], row["q95"]], [0, 0], color=colour, lw=2)
            ax.plot(row["median"], 0, "o", color=colour)
        ax.set_xlim(lo, hi)
        ax.set_yticks([])
        tag = "" if row["role"] == "fitted" else " [held out]"
        ax.set_title(f"{row['fact']}: {row['check']}{tag} - {row['verdict']}", fontsize=7,
                     loc="left", pad=2)  # fmt: skip
        ax.tick_params(labelsize=6)
    fig.suptitle("Posterior predictive check: target (green) vs predicted 90% interval", fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


def generations_figure(gens, path: Path) -> Path:
    """Threshold and acceptance rate per generation."""
    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 2.8))
    ts = [g.t for g in gens if g.meta["epsilon"] is not None]
    a.plot(ts, [g.meta["epsilon"] for g in gens if g.meta["epsilon"] is not None], "o-")
    a.set_xlabel("generation")
    a.set_ylabel("threshold (band widths)")
    b.plot([g.t for g in gens], [g.meta["acceptance"] for g in gens], "o-", color="#d95f02")
    b.set_xlabel("generation")
    b.set_ylabel("acceptance rate")
    fig.tight_layout()
    return _save(fig, path)


def _fmt(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x:.4g}"


def _markdown(config, outcome, summary, corr, table, verdicts) -> str:
    lines = [f"# Calibration: {config.title}", ""]
    lines.append(
        f"Config `{config.source}` (hash {config.hash()}), seed {config.seed}. Fitted facts: "
        f"{', '.join(config.fitted)}; held out: {', '.join(config.held_out) or 'none'}. "
        f"Stopped: {outcome.stopped}."
    )
    if config.budget:
        lines += ["", f"Budget: {config.budget}"]
    lines += ["", "## Generations", "",
              "| generation | threshold | proposals | accepted | acceptance | ESS | seconds |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for g in outcome.generations:
        m = g.meta
        eps = "inf (prior)" if m["epsilon"] is None else f"{m['epsilon']:.4g}"
        lines.append(
            f"| {g.t} | {eps} | {m['proposals']} | {m['accepted']} | {m['acceptance']:.3f} | "
            f"{m['ess']:.1f} | {m['seconds']:.0f} |"
        )
    lines += ["", "## Posterior", "",
              "| parameter | prior | median | 90% interval | posterior/prior width "
              "| identification |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for _, r in summary.iterrows():
        lines.append(
            f"| {r['parameter']} | {r['prior']} | {_fmt(r['median'])} | "
            f"[{_fmt(r['q05'])}, {_fmt(r['q95'])}] | {r['width_ratio']:.2f} | "
            f"{r['identification']} |"
        )
    strong = [c for c in corr if math.isfinite(c[2]) and abs(c[2]) >= 0.5]
    lines += ["", "Identified: the 90% interval is under half the prior's width; loose: over 80% "
              "(the facts leave it where the prior put it)."]  # fmt: skip
    if strong:
        lines += ["", "Trade-offs (posterior correlation, |r| >= 0.5): " + "; ".join(
            f"{a} / {b}: r = {r:.2f}" for a, b, r in strong)]  # fmt: skip
    lines += ["", "![marginals](marginals.png)", "", "![pairs](pairs.png)", ""]
    if len(table):
        lines += [
            "## Posterior predictive check", "",
            f"{config.abc.predictive} draws from the posterior, each simulated afresh (new seeds) "
            f"with {config.run.seeds} seed(s) per draw; the predicted 90% interval of each check "
            "against its target. pass: the interval meets the target; partly: only the median "
            "does; fail: the median does not.", "",
            "| fact | role | check | target | predicted median | predicted 90% | share meeting "
            "| verdict |",
            "|---|---|---|---|---|---|---|---|",
        ]  # fmt: skip
        for _, r in table.iterrows():
            lines.append(
                f"| {r['fact']} | {r['role']} | {r['check']} | {r['target']} | "
                f"{_fmt(r['median'])} | [{_fmt(r['q05'])}, {_fmt(r['q95'])}] | "
                f"{_fmt(r['share_meeting'])} | {r['verdict']} |"
            )
        roles = {k: "held out" if k in config.held_out else "fitted" for k in verdicts}
        facts = ", ".join(f"{k} ({roles[k]}): {v}" for k, v in verdicts.items())
        lines += ["", f"Facts: {facts}", "", "![predictive check](predictive.png)", ""]
    lines += ["![generations](generations.png)", ""]
    return "\n".join(lines)


def write_outputs(config: CalibrationConfig, outcome, figures: bool = True, truth=None) -> list:
    """Write the posterior, predictive draws, summary and (with ``figures``) the report."""
    folder = outcome.folder
    report = folder / "report"
    report.mkdir(parents=True, exist_ok=True)
    post = outcome.posterior.particles
    with atomic_path(folder / "posterior.parquet") as tmp:
        post.to_parquet(tmp, index=False)
    if len(outcome.predictive):
        with atomic_path(folder / "predictive.parquet") as tmp:
            outcome.predictive.to_parquet(tmp, index=False)
    summary = parameter_summary(config, post)
    corr = correlations(config, post)
    table = predictive_table(config, outcome.predictive) if len(outcome.predictive) else (
        pd.DataFrame())  # fmt: skip
    verdicts = fact_verdicts(table) if len(table) else {}
    data: dict[str, Any] = {
        "config_hash": config.hash(),
        "stopped": outcome.stopped,
        "generations": [g.meta for g in outcome.generations],
        "parameters": summary.to_dict("records"),
        "correlations": [{"a": a, "b": b, "r": r} for a, b, r in corr],
        "predictive": table.to_dict("records"),
        "fact_verdicts": verdicts,
    }
    with atomic_path(report / "summary.json") as tmp:
        tmp.write_text(json.dumps(data, indent=1, default=str))
    written = []
    if figures:
        written = [
            marginals_figure(config, post, report / "marginals.png", truth),
            pairs_figure(config, post, report / "pairs.png", truth),
            generations_figure(outcome.generations, report / "generations.png"),
        ]
        if len(table):
            written.append(predictive_figure(config, table, report / "predictive.png"))
    with atomic_path(report / "report.md") as tmp:
        tmp.write_text(_markdown(config, outcome, summary, corr, table, verdicts))
    return written
