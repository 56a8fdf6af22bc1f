"""The session behind each browser: editing, resetting, stepping, comparing, inspecting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supportnet import PRESETS, ParameterError, SupportModel, make_params
from supportnet.dashboards.session import (
    MAX_PEOPLE,
    PersonHistory,
    Run,
    Session,
    interventions_available,
)

SMALL = {"n_people": 80, "convoy_inner": 3, "convoy_sympathy": 6, "convoy_wider": 12}


@pytest.fixture
def session():
    return Session(seed=3, **SMALL)


def test_session_runs_the_model_it_claims(session):
    session.step(4)
    twin = SupportModel(rng=3, **SMALL)
    twin.run_for(4)
    assert session.model.steps == 4
    assert session.model.dataframe().equals(twin.dataframe())


def test_edits_wait_for_reset(session):
    assert session.set_value("stressor_rate", 0.2) is None
    assert session.pending() == {"stressor_rate": 0.2}
    assert session.model.params.stressor_rate == 0.05
    assert session.reset() is None
    assert session.model.params.stressor_rate == 0.2
    assert session.pending() == {}


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("stressor_rate", 1.5, "'stressor_rate'"),
        ("n_people", "many", "'n_people'"),
        ("no_such", 1, "unknown parameter"),
        ("n_people", MAX_PEOPLE + 1, "supportnet run"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(session, name, value, words):
    before = dict(session.values)
    err = session.set_value(name, value)
    assert err is not None and words in err
    assert session.values == before


def test_invalid_combination_keeps_the_running_model(session):
    run = session.run
    session.step(2)
    session.set_value("convoy_inner", 10)  # above convoy_sympathy = 6
    err = session.reset()
    assert "convoy_inner" in err
    assert session.run is run and session.model.steps == 2
    assert session.error == err


def test_seed(session):
    assert session.set_seed("12") is None and session.seed == 12
    assert "whole number" in session.set_seed("x")
    assert ">= 0" in session.set_seed(-1)
    assert session.seed == 12
    session.reset()
    assert session.model._seed == 12


def test_presets_load_their_values_and_restart():
    s = Session(seed=1)
    assert s.preset == "baseline"
    s.step(2)
    assert s.choose_preset("isolated_elderly_village") is None
    assert s.model.steps == 0
    assert s.model.params.n_people == PRESETS["isolated_elderly_village"].values["n_people"]
    assert s.preset == "isolated_elderly_village"
    s.set_value("stressor_rate", 0.3)
    assert s.preset is None  # edited away from every preset
    assert "unknown preset" in s.choose_preset("nope")


def _b_differs_as_the_preset_says(name: str, a, b) -> None:
    if name == "lesson_buffering":
        assert a.params.buffering and not b.params.buffering
        assert a.params.stressor_rate == b.params.stressor_rate == 0.10
    elif name == "lesson_loneliness":
        assert a.params.loneliness_contagion == 0 and b.params.loneliness_contagion == 0.005
        assert dict(a.params) == dict(PRESETS["baseline"].params())
    else:
        assert [s["kind"] for s in a.intervention_specs] == ["peer_groups"]
        assert a.intervention_specs[0]["budget"] == 30 and b.intervention_specs == ()
        assert dict(b.params) == dict(a.params) and a.params.n_people == 400
    changed = {k for k in a.params if a.params[k] != b.params[k]}
    assert changed == ({PRESETS[name].compare[0]} - {""})  # one change, or none


@pytest.mark.parametrize("name", ["lesson_buffering", "lesson_loneliness", "lesson_interventions"])
def test_a_lesson_preset_sets_up_a_and_b_and_baseline_undoes_it(name):
    s = Session(seed=1)
    s.step(2)
    assert s.choose_preset(name) is None
    assert s.preset == name and s.error is None
    a, b = s.runs
    assert (a.label, b.label) == ("A", "B") and a.steps == b.steps == 0
    assert (s.comparison.param, s.comparison.value) == PRESETS[name].compare
    _b_differs_as_the_preset_says(name, a, b)
    assert not s.pending() and not s.interventions_pending()
    assert s._matching_preset() == name  # lesson_loneliness: not baseline, whose values it has
    s.step(1)
    assert a.steps == b.steps == 1
    # The Preset picker's other presets stop the comparison and clear the interventions.
    assert s.choose_preset("baseline") is None
    assert len(s.runs) == 1 and s.comparison is None and s.interventions == {}
    assert s.run.intervention_specs == () and s.preset == "baseline" and s.run.steps == 0


def test_a_session_can_start_from_a_lesson_preset():
    s = Session(seed=1, preset="lesson_interventions")
    assert s.preset == "lesson_interventions" and len(s.runs) == 2
    _b_differs_as_the_preset_says("lesson_interventions", *s.runs)
    s = Session(seed=1, preset="lesson_buffering", n_people=200)
    assert s.preset is None and s.runs[1].params.n_people == 200  # edited: no preset matches


def test_a_lesson_preset_is_kept_while_its_settings_match():
    s = Session(seed=1, **SMALL)
    assert s.choose_preset("lesson_loneliness") is None
    s.stop_comparison()
    assert s.preset == "baseline"  # the default town, compared with nothing
    assert s.start_comparison("loneliness_contagion", 0.005) is None
    assert s.preset == "baseline"  # the name it had still matches: kept
    assert s.choose_preset("lesson_interventions") is None
    settings = {k: v for k, v in s.interventions["peer_groups"].items() if k != "kind"}
    assert s.set_intervention("peer_groups", {**settings, "budget": 10}) is None
    assert s.preset is None  # another intervention: the students' own lesson 3
    assert s.set_intervention("peer_groups", settings) is None
    assert s.preset == "lesson_interventions"


def test_a_preset_that_cannot_be_set_up_changes_nothing(monkeypatch):
    import supportnet.dashboards.session as session_module
    from supportnet.params import Preset

    s = Session(seed=1, **SMALL)
    s.start_comparison("stressor_rate", 0.2)
    s.step(3)
    before = (dict(s.values), s.comparison, list(s.runs), s.preset)
    bad = {
        "wrong_compare": Preset("wrong_compare", "W", "w", {}, compare=("stresor_rate", 0.1)),
        "no_interventions": Preset("no_interventions", "N", "n", {}, compare=("", None)),
        "too_big_b": Preset("too_big_b", "T", "t", {}, compare=("n_people", MAX_PEOPLE + 1)),
        "bad_intervention": Preset(
            "bad_intervention", "I", "i", {}, interventions=({"kind": "peer_groups", "x": 1},)
        ),
    }
    monkeypatch.setattr(session_module, "PRESETS", {**PRESETS, **bad})
    for name, words in [
        ("wrong_compare", "unknown parameter 'stresor_rate'"),
        ("no_interventions", "there are none"),
        ("too_big_b", f"B: parameter 'n_people': {MAX_PEOPLE + 1:,} people is more than"),
        ("bad_intervention", "unknown setting 'x'"),
    ]:
        message = s.choose_preset(name)
        assert message.startswith(f"preset {name!r}: ") and words in message, message
        assert (dict(s.values), s.comparison, list(s.runs), s.preset) == before
        assert s.error_of("") == message and s.run.steps == 3


def test_compare_builds_b_from_the_same_seed_and_start(session):
    assert session.start_comparison("buffering", False) is None
    a, b = session.runs
    assert a.params.buffering and not b.params.buffering
    assert np.array_equal(a.model.ties.u, b.model.ties.u)
    assert np.array_equal(a.layout.pos, b.layout.pos)  # B starts from A's picture
    session.step(5)
    assert a.steps == b.steps == 5
    assert not a.model.dataframe().equals(b.model.dataframe())
    # A is exactly the model without any comparison.
    twin = SupportModel(rng=3, **SMALL)
    twin.run_for(5)
    assert a.model.dataframe().equals(twin.dataframe())
    session.stop_comparison()
    assert len(session.runs) == 1 and session.run is a


def test_compare_refuses_bad_choices(session):
    assert "stressor_rate" in session.start_comparison("stressor_rate", 7.0)
    assert "unknown parameter" in session.start_comparison("nope", 1)
    assert "no interventions" in session.start_comparison("", None)
    assert session.comparison is None and len(session.runs) == 1


def test_compare_with_a_different_start_gets_its_own_picture(session):
    assert session.start_comparison("n_people", 90) is None
    a, b = session.runs
    assert b.model.population.n == 90 and b.layout.pos.shape == (90, 2)


def test_select(session):
    assert session.select(5) is None and session.selected == 5
    assert "0 to 79" in session.select(80)
    assert "whole number" in session.select("x")
    assert session.select(None) is None and session.selected is None
    session.select(70)
    # A smaller town needs no more community groups than people (n_groups is checked against it).
    session.set_value("n_people", 60)
    session.set_value("n_groups", 6)
    assert session.reset() is None and session.model.population.n == 60
    assert session.selected is None  # that person no longer exists


def test_inspector_tables_agree_with_the_model(session):
    session.step(6)
    run = session.run
    giver, receiver, amount, _ = run.model.last_step.exchanges
    person = int(giver[np.argmax(amount)])
    gave, got, logged = run.helped(person)
    assert logged == 6
    total = sum(e[3][e[1] == person].sum() for e in run.exchanges)
    assert gave["amount"].sum() == pytest.approx(total)
    assert (gave["times"] >= 1).all()
    ties = run.person_ties(person)
    assert len(ties) == run.model.ties.degree()[person]
    assert set(ties["kind"]) <= {"family", "friend", "neighbour", "peer", "professional", "online"}
    hist = run.history.series(person)
    assert list(hist.index) == list(range(7))
    assert hist["stress"].iloc[-1] == pytest.approx(run.model.population.stress[person], abs=1e-6)


def test_person_history_ring_buffer():
    class Pop:
        n = 3
        stress = depression = loneliness = capacity = perceived_support = np.zeros(3)

    h = PersonHistory(3, budget_bytes=1)
    assert h.capacity == 50
    for step in range(120):
        Pop.stress = np.full(3, step / 200)
        h.record(step, Pop)
    s = h.series(1)
    assert list(s.index) == list(range(70, 120))
    assert s["stress"].iloc[-1] == pytest.approx(119 / 200)


def test_starting_values_are_checked():
    with pytest.raises(ParameterError, match="convoy_wider"):
        Session(n_people=20)


@pytest.mark.skipif(interventions_available() is None, reason="interventions not installed")
def test_interventions_switch_on_at_reset_and_act(session):
    assert (
        session.set_intervention("peer_groups", {"budget": 16, "targeting": "most_lonely"}) is None
    )
    assert session.interventions_pending()
    session.reset()
    assert not session.interventions_pending()
    session.step(3)
    assert session.model.measures["ties_peer"] > 0
    status = session.run.interventions[0].status()
    assert status["reached"] > 0
    err = session.set_intervention("peer_groups", {"budget": -1})
    assert "budget" in err
    # Compare: B without the interventions, same seed.
    assert session.start_comparison("", None) is None
    session.step(3)
    a, b = session.runs
    assert a.model.measures["ties_peer"] > 0 and b.model.measures["ties_peer"] == 0
    session.set_intervention("peer_groups", None)
    assert session.interventions == {}


@pytest.mark.skipif(interventions_available() is None, reason="interventions not installed")
def test_professionals_joining_are_drawn_and_inspected():
    import base64

    from supportnet.dashboards.network import frame_data

    s = Session(seed=3, **SMALL)
    assert s.set_intervention("professional", {"budget": 50, "start": 2}) is None
    s.reset()
    assert s.model.population.n == 80
    s.step(4)  # professionals join at step 2: the layout and the history grow with them
    n = s.model.population.n
    assert n > 80 and s.run.layout.n == n and s.run.history.n == n
    frame = frame_data(s.run, "stress", "degree", 0.0)
    flags = np.frombuffer(base64.b64decode(frame.flags), np.uint8)
    assert flags[80:].all() and not flags[:80].any()  # drawn as squares
    newcomer = n - 1
    assert s.select(newcomer) is None
    assert (s.run.person_ties(newcomer)["kind"] == "professional").all()
    assert s.run.history.series(newcomer)["capacity"].iloc[-1] > 1


def test_views_read_consistently_while_play_steps_in_another_thread(session):
    """What the views read is taken under the run's lock, so a step half-done is never seen."""
    import threading

    from supportnet.dashboards.network import frame_data

    stop = threading.Event()
    errors = []

    def play():
        while not stop.is_set():
            session.step(1)

    def watch():
        run = session.run
        try:
            while not stop.is_set():
                df = run.dataframe()
                assert len(df) == df.index[-1] + 1
                frame_data(run, "stress", "degree", 0.0)
                run.helped(3)
                run.person_ties(3)
                run.values("degree")
        except Exception as exc:  # reported below
            errors.append(exc)

    import sys
    import time

    # Switch threads very often, so that a read without the lock would land mid-step (without
    # the locks this test sees "All arrays must be of the same length" within a second or two).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=play), threading.Thread(target=watch)]
        for t in threads:
            t.start()
        time.sleep(2)
        stop.set()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert session.model.steps > 5
    df = session.run.dataframe()
    assert df is session.run.dataframe()  # cached until the next step


def test_the_layout_moves_once_per_picture_not_per_step():
    from supportnet.dashboards.network import frame_data

    s = Session(**SMALL)
    before = s.run.layout.pos.copy()
    arrived = s.model.population.arrived.copy()
    s.step(3)
    # Stepping does not relax it; only newcomers in leavers' rows are placed (among their ties).
    stayed = s.model.population.arrived[: len(arrived)] == arrived
    assert np.array_equal(s.run.layout.pos[: len(arrived)][stayed], before[stayed])
    frame_data(s.run, "stress", "degree", 0.0)
    moved = s.run.layout.pos.copy()
    assert not np.array_equal(moved, before)  # drawing does, once
    frame_data(s.run, "stress", "degree", 0.0)
    assert np.array_equal(s.run.layout.pos, moved)  # and not again for the same step


def test_memory_hand_backs_are_coalesced_and_hold_no_session():
    import threading

    from supportnet.dashboards import app

    before = set(threading.enumerate())
    app._schedule_release()
    app._schedule_release()  # a second session ending at once: covered by the first's
    timers = [t for t in threading.enumerate() if t not in before]
    assert len(timers) == len(app.RELEASE_AFTER)
    # Solara's threads keep the kernel context they were made in; these must keep none.
    assert all(getattr(t, "current_context", None) is None for t in timers)
    for t in timers:
        t.cancel()
    app._release_due.clear()


@pytest.mark.parametrize(
    ("preset", "interventions"),
    [("baseline", ()), ("moods_spread", ()), ("baseline", ({"kind": "outreach"},))],
)
def test_the_step_by_step_table_is_the_models_table(preset, interventions):
    """The views' table (extended with the new steps only) equals ``model.dataframe()``."""
    run = Run(make_params(dict(PRESETS[preset].params(n_people=120))), 3, interventions)
    for steps in (0, 1, 5, 70):  # 70 steps past the first 64 rows: the buffer grows
        run.advance(steps)
        table, model = run.dataframe(), run.model.dataframe()
        pd.testing.assert_frame_equal(table, model, check_exact=True)
        assert list(table.dtypes) == list(model.dtypes)
        assert run.dataframe() is table  # no new step: the same table
