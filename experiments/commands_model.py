"""Commands about the model itself: ``supportnet run``, ``params`` and ``presets``."""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

from supportnet import metrics
from supportnet.params import (
    GROUPS,
    PARAMETERS,
    PRESETS,
    coerce_text,
    describe_compare,
    make_params,
    parameter_table,
    preset,
)
from supportnet.resources import check_memory

from .cli import UserError, positive_int, whole_number
from .tables import check_table_path, write_table

__all__ = ["parse_settings", "register", "run_summary"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the run, params and presets commands."""
    p = sub.add_parser(
        "run",
        help="run one simulation and print a summary",
        description="Run one simulation and print a readable summary of what happened.",
    )
    p.add_argument("--preset", metavar="NAME", help=f"start from a preset ({', '.join(PRESETS)})")
    p.add_argument(
        "--set",
        dest="settings",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="set a parameter (repeatable); `supportnet params` lists them",
    )
    p.add_argument("--steps", type=positive_int, default=200, help="steps to run (default 200)")
    p.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    p.add_argument(
        "--network", metavar="FILE", help="start from a network file (edge list, GraphML, GML)"
    )  # noqa: E501
    p.add_argument("--out", metavar="PATH", help="write the per-step table (.csv or .parquet)")
    p.add_argument(
        "--intervention",
        dest="interventions",
        metavar="KIND:NAME=VALUE,...",
        action="append",
        default=[],
        help="add an intervention (repeatable), e.g. peer_groups:budget=20,start=50; kinds: "
        "peer_groups, professional, community, outreach, online, respite "
        "(docs/interventions.md lists their settings); it adds to a preset's interventions, "
        "and replaces the preset's one of the same kind",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("params", help="print the parameter table (name, default, bounds, meaning)")
    p.add_argument("--group", choices=GROUPS, help="only this group")
    p.add_argument("--markdown", action="store_true", help="print a markdown table")
    p.set_defaults(func=cmd_params)

    p = sub.add_parser("presets", help="list the scenario presets with their stories")
    p.set_defaults(func=cmd_presets)


#: An argparse type: a random seed (numpy takes any whole number of 0 or more).
_seed = whole_number(0, "a whole number >= 0")


def parse_settings(settings: list[str]) -> dict[str, Any]:
    """Turn ``NAME=VALUE`` strings into typed parameter values (validated later as a whole)."""
    values: dict[str, Any] = {}
    for item in settings:
        if "=" not in item:
            raise UserError(f"--set {item!r}: expected NAME=VALUE, e.g. --set stressor_rate=0.1")
        name, text = item.split("=", 1)
        values[name.strip()] = coerce_text(name.strip(), text)
    return values


def cmd_run(args: argparse.Namespace) -> int:
    """Run one simulation, print its summary, optionally write the per-step table."""
    from supportnet import SupportModel

    chosen = preset(args.preset) if args.preset else None
    values: dict[str, Any] = dict(chosen.values) if chosen else {}
    values.update(parse_settings(args.settings))
    if args.network:
        values["network"] = "file"
        values["network_file"] = args.network
    if args.out:
        try:
            check_table_path(args.out)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    from supportnet.interventions import build, parse_spec

    given = [parse_spec(text) for text in args.interventions]
    # The preset's interventions, then --intervention's; one given for a preset's kind replaces it.
    kinds = {spec["kind"] for spec in given}
    from_preset = [
        dict(s) for s in (chosen.interventions if chosen else ()) if s["kind"] not in kinds
    ]
    interventions = [build(spec) for spec in from_preset + given]
    params = make_params(values)
    for iv in interventions:
        iv.check_params(params)
    n_people, ties = None, 0
    if params.network == "file":
        from supportnet.generators import read_network_file

        net = read_network_file(params.network_file)
        n_people, ties = net.n, len(net.u)
    check_memory(params, args.steps, n_people=n_people, ties=ties)
    if chosen is not None and chosen.compare is not None:
        print(
            f"Preset {chosen.name} compares two towns ({describe_compare(chosen.compare)}) in the "
            "dashboard's Compare tab; this run is town A alone."
        )
    started = time.perf_counter()
    model = SupportModel(rng=args.seed, interventions=interventions, params=params)
    model.run_for(args.steps)
    elapsed = time.perf_counter() - started
    print(run_summary(model, preset_name=args.preset, seed=args.seed, elapsed=elapsed))
    for iv in interventions:
        print(intervention_summary(iv))
    if args.out:
        df = model.dataframe()
        path = write_table(df, args.out)
        print(f"Wrote {len(df)} rows x {df.shape[1]} columns to {path}")
    return 0


def intervention_summary(iv) -> str:
    """Return one line on what an intervention did in a finished run."""
    st = iv.status()
    extra = {k: v for k, v in st.items() if k not in ("kind", "acted_steps", "spent", "reached")}
    more = "".join(f", {k.replace('_', ' ')} {v:,}" for k, v in extra.items())
    return (
        f"Intervention {iv.kind} ({iv.targeting}, budget {iv.budget:g}/step from step "
        f"{iv.start}): acted {st['acted_steps']} steps, spent {st['spent']:,.0f} units, "
        f"reached {st['reached']:,} people{more}"
    )


def _fmt(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def run_summary(
    model, preset_name: str | None = None, seed: int | None = None, elapsed=None
) -> str:  # noqa: E501
    """Return a readable summary of a finished run: outcomes, network change, analyses."""
    from supportnet.analysis import buffering_estimate, loneliness_by_distance

    df = model.dataframe()
    first, last = df.iloc[0], df.iloc[-1]
    changed = model.params.changed()
    lines = [
        f"SupportNet run: {model.steps} steps, {model.n_people} people, seed {seed}"
        + (f", preset {preset_name}" if preset_name else ""),
    ]
    if changed:
        lines.append(
            "Parameters changed from defaults: " + ", ".join(f"{k}={v}" for k, v in changed.items())
        )  # noqa: E501
    for note in model.network_report:
        lines.append(f"Network: {note}")
    lines.append("")
    lines.append(f"{'measure':<26}{'start':>9}{'final':>9}{'mean':>9}")
    rows = (
        ("stress", metrics.MEAN_STRESS),
        ("depression", metrics.MEAN_DEPRESSION),
        ("loneliness", metrics.MEAN_LONELINESS),
        ("perceived support", metrics.MEAN_PERCEIVED_SUPPORT),
        ("capacity", metrics.MEAN_CAPACITY),
        ("case prevalence", metrics.CASE_PREVALENCE),
        ("lonely fraction", metrics.LONELY_FRACTION),
        ("unmet need", metrics.UNMET_NEED),
        ("asked for help (share)", metrics.ASKED_FRACTION),
        ("support given per step", metrics.SUPPORT_GIVEN),
        ("burnt-out givers (share)", metrics.BURNT_OUT),
    )
    if metrics.MOOD_MEASURES[0] in df.columns:  # the SISa mood layer is on
        rows += tuple((f"{m.split('_')[0]} (SISa share)", m) for m in metrics.MOOD_MEASURES)
    for label, col in rows:
        lines.append(
            f"{label:<26}{_fmt(first[col]):>9}{_fmt(last[col]):>9}{_fmt(df[col].iloc[1:].mean()):>9}"
        )  # noqa: E501
    lines.append("")
    lines.append(
        f"Network ({model.params.network}): ties {int(first[metrics.TIES]):,} -> {int(last[metrics.TIES]):,}; "  # noqa: E501
        f"mean degree {first[metrics.MEAN_DEGREE]:.1f} -> {last[metrics.MEAN_DEGREE]:.1f}; "
        f"formed {int(df[metrics.TIES_FORMED].sum()):,}, ended {int(df[metrics.TIES_ENDED].sum()):,}; "  # noqa: E501
        f"clustering {_fmt(first[metrics.CLUSTERING])} -> {_fmt(last[metrics.CLUSTERING])}; "
        f"isolates {int(first[metrics.ISOLATES])} -> {int(last[metrics.ISOLATES])}"
    )
    kinds = ", ".join(
        f"{name.removeprefix('support_via_')} {df[name].sum():.1f}"
        for name in metrics.SUPPORT_BY_KIND
        if df[name].sum() > 0
    )
    if kinds:
        lines.append(f"Support given by tie kind (total): {kinds}")
    if model.panel and len(model.panel) > 2:
        b = buffering_estimate(model)
        lines.append(
            "Buffering estimate (stress x perceived support on depression change): "
            f"{b.interaction:+.5f} [95% CI {b.ci_low:+.5f}, {b.ci_high:+.5f}]"
        )
    corr = loneliness_by_distance(model)
    lines.append(
        "Loneliness correlation by distance: "
        + ", ".join(f"{d}: {_fmt(r)}" for d, r in corr.items())
    )
    if elapsed is not None:
        lines.append(f"Ran in {elapsed:.1f} s")
    return "\n".join(lines)


def cmd_params(args: argparse.Namespace) -> int:
    """Print the parameter table."""
    groups = (args.group,) if args.group else GROUPS
    print(parameter_table(groups, markdown=args.markdown), end="")
    if not args.markdown:
        print(f"\n{len(PARAMETERS)} parameters. Set one with: supportnet run --set NAME=VALUE")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    """List the presets."""
    for p in PRESETS.values():
        print(f"{p.name}: {p.title}")
        print(f"  {p.story}")
        if p.values:
            print("  " + ", ".join(f"{k}={v}" for k, v in p.values.items()))
        if p.carries():
            print(f"  Also sets {p.carries()}.")
        print()
    return 0
