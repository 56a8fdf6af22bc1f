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

from .kernels import (
    adjacency_from_keys,
    carry_rows,
    merge_sorted,
    rows_from_keys,
    symmetric_sum,
    ties_of_people,
)
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

    __slots__ = ("_extra", "_store", "key")
    _KEYS = ("kind", "strength", "weight", "balance", "conflict", "last_contact", "formed")

    def __init__(self, store: TieStore, key: int):
        self._store = store
        self.key = key  # the tie's key (see tie_keys); -1 once the tie has ended
        self._extra: dict[Any, Any] | None = None

    @property
    def slot(self) -> int:
        """Where the tie's values sit in the arrays now (ties move as others come and go)."""
        if self.key < 0:
            raise KeyError("this tie has ended")
        return self._store.slot_of_key(self.key)

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
            s.kind_changed()
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
    """Tie state as arrays kept in canonical (u, v) order; the adjacency built from them on demand.

    Slot ``i`` holds the tie with the ``i``-th smallest key (:func:`tie_keys`), so per-tie random
    draws made in canonical order line up with the arrays without any reindexing, and a tie is
    found by binary search. The few ties that form or end in a step are merged in or cut out with
    one pass over each array.

    Attributes:
        n_nodes: Number of people (nodes); ties join ``0 <= u < v < n_nodes``.
        u, v: Endpoints of each tie (``u < v``), int32.
        kind: Kind code of each tie (index into :data:`supportnet.kinds.TIE_KINDS`), int8.
        strength: Strength of each tie, in (0, 1].
        balance: Reciprocity balance: given by u to v minus given by v to u, with forgetting.
        conflict: Conflict level of each tie, in [0, 1].
        last_contact: Step of the last contact over each tie.
        formed: Step at which each tie formed (0 for the starting network).
        contacts: Contacts over each tie since it formed (a float count; recording only: the
            loneliness phase adds each step's contact, the run record reads contact rates).
        keys: Sorted keys of the ties (``u << 32 | v``).
        version: Incremented whenever ties form or end (invalidates cached adjacency).
        kind_version: Incremented whenever a tie's kind is set in place (invalidates the
            per-kind degree counts, which ``version`` alone would not).
    """

    _FIELDS = (
        "u", "v", "kind", "strength", "balance", "conflict", "last_contact", "formed", "contacts",
    )  # fmt: skip
    _DTYPES = (
        np.int32, np.int32, np.int8, np.float64, np.float64, np.float64, np.int64, np.int64,
        np.float64,
    )  # fmt: skip

    def __init__(self, n_nodes: int):
        self.n_nodes = int(n_nodes)
        for name, dtype in zip(self._FIELDS, self._DTYPES, strict=True):
            setattr(self, name, np.zeros(0, dtype))
        self.keys = np.zeros(0, np.int64)
        # The same ties keyed the other way round (v << 32 | u), sorted: with ``keys`` it gives
        # every person's neighbour list in order (see supportnet.kernels), kept by sequential
        # merges.
        self.vkeys = np.zeros(0, np.int64)
        self.version = 0
        self.kind_version = 0
        self._graph: TieGraph | None = None
        self._editing = False
        self._csr_cache: tuple[int, Any] | None = None
        self._rows_cache: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._kind_cache: tuple[tuple[int, int, int], np.ndarray] | None = None

    @property
    def m(self) -> int:
        """Number of ties."""
        return len(self.keys)

    @property
    def key_slots(self) -> np.ndarray:
        """Slot of each key in :attr:`keys` order: the identity, since slots are in key order."""
        return np.arange(self.m)

    # --- queries ----------------------------------------------------------------------------
    def find(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Return the slot of each pair's tie, or -1 where there is none."""
        return self.find_keys(tie_keys(np.asarray(u), np.asarray(v)))

    def find_keys(self, keys: np.ndarray) -> np.ndarray:
        """Return the slot of each key's tie, or -1 where there is none."""
        keys = np.asarray(keys, np.int64)
        pos = np.searchsorted(self.keys, keys)
        hit = pos < self.m
        hit[hit] = self.keys[pos[hit]] == keys[hit]
        return np.where(hit, pos, -1)

    def slot_of_key(self, key: int) -> int:
        """Return the slot of the tie with ``key`` (KeyError if there is none)."""
        pos = int(np.searchsorted(self.keys, key))
        if pos >= self.m or self.keys[pos] != key:
            raise KeyError("this tie has ended")
        return pos

    def row_pointers(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each person's neighbours sit in the two key indexes (cached per version).

        Returns:
            (fptr, bptr): person i's higher neighbours are ``keys[fptr[i]:fptr[i+1]]`` (low
            32 bits), its lower neighbours ``vkeys[bptr[i]:bptr[i+1]]``.
        """
        cached = self._rows_cache
        if cached is None or cached[0] != self.version:
            fptr, bptr, degree = rows_from_keys(self.keys, self.vkeys, self.n_nodes)
            self._rows_cache = cached = (self.version, fptr, bptr, degree)
        return cached[1], cached[2]

    def ties_of(self, people: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each of ``people``'s ties: person by person in the order given, partners in index order.

        Read from the two key indexes at the people's rows (:meth:`row_pointers`), so asking
        about a few people costs little, where a pass over every tie would cost the same for one
        person as for all. A person's ties in partner order are also their ties in slot order.

        Returns:
            (owner, partner, slot): ``owner`` is the position in ``people`` (a person given twice
            is answered twice), ``partner`` the person at the tie's other end, ``slot`` the tie's
            slot.
        """
        fptr, bptr = self.row_pointers()
        return ties_of_people(self.keys, self.vkeys, fptr, bptr, np.asarray(people, np.int64))

    def degree(self) -> np.ndarray:
        """Number of ties of each person (cached until ties form or end; do not modify)."""
        self.row_pointers()
        return self._rows_cache[3]

    def kind_degree(self) -> np.ndarray:
        """Ties of each kind per person, shape (n_nodes, kinds) (cached; do not modify).

        Computed in one pass over the ties and kept until ties form or end or a tie's kind is
        set, so per-person questions (``Person.family_ties``) cost one array read each.
        """
        stamp = (self.version, self.kind_version, self.n_nodes)
        cached = self._kind_cache
        if cached is None or cached[0] != stamp:
            k = len(TIE_KINDS)
            size = self.n_nodes * k
            kind = self.kind.astype(np.int64)
            counts = np.bincount(self.u.astype(np.int64) * k + kind, minlength=size)
            counts += np.bincount(self.v.astype(np.int64) * k + kind, minlength=size)
            self._kind_cache = cached = (stamp, counts.reshape(self.n_nodes, k))
        return cached[1]

    def kind_changed(self) -> None:
        """Note that tie kinds were set in place (the per-kind counts are recomputed)."""
        self.kind_version += 1

    def weighted_degree(self, weights: np.ndarray) -> np.ndarray:
        """Sum of ``weights`` (one per tie) over each person's ties."""
        return symmetric_sum(self.u, self.v, np.asarray(weights, np.float64), self.n_nodes)

    def adjacency(self) -> sparse.csr_matrix:
        """Symmetric CSR adjacency with sorted column indices; ``data`` holds each arc's slot.

        Cached until ties form or end. Row ``i`` lists ``i``'s neighbours in increasing order.
        (The step itself never needs it: it reads neighbour lists from the key indexes.)
        """
        if self._csr_cache is not None and self._csr_cache[0] == self.version:
            return self._csr_cache[1]
        indptr, indices, slots = adjacency_from_keys(self.keys, self.vkeys, self.n_nodes)
        A = sparse.csr_matrix((slots, indices, indptr), shape=(self.n_nodes,) * 2)
        A.has_sorted_indices = True
        self._csr_cache = (self.version, A)
        return A

    # --- changes ----------------------------------------------------------------------------
    def add(
        self,
        u: np.ndarray,
        v: np.ndarray,
        kind: np.ndarray | int,
        strength: np.ndarray | float,
        conflict: np.ndarray | float = 0.0,
        step: int = 0,
        *,
        remove: np.ndarray | None = None,
        renew: bool = False,
    ) -> np.ndarray:
        """Add ties (and optionally end others in the same pass over the arrays).

        Self-loops, existing ties (including those being removed in this call, unless
        ``renew``) and repeats within the batch are skipped.

        Args:
            u: One endpoint of each new tie.
            v: The other endpoint.
            kind: Kind code(s).
            strength: Starting strength(s), in (0, 1].
            conflict: Conflict level(s), in [0, 1].
            step: The step at which they form.
            remove: Slots of ties that end in the same change.
            renew: Whether a pair whose tie is in ``remove`` forms anew (the old tie ends and a
                new one takes its place): the same as removing first, then adding, in one
                pass over the arrays instead of two.

        Returns:
            The slots of the ties actually added, in the order given (valid until ties next
            form or end).
        """
        u = np.asarray(u, np.int64)
        v = np.asarray(v, np.int64)
        k = len(u)
        keys = tie_keys(u, v)
        # The first of repeated pairs, in the order given (deterministic), sorted by key; no
        # self-loops, no ties that exist already.
        distinct, first = np.unique(keys, return_index=True)
        found = self.find_keys(distinct)
        if renew and remove is not None and len(remove):
            # Ties that end in this change do not block their pair from forming again.
            ending = np.zeros(self.m, bool)
            ending[np.asarray(remove, np.int64)] = True
            found[(found >= 0) & ending[np.maximum(found, 0)]] = -1
        new = ((distinct >> _SHIFT) != (distinct & _LOW)) & (found < 0)
        order = first[new]
        values = {
            "u": keys[order] >> _SHIFT,
            "v": keys[order] & _LOW,
            "kind": np.broadcast_to(np.asarray(kind), (k,))[order],
            "strength": np.broadcast_to(np.asarray(strength, np.float64), (k,))[order],
            "balance": np.zeros(len(order)),
            "conflict": np.broadcast_to(np.asarray(conflict, np.float64), (k,))[order],
            "last_contact": np.full(len(order), step),
            "formed": np.full(len(order), step),
            "contacts": np.zeros(len(order)),
        }
        new_slots = self._merge(remove, keys[order], values)
        # `order` lists the accepted given positions by key; invert it to return in given order.
        return new_slots[np.argsort(order)]

    def remove(self, slots: np.ndarray) -> None:
        """End the ties in ``slots``."""
        self._merge(slots, np.zeros(0, np.int64), None)

    def _merge(self, remove, new_keys: np.ndarray, values: dict | None) -> np.ndarray:
        """Cut out the ties in ``remove`` and merge in new ones (sorted by key), in one pass.

        Returns the new ties' slots, in key order.
        """
        remove = np.asarray(remove if remove is not None else [], np.int64)
        if len(remove) > 1 and not (remove[1:] > remove[:-1]).all():
            remove = np.unique(remove)  # the callers' are sorted and distinct already
        if len(remove) == 0 and len(new_keys) == 0:
            return np.zeros(0, np.int64)
        removed_u, removed_v = self.u[remove], self.v[remove]
        removed_vkeys = (removed_v.astype(np.int64) << _SHIFT) | removed_u
        insert_at = np.searchsorted(self.keys, new_keys)
        # Each column (and the keys) copied block by block between the changes.
        for name, dtype in zip(self._FIELDS, self._DTYPES, strict=True):
            new = values[name].astype(dtype) if values else np.zeros(0, dtype)
            setattr(self, name, merge_sorted(getattr(self, name), remove, new, insert_at))
        self.keys = merge_sorted(self.keys, remove, new_keys.astype(np.int64), insert_at)
        # A new tie's slot: its position, less the ties removed before it, plus earlier new ones.
        dest_new = insert_at - np.searchsorted(remove, insert_at) + np.arange(len(new_keys))
        lo = (new_keys >> _SHIFT).astype(np.int64)
        hi = new_keys & _LOW
        v_remove = np.sort(np.searchsorted(self.vkeys, removed_vkeys))
        new_vkeys = np.sort((hi << _SHIFT) | lo)
        v_insert = np.searchsorted(self.vkeys, new_vkeys)
        self.vkeys = merge_sorted(self.vkeys, v_remove, new_vkeys, v_insert)
        self._carry_rows(removed_u, removed_v, lo, hi)
        self.version += 1
        if self._graph is not None:
            if len(remove):
                self._graph_remove(removed_u, removed_v)
            if len(new_keys):
                self._graph_add(new_keys, lo, hi)
        return dest_new

    def _carry_rows(self, removed_u, removed_v, new_u, new_v) -> None:
        """Carry the cached row pointers and degrees over a merge (before ``version`` moves on).

        A person's rows start where they did, shifted by the ties that ended and formed among
        the people before them: a few per-person counts instead of a pass over every key (the
        next :meth:`row_pointers` call would count them all again, once per merge). New arrays,
        since callers may keep the old ones. Nothing is carried when the cache is out of date.
        """
        cached = self._rows_cache
        if cached is None or cached[0] != self.version:
            return
        rows = carry_rows(*cached[1:], removed_u, removed_v, new_u, new_v)
        self._rows_cache = (self.version + 1, *rows)

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
            self._graph_add(self.keys, self.u, self.v)
        return self._graph

    def set_node_attrs_factory(self, factory) -> None:
        """Give graph nodes live attribute views (``factory(i)`` -> mapping for person i)."""
        self._node_factory = factory
        if self._graph is not None:
            for i in range(self.n_nodes):
                self._graph._node[i] = factory(i)

    def _graph_add(self, keys: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        G = self._graph
        self._editing = True
        try:
            for key, a, b in zip(keys.tolist(), u.tolist(), v.tolist(), strict=True):
                G._next_attrs = TieAttrs(self, key)
                G.add_edge(a, b)
        finally:
            G._next_attrs = None
            self._editing = False

    def _graph_remove(self, u: np.ndarray, v: np.ndarray) -> None:
        G = self._graph
        self._editing = True
        try:
            for a, b in zip(u.tolist(), v.tolist(), strict=True):
                G[a][b].key = -1  # detach: the edge dict no longer follows the arrays
                G.remove_edge(a, b)
        finally:
            self._editing = False

    def grow_nodes(self, n_new: int) -> None:
        """Add ``n_new`` people (nodes without ties), e.g. professionals joining."""
        start = self.n_nodes
        self.n_nodes += int(n_new)
        self._csr_cache = None
        self._rows_cache = None
        if self._graph is not None:
            factory = getattr(self, "_node_factory", None)
            for i in range(start, self.n_nodes):
                self._graph.add_node(i)
                if factory is not None:
                    self._graph._node[i] = factory(i)
