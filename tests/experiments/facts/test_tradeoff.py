"""A trade-off: the battery at several values of one parameter, each check along it."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from supportnet.experiments.facts import tradeoff


def test_runs_each_value_and_draws_each_check_along_the_parameter(tmp_path, capsys):
    out = tmp_path / "lw"
    argv = ["loneliness_weight", "0.05,0.4", "--only", "lonely-depressed", "--quick"]
    assert tradeoff.main([*argv, "--workers", "1", "--out", str(out)]) == 0
    table = pd.read_csv(out / "tradeoff.csv")
    assert sorted(table["value"].unique()) == [0.05, 0.4]
    assert set(table["check"]) == {"cross-sectional r", "standardised lagged effect (1 year)"}
    # Each row is the check as that value's own battery judged it.
    for value, folder in ((0.05, "loneliness_weight=0.05"), (0.4, "loneliness_weight=0.4")):
        report = json.loads((out / folder / "report" / "facts.json").read_text())
        (fact,) = report["facts"]
        for check in fact["checks"]:
            row = table[(table["value"] == value) & (table["check"] == check["label"])].iloc[0]
            assert row["mean"] == pytest.approx(check["mean"])
            assert row["verdict"] == check["verdict"]
    # More weight on loneliness in depression: loneliness and depression go together more.
    r = table[table["check"] == "cross-sectional r"].set_index("value")["mean"]
    assert r[0.4] > r[0.05]
    assert (out / "tradeoff.png").stat().st_size > 10_000
    # Again: every battery resumes with nothing to run, and the table is the same.
    assert tradeoff.main([*argv, "--workers", "1", "--out", str(out)]) == 0
    assert "0 to run" in capsys.readouterr().out or pd.read_csv(out / "tradeoff.csv").equals(table)


def test_a_value_out_of_range_is_one_clear_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        tradeoff.main(["loneliness_weight", "0.1,7", "--only", "prevalence", "--quick",
                       "--out", str(tmp_path / "x")])  # fmt: skip
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "loneliness_weight" in err and "7" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        tradeoff.main(["loneliness_weight", "a,b", "--only", "prevalence", "--out", "x"])
    assert exc.value.code == 2 and "not a comma-separated list" in capsys.readouterr().err
