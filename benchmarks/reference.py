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

The equations are re-implemented here from the phases' docstrings, never imported. Only the fixed
tables of :mod:`supportnet.kinds`, the parameters and the measures' names are shared. Measurement is
part of the step here too, as in the fast model: every measure of
:data:`supportnet.metrics.ALL_MEASURES` computed by loops over people and ties (breadth-first search
for components, set intersections for clustering) and collected by a Mesa ``DataCollector``.
Interventions are out of scope: a model with professionals or interventions is refused.

Examples:
    >>> from supportnet import SupportModel
    >>> fast = SupportModel(rng=3, n_people=40, convoy_inner=3, convoy_sympathy=5, convoy_wider=8)
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
    CAN_END,
    CONTACT_QUALITY,
    EVENT_NEEDS,
    FAMILY,
    FRIEND,
    ONLINE,
    STRESS_RELIEF,
    decay_by_kind,
    landing_matrix,
)
from supportnet.kinds import SUPPORT_TYPES as TYPE_NAMES
from supportnet.kinds import TIE_KINDS as TIE_KIND_NAMES
from supportnet.metrics import ALL_MEASURES, QUANTILES, STATES
from supportnet.population import SUBGROUP_CODES

__all__ = ["PERSON_FIELDS", "ReferenceModel", "RefPerson", "Tie"]

N_TYPES = 4
# The tables as plain Python lists: per-agent code is fastest on Python floats, not numpy scalars.
QUALITY = CONTACT_QUALITY.tolist()
RELIEF = STRESS_RELIEF.tolist()
ENDABLE = CAN_END.tolist()
NEEDS_BY_EVENT = EVENT_NEEDS.tolist()
LOW_INCOME = SUBGROUP_CODES["low_income"]
BETA_CONCENTRATION = 4.0  # event magnitudes ~ Beta(4 mean, 4 (1 - mean)), as in the model
N_FORMATION_DRAWS = 10  # closure 4, focal 3, online 3 uniforms per person and step

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
    "interests",
    "group",
    "subgroup",
    "tie_formation",
    "online_formation",
    "seeking_boost",
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
        "contact",
        "ask_draw_u",
        "ask_draw_v",
    )

    def __init__(self, u, v, kind, strength, conflict, balance=0.0, last_contact=0, formed=0):
        self.u, self.v, self.kind = u, v, kind
        self.strength, self.conflict, self.balance = strength, conflict, balance
        self.last_contact, self.formed = last_contact, formed
        self.given_by_u = self.given_by_v = 0.0  # support given this step by u (to v), by v
        self.contact = False
        self.ask_draw_u = self.ask_draw_v = 1.0  # this step's draws for "u asks v", "v asks u"

    @property
    def used(self) -> bool:
        """Whether support flowed over the tie this step."""
        return self.given_by_u + self.given_by_v > 0


class RefPerson(mesa.Agent):
    """One person: state as plain attributes, ties in ``self.ties`` (neighbour index -> Tie)."""

    def __init__(self, model: ReferenceModel, index: int, **state):
        super().__init__(model)
        self.index = index
        for name, value in state.items():
            setattr(self, name, value)
        self.ties: dict[int, Tie] = {}
        # Records of the current step.
        self.event, self.event_kind, self.under_shock = 0.0, -1, False
        self.asked, self.ask_need, self.asked_whom = False, 0.0, []
        self.received = [0.0] * N_TYPES
        self.received_effective = [0.0] * N_TYPES
        self.given = self.burden = self.contact = self.relief = 0.0
        self.openness, self.room = 1.0, True


class ReferenceModel(mesa.Model):
    """Per-agent SupportNet, started from a freshly built :class:`supportnet.SupportModel`.

    Args:
        start: A model right after construction (``steps == 0``). Its population, its ties and
            its generator's state are copied; ``start`` itself is left untouched, so both can
            then be stepped and compared.

    Attributes:
        params: The start model's parameters.
        people: The people (:class:`RefPerson`) in index order.
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
        self.formed = self.ended = 0
        self.clustering_nodes = start.clustering_nodes.tolist()  # the same sample of people
        self.measures: dict[str, float] = {}
        self.given_by_kind = [0.0] * len(TIE_KIND_NAMES)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in ALL_MEASURES}
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

    # --- the step -----------------------------------------------------------------------------
    def step(self) -> None:
        """Run the phases in the model's order (see :mod:`supportnet.mechanisms`)."""
        ties = self.canonical_ties()  # the network changes only in the last phase
        self.mark_shock(self.steps)
        self.stressors()
        self.appraisal()
        self.seeking(ties)
        self.giving(ties)
        self.perception()
        self.costs()
        self.recovery()
        self.loneliness(ties)
        self.depression()
        self.tie_dynamics(ties)
        self.measure()

    def mark_shock(self, step: int) -> None:
        """Set ``under_shock`` on the people a shock hits at this step."""
        p = self.p
        on = p.shock_duration > 0 and p.shock_start <= step < p.shock_start + p.shock_duration
        for person in self.people:
            person.under_shock = on and (
                p.shock_subgroup == "all" or person.subgroup == SUBGROUP_CODES[p.shock_subgroup]
            )

    def stressors(self) -> None:
        """Life events: who meets one, how large, of which kind; the needs they create."""
        p, people, rng = self.p, self.people, self.rng
        for person in people:
            person.event, person.event_kind = 0.0, -1
        if not p.stressors:
            return
        n = len(people)
        hit_draw = rng.random(n).tolist()
        rates, means, a, b = [], [], [], []
        for person in people:
            rate = p.stressor_rate
            mean = p.stressor_magnitude
            if person.subgroup == LOW_INCOME:
                rate *= p.low_income_stress_rate
            if person.under_shock:
                rate *= p.shock_rate_multiplier
                mean *= p.shock_magnitude_multiplier
            rates.append(min(max(rate, 0.0), 1.0))
            mean = min(max(mean, 0.0), 0.95)
            means.append(mean)
            safe = max(mean, 1e-6)
            a.append(safe * BETA_CONCENTRATION)
            b.append((1 - safe) * BETA_CONCENTRATION)
        magnitudes = rng.beta(np.array(a), np.array(b)).tolist()  # one per person, in order
        kinds = rng.integers(0, len(EVENT_NEEDS), n).tolist()
        for i, person in enumerate(people):
            if not hit_draw[i] < rates[i]:
                continue
            magnitude = magnitudes[i] if means[i] > 0 else 0.0
            kind = kinds[i]
            person.event, person.event_kind = magnitude, kind
            profile = NEEDS_BY_EVENT[kind]
            person.need = [min(1.0, x + magnitude * profile[k]) for k, x in enumerate(person.need)]

    def appraisal(self) -> None:
        """Events become stress (buffered by perceived support); the main effect of support."""
        p = self.p
        for person in self.people:
            impact = person.event
            if p.buffering:
                impact *= 1.0 - p.buffering_strength * person.perceived_support
            person.stress += impact * (1.0 - person.stress)
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
        """Who asks for help, and which of their ties they ask."""
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
        # One draw per arc leaving an asker: "u asks v" for ties in order, then "v asks u".
        asking_u = [tie for tie in ties if people[tie.u].asked]
        asking_v = [tie for tie in ties if people[tie.v].asked]
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
            landed = 0.0
            for k in range(N_TYPES):
                given_k = amount * asker.need[k] / asker.ask_need
                effective_k = given_k * giver.competence[k] * landing[tie.kind][k]
                asker.received[k] += given_k
                asker.received_effective[k] += effective_k
                landed += effective_k
            asker.relief += landed * RELIEF[tie.kind]
        for person in people:
            person.need = [
                max(0.0, x - person.received_effective[k]) for k, x in enumerate(person.need)
            ]
            person.stress *= 1.0 - min(1.0, p.support_stress_relief * person.relief)

    def perception(self) -> None:
        """Perceived support moves toward experience (askers) and integration."""
        p = self.p
        w = p.experience_weight
        for person in self.people:
            quality = sum(
                t.strength * (1.0 - t.conflict) * QUALITY[t.kind] for t in person.ties.values()
            )
            integration = 1.0 - math.exp(-quality / p.integration_saturation)
            if person.asked and person.ask_need > 0:
                ratio = min(1.0, sum(person.received_effective) / person.ask_need)
                target = w * ratio + (1 - w) * integration + person.perception_bias
            else:
                target = integration + person.perception_bias
            target = min(max(target, 0.0), 1.0)
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
        """Coping lowers stress; capacity recovers; needs resolve on their own."""
        p = self.p
        if not p.recovery:
            return
        for person in self.people:
            drag = 1.0 - p.depression_capacity_effect * person.depression
            person.stress *= 1.0 - person.resilience * drag
            person.capacity += (
                p.capacity_recovery
                * (person.capacity_max - person.capacity)
                * (1.0 - p.stress_recovery_penalty * person.stress)
                * drag
            )
            person.capacity = min(person.capacity, person.capacity_max)
            person.need = [x * (1.0 - p.need_decay) for x in person.need]

    def loneliness(self, ties: list[Tie]) -> None:
        """Routine contact over ties; loneliness follows the contact gap; optional contagion."""
        p, people = self.p, self.people
        draws = self.rng.random((1, len(ties)))[0].tolist()
        ws = p.withdrawal_strength
        for idx, tie in enumerate(ties):
            a, b = people[tie.u], people[tie.v]
            rate = p.contact_rate
            if a.under_shock or b.under_shock:
                rate = rate * p.shock_contact_multiplier
            chance = rate * tie.strength
            if p.withdrawal:
                chance = chance * (1.0 - ws * a.loneliness) * (1.0 - ws * b.loneliness)
            tie.contact = tie.used or draws[idx] < chance
        for person in people:
            person.contact = sum(
                t.strength * (1.0 - t.conflict) * QUALITY[t.kind]
                for t in person.ties.values()
                if t.contact
            )
        if not p.loneliness_dynamics:
            return
        for person in people:
            q = 1.0 - math.exp(-person.contact / p.contact_saturation)
            desired = person.desired_connection
            gap = max(0.0, desired - q) / desired if desired > 0 else 0.0
            person.loneliness += p.loneliness_rate * (gap - person.loneliness)
        if p.loneliness_contagion > 0 and ties:
            # Everyone picks up from their ties' loneliness as it stands now (synchronous).
            mean_lonely = []
            for person in people:
                weight = sum(t.strength for t in person.ties.values())
                lonely = sum(t.strength * people[j].loneliness for j, t in person.ties.items())
                mean_lonely.append(lonely / weight if weight > 0 else 0.0)
            for person, lbar in zip(people, mean_lonely, strict=True):
                person.loneliness += p.loneliness_contagion * (1.0 - person.loneliness) * lbar
        for person in people:
            person.loneliness = min(max(person.loneliness, 0.0), 1.0)

    def depression(self) -> None:
        """Depression rises with stress and loneliness and recovers slowly."""
        p = self.p
        if not p.depression_dynamics:
            return
        for person in self.people:
            drive = p.stress_weight * person.stress + p.loneliness_weight * person.loneliness
            person.depression += p.depression_rate * drive * (1.0 - person.depression)
            person.depression -= p.depression_recovery * person.depression
            person.depression = min(max(person.depression, 0.0), 1.0)

    def tie_dynamics(self, ties: list[Tie]) -> None:
        """Ties strengthen, decay and rebalance; new ties form; weak or strained ties end."""
        p, people, rng = self.p, self.people, self.rng
        step = self.steps
        self.formed = self.ended = 0
        if not p.tie_dynamics:
            for tie in ties:
                if tie.contact:
                    tie.last_contact = step
            return
        end_draw = rng.random((1, len(ties)))[0].tolist()
        decay = self.decay
        ending = []
        for idx, tie in enumerate(ties):
            s = tie.strength
            if tie.used:
                reciprocal = tie.given_by_u > 0 and tie.given_by_v > 0
                gain = p.strengthen_rate * (1.0 + p.reciprocity_bonus * reciprocal) * (1.0 - s)
                s += min(gain, 1.0 - s)
            elif tie.contact:
                s += p.contact_gain * (1.0 - s)
            if not tie.contact:
                s *= 1.0 - decay[tie.kind]
            if tie.kind == FAMILY:
                s = max(s, p.family_floor)
            tie.strength = min(max(s, 1e-9), 1.0)
            tie.balance = (1.0 - p.balance_memory) * tie.balance + tie.given_by_u - tie.given_by_v
            if tie.contact:
                tie.last_contact = step
            if ENDABLE[tie.kind]:
                imbalance = min(1.0, abs(tie.balance) / p.imbalance_threshold)
                risk = min(1.0, imbalance * imbalance + tie.conflict * tie.conflict)
                if tie.strength < p.end_threshold or end_draw[idx] < p.end_hazard * risk:
                    ending.append(tie)

        draws = rng.random((N_FORMATION_DRAWS, len(people))).tolist()
        ws = p.withdrawal_strength if p.withdrawal else 0.0
        for person in people:  # decided on the network as it stands before any change
            person.openness = 1.0 - ws * person.loneliness
            person.room = len(person.ties) < p.max_ties
        candidates = self.closure(draws, bool(ties)) + self.focal(draws) + self.online(draws)
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
        self.ended = len(ending)

    def closure(self, draws: list[list[float]], any_ties: bool) -> list[tuple[int, int, int]]:
        """Triadic closure: meet a random friend of a random friend (neighbours sorted)."""
        p, people = self.p, self.people
        out = []
        if not (p.closure_rate > 0 and any_ties):
            return out
        for i, person in enumerate(people):
            active = person.openness * person.tie_formation if person.room else 0.0
            if not draws[0][i] < p.closure_rate * active or not person.ties:
                continue
            friends = sorted(person.ties)
            j = friends[min(int(draws[1][i] * len(friends)), len(friends) - 1)]
            their_friends = sorted(people[j].ties)
            k = their_friends[min(int(draws[2][i] * len(their_friends)), len(their_friends) - 1)]
            if k != i and draws[3][i] < people[k].openness and people[k].room:
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
            active = person.openness * person.tie_formation if person.room else 0.0
            if not draws[4][i] < p.focal_rate * active:
                continue
            group = members[person.group]
            k = group[min(int(draws[5][i] * len(group)), len(group) - 1)]
            if self.accepts(person, people[k], draws[6][i]):
                out.append((i, k, FRIEND))
        return out

    def online(self, draws: list[list[float]]) -> list[tuple[int, int, int]]:
        """Online: meet anyone, with interest homophily."""
        p, people = self.p, self.people
        out = []
        if not p.online_rate > 0:
            return out
        n = len(people)
        for i, person in enumerate(people):
            active = person.openness * person.online_formation if person.room else 0.0
            if not draws[7][i] < p.online_rate * active:
                continue
            k = min(int(draws[8][i] * n), n - 1)
            if self.accepts(person, people[k], draws[9][i]):
                out.append((i, k, ONLINE))
        return out

    def accepts(self, person: RefPerson, other: RefPerson, draw: float) -> bool:
        """Whether ``other`` accepts a new tie with ``person`` (openness x interest homophily)."""
        if other is person or not other.room:
            return False
        distance = math.dist(person.interests, other.interests) / math.sqrt(len(person.interests))
        return draw < other.openness * math.exp(-self.p.homophily * distance)

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
        self.measures = {name: float(out[name]) for name in ALL_MEASURES}
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
        """Return the people's states and step records as arrays indexed by person."""
        names = (
            "stress",
            "depression",
            "loneliness",
            "capacity",
            "perceived_support",
            "need",
            "event",
            "event_kind",
            "asked",
            "received",
            "received_effective",
            "given",
            "burden",
            "contact",
        )
        return {name: np.array([getattr(q, name) for q in self.people]) for name in names}

    def tie_table(self) -> dict[tuple[int, int], tuple]:
        """Return {(u, v): (kind, strength, balance, conflict, last_contact, formed)}."""
        return {
            (t.u, t.v): (t.kind, t.strength, t.balance, t.conflict, t.last_contact, t.formed)
            for t in self.canonical_ties()
        }


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
