"""People as honest views: tie counts from the cached degrees, collection in columns, no remove()."""

import time

import mesa
import numpy as np
import pandas as pd
import pytest

from supportnet import SupportModel, metrics
from supportnet.kinds import FAMILY, FRIEND, TIE_KINDS
from tests.conftest import SMALL


def _scanned_counts(m, i):
    t = m.ties
    kinds = t.kind[(t.u == i) | (t.v == i)]
    return len(kinds), (kinds == FAMILY).sum(), (kinds == FRIEND).sum()


def test_tie_counts_match_a_scan_of_the_ties_as_the_network_changes():
    m = SupportModel(rng=3, closure_rate=0.2, focal_rate=0.1, end_hazard=0.2, **SMALL)
    for _ in range(3):
        m.run_for(5)
        for p in m.people:
            degree, family, friend = _scanned_counts(m, p.index)
            assert (p.degree, p.family_ties, p.friend_ties) == (degree, family, friend)
            assert p.other_ties == degree - family - friend
    assert (
        m.dataframe()[metrics.TIES_FORMED].sum() > 0 and m.dataframe()[metrics.TIES_ENDED].sum() > 0
    )


def test_counts_are_cached_per_version_and_follow_a_kind_set_through_the_graph():
    m = SupportModel(rng=5, **SMALL)
    counts = m.ties.kind_degree()
    assert m.ties.kind_degree() is counts  # one pass, then reads
    u, v = int(m.ties.u[0]), int(m.ties.v[0])
    before = m.people[u].friend_ties
    old = m.graph[u][v]["kind"]
    m.graph[u][v]["kind"] = "friend" if old != "friend" else "online"
    assert m.ties.kind_degree() is not counts
    assert m.people[u].friend_ties == before + (1 if old != "friend" else -1)
    m.step()
    assert m.ties.kind_degree().shape == (m.population.n, len(TIE_KINDS))


def test_person_collector_gives_the_table_mesa_s_collector_gives():
    m = SupportModel(rng=2, agent_every=2, **SMALL)
    plain = mesa.DataCollector(agent_reporters={r: r for r in metrics.PERSON_REPORTERS})
    plain.collect(m)
    for _ in range(4):
        m.step()
        if m.steps % 2 == 0:
            plain.collect(m)
    ours = m.agent_datacollector.get_agent_vars_dataframe()
    pd.testing.assert_frame_equal(ours, plain.get_agent_vars_dataframe(), check_dtype=False)
    assert isinstance(m.agent_datacollector, mesa.DataCollector)


def test_person_collector_asks_people_for_reporters_it_has_no_column_for():
    from supportnet.collectors import PersonCollector

    m = SupportModel(rng=2, **SMALL)
    c = PersonCollector({"stress": "stress", "group": "group", "twice": lambda p: 2 * p.stress})
    c.collect(m)
    df = c.get_agent_vars_dataframe()
    assert np.allclose(df["twice"], 2 * df["stress"])
    assert list(df["group"]) == list(m.population.group)
    assert PersonCollector({"stress": "stress"}).get_agent_vars_dataframe().empty


def _median_step(models, repeats):
    """Median step time of each model, stepping them in turn (so load hits both alike)."""
    times = [[] for _ in models]
    for _ in range(repeats):
        for k, m in enumerate(models):
            t = time.perf_counter()
            m.step()
            times[k].append(time.perf_counter() - t)
    return [float(np.median(ts)) for ts in times]


def test_person_level_collection_costs_at_most_twice_a_step_at_4000_people():
    size = {"n_people": 4000}
    plain = SupportModel(rng=1, **size)
    collected = SupportModel(rng=1, agent_every=1, **size)
    _median_step([plain, collected], 2)  # warm up (compiled kernels, caches)
    without, with_collection = _median_step([plain, collected], 9)
    ratio = with_collection / without
    assert ratio <= 2.0, f"a step with collection took {ratio:.2f}x a step without"
    assert len(collected.agent_datacollector.get_agent_vars_dataframe()) == 4000 * 12


def test_remove_refuses_and_says_how_to_end_participation(small_model):
    m = small_model
    p = m.people[4]
    with pytest.raises(RuntimeError, match=r"cannot be removed.*person\.end_ties\(\)"):
        p.remove()
    assert p in m.agents and m.graph.has_node(4)


def test_end_ties_ends_them_in_the_arrays_the_graph_and_the_counts(small_model):
    m = small_model
    p = m.people[4]
    neighbours = set(m.graph[4])
    assert neighbours and p.end_ties() == len(neighbours)
    assert p.degree == 0 and p.family_ties == p.friend_ties == p.other_ties == 0
    assert len(m.graph[4]) == 0 and not ((m.ties.u == 4) | (m.ties.v == 4)).any()
    assert m.ties.m == m.graph.number_of_edges()
    m.step()  # the model runs on
    assert m.steps == 1
