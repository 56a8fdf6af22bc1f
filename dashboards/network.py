"""The network view: communities as clusters, inner circles drawn strong, the weakly tied on rims.

People are coloured by a measure and sized by ties or capacity; their places come from the run's
layout (:mod:`supportnet.dashboards.layout`: one cluster per community, each person's distance
from its centre following how embedded they are). Ties are drawn in four classes, so that the
structure the model is about shows at the default town size: each person's inner circle (their
few strongest ties) within their community, strong and in the tie kind's colour; inner-circle
ties to other communities, fainter; and the wider ties (strong or weak) as a faint grey haze.

The picture is drawn in the browser on a canvas (``network.vue``). Python sends compact arrays
per frame (positions as 16-bit integers, colour and size codes as bytes, all base64) and the
ties that changed since the last snapshot of the tie list (:class:`EdgeSync`), so a frame at 2,000
people is about 15 kB and one canvas redraw, instead of a server-side figure rendered to PNG.
Positions come from the run's incremental layout (:mod:`supportnet.dashboards.layout`), never
recomputed from scratch per frame.
Clicking a person selects them for the inspector.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import solara
from matplotlib import colormaps, colors

from supportnet.kinds import TIE_KINDS
from supportnet.mechanisms.mood import MOOD_NAMES, NEUTRAL

from .layout import inner_circle
from .session import COLOUR_MEASURES, MAX_DRAWN, MOOD_BADNESS, SIZE_MEASURES, Run, mood_badness

__all__ = [
    "KIND_COLOURS",
    "EdgeSync",
    "NetworkFrame",
    "NetworkView",
    "frame_data",
    "mood_swatches",
    "palette",
    "tie_class",
    "tie_codes",
]

#: Colour of each tie kind (index = kind code), chosen to stay apart from the people's scale.
KIND_COLOURS = ("#8c564b", "#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#7f7f7f")
#: The people's colour scale, from good (pale) to bad (dark red), as 256 CSS colours.
PALETTE = "YlOrRd"


def palette(name: str = PALETTE) -> list[str]:
    """Return a matplotlib colour map as 256 ``#rrggbb`` strings."""
    cmap = colormaps[name]
    return [colors.to_hex(cmap(i / 255)) for i in range(256)]


_LUT = palette()


def _colour_codes(badness: np.ndarray) -> np.ndarray:
    """Places on the colour scale (0 good to 1 bad) as the canvas's colour codes (0-255)."""
    return np.round(np.asarray(badness) * 255).astype(np.uint8)


def mood_swatches(on: bool) -> list[dict]:
    """The mood legend: each SISa state's plain name and the colour code its people are drawn in.

    Mood is three states, not a scale, so the legend shows one swatch per state, best first
    (content, neutral, discontent), coloured by the canvas from the same codes as the people.

    Args:
        on: Whether the run has the mood layer (without it everyone is neutral).

    Example:
        >>> [(s["label"], s["code"]) for s in mood_swatches(True)]
        [('content', 0), ('neutral', 128), ('discontent', 255)]
    """
    if not on:
        code = int(_colour_codes(MOOD_BADNESS[NEUTRAL]))
        return [{"label": "everyone neutral (mood layer off)", "code": code}]
    order = np.argsort(MOOD_BADNESS, kind="stable")
    codes = _colour_codes(MOOD_BADNESS[order])
    return [{"label": MOOD_NAMES[k], "code": int(c)} for k, c in zip(order, codes, strict=True)]


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


#: Tie classes the canvas draws, faintest first: a wider tie weaker than a third, a wider tie, an
#: inner-circle tie to another community, an inner-circle tie within the community.
CLASSES = 4
WIDER_WEAK, WIDER, INNER_ACROSS, INNER_WITHIN = range(CLASSES)


def tie_class(strength: np.ndarray, inner: np.ndarray, same: np.ndarray) -> np.ndarray:
    """The class of each tie (see :data:`CLASSES`)."""
    wider = np.where(strength < 1 / 3, WIDER_WEAK, WIDER)
    return np.where(inner, np.where(same, INNER_WITHIN, INNER_ACROSS), wider)


def tie_codes(
    kind: np.ndarray, strength: np.ndarray, inner: np.ndarray, same: np.ndarray
) -> np.ndarray:
    """One byte per tie for the canvas: ``kind * CLASSES + class``."""
    cls = tie_class(np.asarray(strength), np.asarray(inner, bool), np.asarray(same, bool))
    return (kind.astype(np.int64) * CLASSES + cls).astype(np.uint8)


_SNAPSHOTS = itertools.count(1)


class EdgeSync:
    """The ties the canvas has, kept in step with the model by sending only what changed.

    The full tie list (two 16-bit ends and a code byte per tie: 5 bytes, ~330 kB as base64 at
    2,000 people) is sent only now and then; each frame sends the changes since that snapshot
    (ties formed, ended, or moved to another strength band). Large websocket messages every frame
    stall the ones behind them (measured: a 400 kB frame delayed the next message by over a
    second), while a frame's changes are a few hundred ties. The browser applies the changes to
    its copy of the snapshot, so a view redrawn from scratch (a tab switched back) is right too.

    Args:
        refresh: Send a new snapshot when the changes reach this share of it.
    """

    def __init__(self, refresh: float = 0.15):
        self.refresh = refresh
        self.keys = np.zeros(0, np.int64)  # sorted snapshot keys: u * 65536 + v
        self.codes = np.zeros(0, np.uint8)
        self.full = _b64(np.zeros(0, np.uint8))
        self.version = 0  # set from _SNAPSHOTS: unique across views, runs and resets

    def update(self, keys: np.ndarray, codes: np.ndarray) -> tuple[str, int, int, str, int]:
        """Return (snapshot, its version, its size, changes, number of ties drawn).

        Args:
            keys: Sorted keys of the ties to draw (``u * 65536 + v``, ``u < v``).
            codes: Their codes (:func:`tie_codes`).
        """
        pos = np.searchsorted(self.keys, keys)
        pos_c = np.minimum(pos, max(len(self.keys) - 1, 0))
        known = (
            (pos < len(self.keys)) & (self.keys[pos_c] == keys)
            if len(self.keys)
            else (np.zeros(len(keys), bool))
        )
        changed = ~known | (self.codes[pos_c] != codes) if len(self.keys) else ~known
        back = np.searchsorted(keys, self.keys)
        back_c = np.minimum(back, max(len(keys) - 1, 0))
        gone = (
            ~((back < len(keys)) & (keys[back_c] == self.keys))
            if len(keys)
            else (np.ones(len(self.keys), bool))
        )
        if changed.sum() + gone.sum() > self.refresh * max(len(self.keys), 1) or not len(self.keys):
            self.keys, self.codes = keys.copy(), codes.copy()
            self.full = _b64(np.concatenate(_split(keys) + [codes]))
            # The browser caches a snapshot by version: a new view of a new run must never
            # reuse an old number.
            self.version = next(_SNAPSHOTS)
            changed[:] = False
            gone = np.zeros(0, bool)
        set_keys, set_codes = keys[changed], codes[changed]
        del_keys = self.keys[gone] if len(gone) else np.zeros(0, np.int64)
        delta = np.concatenate(
            [
                np.array([len(set_keys), len(del_keys)], "<u4").view(np.uint8),
                *_split(set_keys),
                *_split(del_keys),
                set_codes,
            ]
        )
        return self.full, self.version, len(self.keys), _b64(delta), len(keys)


def _split(keys: np.ndarray) -> list[np.ndarray]:
    """Tie keys as two little-endian 16-bit arrays (lower ends, then higher ends), as bytes."""
    return [
        (keys // 65536).astype("<u2").view(np.uint8),
        (keys % 65536).astype("<u2").view(np.uint8),
    ]


@dataclass(frozen=True)
class NetworkFrame:
    """The arrays of one frame of the network view (what the canvas receives).

    Attributes:
        n: People drawn.
        m: Ties drawn.
        pos: Positions, 16-bit x, y per person (base64).
        colour: Colour code 0-255 per person, 0 = good, 255 = bad (base64).
        size: Size code 0-255 per person (base64).
        flags: Bit 0 set for professionals (drawn as squares) (base64).
        ties: Snapshot of the ties: lower ends, higher ends (16-bit), codes (bytes) (base64).
        ties_version: Changes whenever a new snapshot is sent.
        ties_count: Ties in the snapshot.
        delta: Changes since the snapshot: two 32-bit counts (set, deleted), then the set
            ties' ends, the deleted ties' ends (16-bit each), then the set ties' codes (base64).
        legend: ``title``, and either ``low`` and ``high``, the end labels of the colour scale,
            or, for mood (three states, not a scale), ``swatches`` (see :func:`mood_swatches`).
    """

    n: int
    m: int
    pos: str
    colour: str
    size: str
    flags: str
    ties: str
    ties_version: int
    ties_count: int
    delta: str
    legend: dict


def frame_data(
    run: Run, colour_by: str, size_by: str, min_strength: float, sync: EdgeSync | None = None
) -> NetworkFrame:
    """Pack the current state of ``run`` for the canvas.

    Args:
        run: The run to draw (it must have a layout: at most ``MAX_DRAWN`` people).
        colour_by: A key of :data:`~supportnet.dashboards.session.COLOUR_MEASURES`.
        size_by: A key of :data:`~supportnet.dashboards.session.SIZE_MEASURES`.
        min_strength: Ties weaker than this are not drawn (readability of dense networks).
        sync: What the canvas already has (a new one sends everything).

    Returns:
        The frame's arrays.
    """
    if colour_by not in COLOUR_MEASURES:
        raise ValueError(
            f"colour_by must be one of {', '.join(COLOUR_MEASURES)}, got {colour_by!r}"
        )
    if size_by not in SIZE_MEASURES:
        raise ValueError(f"size_by must be one of {', '.join(SIZE_MEASURES)}, got {size_by!r}")
    with run.lock:  # Play may be stepping this run in another thread
        return _frame_data(run, colour_by, size_by, min_strength, sync)


def _frame_data(run, colour_by, size_by, min_strength, sync) -> NetworkFrame:
    label, high_is_bad = COLOUR_MEASURES[colour_by]
    pop, ties, layout = run.model.population, run.model.ties, run.layout
    inner = inner_circle(ties.u, ties.v, ties.strength)
    run.refresh_layout(inner)  # the layout moves once per picture, to the ties drawn
    n = pop.n
    pos = np.round((np.clip(layout.pos[:n], -1, 1) + 1) * 32767.5).astype("<u2")
    if colour_by == "mood":
        badness = mood_badness(run.model)
    else:
        value = np.clip(getattr(pop, colour_by), 0, 1)
        badness = value if high_is_bad else 1 - value
    colour = _colour_codes(badness)
    if size_by == "degree":
        deg = ties.degree().astype(float)
        size = deg / max(deg.max(), 1.0)
    elif size_by == "capacity":
        size = np.clip(pop.capacity, 0, 1)
    else:
        size = np.full(n, 0.3)
    # The tie store keeps its slots in key order, keys being (lower << 32 | higher); re-key as
    # lower * 65536 + higher (same order, since ends are below 65,536) for the browser's 53-bit
    # numbers.
    group = layout.group
    same = group[ties.u] == group[ties.v]
    keep = ties.strength >= min_strength
    keys = ties.u[keep].astype(np.int64) * 65536 + ties.v[keep]
    codes = tie_codes(ties.kind[keep], ties.strength[keep], inner[keep], same[keep])
    full, version, count, delta, m = (sync or EdgeSync()).update(keys, codes)
    if colour_by == "mood":
        legend = {"title": label, "swatches": mood_swatches(run.model.mood is not None)}
    else:
        low, high = ("0 (none)", "1 (most)") if high_is_bad else ("1 (most)", "0 (none)")
        legend = {"title": label, "low": low, "high": high}
    return NetworkFrame(
        n=int(n),
        m=int(m),
        pos=_b64(pos),
        colour=_b64(colour),
        size=_b64(np.round(size * 255).astype(np.uint8)),
        flags=_b64(pop.is_professional.astype(np.uint8)),
        ties=full,
        ties_version=version,
        ties_count=count,
        delta=delta,
        legend=legend,
    )


@solara.component_vue("network.vue", vuetify=False)
def _NetworkCanvas(
    n: int,
    m: int,
    pos: str,
    colour: str,
    size: str,
    flags: str,
    ties: str,
    ties_version: int,
    ties_count: int,
    delta: str,
    legend: dict,
    frame: int,
    selected: int,
    name: str,
    lut: list,
    kind_colours: list,
    kind_names: list,
    event_select: Callable[[int], None],
):
    pass


@solara.component
def NetworkView(
    run: Run,
    frame: int,
    colour_by: str = "stress",
    size_by: str = "degree",
    min_strength: float = 0.0,
    selected: int | None = None,
    on_select: Callable[[int | None], None] | None = None,
    name: str = "network",
):
    """The network of one run, redrawn each frame.

    Args:
        run: The run to draw.
        frame: The session's frame counter (a new value redraws).
        colour_by: Measure that colours people.
        size_by: What sizes people.
        min_strength: Ties weaker than this are hidden.
        selected: Person highlighted with their ties.
        on_select: Called with the person clicked (None for a click on empty space).
        name: Name of the picture (its PNG file is ``<name>.png``).

    The picture takes the width it is given and fits the window's height; it zooms with the
    mouse wheel (or the + and − buttons), pans by dragging, and "Fit" shows everyone again.
    """
    sync = solara.use_memo(EdgeSync, dependencies=[run, min_strength])
    data = solara.use_memo(
        lambda: frame_data(run, colour_by, size_by, min_strength, sync) if run.layout else None,
        dependencies=[run, frame, colour_by, size_by, min_strength],
    )
    if data is None:
        solara.Info(
            f"The network view draws up to {MAX_DRAWN:,} people and this run has "
            f"{run.model.population.n:,}; the plots and monitors still follow it."
        )
        return

    def select(i):
        if on_select is not None:
            on_select(None if i is None or int(i) < 0 else int(i))

    _NetworkCanvas(
        n=data.n,
        m=data.m,
        pos=data.pos,
        colour=data.colour,
        size=data.size,
        flags=data.flags,
        ties=data.ties,
        ties_version=data.ties_version,
        ties_count=data.ties_count,
        delta=data.delta,
        legend=data.legend,
        frame=int(frame),
        selected=-1 if selected is None else int(selected),
        name=name,
        lut=_LUT,
        kind_colours=list(KIND_COLOURS),
        kind_names=list(TIE_KINDS),
        event_select=select,
    )
