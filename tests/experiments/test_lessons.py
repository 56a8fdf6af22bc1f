"""The lessons' worksheets against the model: what each says students will see still happens.

The slow tests run each lesson's towns (its preset, the worksheet's changes, as many steps as
the worksheet says) over the first seeds of the answer keys and check every claim of
``supportnet.experiments.lessons.claims`` with the rule ``make lessons`` uses: the sign in
(nearly) every town and a rough size for the mean. A model change that breaks a lesson fails
here; then re-run ``make lessons`` and read the lesson again.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from supportnet.experiments.lessons import CLAIMS, LESSONS, SEEDS, evaluate
from supportnet.experiments.lessons.__main__ import MARKERS, answer_table, main, paste
from supportnet.experiments.lessons.claims import Claim, ClaimResult
from supportnet.experiments.lessons.figures import draw
from supportnet.params import PRESETS

# The answer keys' first three seeds (the dashboard's default first).
TEST_SEEDS = SEEDS[:3]


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_what_the_worksheet_says_still_happens(lesson):
    run = LESSONS[lesson][1]
    measures = [run(seed) for seed in TEST_SEEDS]
    failed = [r.why_not() for r in evaluate(lesson, measures) if not r.holds]
    assert not failed, "\n".join(failed)


def test_every_lesson_has_its_preset_worksheet_and_claims():
    for lesson, (doc, _) in LESSONS.items():
        assert f"lesson_{lesson}" in PRESETS
        assert CLAIMS[lesson], lesson
        assert doc.split("-", 1)[1] == f"{lesson}.md"
    keys = [(c.lesson, c.key) for claims in CLAIMS.values() for c in claims]
    assert len(keys) == len(set(keys))


def _claim(**kw) -> Claim:
    base = dict(lesson="x", key="k", says="it rises", value=lambda m: m["v"], sign=1)
    return Claim(**{**base, "low": 0.1, "high": 1.0, **kw})


def test_a_claim_holds_only_with_its_sign_in_enough_towns_and_its_size():
    holds = ClaimResult(_claim(), (0.2, 0.3, 0.4))
    assert holds.holds and holds.why_not() == ""
    assert holds.ci[0] < holds.mean < holds.ci[1]
    one_against = ClaimResult(_claim(), (0.5, 0.5, -0.1, 0.5))
    assert one_against.mean > 0.1 and not one_against.holds  # every town must show it
    assert ClaimResult(_claim(min_share=0.75), (0.5, 0.5, -0.1, 0.5)).holds
    too_small = ClaimResult(_claim(), (0.01, 0.02))
    assert not too_small.holds
    assert "mean 0.015 (allowed 0.1 to 1)" in too_small.why_not()
    negative = ClaimResult(_claim(sign=-1, low=-1.0, high=-0.1), (-0.3, -0.2))
    assert negative.holds and negative.share == 1.0


def test_answer_table_is_pasted_between_the_markers_and_nothing_else_moves(tmp_path):
    doc = tmp_path / "1-x.md"
    start, end = MARKERS
    doc.write_text(f"# Lesson\n\nbefore\n\n{start}\nold table\n{end}\n\nafter\n")
    results = [ClaimResult(_claim(says="B - A is positive."), (0.2, 0.3, 0.4))]
    table = answer_table(results, (42, 1, 2), "commit abc, 2026-12-03")
    assert paste(doc, table)
    text = doc.read_text()
    assert text.startswith("# Lesson\n\nbefore\n\n" + start + "\n")
    assert text.endswith(end + "\n\nafter\n")
    assert "old table" not in text
    assert "| B - A is positive. | +0.300 [" in text and "| 3 of 3 | yes |" in text
    assert paste(doc, table) and doc.read_text() == text  # idempotent
    plain = tmp_path / "2-y.md"
    plain.write_text("no markers\n")
    assert not paste(plain, table) and plain.read_text() == "no markers\n"


class _AnyMeasures(dict):
    """Measures with any name a claim or figure reads: a value drawn on first read."""

    def __init__(self, seed: int):
        super().__init__()
        self.rng = np.random.default_rng(seed)

    def __missing__(self, key):
        self[key] = float(self.rng.uniform(0.05, 0.5))
        return self[key]


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_figures_are_drawn_from_the_measures(lesson, tmp_path):
    path = draw(lesson, [_AnyMeasures(s) for s in range(3)], tmp_path)
    assert path.exists() and path.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--only", "buffring"], "--only: buffring not allowed; expected buffering, loneliness"),
        (["--seeds", "0"], "--seeds: 0 is not allowed; expected 1 to 8"),
        (["--workers", "0"], "--workers: 0 is not allowed"),
    ],
)
def test_bad_options_get_one_line(argv, says, capsys, tmp_path):
    assert main([*argv, "--dir", str(tmp_path)]) == 2
    assert says in capsys.readouterr().out
    assert not (tmp_path / "expected.json").exists()


def test_the_command_writes_numbers_figure_and_answer_key(tmp_path, monkeypatch):
    """One lesson, one seed, towns replaced by a fake (the real towns are tested above)."""
    import supportnet.experiments.lessons as lessons

    def towns(seed):
        m = _AnyMeasures(seed)
        draw("buffering", [m], tmp_path / "probe")  # reads every name the figure needs
        for c in CLAIMS["buffering"]:
            c.value(m)
        return dict(m)

    fake = {"buffering": ("1-buffering.md", towns)}
    monkeypatch.setattr(lessons, "LESSONS", fake)
    monkeypatch.setattr("supportnet.experiments.lessons.__main__.LESSONS", fake)
    start, end = MARKERS
    (tmp_path / "1-buffering.md").write_text(f"# L\n{start}\n{end}\n")
    code = main(["--only", "buffering", "--seeds", "2", "--workers", "1", "--dir", str(tmp_path)])
    record = json.loads((tmp_path / "expected.json").read_text())
    assert record["buffering"]["seeds"] == [42, 1]
    assert set(record["buffering"]["claims"]) == {c.key for c in CLAIMS["buffering"]}
    assert code == (0 if all(c["holds"] for c in record["buffering"]["claims"].values()) else 1)
    assert (tmp_path / "images" / "lesson1-buffering.png").exists()
    assert "| what students should see |" in (tmp_path / "1-buffering.md").read_text()


def test_the_extension_configs_are_valid_experiments():
    """Each lesson's extension sweep parses, with the runs its comment promises."""
    from pathlib import Path

    from supportnet.experiments.config import load_config
    from supportnet.experiments.plan import plan_runs

    folder = Path(__file__).resolve().parents[2] / "docs" / "lessons" / "configs"
    runs = {p.stem: len(plan_runs(load_config(p))) for p in sorted(folder.glob("*.toml"))}
    assert runs == {"lesson1-buffering": 24, "lesson2-loneliness": 30, "lesson3-interventions": 32}
