"""Contact layers, degree CV and clustering on hand-built networks."""

import networkx as nx
import numpy as np
import pytest

from supportnet.analysis.layers import layers, mean_clustering

from .builders import record, snapshot


def test_layers_count_ties_by_contact_rate():
    # A star around 0 plus a tie 1-2; rates chosen on both sides of the thresholds.
    u = np.array([0, 0, 0, 0, 1])
    v = np.array([1, 2, 3, 4, 2])
    rate = np.array([1.0, 0.99, 12 / 52, 0.2, np.nan])  # weekly, monthly, monthly, none, unseen
    members = np.ones(5, bool)
    members[4] = False
    rec = record([snapshot(0, 5, member=members)], edges=(u, v), contacts_per_week=rate)
    out = layers(rec)
    # weekly per member 0..3: [1, 1, 0, 0]; monthly: [3, 1, 1, 1] (1-2 is not yet observed)
    assert out["weekly_mean"] == pytest.approx(2 / 4)
    assert out["monthly_mean"] == pytest.approx(6 / 4)
    assert out["layer_ratio"] == pytest.approx(3.0)
    degree = np.array([4, 2, 2, 1])
    assert out["mean_degree"] == pytest.approx(degree.mean())
    assert out["degree_cv"] == pytest.approx(degree.std(ddof=1) / degree.mean())
    G = nx.Graph(list(zip(u, v, strict=True)))
    assert out["clustering"] == pytest.approx(nx.average_clustering(G, nodes=[0, 1, 2, 3]))


def test_clustering_equals_networkx_on_a_random_graph():
    G = nx.gnp_random_graph(300, 0.05, seed=2)
    u, v = np.array(G.edges()).T
    people = np.random.default_rng(2).choice(300, 200, replace=False)
    assert mean_clustering(u, v, 300, people) == pytest.approx(
        nx.average_clustering(G, nodes=people.tolist()), rel=1e-12
    )


def test_no_weekly_contacts_gives_a_nan_ratio():
    rec = record([snapshot(0, 3)], edges=([0, 1], [1, 2]), contacts_per_week=np.array([0.5, 0.5]))
    out = layers(rec)
    assert out["weekly_mean"] == 0 and out["monthly_mean"] == pytest.approx(4 / 3)
    assert np.isnan(out["layer_ratio"])
