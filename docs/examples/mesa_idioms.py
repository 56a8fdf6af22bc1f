"""SupportNet the Mesa way: a Scenario, batch_run, run_scenarios, SolaraViz, agents as views.

Run it: ``python docs/examples/mesa_idioms.py`` (about half a minute; the test suite runs it).
Each part prints what it shows. docs/mesa.md says where each idiom stands.
"""

import contextlib
import io

import mesa
import numpy as np
import pandas as pd
from mesa.experimental import scenarios

from supportnet import SupportModel, SupportScenario, metrics

SMALL = {"n_people": 120, "convoy_inner": 3, "convoy_sympathy": 8, "convoy_wider": 16}


def a_scenario_drives_the_model() -> None:
    """SupportScenario declares every parameter (type and default), as Mesa scenarios do."""
    scenario = SupportScenario(rng=42, stressor_rate=0.1, **SMALL)
    model = SupportModel(scenario=scenario)
    model.run_for(20)
    same = SupportModel(rng=42, stressor_rate=0.1, **SMALL)  # keywords: the same run
    same.run_for(20)
    assert model.dataframe().equals(same.dataframe())
    print(
        f"Scenario: stressor_rate={scenario.stressor_rate}, buffering={scenario.buffering} "
        f"(default); mean stress after 20 steps {model.measures[metrics.MEAN_STRESS]:.3f}"
    )


def batch_run_still_works() -> None:
    """Mesa's batch runner sweeps SupportModel's keyword parameters."""
    results = mesa.batch_run(
        SupportModel,
        parameters={**SMALL, "stressor_rate": [0.02, 0.2]},
        rng=[1, 2],
        max_steps=10,
        number_processes=1,
        display_progress=False,
    )
    table = pd.DataFrame(results).groupby("stressor_rate")[metrics.MEAN_STRESS].last()
    print("mesa.batch_run, final mean stress by stressor_rate:", table.round(3).to_dict())


def run_scenarios_protocol() -> None:
    """Mesa's replacement of batch_run (mesa#3768), or what it will do where it is not yet in Mesa.

    Its RunConfiguration builds the model from a scenario, runs it with run_until and reads
    model.data_recorder's tables.
    """
    if hasattr(scenarios, "run_scenarios"):
        from mesa.experimental.scenarios import RunConfiguration, run_scenarios

        points = pd.DataFrame({"stressor_rate": [0.02, 0.2]}).assign(**SMALL)
        store = run_scenarios(
            SupportScenario.from_dataframe(points, rng=1, replications=2),
            RunConfiguration(SupportModel, until=10, outcomes="measures"),
            progress=False,
        )
        print(f"run_scenarios: {len(store.succeeded())} runs succeeded")
        return
    model = SupportModel(scenario=SupportScenario(rng=1, agent_every=5, **SMALL))
    model.run_until(10)
    tables = model.data_recorder.get_all_dataframes()
    shapes = {name: table.shape for name, table in tables.items()}
    print(f"run_scenarios is not in this Mesa yet; what it will read: {shapes}")


def solaraviz_page() -> None:
    """Mesa's SolaraViz shows the model (supportnet.dashboards.mesa_app)."""
    import solara

    from supportnet.dashboards.mesa_app import make_page

    model = solara.reactive(SupportModel(rng=1, **SMALL))

    @solara.component
    def Page():  # what `solara run` serves; in Jupyter, make_page(model) shows it in a cell
        with solara.AppLayout():
            make_page(model)

    # Headless here (no browser, no server); outside a notebook Solara prints the app bar's
    # widgets, which says nothing.
    with contextlib.redirect_stdout(io.StringIO()):
        solara.render(Page(), handle_error=False)
    print(
        "SolaraViz: rendered; serve it with `solara run supportnet.dashboards.mesa_app` "
        "(Reset builds a new model from a SupportScenario of the controls)"
    )


def agents_are_views() -> None:
    """People are Mesa agents whose attributes read the arrays; they are never removed."""
    model = SupportModel(rng=3, agent_every=1, **SMALL)
    model.run_for(5)
    person = model.people[0]
    print(
        f"Person 0: {person.degree} ties ({person.family_ties} family, {person.friend_ties} "
        f"friends, {person.other_ties} other); mean loneliness over people "
        f"{model.agents.agg('loneliness', np.mean):.3f}"
    )
    people = model.agent_datacollector.get_agent_vars_dataframe()
    print(f"Person-level table: {len(people)} rows, columns {list(people.columns)[:4]} ...")
    try:
        person.remove()
    except RuntimeError as exc:
        print(f"person.remove(): {str(exc)[:70]}...")
    print(f"person.end_ties() ended {person.end_ties()} ties; degree now {person.degree}")


if __name__ == "__main__":
    a_scenario_drives_the_model()
    batch_run_still_works()
    run_scenarios_protocol()
    solaraviz_page()
    agents_are_views()
