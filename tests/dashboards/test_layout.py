"""The incremental network layout: seeded, bounded, gentle per frame, and never touching the model."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.dashboards.layout import EXACT_LIMIT, IncrementalLayout, _exact_repulsion
from supportnet.params import PARAMETERS


def _town(n: int) -> dict:
    """A small town of ``n`` people whose community groups are as large as the default town's."""
    per_group = PARAMETERS["n_people"].default / PARAMETERS["n_groups"].default
    return {
        "n_people": n,
        "n_groups": max(1, round(n / per_group)),
        "convoy_inner": 3,
        "convoy_sympathy": 6,
        "convoy_wider": 12,
    }


SMALL = _town(120)


def _layout(model, seed=1, **kw):
    t = model.ties
    return IncrementalLayout(
        model.population.n, t.u, t.v, t.strength, seed=seed, group=model.population.group, **kw
    )


@pytest.mark.parametrize("n", [60, EXACT_LIMIT + 200])  # exact and mesh repulsion
def test_same_seed_same_picture_and_bounded(n):
    m = SupportModel(rng=3, **_town(n))
    a, b, c = _layout(m, seed=5), _layout(m, seed=5), _layout(m, seed=6)
    assert np.array_equal(a.pos, b.pos)
    assert not np.allclose(a.pos, c.pos)
    assert a.pos.shape == (n, 2)
    assert np.isfinite(a.pos).all() and np.abs(a.pos).max() <= 1.0
    # The picture fills the square rather than collapsing to a dot.
    assert np.quantile(np.abs(a.pos), 0.99) > 0.5


def test_per_frame_update_is_gentle_and_follows_new_ties():
    m = SupportModel(rng=2, **SMALL)
    layout = _layout(m)
    before = layout.pos.copy()
    for _ in range(5):
        m.step()
        layout.relax(m.ties.u, m.ties.v, m.ties.strength, iterations=1)
    moved = np.sqrt(((layout.pos - before) ** 2).sum(axis=1))
    # Five frames move people by at most five small steps: no relayout, no jump.
    assert moved.max() <= 5 * 0.01 + 1e-9


def _new_tie_pull(seed: int) -> tuple[float, float, float, float]:
    """Two far-apart people of one community get a new tie (the strongest of both, so in both
    inner circles: the ties that pull); 30 frames later, with and without that tie: their distance
    and how far round the community's centre they sit (distance / sum of distances to the centre:
    1 on opposite sides of it, less when on one side)."""
    m = SupportModel(rng=seed, **SMALL)
    layout = _layout(m)
    for _ in range(5):
        m.step()
        layout.relax(m.ties.u, m.ties.v, m.ties.strength, iterations=1)
    group = layout.group
    d = np.sqrt(((layout.pos[:, None] - layout.pos[None]) ** 2).sum(-1))
    d[m.ties.adjacency().toarray() > 0] = 0
    d[group[:, None] != group[None]] = 0
    np.fill_diagonal(d, 0)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    untied = copy.deepcopy(layout)
    u = np.r_[m.ties.u, min(i, j)]
    v = np.r_[m.ties.v, max(i, j)]
    w = np.r_[m.ties.strength, 1.0]
    for _ in range(30):
        layout.relax(u, v, w, iterations=1)
        untied.relax(m.ties.u, m.ties.v, m.ties.strength, iterations=1)

    def spread(lay):
        gap = np.linalg.norm(lay.pos[i] - lay.pos[j])
        return gap, gap / np.linalg.norm(lay.pos[[i, j]] - lay.centres[group[i]], axis=1).sum()

    (together, round_tied), (apart, round_untied) = spread(layout), spread(untied)
    return together, apart, round_tied, round_untied


def test_a_new_tie_pulls_two_people_together_and_round_their_community():
    pulls = np.array([_new_tie_pull(seed) for seed in range(6)])
    together, apart, round_tied, round_untied = pulls.T
    # In every town the pair drifts together (ties across communities do not pull: docstring).
    assert (together < apart - 0.05).all()
    # On average the tie also brings them round the centre to one side, not only nearer its core
    # (one town alone need not show it within 30 frames).
    assert round_tied.mean() < round_untied.mean() - 0.05


def test_grow_places_newcomers_at_their_neighbours():
    m = SupportModel(rng=4, **SMALL)
    layout = _layout(m)
    n = layout.n
    u = np.r_[m.ties.u, 3, 10, n]
    v = np.r_[m.ties.v, n, n, n + 1]
    layout.grow(2, u, v)
    assert layout.pos.shape == (n + 2, 2)
    assert np.allclose(layout.pos[n], (layout.pos[3] + layout.pos[10]) / 2)
    assert np.abs(layout.pos[n + 1]).max() < 0.6  # no neighbour placed yet: near the centre


def test_mesh_repulsion_agrees_with_exact():
    rng = np.random.default_rng(0)
    pos = rng.uniform(-0.9, 0.9, (EXACT_LIMIT + 300, 2))
    layout = IncrementalLayout(0, np.zeros(0), np.zeros(0))
    k = 0.05
    exact = _exact_repulsion(pos, k)
    mesh = layout._mesh_repulsion(pos, k)
    cos = (exact * mesh).sum(1) / (np.linalg.norm(exact, axis=1) * np.linalg.norm(mesh, axis=1))
    assert np.median(cos) > 0.95
    ratio = np.linalg.norm(mesh, axis=1) / np.linalg.norm(exact, axis=1)
    assert 0.8 < np.median(ratio) < 1.2


def test_drawing_never_changes_the_run():
    """The layout has its own generator: watching a run must not change it."""
    watched = SupportModel(rng=9, **SMALL)
    layout = _layout(watched)
    plain = SupportModel(rng=9, **SMALL)
    for _ in range(5):
        watched.step()
        layout.relax(watched.ties.u, watched.ties.v, watched.ties.strength)
        plain.step()
    assert watched.dataframe().equals(plain.dataframe())


def test_degenerate_sizes():
    empty = IncrementalLayout(0, np.zeros(0, int), np.zeros(0, int))
    assert empty.pos.shape == (0, 2)
    one = IncrementalLayout(1, np.zeros(0, int), np.zeros(0, int), seed=1)
    assert one.pos.shape == (1, 2)
    isolated = IncrementalLayout(30, np.zeros(0, int), np.zeros(0, int), seed=1)
    assert np.isfinite(isolated.pos).all()


def test_newcomers_in_leavers_rows_take_their_own_community_and_sit_by_their_ties():
    from supportnet.dashboards.session import Session

    s = Session(seed=3, **{**SMALL, "leave_rate": 0.9, "local_entry_share": 1.0})
    before = s.run.model.population.arrived.copy()
    s.step(6)
    run = s.run
    pop, lay, t = run.model.population, run.layout, run.model.ties
    renewed = np.flatnonzero(pop.arrived != before)
    assert len(renewed) > 0
    # Every person is drawn in the community of their own group, newcomers included.
    assert (lay.labels[lay.group[: pop.n]] == pop.group).all()
    # A newcomer with ties starts among them: nearer their partners than the layout's median gap.
    for row in renewed[:5]:
        partners = np.r_[t.v[t.u == row], t.u[t.v == row]]
        if len(partners):
            gap = np.linalg.norm(lay.pos[partners] - lay.pos[row], axis=1).mean()
            spread = np.linalg.norm(lay.pos[:, None] - lay.pos[None], axis=2)
            assert gap < np.median(spread)
