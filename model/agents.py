"""People as Mesa agents whose attributes read and write the model's state arrays.

``Person`` holds no state of its own beyond its row index: ``person.stress`` reads
``model.population.stress[person.index]`` and ``person.stress = 0.3`` writes it (checked against
the state's bounds). So the usual Mesa idioms work on the fast, array-based model:
``model.agents.agg("stress", np.mean)``, ``model.agents.select(lambda a: a.loneliness > 0.5)``,
DataCollector agent reporters by attribute name.

This module does not import the model (as in Mesa's examples).
"""

from __future__ import annotations

import mesa
import numpy as np

from .kinds import FAMILY, FRIEND, SUPPORT_TYPES, TIE_KINDS

__all__ = ["ARRAY_ATTRIBUTES", "Person", "Professional"]


class _State:
    """Descriptor: a scalar per-person state or trait stored in a population array."""

    def __init__(self, doc: str, low: float = 0.0, high: float | str = 1.0, writable=True):
        self.__doc__ = doc
        self.low, self.high, self.writable = low, high, writable

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return float(getattr(agent.model.population, self.name)[agent.index])

    def __set__(self, agent, value):
        if not self.writable:
            raise AttributeError(f"{self.name} is read-only")
        pop = agent.model.population
        high = (
            float(getattr(pop, self.high)[agent.index]) if isinstance(self.high, str) else self.high
        )
        value = float(value)
        if not self.low <= value <= high:
            raise ValueError(f"{self.name} must be in [{self.low:g}, {high:g}], got {value!r}")
        getattr(pop, self.name)[agent.index] = value


class Person(mesa.Agent):
    """One person. Attributes are live views onto the model's arrays.

    Attributes:
        index: Row in the population arrays and node in ``model.graph``.
    """

    stress = _State("Current perceived stress, in [0, 1].")
    depression = _State("Depressive symptoms, in [0, 1]; a case above case_threshold.")
    loneliness = _State("Perceived isolation, in [0, 1].")
    capacity = _State(
        "Capacity left to give this period, in [0, capacity_max].", high="capacity_max"
    )  # noqa: E501
    capacity_max = _State("Maximum capacity to give.")
    perceived_support = _State("Support the person expects if they ask, in [0, 1].")
    help_seeking = _State("Willingness to ask for help, in [0, 1].")
    desired_connection = _State("Connection the person wants, in [0, 1].")
    resilience = _State("Share of stress coped away per step, in [0, 1].")
    perception_bias = _State("Perception bias (attachment style), in [-1, 1].", low=-1.0)

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def need(self) -> np.ndarray:
        """Unmet need per support type (a writable view: emotional, instrumental, ...)."""
        return self.model.population.need[self.index]

    @property
    def competence(self) -> np.ndarray:
        """Competence at giving each support type (a writable view)."""
        return self.model.population.competence[self.index]

    @property
    def unmet_need(self) -> float:
        """Total unmet need over the four support types."""
        return float(self.model.population.need[self.index].sum())

    @property
    def group(self) -> int:
        """Community group (focal point)."""
        return int(self.model.population.group[self.index])

    @property
    def is_case(self) -> bool:
        """Depression above the case threshold."""
        return self.depression > self.model.params.case_threshold

    @property
    def degree(self) -> int:
        """Number of ties (read from the tie store's cached degrees)."""
        return int(self.model.ties.degree()[self.index])

    @property
    def family_ties(self) -> int:
        """Number of family ties."""
        return int(self.model.ties.kind_degree()[self.index, FAMILY])

    @property
    def friend_ties(self) -> int:
        """Number of friend ties."""
        return int(self.model.ties.kind_degree()[self.index, FRIEND])

    @property
    def other_ties(self) -> int:
        """Number of ties of other kinds (neighbours, peers, professionals, online)."""
        row = self.model.ties.kind_degree()[self.index]
        return int(row.sum() - row[FAMILY] - row[FRIEND])

    def ties(self) -> list[dict]:
        """Return this person's ties: other person, kind, strength, balance (as seen from here)."""
        t = self.model.ties
        mine = np.flatnonzero((t.u == self.index) | (t.v == self.index))
        out = []
        for s in mine:
            lower = t.u[s] == self.index
            out.append(
                {
                    "other": int(t.v[s] if lower else t.u[s]),
                    "kind": TIE_KINDS[t.kind[s]],
                    "strength": float(t.strength[s]),
                    "balance": float(t.balance[s] if lower else -t.balance[s]),
                    "conflict": float(t.conflict[s]),
                }
            )
        return out

    def end_ties(self) -> int:
        """End all of this person's ties (in the arrays and ``model.graph`` alike).

        The person stays in the population: isolated, still measured, and able to form new
        ties later (by closure, shared groups or online) like anyone else.

        Returns:
            The number of ties ended.
        """
        t = self.model.ties
        mine = np.flatnonzero((t.u == self.index) | (t.v == self.index))
        t.remove(mine)
        return len(mine)

    def remove(self) -> None:
        """Refuse: people stay in the model for the whole run (see :meth:`end_ties`).

        Mesa's ``Agent.remove()`` only takes an agent out of ``model.agents``; here that would
        leave the person in the state arrays, ``model.graph`` and every measure. Taking them out
        of those too would renumber the rows that seeds, panels, interventions and the network
        view index by, and change what every measure averages over in the middle of a run.

        Raises:
            RuntimeError: Always, saying how to end someone's participation instead.
        """
        raise RuntimeError(
            f"person {self.index} cannot be removed from a SupportModel: each person is a row "
            "of the state arrays and a node of model.graph for the whole run, and every measure "
            "covers them. To end their participation in the network, call person.end_ties() "
            "(they stay in the population, isolated, and may form new ties later); to leave "
            "them out of an analysis, filter the person-level table by AgentID"
        )

    def state(self) -> dict:
        """Return a snapshot of the person's state as a plain dict."""
        d = {
            name: getattr(self, name)
            for name in ("stress", "depression", "loneliness", "capacity", "perceived_support")
        }
        d.update({f"need_{t}": float(x) for t, x in zip(SUPPORT_TYPES, self.need, strict=True)})
        return d

    def __repr__(self) -> str:
        return f"<Person {self.index} stress={self.stress:.2f} depression={self.depression:.2f}>"


#: Person attributes that read (and write) a population array of the same name.
ARRAY_ATTRIBUTES: tuple[str, ...] = tuple(
    name for name, attr in vars(Person).items() if isinstance(attr, _State)
)


class Professional(Person):
    """A therapist or counsellor: large capacity, high competence, a caseload limit."""

    @property
    def caseload(self) -> int:
        """Most clients served per step."""
        return int(self.model.population.caseload[self.index])
