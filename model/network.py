"""The tie store: tie state in arrays, and a networkx graph kept in step with them.

Ties live in compact, parallel numpy arrays (one slot per live tie), so every phase of a step is a
vectorised operation over them. Users, reports and dashboards see :attr:`TieStore.graph`, a
:class:`TieGraph` (a ``networkx.Graph``) whose edge attribute dicts are live views onto the arrays:
``G[u][v]["strength"]`` always reads the current value, and nothing is rebuilt per step. Only the
few ties that form or end in a step touch the graph, incrementally.

The graph is built on first access, so sweeps that never look at it never pay for it.

Orientation: each tie is stored once with ``u < v``. Its ``balance`` is support given by ``u`` to
``v`` minus support given by ``v`` to ``u`` (with exponential forgetting), seen from the lower id.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse

from .kinds import KIND_CODES, TIE_KINDS

__all__ = ["TieAttrs", "TieGraph", "TieStore", "tie_keys"]

_SHIFT = np.int64(32)
_LOW = np.int64(0xFFFFFFFF)


def tie_keys(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Return one int64 key per unordered pair, ``min << 32 | max``."""
    lo = np.minimum(u, v).astype(np.int64)
    hi = np.maximum(u, v).astype(np.int64)
    return (lo << _SHIFT) | hi


class TieAttrs(MutableMapping):
    """The attribute dict of one edge of a :class:`TieGraph`: a live view onto the tie arrays.

    Keys: ``kind`` (str), ``strength`` and its alias ``weight``, ``balance``, ``conflict``,
    ``last_contact``, ``formed``. ``strength``, ``weight``, ``conflict`` and ``kind`` can be set
    and write through to the model; other keys are stored on the edge as in any networkx graph.
    """

    __slots__ = ("_extra", "_store", "slot")
    _KEYS = ("kind", "strength", "weight", "balance", "conflict", "last_contact", "formed")

    def __init__(self, store: TieStore, slot: int):
        self._store = store
        self.slot = slot
        self._extra: dict[Any, Any] | None = None

    def __getitem__(self, key: Any) -> Any:
        s, i = self._store, self.slot
        if key == "kind":
            return TIE_KINDS[s.kind[i]]
        if key in ("strength", "weight"):
            return float(s.strength[i])
        if key == "balance":
            return float(s.balance[i])
        if key == "conflict":
            return float(s.conflict[i])
        if key == "last_contact":
            return int(s.last_contact[i])
        if key == "formed":
            return int(s.formed[i])
        if self._extra is not None and key in self._extra:
            return self._extra[key]
        raise KeyError(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        s, i = self._store, self.slot
        if key in ("strength", "weight"):
            value = float(value)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"tie strength must be in (0, 1], got {value!r}")
            s.strength[i] = value
        elif key == "conflict":
            value = float(value)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"tie conflict must be in [0, 1], got {value!r}")
            s.conflict[i] = value
        elif key == "kind":
            if value not in KIND_CODES:
                raise ValueError(f"tie kind must be one of {', '.join(TIE_KINDS)}, got {value!r}")
            s.kind[i] = KIND_CODES[value]
        elif key in self._KEYS:
            raise KeyError(f"tie attribute {key!r} is kept by the model and cannot be set")
        else:
            if self._extra is None:
                self._extra = {}
            self._extra[key] = value

    def __delitem__(self, key: Any) -> None:
        if key in self._KEYS:
            raise KeyError(f"tie attribute {key!r} is kept by the model and cannot be deleted")
        if self._extra is None:
            raise KeyError(key)
        del self._extra[key]

    def __iter__(self) -> Iterator[Any]:
        yield from self._KEYS
        if self._extra:
            yield from self._extra

    def __len__(self) -> int:
        return len(self._KEYS) + (len(self._extra) if self._extra else 0)

    def copy(self) -> dict[Any, Any]:
        """Return a plain dict snapshot of the attributes (what ``G.copy()`` stores)."""
        return dict(self.items())

    def __copy__(self) -> dict[Any, Any]:
        return self.copy()

    def __deepcopy__(self, memo) -> dict[Any, Any]:
        # networkx's to_directed() deep-copies edge data: give a snapshot, never the model.
        import copy

        return copy.deepcopy(self.copy(), memo)

    def __repr__(self) -> str:
        return repr(self.copy())


class TieGraph(nx.Graph):
    """A ``networkx.Graph`` whose edges are the model's ties, kept in step with the tie arrays.

    Read it like any graph (``G.degree``, ``nx.clustering(G)``, ``G.edges(data=True)``); edge
    attributes are live. Its structure belongs to the model: add or remove ties through the model,
    not the graph (``G.copy()`` gives an ordinary, editable graph).
    """

    def __init__(self, incoming_graph_data=None, store: TieStore | None = None, **attr):
        self._store = store
        self._next_attrs: TieAttrs | None = None
        super().__init__(incoming_graph_data, **attr)

    def edge_attr_dict_factory(self):  # noqa: D102 (networkx hook)
        if self._next_attrs is not None:
            attrs, self._next_attrs = self._next_attrs, None
            return attrs
        if self._store is not None and not self._store._editing:
            raise nx.NetworkXError(
                "model.graph mirrors the model's ties and cannot be edited directly; "
                "use G.copy() for an editable graph"
            )
        return {}

    def remove_edge(self, u, v):  # noqa: D102
        if self._store is not None and not self._store._editing:
            raise nx.NetworkXError(
                "model.graph mirrors the model's ties and cannot be edited directly; "
                "use G.copy() for an editable graph"
            )
        super().remove_edge(u, v)

    def remove_node(self, n):  # noqa: D102
        if self._store is not None:
            raise nx.NetworkXError("people cannot be removed from model.graph")
        super().remove_node(n)

    def copy(self, as_view: bool = False):
        """Return an ordinary ``networkx.Graph`` with a snapshot of nodes, ties and attributes."""
        if as_view:
            return nx.graphviews.generic_graph_view(self)
        G = nx.Graph()
        G.graph.update(self.graph)
        G.add_nodes_from((n, dict(d)) for n, d in self._node.items())
        G.add_edges_from((u, v, dict(d)) for u, v, d in self.edges(data=True))
        return G

    def __reduce__(self):
        # Pickle (multiprocessing, dask) as an ordinary snapshot graph.
        return (_graph_from_snapshot, (self.copy(),))


def _graph_from_snapshot(G: nx.Graph) -> nx.Graph:
    return G


class TieStore:
    """Tie state as compact arrays (slot ``0..m-1``), with sorted keys for fast lookup.

    Attributes:
        n_nodes: Number of people (nodes); ties join ``0 <= u < v < n_nodes``.
        m: Number of live ties.
        version: Incremented whenever ties form or end (invalidates cached adjacency).
    """

    _FIELDS = ("u", "v", "kind", "strength", "balance", "conflict", "last_contact", "formed")

    def __init__(self, n_nodes: int, capacity: int = 16):
        self.n_nodes = int(n_nodes)
        cap = max(16, int(capacity))
        self._u = np.zeros(cap, np.int32)
        self._v = np.zeros(cap, np.int32)
        self._kind = np.zeros(cap, np.int8)
        self._strength = np.zeros(cap, np.float64)
        self._balance = np.zeros(cap, np.float64)
        self._conflict = np.zeros(cap, np.float64)
        self._last_contact = np.zeros(cap, np.int64)
        self._formed = np.zeros(cap, np.int64)
        self.m = 0
        self._keys = np.zeros(0, np.int64)  # sorted keys of live ties
        self._key_slot = np.zeros(0, np.int64)  # slot of each sorted key
        # Both directions of every tie, sorted by (source, target): the adjacency in CSR order,
        # kept up to date incrementally so that building the CSR never sorts.
        self._arc_keys = np.zeros(0, np.int64)
        self._arc_slot = np.zeros(0, np.int64)
        self.version = 0
        self._graph: TieGraph | None = None
        self._attrs: list[TieAttrs] = []
        self._editing = False
        self._csr_cache: tuple[int, Any] | None = None

    # --- array views of the live ties -------------------------------------------------------
    @property
    def u(self) -> np.ndarray:
        """Lower endpoint of each live tie."""
        return self._u[: self.m]

    @property
    def v(self) -> np.ndarray:
        """Higher endpoint of each live tie."""
        return self._v[: self.m]

    @property
    def kind(self) -> np.ndarray:
        """Kind code of each live tie (index into :data:`model.kinds.TIE_KINDS`)."""
        return self._kind[: self.m]

    @property
    def strength(self) -> np.ndarray:
        """Strength of each live tie, in (0, 1]."""
        return self._strength[: self.m]

    @property
    def balance(self) -> np.ndarray:
        """Reciprocity balance: given by u minus given by v, with forgetting."""
        return self._balance[: self.m]

    @property
    def conflict(self) -> np.ndarray:
        """Conflict level of each live tie, in [0, 1]."""
        return self._conflict[: self.m]

    @property
    def last_contact(self) -> np.ndarray:
        """Step of the last contact over each live tie."""
        return self._last_contact[: self.m]

    @property
    def formed(self) -> np.ndarray:
        """Step at which each live tie formed (0 for the starting network)."""
        return self._formed[: self.m]

    @property
    def keys(self) -> np.ndarray:
        """Sorted keys of the live ties (see :func:`tie_keys`)."""
        return self._keys

    @property
    def key_slots(self) -> np.ndarray:
        """Slot of each key in :attr:`keys` order: arrays[key_slots] is in canonical order."""
        return self._key_slot

    def canonical_order(self) -> np.ndarray:
        """Slots sorted by (u, v): the order in which per-tie random draws are made."""
        return self._key_slot

    # --- queries ----------------------------------------------------------------------------
    def find(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Return the slot of each pair's tie, or -1 where there is none."""
        k = tie_keys(np.asarray(u), np.asarray(v))
        pos = np.searchsorted(self._keys, k)
        pos_c = np.minimum(pos, max(len(self._keys) - 1, 0))
        hit = (
            (pos < len(self._keys)) & (self._keys[pos_c] == k)
            if len(self._keys)
            else np.zeros(len(k), bool)
        )  # noqa: E501
        out = np.full(len(k), -1, np.int64)
        out[hit] = self._key_slot[pos_c[hit]]
        return out

    def degree(self) -> np.ndarray:
        """Number of ties of each person."""
        return np.bincount(self.u, minlength=self.n_nodes) + np.bincount(
            self.v, minlength=self.n_nodes
        )

    def weighted_degree(self, weights: np.ndarray) -> np.ndarray:
        """Sum of ``weights`` (one per tie) over each person's ties."""
        return np.bincount(self.u, weights, self.n_nodes) + np.bincount(
            self.v, weights, self.n_nodes
        )

    def adjacency(self) -> sparse.csr_matrix:
        """Symmetric CSR adjacency with sorted column indices; ``data`` holds each arc's slot.

        Cached until ties form or end. Row ``i`` lists ``i``'s neighbours in increasing order.
        """
        if self._csr_cache is not None and self._csr_cache[0] == self.version:
            return self._csr_cache[1]
        src = (self._arc_keys >> _SHIFT).astype(np.int64)
        indptr = np.zeros(self.n_nodes + 1, np.int64)
        np.cumsum(np.bincount(src, minlength=self.n_nodes), out=indptr[1:])
        dst = (self._arc_keys & _LOW).astype(np.int32)
        A = sparse.csr_matrix((self._arc_slot, dst, indptr), shape=(self.n_nodes,) * 2)
        A.has_sorted_indices = True
        self._csr_cache = (self.version, A)
        self._binary_cache = None
        return A

    def binary_adjacency(self) -> sparse.csr_matrix:
        """The adjacency with every entry 1 (same structure as :meth:`adjacency`), cached."""
        A = self.adjacency()
        if getattr(self, "_binary_cache", None) is None or self._binary_cache[0] != self.version:
            B = sparse.csr_matrix(
                (np.ones(len(A.indices), np.int32), A.indices, A.indptr), shape=A.shape
            )
            B.has_sorted_indices = True
            self._binary_cache = (self.version, B)
        return self._binary_cache[1]

    # --- changes ----------------------------------------------------------------------------
    def add(
        self,
        u: np.ndarray,
        v: np.ndarray,
        kind: np.ndarray | int,
        strength: np.ndarray | float,
        conflict: np.ndarray | float = 0.0,
        step: int = 0,
    ) -> np.ndarray:
        """Add ties; self-loops, existing ties and repeats within the batch are skipped.

        Args:
            u: One endpoint of each new tie.
            v: The other endpoint.
            kind: Kind code(s).
            strength: Starting strength(s), in (0, 1].
            conflict: Conflict level(s), in [0, 1].
            step: The step at which they form.

        Returns:
            The slots of the ties actually added, in the order given.
        """
        u = np.asarray(u, np.int64)
        v = np.asarray(v, np.int64)
        k = len(u)
        kind = np.broadcast_to(np.asarray(kind, np.int8), (k,))
        strength = np.broadcast_to(np.asarray(strength, np.float64), (k,))
        conflict = np.broadcast_to(np.asarray(conflict, np.float64), (k,))
        keys = tie_keys(u, v)
        ok = (u != v) & (self.find(u, v) < 0)
        # Keep the first of repeated pairs, in the order given (deterministic).
        _, first = np.unique(keys, return_index=True)
        once = np.zeros(k, bool)
        once[first] = True
        ok &= once
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return np.zeros(0, np.int64)
        lo = np.minimum(u[idx], v[idx])
        hi = np.maximum(u[idx], v[idx])
        self._grow(self.m + len(idx))
        slots = np.arange(self.m, self.m + len(idx))
        self._u[slots] = lo
        self._v[slots] = hi
        self._kind[slots] = kind[idx]
        self._strength[slots] = strength[idx]
        self._balance[slots] = 0.0
        self._conflict[slots] = conflict[idx]
        self._last_contact[slots] = step
        self._formed[slots] = step
        self.m += len(idx)
        new_keys = keys[idx]
        order = np.argsort(new_keys)
        pos = np.searchsorted(self._keys, new_keys[order])
        self._keys = np.insert(self._keys, pos, new_keys[order])
        self._key_slot = np.insert(self._key_slot, pos, slots[order])
        arcs = np.concatenate([new_keys, (hi.astype(np.int64) << _SHIFT) | lo])
        arc_slots = np.concatenate([slots, slots])
        order = np.argsort(arcs)
        pos = np.searchsorted(self._arc_keys, arcs[order])
        self._arc_keys = np.insert(self._arc_keys, pos, arcs[order])
        self._arc_slot = np.insert(self._arc_slot, pos, arc_slots[order])
        self.version += 1
        if self._graph is not None:
            self._graph_add(slots)
        return slots

    def remove(self, slots: np.ndarray) -> None:
        """End the ties in ``slots``; the last live ties move into the freed slots."""
        slots = np.unique(np.asarray(slots, np.int64))
        if len(slots) == 0:
            return
        if self._graph is not None:
            self._graph_remove(slots)
        # Drop their keys.
        pos = np.searchsorted(self._keys, tie_keys(self._u[slots], self._v[slots]))
        self._keys = np.delete(self._keys, pos)
        self._key_slot = np.delete(self._key_slot, pos)
        pos = np.searchsorted(self._arc_keys, self._arc_pairs(slots))
        self._arc_keys = np.delete(self._arc_keys, pos)
        self._arc_slot = np.delete(self._arc_slot, pos)
        # Swap-remove: survivors from the tail fill the holes below the new end.
        new_m = self.m - len(slots)
        holes = slots[slots < new_m]
        tail_alive = np.ones(self.m - new_m, bool)
        tail_alive[slots[slots >= new_m] - new_m] = False
        movers = np.flatnonzero(tail_alive) + new_m
        for f in self._FIELDS:
            a = getattr(self, "_" + f)
            a[holes] = a[movers]
        if len(movers):
            moved_pos = np.searchsorted(self._keys, tie_keys(self._u[holes], self._v[holes]))
            self._key_slot[moved_pos] = holes
            moved_arcs = np.searchsorted(self._arc_keys, self._arc_pairs(holes))
            self._arc_slot[moved_arcs] = np.concatenate([holes, holes])
            if self._graph is not None:
                for h, mv in zip(holes.tolist(), movers.tolist(), strict=True):
                    attrs = self._attrs[mv]
                    attrs.slot = h
                    self._attrs[h] = attrs
        if self._graph is not None:
            del self._attrs[new_m:]
        self.m = new_m
        self.version += 1

    def _arc_pairs(self, slots: np.ndarray) -> np.ndarray:
        """Return the arc keys (u->v, then v->u) of the ties in ``slots``."""
        u = self._u[slots].astype(np.int64)
        v = self._v[slots].astype(np.int64)
        return np.concatenate([(u << _SHIFT) | v, (v << _SHIFT) | u])

    def _grow(self, need: int) -> None:
        cap = len(self._u)
        if need <= cap:
            return
        new_cap = max(need, 2 * cap)
        for f in self._FIELDS:
            old = getattr(self, "_" + f)
            new = np.zeros(new_cap, old.dtype)
            new[: self.m] = old[: self.m]
            setattr(self, "_" + f, new)

    # --- the networkx mirror ----------------------------------------------------------------
    @property
    def graph(self) -> TieGraph:
        """The ties as a networkx graph with live attributes (built on first access)."""
        if self._graph is None:
            G = TieGraph(store=self)
            G.add_nodes_from(range(self.n_nodes))
            factory = getattr(self, "_node_factory", None)
            if factory is not None:
                for i in range(self.n_nodes):
                    G._node[i] = factory(i)
            self._graph = G
            self._attrs = []
            self._graph_add(np.arange(self.m))
        return self._graph

    def set_node_attrs_factory(self, factory) -> None:
        """Give graph nodes live attribute views (``factory(i)`` -> mapping for person i)."""
        self._node_factory = factory
        if self._graph is not None:
            for i in range(self.n_nodes):
                self._graph._node[i] = factory(i)

    def _graph_add(self, slots: np.ndarray) -> None:
        G = self._graph
        self._editing = True
        try:
            for s in slots.tolist():
                attrs = TieAttrs(self, s)
                self._attrs.append(attrs)
                G._next_attrs = attrs
                G.add_edge(int(self._u[s]), int(self._v[s]))
        finally:
            G._next_attrs = None
            self._editing = False

    def _graph_remove(self, slots: np.ndarray) -> None:
        G = self._graph
        self._editing = True
        try:
            for s in slots.tolist():
                G.remove_edge(int(self._u[s]), int(self._v[s]))
                self._attrs[s].slot = -1
        finally:
            self._editing = False

    def grow_nodes(self, n_new: int) -> None:
        """Add ``n_new`` people (nodes without ties), e.g. professionals joining."""
        start = self.n_nodes
        self.n_nodes += int(n_new)
        self._csr_cache = None
        if self._graph is not None:
            factory = getattr(self, "_node_factory", None)
            for i in range(start, self.n_nodes):
                self._graph.add_node(i)
                if factory is not None:
                    self._graph._node[i] = factory(i)
