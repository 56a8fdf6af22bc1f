"""Robustness: the battery as declared and run other ways, each check's verdict side by side."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from supportnet.experiments.facts import robustness


def test_runs_each_variant_and_lays_the_verdicts_side_by_side(tmp_path, capsys):
    out = tmp_path / "rob"
    argv = ["--only", "prevalence", "--quick", "--burn-in", "40", "--seed", "9", "--sizes", "300"]
    assert robustness.main([*argv, "--workers", "1", "--out", str(out)]) == 0
    table = pd.read_csv(out / "robustness.csv")
    assert list(dict.fromkeys(table["variant"])) == [
        "declared",
        "burn-in-40",
        "other-towns",
        "town-300",
    ]
    # Each row is the check as that variant's own battery judged it, and the battery was run
    # the way the variant says.
    how = {
        "declared": lambda b: b["settings"]["standard"]["burn_in"] == 100,  # the quick burn-in
        "burn-in-40": lambda b: b["settings"]["standard"]["burn_in"] == 40,
        "other-towns": lambda b: b["seed"] == 9,
        "town-300": lambda b: b["overrides"]["set"] == {"n_people": 300, "n_groups": 21},
    }
    for variant, holds in how.items():
        report = json.loads((out / variant / "report" / "facts.json").read_text())
        assert holds(report["battery"]), variant
        (fact,) = report["facts"]
        for check in fact["checks"]:
            row = table[(table["variant"] == variant) & (table["check"] == check["label"])].iloc[0]
            assert row["mean"] == pytest.approx(check["mean"])
            assert row["verdict"] == check["verdict"]
    # Other towns and another burn-in measure something else: not a copy of the declared run.
    lonely = table[table["check"] == "lonely (share)"].set_index("variant")["mean"]
    assert (
        lonely["other-towns"] != lonely["declared"] and lonely["burn-in-40"] != lonely["declared"]
    )
    text = (out / "robustness.md").read_text()
    assert "| prevalence | lonely (share) | 0.1 to 0.25 |" in text
    assert "a town of 300 (21 groups)" in text and "facts pass" in text
    assert (out / "robustness.png").stat().st_size > 5_000


def test_variants_leave_out_what_is_not_asked_for():
    names = [v.name for v in robustness.variants(burn_in=None, seed=None, sizes=())]
    assert names == ["declared"]
    (town,) = [v for v in robustness.variants(sizes=(2000,)) if v.name == "town-2000"]
    assert town.args == ("--set", "n_people=2000", "--set", "n_groups=140")


@pytest.mark.parametrize(
    "args, message",
    [(["--sizes", "a,b"], "not a comma-separated list"), (["--sizes", "1"], "at least 2 people"),
     (["--burn-in", "-5"], "-5 is not allowed")],
)  # fmt: skip
def test_mistakes_are_one_clear_line(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        robustness.main(["--only", "prevalence", *args, "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_each_battery_gets_the_options_of_its_variant(tmp_path, monkeypatch):
    import supportnet.experiments.cli as cli

    calls = []
    monkeypatch.setattr(cli, "main", lambda argv: calls.append(argv) or 0)
    monkeypatch.setattr(robustness, "collect", lambda chosen, out: None)
    chosen = robustness.variants(burn_in=500, seed=3, sizes=(2000,))
    robustness.run_robustness(chosen, "layers", tmp_path, seeds=20, workers=2, force=True)
    assert [c[c.index("--out") + 1] for c in calls] == [
        str(tmp_path / n) for n in ("declared", "burn-in-500", "other-towns", "town-2000")
    ]
    for argv, variant in zip(calls, chosen, strict=True):
        assert argv[:3] == ["facts", "--only", "layers"]
        assert " ".join(variant.args) in " ".join(argv)
        assert argv[-5:] == ["--seeds", "20", "--workers", "2", "--force"]
