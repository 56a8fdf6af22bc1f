"""Mesa Scenarios drive SupportModel; SupportScenario declares every parameter."""

import pickle

import pandas as pd
import pytest
from mesa.experimental import scenarios as mesa_scenarios
from mesa.experimental.scenarios import Scenario

from supportnet import PARAMETERS, ParameterError, SupportModel, SupportScenario, metrics
from tests.conftest import SMALL


def test_support_scenario_declares_every_parameter_once():
    assert issubclass(SupportScenario, Scenario)
    assert SupportScenario.__annotations__ == {n: p.type for n, p in PARAMETERS.items()}
    assert SupportScenario._scenario_defaults == {n: p.default for n, p in PARAMETERS.items()}
    s = SupportScenario(rng=1, stressor_rate=0.1)
    assert s.stressor_rate == 0.1 and s.buffering is True and s.rng == 1


def test_support_scenario_checks_names_and_values():
    with pytest.raises(ParameterError, match="did you mean 'stressor_rate'"):
        SupportScenario(stresor_rate=0.1)
    with pytest.raises(ParameterError, match="parameter 'stressor_rate': 2.0 is out of range"):
        SupportScenario(stressor_rate=2.0)
    assert SupportScenario(n_people=70.0).n_people == 70  # converted to int


def test_a_scenario_drives_the_model_as_keywords_do():
    by_scenario = SupportModel(scenario=SupportScenario(rng=9, stressor_rate=0.15, **SMALL))
    by_keywords = SupportModel(rng=9, stressor_rate=0.15, **SMALL)
    assert by_scenario.params == by_keywords.params
    by_scenario.run_for(10)
    by_keywords.run_for(10)
    pd.testing.assert_frame_equal(by_scenario.dataframe(), by_keywords.dataframe())


def test_a_model_without_a_scenario_gets_one_of_its_parameters():
    m = SupportModel(rng=3, stressor_rate=0.12, **SMALL)
    assert isinstance(m.scenario, SupportScenario) and m.scenario.rng == 3
    assert {n: getattr(m.scenario, n) for n in PARAMETERS} == dict(m.params)
    assert m.scenario.model is m


def test_any_mesa_scenario_and_a_scenario_class_work():
    plain = Scenario(rng=2, stressor_rate=0.2, **SMALL)
    m = SupportModel(scenario=plain)
    assert m.scenario is plain and m.params.stressor_rate == 0.2

    class Small(SupportScenario):
        n_people: int = 60
        convoy_inner: int = 3
        convoy_sympathy: int = 6
        convoy_wider: int = 10
        n_groups: int = 4

    m = SupportModel(rng=4, scenario=Small)  # Mesa's idiom: the class, seeded by rng
    assert isinstance(m.scenario, Small) and m.params.n_people == 60 and m.scenario.rng == 4


def test_keywords_override_the_scenario_and_the_seed_is_given_once():
    s = SupportScenario(rng=1, stressor_rate=0.2, **SMALL)
    assert SupportModel(scenario=s, stressor_rate=0.3).params.stressor_rate == 0.3
    again = SupportModel(rng=1, scenario=s)  # the same seed twice is fine
    assert again.scenario.rng == 1 and again.scenario.stressor_rate == 0.2
    with pytest.raises(
        ParameterError, match="rng: 2 is not allowed with a scenario whose rng is 1"
    ):
        SupportModel(rng=2, scenario=s)
    unseeded = SupportScenario(**SMALL)
    m = SupportModel(rng=6, scenario=unseeded)  # SolaraViz's Reset: rng= beside a scenario
    assert m.scenario.rng == 6 and isinstance(m.scenario, SupportScenario)


def test_one_scenario_drives_several_models():
    s = SupportScenario(rng=8, **SMALL)
    first, second = SupportModel(scenario=s), SupportModel(scenario=s)
    assert first.scenario is s and second.scenario is not s  # Mesa 3.5: one model a scenario
    first.run_for(5)
    second.run_for(5)
    pd.testing.assert_frame_equal(first.dataframe(), second.dataframe())


def test_bad_scenarios_get_one_clear_message():
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        SupportModel(scenario=Scenario(rng=1, colour="red", **SMALL))
    with pytest.raises(ParameterError, match="scenario: .* expected a mesa Scenario"):
        SupportModel(scenario={"stressor_rate": 0.1})


def test_scenarios_pickle_for_process_pools():
    s = SupportScenario(rng=5, stressor_rate=0.11, **SMALL)
    back = pickle.loads(pickle.dumps(s))
    assert type(back) is SupportScenario and back.stressor_rate == 0.11 and back.rng == 5


def _run_configuration_steps(scenario, until, outcomes=None):
    """What Mesa's RunConfiguration (mesa#3768, the batch runner's replacement) does per run."""
    model = SupportModel(scenario=scenario)  # instantiate_model: model_class(scenario=...)
    model.run_until(until)  # run_model
    recorder = model.data_recorder  # extract_output: the recorder's tables by name
    if outcomes is None:
        return recorder.get_all_dataframes()
    return {k: recorder.get_table_dataframe(k) for k in outcomes}


def test_the_run_scenarios_protocol():
    out = _run_configuration_steps(SupportScenario(rng=1, agent_every=5, **SMALL), until=10)
    assert set(out) == {"measures", "people"}
    assert len(out["measures"]) == 11 and metrics.MEAN_STRESS in out["measures"]
    assert sorted(out["people"].index.get_level_values("Step").unique()) == [0, 5, 10]
    only = _run_configuration_steps(SupportScenario(rng=1, **SMALL), 3, outcomes=["measures"])
    assert list(only) == ["measures"]
    with pytest.raises(KeyError, match=r"'people' is not collected \(set agent_every > 0"):
        _run_configuration_steps(SupportScenario(rng=1, **SMALL), 3, outcomes=["people"])


@pytest.mark.skipif(
    not hasattr(mesa_scenarios, "run_scenarios"),
    reason="this Mesa has no run_scenarios yet (mesa#3768); the protocol test covers it",
)
def test_mesa_run_scenarios_runs_the_model():  # pragma: no cover - needs a later Mesa
    from mesa.experimental.scenarios import RunConfiguration, run_scenarios

    scenarios = SupportScenario.from_dataframe(
        pd.DataFrame({"stressor_rate": [0.02, 0.2]}).assign(**SMALL), rng=1, replications=2
    )
    store = run_scenarios(scenarios, RunConfiguration(SupportModel, until=5), progress=False)
    assert len(store.succeeded()) == 4 and not store.failed()
