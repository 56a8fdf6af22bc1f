"""SupportModel: a Mesa model of social support and mental health on an evolving network.

The model is a pure, seeded function of its parameters. ``SupportModel(rng=seed, **parameters)``
builds the starting network and the people, and each ``step()`` runs the phases of
:mod:`supportnet.mechanisms` in order over the state arrays, lets interventions act, then measures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import mesa
import networkx as nx
import numpy as np

from . import metrics
from .agents import Person
from .collectors import ModelTables, PersonCollector
from .families import families_from_ties
from .generators import StartingNetwork, build_network
from .kinds import FAMILY
from .mechanisms import CLASSIC_PHASES, PHASES, StepContext
from .mechanisms.caregiving import start_roles
from .mechanisms.mood import MoodState
from .network import TieGraph, TieStore
from .params import Params, make_params
from .population import Population, draw_population, layer_sizes
from .scenario import SupportScenario, scenario_values
from .scenario import resolve as resolve_scenario

__all__ = ["SupportModel"]

_SUBGROUP_OF_SHOCK = {"low_income": 1, "severe_mental_illness": 2, "older_adults": 3}


class SupportModel(mesa.Model):
    """Social support and mental health on an evolving network.

    Args:
        rng: Seed (int) or numpy Generator; the only source of randomness.
        scenario: A Mesa ``Scenario`` (e.g. :class:`~supportnet.SupportScenario`) or Scenario
            class: its attributes are parameter values and its ``rng`` the seed. Without one,
            the model makes a ``SupportScenario`` of its parameters (``model.scenario``).
        params: A validated :class:`~supportnet.params.Params` (or mapping) to start from.
        graph: A networkx graph to start from, instead of ``params.network`` (its nodes become
            people in node order; ``kind``/``strength``/``weight``/``conflict`` edge attributes
            are used when present).
        interventions: Intervention objects (see :mod:`supportnet.interventions`), if any.
        **parameters: Parameter values (see ``supportnet params``); they override ``params``
            and the scenario's values.

    Attributes:
        params: The validated parameters.
        population: The people's state arrays.
        ties: The tie store (arrays); :attr:`graph` is its networkx view.
        datacollector: Mesa DataCollector of the per-step measures (every step).
        agent_datacollector: DataCollector of person-level state (every ``agent_every`` steps),
            or None when ``agent_every`` is 0.
        scenario: The Mesa Scenario the model was built from (a ``SupportScenario`` of its
            parameters when none was given).
        measures: The latest measures (a dict; names in :mod:`supportnet.metrics`).
        panel: Person snapshots every ``panel_every`` steps (for the buffering estimate).
        network_report: Conversions made while building the starting network, in words.
        last_step: The context of the latest step (flows, exchanges), for inspectors.

    Examples:
        >>> from supportnet import SupportModel
        >>> m = SupportModel(rng=1, n_people=100, convoy_wider=20)
        >>> m.run_for(5)
        >>> m.steps, round(m.measures["mean_stress"], 3) == round(m.measures["mean_stress"], 3)
        (5, True)
    """

    def __init__(
        self,
        rng: Any = None,
        *,
        scenario: Any = None,
        params: Params | Mapping[str, Any] | None = None,
        graph: nx.Graph | None = None,
        interventions: Iterable[Any] = (),
        **parameters: Any,
    ):
        if scenario is None:
            values = make_params(params or {}, **parameters)
            scenario = SupportScenario(rng=rng, **values.changed())
        else:
            scenario = resolve_scenario(scenario, rng)
            values = make_params({**(params or {}), **scenario_values(scenario)}, **parameters)
        # The seed reaches Mesa through the scenario alone (Mesa's rule: one or the other).
        super().__init__(scenario=scenario)
        self.params = values
        p = self.params
        if graph is not None:
            from .generators import _from_graph

            start = _from_graph(graph, source="given graph")
        else:
            start = build_network(p, self.rng)
        self.network_report: list[str] = list(start.report)
        self.labels = start.labels
        self.population: Population = draw_population(p, start.n, self.rng)
        self._apply_start(start)
        self.ties = TieStore(start.n)
        self._add_starting_ties(start)
        self.n_families = self._start_families(start)
        self.cohesion = self._draw_cohesion()
        start_roles(self.population, self.ties, p, self.rng)  # care roles at their steady state
        self.ties.set_node_attrs_factory(self._node_view)

        Person.create_agents(self, start.n, index=list(range(start.n)))
        self.people: list[Person] = sorted(self.agents, key=lambda a: a.index)

        # Measurement draws come from their own stream so that measuring never changes a run.
        # Mesa 3.5 keeps the integer seed in _seed; later Mesa seeds only through the scenario.
        seed = getattr(self, "_seed", None)
        if seed is None:
            seed = int(self.scenario.seed_sequence.generate_state(1)[0])
        self._measure_rng = np.random.default_rng([abs(int(seed)), 0x5EED])
        k = min(p.clustering_sample, start.n)
        self.clustering_nodes = np.sort(self._measure_rng.choice(start.n, k, replace=False))
        # The SISa mood layer (off by default) draws from a stream of its own, so that switching it
        # on leaves every other draw, and with no coupling every other result, unchanged.
        self.mood: MoodState | None = (
            MoodState.start(p, start.n, seed, self.population.members) if p.sisa else None
        )
        self.interventions = list(interventions)
        for iv in self.interventions:
            iv.setup(self)
        self.panel: list[dict[str, np.ndarray]] = []
        self.last_step: StepContext | None = None
        self._still: dict[str, float] | None = None

        names = metrics.ALL_MEASURES + (metrics.MOOD_MEASURES if p.sisa else ())
        self.datacollector = mesa.DataCollector(
            model_reporters={name: metrics.reporter(name) for name in names}
        )
        self.agent_datacollector = (
            PersonCollector({r: r for r in metrics.PERSON_REPORTERS}) if p.agent_every else None
        )
        self._measure(None)

    # --- construction -----------------------------------------------------------------------
    def _apply_start(self, start: StartingNetwork) -> None:
        pop = self.population
        if start.group is not None:
            pop.group[:] = start.group
        if start.home is not None:
            pop.home[:] = start.home
        if start.arrived is not None:
            pop.arrived[:] = start.arrived
        # Network size: the generator's, or (networks given as such) room for the starting ties.
        if start.network_size is not None:
            pop.network_size[:] = start.network_size
        else:
            degree = np.bincount(start.u, minlength=start.n) + np.bincount(
                start.v, minlength=start.n
            )
            pop.network_size[:] = np.maximum(degree / 0.85, 1.0)
        pop.layer_inner[:], pop.layer_sympathy[:] = layer_sizes(self.params, pop.network_size)
        for name, values in start.node_values.items():
            have = ~np.isnan(values)
            target = "capacity_max" if name == "capacity" else name
            getattr(pop, target)[have] = values[have]
            if name == "capacity":
                pop.capacity[have] = values[have]

    def _add_starting_ties(self, start: StartingNetwork) -> None:
        p, rng = self.params, self.rng
        m = len(start.u)
        if start.kind is not None:
            kind = start.kind
        else:
            r = rng.random(m)
            kind = np.full(m, 1, np.int8)  # friend
            kind[r < p.family_share + p.neighbour_share] = 2  # neighbour
            kind[r < p.family_share] = FAMILY
        if start.strength is not None:
            strength = start.strength
        else:
            base = np.clip(rng.normal(p.initial_strength_mean, 0.15, m), 0.06, 1.0)
            fam = np.clip(rng.normal(0.8, 0.1, m), 0.3, 1.0)
            strength = np.where(kind == FAMILY, fam, base)
        strength = np.maximum(strength, np.where(kind == FAMILY, p.family_floor, 1e-3))
        if start.conflict is not None:
            conflict = start.conflict
        else:
            conflict = np.clip(p.conflict_mean * 2.0 * rng.random(m), 0.0, 1.0)
        self.ties.add(start.u, start.v, kind, strength, conflict, step=0)

    def _start_families(self, start: StartingNetwork) -> int:
        """Set each person's family slot (the generator's, or read from the family ties)."""
        if start.family is not None:
            self.population.family[:] = start.family
            return start.families
        t = self.ties
        family, slots = families_from_ties(start.n, t.u, t.v, t.kind)
        self.population.family[:] = family
        return slots

    def _draw_cohesion(self) -> np.ndarray:
        """Draw each neighbourhood's contact factor: log-normal around the town's level (contact).

        The factors spread between neighbourhoods (``neighbourhood_cohesion_sd``) and are then
        scaled so that their mean over the town's residents is exactly 1. Why: the spread is a
        difference *between neighbourhoods*; the town's overall contact is set by the contact
        rates. Unscaled, a town of 1,000 (16 neighbourhoods) drew its own overall level, with a
        spread of 6%, and loneliness is so sensitive to contact that this one draw explained
        r = -0.91 of the differences between towns' mean loneliness (lonely shares of 6% to 49%
        among 40 towns of the same parameters; validation.md).
        """
        from .space import Neighbourhoods, grid_size

        g = grid_size(self.n_people, self.params.neighbourhood_size)
        sd = self.params.neighbourhood_cohesion_sd
        factor = np.exp(self.rng.normal(-0.5 * sd * sd, sd, g * g))
        pop = self.population
        residents = ~pop.is_professional  # professionals' contact does not take the factor
        if g > 1 and residents.any():
            cell = Neighbourhoods.cell_of_grid(pop.home[residents], g)
            factor /= factor[cell].mean()
        return factor

    def _node_view(self, i: int) -> _NodeAttrs:
        return _NodeAttrs(self, i)

    # --- the step ---------------------------------------------------------------------------
    def shock_mask(self, step: int) -> np.ndarray:
        """Return the mask of people under the shock at ``step`` (all False outside it)."""
        p, pop = self.params, self.population
        on = p.shock_duration > 0 and p.shock_start <= step < p.shock_start + p.shock_duration
        if not on:
            return np.zeros(pop.n, bool)
        if p.shock_subgroup == "all":
            return ~pop.is_professional
        return pop.subgroup == _SUBGROUP_OF_SHOCK[p.shock_subgroup]

    def step(self) -> None:
        """Run one step: the phases in order, then interventions, then measurement."""
        ctx = StepContext(
            pop=self.population,
            ties=self.ties,
            params=self.params,
            rng=self.rng,
            step=self.steps,
            shock=self.shock_mask(self.steps),
            families=self.n_families,
            cohesion=self.cohesion,
            mood=self.mood,
        )
        for _, phase in CLASSIC_PHASES if self.params.sisa_classic else PHASES:
            phase(ctx)
        if len(ctx.replaced):
            for iv in self.interventions:
                iv.people_replaced(self, ctx.replaced)
        for iv in self.interventions:
            iv.act(self, ctx)
        self.last_step = ctx
        self._measure(ctx)

    def _measure(self, ctx: StepContext | None) -> None:
        p = self.params
        if self._still is not None and not self.interventions:
            # Classic SISa mode: only moods change, so the other measures stay as at the start.
            self.measures = dict(self._still)
        else:
            self.measures = metrics.compute(self, ctx)
            moods_move_states = p.sisa_mood_to_depression > 0 or p.sisa_mood_to_loneliness > 0
            if p.sisa_classic and not moods_move_states:
                self._still = dict(self.measures)
        if self.mood is not None:
            self.measures.update(metrics.mood_shares(self))
        self.datacollector.collect(self)
        if self.agent_datacollector is not None and self.steps % p.agent_every == 0:
            self.agent_datacollector.collect(self)
        # The classic SISa mode keeps no panel: nothing it reads changes (and a 200-year run
        # would hold a thousand copies of the town).
        if p.panel_every and self.steps % p.panel_every == 0 and not p.sisa_classic:
            pop = self.population
            self.panel.append(
                {
                    "step": self.steps,
                    "depression": pop.depression.copy(),
                    "perceived_support": pop.perceived_support.copy(),
                    "stress": pop.stress.copy(),
                    "loneliness": pop.loneliness.copy(),
                    "stressor_load": pop.stressor_load.copy(),
                    "degree": self.ties.degree(),
                }
            )
            pop.stressor_load[:] = 0.0

    # --- views ------------------------------------------------------------------------------
    @property
    def steps(self) -> int:
        """Steps run so far.

        Mesa 3.5 counts them (``model.steps``); Mesa 4 drops the counter for ``model.time``, which
        advances by one a step, so the model keeps answering either way.
        """
        counted = self.__dict__.get("_steps")
        return int(self.time) if counted is None else counted

    @steps.setter
    def steps(self, value: int) -> None:
        self._steps = value

    @property
    def graph(self) -> TieGraph:
        """The current ties as a ``networkx.Graph`` with live attributes (kind, strength, ...)."""
        return self.ties.graph

    @property
    def n_people(self) -> int:
        """Number of people in the population proper (professionals excluded)."""
        return int(self.population.members.sum())

    @property
    def data_recorder(self) -> ModelTables:
        """The collected tables by name, as Mesa's data recorders give them (``run_scenarios``).

        ``get_table_dataframe("measures")`` is :meth:`dataframe`; with ``agent_every`` > 0,
        ``get_table_dataframe("people")`` is the person-level table.
        """
        return ModelTables(self)

    def dataframe(self):
        """Return the per-step measures as a pandas DataFrame indexed by step."""
        df = self.datacollector.get_model_vars_dataframe()
        df.index.name = "step"
        return df

    def add_people(self, people: Population, agent_class: type[Person] = Person) -> np.ndarray:
        """Add people (e.g. professionals) to the model; return their indices."""
        start = self.population.n
        self.population.append(people)
        self.population.arrived[start:] = self.steps
        self.ties.grow_nodes(people.n)
        idx = np.arange(start, start + people.n)
        for i in idx:
            self.people.append(agent_class(self, int(i)))
        if self.labels is not None:
            self.labels.extend(str(i) for i in idx)
        return idx


class _NodeAttrs(Mapping):
    """The attribute dict of a node of ``model.graph``: the person's live state."""

    __slots__ = ("_i", "_model")
    _KEYS = ("stress", "depression", "loneliness", "capacity", "perceived_support", "group")

    def __init__(self, model: SupportModel, i: int):
        self._model, self._i = model, i

    def __getitem__(self, key):
        if key not in self._KEYS:
            if key == "label" and self._model.labels is not None:
                return self._model.labels[self._i]
            raise KeyError(key)
        val = getattr(self._model.population, key)[self._i]
        return int(val) if key == "group" else float(val)

    def __iter__(self):
        yield from self._KEYS
        if self._model.labels is not None:
            yield "label"

    def __len__(self):
        return len(self._KEYS) + (self._model.labels is not None)

    def copy(self):
        return dict(self.items())

    def __deepcopy__(self, memo):
        return self.copy()
