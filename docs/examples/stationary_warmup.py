"""Where the default town's warm-up lives: in the starting network, not in the people's states.

The stationary fact (docs/validation.md) reads a burn-in of about 600-1,000 steps by MSER-5 on the
mean over towns, against a bound of 300. This script separates the two candidate sources. Each
town runs from the standard start for ``settle`` steps; then the town is copied. In one copy every
resident's stress, depression, loneliness and perceived support are replaced by a fresh draw of the
starting law, on the network the town has built by then (the **fresh states on a settled network**
arm, its steps counted from the redraw); the other copy runs on unchanged (the **standard start**
arm, steps counted from the start). Both copies share the random stream, so they differ only by the
redraw. Each arm's mean over towns is compared with the same level: the unchanged towns' mean over
the last quarter of their steps. If the warm-up were in the states, the fresh states would warm
up as slowly as the standard start; if it is in the starting network, they settle fast.

It also measures how stable the town's personal networks are, against the published figure: of the
ties each person present throughout holds at step ``settle - 364``, ranked by strength, the share
still held with the same person 364 steps (seven years) later (Mollenhorst, Volker & Flap 2014,
Social Networks 37: about half of the members of personal networks are still there after seven
years).

Usage::

    python docs/examples/stationary_warmup.py --seeds 20 --workers 2 --out DIR

Prints a table of each arm's deviation from the level (%) at a few steps, each arm's MSER-5
burn-in of the mean over towns, and the seven-year tie retention; writes ``DIR/warmup.png`` and
``DIR/warmup.parquet``.
"""

from __future__ import annotations

import argparse
import copy
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from supportnet import SupportModel
from supportnet.analysis.stationarity import HEADLINE, mser_burn_in
from supportnet.network import tie_keys
from supportnet.population import draw_population

STATES = ("stress", "depression", "loneliness", "perceived_support")
STANDARD = "standard start"
FRESH = "fresh states on a settled network"
YEAR_STEPS = 52
RETENTION_GAP = 7 * YEAR_STEPS
#: Ranks of a person's ties by strength compared with the published figure: the strongest 15 (the
#: sympathy group, contacted at least monthly; Mollenhorst et al. asked for the people one
#: discusses important matters with, gets practical help from, and meets often).
CORE_TIES = 15


def run_town(seed: int, settle: int, after: int, every: int, params: dict) -> tuple:
    """Run one town through both arms; return its series and its tie retention.

    Args:
        seed: The town's seed.
        settle: Steps from the standard start before the states are redrawn.
        after: Steps run after the redraw.
        every: Steps between recorded rows.
        params: Parameter overrides (e.g. ``n_people``).

    Returns:
        (rows, retention): one dict per recorded step (``arm``, ``step``, ``seed`` and the
        headline measures) and the seven-year retention of core ties (NaN when ``settle`` is
        shorter than seven years).
    """
    model = SupportModel(rng=seed, **params)
    rows = [_row(model, STANDARD, 0, seed)]
    snapshot = None
    for step in range(every, settle + 1, every):
        model.run_for(every)
        rows.append(_row(model, STANDARD, step, seed))
        if step == settle - RETENTION_GAP:
            snapshot = _tie_snapshot(model)
    if settle % every:
        model.run_for(settle % every)
    retention = _retention(model, snapshot) if snapshot is not None else float("nan")
    # The same town twice from here: unchanged (its level is the reference), and with its states
    # redrawn. The copy carries the random stream, so the two differ only by the redraw.
    twin = copy.deepcopy(model)
    _redraw_states(model, seed)
    rows.append(_row(model, FRESH, 0, seed))
    for step in range(every, after + 1, every):
        model.run_for(every)
        twin.run_for(every)
        rows.append(_row(model, FRESH, step, seed))
        rows.append(_row(twin, STANDARD, settle + step, seed))
    return rows, retention


def _row(model: SupportModel, arm: str, step: int, seed: int) -> dict:
    return {"arm": arm, "step": step, "seed": seed} | {k: model.measures[k] for k in HEADLINE}


def _redraw_states(model: SupportModel, seed: int) -> None:
    """Replace every resident's four states by a fresh draw of the starting law."""
    pop = model.population
    # A separate generator: the redraw must not move the model's own random stream.
    fresh = draw_population(model.params, pop.n, np.random.default_rng([seed, 999]))
    residents = ~pop.is_professional
    for name in STATES:
        getattr(pop, name)[residents] = getattr(fresh, name)[residents]


def _tie_snapshot(model: SupportModel) -> dict:
    """Each person's ties (both directions) with their strength rank, and who holds each row."""
    ties, pop = model.ties, model.population
    ego = np.concatenate([ties.u, ties.v]).astype(np.int64)
    alter = np.concatenate([ties.v, ties.u]).astype(np.int64)
    strength = np.concatenate([ties.strength, ties.strength])
    people = ~pop.is_professional
    keep = people[ego] & people[alter]
    ego, alter, strength = ego[keep], alter[keep], strength[keep]
    order = np.lexsort((-strength, ego))
    starts = np.searchsorted(ego[order], ego[order], side="left")
    rank = np.empty(len(ego), np.int64)
    rank[order] = np.arange(len(ego)) - starts
    return {"ego": ego, "alter": alter, "rank": rank, "arrived": pop.arrived.copy()}


def _retention(model: SupportModel, snap: dict) -> float:
    """Share of the core ties of people present throughout that are still held, same alter."""
    pop = model.population
    ego, alter = snap["ego"], snap["alter"]
    stayed = pop.arrived[ego] == snap["arrived"][ego]
    same_alter = pop.arrived[alter] == snap["arrived"][alter]
    held = np.isin(tie_keys(ego, alter), tie_keys(model.ties.u, model.ties.v)) & same_alter
    core = stayed & (snap["rank"] < CORE_TIES)
    return float(held[core].mean()) if core.any() else float("nan")


def level(table: pd.DataFrame) -> pd.Series:
    """The towns' steady level: the standard start's mean over towns in its last quarter.

    With ``settle`` = ``after`` (the defaults), that is the second half of the steps the unchanged
    towns run after the redraw.
    """
    mean = table[table.arm == STANDARD].groupby("step")[list(HEADLINE)].mean()
    return mean[mean.index >= 0.75 * mean.index.max()].mean()


def deviations(table: pd.DataFrame, at: list[int]) -> pd.DataFrame:
    """Each arm's mean over towns, as % deviation from :func:`level`, at the given steps."""
    mean = table.groupby(["arm", "step"])[list(HEADLINE)].mean()
    steady = level(table)
    out = []
    for arm in (STANDARD, FRESH):
        series = mean.loc[arm]
        for step in at:
            near = series[(series.index >= step - 20) & (series.index < step + 20)].mean()
            out.append({"arm": arm, "step": step} | ((near / steady - 1.0) * 100).to_dict())
    return pd.DataFrame(out).set_index(["arm", "step"])


def burn_ins(table: pd.DataFrame, every: int, horizon: int) -> pd.DataFrame:
    """MSER-5 burn-in (steps) of each arm's mean over towns, over its first ``horizon`` steps."""
    mean = table.groupby(["arm", "step"])[list(HEADLINE)].mean()
    out = {}
    for arm in mean.index.get_level_values(0).unique():
        series = mean.loc[arm]
        series = series[series.index <= horizon]
        out[arm] = {k: mser_burn_in(series[k].to_numpy())[0] * every for k in HEADLINE}
    return pd.DataFrame(out).T


def plot(table: pd.DataFrame, path: Path) -> None:
    """Draw the two arms' deviation from the level for three measures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mean = table.groupby(["arm", "step"])[list(HEADLINE)].mean()
    steady = level(table)
    shown = (("lonely_fraction", "lonely share"), ("mean_loneliness", "mean loneliness"),
             ("clustering", "clustering"))  # fmt: skip
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    for ax, (col, label) in zip(axes, shown, strict=True):
        ax.axhspan(-2, 2, color="0.9", label="within 2% of the level")
        for arm, colour in ((STANDARD, "C3"), (FRESH, "C0")):
            dev = (mean.loc[arm][col] / steady[col] - 1.0) * 100
            ax.plot(dev.index, dev.rolling(5, center=True, min_periods=1).mean(), color=colour,
                    label=arm)  # fmt: skip
        ax.axvline(300, color="0.4", ls=":", lw=1)
        ax.set_title(label)
        ax.set_xlabel("steps from the start, or from the redraw (weeks)")
        ax.set_ylim(-15, 6)
    axes[0].set_ylabel("% from the level (mean over towns)")
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(
        f"Warm-up: standard start vs fresh states on a settled network ({table.seed.nunique()} "
        "towns; dotted: the fact's 300-step bound)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    """Run the towns, print the tables and write the figure."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="towns (seeds 1..N)")
    ap.add_argument("--settle", type=int, default=1000, help="steps before the states are redrawn")
    ap.add_argument("--after", type=int, default=1000, help="steps after the redraw")
    ap.add_argument("--every", type=int, default=4, help="steps between recorded rows")
    ap.add_argument("--people", type=int, default=None, help="n_people (default: the model's)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    params = {} if a.people is None else {"n_people": a.people}
    seeds = range(1, a.seeds + 1)
    with ProcessPoolExecutor(max_workers=a.workers) as pool:
        done = list(
            pool.map(
                run_town, seeds, *[[x] * a.seeds for x in (a.settle, a.after, a.every, params)]
            )
        )
    table = pd.DataFrame([row for rows, _ in done for row in rows])
    retention = np.array([r for _, r in done])
    a.out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(a.out / "warmup.parquet")
    horizon = min(a.settle, a.after)
    at = [s for s in (60, 100, 200, 300, 400, 600) if s <= horizon]
    pd.set_option("display.width", 200)
    last = a.settle + a.after
    print(f"{a.seeds} towns; % deviation from the level (the unchanged towns' mean over steps "
          f"{int(0.75 * last)}-{last}):")  # fmt: skip
    print(deviations(table, at).round(1).to_string())
    print(f"\nMSER-5 burn-in (steps) of the mean over towns, first {horizon} steps of each arm:")
    print(burn_ins(table, a.every, horizon).round(0).to_string())
    if np.isfinite(retention).any():
        lo, hi = np.nanpercentile(retention, [2.5, 97.5]) if a.seeds > 1 else (np.nan, np.nan)
        print(f"\nCore ties (strongest {CORE_TIES}) still held after seven years, people present "
              f"throughout: {np.nanmean(retention):.3f} (towns {lo:.3f}-{hi:.3f}; published: "
              "about 0.5, Mollenhorst et al. 2014)")  # fmt: skip
    plot(table, a.out / "warmup.png")
    print(f"\nFigure: {a.out / 'warmup.png'}")


if __name__ == "__main__":
    main()
