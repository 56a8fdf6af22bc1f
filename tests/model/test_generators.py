"""Starting networks: generators, networkx's real networks, and files (good and bad)."""

import networkx as nx
import numpy as np
import pytest

from supportnet import NetworkFileError, SupportModel
from supportnet.generators import read_network_file
from supportnet.kinds import FAMILY, KIND_CODES


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("convoy", {}),
        ("watts_strogatz", {}),
        ("barabasi_albert", {}),
        ("erdos_renyi", {}),
        ("family_sbm", {}),
    ],
)
def test_generators_build_the_requested_size(kind, extra):
    m = SupportModel(rng=1, network=kind, n_people=200, **extra)
    assert m.population.n == 200 and m.ties.m > 100
    assert m.graph.number_of_nodes() == 200


def test_convoy_layers_and_families():
    m = SupportModel(
        rng=2, n_people=2000, convoy_inner=5, convoy_sympathy=15, convoy_wider=40, n_groups=40
    )
    deg = m.ties.degree()
    # Long-standing residents start with 55% of their network size (less for the largest), recent
    # arrivals with less (supportnet.generators.START_FILL, starting_tenure); the rest fills.
    assert 0.35 * 40 < deg.mean() < 0.6 * 40
    # Network sizes vary between people, and degree follows them (and time in town).
    assert deg.std() / deg.mean() >= 0.4
    assert np.corrcoef(deg, m.population.network_size)[0, 1] > 0.5
    family = m.ties.kind == FAMILY
    assert family.any()
    # families are clusters: family ties close triangles
    G = nx.Graph()
    G.add_edges_from(zip(m.ties.u[family], m.ties.v[family], strict=True))
    assert nx.transitivity(G) > 0.9
    # family ties start stronger than the wider layer
    assert m.ties.strength[family].mean() > m.ties.strength[~family].mean() + 0.2


def test_family_sbm_has_complete_family_blocks():
    m = SupportModel(rng=3, network="family_sbm", n_people=400, sbm_family_size=4)
    family = m.ties.kind == FAMILY
    assert family.sum() == 100 * 6  # 100 blocks of 4 people, 6 pairs each
    assert np.all(m.ties.u[family] // 4 == m.ties.v[family] // 4)


@pytest.mark.parametrize(
    ("kind", "n"),
    [
        ("karate_club", 34),
        ("davis_southern_women", 18),
        ("florentine_families", 15),
        ("les_miserables", 77),
    ],
)
def test_real_networks(kind, n):
    m = SupportModel(rng=1, network=kind)
    assert m.population.n == n and m.n_people == n
    assert m.labels is not None and len(m.labels) == n
    assert m.network_report
    m.run_for(3)


def test_generators_are_seeded():
    for kind in ("convoy", "watts_strogatz", "barabasi_albert", "erdos_renyi", "family_sbm"):
        a = SupportModel(rng=5, network=kind, n_people=150)
        b = SupportModel(rng=5, network=kind, n_people=150)
        c = SupportModel(rng=6, network=kind, n_people=150)
        assert np.array_equal(a.ties.keys, b.ties.keys)
        assert not np.array_equal(a.ties.keys, c.ties.keys)


# --- files --------------------------------------------------------------------------------------
def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_edge_list_with_weights_and_comments(tmp_path):
    p = write(
        tmp_path, "net.txt", "# a comment\nann bob 2\nbob cat 4\ncat ann 1  # trailing\ndan eve\n"
    )
    with pytest.raises(NetworkFileError, match="every edge needs a positive weight"):
        read_network_file(p)
    p = write(tmp_path, "net.txt", "ann bob 2\nbob cat 4\ncat ann 1\ndan eve 4\n")
    net = read_network_file(p)
    assert net.n == 5 and len(net.u) == 4
    assert net.labels == ["ann", "bob", "cat", "dan", "eve"]
    assert net.strength.max() == 1.0 and net.strength.min() == 0.25
    assert any("rescaled" in r for r in net.report)
    assert any("2 disconnected pieces kept" in r for r in net.report)
    m = SupportModel(rng=1, network="file", network_file=str(p))
    assert m.n_people == 5 and m.labels[0] == "ann"


def test_csv_with_kinds_and_conflict(tmp_path):
    p = write(
        tmp_path,
        "net.csv",
        "source,target,kind,strength,conflict\n1,2,family,0.9,0.1\n2,3,friend,0.5,0\n3,4,online,0.3,0.5\n",
    )  # noqa: E501
    net = read_network_file(p)
    assert net.kind.tolist() == [KIND_CODES["family"], KIND_CODES["friend"], KIND_CODES["online"]]
    assert net.conflict.tolist() == [0.1, 0.0, 0.5]
    m = SupportModel(rng=1, network="file", network_file=str(p))
    assert m.graph[0][1]["kind"] == "family" and m.graph[0][1]["strength"] == 0.9


def test_graphml_and_gml_with_node_states(tmp_path):
    G = nx.path_graph(4)
    nx.set_node_attributes(G, {0: 0.9, 1: 0.1}, "stress")
    nx.set_node_attributes(G, {i: "club" if i < 2 else "choir" for i in G}, "group")
    nx.set_node_attributes(G, {i: "x" for i in G}, "colour")
    for name, writer in (("g.graphml", nx.write_graphml), ("g.gml", nx.write_gml)):
        path = tmp_path / name
        writer(G, path)
        net = read_network_file(path)
        assert net.n == 4 and len(net.u) == 3
        assert net.node_values["stress"][0] == 0.9 and np.isnan(net.node_values["stress"][2])
        assert sorted(set(net.group.tolist())) == [0, 1]
        assert any("not used by the model: colour" in r for r in net.report)
        m = SupportModel(rng=1, network="file", network_file=str(path))
        assert m.population.stress[0] == 0.9


def test_directed_multigraph_and_self_loops_are_converted_and_reported(tmp_path):
    D = nx.MultiDiGraph()
    D.add_edges_from([(1, 2), (2, 1), (1, 2), (2, 3), (3, 3)])
    path = tmp_path / "d.graphml"
    nx.write_graphml(D, path)
    net = read_network_file(path)
    text = " ".join(net.report)
    assert (
        "multigraph" in text
        and "directed; made undirected" in text
        and "1 self-loops dropped" in text
    )
    assert len(net.u) == 2  # 1-2 and 2-3
    p = write(tmp_path, "rep.txt", "a b\na b\nb c\n")
    net = read_network_file(p)
    assert "1 repeated pairs merged" in " ".join(net.report) and len(net.u) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "does not exist"),
        ("empty.txt", "", "is empty"),
        ("blank.txt", "# nothing here\n", "has no ties"),
        ("net.xlsx", "a b\n", r"the format '.xlsx' is not known; allowed: .graphml, .gml"),
        ("bad.txt", "a b c d\n", r"line 1: 'a b c d' has 4 fields"),
        ("bad2.txt", "a\n", r"line 1: 'a' is not an edge"),
        ("bad3.txt", "a b heavy\n", r"line 1: weight 'heavy' is not a number"),
        ("bad.graphml", "<graphml><oops", "cannot be read as graphml"),
        ("bad.gml", "graph [ node [ id 1 ", "cannot be read as gml"),
        (
            "kind.csv",
            "source,target,kind\na,b,cousin\n",
            r"edge \(a, b\) has kind='cousin'; allowed: family, friend",
        ),
        ("strength.csv", "source,target,strength\na,b,3\n", r"edge strength 3 is out of range"),
        ("neg.csv", "source,target,weight\na,b,-1\n", "every edge needs a positive weight"),
        ("conf.csv", "source,target,conflict\na,b,2\n", "conflict must be a number from 0 to 1"),
        ("loops.txt", "a a\nb b\n", "fewer than two people with ties"),
    ],
)
def test_unusable_files_get_clear_messages(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(NetworkFileError, match=message):
        read_network_file(path)


def test_node_attributes_that_do_not_fit(tmp_path):
    G = nx.path_graph(3)
    G.nodes[1]["stress"] = "high"
    nx.write_graphml(G, tmp_path / "a.graphml")
    with pytest.raises(NetworkFileError, match=r"node '1' has stress='high'; expected a number"):
        read_network_file(tmp_path / "a.graphml")
    G.nodes[1]["stress"] = 1.5
    nx.write_graphml(G, tmp_path / "b.graphml")
    with pytest.raises(
        NetworkFileError, match=r"node '1' has stress=1.5; stress must be a number from 0 to 1"
    ):  # noqa: E501
        read_network_file(tmp_path / "b.graphml")


def test_binary_file(tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(NetworkFileError, match="is not a text file"):
        read_network_file(path)


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(NetworkFileError, match="is not a file"):
        read_network_file(tmp_path)


# --- issue 15, failure 9: files read as written, the same way in every format ------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plain.csv", "a,b\nb,c\nc,d\n"),
        ("header.csv", "source,target\na,b\nb,c\nc,d\n"),
        ("plain.txt", "a b\nb c\nc d\n"),
        ("header.txt", "source target\na b\nb c\nc d\n"),
        ("bom.txt", "\ufeffa b\nb c\nc d\n"),
        ("bom.csv", "\ufeffsource,target\na,b\nb,c\nc,d\n"),
        ("bomplain.csv", "\ufeffa,b\nb,c\nc,d\n"),
    ],
)
def test_headers_and_byte_order_marks_are_detected(tmp_path, name, content):
    """A CSV without a header lost its first edge; an edge-list header became two people; a
    BOM made a phantom person. Every variant is the same path a-b-c-d, and says what it did."""
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    net = read_network_file(path)
    assert net.labels == ["a", "b", "c", "d"] and len(net.u) == 3
    text = " ".join(net.report)
    assert ("read as a header" in text) == ("source" in content)
    assert ("byte order mark skipped" in text) == content.startswith("\ufeff")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rep.txt", "a b 2\nb c 1\nb a 3\n"),
        ("rep.csv", "source,target,weight\na,b,2\nb,c,1\nb,a,3\n"),
        ("rep_plain.csv", "a,b,2\nb,c,1\nb,a,3\n"),
    ],
)
def test_repeated_pairs_are_summed_in_every_format(tmp_path, name, content):
    """A repeated pair in a CSV overwrote its weight while edge lists summed: now all sum."""
    path = tmp_path / name
    path.write_text(content)
    net = read_network_file(path)
    assert len(net.u) == 2
    strengths = dict(
        zip(zip(net.u.tolist(), net.v.tolist(), strict=True), net.strength.tolist(), strict=True)
    )
    assert strengths[(0, 1)] == 1.0 and strengths[(1, 2)] == 0.2  # a-b: 2 + 3 = 5 (max), b-c: 1
    assert "1 repeated pairs merged into one tie each, weights summed" in " ".join(net.report)


def test_repeated_pairs_keep_the_first_lines_other_attributes(tmp_path):
    path = tmp_path / "kinds.csv"
    path.write_text("source,target,kind\na,b,family\nb,c,friend\na,b,friend\n")
    net = read_network_file(path)
    assert net.kind.tolist() == [KIND_CODES["family"], KIND_CODES["friend"]]
    assert "(kind kept from the first line)" in " ".join(net.report)
