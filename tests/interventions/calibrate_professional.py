"""Re-measure the calibration of professional help: personalised vs generic, Hedges' g.

Not a test (it takes minutes): run it after changing the model or the professional defaults,
and update docs/interventions.md with what it prints.

    python -m tests.interventions.calibrate_professional [SEEDS] [--set name=value ...]

A twin trial (supportnet.interventions.trial) in the baseline population: the professional service
opens at step 50 with a budget of 150 units per step (30 places, two professionals), default
settings otherwise; the first wave of clients (the 30 most stressed who take up a place) is
compared at the end of their course with the same people in an identical run without the service.
The ratio's 95% interval comes from a bootstrap over seeds (people within a seed share a town).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from supportnet.interventions.trial import TRIAL_OUTCOMES, hedges_g, trial_samples

SPEC = {"kind": "professional", "start": 50, "budget": 150}


def main() -> None:
    """Run both modes and print g per outcome and the personalised/generic ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seeds", nargs="?", type=int, default=40, help="seeds (run pairs) per mode")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a professional setting, e.g. capacity=8")  # fmt: skip
    args = ap.parse_args()
    from supportnet.interventions import coerce_setting

    extra = {}
    for item in args.set:
        name, value = item.split("=", 1)
        extra[name] = coerce_setting("professional", name, value)
    started = time.perf_counter()
    data = {}
    for mode in ("personalised", "generic"):
        data[mode] = trial_samples({**SPEC, **extra, "matching": mode}, seeds=range(args.seeds))
    print(f"professional help, {args.seeds} seeds per mode, settings {extra or 'default'}")
    for mode, (t, c, _, lag) in data.items():
        cells = []
        for o in TRIAL_OUTCOMES:
            g, lo, hi = hedges_g(t[o], c[o], paired=True)
            cells.append(f"{o} g = {g:.3f} [{lo:.3f}, {hi:.3f}]")
        print(f"  {mode:<13} n = {len(t['depression'])}, at {lag} steps: " + "; ".join(cells))
    ratio = _ratio(data, np.arange(args.seeds))
    rng = np.random.default_rng(0)
    boot = [_ratio(data, rng.choice(args.seeds, args.seeds)) for _ in range(400)]
    lo, hi = np.nanpercentile(boot, [2.5, 97.5])
    print(
        f"  ratio personalised/generic (depression): {ratio:.2f} [bootstrap 95%: {lo:.2f}, {hi:.2f}]"
    )
    print(f"  ({time.perf_counter() - started:.0f} s)")


def _ratio(data, seeds: np.ndarray) -> float:
    gs = []
    for mode in ("personalised", "generic"):
        t, c, seed_of, _ = data[mode]
        idx = np.concatenate([np.flatnonzero(seed_of == s) for s in seeds])
        gs.append(hedges_g(t["depression"][idx], c["depression"][idx])[0])
    return gs[0] / gs[1] if gs[1] else float("nan")


if __name__ == "__main__":
    main()
