"""Mesa Scenarios for SupportModel: every parameter declared on :class:`SupportScenario`.

Mesa 3.5 describes a computational experiment with a ``Scenario``: its class attributes, with
type annotations, are the parameters and their defaults, and ``Model(scenario=...)`` takes one.
``SupportScenario`` is that class for SupportNet, generated from
:data:`supportnet.params.PARAMETERS` (so there is no second copy of a default), and it checks
its values when built: a wrong name or value raises :class:`~supportnet.params.ParameterError`
with the usual message.

>>> from supportnet import SupportModel, SupportScenario
>>> s = SupportScenario(rng=3, n_people=80, convoy_wider=20, stressor_rate=0.1)
>>> s.stressor_rate, s.buffering
(0.1, True)
>>> m = SupportModel(scenario=s)
>>> m.params.stressor_rate, m.scenario is s
(0.1, True)

Any Mesa ``Scenario`` works too (its attributes are taken as parameters); SupportScenario only
adds the declarations, which Mesa's tooling (SolaraViz's Reset, its parameter checks) reads.
"""

from __future__ import annotations

import types
from typing import Any

from mesa.experimental.scenarios import Scenario

from .params import PARAMETERS, ParameterError, make_params

__all__ = ["MESA_KEYS", "SupportScenario", "scenario_values"]

#: Attributes and keywords of Mesa's Scenario itself, never model parameters (across Mesa
#: versions: 3.5 keeps ``rng`` and ``model`` in the instance, later versions add the ids).
MESA_KEYS = frozenset({"rng", "model", "scenario_id", "replication_id", "experiment_id"})


def scenario_values(scenario: Scenario) -> dict[str, Any]:
    """Return the parameter values a Mesa ``Scenario`` carries (Mesa's own keys left out)."""
    return {k: v for k, v in scenario if k not in MESA_KEYS and not k.startswith("_")}


def _init(self, **kwargs: Any) -> None:
    given = {k: v for k, v in kwargs.items() if k not in MESA_KEYS and not k.startswith("_")}
    # The whole set the scenario will carry (a subclass's own defaults included) is checked, so
    # a ParameterError names the field, value and what is allowed.
    checked = make_params({**type(self)._scenario_defaults, **given})
    kwargs.update({k: checked[k] for k in given})
    Scenario.__init__(self, **kwargs)


def _declare(namespace: dict[str, Any]) -> None:
    namespace["__module__"] = __name__
    namespace["__doc__"] = (
        "A Mesa Scenario with every SupportNet parameter declared (type and default).\n\n"
        "Build one with keyword values (``SupportScenario(rng=1, stressor_rate=0.1)``); names "
        "and values are checked as ``SupportModel`` checks them. ``supportnet params`` lists "
        "the parameters."
    )
    namespace["__annotations__"] = {name: p.type for name, p in PARAMETERS.items()}
    namespace.update({name: p.default for name, p in PARAMETERS.items()})
    namespace["__init__"] = _init


SupportScenario = types.new_class("SupportScenario", (Scenario,), exec_body=_declare)


def resolve(scenario: Any, rng: Any) -> Scenario:
    """Return the Scenario instance a model built with ``scenario`` and ``rng`` runs.

    Args:
        scenario: A Scenario instance or class (Mesa's idiom ``Model(scenario=MyScenario)``).
        rng: The ``rng`` given to the model alongside it, if any.

    Raises:
        ParameterError: If ``scenario`` is not a Mesa Scenario, or the seed is given twice
            with two different values.
    """
    if isinstance(scenario, type) and issubclass(scenario, Scenario):
        return scenario(rng=rng)
    if not isinstance(scenario, Scenario):
        raise ParameterError(
            f"scenario: {scenario!r} is not allowed; expected a mesa Scenario "
            "(e.g. supportnet.SupportScenario(rng=1, stressor_rate=0.1))"
        )
    if scenario.rng is None and rng is not None:
        # Mesa's SolaraViz Reset passes the seed as rng= next to a scenario built without one.
        return type(scenario)(rng=rng, **scenario_values(scenario))
    if getattr(scenario, "model", None) is not None:
        # Mesa 3.5 ties a scenario to the one model it drives; another model gets a copy (later
        # Mesa versions share frozen scenarios instead).
        scenario = type(scenario)(rng=scenario.rng, **scenario_values(scenario))
    if rng is None or scenario.rng is rng:
        return scenario
    try:
        same = bool(scenario.rng == rng)
    except (TypeError, ValueError):  # e.g. two seed sequences of different lengths
        same = False
    if not same:
        raise ParameterError(
            f"rng: {rng!r} is not allowed with a scenario whose rng is {scenario.rng!r}; "
            "give the seed once, as rng= or in the scenario"
        )
    return scenario
