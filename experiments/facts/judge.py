"""Judging the facts: each check's mean over seeds, its 95% interval, and a verdict.

Statistics are computed per run (:mod:`.execute`); here they are pooled over seeds (replications).
A statistic read in one arm gives a t interval of its mean over seeds; a contrast of two arms is
their difference seed by seed (common random numbers), with a t interval; a ratio of two statistics
is the ratio of their means over seeds, with a 95% percentile bootstrap interval over seeds
(seeded, so the same results give the same interval).

Check verdicts (see the header of ``facts.toml`` for the targets):
``pass``; ``fail`` (the mean is outside the band, or a null is not null); ``uncertain`` (the mean is
inside the band but the interval crosses its edge: more seeds may settle it); ``no effect`` (a
directional target whose interval contains 0); ``opposite`` (the whole interval on the wrong side);
``not measurable`` (no estimate: the reason says why). A fact passes when every check passes; it is
not measurable when a requirement fails (or a check has no estimate); otherwise it fails.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..stats import mean_ci
from .declare import Battery, Check, Fact, Requirement

__all__ = ["CheckResult", "FactResult", "judge_check", "judge_facts", "verdict_of"]

PASS, FAIL, UNCERTAIN, NO_EFFECT, OPPOSITE, NOT_MEASURABLE = (
    "pass", "fail", "uncertain", "no effect", "opposite", "not measurable",
)  # fmt: skip
BOOTSTRAP = 2000


@dataclass
class CheckResult:
    """A check's estimate over seeds and its verdict.

    Attributes:
        check: The declared check.
        mean: Mean over seeds (ratio of means for a ratio).
        lo: Lower end of the 95% interval.
        hi: Upper end.
        n: Seeds that gave an estimate.
        verdict: See the module docstring.
        reason: Why, in words.
        values: The per-seed values (for a ratio: the numerator's and denominator's).
    """

    check: Check
    mean: float
    lo: float
    hi: float
    n: int
    verdict: str
    reason: str = ""
    values: list[float] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain data for facts.json."""
        c = self.check
        return {
            "label": c.label,
            "stat": c.stat,
            "ratio": list(c.ratio) if c.ratio else None,
            "arm": c.arm,
            "contrast": list(c.contrast) if c.contrast else None,
            "target": {"kind": c.kind, "low": _nan_none(c.low), "high": _nan_none(c.high)},
            "target_text": c.target_text(),
            "published": _nan_none(c.published),
            "mean": _nan_none(self.mean),
            "ci": [_nan_none(self.lo), _nan_none(self.hi)],
            "n_seeds": self.n,
            "verdict": self.verdict,
            "reason": self.reason,
        }


@dataclass
class FactResult:
    """A fact's verdict with its checks.

    Attributes:
        fact: The declared fact.
        verdict: ``pass``, ``fail`` or ``not measurable``.
        reason: Why, in words ('' for a pass).
        checks: The checks' results, in declaration order.
        requirements: (requirement, mean over seeds, holds) for each requirement.
        seeds: Replications with at least one finished run.
        runs: Finished runs behind the fact.
        failed_runs: Runs of the fact's arms that failed.
    """

    fact: Fact
    verdict: str
    reason: str
    checks: list[CheckResult]
    requirements: list[tuple[Requirement, float, bool]]
    seeds: int
    runs: int
    failed_runs: int = 0

    def as_dict(self) -> dict:
        """Plain data for facts.json."""
        f = self.fact
        return {
            "id": f.id,
            "title": f.title,
            "claim": f.claim,
            "source": f.source,
            "setting": f.setting,
            "measure": f.measure,
            "verdict": self.verdict,
            "reason": self.reason,
            "seeds": self.seeds,
            "runs": self.runs,
            "failed_runs": self.failed_runs,
            "requirements": [
                {
                    "stat": r.stat,
                    "at_least": r.at_least,
                    "at_most": r.at_most,
                    "mean": _nan_none(m),
                    "holds": ok,
                    "why": r.why,
                }
                for r, m, ok in self.requirements
            ],
            "checks": [c.as_dict() for c in self.checks],
        }


def _nan_none(x: float | None):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)


def verdict_of(check: Check, mean: float, lo: float, hi: float, n: int) -> tuple[str, str]:
    """Return (verdict, reason) of ``check`` for an estimate and its interval.

    Examples:
        >>> from supportnet.experiments.facts.declare import Check
        >>> band = Check("x", "x", None, None, None, "band", 0.25, 1.0)
        >>> verdict_of(band, 0.5, 0.4, 0.6, 10)[0], verdict_of(band, 0.5, 0.2, 0.6, 10)[0]
        ('pass', 'uncertain')
        >>> below = Check("b", "b", None, None, None, "below", 0.0, math.nan)
        >>> verdict_of(below, -0.1, -0.3, 0.1, 10)[0], verdict_of(below, 0.2, 0.1, 0.3, 10)[0]
        ('no effect', 'opposite')
    """
    if n == 0 or not math.isfinite(mean):
        return NOT_MEASURABLE, "no run gave an estimate"
    if n < 2 or not (math.isfinite(lo) and math.isfinite(hi)):
        return NOT_MEASURABLE, "one seed only: no interval (use --seeds 2 or more)"
    ci = f"95% CI [{lo:.3g}, {hi:.3g}]"
    k, x = check.kind, check.low
    if k == "band":
        if lo >= check.low and hi <= check.high:
            return PASS, ""
        if mean < check.low or mean > check.high:
            return FAIL, f"{mean:.3g} is outside {check.target_text()}"
        return (
            UNCERTAIN,
            f"{ci} crosses the edge of {check.target_text()} (more seeds may settle it)",
        )
    if k in ("above", "below"):
        good, bad = (lo > x, hi < x) if k == "above" else (hi < x, lo > x)
        if good:
            return PASS, ""
        if bad:
            if x == 0:
                return OPPOSITE, f"{ci}: the effect goes the other way"
            return FAIL, f"{ci} is {'below' if k == 'above' else 'above'} {x:g}"
        if x == 0:
            return NO_EFFECT, f"{ci} contains 0"
        return UNCERTAIN, f"{ci} contains {x:g} (more seeds may settle it)"
    if k == "not_above":
        if lo > x:
            return FAIL, f"{ci}: it rises"
        return PASS, ""
    # null
    if lo <= 0.0 <= hi:
        return PASS, ""
    return FAIL, f"{ci} excludes 0: an effect where the switch is off"


def _bootstrap_ratio(num: np.ndarray, den: np.ndarray, seed: Sequence[int]) -> tuple[float, float]:
    rng = np.random.default_rng(list(seed))
    idx = rng.integers(0, len(num), (BOOTSTRAP, len(num)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = num[idx].mean(axis=1) / den[idx].mean(axis=1)
    ratios = ratios[np.isfinite(ratios)]
    if len(ratios) < BOOTSTRAP // 2:
        return math.nan, math.nan
    lo, hi = np.percentile(ratios, [2.5, 97.5])
    return float(lo), float(hi)


def _series(rows: pd.DataFrame, arm: str, column: str) -> pd.Series:
    """Per replication, the value of ``column`` in ``arm`` (NaN where missing)."""
    sub = rows[rows["arm"] == arm]
    if column not in sub.columns:
        return pd.Series(dtype=float)
    return pd.to_numeric(sub.set_index("replication")[column], errors="coerce")


ENSEMBLE_BOOTSTRAP = 200


def _ensemble(check, rows, arm, steps_of, seed) -> tuple[float, float, float, int, list[float]]:
    """An ensemble statistic over the arm's runs, with a percentile bootstrap over runs."""
    from supportnet.analysis.stationarity import ensemble_burn_in

    funcs = {"burn_in": ensemble_burn_in}
    ids = list(rows[rows["arm"] == arm].sort_values("replication")["run_id"])
    if not ids or steps_of is None:
        return math.nan, math.nan, math.nan, 0, []
    steps = steps_of(ids)
    tables = [steps[steps["run_id"] == i].drop(columns="run_id") for i in ids]
    f = funcs[check.stat]
    value = f(tables)
    if len(tables) < 2:
        return value, math.nan, math.nan, len(tables), [value]
    rng = np.random.default_rng(list(seed))
    boot = [f([tables[j] for j in rng.integers(0, len(tables), len(tables))])
            for _ in range(ENSEMBLE_BOOTSTRAP)]  # fmt: skip
    boot = np.array([b for b in boot if math.isfinite(b)])
    if len(boot) < ENSEMBLE_BOOTSTRAP // 2:
        return value, math.nan, math.nan, len(tables), [value]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return value, float(lo), float(hi), len(tables), [value]


def judge_check(
    check: Check,
    fact: Fact,
    rows: pd.DataFrame,
    arm_of: Mapping[tuple[str, str], str],
    battery_seed: int = 0,
    steps_of=None,
) -> CheckResult:
    """Pool one check's statistic over seeds and judge it.

    Args:
        check: The check.
        fact: Its fact.
        rows: Summary rows of the fact's setting (columns run_id, arm, replication, and
            ``<measure>.<stat>``).
        arm_of: Run arm of each (fact id, fact arm name).
        battery_seed: Seed of the bootstrap for ratios (with the fact and check).
        steps_of: Loads the per-step tables of run ids (one frame with ``run_id``), for ensemble
            statistics (None: they are not measurable).
    """
    m = fact.measure
    unmeasurable = _unmeasurable(rows, m)
    if unmeasurable:
        return CheckResult(check, math.nan, math.nan, math.nan, 0, NOT_MEASURABLE, unmeasurable)
    missing = [] if check.ensemble else [s for s in check.stats if f"{m}.{s}" not in rows.columns]
    if missing and len(rows):
        reason = f"the measure '{m}' gives no statistic {missing[0]!r}"
        return CheckResult(check, math.nan, math.nan, math.nan, 0, NOT_MEASURABLE, reason)
    if check.ensemble:
        arm = arm_of[(fact.id, check.arm or fact.arms[0].name)]
        key = zlib.crc32(f"{fact.id}/{check.label}".encode())
        mean, lo, hi, n, vals = _ensemble(check, rows, arm, steps_of, (battery_seed, key))
        verdict, reason = verdict_of(check, mean, lo, hi, n)
        return CheckResult(check, mean, lo, hi, n, verdict, reason, vals)
    if check.contrast:
        a = _series(rows, arm_of[(fact.id, check.contrast[0])], f"{m}.{check.stat}")
        b = _series(rows, arm_of[(fact.id, check.contrast[1])], f"{m}.{check.stat}")
        values = (a - b).dropna()
        mean, lo, hi, n = mean_ci(values.to_numpy())
        vals = values.tolist()
    elif check.ratio:
        arm = arm_of[(fact.id, check.arm or fact.arms[0].name)]
        num = _series(rows, arm, f"{m}.{check.ratio[0]}")
        den = _series(rows, arm, f"{m}.{check.ratio[1]}")
        both = pd.concat([num, den], axis=1).dropna()
        n = len(both)
        vals = both.to_numpy().ravel().tolist()
        if n == 0:
            mean = lo = hi = math.nan
        else:
            x, y = both.iloc[:, 0].to_numpy(), both.iloc[:, 1].to_numpy()
            mean = float(x.mean() / y.mean()) if y.mean() != 0 else math.nan
            key = zlib.crc32(f"{fact.id}/{check.label}".encode())
            lo, hi = _bootstrap_ratio(x, y, (battery_seed, key)) if n >= 2 else (math.nan,) * 2
    else:
        arm = arm_of[(fact.id, check.arm or fact.arms[0].name)]
        values = _series(rows, arm, f"{m}.{check.stat}").dropna()
        mean, lo, hi, n = mean_ci(values.to_numpy())
        vals = values.tolist()
    verdict, reason = verdict_of(check, mean, lo, hi, n)
    return CheckResult(check, mean, lo, hi, n, verdict, reason, vals)


def _unmeasurable(rows: pd.DataFrame, measure: str) -> str:
    col = f"{measure}.unmeasurable"
    if col not in rows.columns:
        return ""
    reasons = rows[col].dropna()
    reasons = reasons[reasons.astype(str) != ""]
    return str(reasons.iloc[0]) if len(reasons) else ""


def judge_facts(
    battery: Battery,
    facts: Sequence[Fact],
    summary: pd.DataFrame,
    arm_of: Mapping[tuple[str, str], str],
    failures: Sequence[Mapping] = (),
    steps_of=None,
) -> list[FactResult]:
    """Judge ``facts`` on the battery's summary rows (one per finished run).

    Args:
        battery: The battery.
        facts: The facts to judge.
        summary: Summary rows of the finished runs.
        arm_of: Run arm of each (fact id, fact arm name).
        failures: Failed runs (dicts with ``run_id``), to say how many a fact lost.
        steps_of: Loads the per-step tables of run ids (one frame with ``run_id``), for ensemble
            statistics (None: they are not measurable).
    """
    failed_ids = {f.get("run_id", "") for f in failures}
    out = []
    for fact in facts:
        arms = {arm_of[(fact.id, a.name)] for a in fact.arms}
        if len(summary):
            rows = summary[(summary["setting"] == fact.setting) & summary["arm"].isin(arms)]
        else:
            rows = pd.DataFrame(columns=["run_id", "setting", "arm", "replication"])
        failed = sum(
            1 for r in failed_ids if r.startswith(f"{fact.setting}-") and r.rsplit("-r", 1)[0]
            in {f"{fact.setting}-{a}" for a in arms}
        )  # fmt: skip
        checks = [judge_check(c, fact, rows, arm_of, battery.seed, steps_of) for c in fact.checks]
        reqs = []
        first = arm_of[(fact.id, fact.arms[0].name)]
        for r in fact.requires:
            s = _series(rows, first, f"{fact.measure}.{r.stat}").dropna()
            mean = float(s.mean()) if len(s) else math.nan
            reqs.append((r, mean, r.holds(mean)))
        verdict, reason = _fact_verdict(checks, reqs, _unmeasurable(rows, fact.measure))
        if failed:
            reason = (reason + "; " if reason else "") + f"{failed} run(s) failed (see failures/)"
        out.append(
            FactResult(
                fact=fact,
                verdict=verdict,
                reason=reason,
                checks=checks,
                requirements=reqs,
                seeds=int(rows["replication"].nunique()) if len(rows) else 0,
                runs=len(rows),
                failed_runs=failed,
            )
        )
    return out


def _fact_verdict(checks, reqs, unmeasurable: str) -> tuple[str, str]:
    if unmeasurable:
        return NOT_MEASURABLE, unmeasurable
    broken = [(r, m) for r, m, ok in reqs if not ok]
    if broken:
        text = "; ".join(
            f"{r.why or r.stat} ({r.stat} = {m:.3g})" if math.isfinite(m) else (r.why or r.stat)
            for r, m in broken
        )
        return NOT_MEASURABLE, text
    if all(c.verdict == PASS for c in checks):
        return PASS, ""
    bad = [c for c in checks if c.verdict not in (PASS, NOT_MEASURABLE)]
    if bad:
        return FAIL, "; ".join(f"{c.check.label}: {c.verdict}" for c in bad)
    missing = [c for c in checks if c.verdict == NOT_MEASURABLE]
    return NOT_MEASURABLE, "; ".join(f"{c.check.label}: {c.reason}" for c in missing)
