"""The towns each lesson's worksheet has students run, measured as the worksheet reads them.

One function per lesson takes a seed and runs every town that lesson's worksheet asks for, from
that lesson's preset (``supportnet.params.PRESETS["lesson_..."]``) with the one change the
worksheet makes, for as many steps as it tells students to play. It returns flat measures
(``name -> float``) that :mod:`.claims` checks and :mod:`.figures` draws. The towns of a pair
share the seed, as A and B do in the dashboard's Compare tab.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "BUFFERING_STEPS",
    "INTERVENTION_ARMS",
    "INTERVENTION_END",
    "INTERVENTION_START",
    "LONELINESS_STEPS",
    "buffering_towns",
    "intervention_towns",
    "loneliness_towns",
]

#: Steps students play in lesson 1 and lesson 2 (the worksheet's "play to step 300").
BUFFERING_STEPS = 300
LONELINESS_STEPS = 300
#: Lesson 3: interventions act from step 300 to step 400 (the preset's own settings).
INTERVENTION_START = 300
INTERVENTION_END = 400
#: The window students read: the last 100 steps of a run.
WINDOW = 100

#: Lesson 3's arms: name -> the intervention (kind and its own settings), None for no help.
INTERVENTION_ARMS: dict[str, dict[str, Any] | None] = {
    "none": None,
    "peer_groups": {"kind": "peer_groups"},
    "professional_personalised": {"kind": "professional", "matching": "personalised"},
    "professional_generic": {"kind": "professional", "matching": "generic"},
    "community": {"kind": "community"},
    "outreach": {"kind": "outreach"},
    "online": {"kind": "online"},
    "respite": {"kind": "respite"},
    # Observe 2 (targeting): the peer groups aimed otherwise than at the most stressed.
    "peer_groups_random": {"kind": "peer_groups", "targeting": "random"},
    "peer_groups_most_lonely": {"kind": "peer_groups", "targeting": "most_lonely"},
}

#: Lesson 1's stress levels: the preset's many life events and the worksheet's few.
STRESS_LEVELS = {"high": 0.10, "low": 0.03}


def _run(preset_name: str, seed: int, steps: int, interventions=(), **change: Any):
    from supportnet import SupportModel
    from supportnet.params import preset

    model = SupportModel(
        seed, params=preset(preset_name).params(**change), interventions=interventions
    )
    for _ in range(steps):
        model.step()
    return model


def _window_means(model, columns, start: int | None = None, end: int | None = None):
    df = model.dataframe()
    window = df.iloc[-WINDOW:] if start is None else df.loc[start + 1 : end]
    return {c: float(window[c].mean()) for c in columns}


def _support_gap(model) -> float:
    """Depression of the third with least perceived support minus the third with most."""
    pop = model.population
    mem = pop.members
    support, depression = pop.perceived_support[mem], pop.depression[mem]
    low, high = np.quantile(support, [1 / 3, 2 / 3])
    return float(depression[support <= low].mean() - depression[support >= high].mean())


def buffering_towns(seed: int) -> dict[str, float]:
    """Lesson 1: A (buffering on) and B (off) at many and at few life events, 300 steps.

    Returns ``<measure>_<stress>_<A|B>`` for mean depression, case prevalence and mean stress
    over the last 100 steps, and ``gap_<stress>_<A|B>``: at step 300, the depression of the
    third with least perceived support minus that of the third with most (who is protected).
    """
    out: dict[str, float] = {}
    for level, rate in STRESS_LEVELS.items():
        for town, buffering in (("A", True), ("B", False)):
            model = _run(
                "lesson_buffering", seed, BUFFERING_STEPS, stressor_rate=rate, buffering=buffering
            )
            means = _window_means(model, ("mean_depression", "case_prevalence", "mean_stress"))
            for name, value in means.items():
                out[f"{name}_{level}_{town}"] = value
            out[f"gap_{level}_{town}"] = _support_gap(model)
    return out


def loneliness_towns(seed: int) -> dict[str, float]:
    """Lesson 2: A (no contagion) and B (contagion 0.005), with and without withdrawal.

    Returns, per town (``A``, ``B``, ``A_nowithdrawal``, ``B_nowithdrawal``), the lonely share
    and the loneliness similarity of neighbours (assortativity) over the last 100 steps; for
    A at step 300 the mean ties of the lonely and of the others; and A's excess risk of
    loneliness at network distances 1-4 against a permutation null (Cacioppo et al. 2009's
    measure, :func:`supportnet.analysis.distance.excess_risk_by_distance`).
    """
    from supportnet.analysis.distance import excess_risk_by_distance

    out: dict[str, float] = {}
    for town, change in (
        ("A", {}),
        ("B", {"loneliness_contagion": 0.005}),
        ("A_nowithdrawal", {"withdrawal": False}),
        ("B_nowithdrawal", {"withdrawal": False, "loneliness_contagion": 0.005}),
    ):
        model = _run("lesson_loneliness", seed, LONELINESS_STEPS, **change)
        means = _window_means(model, ("lonely_fraction", "loneliness_assortativity"))
        out[f"lonely_{town}"] = means["lonely_fraction"]
        out[f"similarity_{town}"] = means["loneliness_assortativity"]
        if town != "A":
            continue
        pop = model.population
        mem = pop.members
        lonely = pop.loneliness > model.params.lonely_threshold
        degree = model.ties.degree()
        out["ties_lonely_A"] = float(degree[mem & lonely].mean())
        out["ties_others_A"] = float(degree[mem & ~lonely].mean())
        risk = excess_risk_by_distance(
            model.ties.adjacency(), lonely, mem, n_sources=500, n_permutations=100, seed=seed
        )
        for d in range(1, 5):
            out[f"excess_d{d}_A"] = float(risk[f"excess_d{d}"])
    return out


def intervention_towns(seed: int) -> dict[str, float]:
    """Lesson 3: the preset's town with each intervention in turn, and without one.

    Every arm spends the preset's budget (30 units a step) from step 300 to step 400. Returns
    ``<measure>_<arm>``: mean depression, loneliness, stress, perceived support, unmet need,
    lonely share and burnt-out givers over steps 301-400.
    """
    from supportnet import interventions as iv
    from supportnet.params import preset

    template = dict(preset("lesson_interventions").interventions[0])
    out: dict[str, float] = {}
    columns = (
        "mean_depression",
        "mean_loneliness",
        "mean_stress",
        "mean_perceived_support",
        "unmet_need",
        "lonely_fraction",
        "burnt_out_givers",
    )
    for arm, settings in INTERVENTION_ARMS.items():
        specs = []
        if settings is not None:
            spec = {k: template[k] for k in ("start", "duration", "budget")} | settings
            specs = [iv.build(spec)]
        model = _run("lesson_interventions", seed, INTERVENTION_END, interventions=specs)
        means = _window_means(model, columns, INTERVENTION_START, INTERVENTION_END)
        for name, value in means.items():
            out[f"{name}_{arm}"] = value
    return out
