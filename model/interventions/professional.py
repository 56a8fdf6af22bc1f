"""Professional help: therapists and counsellors as agents, with caseloads and an access barrier.

When it first acts, the intervention adds ``ceil(places / caseload)`` professionals to the model
(``places = floor(budget / cost)`` clients at a time, but never more than there are people: a
budget beyond that buys nothing more, and hiring for it would only take memory) as
:class:`supportnet.agents.Professional` people: large capacity (``capacity``), high emotional
and informational competence (``competence``), ordinary practical and appraisal competence
(``other_competence``), a caseload limit, no life events, no need of their own.

Referral and the access barrier. Whenever places are free, people are offered a course in
targeting order (current clients and people who declined within the last ``course_steps`` steps
are not offered). Person i takes it up with probability

    uptake_i = help_seeking_i * max(0, 1 - access_cost * price_i)

with ``price_i = low_income_barrier`` for low-income people and 1 for others: cost deters, and it
deters those with least money most. Who takes it up gets a professional tie (kind
``professional``, strength ``tie_strength``) to a professional with a free slot for
``course_steps`` steps; at the end of the course the tie ends and the place goes to the next
person. Clients always ask their professional when they ask for help (a booked session: see
:mod:`supportnet.mechanisms.seeking`); the professional serves at most ``caseload`` clients a step.

Matching. In the ``personalised`` mode a professional splits support across the four types by the
client's needs (most to the dominant need), as every giver in the model does. In the ``generic``
mode the professional follows a standard programme: support is split evenly across the types
whatever the client needs, and support of a type lands only up to the client's need of that type
(:mod:`supportnet.mechanisms.giving`, ``generic_support``). Measured in twin trials of the default
town (:func:`supportnet.interventions.trial.twin_trial`; docs/interventions.md), the personalised
mode raises clients' perceived support about twice as much as the generic mode (Hedges' g at the
end of a course, against the same people in an identical run without the intervention), as in the
meta-analysis; on depression and stress the two do nearly the same (the most stressed clients need
several types at once). Cost: ``cost`` units per client
per step (one session).

Sources:
    Beckers, T., Maassen, N., Koekkoek, B., Tiemens, B. & Hutschemaekers, G. (2022). Can social
    support be improved in people with a severe mental illness? A systematic review and
    meta-analysis. Current Psychology 42(17), 14689-14699 (more personalised interventions:
    g = 0.35 on social support, against 0.17 overall).
    Hogan, B. E., Linden, W. & Najarian, B. (2002). Social support interventions: do they work?
    Clinical Psychology Review 22(3), 381-440 (a narrative review: tailored support works better;
    no pooled effect size).
    Cutrona, C. E. & Russell, D. W. (1990). Type of social support and specific stress: toward a
    theory of optimal matching (support helps when its type matches the need).
    Andrade, L. H. et al. (2014). Barriers to mental health treatment: results from the WHO World
    Mental Health surveys. Psychological Medicine 44(6), 1303-1317 (cost and attitudes keep
    people from care, low-income people most).
    Cuijpers, P. et al. (2013). A meta-analysis of cognitive-behavioural therapy for adult
    depression, alone and in comparison with other treatments. Canadian Journal of Psychiatry
    58(7), 376-385 (courses of about 8-16 weekly sessions).
"""

from __future__ import annotations

import math

import numpy as np

from ..agents import Professional
from ..kinds import PROFESSIONAL, SUPPORT_TYPES
from ..population import SUBGROUP_CODES, Population
from .base import Intervention, _param

__all__ = ["MATCHING_MODES", "ProfessionalHelp"]

#: How a professional matches the support type to the client's needs.
MATCHING_MODES = ("personalised", "generic")

_STRONG_TYPES = ("emotional", "informational")  # the types professionals are trained in


class ProfessionalHelp(Intervention):
    """Therapists with caseloads, an access cost, and generic or personalised matching."""

    kind = "professional"
    title = "Professional help"
    summary = "Therapists with caseloads; a cost barrier decides who reaches them"
    source = "Beckers et al. (2022); Andrade et al. (2014)"
    cost_unit = "per client per step"
    DEFAULT_TARGETING = "most_stressed"
    OWN_PARAMETERS = (
        _param("cost", float, 5.0, 0.01, 1e6, "units per client per step",
               "Cost of one client's place for one step (a session)"),
        _param("matching", str, "personalised",
               meaning="personalised: support matched to the client's needs; generic: a "
               "standard programme split evenly across support types", choices=MATCHING_MODES),
        _param("caseload", int, 20, 1, 10_000, "clients", "Most clients one professional serves"),
        _param("capacity", float, 5.0, 0.01, 1000, "capacity",
               "Capacity of a professional per step, renewed every step (a person's is at most 1)"),
        _param("competence", float, 0.9, 0, 1, "share",
               "Competence at emotional and informational support"),
        _param("other_competence", float, 0.5, 0, 1, "share",
               "Competence at instrumental and appraisal support"),
        _param("access_cost", float, 0.3, 0, 1, "share",
               "Access barrier: how much cost cuts the chance of taking up an offered place"),
        _param("low_income_barrier", float, 2.0, 1, 10, "factor",
               "How much harder the cost bites for low-income people"),
        _param("course_steps", int, 12, 1, 100_000, "steps", "Length of a course of help"),
        _param("tie_strength", float, 0.1, 0.01, 1, "strength",
               "Strength of the client-professional tie as a personal connection (contact over it "
               "counts against loneliness)"),
    )  # fmt: skip

    def prepare(self, model) -> None:
        """Start with no professionals and no clients."""
        n = self.n0
        self.professionals = np.zeros(0, np.int64)
        self.client_of = np.full(n, -1, np.int64)
        self.course_end = np.zeros(n, np.int64)
        self.declined_until = np.full(n, -1, np.int64)
        self.courses = 0

    def forget(self, model, people: np.ndarray) -> None:
        """A client who left frees their place (their tie to the professional has ended)."""
        self.client_of[people] = -1
        self.course_end[people] = 0
        self.declined_until[people] = -1

    @property
    def places(self) -> int:
        """Clients the budget pays for at a time (at most the people there are to treat)."""
        return min(self.units, self.n0)

    def apply(self, model, step: int) -> None:
        """Hire when first acting; end finished courses; fill free places; pay for sessions."""
        if len(self.professionals) == 0:
            self._hire(model)
        # Professionals work set hours: their capacity is renewed every step, not drained.
        model.population.capacity[self.professionals] = self.capacity
        done = np.flatnonzero((self.client_of >= 0) & (self.course_end <= step))
        self._discharge(model, done)
        free = self.places - int((self.client_of >= 0).sum())
        if free > 0:
            self._refer(model, step, free)
        self.spend(int((self.client_of >= 0).sum()))

    def stop(self, model, step: int) -> None:
        """The service closes: every client's tie to their professional ends."""
        self._discharge(model, np.flatnonzero(self.client_of >= 0))

    def uptake(self, model, people: np.ndarray) -> np.ndarray:
        """Chance that each of ``people`` takes up an offered place (the access barrier)."""
        pop = model.population
        price = np.where(pop.subgroup[people] == SUBGROUP_CODES["low_income"],
                         self.low_income_barrier, 1.0)  # fmt: skip
        return pop.help_seeking[people] * np.maximum(0.0, 1.0 - self.access_cost * price)

    def _hire(self, model) -> None:
        k = math.ceil(self.places / self.caseload)
        pop = model.population
        comp = np.array(
            [
                self.competence if t in _STRONG_TYPES else self.other_competence
                for t in SUPPORT_TYPES
            ]
        )
        zeros = np.zeros(k)
        staff = Population(
            stress=zeros.copy(),
            depression=zeros.copy(),
            loneliness=zeros.copy(),
            capacity=np.full(k, self.capacity),
            perceived_support=zeros.copy(),
            need=np.zeros((k, len(SUPPORT_TYPES))),
            capacity_max=np.full(k, self.capacity),
            competence=np.tile(comp, (k, 1)),
            help_seeking=zeros.copy(),
            desired_connection=zeros.copy(),
            resilience=np.ones(k),
            perception_bias=zeros.copy(),
            loneliness_bias=zeros.copy(),
            interests=np.zeros((k, pop.interests.shape[1])),
            group=np.zeros(k, pop.group.dtype),
            subgroup=np.zeros(k, pop.subgroup.dtype),
            is_professional=np.ones(k, bool),
            caseload=np.full(k, self.caseload, pop.caseload.dtype),
            tie_formation=zeros.copy(),
            online_formation=zeros.copy(),
            generic_support=np.full(k, self.matching == "generic"),
        )
        self.professionals = model.add_people(staff, Professional)

    def _refer(self, model, step: int, free: int) -> None:
        pool = self.candidates(model)
        pool = pool[(self.client_of[pool] < 0) & (self.declined_until[pool] <= step)]
        order = self.ranked(model, pool)
        takes = self.rng.random(len(order)) < self.uptake(model, order)
        accepted = np.flatnonzero(takes)[:free]
        # Everyone offered before the last place was filled, and who said no, declined.
        offered = accepted[-1] + 1 if len(accepted) == free else len(order)
        no = order[:offered][~takes[:offered]]
        self.declined_until[no] = step + self.course_steps
        new = order[accepted]
        if len(new) == 0:
            return
        load = np.bincount(
            self.client_of[self.client_of >= 0] - self.professionals[0],
            minlength=len(self.professionals),
        )
        slots = np.repeat(self.professionals, self.caseload - load)[: len(new)]
        added = model.ties.add(new, slots, PROFESSIONAL, self.tie_strength, 0.0, step=step)
        self.ties_created += len(added)
        self.client_of[new] = slots
        self.course_end[new] = step + self.course_steps
        self.courses += len(new)
        self.reach(new, step)

    def _discharge(self, model, people: np.ndarray) -> None:
        if len(people) == 0:
            return
        slots = model.ties.find(people, self.client_of[people])
        slots = slots[slots >= 0]
        model.ties.remove(slots)
        self.ties_ended += len(slots)
        self.client_of[people] = -1

    def follow_up(self) -> int:
        """Outcomes are compared at the end of a course (post-treatment)."""
        return self.course_steps

    def status(self) -> dict:
        """Add professionals, current clients and courses started."""
        client_of = getattr(self, "client_of", np.zeros(0))
        return {
            **super().status(),
            "professionals": len(getattr(self, "professionals", ())),
            "clients": int((client_of >= 0).sum()),
            "courses": getattr(self, "courses", 0),
        }
