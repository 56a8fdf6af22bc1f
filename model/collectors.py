"""Person-level data collection: a Mesa ``DataCollector`` filled from the state arrays.

Mesa's ``DataCollector`` asks every agent for every reporter, one Python call each: at 4,000 people
and ten reporters that is 40,000 calls a step, several times the cost of the step itself. People
here are views onto arrays, so :class:`PersonCollector` reads each reporter's column for everyone
at once and builds the same table (``get_agent_vars_dataframe()``: index ``Step``, ``AgentID``,
one column per reporter) that Mesa's collector would, value for value (a test compares them).

A reporter it has no column for (a name added by a user, a callable) is asked of each person
the Mesa way, so any reporter works, only slower.

:class:`ModelTables` hands a model's tables out by name, the way Mesa's data recorders do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import mesa
import numpy as np
import pandas as pd

from .agents import ARRAY_ATTRIBUTES
from .kinds import FAMILY, FRIEND

__all__ = ["MEASURES_TABLE", "PEOPLE_TABLE", "ModelTables", "PersonCollector", "person_column"]


def _other_ties(model) -> np.ndarray:
    counts = model.ties.kind_degree()
    return counts.sum(axis=1) - counts[:, FAMILY] - counts[:, FRIEND]


#: Columns that are not a population array of the same name.
_DERIVED: Mapping[str, Callable] = {
    "unmet_need": lambda model: model.population.need.sum(axis=1),
    "degree": lambda model: model.ties.degree(),
    "family_ties": lambda model: model.ties.kind_degree()[:, FAMILY],
    "friend_ties": lambda model: model.ties.kind_degree()[:, FRIEND],
    "other_ties": _other_ties,
}


def person_column(model, name: str) -> np.ndarray | None:
    """Return reporter ``name`` for every person (row order), or None if it has no column.

    Args:
        model: A :class:`supportnet.SupportModel`.
        name: A :class:`~supportnet.agents.Person` attribute name.
    """
    if name in _DERIVED:
        return np.asarray(_DERIVED[name](model))
    if name in ARRAY_ATTRIBUTES:
        return getattr(model.population, name)
    return None


class PersonCollector(mesa.DataCollector):
    """A Mesa DataCollector of person-level reporters that reads whole columns at once.

    Args:
        agent_reporters: Reporter name -> Person attribute name (as for Mesa's collector), or a
            callable taking a person.
    """

    def __init__(self, agent_reporters: Mapping[str, str | Callable]):
        super().__init__(agent_reporters=dict(agent_reporters))
        self._sources = dict(agent_reporters)
        #: One entry per collection: (time, agent ids, {reporter: values}).
        self._person_records: list[tuple[float, np.ndarray, dict[str, np.ndarray]]] = []

    def collect(self, model) -> None:
        """Record every reporter for every person at the model's current time."""
        people = model.people
        ids = np.fromiter((p.unique_id for p in people), np.int64, len(people))
        columns: dict[str, np.ndarray] = {}
        for name, source in self._sources.items():
            col = person_column(model, source) if isinstance(source, str) else None
            if col is None:
                get = source if callable(source) else (lambda p, a=source: getattr(p, a))
                col = np.array([get(p) for p in people])
            columns[name] = np.array(col, copy=True)  # the arrays change with the next step
        self._person_records.append((model.time, ids, columns))

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """Return the collected values: index (Step, AgentID), one column per reporter."""
        names = list(self._sources)
        if not self._person_records:
            empty = pd.MultiIndex.from_arrays([[], []], names=["Step", "AgentID"])
            return pd.DataFrame(columns=names, index=empty)
        steps = np.concatenate([np.full(len(ids), t) for t, ids, _ in self._person_records])
        ids = np.concatenate([ids for _, ids, _ in self._person_records])
        data = {n: np.concatenate([c[n] for _, _, c in self._person_records]) for n in names}
        index = pd.MultiIndex.from_arrays([steps, ids], names=["Step", "AgentID"])
        return pd.DataFrame(data, index=index)


#: Names of the tables :class:`ModelTables` gives.
MEASURES_TABLE = "measures"
PEOPLE_TABLE = "people"


class ModelTables:
    """A model's collected tables by name, as Mesa's data recorders hand them out.

    ``model.data_recorder`` is one of these, so code written for Mesa's recorders (such as the
    ``RunConfiguration`` of Mesa's coming ``run_scenarios``) reads SupportNet's tables:
    ``"measures"`` (per-step measures, indexed by step) and, with ``agent_every`` > 0,
    ``"people"`` (person-level state, indexed by Step and AgentID).

    Args:
        model: A :class:`supportnet.SupportModel`.
    """

    def __init__(self, model):
        self._model = model

    def names(self) -> list[str]:
        """Return the names of the tables this model collects."""
        people = self._model.agent_datacollector is not None
        return [MEASURES_TABLE, *([PEOPLE_TABLE] if people else [])]

    def get_table_dataframe(self, name: str) -> pd.DataFrame:
        """Return table ``name`` as a DataFrame.

        Raises:
            KeyError: If the model does not collect a table of that name (the message lists
                those it does).
        """
        if name == MEASURES_TABLE:
            return self._model.dataframe()
        if name == PEOPLE_TABLE and self._model.agent_datacollector is not None:
            return self._model.agent_datacollector.get_agent_vars_dataframe()
        hint = " (set agent_every > 0 to collect it)" if name == PEOPLE_TABLE else ""
        raise KeyError(
            f"table {name!r} is not collected{hint}; this model has: {', '.join(self.names())}"
        )

    def get_all_dataframes(self) -> dict[str, pd.DataFrame]:
        """Return every collected table by name."""
        return {name: self.get_table_dataframe(name) for name in self.names()}
