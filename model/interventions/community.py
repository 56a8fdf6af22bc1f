"""Community programmes: more focal points (clubs, classes, volunteering), more tie formation.

Each cohort (every ``cohort_steps`` steps while the intervention acts) enrols
``floor(budget / cost)`` participants, reached by the targeting rule among those not in the
previous cohort, into clubs of ``club_size`` organised around shared interests (participants are
sorted by their strongest interest, so a club gathers people who like the same thing). While
enrolled:

- at each step, each participant meets a random fellow club member with probability
  ``meet_rate``; as for meetings at the model's own focal points, they tie (kind ``friend``,
  strength ``new_tie_strength``) with probability ``accept_k * exp(-homophily * d_ik)``, with
  ``d_ik`` their interest distance and ``accept_k = 1 - withdrawal_strength * loneliness_k``
  (lonely people accept fewer new ties), if both have room for another tie;
- their tie-formation factor (``tie_formation``, which scales triadic closure and meetings in
  their own community group; :mod:`supportnet.mechanisms.ties`) is raised by ``formation_boost``:
  getting out more, they also meet more friends of friends and neighbours.

The boost ends when the cohort does; the ties made remain and live or fade like any friendship.
Cost: ``cost`` units per participant per step.

Sources:
    Feld, S. L. (1981). The focused organization of social ties. American Journal of Sociology
    86(5), 1015-1035 (shared activities are where ties form).
    Masi, C. M., Chen, H.-Y., Hawkley, L. C. & Cacioppo, J. T. (2011). A meta-analysis of
    interventions to reduce loneliness. Personality and Social Psychology Review 15(3), 219-266
    (programmes that increase opportunities for social contact; modest effects).
    McPherson, Smith-Lovin & Cook (2001), for homophily in who ties with whom.
"""

from __future__ import annotations

import numpy as np

from ..kinds import FRIEND
from .base import Intervention, _param

__all__ = ["CommunityProgramme"]


class CommunityProgramme(Intervention):
    """Clubs around shared interests that bring participants together and raise tie formation."""

    kind = "community"
    title = "Community programmes"
    summary = "Clubs, classes and volunteering: more focal points, more new ties"
    source = "Feld (1981); Masi et al. (2011)"
    cost_unit = "per participant per step"
    DEFAULT_TARGETING = "most_lonely"
    OWN_PARAMETERS = (
        _param("cost", float, 0.5, 0.01, 1e6, "units per participant per step",
               "Cost of one participant's place for one step (volunteer-led, so cheap)"),
        _param("club_size", int, 15, 2, 10_000, "people", "Participants per club"),
        _param("cohort_steps", int, 26, 1, 100_000, "steps",
               "Steps a cohort takes part before new participants are enrolled"),
        _param("meet_rate", float, 0.3, 0, 1, "per participant per step",
               "Chance that a participant meets a fellow club member in a step"),
        _param("formation_boost", float, 1.0, 0, 20, "factor",
               "Added to participants' tie-formation factor "
               "(closure, focal and neighbourhood meetings)"),
    )  # fmt: skip

    def prepare(self, model) -> None:
        """Start with no cohort."""
        self.participants = np.zeros(0, np.int64)
        self.clubs: list[np.ndarray] = []
        self._order = np.zeros(0, np.int64)
        self._cohort_start = -1

    def forget(self, model, people: np.ndarray) -> None:
        """Participants who left leave their club (a newcomer's formation factor is their own)."""
        if len(self.participants):
            self.participants = self.participants[~np.isin(self.participants, people)]
            clubs = [c[~np.isin(c, people)] for c in self.clubs]
            # A member left alone in a club has nobody to meet there (still a participant).
            self.clubs = [c for c in clubs if len(c) >= 2]
            self._order = np.concatenate(self.clubs) if self.clubs else np.zeros(0, np.int64)
            self._sizes = np.array([len(c) for c in self.clubs], np.int64)
            self._starts = np.r_[0, np.cumsum(self._sizes)[:-1]].astype(np.int64)

    def apply(self, model, step: int) -> None:
        """Enrol a new cohort when one is due; hold this step's club meetings; pay."""
        if self._cohort_start < 0 or step - self._cohort_start >= self.cohort_steps:
            self._enrol(model, step)
        self._meet(model, step)
        self.spend(len(self.participants))

    def stop(self, model, step: int) -> None:
        """The programme ends: the boost to tie formation goes; the ties made stay."""
        self._release(model)

    def _release(self, model) -> None:
        if len(self.participants):
            model.population.tie_formation[self.participants] -= self.formation_boost
        self.participants = np.zeros(0, np.int64)
        self.clubs = []
        self._order = np.zeros(0, np.int64)

    def _enrol(self, model, step: int) -> None:
        pop = model.population
        previous = self.participants
        self._release(model)
        self._cohort_start = step
        pool = self.candidates(model)
        pool = pool[~np.isin(pool, previous)]
        chosen = self.ranked(model, pool)[: self.units]
        if len(chosen) == 0:
            return
        # Shared interests: order by strongest interest dimension, then by how strong it is.
        interests = pop.interests[chosen]
        top = interests.argmax(axis=1)
        chosen = chosen[np.lexsort((-interests.max(axis=1), top))]
        cuts = list(range(self.club_size, len(chosen), self.club_size))
        if cuts and len(chosen) - cuts[-1] < 2:
            cuts = cuts[:-1]  # a last club of one joins the one before
        self.clubs = np.split(chosen, cuts)
        self._order = chosen
        self._sizes = np.array([len(c) for c in self.clubs])
        self._starts = np.r_[0, np.cumsum(self._sizes)[:-1]]
        self.participants = np.sort(chosen)
        pop.tie_formation[self.participants] += self.formation_boost
        self.reach(chosen, step)

    def _meet(self, model, step: int) -> None:
        if len(self.participants) < 2 or len(self._order) < 2:
            return
        pop, p, ties = model.population, model.params, model.ties
        i, sizes, starts = self._order, self._sizes, self._starts
        meets, pick, accept = self.rng.random((3, len(i)))
        # Partner: a random other member of the same club (positions skip oneself).
        club = np.repeat(np.arange(len(sizes)), sizes)
        own = np.arange(len(i)) - starts[club]
        others = sizes[club] - 1
        pos = np.minimum((pick * others).astype(np.int64), others - 1)
        pos = np.where(pos >= own, pos + 1, pos)
        k = i[starts[club] + pos]
        ws = p.withdrawal_strength if p.withdrawal else 0.0
        open_k = 1.0 - ws * pop.loneliness[k]
        dist = np.linalg.norm(pop.interests[i] - pop.interests[k], axis=1)
        dist /= np.sqrt(pop.interests.shape[1])
        room = model.ties.degree() < p.max_ties
        ok = (meets < self.meet_rate) & room[i] & room[k]
        ok &= accept < open_k * np.exp(-p.homophily * dist)
        u, v = i[ok], k[ok]
        added = ties.add(u, v, FRIEND, p.new_tie_strength, self.conflict_draws(model, len(u)), step)
        self.ties_created += len(added)

    def follow_up(self) -> int:
        """Outcomes are compared at the end of a person's cohort."""
        return self.cohort_steps

    def status(self) -> dict:
        """Add current participants and clubs."""
        return {
            **super().status(),
            "participants": len(getattr(self, "participants", ())),
            "clubs": len(getattr(self, "clubs", ())),
        }
