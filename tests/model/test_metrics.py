"""The per-step measures agree with networkx and with direct computation."""

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from supportnet import SupportModel, metrics
from tests.conftest import SMALL


def test_network_measures_match_networkx():
    m = SupportModel(rng=2, clustering_sample=10_000, **{**SMALL, "n_people": 90})
    m.run_for(15)
    G = m.graph.copy()
    out = m.measures
    assert np.isclose(out[metrics.CLUSTERING], nx.average_clustering(G))
    assert out[metrics.COMPONENTS] == nx.number_connected_components(G)
    assert out[metrics.ISOLATES] == nx.number_of_isolates(G)
    assert out[metrics.TIES] == G.number_of_edges()
    assert np.isclose(out[metrics.MEAN_DEGREE], 2 * G.number_of_edges() / G.number_of_nodes())
    for i in G:
        G.nodes[i]["lon"] = float(m.population.loneliness[i])
    assert np.isclose(
        out[metrics.LONELINESS_ASSORTATIVITY], nx.numeric_assortativity_coefficient(G, "lon")
    )  # noqa: E501
    kinds = {
        k: sum(1 for *_, d in G.edges(data=True) if d["kind"] == k)
        for k in ("family", "friend", "neighbour")
    }  # noqa: E501
    for k, count in kinds.items():
        assert out[f"ties_{k}"] == count


def test_person_measures_match_the_arrays():
    m = SupportModel(rng=3, **SMALL)
    m.run_for(10)
    pop, out, p = m.population, m.measures, m.params
    assert np.isclose(out[metrics.MEAN_DEPRESSION], pop.depression.mean())
    assert np.isclose(out["p90_loneliness"], np.quantile(pop.loneliness, 0.9))
    assert np.isclose(out[metrics.CASE_PREVALENCE], (pop.depression > p.case_threshold).mean())
    assert np.isclose(out[metrics.LONELY_FRACTION], (pop.loneliness > p.lonely_threshold).mean())
    assert np.isclose(out[metrics.UNMET_NEED], pop.need.sum(axis=1).mean())
    assert np.isclose(out[metrics.SUPPORT_GIVEN], out[metrics.SUPPORT_RECEIVED])
    assert np.isclose(sum(out[k] for k in metrics.SUPPORT_BY_TYPE), out[metrics.SUPPORT_GIVEN])
    assert np.isclose(sum(out[k] for k in metrics.SUPPORT_BY_KIND), out[metrics.SUPPORT_GIVEN])
    givers = pop.given > 0
    burnt = givers & (pop.capacity < p.burnout_capacity * pop.capacity_max)
    assert np.isclose(out[metrics.BURNT_OUT], burnt.sum() / max(givers.sum(), 1))


def test_outcomes_and_reporters_are_declared_measures():
    assert set(metrics.OUTCOMES) <= set(metrics.ALL_MEASURES)
    assert len(set(metrics.ALL_MEASURES)) == len(metrics.ALL_MEASURES)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.lists(
            st.lists(
                st.one_of(
                    st.floats(0, 1),
                    st.sampled_from([0.0, -0.0, 0.5, 1.0, float("nan")]),
                ),
                min_size=n,
                max_size=n,
            ),
            min_size=1,
            max_size=4,
        )
    )
)
def test_state_quantiles_are_numpys_bit_for_bit(rows):
    """One partition of the stacked states gives np.quantile's p10/p50/p90 exactly (NaN too)."""
    states = [np.array(r) for r in rows]
    got = metrics.state_quantiles(states)
    want = np.array([np.quantile(s, [q for _, q in metrics.QUANTILES]) for s in states])
    assert np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_state_quantiles_keep_numpys_sign_of_zero_where_rows_hold_both_zeros():
    """numpy's vectorised sort and partition each give zeros of either sign in a row holding
    both: the quantiles sort the rows, so a row whose quantile is a zero is partitioned as
    ``np.quantile`` does. Many rows of mostly zeros of both signs, and some NaN."""
    rng = np.random.default_rng(5)
    values = np.array([0.0, -0.0, 0.3, 1.0, np.nan, -0.2])
    for _ in range(3000):
        n = int(rng.integers(1, 200))
        states = [rng.choice(values, n, p=[0.4, 0.3, 0.1, 0.1, 0.02, 0.08]) for _ in range(4)]
        got = metrics.state_quantiles(states)
        want = np.array([np.quantile(s, [q for _, q in metrics.QUANTILES]) for s in states])
        assert np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(want))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 70_000), max_size=300), st.sampled_from([np.int32, np.int64]))
def test_stable_order_is_numpys_stable_argsort(codes, dtype):
    """The radix path for small codes gives the same order as a stable argsort of the codes."""
    from supportnet.ordering import stable_order

    codes = np.array(codes, dtype=dtype)
    assert np.array_equal(stable_order(codes), np.argsort(codes, kind="stable"))
