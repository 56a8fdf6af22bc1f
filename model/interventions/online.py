"""Online platforms: matched online ties that ignore distance in the network.

At each step while the platform acts it makes up to ``floor(budget / cost)`` matches. People are
matched in targeting order among those with room for another tie and fewer than ``max_matches``
online ties. The platform looks at ``pool`` people drawn at random from the whole population
(ignoring where they sit in the network) and proposes the one with the closest interests who is
not yet tied to the person, has room and fewer than ``max_matches`` online ties; the proposed
partner accepts with
probability ``1 - withdrawal_strength * loneliness`` (lonely people accept fewer new ties). An
accepted match becomes an ``online`` tie of strength ``tie_strength``.

Online ties are ordinary ties of kind ``online`` afterwards: support over them lands less well
(``online_landing`` and :data:`supportnet.kinds.LANDING`: no practical help at a distance), contact
over them counts less against loneliness, and they decay at ``decay_online`` without contact.
Cost: ``cost`` units per tie created (a moderated matching service).

Sources:
    Ali, K., Farrer, L., Gulliver, A. & Griffiths, K. M. (2015). Online peer-to-peer support for
    young people with mental health problems: a systematic review. JMIR Mental Health 2(2), e19.
    Cole, D. A. et al. (2017). Online social support for young people: does it recapitulate
    in-person social support; can it help? Computers in Human Behavior 68, 456-464 (online
    support helps, but less than in-person support).
"""

from __future__ import annotations

import numpy as np

from ..kinds import ONLINE
from .base import Intervention, _param

__all__ = ["OnlinePlatform"]


class OnlinePlatform(Intervention):
    """A platform that matches people by interest into online ties, wherever they are."""

    kind = "online"
    title = "Online platforms"
    summary = "Matched online ties that ignore network distance but land support less well"
    source = "Ali et al. (2015); Cole et al. (2017)"
    cost_unit = "per tie created"
    DEFAULT_TARGETING = "most_lonely"
    OWN_PARAMETERS = (
        _param("cost", float, 2.0, 0.01, 1e6, "units per tie created",
               "Cost of one online tie made by the platform (matching and moderation)"),
        _param("max_matches", int, 3, 1, 10_000, "ties",
               "People are matched while they have fewer online ties than this"),
        _param("pool", int, 20, 1, 10_000, "people",
               "People the platform considers when matching someone (it picks the closest "
               "interests)"),
        _param("tie_strength", float, 0.3, 0.01, 1, "strength", "Strength of a new online tie"),
    )  # fmt: skip

    def check_params(self, params) -> None:
        """Online ties must start above the strength at which ties end."""
        if self.tie_strength <= params.end_threshold:
            self.fail(
                f"setting 'tie_strength' ({self.tie_strength:g}) is not allowed with "
                f"end_threshold={params.end_threshold:g}; new ties must start above it"
            )

    def prepare(self, model) -> None:
        """No matches yet."""
        self.matched = np.zeros(self.n0, bool)

    def forget(self, model, people: np.ndarray) -> None:
        """Newcomers have not been matched."""
        self.matched[people] = False

    def apply(self, model, step: int) -> None:
        """Make this step's matches."""
        pop, p, ties = model.population, model.params, model.ties
        people = self.candidates(model)
        if len(people) < 2:
            return
        online = ties.weighted_degree((ties.kind == ONLINE).astype(float))[: self.n0]
        room = (ties.degree()[: self.n0] < p.max_ties) & (online < self.max_matches)
        pool = people[room[people]]
        seekers = self.ranked(model, pool)[: self.units]
        if len(seekers) == 0:
            return
        # Candidates drawn from everyone (not the network): distance in the network is ignored.
        cand = people[self.rng.integers(0, len(people), (len(seekers), self.pool))]
        accept = self.rng.random(len(seekers))
        dims = pop.interests.shape[1]
        dist = np.linalg.norm(pop.interests[cand] - pop.interests[seekers, None], axis=2)
        dist /= np.sqrt(dims)
        tied = ties.find(np.repeat(seekers, self.pool), cand.ravel()).reshape(cand.shape) >= 0
        unusable = (cand == seekers[:, None]) | tied | ~room[cand]
        dist[unusable] = np.inf
        best = dist.argmin(axis=1)
        partner = cand[np.arange(len(seekers)), best]
        found = np.isfinite(dist[np.arange(len(seekers)), best])
        ws = p.withdrawal_strength if p.withdrawal else 0.0
        ok = found & (accept < 1.0 - ws * pop.loneliness[partner])
        # One new platform tie per person per step: partners who are seekers themselves, or who
        # were proposed to someone earlier in the order, wait for a later step.
        first = np.zeros(len(seekers), bool)
        first[np.unique(partner, return_index=True)[1]] = True
        ok &= first & ~np.isin(partner, seekers)
        u, v = seekers[ok], partner[ok]
        conflict = self.conflict_draws(model, len(u))
        added = ties.add(u, v, ONLINE, self.tie_strength, conflict, step=step)
        both = np.r_[ties.u[added], ties.v[added]]
        self.matched[both] = True
        self.ties_created += len(added)
        self.reach(both, step)
        self.spend(len(added))

    def status(self) -> dict:
        """Add how many people have been matched."""
        return {
            **super().status(),
            "matched_people": int(getattr(self, "matched", np.zeros(0)).sum()),
        }
