"""SupportModel in Mesa's own SolaraViz, rendered without a browser (as Mesa's tests do)."""

from __future__ import annotations

import solara

from supportnet import PARAMETERS, SupportModel, SupportScenario
from supportnet.dashboards import mesa_app

from .helpers import button

SMALL = {"n_people": 80, "convoy_inner": 3, "convoy_sympathy": 6, "convoy_wider": 12}


def _render(model: SupportModel, params: dict):
    reactive = solara.reactive(model)

    @solara.component
    def Page():
        with solara.AppLayout():  # SolaraViz's buttons live in the app bar's sidebar
            mesa_app.make_page(reactive, model_params=params)

    _, rc = solara.render(Page(), handle_error=False)
    return reactive, rc


def test_controls_come_from_the_declarations():
    controls = mesa_app.model_params()
    assert set(controls) == {"rng"} | {n for n, p in PARAMETERS.items() if p.main}
    assert controls["buffering"]["type"] == "Checkbox"
    assert "file" not in controls["network"]["values"]
    stress = controls["stressor_rate"]
    assert (stress.value, stress.min, stress.max) == (
        PARAMETERS["stressor_rate"].default,
        PARAMETERS["stressor_rate"].low,
        PARAMETERS["stressor_rate"].high,
    )
    assert controls["n_people"].max == 10 * PARAMETERS["n_people"].default


def test_solaraviz_steps_and_reset_builds_a_new_model_from_a_scenario():
    # The controls' values as Mesa's Reset would pass them: a small network, a changed rate.
    params = {**SMALL, "rng": 5, "stressor_rate": 0.2, "buffering": False}
    reactive, rc = _render(SupportModel(rng=1, **SMALL), params)
    button(rc, "Step").click()
    assert reactive.value.steps == 1
    first = reactive.value

    button(rc, "Reset").click()
    model = reactive.value
    assert model is not first and model.steps == 0
    assert isinstance(model.scenario, SupportScenario)
    assert model.params.stressor_rate == 0.2 and model.params.buffering is False
    assert model.params.n_people == SMALL["n_people"]
    # The seed came in as rng= beside the scenario: the same run as built directly.
    direct = SupportModel(rng=5, **{k: v for k, v in params.items() if k != "rng"})
    model.run_for(3)
    direct.run_for(3)
    assert model.dataframe().equals(direct.dataframe())


def test_the_module_page_renders():
    with_layout = solara.AppLayout(children=[mesa_app.page])
    solara.render(with_layout, handle_error=False)
