"""Peer support groups: people with similar problems meet regularly and form peer ties.

Each cohort (every ``cohort_steps`` steps while the intervention acts) enrols
``floor(budget / cost)`` people, reached by the targeting rule among those not in the previous
cohort. Enrolled people are sorted by their dominant unmet need (the support type they lack most:
similar problems) and split into groups of ``group_size``. Everyone in a group gets a peer tie to
everyone else in it (kind ``peer``, strength ``tie_strength``, conflict drawn as for any new tie;
pairs already tied keep their tie). At each step of the cohort the group meets: every tie between
members is refreshed,

    strength <- strength + meeting_gain * (1 - strength),   last contact <- this step

Peer ties then work like any other tie: members ask each other for help (peer support lands well
for emotional, informational and appraisal support, poorly for practical help: see
:data:`supportnet.kinds.LANDING`), contact over them counts against loneliness, and after the cohort
they decay (``decay_peer``) unless used. Cost: ``cost`` units per member per step.

Sources:
    Solomon, P. (2004). Peer support/peer provided services: underlying processes, benefits, and
    critical ingredients. Psychiatric Rehabilitation Journal 27(4), 392-401 (shared experience
    as the active ingredient; groups of people with the same problem).
    Pfeiffer, P. N., Heisler, M., Piette, J. D., Rogers, M. A. M. & Valenstein, M. (2011).
    Efficacy of peer support interventions for depression: a meta-analysis. General Hospital
    Psychiatry 33(1), 29-36 (peer support lowers depressive symptoms vs usual care).
"""

from __future__ import annotations

import numpy as np

from ..kinds import PEER
from .base import Intervention, _param

__all__ = ["PeerGroups"]


class PeerGroups(Intervention):
    """Peer support groups that create and maintain peer ties among people with similar needs."""

    kind = "peer_groups"
    title = "Peer support groups"
    summary = "People with similar problems meet in groups and form peer ties"
    source = "Solomon (2004); Pfeiffer et al. (2011)"
    cost_unit = "per member per step"
    DEFAULT_TARGETING = "most_stressed"
    OWN_PARAMETERS = (
        _param("cost", float, 1.0, 0.01, 1e6, "units per member per step",
               "Cost of one place in a group for one step (a facilitator shared by the group)"),
        _param("group_size", int, 8, 2, 100, "people", "People per group"),
        _param("cohort_steps", int, 12, 1, 100_000, "steps",
               "Steps a cohort of groups meets before new members are enrolled"),
        _param("tie_strength", float, 0.3, 0.01, 1, "strength", "Strength of a new peer tie"),
        _param("meeting_gain", float, 0.2, 0, 1, "share",
               "Strength gained by ties between members at each meeting (share of the gap to 1)"),
    )  # fmt: skip

    def check_params(self, params) -> None:
        """Peer ties must start above the strength at which ties end."""
        if self.tie_strength <= params.end_threshold:
            self.fail(
                f"setting 'tie_strength' ({self.tie_strength:g}) is not allowed with "
                f"end_threshold={params.end_threshold:g}; new ties must start above it"
            )

    def prepare(self, model) -> None:
        """Start with no cohort."""
        self.members = np.zeros(0, np.int64)
        self.groups: list[np.ndarray] = []
        self._pairs = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        self._cohort_start = -1

    def forget(self, model, people: np.ndarray) -> None:
        """Members who left leave their group."""
        if len(self.members):
            self.members = self.members[~np.isin(self.members, people)]
            self.groups = [g[~np.isin(g, people)] for g in self.groups]
            u, v = self._pairs
            keep = ~(np.isin(u, people) | np.isin(v, people))
            self._pairs = (u[keep], v[keep])

    def apply(self, model, step: int) -> None:
        """Enrol a new cohort when one is due; hold this step's meetings; pay for the places."""
        if self._cohort_start < 0 or step - self._cohort_start >= self.cohort_steps:
            self._enrol(model, step)
        self._meet(model, step)
        self.spend(len(self.members))

    def stop(self, model, step: int) -> None:
        """The groups stop meeting; the ties they made remain and decay unless used."""
        self.members = np.zeros(0, np.int64)
        self.groups = []
        self._pairs = (np.zeros(0, np.int64), np.zeros(0, np.int64))

    def _enrol(self, model, step: int) -> None:
        pop = model.population
        self._cohort_start = step
        pool = self.candidates(model)
        pool = pool[~np.isin(pool, self.members)]  # the previous cohort makes room
        chosen = self.ranked(model, pool)[: self.units]
        if len(chosen) < 2:
            self.members, self.groups = np.zeros(0, np.int64), []
            self._pairs = (np.zeros(0, np.int64), np.zeros(0, np.int64))
            return
        # Similar problems: order by dominant need (stable: targeting order within a need).
        dominant = pop.need[chosen].argmax(axis=1)
        chosen = chosen[np.argsort(dominant, kind="stable")]
        cuts = list(range(self.group_size, len(chosen), self.group_size))
        if len(chosen) - (cuts[-1] if cuts else 0) < 2:
            cuts = cuts[:-1]  # a last group of one joins the one before
        self.groups = np.split(chosen, cuts)
        self.members = np.sort(chosen)
        us, vs = [], []
        for g in self.groups:
            a, b = np.triu_indices(len(g), 1)
            us.append(g[a])
            vs.append(g[b])
        u, v = np.concatenate(us), np.concatenate(vs)
        self._pairs = (u, v)
        added = model.ties.add(
            u, v, PEER, self.tie_strength, self.conflict_draws(model, len(u)), step=step
        )
        self.ties_created += len(added)
        self.reach(chosen, step)

    def _meet(self, model, step: int) -> None:
        u, v = self._pairs
        if len(u) == 0:
            return
        ties = model.ties
        slots = ties.find(u, v)
        slots = slots[slots >= 0]
        s = ties.strength
        s[slots] += self.meeting_gain * (1.0 - s[slots])
        ties.last_contact[slots] = step
        ties.contacts[slots] += 1.0  # a meeting is a contact (recording only)

    def follow_up(self) -> int:
        """Outcomes are compared at the end of a person's cohort."""
        return self.cohort_steps

    def status(self) -> dict:
        """Add the current members and groups."""
        members, groups = getattr(self, "members", ()), getattr(self, "groups", ())
        return {**super().status(), "members": len(members), "groups": len(groups)}
