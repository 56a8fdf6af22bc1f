"""The town's geography: homes on a torus, divided into a square grid of neighbourhoods.

People meet those who live near them far more often than others, and the chance of a tie falls
steeply with distance (Festinger, Schachter & Back 1950; Liben-Nowell et al. 2005; Lambiotte et
al. 2008). The model keeps the simplest form of this that gives a network real distances: each
person has a home in the unit square (wrapped into a torus, so no one lives at an edge), the square
is a G x G grid of neighbourhoods of about ``neighbourhood_size`` people, and local meetings pick
someone in one's own or one of the eight adjacent neighbourhoods. Community groups (clubs,
workplaces) and online meetings reach across the town, as in life.

Sources:
    Festinger, L., Schachter, S. & Back, K. (1950). Social Pressures in Informal Groups.
    Liben-Nowell, D. et al. (2005). Geographic routing in social networks. PNAS 102(33),
    11623-11628 (the chance of friendship falls with distance).
    Lambiotte, R. et al. (2008). Geographical dispersal of mobile communication networks. Physica A
    387(21), 5317-5325.
"""

from __future__ import annotations

import numpy as np

from .ordering import stable_order

__all__ = ["OWN_SHARE", "Neighbourhoods", "grid_size"]

#: Share of local meetings in one's own neighbourhood (the rest in the 8 adjacent ones).
OWN_SHARE = 0.6


def grid_size(n: int, neighbourhood_size: int) -> int:
    """Return G, the number of neighbourhoods along a side (at least 1)."""
    return max(1, int(round(np.sqrt(n / max(neighbourhood_size, 1)))))


class Neighbourhoods:
    """People bucketed by neighbourhood, for drawing someone who lives nearby.

    Args:
        home: Home of each person, (n, 2) in [0, 1).
        g: Neighbourhoods along a side.
        eligible: Who can be drawn (default: everyone).
    """

    def __init__(self, home: np.ndarray, g: int, eligible: np.ndarray | None = None):
        self.g = int(g)
        cells = self.cell_of(home)
        n = len(home)
        mask = np.ones(n, bool) if eligible is None else np.asarray(eligible, bool)
        cells = np.where(mask, cells, self.g * self.g)  # the ineligible go to a cell of their own
        self.order = stable_order(cells)
        self.sizes = np.bincount(cells, minlength=self.g * self.g + 1)[: self.g * self.g]
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        self.cells = cells

    def cell_of(self, home: np.ndarray) -> np.ndarray:
        """Neighbourhood index of each home."""
        return self.cell_of_grid(home, self.g)

    @staticmethod
    def cell_of_grid(home: np.ndarray, g: int) -> np.ndarray:
        """Neighbourhood index of each home on a g x g grid (row-major)."""
        xy = np.minimum((np.asarray(home) * g).astype(np.int64), g - 1)
        return xy[:, 0] * g + xy[:, 1]

    def nearby(self, people: np.ndarray, offset_draw: np.ndarray, pick_draw: np.ndarray):
        """Draw, for each of ``people``, someone in their own or an adjacent neighbourhood.

        Args:
            people: The people who meet someone.
            offset_draw: One uniform each: which of the 9 neighbourhoods (own and adjacent).
            pick_draw: One uniform each: whom in it.

        Returns:
            The person drawn for each (-1 where that neighbourhood is empty).
        """
        g = self.g
        cell = self.cells[people]
        cell = np.where(cell >= g * g, 0, cell)
        # Own neighbourhood with probability OWN_SHARE, else one of the 8 adjacent ones.
        own = offset_draw < OWN_SHARE
        k = np.minimum(((offset_draw - OWN_SHARE) / (1 - OWN_SHARE) * 8).astype(np.int64), 7)
        k = np.where(own, 4, np.where(k >= 4, k + 1, k))
        dx, dy = k // 3 - 1, k % 3 - 1
        cx, cy = cell // g, cell % g
        target = ((cx + dx) % g) * g + (cy + dy) % g
        size = self.sizes[target]
        pos = self.starts[target] + np.minimum((pick_draw * size).astype(np.int64), size - 1)
        return np.where(size > 0, self.order[np.maximum(pos, 0)], -1)
