"""The SISa mood layer (Hill, Rand, Nowak & Christakis 2010): the published numbers, its own stream.

The classic mode is checked against the paper's numbers on random 2- and 4-regular networks of
2,000 people over 200 simulated years (after a 30-year burn-in), across seeds: the mean sojourns
(10.3 years content, 5.0 discontent; within 10%), the per-contact hazards recovered by the
regression on the run's own events (0.02 and 0.04 a year; within 25%) and the equilibrium shares
against the mean-field equations (within 0.02). The rates are read from the parameters, never
written here, except the published ones the acceptance names.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from supportnet import ParameterError, SupportModel, make_params
from supportnet.analysis.record import record_run
from supportnet.analysis.sisa import additive_poisson, hazards, mean_field, mood_record, sojourns
from supportnet.experiments.facts.measures import NotMeasurable
from supportnet.mechanisms.mood import (
    CONTENT,
    DISCONTENT,
    NEUTRAL,
    rate_table,
    spontaneous_shares,
)
from supportnet.metrics import MOOD_MEASURES

YEAR = 52
CLASSIC = {"sisa": True, "sisa_classic": True, "network": "random_regular", "n_people": 2000}
#: The published values (Hill et al. 2010, as the issue and ../shared/design/facts.md give them).
PUBLISHED = {"sojourn_content": 10.3, "sojourn_discontent": 5.0, "b_C": 0.02, "b_D": 0.04}


def classic_run(k: int, seed: int, burn_years: int = 30, years: int = 200):
    model = SupportModel(rng=seed, rr_degree=k, **CLASSIC)
    model.run_for(burn_years * YEAR)
    start = model.mood.tally.copy()
    model.run_for(years * YEAR)
    record = mood_record(model, start)
    df = model.dataframe()
    post = df.loc[df.index > burn_years * YEAR]
    shares = (float(post["content_share"].mean()), float(post["discontent_share"].mean()))
    return record, shares


@pytest.mark.parametrize("k", [2, 4])
def test_classic_mode_reproduces_the_published_sojourns_hazards_and_mean_field(k):
    runs = [classic_run(k, seed) for seed in (1, 2, 3)]
    stats = []
    for record, (c, d) in runs:
        assert record.mean_contacts == k  # every tie a contact, every step, on a static network
        _, c_mf, d_mf = mean_field(record.rates, record.mean_contacts)
        s, h = sojourns(record.tally), hazards(record.tally)
        stats.append(
            (
                s["sojourn_content_years"],
                s["sojourn_discontent_years"],
                h["hazard_content_contact"],
                h["hazard_discontent_contact"],
                c - c_mf,
                d - d_mf,
            )
        )
    mean = np.mean(stats, axis=0)
    assert abs(mean[0] / PUBLISHED["sojourn_content"] - 1) < 0.10, mean
    assert abs(mean[1] / PUBLISHED["sojourn_discontent"] - 1) < 0.10, mean
    assert abs(mean[2] / PUBLISHED["b_C"] - 1) < 0.25, mean
    assert abs(mean[3] / PUBLISHED["b_D"] - 1) < 0.25, mean
    assert np.all(np.abs(np.array(stats)[:, 4:]) < 0.02), stats  # every seed, both shares


def test_the_mean_field_fixed_point_is_a_stable_zero_of_the_equations():
    r = rate_table(make_params())
    for k in (0.0, 2.0, 4.0, 30.0):
        n, c, d = mean_field(r, k)
        assert min(n, c, d) >= 0 and abs(n + c + d - 1) < 1e-12
        dc = (r["a_C"] + r["b_C"] * k * c) * n + r["s_DC"] * d - (r["g_C"] + r["s_CD"]) * c
        dd = (r["a_D"] + r["b_D"] * k * d) * n + r["s_CD"] * c - (r["g_D"] + r["s_DC"]) * d
        assert abs(dc) < 1e-12 and abs(dd) < 1e-12
    # Without contacts it is the chain's own equilibrium; more contacts, more content people.
    assert np.allclose(mean_field(r, 0.0), spontaneous_shares(make_params()), atol=1e-10)
    assert mean_field(r, 4.0)[1] > mean_field(r, 2.0)[1] > mean_field(r, 0.0)[1]


def test_the_additive_hazard_regression_recovers_known_rates():
    rng = np.random.default_rng(0)
    x = np.arange(0, 8, dtype=float)
    T = np.full(len(x), 20_000.0)
    y = rng.poisson(T * (0.3 + 0.05 * x)).astype(float)
    a, b, se_a, se_b = additive_poisson(x, T, y)
    assert abs(a - 0.3) < 4 * se_a and abs(b - 0.05) < 4 * se_b
    assert 0 < se_b < 0.005
    assert np.isnan(additive_poisson(np.zeros(3), T[:3], y[:3])[0])  # one value of x: no slope


def test_switching_the_mode_on_without_coupling_changes_no_other_result():
    # Its draws come from its own stream: the model's own generator, every state, every tie and
    # every other per-step measure are the same, bit for bit (the rates into discontent may
    # depend on depression and loneliness: that is read, not written).
    town = {"n_people": 200, "n_groups": 8, "leave_rate": 0.5, "care_onset_rate": 0.3}
    off = SupportModel(rng=5, **town)
    on = SupportModel(
        rng=5, sisa=True, sisa_heterogeneity=0.5, sisa_depression_to_mood=2.0,
        sisa_loneliness_to_mood=1.0, **town,
    )  # fmt: skip
    off.run_for(80)
    on.run_for(80)
    for f in fields(off.population):
        assert np.array_equal(getattr(off.population, f.name), getattr(on.population, f.name))
    for name in ("u", "v", "kind", "strength", "conflict", "balance", "last_contact", "contacts"):
        assert np.array_equal(getattr(off.ties, name), getattr(on.ties, name))
    assert off.rng.bit_generator.state == on.rng.bit_generator.state
    a, b = off.dataframe(), on.dataframe()
    assert list(b.columns) == list(a.columns) + list(MOOD_MEASURES)
    assert a.equals(b[a.columns])
    assert on.mood.tally.person_steps > 0 and len(np.unique(on.mood.mood)) == 3


def test_coupling_mood_to_depression_and_loneliness_acts_and_is_off_by_default():
    town = {"n_people": 200, "n_groups": 8, "sisa": True}
    plain = SupportModel(rng=2, **town)
    coupled = SupportModel(
        rng=2, sisa_mood_to_depression=0.01, sisa_mood_to_loneliness=0.01, **town
    )
    plain.run_for(60)
    coupled.run_for(60)
    pop, mood = coupled.population, coupled.mood.mood
    assert pop.depression[mood == DISCONTENT].mean() > pop.depression[mood == CONTENT].mean()
    assert not np.array_equal(plain.population.depression, pop.depression)
    gap_plain = (
        plain.population.loneliness[plain.mood.mood == DISCONTENT].mean()
        - plain.population.loneliness[plain.mood.mood == CONTENT].mean()
    )
    gap_coupled = pop.loneliness[mood == DISCONTENT].mean() - pop.loneliness[mood == CONTENT].mean()
    assert gap_coupled > gap_plain


def test_depression_raises_the_rate_into_discontent():
    # Everyone fully depressed, static: the coupled town has more discontent people.
    base = {**CLASSIC, "n_people": 2000, "rr_degree": 2, "initial_depression_mean": 1.0}
    plain = SupportModel(rng=4, **base)
    coupled = SupportModel(rng=4, sisa_depression_to_mood=3.0, **base)
    plain.run_for(20 * YEAR)
    coupled.run_for(20 * YEAR)
    assert coupled.measures["discontent_share"] > plain.measures["discontent_share"] + 0.05


def test_heterogeneous_susceptibility_has_mean_one_and_the_spread_asked_for():
    regular = {"sisa": True, "network": "random_regular", "rr_degree": 4}
    m = SupportModel(rng=3, sisa_heterogeneity=0.4, n_people=4000, **regular)
    log_f = np.log(m.mood.susceptibility)
    assert abs(m.mood.susceptibility.mean() - 1) < 0.03
    assert abs(log_f.std() - 0.4) < 0.02
    assert np.all(SupportModel(rng=3, n_people=100, **regular).mood.susceptibility == 1.0)


def test_the_classic_mode_keeps_everything_but_moods_still():
    m = SupportModel(rng=6, rr_degree=4, **{**CLASSIC, "n_people": 300})
    ties_before = (m.ties.u.copy(), m.ties.v.copy(), m.ties.strength.copy())
    depression = m.population.depression.copy()
    m.run_for(100)
    assert np.array_equal(m.ties.u, ties_before[0]) and np.array_equal(m.ties.v, ties_before[1])
    assert np.array_equal(m.ties.strength, ties_before[2])
    assert np.array_equal(m.population.depression, depression)
    assert np.all(m.ties.degree() == 4)
    # The measures kept from the start are what computing them afresh gives.
    from supportnet import metrics

    fresh = metrics.compute(m, m.last_step)
    for name, value in fresh.items():
        assert value == m.measures[name] or (np.isnan(value) and np.isnan(m.measures[name]))


def test_newcomers_get_a_mood_and_professionals_stay_neutral():
    m = SupportModel(rng=8, sisa=True, n_people=150, n_groups=6, leave_rate=0.9)
    m.run_for(30)
    assert (m.population.arrived > 0).any()
    from supportnet.population import draw_population

    pros = draw_population(m.params, 5, np.random.default_rng(0))
    pros.is_professional[:] = True
    idx = m.add_people(pros)
    m.run_for(10)
    assert np.all(m.mood.mood[idx] == NEUTRAL) and len(m.mood.mood) == m.population.n


def test_bad_settings_are_named():
    with pytest.raises(ParameterError, match="sisa_classic.*switch sisa on"):
        make_params(sisa_classic=True)
    with pytest.raises(ParameterError, match="rr_degree.*even"):
        make_params(network="random_regular", n_people=5, rr_degree=3)
    with pytest.raises(ParameterError, match="sisa_content_contact"):
        make_params(sisa_content_contact=-1.0)


def test_the_sisa_measure_reads_a_record_and_refuses_a_run_without_the_mode():
    from supportnet.analysis.measures import MEASURES

    model = SupportModel(rng=1, rr_degree=4, **{**CLASSIC, "n_people": 400})
    rec = record_run(model, steps=10 * YEAR, burn_in=2 * YEAR, every=YEAR)
    out = MEASURES["sisa"](rec)
    assert rec.mood.tally.person_steps == 400 * 8 * YEAR
    for key in ("sojourn_content_years", "hazard_discontent_contact", "equilibrium_gap"):
        assert np.isfinite(out[key])
    small = {"n_people": 60, "n_groups": 4, "network": "erdos_renyi"}
    plain = record_run(SupportModel(rng=1, **small), steps=4, burn_in=2)
    with pytest.raises(NotMeasurable, match="sisa"):
        MEASURES["sisa"](plain)
