"""Save and export: the per-step table, the network with people's states, the run file.

NetLogo exports the world, the plots, the view and the interface; the dashboard offers the same
for a run: the per-step measures as CSV (one row per step, the columns of the model's
DataCollector), the current network as GraphML (every person with their state, every tie with its
kind, strength and last contact; opens in networkx, Gephi, Cytoscape), and the run file
(:mod:`supportnet.dashboards.runfile`) that restores the run. The pictures (the network view, each
chart) are saved as PNG by the browser, from what it drew (``network.vue``, ``chart.vue``).
"""

from __future__ import annotations

import io
import re

import networkx as nx

from . import runfile
from .session import Run, Session

__all__ = ["csv_bytes", "file_stem", "graphml_bytes", "run_file_bytes"]


def file_stem(session: Session) -> str:
    """A file name that says what the run is: ``supportnet-<preset or custom>-seed<S>-step<N>``."""
    run = session.run
    what = re.sub(r"[^a-z0-9]+", "-", (session.preset or "custom").lower()).strip("-")
    return f"supportnet-{what}-seed{run.seed}-step{run.steps}"


def csv_bytes(run: Run) -> bytes:
    """The per-step table of ``run`` as CSV (index column ``step``)."""
    df = run.dataframe().copy()
    df.index.name = "step"
    return df.to_csv().encode("utf-8")


def graphml_bytes(run: Run) -> bytes:
    """The current network of ``run`` as GraphML, with people's states and ties' attributes.

    GraphML holds plain numbers and text only, so numpy values are converted; a label is kept
    when the starting network had one (a real network or a file).
    """
    with run.lock:
        model = run.model
        pop = model.population
        G = nx.Graph(step=int(model.steps), seed=int(run.seed))
        for i in range(pop.n):
            attrs = {k: _plain(v) for k, v in model.graph.nodes[i].items()}
            attrs["professional"] = bool(pop.is_professional[i])
            G.add_node(i, **attrs)
        for u, v, d in model.graph.edges(data=True):
            G.add_edge(int(u), int(v), **{k: _plain(x) for k, x in d.items()})
    out = io.BytesIO()
    nx.write_graphml(G, out)
    return out.getvalue()


def run_file_bytes(session: Session) -> bytes:
    """The session's run file."""
    with session.lock:
        return runfile.dumps(runfile.from_session(session)).encode("utf-8")


def _plain(x):
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, (bool, int, float, str)):
        return x
    return str(x)
