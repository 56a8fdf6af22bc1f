"""The run record of a real (small) model: snapshot steps, window sums, contact rates."""

import re

import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.analysis import MEASURES, record_run
from supportnet.analysis.record import person_keys, same_person, stable_rows
from supportnet.interventions import build
from supportnet.kinds import TIE_KINDS

from ...conftest import SMALL

STEPS, BURN_IN, EVERY, WINDOW = 60, 20, 5, 52
#: A town where ties end only in the tie phase (no one leaves, losses end no tie) and nobody
#: cares for anyone, so per-step sums can be read straight off the twin; turnover and caring
#: roles have tests of their own below.
CLOSED = {**SMALL, "turnover": False, "loss_ends_tie": 0.0, "caregiving": False}


@pytest.fixture(scope="module")
def pair():
    """A record, and per-step sums from a twin model stepped by hand (same seed)."""
    rec = record_run(SupportModel(rng=3, **CLOSED), steps=STEPS, burn_in=BURN_IN, every=EVERY)
    twin = SupportModel(rng=3, **CLOSED)
    n = twin.population.n
    per_step = {"event": [], "given": [], "received": [], "lost": []}
    contacts = []  # (step, key, count) of every tie with contact
    for _ in range(STEPS):
        before = twin.ties.keys.copy()  # ties change only in the tie phase, after contact
        twin.step()
        ctx = twin.last_step
        per_step["event"].append(twin.population.event.copy())
        per_step["given"].append(twin.population.given.copy())
        giver, asker, amount, kind = ctx.exchanges
        received = np.zeros((n, len(TIE_KINDS)))
        np.add.at(received, (asker, kind), amount)
        per_step["received"].append(received)
        ended = np.setdiff1d(before, twin.ties.keys)
        lo, hi = ended >> 32, ended & 0xFFFFFFFF
        per_step["lost"].append(np.bincount(lo, minlength=n) + np.bincount(hi, minlength=n))
        keys = before[ctx.contact]
        counts = ctx.contacts[ctx.contact].astype(np.int64)
        contacts.append(np.column_stack([np.full(len(keys), twin.steps), keys, counts]))
    per_step = {k: np.array(v) for k, v in per_step.items()}
    return rec, twin, per_step, np.concatenate(contacts)


def test_snapshots_are_at_burn_in_then_every_few_steps(pair):
    rec = pair[0]
    assert [s.step for s in rec.snapshots] == list(range(BURN_IN, STEPS + 1, EVERY))
    assert rec.steps.index.tolist() == list(range(STEPS + 1))
    assert (rec.burn_in, rec.every, rec.contact_window, rec.n) == (BURN_IN, EVERY, WINDOW, 60)
    assert rec.seed == 3 and rec.carer_role  # the model has the role (switched off here)
    assert all(
        s.member.all() and (s.arrived == 0).all() and not s.carer.any() for s in rec.snapshots
    )


def test_window_sums_equal_the_per_step_values(pair):
    rec, _, per_step, _ = pair
    for prev, snap in zip(rec.snapshots[:-1], rec.snapshots[1:], strict=True):
        window = slice(prev.step, snap.step)  # steps prev+1..snap (row s-1 is step s)
        # Differences of running totals against direct sums: equal up to rounding.
        np.testing.assert_allclose(snap.stressor_load, per_step["event"][window].sum(0), atol=1e-12)
        np.testing.assert_allclose(snap.given, per_step["given"][window].sum(0), atol=1e-12)
        np.testing.assert_allclose(
            snap.received_by_kind, per_step["received"][window].sum(0), atol=1e-12
        )
        np.testing.assert_array_equal(snap.ties_lost, per_step["lost"][window].sum(0))
    first = rec.snapshots[0]  # no previous snapshot: totals since arrival (step 0)
    np.testing.assert_allclose(first.stressor_load, per_step["event"][:BURN_IN].sum(0), atol=1e-12)
    assert sum(s.ties_lost.sum() for s in rec.snapshots) > 0  # the check was not vacuous
    # Received equals given, in total, over every window.
    for s in rec.snapshots:
        assert s.received_by_kind.sum() == pytest.approx(s.given.sum())


def test_states_and_final_network_match_the_twin(pair):
    rec, twin, _, _ = pair
    last = rec.snapshots[-1]
    assert last.step == twin.steps
    np.testing.assert_array_equal(last.depression, twin.population.depression)
    np.testing.assert_array_equal(last.degree, twin.ties.degree())
    np.testing.assert_array_equal(rec.edges_u, twin.ties.u)
    np.testing.assert_array_equal(rec.edges_kind, twin.ties.kind)


def test_contact_rates_count_the_last_year_of_contacts(pair):
    rec, twin, _, contacts = pair
    start = STEPS - WINDOW
    formed = twin.ties.formed
    since = np.maximum(formed, start)
    expected = np.array(
        [contacts[(contacts[:, 1] == key) & (contacts[:, 0] > s), 2].sum() for key, s in
         zip(twin.ties.keys, since, strict=True)], float
    )  # fmt: skip
    weeks = STEPS - since
    observed = weeks > 0
    np.testing.assert_allclose(
        rec.contacts_per_week[observed], expected[observed] / weeks[observed]
    )
    assert np.isnan(rec.contacts_per_week[~observed]).all()
    assert (formed[~observed] == STEPS).all()
    rates = rec.contacts_per_week[observed]
    # Everyday contact is a count (Poisson): an inner-circle tie is seen more than once a week.
    assert (rates >= 0).all() and rates.max() > 1


def test_every_step_and_no_burn_in():
    # The SISa mood layer on (it changes nothing else), so that its measure is taken too.
    model = SupportModel(rng=4, **{**SMALL, "sisa": True})
    rec = record_run(model, steps=12, burn_in=0, every=1, contact_window=5)
    assert [s.step for s in rec.snapshots] == list(range(13))
    assert rec.snapshots[0].stressor_load.sum() == 0.0  # nothing has happened at step 0
    assert len(rec.contacts_per_week) == len(rec.edges_u)
    for name, measure in MEASURES.items():
        out = measure(rec)
        assert out and all(isinstance(v, float) for v in out.values()), name


def test_last_snapshot_is_the_last_multiple_of_every():
    rec = record_run(SupportModel(rng=4, **SMALL), steps=23, burn_in=10, every=4)
    assert [s.step for s in rec.snapshots] == [10, 14, 18, 22]
    assert rec.steps.index[-1] == 23


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 10, "burn_in": 11}, "burn_in must be at most steps (10), got 11"),
        ({"steps": 10, "burn_in": 0, "every": 0}, "every must be an integer >= 1, got 0"),
        ({"steps": -1, "burn_in": 0}, "steps must be an integer >= 0, got -1"),
        ({"steps": 5, "burn_in": 0, "contact_window": 2.5}, "contact_window must be an integer"),
    ],
)
def test_bad_arguments_get_one_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        record_run(SupportModel(rng=1, **SMALL), **kwargs)


def test_a_stepped_model_is_refused():
    m = SupportModel(rng=1, **SMALL)
    m.step()
    with pytest.raises(ValueError, match="model must be fresh"):
        record_run(m, steps=5, burn_in=0)


def test_people_who_join_during_the_run():
    # Professionals are hired at step 3: rows appended, with their arrival step; measures run.
    iv = build({"kind": "professional", "start": 3, "budget": 20, "cost": 5})
    model = SupportModel(rng=2, interventions=[iv], **{**SMALL, "turnover": False, "sisa": True})
    rec = record_run(model, steps=30, burn_in=0, every=2)
    first, last = rec.snapshots[0], rec.snapshots[-1]
    assert last.n > first.n == 60 and rec.n == last.n
    assert (last.arrived[60:] == 3).all() and not last.member[60:].any()
    assert same_person(first, last).all() and stable_rows(rec.snapshots).all()
    for name, measure in MEASURES.items():
        assert all(isinstance(v, float) for v in measure(rec).values()), name


def test_people_who_leave_are_other_people_in_the_same_row():
    # Turnover: a newcomer takes a leaver's row; the row's arrival step changes, so it is not the
    # same person, and its window sums count only what happened since the newcomer arrived.
    model = SupportModel(rng=5, **{**SMALL, "leave_rate": 0.5})
    rec = record_run(model, steps=40, burn_in=10, every=10)
    first, last = rec.snapshots[0], rec.snapshots[-1]
    moved = last.arrived != first.arrived
    assert moved.any() and (last.arrived[moved] > first.step).all()
    assert not same_person(first, last)[moved].any() and same_person(first, last)[~moved].all()
    assert not stable_rows(rec.snapshots)[moved].any()
    pop = model.population
    newest = last.arrived > rec.snapshots[-2].step  # arrived inside the last window
    assert newest.any()
    np.testing.assert_allclose(last.stressor_load[newest], pop.stressor_total[newest])
    np.testing.assert_array_equal(last.ties_lost[newest], pop.ties_lost_total[newest])


def test_perceived_support_by_kind_is_trust_times_each_kinds_integration():
    from supportnet.kinds import FAMILY
    from supportnet.mechanisms.context import StepContext
    from supportnet.mechanisms.perception import integration

    model = SupportModel(rng=5, **CLOSED)
    rec = record_run(model, steps=10, burn_in=10, every=5)
    by_kind = rec.snapshots[-1].perceived_by_kind
    pop, t = model.population, model.ties
    assert by_kind.shape == (pop.n, len(TIE_KINDS))
    assert (by_kind >= 0).all() and (by_kind <= pop.trust[:, None] + 1e-12).all()
    # Nobody without a family tie perceives support from family.
    fam_degree = t.kind_degree()[:, FAMILY]
    assert (by_kind[fam_degree == 0, FAMILY] == 0).all() and (
        by_kind[fam_degree > 0, FAMILY] > 0
    ).all()
    # Integration is 1 - exp(-total): the kinds' parts combine to the whole.
    ctx = StepContext(pop=pop, ties=t, params=model.params, rng=model.rng, step=10,
                      shock=np.zeros(pop.n, bool))  # fmt: skip
    whole = 1 - np.exp(np.log1p(-by_kind / np.maximum(pop.trust, 1e-12)[:, None]).sum(axis=1))
    assert whole == pytest.approx(integration(ctx), abs=1e-9)


def test_person_keys_name_each_row_and_arrival_pair_once():
    """Distinct (row, arrived) pairs get distinct ids, negative arrival steps included; equal
    pairs get equal ids, whatever order they come in."""
    rows, arrived = np.meshgrid(np.arange(0, 50), np.arange(-60, 60), indexing="ij")
    # ... and the ends of the allowed ranges (rows and steps within 32 bits)
    top = 2**31 - 1
    rows = np.concatenate([rows.ravel(), [top, 0, top, 1]])
    arrived = np.concatenate([arrived.ravel(), [-top - 1, top, top, -100]])
    keys = person_keys(rows, arrived)
    assert keys.dtype == np.int64
    assert len(np.unique(keys)) == len(keys)
    order = np.random.default_rng(0).permutation(len(keys))
    np.testing.assert_array_equal(person_keys(rows[order], arrived[order]), keys[order])
    # the row and the arrival step can be read back from the id
    np.testing.assert_array_equal(keys >> 32, rows)
    np.testing.assert_array_equal((keys & 0xFFFFFFFF).astype(np.uint32).astype(np.int32), arrived)
