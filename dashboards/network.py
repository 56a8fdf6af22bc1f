"""The network view: people coloured by a measure, sized by ties or capacity, ties by kind.

The picture is drawn in the browser on a canvas (``network.vue``). Python sends compact arrays
per frame (positions as 16-bit integers, colour and size codes as bytes, ties as two 16-bit ends,
a kind byte and a strength byte, all base64), so a frame at 500 people and ~11,000 ties is about
90 kB and one canvas redraw, instead of a server-side figure rendered to PNG. Positions come from
the run's incremental layout (:mod:`dashboards.layout`), never recomputed from scratch per frame.
Clicking a person selects them for the inspector.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import solara
from matplotlib import colormaps, colors

from model.kinds import TIE_KINDS

from .session import COLOUR_MEASURES, MAX_DRAWN, SIZE_MEASURES, Run

__all__ = ["KIND_COLOURS", "NetworkFrame", "NetworkView", "frame_data", "palette"]

#: Colour of each tie kind (index = kind code), chosen to stay apart from the people's scale.
KIND_COLOURS = ("#8c564b", "#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#7f7f7f")
#: The people's colour scale, from good (pale) to bad (dark red), as 256 CSS colours.
PALETTE = "YlOrRd"


def palette(name: str = PALETTE) -> list[str]:
    """Return a matplotlib colour map as 256 ``#rrggbb`` strings."""
    cmap = colormaps[name]
    return [colors.to_hex(cmap(i / 255)) for i in range(256)]


_LUT = palette()


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


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
        edges: Tie ends (16-bit), then kind codes, then strength codes (bytes) (base64).
        legend: Title and end labels of the colour scale.
    """

    n: int
    m: int
    pos: str
    colour: str
    size: str
    flags: str
    edges: str
    legend: dict


def frame_data(run: Run, colour_by: str, size_by: str, min_strength: float) -> NetworkFrame:
    """Pack the current state of ``run`` for the canvas.

    Args:
        run: The run to draw (it must have a layout: at most ``MAX_DRAWN`` people).
        colour_by: A key of :data:`~dashboards.session.COLOUR_MEASURES`.
        size_by: A key of :data:`~dashboards.session.SIZE_MEASURES`.
        min_strength: Ties weaker than this are not drawn (readability of dense networks).

    Returns:
        The frame's arrays.
    """
    if colour_by not in COLOUR_MEASURES:
        raise ValueError(
            f"colour_by must be one of {', '.join(COLOUR_MEASURES)}, got {colour_by!r}"
        )
    if size_by not in SIZE_MEASURES:
        raise ValueError(f"size_by must be one of {', '.join(SIZE_MEASURES)}, got {size_by!r}")
    pop, ties, layout = run.model.population, run.model.ties, run.layout
    n = pop.n
    pos = np.round((np.clip(layout.pos[:n], -1, 1) + 1) * 32767.5).astype("<u2")
    label, high_is_bad = COLOUR_MEASURES[colour_by]
    value = np.clip(getattr(pop, colour_by), 0, 1)
    badness = value if high_is_bad else 1 - value
    colour = np.round(badness * 255).astype(np.uint8)
    if size_by == "degree":
        deg = ties.degree().astype(float)
        size = deg / max(deg.max(), 1.0)
    elif size_by == "capacity":
        size = np.clip(pop.capacity, 0, 1)
    else:
        size = np.full(n, 0.3)
    keep = ties.strength >= min_strength
    u, v = ties.u[keep], ties.v[keep]
    edges = np.concatenate(
        [
            u.astype("<u2").view(np.uint8),
            v.astype("<u2").view(np.uint8),
            ties.kind[keep].astype(np.uint8),
            np.round(np.clip(ties.strength[keep], 0, 1) * 255).astype(np.uint8),
        ]
    )
    low, high = ("0 (none)", "1 (most)") if high_is_bad else ("1 (most)", "0 (none)")
    return NetworkFrame(
        n=int(n),
        m=int(keep.sum()),
        pos=_b64(pos),
        colour=_b64(colour),
        size=_b64(np.round(size * 255).astype(np.uint8)),
        flags=_b64(pop.is_professional.astype(np.uint8)),
        edges=_b64(edges),
        legend={"title": label, "low": low, "high": high},
    )


@solara.component_vue("network.vue", vuetify=False)
def _NetworkCanvas(
    n: int,
    m: int,
    pos: str,
    colour: str,
    size: str,
    flags: str,
    edges: str,
    legend: dict,
    frame: int,
    selected: int,
    px: int,
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
    px: int = 560,
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
        px: Width and height of the picture in pixels.
    """
    data = solara.use_memo(
        lambda: frame_data(run, colour_by, size_by, min_strength) if run.layout else None,
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
        edges=data.edges,
        legend=data.legend,
        frame=int(frame),
        selected=-1 if selected is None else int(selected),
        px=px,
        lut=_LUT,
        kind_colours=list(KIND_COLOURS),
        kind_names=list(TIE_KINDS),
        event_select=select,
    )
