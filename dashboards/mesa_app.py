"""SupportModel in Mesa's own SolaraViz: the plain Mesa dashboard, for Mesa users.

``supportnet dashboard`` serves SupportNet's own page (:mod:`supportnet.dashboards.app`). This
module shows the same model the way any Mesa model is shown, with Mesa's ``SolaraViz``: the main
parameters as Mesa controls (generated from :data:`supportnet.params.PARAMETERS`), Mesa's
Reset/Step/Play, and Mesa plot components over the model's DataCollector. Reset builds a new
model from a :class:`~supportnet.SupportScenario` of the controls' values, as Mesa does for any
model with a scenario.

Serve it with ``solara run supportnet.dashboards.mesa_app`` or show it in Jupyter
(``page`` displays itself as the last expression of a cell).
"""

from __future__ import annotations

from typing import Any

from mesa.visualization import Slider, SolaraViz, make_plot_component

from supportnet import SupportModel, metrics
from supportnet.params import PARAMETERS, Param

__all__ = ["COMPONENTS", "make_page", "model_params", "page"]

#: The plots Mesa draws from the DataCollector, each a Mesa plot component.
COMPONENTS = [
    make_plot_component(
        [metrics.MEAN_STRESS, metrics.MEAN_DEPRESSION, metrics.MEAN_LONELINESS],
        backend="altair",
    ),
    make_plot_component([metrics.CASE_PREVALENCE, metrics.LONELY_FRACTION], backend="altair"),
    make_plot_component(metrics.MEAN_DEGREE, backend="altair"),
]

#: Number inputs with a very long range (n_people: 2 to two million) get a slider up to this many
#: times their default: Mesa's controls have no number box.
LONG_RANGE_FACTOR = 10
#: Networks a control may choose (``file`` needs a path, which a Mesa control cannot give).
_UNSELECTABLE = {"file"}


def _control(p: Param) -> dict[str, Any] | Slider:
    label = p.name.replace("_", " ").capitalize()
    if p.type is bool:
        return {"type": "Checkbox", "value": p.default, "label": label}
    if p.type is str:
        values = [c for c in p.choices if c not in _UNSELECTABLE]
        return {"type": "Select", "value": p.default, "values": values, "label": label}
    high = p.high
    if p.type is int and high - p.low > 100:
        high = min(high, LONG_RANGE_FACTOR * p.default)
    step = 1 if p.type is int else (high - p.low) / 100
    return Slider(label, p.default, p.low, high, step, dtype=p.type)


def model_params(names: list[str] | None = None) -> dict[str, Any]:
    """Return Mesa SolaraViz controls for parameters (default: those marked ``main``).

    Args:
        names: Parameter names to offer; the others keep their defaults.

    Returns:
        ``model_params`` for ``SolaraViz``: one control per parameter, and a seed slider.
    """
    chosen = names if names is not None else [n for n, p in PARAMETERS.items() if p.main]
    controls: dict[str, Any] = {"rng": Slider("Seed", 1, 0, 1000, 1, dtype=int)}
    controls.update({name: _control(PARAMETERS[name]) for name in chosen})
    return controls


def make_page(model: SupportModel | None = None, **kwargs: Any):
    """Return Mesa's SolaraViz for ``model`` (default: a new seeded model at the defaults).

    Args:
        model: The model to show (or a ``solara.reactive`` of one).
        **kwargs: Passed to ``SolaraViz`` (``components``, ``model_params``, ``name``, ...).
    """
    kwargs.setdefault("components", COMPONENTS)
    kwargs.setdefault("model_params", model_params())
    kwargs.setdefault("name", "SupportNet (Mesa SolaraViz)")
    return SolaraViz(model if model is not None else SupportModel(rng=1), **kwargs)


page = make_page()
