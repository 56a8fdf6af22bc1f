"""A seeded layout of the evolving network that shows its structure, updated a little each frame.

A force-directed layout of everyone's ties is a hairball at the default town (1,000 people with
~9,000 ties): it shows neither clusters nor who is on the edge. This layout draws the town as
the model sees it:

- **Communities as clusters.** Each community group (the model's ``group``: clubs, workplaces,
  congregations) has its own place, on a sunflower spiral that fills the square, the largest in
  the middle; its members gather around it.
- **Inner circles pull.** Within a community, a person is pulled towards the people of their
  *inner circle*: each person's few strongest ties (:func:`inner_circle`, Dunbar's support
  clique of about five). Other ties do not pull, so family and close friends sit together and
  the many weak ties do not knot the picture.
- **The weakly tied on the rim.** A person's distance from their community's centre follows how
  embedded they are (the summed strength of their ties, ranked across the town): the most
  embedded at the core, the least at the rim, and people with no ties at all at the edge. The
  view colours people by their state (loneliness, say), so whether the lonely are the ones at the
  periphery is something the picture shows, not something it assumes.

Positions are computed once per model from a seed, then *relaxed* one gentle iteration per frame on
the current ties, so people whose ties change drift and nobody jumps. Positions never depend on
the model's random stream (the layout has its own generator): looking at a run never changes it.

The forces are Fruchterman & Reingold's (1991): ties pull with ``d^2 / k`` (``k`` the ideal
distance), every pair pushes apart with ``k^2 / d``, and each iteration's move is capped by a
temperature that cools; a spring holds each person at their distance from their community's
centre. Repulsion is exact for small networks and computed on a mesh for larger ones (spread
positions on a grid, one FFT convolution with the ``k^2 / d`` field, read back: ``O(n + G^2 log
G)`` instead of ``O(n^2)``). Positions stay in the square ``[-1, 1]^2``, so the view never rescales.

Reference:
    Fruchterman, T. M. J. & Reingold, E. M. (1991). Graph drawing by force-directed placement.
    Software: Practice and Experience 21(11), 1129-1164.
"""

from __future__ import annotations

import numpy as np

__all__ = ["INNER_CIRCLE", "IncrementalLayout", "embeddedness", "inner_circle"]

#: Networks up to this size get exact pairwise repulsion; larger ones the mesh.
EXACT_LIMIT = 300
#: Cells per side of the repulsion mesh (cell size 2/_GRID of the square).
_GRID = 128
#: Positions are kept inside [-_BOUND, _BOUND]^2.
_BOUND = 1.0
#: Ties per person that count as their inner circle (Dunbar's support clique).
INNER_CIRCLE = 5
#: Radius of the spiral of community centres, and the share of a community's radius kept for
#: its most embedded people (the core).
_SPIRAL = 0.62
_CORE = 0.15
#: Stiffness of the spring that holds a person at their distance from the community centre.
_SPRING = 0.5


def inner_circle(u: np.ndarray, v: np.ndarray, strength: np.ndarray, k: int = INNER_CIRCLE):
    """Return which ties are in the inner circle of at least one of their two people.

    A tie is in a person's inner circle when it is one of their ``k`` strongest: a definition by
    rank, so it holds whatever the model's strengths are.

    Examples:
        >>> import numpy as np
        >>> inner_circle(np.array([0, 0, 0]), np.array([1, 2, 3]), np.array([0.9, 0.5, 0.1]), k=1)
        array([ True,  True,  True])
        >>> inner_circle(np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([0.9, 0.5, 0.1]), k=1)
        array([ True,  True, False])
    """
    m = len(u)
    if m == 0:
        return np.zeros(0, bool)
    ends = np.concatenate([u, v])
    tie = np.concatenate([np.arange(m), np.arange(m)])
    # Equal strengths: the earlier tie first (a stable rule, whichever end the person is).
    order = np.lexsort((tie, -np.concatenate([strength, strength]), ends))
    e = ends[order]
    starts = np.r_[0, np.flatnonzero(e[1:] != e[:-1]) + 1]
    rank = np.arange(len(e)) - np.repeat(starts, np.diff(np.r_[starts, len(e)]))
    out = np.zeros(m, bool)
    out[tie[order][rank < k]] = True
    return out


def embeddedness(n: int, u: np.ndarray, v: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """Each person's summed tie strength, as a rank in ``[0, 1]`` (1 = the most embedded)."""
    total = np.bincount(u, strength, n) + np.bincount(v, strength, n)
    if n < 2:
        return np.ones(n)
    return np.argsort(np.argsort(total, kind="stable"), kind="stable") / (n - 1)


class IncrementalLayout:
    """Positions of ``n`` people, seeded, relaxed incrementally as ties change.

    Args:
        n: Number of people (nodes).
        u: One end of each tie.
        v: The other end.
        weight: Tie strengths (stronger ties pull harder); ones if None.
        seed: Seed of the layout's own random generator.
        group: Community of each person; communities start in separate places, which gives the
            force iterations a head start and a readable picture.
        iterations: Iterations of the initial layout.

    Attributes:
        pos: ``(n, 2)`` float array of positions in ``[-1, 1]^2``.
        k: The ideal distance between people (the force model's length scale).

    Examples:
        >>> import numpy as np
        >>> layout = IncrementalLayout(4, np.array([0, 1, 2]), np.array([1, 2, 3]), seed=1)
        >>> layout.pos.shape, bool(np.abs(layout.pos).max() <= 1)
        ((4, 2), True)
    """

    def __init__(
        self,
        n: int,
        u: np.ndarray,
        v: np.ndarray,
        weight: np.ndarray | None = None,
        *,
        seed: int = 0,
        group: np.ndarray | None = None,
        iterations: int = 60,
    ):
        self.n = int(n)
        self._rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 0x1A7007])
        self.k = 1.0 / np.sqrt(max(self.n, 1))
        self._kernel: tuple[float, np.ndarray, np.ndarray] | None = None
        self._communities(np.zeros(self.n, np.int64) if group is None else np.asarray(group))
        self.pos = self._initial(u, v, weight)
        self.relax(u, v, weight, iterations=iterations, start_temperature=0.1)

    def _communities(self, group: np.ndarray) -> None:
        """Place the communities: centres on a sunflower spiral (largest first), and radii."""
        labels, inverse = np.unique(group, return_inverse=True)
        self.labels = labels  # the model's group of each community, in index order
        self.group = inverse.astype(np.int64)
        g = max(len(labels), 1)
        size = np.bincount(self.group, minlength=g).astype(float)
        order = np.argsort(-size, kind="stable")  # the largest in the middle
        radius = _SPIRAL * np.sqrt((np.arange(g) + 0.5) / g) if g > 1 else np.zeros(1)
        golden = np.pi * (3 - np.sqrt(5))
        self.centres = np.zeros((g, 2))
        self.centres[order] = (
            radius[:, None] * np.c_[np.cos(np.arange(g) * golden), np.sin(np.arange(g) * golden)]
        )
        mean = size.mean() if len(size) else 1.0
        self.radii = np.minimum(0.6, 1.0 / np.sqrt(g) * np.sqrt(size / max(mean, 1e-9)))

    def _target(self, u, v, weight) -> np.ndarray:
        """Each person's distance from their community's centre: core if embedded, rim if not."""
        n = self.n
        w = np.ones(len(u)) if weight is None else np.asarray(weight, float)
        rank = embeddedness(n, np.asarray(u, np.int64), np.asarray(v, np.int64), w)
        return self.radii[self.group[:n]] * (_CORE + (1 - _CORE) * (1 - rank))

    def _initial(self, u, v, weight) -> np.ndarray:
        n = self.n
        if n == 0:
            return np.zeros((0, 2))
        a = 2 * np.pi * self._rng.random(n)
        r = self._target(u, v, weight)
        return self.centres[self.group] + r[:, None] * np.c_[np.cos(a), np.sin(a)]

    def grow(self, n_new: int, u: np.ndarray, v: np.ndarray) -> None:
        """Add ``n_new`` people (e.g. professionals joining).

        Each new person starts at the mean position of its neighbours among the people already
        placed, or near the centre when it has none.

        Args:
            n_new: Number of people added (they are the last ``n_new`` indices).
            u: One end of each current tie.
            v: The other end.
        """
        if n_new <= 0:
            return
        old = self.n
        new_pos = 0.1 * self._rng.normal(size=(n_new, 2))
        u = np.asarray(u, np.int64)
        v = np.asarray(v, np.int64)
        sums = np.zeros((n_new, 2))
        cnt = np.zeros(n_new)
        for a, b in ((u, v), (v, u)):
            sel = (a >= old) & (b < old)
            idx = a[sel] - old
            for j in range(2):
                sums[:, j] += np.bincount(idx, self.pos[b[sel], j], n_new)
            cnt += np.bincount(idx, minlength=n_new)
        has = cnt > 0
        new_pos[has] = sums[has] / cnt[has, None]
        self.pos = np.vstack([self.pos, new_pos])
        # Newcomers (professionals) belong to the community of the person nearest to them.
        nearest = np.argmin(((new_pos[:, None] - self.pos[None, :old]) ** 2).sum(-1), axis=1)
        self.group = np.r_[self.group, self.group[nearest] if old else np.zeros(n_new, np.int64)]
        self.n += n_new

    def renew(self, rows: np.ndarray, group: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        """Place people who took over rows of people who left (the model's turnover).

        Each takes the community of their own group (kept when it is not one of the layout's)
        and starts at the mean position of their ties' other ends that are not renewed too, or on
        the rim of their community when they have none.

        Args:
            rows: The renewed rows.
            group: The model's group of each renewed row.
            u: One end of each current tie.
            v: The other end.
        """
        rows = np.asarray(rows, np.int64)
        if len(rows) == 0:
            return
        at = np.minimum(np.searchsorted(self.labels, group), max(len(self.labels) - 1, 0))
        known = (self.labels[at] == group) if len(self.labels) else np.zeros(len(rows), bool)
        self.group[rows[known]] = at[known]
        renewed = np.zeros(self.n, bool)
        renewed[rows] = True
        u, v = np.asarray(u, np.int64), np.asarray(v, np.int64)
        slot = np.full(self.n, -1, np.int64)
        slot[rows] = np.arange(len(rows))
        sums, cnt = np.zeros((len(rows), 2)), np.zeros(len(rows))
        for a, b in ((u, v), (v, u)):
            sel = renewed[a] & ~renewed[b]
            for j in range(2):
                sums[:, j] += np.bincount(slot[a[sel]], self.pos[b[sel], j], len(rows))
            cnt += np.bincount(slot[a[sel]], minlength=len(rows))
        angle = 2 * np.pi * self._rng.random(len(rows))
        g = self.group[rows]
        rim = self.centres[g] + self.radii[g, None] * np.c_[np.cos(angle), np.sin(angle)]
        has = cnt > 0
        self.pos[rows] = np.where(has[:, None], sums / np.maximum(cnt, 1)[:, None], rim)

    def relax(
        self,
        u: np.ndarray,
        v: np.ndarray,
        weight: np.ndarray | None = None,
        *,
        iterations: int = 1,
        start_temperature: float = 0.01,
        inner: np.ndarray | None = None,
    ) -> None:
        """Move people by ``iterations`` force-directed steps on the current ties.

        Args:
            u: One end of each tie.
            v: The other end.
            weight: Tie strengths (ones if None).
            iterations: Number of steps.
            start_temperature: Largest move of the first step (the cap cools linearly to a
                tenth of it). Small values (the default) make the per-frame update gentle.
            inner: :func:`inner_circle` of these ties, when the caller has it already.
        """
        n = self.n
        if n < 2 or iterations <= 0:
            return
        u = np.asarray(u, np.int64)
        v = np.asarray(v, np.int64)
        w = np.ones(len(u)) if weight is None else np.asarray(weight, float)
        target = self._target(u, v, w)
        # Only inner-circle ties within a community pull (see the module docstring).
        if inner is None:
            inner = inner_circle(u, v, w)
        pull = inner & (self.group[u] == self.group[v])
        u, v, w = u[pull], v[pull], w[pull]
        k = self.k
        pos = self.pos
        centre = self.centres[self.group[:n]]
        for it in range(iterations):
            t = start_temperature * (1 - 0.9 * it / max(iterations - 1, 1))
            disp = self._repulsion(pos, k)
            # Attraction along ties: force d^2/k along the tie, i.e. delta * d / k.
            delta = pos[u] - pos[v]
            dist = np.sqrt((delta**2).sum(axis=1))
            f = delta * (dist * w / k)[:, None]
            for j in range(2):
                disp[:, j] -= np.bincount(u, f[:, j], n)
                disp[:, j] += np.bincount(v, f[:, j], n)
            # The spring to each person's distance from their community's centre.
            off = pos - centre
            r = np.sqrt((off**2).sum(axis=1)) + 1e-9
            disp -= off / r[:, None] * ((r - target) * _SPRING / k)[:, None]
            length = np.sqrt((disp**2).sum(axis=1)) + 1e-12
            pos = pos + disp * (np.minimum(length, t) / length)[:, None]
            np.clip(pos, -_BOUND, _BOUND, out=pos)
        self.pos = pos

    def _repulsion(self, pos: np.ndarray, k: float) -> np.ndarray:
        if len(pos) <= EXACT_LIMIT:
            return _exact_repulsion(pos, k)
        return self._mesh_repulsion(pos, k)

    def _mesh_repulsion(self, pos: np.ndarray, k: float) -> np.ndarray:
        """Repulsion ``k^2 / d`` through a grid: spread, convolve (FFT), read back."""
        g = _GRID
        h = 2 * _BOUND / g
        if self._kernel is None or self._kernel[0] != k:
            # The field of one unit of mass at offset (dx, dy): k^2 * (dx, dy) / d^2, on a
            # doubled grid (offsets -g..g-1, wrapped) so the circular FFT convolution is exact.
            off = np.fft.fftfreq(2 * g, d=1.0 / (2 * g)) * h
            dx, dy = np.meshgrid(off, off, indexing="ij")
            d2 = dx**2 + dy**2
            d2[0, 0] = np.inf  # no force at zero offset (a person does not push itself)
            self._kernel = (k, np.fft.rfft2(k * k * dx / d2), np.fft.rfft2(k * k * dy / d2))
        _, kx, ky = self._kernel
        # Cloud-in-cell weights: each person's unit mass spread over the 4 nearest cell centres.
        gx = np.clip((pos[:, 0] + _BOUND) / h - 0.5, 0, g - 1.000001)
        gy = np.clip((pos[:, 1] + _BOUND) / h - 0.5, 0, g - 1.000001)
        i0 = gx.astype(np.int64)
        j0 = gy.astype(np.int64)
        fx, fy = gx - i0, gy - j0
        corners = (
            (i0, j0, (1 - fx) * (1 - fy)),
            (i0 + 1, j0, fx * (1 - fy)),
            (i0, j0 + 1, (1 - fx) * fy),
            (i0 + 1, j0 + 1, fx * fy),
        )
        rho = np.zeros((2 * g, 2 * g))
        flat = rho.reshape(-1)
        for ii, jj, ww in corners:
            flat += np.bincount(ii * 2 * g + jj, ww, (2 * g) ** 2)
        rho_hat = np.fft.rfft2(rho)
        field_x = np.fft.irfft2(rho_hat * kx, s=rho.shape)
        field_y = np.fft.irfft2(rho_hat * ky, s=rho.shape)
        out = np.zeros_like(pos)
        for ii, jj, ww in corners:
            out[:, 0] += ww * field_x[ii, jj]
            out[:, 1] += ww * field_y[ii, jj]
        return out


def _exact_repulsion(pos: np.ndarray, k: float) -> np.ndarray:
    """Exact pairwise repulsion ``k^2 / d`` on every person."""
    dx = pos[:, None, 0] - pos[None, :, 0]
    dy = pos[:, None, 1] - pos[None, :, 1]
    d2 = dx * dx + dy * dy + 1e-9  # people on one spot push apart instead of dividing by 0
    inv = (k * k) / d2
    np.fill_diagonal(inv, 0.0)  # a person does not push itself
    return np.c_[(dx * inv).sum(axis=1), (dy * inv).sum(axis=1)]
