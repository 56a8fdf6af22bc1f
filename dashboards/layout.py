"""A seeded force-directed layout of the evolving network, updated a little each frame.

Recomputing a spring layout every frame is what makes network dashboards slow and jumpy (Mesa's
old space component took 2 s per frame at 500 people, and every frame looked different). Here the
positions are computed once per model, from a seed, and then *relaxed* a few iterations per frame
on the current ties: people whose ties formed or ended drift to their new neighbours, everyone else
stays put. Positions never depend on the model's random stream (the layout has its own generator),
so looking at a run never changes it.

The force model is Fruchterman & Reingold's (1991): ties pull their ends together with force
``d^2 / k``, every pair of people pushes apart with force ``k^2 / d``, ``k`` the ideal distance,
and each iteration's move is capped by a "temperature" that cools. Repulsion is computed exactly for
small networks; for larger ones it is computed on a mesh (the particle-mesh method of N-body
codes: people's positions are spread onto a grid, the ``k^2 / d`` field of the grid is one FFT
convolution, and each person reads the field back), which costs ``O(n + G^2 log G)`` instead of
``O(n^2)``. Attraction is a ``bincount`` over the ties. A weak pull to the centre keeps isolated
people in view. Positions stay in the square ``[-1, 1]^2``, so the view never rescales.

Reference:
    Fruchterman, T. M. J. & Reingold, E. M. (1991). Graph drawing by force-directed placement.
    Software: Practice and Experience 21(11), 1129-1164.
"""

from __future__ import annotations

import numpy as np

__all__ = ["IncrementalLayout"]

#: Networks up to this size get exact pairwise repulsion; larger ones the mesh.
EXACT_LIMIT = 300
#: Cells per side of the repulsion mesh (cell size 2/_GRID of the square).
_GRID = 128
#: Positions are kept inside [-_BOUND, _BOUND]^2.
_BOUND = 1.0
#: Fraction of the square that the initial layout is scaled to fill.
_FILL = 0.92


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
        self.pos = self._initial(group)
        self.relax(u, v, weight, iterations=iterations, start_temperature=0.2)
        self._fill()

    def _initial(self, group: np.ndarray | None) -> np.ndarray:
        n, rng = self.n, self._rng
        if n == 0:
            return np.zeros((0, 2))
        if group is None or len(np.unique(group)) < 2:
            r = 0.8 * np.sqrt(rng.random(n))
            a = 2 * np.pi * rng.random(n)
            return np.c_[r * np.cos(a), r * np.sin(a)]
        # Communities on a circle, people scattered around their community's centre.
        labels, inverse = np.unique(group, return_inverse=True)
        angles = 2 * np.pi * np.arange(len(labels)) / len(labels)
        centres = 0.55 * np.c_[np.cos(angles), np.sin(angles)]
        spread = 0.9 / np.sqrt(len(labels))
        return np.clip(centres[inverse] + spread * rng.normal(0, 0.35, (n, 2)), -0.95, 0.95)

    def _fill(self) -> None:
        """Scale the layout to fill the square, and the length scale with it.

        Both forces scale linearly when positions and ``k`` are scaled together, so later
        relaxation keeps this size instead of shrinking back.
        """
        if self.n < 2:
            return
        centre = np.median(self.pos, axis=0)
        extent = np.quantile(np.abs(self.pos - centre), 0.99)
        if extent <= 0:
            return
        s = _FILL / extent
        self.pos = np.clip((self.pos - centre) * s, -_BOUND, _BOUND)
        self.k *= s

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
        self.n += n_new

    def relax(
        self,
        u: np.ndarray,
        v: np.ndarray,
        weight: np.ndarray | None = None,
        *,
        iterations: int = 1,
        start_temperature: float = 0.01,
    ) -> None:
        """Move people by ``iterations`` force-directed steps on the current ties.

        Args:
            u: One end of each tie.
            v: The other end.
            weight: Tie strengths (ones if None).
            iterations: Number of steps.
            start_temperature: Largest move of the first step (the cap cools linearly to a
                tenth of it). Small values (the default) make the per-frame update gentle.
        """
        n = self.n
        if n < 2 or iterations <= 0:
            return
        u = np.asarray(u, np.int64)
        v = np.asarray(v, np.int64)
        w = np.ones(len(u)) if weight is None else np.asarray(weight, float)
        # Dense networks (a convoy gives everyone ~50 ties) would collapse into a ball under
        # summed attraction; dividing by the mean degree keeps their spread readable.
        w = w * (4.0 / max(2.0 * len(u) / n, 1.0))
        k = self.k
        pos = self.pos
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
            disp -= pos * (0.05 / k)  # gravity: keeps isolates and small components in view
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
