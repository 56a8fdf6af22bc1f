"""What each lesson's worksheet tells students they will see, as checks on the model.

A :class:`Claim` is one sentence of a worksheet's answer key with the number behind it: a
quantity computed from one seed's towns (:mod:`.towns`), the sign it must have in (nearly)
every seed, and a rough size for its mean across seeds. ``make lessons`` evaluates every claim
over the lessons' seeds and writes the numbers into the answer keys; the test suite evaluates
them over a few seeds, so a model change that breaks a lesson fails CI.

The sizes are deliberately rough (about half to twice the value measured when the lesson was
written): a lesson teaches a direction and an order of magnitude, not a third decimal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["CLAIMS", "Claim", "ClaimResult", "evaluate"]

Measures = Mapping[str, float]


@dataclass(frozen=True)
class Claim:
    """One thing a worksheet says students will see.

    Attributes:
        lesson: The lesson it belongs to (``buffering``, ``loneliness``, ``interventions``).
        key: Short name, unique within the lesson; the answer key's tables use it.
        says: The sentence as the answer key states it.
        value: The quantity, from one seed's measures.
        sign: +1 if it must be positive in a seed, -1 negative.
        min_share: Share of seeds in which it must have that sign (1.0: every seed).
        low: Lowest mean across seeds that still tells the lesson's story.
        high: Highest such mean.
    """

    lesson: str
    key: str
    says: str
    value: Callable[[Measures], float]
    sign: int
    low: float
    high: float
    min_share: float = 1.0


@dataclass(frozen=True)
class ClaimResult:
    """A claim evaluated over seeds."""

    claim: Claim
    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        """Mean across seeds."""
        return float(np.mean(self.values))

    @property
    def ci(self) -> tuple[float, float]:
        """95% t interval of the mean across seeds (the mean twice with one seed)."""
        from scipy import stats

        n = len(self.values)
        if n < 2:
            return self.mean, self.mean
        half = stats.t.ppf(0.975, n - 1) * float(np.std(self.values, ddof=1)) / math.sqrt(n)
        return self.mean - half, self.mean + half

    @property
    def share(self) -> float:
        """Share of seeds in which the quantity has the claimed sign."""
        return float(np.mean([np.sign(v) == self.claim.sign for v in self.values]))

    @property
    def holds(self) -> bool:
        """True when the sign holds in enough seeds and the mean is within the rough size."""
        c = self.claim
        return self.share >= c.min_share and c.low <= self.mean <= c.high

    def why_not(self) -> str:
        """One line on what failed ('' when it holds)."""
        c = self.claim
        if self.holds:
            return ""
        return (
            f"{c.lesson}/{c.key}: {c.says!r}: mean {self.mean:.4g} (allowed {c.low:g} to "
            f"{c.high:g}), right sign in {self.share:.0%} of {len(self.values)} seeds "
            f"(needs {c.min_share:.0%}); values {[round(v, 4) for v in self.values]}"
        )


def _diff(a: str, b: str) -> Callable[[Measures], float]:
    return lambda m: m[a] - m[b]


def _ratio_excess(a: str, b: str) -> Callable[[Measures], float]:
    """How much larger a is than b (a / b - 1)."""
    return lambda m: m[a] / m[b] - 1


#: Lesson 3's arms with an intervention.
ARMS = (
    "peer_groups",
    "professional_personalised",
    "professional_generic",
    "community",
    "outreach",
    "online",
    "respite",
)
OTHER_ARMS = {arm: tuple(a for a in ARMS if a != arm) for arm in ARMS}


def _arm_effect(measure: str, arm: str) -> Callable[[Measures], float]:
    return lambda m: m[f"{measure}_{arm}"] - m[f"{measure}_none"]


BUFFERING = (
    Claim(
        "buffering",
        "harm_high",
        "With many life events, town B (no buffering) ends up more depressed than town A: "
        "B - A mean depression is positive.",
        _diff("mean_depression_high_B", "mean_depression_high_A"),
        +1,
        0.04,
        0.16,
    ),
    Claim(
        "buffering",
        "harm_low",
        "With few life events, B - A mean depression is positive but small.",
        _diff("mean_depression_low_B", "mean_depression_low_A"),
        +1,
        0.01,
        0.07,
    ),
    Claim(
        "buffering",
        "more_under_stress",
        "Support protects more when stress is high: B - A is larger with many life events than "
        "with few (the difference of the two differences is positive).",
        lambda m: (
            (m["mean_depression_high_B"] - m["mean_depression_high_A"])
            - (m["mean_depression_low_B"] - m["mean_depression_low_A"])
        ),
        +1,
        0.02,
        0.12,
    ),
    Claim(
        "buffering",
        "cases_high",
        "With many life events, B has more depression cases than A (B - A case share, in "
        "points of the share).",
        _diff("case_prevalence_high_B", "case_prevalence_high_A"),
        +1,
        0.08,
        0.35,
    ),
    Claim(
        "buffering",
        "protected_high",
        "Who is protected: with many life events, in town A the third of people with the least "
        "perceived support are more depressed than the third with the most, by more than in "
        "town B: buffering protects the well supported most (A's gap minus B's gap).",
        _diff("gap_high_A", "gap_high_B"),
        +1,
        0.02,
        0.15,
    ),
    Claim(
        "buffering",
        "gap_small_low",
        "With few life events the gap between the least and the most supported is smaller "
        "than with many (in town A: many-events gap minus few-events gap is positive).",
        _diff("gap_high_A", "gap_low_A"),
        +1,
        0.04,
        0.2,
    ),
)

LONELINESS = (
    Claim(
        "loneliness",
        "periphery",
        "Lonely people have fewer ties: in town A the lonely have fewer ties on average than "
        "the others (lonely's mean ties / others' - 1 is negative).",
        _ratio_excess("ties_lonely_A", "ties_others_A"),
        -1,
        -0.6,
        -0.2,
    ),
    Claim(
        "loneliness",
        "contagion_share",
        "Contagion makes loneliness more common: B - A lonely share is positive.",
        _diff("lonely_B", "lonely_A"),
        +1,
        0.03,
        0.16,
    ),
    Claim(
        "loneliness",
        "contagion_clusters",
        "Contagion makes lonely people's neighbours more alike: B - A loneliness similarity of "
        "neighbours is positive.",
        _diff("similarity_B", "similarity_A"),
        +1,
        0.03,
        0.16,
        min_share=0.8,
    ),
    Claim(
        "loneliness",
        "withdrawal_share",
        "Withdrawal makes loneliness more common: with withdrawal switched off, fewer people "
        "are lonely (A without withdrawal - A is negative).",
        _diff("lonely_A_nowithdrawal", "lonely_A"),
        -1,
        -0.16,
        -0.04,
    ),
    Claim(
        "loneliness",
        "clusters_without_contagion",
        "Loneliness clusters even where it cannot spread: in town A (no contagion) the "
        "similarity of neighbours is above zero.",
        lambda m: m["similarity_A"],
        +1,
        0.07,
        0.3,
    ),
    Claim(
        "loneliness",
        "distance_one",
        "Having a lonely contact raises the chance of being lonely (excess risk at distance 1, "
        "across towns, is positive; single towns vary a lot).",
        lambda m: m["excess_d1_A"],
        +1,
        0.1,
        1.0,
        min_share=0.6,
    ),
    Claim(
        "loneliness",
        "distance_two",
        "Unlike the Framingham study, the model's clustering stops at one step: the excess risk "
        "at distance 2 is below that at distance 1.",
        _diff("excess_d2_A", "excess_d1_A"),
        -1,
        -1.5,
        -0.2,
        min_share=0.8,
    ),
)

INTERVENTIONS = (
    Claim(
        "interventions",
        "town_depression_small",
        "No intervention moves the town's mean depression by much: the largest change (any "
        "arm) is under 0.01 on the 0-1 scale (largest absolute arm - none).",
        lambda m: max(abs(_arm_effect("mean_depression", arm)(m)) for arm in ARMS),
        +1,
        0.001,
        0.012,
    ),
    Claim(
        "interventions",
        "peer_support",
        "Peer support groups raise perceived support (arm - none).",
        _arm_effect("mean_perceived_support", "peer_groups"),
        +1,
        0.012,
        0.06,
    ),
    Claim(
        "interventions",
        "peer_support_most",
        "... more than any other intervention does (peer groups' rise minus the largest other).",
        lambda m: (
            _arm_effect("mean_perceived_support", "peer_groups")(m)
            - max(_arm_effect("mean_perceived_support", a)(m) for a in OTHER_ARMS["peer_groups"])
        ),
        +1,
        0.002,
        0.04,
        min_share=0.8,
    ),
    Claim(
        "interventions",
        "peer_lonely",
        "Peer support groups lower the lonely share.",
        _arm_effect("lonely_fraction", "peer_groups"),
        -1,
        -0.04,
        -0.005,
        min_share=0.8,
    ),
    Claim(
        "interventions",
        "targeting_lonely_support",
        "Targeting: peer groups aimed at the most lonely raise perceived support at least as "
        "much as aimed at the most stressed (the default; most lonely - most stressed).",
        _diff(
            "mean_perceived_support_peer_groups_most_lonely", "mean_perceived_support_peer_groups"
        ),
        +1,
        0.0,
        0.03,
        min_share=0.75,
    ),
    Claim(
        "interventions",
        "targeting_lonely_share",
        "... but lower the lonely share less (the most lonely's fall in lonely share minus the "
        "most stressed's is positive: a smaller fall).",
        _diff("lonely_fraction_peer_groups_most_lonely", "lonely_fraction_peer_groups"),
        +1,
        0.003,
        0.04,
        min_share=0.75,
    ),
    Claim(
        "interventions",
        "targeting_random",
        "Peer groups at random still raise perceived support (arm - none).",
        _arm_effect("mean_perceived_support", "peer_groups_random"),
        +1,
        0.01,
        0.06,
    ),
    Claim(
        "interventions",
        "community_support",
        "Community programmes raise perceived support too.",
        _arm_effect("mean_perceived_support", "community"),
        +1,
        0.006,
        0.04,
    ),
    Claim(
        "interventions",
        "professional_need",
        "Professional help lowers unmet need in most towns (personalised; one town in eight "
        "or so shows no fall: six clients at a time are few in a town of 400).",
        _arm_effect("unmet_need", "professional_personalised"),
        -1,
        -0.06,
        -0.004,
        min_share=0.6,
    ),
    Claim(
        "interventions",
        "professional_generic_need",
        "Professional help lowers unmet need (generic).",
        _arm_effect("unmet_need", "professional_generic"),
        -1,
        -0.05,
        -0.007,
    ),
    Claim(
        "interventions",
        "respite_burnout",
        "Respite for carers lowers the share of burnt-out givers (arm - none).",
        _arm_effect("burnt_out_givers", "respite"),
        -1,
        -0.12,
        -0.025,
    ),
    Claim(
        "interventions",
        "respite_burnout_most",
        "... more than any other intervention does (respite's fall minus the largest other).",
        lambda m: (
            _arm_effect("burnt_out_givers", "respite")(m)
            - min(_arm_effect("burnt_out_givers", a)(m) for a in OTHER_ARMS["respite"])
        ),
        -1,
        -0.1,
        -0.01,
        min_share=0.8,
    ),
    Claim(
        "interventions",
        "respite_stress",
        "Respite for carers lowers mean stress.",
        _arm_effect("mean_stress", "respite"),
        -1,
        -0.03,
        -0.004,
    ),
)

#: Every claim, by lesson.
CLAIMS: Mapping[str, tuple[Claim, ...]] = {
    "buffering": BUFFERING,
    "loneliness": LONELINESS,
    "interventions": INTERVENTIONS,
}


def evaluate(lesson: str, measures: Sequence[Measures]) -> list[ClaimResult]:
    """Evaluate every claim of ``lesson`` on the measures of each seed (one mapping per seed)."""
    return [ClaimResult(c, tuple(float(c.value(m)) for m in measures)) for c in CLAIMS[lesson]]
