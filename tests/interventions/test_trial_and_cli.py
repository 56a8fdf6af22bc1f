"""The simulated trial (Hedges' g on the people reached) and `supportnet run --intervention`."""

import numpy as np
import pytest

from supportnet.experiments.cli import main
from supportnet.interventions.trial import TRIAL_OUTCOMES, hedges_g, twin_trial
from tests.conftest import SMALL


def test_hedges_g_known_values_and_edge_cases():
    g, lo, hi = hedges_g(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]))
    assert g == pytest.approx(0.8) and lo < g < hi
    assert np.isnan(hedges_g(np.array([1.0]), np.array([1.0, 2.0]))[0])
    assert hedges_g(np.ones(3), np.ones(3)) == (0.0, 0.0, 0.0)
    # Paired intervals are narrower when the pairs move together.
    rng = np.random.default_rng(0)
    base = rng.normal(size=200)
    t, c = base + rng.normal(0, 0.1, 200), base + 0.3 + rng.normal(0, 0.1, 200)
    gp, lop, hip = hedges_g(t, c, paired=True)
    gi, loi, hii = hedges_g(t, c)
    assert gp == gi and (hip - lop) < (hii - loi) / 3


def test_twin_trial_compares_the_first_wave_with_itself_untreated():
    spec = {"kind": "professional", "start": 5, "budget": 40, "course_steps": 4, "access_cost": 0.0}
    res = twin_trial(spec, seeds=[1, 2], **SMALL)
    assert set(res) == set(TRIAL_OUTCOMES)
    r = res["stress"]
    assert r.n == 2 * 8 and r.follow_up == 4  # 8 places filled at step 5, in each of two runs
    assert r.ci_low < r.g < r.ci_high
    # Clients got support the untreated twins did not: their stress is lower on average.
    assert r.mean_treated < r.mean_control and r.g > 0
    assert res["depression"].as_dict()["outcome"] == "depression"
    # A zero budget reaches nobody: nothing to compare.
    assert np.isnan(twin_trial({**spec, "budget": 0}, seeds=[1], **SMALL)["stress"].g)


def test_run_command_takes_interventions(capsys):
    small = [f"--set={k}={v}" for k, v in SMALL.items()]
    code = main(["run", "--steps", "12", *small,
                 "--intervention", "peer_groups:budget=8,start=2,group_size=4",
                 "--intervention", "professional:matching=generic,budget=10"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "Intervention peer_groups (most_stressed, budget 8/step from step 2): acted 11 steps" in out
    )
    assert "Intervention professional (most_stressed, budget 10/step from step 0)" in out
    assert "professionals 1" in out


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "peer_group:budget=1",
            "unknown intervention kind 'peer_group' (did you mean 'peer_groups'?)",
        ),
        ("outreach:budgt=1", "unknown setting 'budgt' (did you mean 'budget'?)"),
        ("outreach:budget=-2", "setting 'budget': -2.0 is out of range"),
        ("outreach:budget", "'budget' is not a setting; expected name=value"),
    ],
)
def test_run_command_refuses_bad_interventions_in_one_line(spec, message, capsys):
    assert main(["run", "--steps", "2", "--intervention", spec]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and len(err.strip().splitlines()) == 1
    assert err.startswith("supportnet run: error: ")


def test_personalised_professional_help_beats_generic_in_a_small_trial():
    # The calibration in miniature (docs/interventions.md has the full one): the same clients,
    # personalised vs generic matching, against their untreated twins.
    spec = {"kind": "professional", "start": 20, "budget": 60}
    res = {
        # Turnover off: the two trials then follow exactly the same clients (with it, who leaves
        # depends on how each town's step went).
        mode: twin_trial({**spec, "matching": mode}, seeds=range(10), turnover=False, **SMALL)
        for mode in ("personalised", "generic")
    }
    p, g = res["personalised"], res["generic"]
    assert p["depression"].n == g["depression"].n == 120
    for outcome in ("stress", "depression"):
        assert p[outcome].g > g[outcome].g > 0
    assert p["stress"].ci_low > 0
