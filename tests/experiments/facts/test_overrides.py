"""`supportnet facts --burn-in / --seed`: the same facts measured after another burn-in, in other towns."""

import json

import pytest

from supportnet.experiments.cli import main
from supportnet.experiments.facts import load_battery
from supportnet.experiments.facts.battery import default_folder
from supportnet.experiments.facts.plan import BatteryConfig, Overrides, plan_battery


@pytest.fixture(scope="module")
def battery():
    return load_battery()


def test_burn_in_replaces_every_settings_burn_in_and_keeps_the_measured_steps(battery):
    declared, _ = plan_battery(battery, Overrides())
    later, _ = plan_battery(battery, Overrides(burn_in=800))
    assert len(later) == len(declared)
    for a, b in zip(declared, later, strict=True):
        assert b.burn_in == 800
        assert b.steps - b.burn_in == a.steps - a.burn_in  # the same measured stretch, later
        assert (a.seed, a.params) == (b.seed, b.params)  # the same towns
        assert a.digest != b.digest or a.burn_in == 800  # a stored run is not reused for it


def test_seed_gives_other_towns_and_the_same_runs_otherwise(battery):
    declared, _ = plan_battery(battery, Overrides())
    other, _ = plan_battery(battery, Overrides(seed=battery.seed + 1))
    assert [r.run_id for r in other] == [r.run_id for r in declared]
    assert {r.seed for r in other}.isdisjoint({r.seed for r in declared})
    assert all(
        a.burn_in == b.burn_in and a.params == b.params
        for a, b in zip(declared, other, strict=True)
    )
    # Giving the declared seed is the declared battery, run for run.
    same, _ = plan_battery(battery, Overrides(seed=battery.seed))
    assert [r.digest for r in same] == [r.digest for r in declared]


def test_without_them_a_battery_keeps_its_digest_and_folder(battery):
    # Results folders made before the options existed resume: their config hash is unchanged.
    plain = Overrides(seeds=3)
    assert set(plain.as_dict()) == {"preset", "set", "quick", "seeds"}
    assert (
        BatteryConfig(battery, plain).hash()
        != BatteryConfig(battery, Overrides(seeds=3, burn_in=500)).hash()
    )
    assert default_folder(plain, battery).name == "facts"
    names = {default_folder(o, battery).name for o in (Overrides(burn_in=500), Overrides(seed=5))}
    assert len(names) == 2 and all(n.startswith("facts-") for n in names)


def test_the_report_says_how_the_battery_was_run(tmp_path, capsys):
    out = tmp_path / "b"
    argv = ["facts", "--quick", "--only", "prevalence", "--burn-in", "40", "--seed", "7"]
    assert main([*argv, "--workers", "1", "--out", str(out), "--no-progress"]) == 0
    report = json.loads((out / "report" / "facts.json").read_text())
    assert report["battery"]["seed"] == 7
    assert report["battery"]["settings"]["standard"]["burn_in"] == 40
    assert report["battery"]["overrides"]["burn_in"] == 40
    text = (out / "report" / "report.md").read_text()
    # The command is the one given here, not this process's own (pytest's) arguments.
    assert f"Command: `supportnet {' '.join(argv)} --workers 1 --out {out} --no-progress`" in text
    assert "after a burn-in of 40 steps" in text and "battery seed 7" in text
    assert "Burn-in 40 steps" in text


@pytest.mark.parametrize("option", ["--burn-in", "--seed"])
def test_a_negative_value_is_one_clear_line(option, capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["facts", "--quick", option, "-1", "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert option in err and "-1 is not allowed" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
