"""SupportModel as Mesa users know it: agents, attributes, seeds, collectors, batch_run."""

import mesa
import numpy as np
import pandas as pd
import pytest

from supportnet import Person, SupportModel, metrics
from tests.conftest import SMALL


def test_is_a_mesa_model_with_person_agents(small_model):
    m = small_model
    assert isinstance(m, mesa.Model)
    assert len(m.agents) == SMALL["n_people"] and all(isinstance(a, Person) for a in m.agents)
    assert [a.index for a in m.people] == list(range(SMALL["n_people"]))


def test_agent_attributes_read_and_write_the_arrays(small_model):
    m = small_model
    a = m.people[5]
    assert a.stress == m.population.stress[5]
    a.stress = 0.9
    assert m.population.stress[5] == 0.9
    a.need[0] = 0.4  # a writable view
    assert m.population.need[5, 0] == 0.4
    assert np.isclose(m.agents.agg("stress", np.mean), m.population.stress.mean())
    lonely = m.agents.select(lambda p: p.loneliness > 0.3)
    assert len(lonely) == int((m.population.loneliness > 0.3).sum())
    with pytest.raises(ValueError, match=r"stress must be in \[0, 1\]"):
        a.stress = 1.5
    with pytest.raises(ValueError, match=r"capacity must be in \[0, "):
        a.capacity = a.capacity_max + 0.1
    ties = a.ties()
    assert len(ties) == a.degree == m.graph.degree[5]
    assert {t["kind"] for t in ties} <= {"family", "friend", "neighbour"}
    assert a.family_ties + a.friend_ties + a.other_ties == a.degree
    assert set(a.state()) >= {"stress", "need_emotional"}


def test_graph_nodes_carry_live_state(small_model):
    m = small_model
    m.population.loneliness[3] = 0.77
    assert m.graph.nodes[3]["loneliness"] == 0.77


def test_same_seed_same_run_different_seed_different_run():
    a = SupportModel(rng=11, **SMALL)
    b = SupportModel(rng=11, **SMALL)
    c = SupportModel(rng=12, **SMALL)
    for m in (a, b, c):
        m.run_for(30)
    pd.testing.assert_frame_equal(a.dataframe(), b.dataframe())
    assert not a.dataframe().equals(c.dataframe())
    assert np.array_equal(a.ties.keys, b.ties.keys)


def test_measuring_and_the_graph_do_not_change_a_run():
    a = SupportModel(rng=4, **SMALL)
    b = SupportModel(rng=4, agent_every=3, clustering_sample=5, **SMALL)
    _ = b.graph
    a.run_for(20)
    b.run_for(20)
    cols = [c for c in metrics.ALL_MEASURES if c != metrics.CLUSTERING]
    pd.testing.assert_frame_equal(a.dataframe()[cols], b.dataframe()[cols])


def test_datacollector_columns_and_agent_sampling():
    m = SupportModel(rng=1, agent_every=5, **SMALL)
    m.run_for(12)
    df = m.dataframe()
    assert list(df.columns) == list(metrics.ALL_MEASURES) and len(df) == 13
    agents = m.agent_datacollector.get_agent_vars_dataframe()
    assert sorted(agents.index.get_level_values(0).unique()) == [0, 5, 10]
    assert set(metrics.PERSON_REPORTERS) <= set(agents.columns)
    assert SupportModel(rng=1, **SMALL).agent_datacollector is None


def test_panel_snapshots_every_k_steps():
    m = SupportModel(rng=1, panel_every=4, **SMALL)
    m.run_for(12)
    assert [row["step"] for row in m.panel] == [0, 4, 8, 12]
    assert SupportModel(rng=1, panel_every=0, **SMALL).panel == []


def test_batch_run_drives_the_model():
    results = mesa.batch_run(
        SupportModel,
        parameters={**SMALL, "stressor_rate": [0.02, 0.2]},
        rng=[1],
        max_steps=5,
        number_processes=1,
        display_progress=False,
    )
    df = pd.DataFrame(results)
    assert set(df["stressor_rate"]) == {0.02, 0.2}
    assert metrics.MEAN_STRESS in df.columns


def test_a_given_graph_becomes_the_network():
    import networkx as nx

    G = nx.relabel_nodes(nx.cycle_graph(8), {i: f"p{i}" for i in range(8)})
    m = SupportModel(rng=1, graph=G, **SMALL)
    assert m.population.n == 8 and m.ties.m == 8 and m.labels[0] == "p0"


def test_invalid_parameters_are_refused_at_construction():
    from supportnet import ParameterError

    with pytest.raises(ParameterError, match="did you mean 'stressor_rate'"):
        SupportModel(rng=1, stresor_rate=0.1)
