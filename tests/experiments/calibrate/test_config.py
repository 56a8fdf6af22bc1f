"""Calibration configs: the shipped ones load; every bad config gets one clear message."""

from __future__ import annotations

import tomllib

import pytest

from supportnet.experiments.calibrate import load_calibration, parse_calibration
from supportnet.experiments.calibrate.config import shipped_calibrations
from supportnet.experiments.cli import main
from supportnet.experiments.config import ConfigError

from .conftest import TINY_CAL


def tiny(**changes) -> dict:
    data = tomllib.loads(TINY_CAL)
    for path, value in changes.items():
        *parents, last = path.split("__")
        table = data
        for p in parents:
            table = table[p]
        if value is None:
            table.pop(last)
        else:
            table[last] = value
    return data


def problems(data) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_calibration(data, source="cal.toml")
    return err.value.problems


def test_the_shipped_calibration_loads_with_distance_decay_and_caregiver_held_out():
    assert "town" in shipped_calibrations()
    config = load_calibration("town")
    assert {"distance-decay", "caregiver"} <= set(config.held_out)
    assert not set(config.fitted) & set(config.held_out)
    assert config.budget and "CPU-s" in config.budget
    # The runs of every evaluation use the calibration's town and run length.
    assert {s.burn_in for s in config.battery.settings.values()} == {config.run.burn_in}
    assert {f.id for f in config.battery.facts} == set(config.fitted) | set(config.held_out)


def test_the_tiny_config_parses_and_its_hash_follows_its_content():
    a = parse_calibration(tiny(), source="a.toml")
    b = parse_calibration(tiny(seed=18), source="a.toml")
    assert a.names == ("contact_inner", "depression_recovery")
    assert a.hash() == parse_calibration(tiny(), source="other.toml").hash()
    assert a.hash() != b.hash()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"parameters__contact_inerr": {"low": 1.0, "high": 2.0}},
            "cal.toml: unknown key 'parameters.contact_inerr' = {low = 1.0, high = 2.0} (did you "
            "mean 'contact_inner'?); allowed: a model parameter (`supportnet params` lists them)",
        ),
        (
            {"parameters__contact_inner": {"low": 1.0, "high": 25.0}},
            "cal.toml: 'parameters.contact_inner.high' = 25.0 is outside the parameter's range; "
            "allowed: a number from 0 to 20",
        ),
        (
            {"fit__facts": ["prevalance", "layers"]},
            'cal.toml: \'fit.facts\' = ["prevalance", "layers"] names an unknown fact '
            "'prevalance' (did you mean 'prevalence'?); allowed: facts of the battery: ",
        ),
        (
            {"fit__held_out": ["caregiver", "layers"]},
            "cal.toml: 'fit.held_out' names 'layers', which 'fit.facts' fits; allowed: a fact is "
            "either fitted or held out",
        ),
        (
            {"parameters__n_groups": {"low": 2, "high": 8}},
            "cal.toml: 'parameters.n_groups' = {low = 2, high = 8} cannot be fitted: it is a whole "
            "number; allowed: a real-valued model parameter",
        ),
        (
            {"parameters__depression_recovery": {"low": 0.0, "high": 0.1, "prior": "loguniform"}},
            "cal.toml: 'parameters.depression_recovery.low' = 0.0 is not allowed with a "
            "loguniform prior; allowed: a number above 0",
        ),
        (
            {"parameters__contact_inner": {"low": 1.0, "high": 2.0, "prior": "normall"}},
            "cal.toml: 'parameters.contact_inner.prior' = \"normall\" is not allowed; allowed: "
            "uniform or loguniform",
        ),
        (
            {"parameters__contact_inner": {"low": 3.0, "high": 2.0}},
            "cal.toml: 'parameters.contact_inner': low = 3.0 is not below high = 2.0; allowed: "
            "low < high",
        ),
        (
            {"abc__populaton": 5},
            "cal.toml: unknown key 'abc.populaton' = 5 (did you mean 'population'?); allowed: keys "
            "here: population, generations,",
        ),
        (
            {"abc__quantile": 1.5},
            "cal.toml: 'abc.quantile' = 1.5 is out of range; allowed: a number from 0.01 to 0.99",
        ),
        (
            {"fit__facts": ["stationary"]},
            "cal.toml: 'fit.facts' = [\"stationary\"] names 'stationary', whose checks include an "
            "ensemble statistic",
        ),
        (
            {"town__contact_inner": 2.0},
            "cal.toml: 'parameters.contact_inner' = {low = 0.5, high = 5.0} is also fixed in "
            "[town]; allowed: a parameter either free or fixed",
        ),
        (
            {"town__n_peple": 40},
            "cal.toml: unknown key 'town.n_peple' = 40 (did you mean 'n_people'?)",
        ),
        ({"seed": None}, "cal.toml: 'seed' is missing; expected a whole number"),
    ],
)
def test_each_bad_config_gets_one_clear_message(changes, expected):
    found = problems(tiny(**changes))
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_the_command_prints_one_line_and_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    data = TINY_CAL.replace('held_out = ["caregiver"]', 'held_out = ["prevalence"]')
    path.write_text(data)
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "'fit.held_out' names 'prevalence', which 'fit.facts' fits" in err[0]
    assert not (tmp_path / "out").exists()


def test_an_unknown_shipped_name_suggests_the_right_one(capsys):
    assert main(["calibrate", "twon"]) == 2
    assert "did you mean 'town'?" in capsys.readouterr().err


def test_list_shows_the_shipped_calibrations_and_no_config_is_one_message(capsys):
    assert main(["calibrate", "--list"]) == 0
    assert capsys.readouterr().out.startswith("town: ")
    assert main(["calibrate"]) == 2
    assert "give a calibration config" in capsys.readouterr().err
    assert main(["calibrate", "town", "--workers", "2", "--dask-local", "2"]) == 2
    assert "--workers is for local processes" in capsys.readouterr().err
