"""A straightforward per-agent Mesa implementation of SupportNet's step: baseline and oracle.

This is the model as a user would write it by hand: a ``mesa.Model`` whose people are
``mesa.Agent`` objects holding their state as plain attributes and their ties in per-person
dicts (neighbour -> :class:`Tie`, one ``Tie`` object shared by both ends), with every phase a
Python loop over people or ties. It serves twice (``../shared/design/architecture.md``):

- as the baseline of the speed benchmark (:mod:`supportnet.benchmarks.speed`), and
- as an oracle: started from a :class:`supportnet.SupportModel`'s state and generator, it makes the
  same random draws in the same order and shapes as the vectorised phases in
  :mod:`supportnet.mechanisms` (draws of ``n`` values indexed by person; per-tie draws in canonical
  ``(u, v)`` order), so both must reach the same state (``tests/benchmarks``).

The equations are re-implemented here from the phases' docstrings, never imported: turnover (with
the newcomers' traits drawn by the same generator calls as the model's population draw), care roles
and care, life events (a loss may end a tie), everyday contact by layers, appraisal, help-seeking
over contact, giving (with the helpfulness of each answer), perceived support (trust times
integration), costs, recovery (chronic strain), loneliness (the gap relative to a full network,
contact quality, contagion per contact), depression, the SISa mood layer (its own generator,
copied like the model's; the classic mode too), and tie dynamics (the base ending rate, room for
new ties, neighbourhood meetings, sociability homophily). Only the fixed tables of
:mod:`supportnet.kinds`, the parameters and the measures' names are shared. Measurement is
part of the step here too, as in the fast model: every measure of
:data:`supportnet.metrics.ALL_MEASURES` computed by loops over people and ties (breadth-first search
for components, set intersections for clustering) and collected by a Mesa ``DataCollector``.
Run totals kept only for analysis (``stressor_total``, ``ties_lost_total``, ...) are not kept.
Interventions are out of scope: a model with professionals or interventions is refused.

Examples:
    >>> from supportnet import SupportModel
    >>> town = dict(n_people=40, n_groups=4, convoy_inner=3, convoy_sympathy=5, convoy_wider=8)
    >>> fast = SupportModel(rng=3, **town)
    >>> ref = ReferenceModel(fast)
    >>> fast.run_for(3)
    >>> ref.run_for(3)
    >>> bool(abs(ref.people[0].stress - fast.population.stress[0]) < 1e-9)
    True
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from types import SimpleNamespace

import mesa
import numpy as np

from supportnet.kinds import (
    AVAILABILITY,
    CAN_END,
    CONTACT_QUALITY,
    EVENT_KINDS,
    EVENT_NEEDS,
    FAMILY,
    FRIEND,
    NEIGHBOUR,
    ONLINE,
    PROFESSIONAL,
    STRESS_RELIEF,
    decay_by_kind,
    landing_matrix,
)
from supportnet.kinds import SUPPORT_TYPES as TYPE_NAMES
from supportnet.kinds import TIE_KINDS as TIE_KIND_NAMES
from supportnet.metrics import ALL_MEASURES, MOOD_MEASURES, QUANTILES, STATES
from supportnet.population import SUBGROUP_CODES

__all__ = ["PERSON_FIELDS", "RECORD_FIELDS", "ReferenceModel", "RefPerson", "Tie"]

N_TYPES = 4
# The tables as plain Python lists: per-agent code is fastest on Python floats, not numpy scalars.
QUALITY = CONTACT_QUALITY.tolist()
TRUSTED = AVAILABILITY.tolist()
RELIEF = STRESS_RELIEF.tolist()
ENDABLE = CAN_END.tolist()
NEEDS_BY_EVENT = EVENT_NEEDS.tolist()
LOSS = EVENT_KINDS.index("loss")
INSTRUMENTAL = TYPE_NAMES.index("instrumental")
LOW_INCOME = SUBGROUP_CODES["low_income"]
SMI = SUBGROUP_CODES["severe_mental_illness"]
OLDER = SUBGROUP_CODES["older_adults"]
BETA_CONCENTRATION = 4.0  # event magnitudes ~ Beta(4 mean, 4 (1 - mean)), as in the model
#: Uniforms per person and step for meeting people: closure 4, focal 3, online 3, neighbourhood 4.
N_FORMATION_DRAWS = 14
FAMILY_JOINED = 12  # a newcomer is tied to at most 12 members of the family they join
OWN_NEIGHBOURHOOD = 0.6  # share of local meetings in one's own neighbourhood (else the 8 around)
STATE_SPREAD = 0.1  # spread of a newcomer's starting states around their means

#: Person attributes copied from the model's population at the start (plain floats, ints, lists).
PERSON_FIELDS = (
    "stress",
    "depression",
    "loneliness",
    "capacity",
    "capacity_max",
    "perceived_support",
    "need",
    "competence",
    "help_seeking",
    "desired_connection",
    "resilience",
    "perception_bias",
    "loneliness_bias",
    "interests",
    "group",
    "subgroup",
    "tie_formation",
    "online_formation",
    "seeking_boost",
    "trust",
    "care_need",
    "carer_of",
    "cared_by",
    "home",
    "network_size",
    "layer_inner",
    "layer_sympathy",
    "arrived",
    "family",
)
#: Person attributes rewritten every step (this step's events, asks, support, contact, roles).
RECORD_FIELDS = (
    "carer",
    "event",
    "event_kind",
    "asked",
    "asks_made",
    "responses",
    "received",
    "received_effective",
    "given",
    "burden",
    "contact",
)


class Tie:
    """One tie between people ``u < v``; both people's dicts hold the same object."""

    __slots__ = (
        "u",
        "v",
        "kind",
        "strength",
        "conflict",
        "balance",
        "last_contact",
        "formed",
        "given_by_u",
        "given_by_v",
        "rate",
        "contacts",
        "ask_draw_u",
        "ask_draw_v",
    )

    def __init__(self, u, v, kind, strength, conflict, balance=0.0, last_contact=0, formed=0):
        self.u, self.v, self.kind = u, v, kind
        self.strength, self.conflict, self.balance = strength, conflict, balance
        self.last_contact, self.formed = last_contact, formed
        self.given_by_u = self.given_by_v = 0.0  # support given this step by u (to v), by v
        self.rate = 0.0  # expected everyday contacts this step
        self.contacts = 0  # everyday contacts this step
        self.ask_draw_u = self.ask_draw_v = 1.0  # this step's draws for "u asks v", "v asks u"

    @property
    def used(self) -> bool:
        """Whether support flowed over the tie this step."""
        return self.given_by_u + self.given_by_v > 0

    @property
    def contact(self) -> bool:
        """Whether the two people had everyday contact this step."""
        return self.contacts > 0


class RefPerson(mesa.Agent):
    """One person: state as plain attributes, ties in ``self.ties`` (neighbour index -> Tie)."""

    def __init__(self, model: ReferenceModel, index: int, **state):
        super().__init__(model)
        self.index = index
        for name, value in state.items():
            setattr(self, name, value)
        self.ties: dict[int, Tie] = {}
        # Records of the current step.
        self.event, self.event_kind = 0.0, -1
        self.asked, self.ask_need, self.asked_whom = False, 0.0, []
        self.asks_made = self.responses = 0.0
        self.received = [0.0] * N_TYPES
        self.received_effective = [0.0] * N_TYPES
        self.given = self.burden = self.contact = self.relief = 0.0
        self.carer = False
        self.availability, self.openness, self.room = 1.0, 1.0, 1.0


class ReferenceModel(mesa.Model):
    """Per-agent SupportNet, started from a freshly built :class:`supportnet.SupportModel`.

    Args:
        start: A model right after construction (``steps == 0``). Its population, its ties, its
            neighbourhoods' cohesion and its generator's state are copied; ``start`` itself is
            left untouched, so both can then be stepped and compared.

    Attributes:
        params: The start model's parameters.
        people: The people (:class:`RefPerson`) in index order (a newcomer takes the place of the
            person who left).
        formed: Ties formed in the last step; ended: ties ended in the last step.
    """

    def __init__(self, start):
        if start.steps != 0:
            raise ValueError(f"start from a model that has not stepped yet (at step {start.steps})")
        pop = start.population
        if start.interventions or pop.is_professional.any() or pop.generic_support.any():
            raise ValueError("the per-agent reference does not cover interventions, professionals")
        super().__init__(rng=0)
        # Share the start model's random stream: the same state, continued independently.
        self.rng = copy.deepcopy(start.rng)
        self.params = start.params
        # The values as plain attributes, as a hand-written Mesa model holds its parameters
        # (reading them in per-tie loops must not pay for Params' attribute lookup).
        self.p = SimpleNamespace(**start.params)
        self.landing = landing_matrix(start.params).tolist()
        self.n_families = start.n_families  # the town's family slots
        self.decay = decay_by_kind(start.params).tolist()
        columns = {name: getattr(pop, name).tolist() for name in PERSON_FIELDS}
        self.people = [
            RefPerson(self, i, **{name: columns[name][i] for name in PERSON_FIELDS})
            for i in range(pop.n)
        ]
        t = start.ties
        columns = [
            a.tolist()
            for a in (t.u, t.v, t.kind, t.strength, t.conflict, t.balance, t.last_contact, t.formed)
        ]
        for u, v, kind, strength, conflict, balance, last, formed in zip(*columns, strict=True):
            self.add_tie(Tie(u, v, kind, strength, conflict, balance, last, formed))
        # The town: each neighbourhood's contact factor (drawn once, at build), and the grid.
        self.cohesion = start.cohesion.tolist()
        self.cohesion_grid = round(math.sqrt(len(self.cohesion)))
        self.grid = max(1, round(math.sqrt(pop.n / max(self.p.neighbourhood_size, 1))))
        self.shocked = [False] * pop.n
        self.formed = self.ended = 0
        self.clustering_nodes = start.clustering_nodes.tolist()  # the same sample of people
        self.measures: dict[str, float] = {}
        self.given_by_kind = [0.0] * len(TIE_KIND_NAMES)
        # The SISa mood layer: each person's mood and susceptibility, and its own generator.
        self.replaced: list[int] = []
        self.mood_rng = copy.deepcopy(start.mood.rng) if start.mood is not None else None
        for person in self.people:
            person.mood = int(start.mood.mood[person.index]) if start.mood is not None else 0
            person.susceptibility = (
                float(start.mood.susceptibility[person.index]) if start.mood is not None else 1.0
            )
        names = ALL_MEASURES + (MOOD_MEASURES if self.p.sisa else ())
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in names}
        )
        self.measure(flows=False)

    # --- ties ---------------------------------------------------------------------------------
    def add_tie(self, tie: Tie) -> None:
        """Enter a tie in both people's dicts."""
        self.people[tie.u].ties[tie.v] = tie
        self.people[tie.v].ties[tie.u] = tie

    def remove_tie(self, tie: Tie) -> None:
        """Remove a tie from both people's dicts."""
        del self.people[tie.u].ties[tie.v]
        del self.people[tie.v].ties[tie.u]

    def canonical_ties(self) -> list[Tie]:
        """All ties sorted by (u, v): the order of per-tie random draws."""
        return [
            person.ties[j]
            for person in self.people
            for j in sorted(person.ties)
            if j > person.index
        ]

    def cell(self, home: list[float], g: int) -> int:
        """The neighbourhood of a home on a g x g grid over the unit torus (row-major)."""
        x = min(int(home[0] * g), g - 1)
        y = min(int(home[1] * g), g - 1)
        return x * g + y

    # --- the step -----------------------------------------------------------------------------
    def step(self) -> None:
        """Run the phases in the model's order (see :mod:`supportnet.mechanisms`)."""
        self.formed = self.ended = 0
        self.replaced = []
        if self.p.sisa_classic:
            # The classic SISa mode: every tie one contact, moods move, nothing else acts.
            ties = self.canonical_ties()
            for tie in ties:
                tie.contacts = 1
            self.mood(ties)
            self.measure(flows=False)
            return
        self.mark_shock(self.steps)
        self.turnover()
        self.care_roles()
        self.stressors()
        ties = self.canonical_ties()  # from here the tie set changes only in the last phase
        self.everyday_contact(ties)
        self.appraisal()
        self.seeking(ties)
        self.giving(ties)
        self.care()
        self.perception()
        self.costs()
        self.recovery()
        self.loneliness(ties)
        self.depression()
        self.mood(ties)
        self.tie_dynamics(ties)
        self.measure()

    def mark_shock(self, step: int) -> None:
        """Decide, per place in the town, whether this step's shock reaches it.

        Decided at the start of the step for the people there then: a newcomer arriving this step
        takes over the place (and the shock) of the person who left, as in the fast model.
        """
        p = self.p
        on = p.shock_duration > 0 and p.shock_start <= step < p.shock_start + p.shock_duration
        self.shocked = [
            on and (p.shock_subgroup == "all" or q.subgroup == SUBGROUP_CODES[p.shock_subgroup])
            for q in self.people
        ]

    # --- turnover -----------------------------------------------------------------------------
    def turnover(self) -> None:
        """People leave (move away or die); newcomers take their places, some in local families."""
        p, rng = self.p, self.rng
        if not p.turnover or p.leave_rate <= 0:
            return
        weekly = 1.0 - (1.0 - p.leave_rate) ** (1.0 / 52.0)
        draw = rng.random(len(self.people)).tolist()
        leavers = [q for q in self.people if draw[q.index] < weekly]
        self.replaced = [q.index for q in leavers]
        if not leavers:
            return
        for person in leavers:  # their ties end
            for tie in list(person.ties.values()):
                self.remove_tie(tie)
                self.ended += 1
        arrivals = []
        for person, traits in zip(leavers, self.draw_newcomers(len(leavers)), strict=True):
            person.remove()
            newcomer = RefPerson(self, person.index, arrived=self.steps, **traits)
            self.people[person.index] = newcomer
            arrivals.append(newcomer)
        k = len(arrivals)
        # Families, drawn as a starting person's: with probability local_entry_share, one of the
        # town's family slots, drawn uniformly (both draws always made).
        has = rng.random(k).tolist()
        slots = rng.integers(0, max(self.n_families, 1), k).tolist()
        near = rng.random(k).tolist()
        jitter = rng.random((k, 2)).tolist()
        for i, newcomer in enumerate(arrivals):
            local = has[i] < p.local_entry_share and self.n_families > 0
            newcomer.family = slots[i] if local else -1
        gone = {q.index for q in leavers}
        families = defaultdict(list)  # slot -> members before this step, in index order
        for q in self.people:
            if q.index not in gone and q.family >= 0:
                families[q.family].append(q)
        joiners = [q for q in arrivals if q.family >= 0]
        pairs = []
        for i, newcomer in enumerate(arrivals):
            if newcomer.family < 0:
                continue
            members = families[newcomer.family]
            if members:  # live near a member drawn at random, in the family's group
                member = members[min(int(near[i] * len(members)), len(members) - 1)]
                newcomer.home = [
                    (member.home[d] + (jitter[i][d] - 0.5) * (0.5 / self.grid)) % 1.0
                    for d in range(2)
                ]
                newcomer.group = member.group
            pairs += [(newcomer, q.index) for q in members[:FAMILY_JOINED]]
        for a, first in enumerate(joiners):  # newcomers who join one family this step
            pairs += [(first, q.index) for q in joiners[a + 1 :] if q.family == first.family]
        self.join_families(pairs)

    def join_families(self, pairs: list[tuple[RefPerson, int]]) -> None:
        """Family ties from each newcomer who joins a family to its members, in draw order."""
        if not pairs:
            return
        p, rng = self.p, self.rng
        strengths = rng.normal(0.8, 0.1, len(pairs)).tolist()
        conflicts = rng.random(len(pairs)).tolist()
        for (newcomer, j), s, c in zip(pairs, strengths, conflicts, strict=True):
            strength = max(min(max(s, 0.3), 1.0), p.family_floor)
            conflict = min(max(p.conflict_mean * 2.0 * c, 0.0), 1.0)
            u, v = min(newcomer.index, j), max(newcomer.index, j)
            self.add_tie(Tie(u, v, FAMILY, strength, conflict, 0.0, self.steps, self.steps))
            self.formed += 1

    def draw_newcomers(self, k: int) -> list[dict]:
        """Draw ``k`` newcomers' traits and starting states (the model's population draw).

        Subgroups by their shares as probabilities; then, in this order, clipped normal capacity,
        willingness to ask and resilience, a normal for desired connection, clipped normal
        competence per type, perception and loneliness biases, interests, community group,
        starting stress, depression, loneliness and perceived support, home, and network size
        (gamma), which sets the layers and, with the normal drawn before, desired connection.
        """
        p, rng = self.p, self.rng

        def clipped(mean, sd, size, low=0.0, high=1.0):
            return [min(max(x, low), high) for x in rng.normal(mean, sd, size).tolist()]

        subgroup = []
        for x in rng.random(k).tolist():
            code, low = 0, 0.0
            for c, share in ((LOW_INCOME, p.low_income_share), (SMI, p.smi_share),
                             (OLDER, p.older_share)):  # fmt: skip
                if low <= x < low + share:
                    code = c
                low += share
            subgroup.append(code)
        capacity_max = clipped(p.capacity_mean, p.capacity_sd, k)
        help_seeking = clipped(p.help_seeking_mean, p.help_seeking_sd, k)
        resilience = clipped(p.resilience_mean, p.resilience_sd, k)
        desire_noise = rng.normal(0.0, 1.0, k).tolist()
        competence = [
            [min(max(x, 0.0), 1.0) for x in row]
            for row in rng.normal(p.competence_mean, p.competence_sd, (k, N_TYPES)).tolist()
        ]
        perception_bias = clipped(0.0, p.perception_bias_sd, k, -1.0, 1.0)
        loneliness_bias = clipped(0.0, p.loneliness_bias_sd, k, -1.0, 1.0)
        interests = rng.random((k, p.interest_dims)).tolist()
        group = rng.integers(0, p.n_groups, k).tolist()
        stress = clipped(p.initial_stress_mean, STATE_SPREAD, k)
        depression = clipped(p.initial_depression_mean, STATE_SPREAD, k)
        loneliness = clipped(p.initial_loneliness_mean, STATE_SPREAD, k)
        perceived = clipped(p.initial_perceived_support_mean, STATE_SPREAD, k)
        home = rng.random((k, 2)).tolist()
        mean, cv = float(p.convoy_wider), float(p.network_size_cv)
        if cv < 1e-6 or mean <= 0:  # as supportnet.population.network_sizes
            size = [max(mean, 0.0)] * k
        else:
            shape = 1.0 / cv**2
            size = [max(x, 1.0) for x in rng.gamma(shape, mean / shape, k).tolist()]
        desired = self.desired_connection(size, desire_noise)
        out = []
        for i in range(k):
            sub = subgroup[i]
            if sub == LOW_INCOME:
                capacity_max[i] *= p.low_income_capacity
            if sub == SMI:
                help_seeking[i] *= p.smi_support_factor
                depression[i] = min(max(depression[i] + p.smi_depression_add, 0.0), 1.0)
                perceived[i] *= p.smi_support_factor
            formation = p.older_tie_formation if sub == OLDER else 1.0
            scale = size[i] / max(mean, 1e-9)
            inner = round(p.convoy_inner * scale)
            out.append(
                {
                    "stress": stress[i],
                    "depression": depression[i],
                    "loneliness": loneliness[i],
                    "capacity": capacity_max[i],
                    "capacity_max": capacity_max[i],
                    "perceived_support": perceived[i],
                    "need": [0.0] * N_TYPES,
                    "competence": competence[i],
                    "help_seeking": help_seeking[i],
                    "desired_connection": desired[i],
                    "resilience": resilience[i],
                    "perception_bias": perception_bias[i],
                    "loneliness_bias": loneliness_bias[i],
                    "interests": interests[i],
                    "group": group[i],
                    "subgroup": sub,
                    "tie_formation": formation,
                    "online_formation": p.older_online if sub == OLDER else formation,
                    "seeking_boost": 0.0,
                    "trust": 0.7,
                    "care_need": False,
                    "carer_of": -1,
                    "cared_by": -1,
                    "home": home[i],
                    "network_size": size[i],
                    "layer_inner": inner,
                    "layer_sympathy": max(round(p.convoy_sympathy * scale), inner),
                }
            )
        return out

    def desired_connection(self, size: list[float], noise: list[float]) -> list[float]:
        """Desired connection, correlated with log network size (standardised over ``size``)."""
        p = self.p
        logs = [math.log(max(s, 1e-9)) for s in size]
        mean = sum(logs) / len(logs)
        spread = math.sqrt(sum((x - mean) ** 2 for x in logs) / len(logs))
        rho = p.desire_size_correlation
        out = []
        for x, e in zip(logs, noise, strict=True):
            z = (x - mean) / spread if len(logs) > 1 and spread > 0 else 0.0
            mix = rho * z + math.sqrt(max(0.0, 1.0 - rho * rho)) * e
            desired = p.desired_connection_mean + p.desired_connection_sd * mix
            out.append(min(max(desired, 0.0), 1.0))
        return out

    # --- care roles ---------------------------------------------------------------------------
    def care_roles(self) -> None:
        """Sustained care needs start and end; carers are released and assigned."""
        p, people, rng = self.p, self.people, self.rng
        n = len(people)
        start = rng.random(n).tolist()
        end = rng.random(n).tolist()
        if not p.caregiving:
            return
        onset = 1.0 - (1.0 - p.care_onset_rate) ** (1.0 / 52.0)
        recovery = 1.0 - (1.0 - p.care_end_rate) ** (1.0 / 52.0)
        for i, person in enumerate(people):
            if person.care_need:
                person.care_need = not end[i] < recovery
            else:
                person.care_need = start[i] < onset
        # Release: a carer who left (their place holds a newcomer), a need that ended, a lost tie.
        for person in people:
            if person.cared_by >= 0 and people[person.cared_by].carer_of != person.index:
                person.cared_by = -1
        done = []
        for person in people:
            if person.carer_of < 0:
                continue
            cared = people[person.carer_of]
            if (
                not cared.care_need
                or cared.cared_by != person.index
                or cared.index not in person.ties
            ):
                done.append(person)
        for person in done:
            people[person.carer_of].cared_by = -1
            person.carer_of = -1
        # Assign: in index order, the strongest free family tie, else the strongest free tie.
        for person in people:
            if not person.care_need or person.cared_by >= 0:
                continue
            free = [
                (tie.kind != FAMILY, -tie.strength, j)
                for j, tie in person.ties.items()
                if tie.kind != PROFESSIONAL and people[j].carer_of < 0 and not people[j].care_need
            ]
            if free:
                _, _, j = min(free)
                person.cared_by = j
                people[j].carer_of = person.index
        for person in people:
            if person.care_need:
                person.need[INSTRUMENTAL] = max(person.need[INSTRUMENTAL], p.care_need)

    # --- life events --------------------------------------------------------------------------
    def stressors(self) -> None:
        """Life events: who meets one, how large, of which kind; the needs; lost ties."""
        p, people, rng = self.p, self.people, self.rng
        for person in people:
            person.event, person.event_kind = 0.0, -1
        if not p.stressors:
            return
        n = len(people)
        hit_draw = rng.random(n).tolist()
        hit, means, a, b = [], [], [], []
        for i, person in enumerate(people):
            rate = p.stressor_rate
            mean = p.stressor_magnitude
            if person.subgroup == LOW_INCOME:
                rate *= p.low_income_stress_rate
            if self.shocked[person.index]:
                rate *= p.shock_rate_multiplier
                mean *= p.shock_magnitude_multiplier
            if not hit_draw[i] < min(max(rate, 0.0), 1.0):
                continue
            hit.append(person)
            mean = min(max(mean, 0.0), 0.95)
            means.append(mean)
            safe = max(mean, 1e-6)
            a.append(safe * BETA_CONCENTRATION)
            b.append((1 - safe) * BETA_CONCENTRATION)
        # Size and kind only for the people hit, one each, in person order.
        magnitudes = rng.beta(np.array(a), np.array(b)).tolist()
        kinds = rng.integers(0, len(EVENT_NEEDS), len(hit)).tolist()
        for i, person in enumerate(hit):
            magnitude = magnitudes[i] if means[i] > 0 else 0.0
            kind = kinds[i]
            person.event, person.event_kind = magnitude, kind
            profile = NEEDS_BY_EVENT[kind]
            person.need = [min(1.0, x + magnitude * profile[k]) for k, x in enumerate(person.need)]
        # A loss may end one of the person's ties (not family), chosen in proportion to strength:
        # two draws per person whose event is a loss, in person order.
        losers = [person for person in hit if person.event_kind == LOSS]
        end_draw = rng.random(len(losers)).tolist()
        which_draw = rng.random(len(losers)).tolist()
        lost = set()
        for i, person in enumerate(losers):
            if not end_draw[i] < p.loss_ends_tie:
                continue
            candidates = [person.ties[j] for j in sorted(person.ties)]
            candidates = [t for t in candidates if ENDABLE[t.kind]]
            if not candidates:
                continue
            target = which_draw[i] * sum(t.strength for t in candidates)
            running = 0.0
            pick = candidates[-1]
            for tie in candidates:
                running += tie.strength
                if running > target:
                    pick = tie
                    break
            lost.add(pick)
        for tie in lost:
            self.remove_tie(tie)
            self.ended += 1

    # --- everyday contact ---------------------------------------------------------------------
    def everyday_contact(self, ties: list[Tie]) -> None:
        """Contacts over every tie: layer rates by strength rank, times both availabilities."""
        p, people = self.p, self.people
        layer_rates = (p.contact_inner, p.contact_sympathy, p.contact_wider)
        for tie in ties:
            tie.rate = 0.0
        for person in people:
            # Closest first; equal strengths by the other person's index.
            ranked = sorted(person.ties.items(), key=lambda item: (-item[1].strength, item[0]))
            for rank, (_, tie) in enumerate(ranked):
                if rank < person.layer_inner:
                    layer = 0
                elif rank < person.layer_sympathy:
                    layer = 1
                else:
                    layer = 2
                tie.rate += 0.5 * layer_rates[layer]  # the mean of the two people's rates
        g = self.cohesion_grid
        for person in people:
            a = 1.0 - p.depression_contact_effect * person.depression
            if p.caregiving and person.carer_of >= 0:
                a = a * (1.0 - p.care_contact_effect)
            if p.withdrawal:
                a = a * (1.0 - p.withdrawal_strength * person.loneliness)
            if self.shocked[person.index]:
                a = a * p.shock_contact_multiplier
            a = min(max(a, 0.0), 1.0)
            if len(self.cohesion) > 1:
                a = a * self.cohesion[self.cell(person.home, g)]
            person.availability = a
        draws = self.rng.random((1, len(ties)))[0].tolist()
        for tie, u in zip(ties, draws, strict=True):
            mean = tie.rate * people[tie.u].availability * people[tie.v].availability
            tie.contacts = _poisson(mean, u)

    # --- stress, support ----------------------------------------------------------------------
    def appraisal(self) -> None:
        """Events become stress (buffered by perceived support); the main effect of support."""
        p = self.p
        for person in self.people:
            impact = person.event
            if p.buffering:
                impact *= 1.0 - p.buffering_strength * person.perceived_support
            person.stress = min(1.0, person.stress + impact)
            if p.main_effect:
                person.depression -= p.main_effect_strength * person.perceived_support
                person.depression = max(0.0, person.depression)

    def willingness(self, person: RefPerson) -> float:
        """Probability that ``person`` asks for help this step, if in need."""
        p = self.p
        w = person.help_seeking * (1.0 - p.depression_seeking_effect * person.depression)
        if p.withdrawal:
            w = w * (1.0 - p.withdrawal_strength * person.loneliness)
        return min(max(w + person.seeking_boost, 0.0), 1.0)

    def seeking(self, ties: list[Tie]) -> None:
        """Who asks for help, and which of the ties they had contact over they ask."""
        p, people, rng = self.p, self.people, self.rng
        for person in people:
            person.asked, person.asked_whom = False, []
            person.ask_need = sum(person.need)
        if not p.seeking:
            return
        ask_draw = rng.random(len(people)).tolist()
        landing = self.landing
        for i, person in enumerate(people):
            considers = (
                person.stress > p.seek_stress_threshold or max(person.need) > p.seek_need_threshold
            )
            person.asked = (
                considers and person.ask_need > 0 and ask_draw[i] < self.willingness(person)
            )
        # One draw per arc leaving an asker over a tie with contact: "u asks v" for such ties
        # in order, then "v asks u".
        asking_u = [tie for tie in ties if tie.contacts and people[tie.u].asked]
        asking_v = [tie for tie in ties if tie.contacts and people[tie.v].asked]
        arc_draw = iter(rng.random(len(asking_u) + len(asking_v)).tolist())
        for tie in asking_u:
            tie.ask_draw_u = next(arc_draw)
        for tie in asking_v:
            tie.ask_draw_v = next(arc_draw)
        for person in people:
            if not person.asked:
                continue
            weights = []
            for j, tie in person.ties.items():
                if not tie.contacts:
                    continue
                other, land = people[j], landing[tie.kind]
                fit = sum(
                    person.need[k] / person.ask_need * other.competence[k] * land[k]
                    for k in range(N_TYPES)
                )
                weights.append((j, tie, tie.strength * fit))
            total = sum(w for _, _, w in weights)
            for j, tie, w in weights:
                prob = min(1.0, p.ask_breadth * w / (total if total > 0 else 1.0))
                draw = tie.ask_draw_u if person.index == tie.u else tie.ask_draw_v
                if draw < prob:
                    person.asked_whom.append(j)

    def giving(self, ties: list[Tie]) -> None:
        """Asked people give from their budget; support lands by competence and tie kind."""
        p, people = self.p, self.people
        for person in people:
            person.received = [0.0] * N_TYPES
            person.received_effective = [0.0] * N_TYPES
            person.given = person.relief = 0.0
            person.asks_made = float(len(person.asked_whom))
            person.responses = 0.0
        for tie in ties:
            tie.given_by_u = tie.given_by_v = 0.0
        self.given_by_kind = [0.0] * len(TIE_KIND_NAMES)  # counted here: a tie may end this step
        if not p.giving:
            return
        asks_of = defaultdict(list)  # giver -> [(asker, tie, weight)]
        for asker in people:
            for j in asker.asked_whom:
                tie = asker.ties[j]
                asks_of[j].append((asker, tie, asker.ask_need * tie.strength))
        # First decide every transfer from the state before giving (synchronous update) ...
        transfers = []
        for j, asks in asks_of.items():
            giver = people[j]
            demand = sum(w for _, _, w in asks)
            budget = p.giving_boundary * giver.capacity
            for asker, tie, w in asks:
                share = w / (demand if demand > 0 else 1.0)
                amount = min(budget * share, asker.ask_need / len(asker.asked_whom))
                transfers.append((giver, asker, tie, amount))
        # ... then apply them.
        landing = self.landing
        for giver, asker, tie, amount in transfers:
            giver.given += amount
            self.given_by_kind[tie.kind] += amount
            if giver.index == tie.u:
                tie.given_by_u += amount
            else:
                tie.given_by_v += amount
            landed = skill = 0.0
            for k in range(N_TYPES):
                given_k = amount * asker.need[k] / asker.ask_need
                effective_k = given_k * giver.competence[k] * landing[tie.kind][k]
                asker.received[k] += given_k
                asker.received_effective[k] += effective_k
                landed += effective_k
                skill += given_k * giver.competence[k]
            asker.relief += landed * RELIEF[tie.kind]
            # How helpful the answer was, for trust: the share that landed (competence).
            if amount > 0:
                asker.responses += min(1.0, skill / max(amount, 1e-300) / p.help_reference)
        for person in people:
            person.need = [
                max(0.0, x - person.received_effective[k]) for k, x in enumerate(person.need)
            ]
            if p.buffering:  # coping assistance relieves stress: buffering's second pathway
                person.stress *= 1.0 - min(1.0, p.support_stress_relief * person.relief)

    def care(self) -> None:
        """Carers give practical care over their tie; the role stresses them."""
        p, people, landing = self.p, self.people, self.landing
        for person in people:
            person.carer = person.carer_of >= 0
        if not p.caregiving:
            return
        for carer in people:
            if carer.carer_of < 0 or carer.carer_of not in carer.ties:
                continue
            cared = people[carer.carer_of]
            tie = carer.ties[cared.index]
            room = max(carer.capacity - carer.given, 0.0)  # after what they gave to askers
            amount = min(p.care_hours * carer.capacity_max, room)
            amount = max(min(amount, cared.need[INSTRUMENTAL] + 1e-12), 0.0)
            carer.given += amount
            cared.received[INSTRUMENTAL] += amount
            effective = amount * carer.competence[INSTRUMENTAL] * landing[tie.kind][INSTRUMENTAL]
            cared.received_effective[INSTRUMENTAL] += effective
            cared.need[INSTRUMENTAL] = max(cared.need[INSTRUMENTAL] - effective, 0.0)
            self.given_by_kind[tie.kind] += amount
            if carer.index == tie.u:
                tie.given_by_u += amount
            else:
                tie.given_by_v += amount
            carer.stress += p.care_stress * (1.0 - carer.stress)

    def perception(self) -> None:
        """Trust follows how asks were answered; perceived support = trust x integration."""
        p = self.p
        for person in self.people:
            if person.asks_made > 0:
                answered = min(person.responses / person.asks_made, 1.0)
                person.trust += p.trust_rate * (answered - person.trust)
            quality = sum(
                t.strength * (1.0 - t.conflict) * TRUSTED[t.kind] for t in person.ties.values()
            )
            integration = 1.0 - math.exp(-quality / p.integration_saturation)
            target = min(max(person.trust * integration + person.perception_bias, 0.0), 1.0)
            person.perceived_support += p.perceived_support_rate * (
                target - person.perceived_support
            )

    def costs(self) -> None:
        """Giving spends capacity; overload and conflictual contact stress the giver."""
        p = self.p
        for person in self.people:
            cmax = person.capacity_max if person.capacity_max > 0 else 1.0
            person.burden = person.given / cmax
            if not p.giving_costs:
                continue
            person.capacity = max(0.0, person.capacity - person.given)
            overload = max(0.0, person.burden - p.burden_threshold)
            person.stress += min(1.0, p.burden_stress * overload) * (1.0 - person.stress)
            conflict = sum(t.conflict for t in person.ties.values() if t.used)
            person.stress += p.conflict_stress * min(1.0, conflict) * (1.0 - person.stress)

    def recovery(self) -> None:
        """Unmet need strains; coping lowers stress; capacity recovers; needs resolve."""
        p = self.p
        if not p.recovery:
            return
        for person in self.people:
            drag = 1.0 - p.depression_capacity_effect * person.depression
            strain = p.need_stress * min(sum(person.need), 1.0)
            person.stress = min(person.stress + strain, 1.0)
            person.stress *= 1.0 - person.resilience * drag
            person.capacity += (
                p.capacity_recovery
                * (person.capacity_max - person.capacity)
                * (1.0 - p.stress_recovery_penalty * person.stress)
                * drag
            )
            person.capacity = min(person.capacity, person.capacity_max)
            person.need = [x * (1.0 - p.need_decay) for x in person.need]

    # --- loneliness, depression ---------------------------------------------------------------
    def loneliness(self, ties: list[Tie]) -> None:
        """Loneliness follows the gap to a full network's contact; contagion per contact."""
        p, people = self.p, self.people
        for person in people:
            person.contact = 0.0
        lq = p.lonely_contact_quality
        for tie in ties:
            if not tie.contacts:
                continue
            a, b = people[tie.u], people[tie.v]
            w = tie.contacts * tie.strength * (1.0 - tie.conflict) * QUALITY[tie.kind]
            if lq > 0:  # contact with a lonely person is worth less
                a.contact += w * (1.0 - lq * b.loneliness)
                b.contact += w * (1.0 - lq * a.loneliness)
            else:
                a.contact += w
                b.contact += w
        if not p.loneliness_dynamics:
            return
        lonely = [q.loneliness > p.lonely_threshold for q in people]  # before this step's change
        for person in people:
            inner, sympathy = person.layer_inner, person.layer_sympathy
            full = (
                inner * p.contact_inner
                + max(sympathy - inner, 0) * p.contact_sympathy
                + max(person.network_size - sympathy, 0.0) * p.contact_wider
            )
            want = person.desired_connection * full
            gap = max(0.0, 1.0 - person.contact / want) if want > 0 else 0.0
            target = min(max(gap + person.loneliness_bias, 0.0), 1.0)
            person.loneliness += p.loneliness_rate * (target - person.loneliness)
        if p.loneliness_contagion > 0 and ties:
            exposure = [0.0] * len(people)  # contacts with lonely people this step
            for tie in ties:
                if lonely[tie.v]:
                    exposure[tie.u] += tie.contacts
                if lonely[tie.u]:
                    exposure[tie.v] += tie.contacts
            for person, x in zip(people, exposure, strict=True):
                catch = 1.0 - (1.0 - p.loneliness_contagion) ** x
                person.loneliness += catch * (1.0 - person.loneliness)
        for person in people:
            person.loneliness = min(max(person.loneliness, 0.0), 1.0)

    def depression(self) -> None:
        """Depression rises with stress and loneliness and recovers slowly."""
        p = self.p
        if not p.depression_dynamics:
            return
        for person in self.people:
            drive = p.stress_weight * person.stress + p.loneliness_weight * person.loneliness
            person.depression += p.depression_rate * drive
            person.depression -= p.depression_recovery * person.depression
            person.depression = min(max(person.depression, 0.0), 1.0)

    # --- moods (SISa) -------------------------------------------------------------------------
    def mood_shares_alone(self) -> list[float]:
        """Equilibrium shares (N, C, D) without contacts: the matrix-tree formulas."""
        p = self.p
        a_c, a_d = p.sisa_content_spontaneous, p.sisa_discontent_spontaneous
        g_c, g_d = p.sisa_content_recovery, p.sisa_discontent_recovery
        s_cd, s_dc = p.sisa_content_to_discontent, p.sisa_discontent_to_content
        w = [
            g_c * g_d + g_c * s_dc + s_cd * g_d,
            a_c * g_d + a_c * s_dc + a_d * s_dc,
            a_d * g_c + a_d * s_cd + a_c * s_cd,
        ]
        total = sum(w)
        return [x / total for x in w] if total > 0 else [1.0, 0.0, 0.0]

    def mood(self, ties: list[Tie]) -> None:
        """Moods move by competing hazards; newcomers get a first mood; the coupling acts."""
        p, people, rng = self.p, self.people, self.mood_rng
        if not p.sisa:
            return
        if self.replaced:
            shares = self.mood_shares_alone()
            first = rng.random(len(self.replaced)).tolist()
            s = p.sisa_heterogeneity
            factors = (
                [math.exp(x) for x in rng.normal(-0.5 * s * s, s, len(self.replaced)).tolist()]
                if s > 0
                else [1.0] * len(self.replaced)
            )
            for i, u, f in zip(self.replaced, first, factors, strict=True):
                people[i].mood = 0 if u < shares[0] else 1 if u < shares[0] + shares[1] else 2
                people[i].susceptibility = f
        before = [q.mood for q in people]
        x_c, x_d = [0] * len(people), [0] * len(people)
        for tie in ties:
            if tie.contacts > 0:
                for me, other in ((tie.u, tie.v), (tie.v, tie.u)):
                    x_c[me] += before[other] == 1
                    x_d[me] += before[other] == 2
        draws = rng.random(len(people)).tolist()
        for q in people:
            i, state = q.index, before[q.index]
            if state == 0:
                m = 1.0
                if p.sisa_depression_to_mood > 0:
                    m = m + p.sisa_depression_to_mood * q.depression
                if p.sisa_loneliness_to_mood > 0:
                    m = m + p.sisa_loneliness_to_mood * q.loneliness
                f = q.susceptibility
                h1 = f * (p.sisa_content_spontaneous + p.sisa_content_contact * x_c[i])
                h2 = f * m * (p.sisa_discontent_spontaneous + p.sisa_discontent_contact * x_d[i])
                to = (1, 2)
            elif state == 1:
                h1, h2, to = p.sisa_content_recovery, p.sisa_content_to_discontent, (0, 2)
            else:
                h1, h2, to = p.sisa_discontent_recovery, p.sisa_discontent_to_content, (0, 1)
            h = h1 + h2
            leave = -math.expm1(-h / 52.0)
            if draws[i] < leave:
                q.mood = to[0] if draws[i] < leave * (h1 / h if h > 0 else 1.0) else to[1]
        for q in people:
            push = (q.mood == 2) - (q.mood == 1)
            if p.sisa_mood_to_depression > 0:
                q.depression = min(max(q.depression + p.sisa_mood_to_depression * push, 0.0), 1.0)
            if p.sisa_mood_to_loneliness > 0:
                q.loneliness = min(max(q.loneliness + p.sisa_mood_to_loneliness * push, 0.0), 1.0)

    # --- the network --------------------------------------------------------------------------
    def tie_dynamics(self, ties: list[Tie]) -> None:
        """Ties strengthen, decay and rebalance; new ties form; weak or strained ties end."""
        p, people, rng = self.p, self.people, self.rng
        step = self.steps
        if not p.tie_dynamics:
            for tie in ties:
                if tie.contact:
                    tie.last_contact = step
            return
        end_draw = rng.random((1, len(ties)))[0].tolist()
        decay = self.decay
        base_rate = 1.0 - (1.0 - p.tie_end_rate) ** (1.0 / 52.0)
        # Shelter: ties embedded in shared friendships end less often (on the network as it
        # stands before this phase changes it).
        shelter = [
            1.0 / (1.0 + p.embeddedness * len(people[t.u].ties.keys() & people[t.v].ties.keys()))
            if p.embeddedness > 0
            else 1.0
            for t in ties
        ]
        ending = []
        for tie, draw, sheltered in zip(ties, end_draw, shelter, strict=True):
            s = tie.strength
            if tie.used:
                reciprocal = tie.given_by_u > 0 and tie.given_by_v > 0
                bonus = 1.0 + p.reciprocity_bonus if reciprocal else 1.0
                s += min(p.strengthen_rate * bonus * (1.0 - s), 1.0 - s)
            elif tie.contact:
                s += p.contact_gain * (1.0 - s)
            else:
                s *= 1.0 - decay[tie.kind]
            floor = max(p.family_floor, 1e-9) if tie.kind == FAMILY else 1e-9
            tie.strength = s = min(max(s, floor), 1.0)
            tie.balance = (1.0 - p.balance_memory) * tie.balance + tie.given_by_u - tie.given_by_v
            if tie.contact:
                tie.last_contact = step
            if ENDABLE[tie.kind]:
                # Weak ties end; any tie may end (twice the base rate at strength 0, none at 1,
                # less when embedded), unbalanced or conflictual ones more often.
                imbalance = min(1.0, abs(tie.balance) / p.imbalance_threshold)
                risk = min(1.0, imbalance * imbalance + tie.conflict * tie.conflict)
                base = min(1.0, base_rate * 2.0 * (1.0 - s) * sheltered)
                if s < p.end_threshold or draw < base + (1.0 - base) * p.end_hazard * risk:
                    ending.append(tie)

        draws = rng.random((N_FORMATION_DRAWS, len(people))).tolist()
        ws = p.withdrawal_strength if p.withdrawal else 0.0
        for person in people:  # decided on the network as it stands before any change
            person.openness = 1.0 - ws * person.loneliness
            degree = len(person.ties)
            size = person.network_size if person.network_size > 0 else 1.0
            person.room = 0.0 if degree >= p.max_ties else min(max(1.0 - degree / size, 0.0), 1.0)
        candidates = (
            self.closure(draws, bool(ties))
            + self.focal(draws)
            + self.neighbourhood(draws)
            + self.online(draws)
        )
        # New ties first, so that a tie ending this step cannot form again in the same step.
        conflicts = rng.random(len(candidates)).tolist() if candidates else []
        for (i, k, kind), c in zip(candidates, conflicts, strict=True):
            if k in people[i].ties:
                continue
            conflict = min(max(p.conflict_mean * 2.0 * c, 0.0), 1.0)
            u, v = min(i, k), max(i, k)
            self.add_tie(Tie(u, v, kind, p.new_tie_strength, conflict, 0.0, step, step))
            self.formed += 1
        for tie in ending:
            self.remove_tie(tie)
        self.ended += len(ending)

    def closure(self, draws: list[list[float]], any_ties: bool) -> list[tuple[int, int, int]]:
        """Triadic closure: meet a random friend of a random friend (neighbours sorted)."""
        p, people = self.p, self.people
        out = []
        if not (p.closure_rate > 0 and any_ties):
            return out
        for i, person in enumerate(people):
            active = person.room * person.openness * person.tie_formation
            if not draws[0][i] < p.closure_rate * active or not person.ties:
                continue
            friends = sorted(person.ties)
            j = friends[min(int(draws[1][i] * len(friends)), len(friends) - 1)]
            their_friends = sorted(people[j].ties)
            k = their_friends[min(int(draws[2][i] * len(their_friends)), len(their_friends) - 1)]
            other = people[k]
            if (
                k != i
                and draws[3][i] < other.openness * self.alike(person, other)
                and other.room > 0
            ):
                out.append((i, k, FRIEND))
        return out

    def focal(self, draws: list[list[float]]) -> list[tuple[int, int, int]]:
        """Focal points: meet a random member of one's community group."""
        p, people = self.p, self.people
        out = []
        if not p.focal_rate > 0:
            return out
        members = defaultdict(list)  # group -> its members in index order
        for person in people:
            members[person.group].append(person.index)
        for i, person in enumerate(people):
            active = person.room * person.openness * person.tie_formation
            if not draws[4][i] < p.focal_rate * active:
                continue
            group = members[person.group]
            k = group[min(int(draws[5][i] * len(group)), len(group) - 1)]
            if self.accepts(person, people[k], draws[6][i]):
                out.append((i, k, FRIEND))
        return out

    def neighbourhood(self, draws: list[list[float]]) -> list[tuple[int, int, int]]:
        """Neighbourhood: meet someone from one's own (60%) or an adjacent neighbourhood."""
        p, people = self.p, self.people
        out = []
        if not p.neighbourhood_rate > 0:
            return out
        g = self.grid
        residents = defaultdict(list)  # neighbourhood -> its residents in index order
        for person in people:
            residents[self.cell(person.home, g)].append(person.index)
        for i, person in enumerate(people):
            active = person.room * person.openness * person.tie_formation
            if not draws[10][i] < p.neighbourhood_rate * active:
                continue
            where, pick = draws[11][i], draws[12][i]
            if where < OWN_NEIGHBOURHOOD:
                dx = dy = 0
            else:  # one of the 8 around, in row-major order skipping the own one
                which = min(int((where - OWN_NEIGHBOURHOOD) / (1 - OWN_NEIGHBOURHOOD) * 8), 7)
                which += which >= 4
                dx, dy = which // 3 - 1, which % 3 - 1
            x, y = divmod(self.cell(person.home, g), g)
            there = residents[((x + dx) % g) * g + (y + dy) % g]
            if not there:
                continue
            k = there[min(int(pick * len(there)), len(there) - 1)]
            if self.accepts(person, people[k], draws[13][i]):
                out.append((i, k, NEIGHBOUR))
        return out

    def online(self, draws: list[list[float]]) -> list[tuple[int, int, int]]:
        """Online: meet anyone, with interest homophily."""
        p, people = self.p, self.people
        out = []
        if not p.online_rate > 0:
            return out
        n = len(people)
        for i, person in enumerate(people):
            active = person.room * person.openness * person.online_formation
            if not draws[7][i] < p.online_rate * active:
                continue
            k = min(int(draws[8][i] * n), n - 1)
            if self.accepts(person, people[k], draws[9][i]):
                out.append((i, k, ONLINE))
        return out

    def accepts(self, person: RefPerson, other: RefPerson, draw: float) -> bool:
        """Whether ``other`` accepts a tie: openness x interest and sociability homophily."""
        if other is person or not other.room > 0:
            return False
        d = math.sqrt(
            sum((a - b) ** 2 for a, b in zip(person.interests, other.interests, strict=True))
        )
        distance = d / math.sqrt(len(person.interests))
        chance = other.openness * math.exp(-self.p.homophily * distance)
        return draw < chance * self.alike(person, other)

    def alike(self, person: RefPerson, other: RefPerson) -> float:
        """Sociability homophily: people with networks of similar size befriend each other."""
        h = self.p.sociability_homophily
        if h <= 0:
            return 1.0
        a, b = max(person.network_size, 1.0), max(other.network_size, 1.0)
        return math.exp(-h * abs(math.log(a) - math.log(b)))

    # --- measurement --------------------------------------------------------------------------
    def measure(self, flows: bool = True) -> None:
        """Compute every per-step measure with loops over people and ties; collect them.

        Args:
            flows: Count this step's support flows (False before the first step).
        """
        p, people = self.p, self.people
        n = len(people)
        out: dict[str, float] = {}
        for name in STATES:
            values = sorted(getattr(q, name) for q in people)
            out[f"mean_{name}"] = sum(values) / n
            for label, q in QUANTILES:
                out[f"{label}_{name}"] = _quantile(values, q)
        out["mean_capacity"] = sum(q.capacity for q in people) / n
        out["case_prevalence"] = sum(q.depression > p.case_threshold for q in people) / n
        out["lonely_fraction"] = sum(q.loneliness > p.lonely_threshold for q in people) / n
        out["unmet_need"] = sum(sum(q.need) for q in people) / n
        out["asked_fraction"] = sum(bool(q.asked) for q in people) / n
        out["event_fraction"] = sum(q.event > 0 for q in people) / n
        givers = [q for q in people if q.given > 0]
        burnt = sum(q.capacity < p.burnout_capacity * q.capacity_max for q in givers)
        out["burnt_out_givers"] = burnt / len(givers) if givers else 0.0
        by_type = [0.0] * N_TYPES
        by_kind = list(self.given_by_kind) if flows else [0.0] * len(TIE_KIND_NAMES)
        if flows:
            for q in people:
                for k in range(N_TYPES):
                    by_type[k] += q.received[k]
        out["support_given"] = sum(q.given for q in people)
        out["support_received"] = sum(sum(q.received) for q in people)
        for name, value in zip(TYPE_NAMES, by_type, strict=True):
            out[f"support_{name}"] = value
        for name, value in zip(TIE_KIND_NAMES, by_kind, strict=True):
            out[f"support_via_{name}"] = value
        ties = [tie for q in people for j, tie in q.ties.items() if j > q.index]
        out["ties"] = len(ties)
        out["mean_degree"] = sum(len(q.ties) for q in people) / n
        out["mean_tie_strength"] = sum(t.strength for t in ties) / len(ties) if ties else math.nan
        out["clustering"] = self._clustering()
        out["isolates"] = sum(not q.ties for q in people)
        out["components"] = self._components()
        out["loneliness_assortativity"] = _assortativity(
            [(people[t.u].loneliness, people[t.v].loneliness) for t in ties]
        )
        out["ties_formed"] = self.formed if flows else 0
        out["ties_ended"] = self.ended if flows else 0
        counts = [0] * len(TIE_KIND_NAMES)
        for t in ties:
            counts[t.kind] += 1
        for name, count in zip(TIE_KIND_NAMES, counts, strict=True):
            out[f"ties_{name}"] = count
        if p.sisa:
            for code, name in enumerate(MOOD_MEASURES):
                out[name] = sum(q.mood == code for q in people) / n
        names = ALL_MEASURES + (MOOD_MEASURES if p.sisa else ())
        self.measures = {name: float(out[name]) for name in names}
        self.datacollector.collect(self)

    def _clustering(self) -> float:
        """Mean local clustering over the sample (0 for people with fewer than two ties)."""
        total = 0.0
        for i in self.clustering_nodes:
            friends = self.people[i].ties
            d = len(friends)
            if d < 2:
                continue
            closed = sum(len(friends.keys() & self.people[j].ties.keys()) for j in friends)
            total += closed / (d * (d - 1))
        return total / len(self.clustering_nodes) if self.clustering_nodes else 0.0

    def _components(self) -> int:
        """Connected components by breadth-first search (an isolated person is one)."""
        seen = [False] * len(self.people)
        count = 0
        for start in self.people:
            if seen[start.index]:
                continue
            count += 1
            seen[start.index] = True
            frontier = [start.index]
            while frontier:
                i = frontier.pop()
                for j in self.people[i].ties:
                    if not seen[j]:
                        seen[j] = True
                        frontier.append(j)
        return count

    # --- read-out, for comparisons ------------------------------------------------------------
    def state(self) -> dict[str, np.ndarray]:
        """Return the people's states, traits, roles and step records, arrays indexed by person.

        The names are :data:`PERSON_FIELDS` and :data:`RECORD_FIELDS`, as in the model's
        population.
        """
        return {
            name: np.array([getattr(q, name) for q in self.people])
            for name in PERSON_FIELDS + RECORD_FIELDS
        }

    def moods(self) -> tuple[np.ndarray, np.ndarray]:
        """Return each person's mood (0 neutral, 1 content, 2 discontent) and susceptibility."""
        return (
            np.array([q.mood for q in self.people], np.int8),
            np.array([q.susceptibility for q in self.people]),
        )

    def tie_table(self) -> dict[tuple[int, int], tuple]:
        """Return {(u, v): (kind, strength, balance, conflict, last_contact, formed)}."""
        return {
            (t.u, t.v): (t.kind, t.strength, t.balance, t.conflict, t.last_contact, t.formed)
            for t in self.canonical_ties()
        }


def _poisson(mean: float, u: float) -> int:
    """A Poisson count with ``mean`` by inversion of the uniform ``u`` (at most 1000)."""
    if mean <= 0.0:
        return 0
    p = math.exp(-mean)
    cdf = p
    k = 0
    while u > cdf and k < 1000:
        k += 1
        p *= mean / k
        cdf += p
    return k


def _reporter(name: str):
    """A DataCollector reporter reading one measure of the last :meth:`measure`."""

    def read(model: ReferenceModel) -> float:
        return model.measures[name]

    return read


def _quantile(ordered: list[float], q: float) -> float:
    """Quantile of sorted values, linear between order statistics (numpy's default)."""
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _assortativity(pairs: list[tuple[float, float]]) -> float:
    """Pearson correlation of a value across ties, each tie counted both ways (NaN if flat).

    Two passes, the mean first: the one-pass form loses its digits when the value is nearly the
    same for everyone (loneliness near saturation).
    """
    m = len(pairs)
    if m < 2:
        return math.nan
    mean = sum(a + b for a, b in pairs) / (2 * m)
    squares = sum((a - mean) ** 2 + (b - mean) ** 2 for a, b in pairs)
    products = sum((a - mean) * (b - mean) for a, b in pairs)
    if squares / (2 * m) <= 1e-12 * max(mean * mean, 1e-300):
        return math.nan
    return 2.0 * products / squares
