"""`supportnet run`, `params` and `presets` as a user types them."""

import argparse
import subprocess
import sys

import pandas as pd
import pytest

from supportnet.experiments.cli import main, positive_int, whole_number

SMALL = [
    "--set",
    "n_people=80",
    "--set",
    "convoy_wider=10",
    "--set",
    "convoy_sympathy=6",
    "--set",
    "convoy_inner=3",
]  # noqa: E501


def test_run_prints_a_readable_summary(capsys):
    assert main(["run", "--steps", "30", "--seed", "1", *SMALL]) == 0
    out = capsys.readouterr().out
    for text in (
        "SupportNet run: 30 steps, 80 people, seed 1",
        "depression",
        "lonely fraction",
        "Network (convoy): ties",
        "Buffering estimate",
        "Loneliness correlation by distance",
    ):
        assert text in out
    assert "SISa" not in out  # the mood layer is off by default


def test_run_with_the_sisa_mood_layer_prints_the_mood_shares(capsys):
    args = ["--set", "sisa=true", "--set", "network=random_regular", "--set", "n_people=200"]
    assert main(["run", "--steps", "20", "--seed", "2", *args]) == 0
    out = capsys.readouterr().out
    shares = {}
    for mood in ("neutral", "content", "discontent"):
        line = next(x for x in out.splitlines() if x.startswith(f"{mood} (SISa share)"))
        shares[mood] = float(line.split()[-2])  # the final share
    assert abs(sum(shares.values()) - 1) < 0.01 and min(shares.values()) > 0


def test_same_seed_writes_identical_tables_different_seeds_differ(tmp_path, capsys):
    paths = [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.parquet"]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        assert main(["run", "--steps", "20", "--seed", str(seed), "--out", str(path), *SMALL]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    a = pd.read_csv(paths[0], index_col=0)
    c = pd.read_parquet(paths[2])
    assert len(a) == 21 and not a["mean_stress"].equals(c["mean_stress"])
    assert "Wrote 21 rows" in capsys.readouterr().out


def test_preset_and_network_file(tmp_path, capsys):
    assert (
        main(
            ["run", "--steps", "5", "--preset", "isolated_elderly_village", "--set", "n_people=60"]
        )
        == 0
    )  # noqa: E501
    assert "preset isolated_elderly_village" in capsys.readouterr().out
    net = tmp_path / "net.txt"
    net.write_text("a b\nb c\nc a\nc d\n")
    assert main(["run", "--steps", "5", "--network", str(net)]) == 0
    out = capsys.readouterr().out
    assert "4 people" in out and "network file" in out


def test_a_presets_interventions_act_and_its_comparison_is_named(capsys):
    small = ["--set", "n_people=120", "--set", "n_groups=10", "--steps", "305"]
    assert main(["run", "--preset", "lesson_interventions", *small]) == 0
    out = capsys.readouterr().out
    assert "preset lesson_interventions" in out
    line = next(x for x in out.splitlines() if x.startswith("Intervention peer_groups"))
    assert "budget 30/step from step 300" in line and "acted 6 steps" in line, line  # steps 300-305
    assert "B: the same town without the interventions" in out and "town A alone" in out
    # An --intervention of the preset's kind replaces the preset's.
    args = ["--intervention", "peer_groups:start=301,budget=10"]
    assert main(["run", "--preset", "lesson_interventions", *small, *args]) == 0
    out = capsys.readouterr().out
    assert [x for x in out.splitlines() if x.startswith("Intervention ")] == [
        next(x for x in out.splitlines() if "budget 10/step from step 301" in x)
    ]


def test_a_preset_without_interventions_runs_none(capsys):
    assert main(["run", "--preset", "lesson_buffering", "--steps", "2", *SMALL]) == 0
    out = capsys.readouterr().out
    assert "Intervention" not in out
    assert "(B: buffering = off) in the dashboard's Compare tab" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "stresor_rate=0.1"], "did you mean 'stressor_rate'"),
        (["--set", "stressor_rate=2"], "'stressor_rate': 2.0 is out of range"),
        (["--set", "buffering=maybe"], "expected true or false"),
        (["--set", "stressor_rate"], "expected NAME=VALUE"),
        (["--preset", "pandemik"], "did you mean 'pandemic_shock'"),
        (["--network", "/no/such/file.txt"], "does not exist"),
        (["--out", "table.xlsx"], "allowed: .csv, .parquet"),
        (["--set", "n_people=30"], "must be smaller than n_people"),
    ],
)
def test_errors_are_one_line_messages_with_exit_status_2(args, message, capsys):
    assert main(["run", "--steps", "2", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_arguments_exit_2_without_traceback():
    r = subprocess.run(
        [sys.executable, "-m", "supportnet.experiments.cli", "run", "--steps", "-1"],
        capture_output=True,
        text=True,
    )  # noqa: E501
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "argument --steps: -1 is not allowed; expected a whole number >= 1" in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "0"], "argument --steps: 0 is not allowed; expected a whole number >= 1"),
        (
            ["--steps", "2.5"],
            "argument --steps: '2.5' is not allowed; expected a whole number >= 1",
        ),
        (["--seed", "-1"], "argument --seed: -1 is not allowed; expected a whole number >= 0"),
        (["--seed", "one"], "argument --seed: 'one' is not allowed; expected a whole number >= 0"),
        (["--seed", "-" + "9" * 50], f"argument --seed: -{'9' * 39}... is not allowed"),
        (["--steps", "x" * 50], f"argument --steps: '{'x' * 40}...' is not allowed"),
    ],
)
def test_bad_whole_numbers_name_the_option_the_value_and_what_is_allowed(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", *args])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and "Traceback" not in err


def test_whole_number_takes_its_lower_bound_and_more():
    seed = whole_number(0, "a whole number >= 0")
    assert [seed("0"), seed("7"), seed(" 12 ")] == [0, 7, 12]
    with pytest.raises(argparse.ArgumentTypeError, match=r"^-1 is not allowed; expected a whole"):
        seed("-1")
    with pytest.raises(argparse.ArgumentTypeError, match=r"^'' is not allowed; expected a whole"):
        seed("")
    assert positive_int("1") == 1
    with pytest.raises(argparse.ArgumentTypeError, match=r"^0 is not allowed; expected a whole"):
        positive_int("0")


def test_an_existing_output_is_replaced_atomically(tmp_path):
    out = tmp_path / "sub" / "run.csv"
    assert main(["run", "--steps", "3", "--out", str(out), *SMALL]) == 0
    first = out.read_bytes()
    assert main(["run", "--steps", "3", "--seed", "2", "--out", str(out), *SMALL]) == 0
    assert out.read_bytes() != first and not list(out.parent.glob(".*tmp"))


def test_params_and_presets(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "stressor_rate" in out and "0 – 1" in out and "parameters." in out
    assert main(["params", "--group", "ties", "--markdown"]) == 0
    assert "| `strengthen_rate` |" in capsys.readouterr().out
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert "pandemic_shock: Pandemic shock" in out
    assert "lesson_buffering: Lesson 1: Does support protect?" in out
    assert "  Also sets a comparison (B: buffering = off)." in out
