"""The buffering estimate and loneliness correlation by distance, on data with known answers."""

import networkx as nx
import numpy as np
import pytest

from supportnet.analysis import buffering_from_panel, loneliness_by_distance, ols_cluster


def test_ols_cluster_recovers_coefficients_and_widens_with_clustering():
    rng = np.random.default_rng(0)
    n, g = 4000, 200
    cluster = rng.integers(0, g, n)
    x = rng.normal(size=n)
    y = 1.0 + 2.0 * x + rng.normal(size=g)[cluster] + rng.normal(size=n)
    X = np.column_stack([np.ones(n), x])
    beta, se = ols_cluster(y, X, cluster)
    assert np.allclose(beta, [1.0, 2.0], atol=0.2)
    _, se_iid = ols_cluster(y, X, np.arange(n))
    assert se[0] > 2 * se_iid[0]  # the intercept is mostly cluster noise


def synthetic_panel(interaction, windows=10, n=500, seed=1):
    rng = np.random.default_rng(seed)
    panel, dep = [], rng.random(n) * 0.3
    support = rng.random(n)
    panel.append(
        {
            "step": 0,
            "depression": dep.copy(),
            "perceived_support": support.copy(),
            "stressor_load": np.zeros(n),
        }
    )  # noqa: E501
    for w in range(1, windows + 1):
        load = rng.exponential(0.3, n)
        xz = (load - load.mean()) / load.std()
        pz = (support - support.mean()) / support.std()
        dep = dep + 0.01 * xz - 0.005 * pz + interaction * xz * pz + rng.normal(0, 0.01, n)
        support = np.clip(support + rng.normal(0, 0.02, n), 0, 1)
        panel.append(
            {
                "step": w * 10,
                "depression": dep.copy(),
                "perceived_support": support.copy(),
                "stressor_load": load,
            }
        )  # noqa: E501
    return panel


@pytest.mark.parametrize("true", [-0.004, 0.0, 0.003])
def test_buffering_from_panel_recovers_the_interaction(true):
    est = buffering_from_panel(synthetic_panel(true))
    assert est.ci_low < true < est.ci_high
    assert abs(est.interaction - true) < 0.001
    assert est.n_obs == 5000 and est.n_people == 500


def test_buffering_from_panel_without_data_is_nan():
    est = buffering_from_panel(synthetic_panel(0.0, windows=1)[:1])
    assert np.isnan(est.interaction)


def test_loneliness_by_distance_on_a_path():
    # On a path with loneliness alternating in pairs, distance-1 pairs correlate 0, distance-2
    # pairs -1 ... : exact values check the breadth-first search.
    G = nx.path_graph(400)
    lon = np.array([(i // 2) % 2 for i in range(400)], float)
    r = loneliness_by_distance(adjacency=nx.to_scipy_sparse_array(G), loneliness=lon, n_sources=400)
    assert abs(r[1]) < 0.02 and r[2] < -0.98 and abs(r[3]) < 0.02 and r[4] > 0.98


def test_loneliness_by_distance_of_a_model():
    from supportnet import SupportModel

    m = SupportModel(
        rng=1, n_people=80, convoy_inner=2, convoy_sympathy=3, convoy_wider=4, n_groups=8
    )
    m.run_for(5)
    r = loneliness_by_distance(m)
    assert set(r) == {1, 2, 3, 4} and all(-1 <= v <= 1 for v in r.values() if not np.isnan(v))
