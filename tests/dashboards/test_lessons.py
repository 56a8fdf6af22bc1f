"""The Lessons tab: reading docs/lessons/ (on temporary folders), and the tab's buttons."""

from __future__ import annotations

import base64
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

import supportnet
from supportnet.dashboards.lessons import (
    LESSONS,
    LESSONS_DIR,
    inline_images,
    read_lesson,
    read_lessons,
    summary_of,
    title_of,
)
from supportnet.dashboards.lessons_tab import LessonsTab
from supportnet.dashboards.session import Session
from supportnet.params import PRESETS

from .helpers import page_text

#: A tiny PNG (1 x 1 pixel).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

LESSON_ONE = """# Lesson 1: Does support protect?

Students predict, then run two matched towns and read who is protected.

## Learning goals

- Tell buffering from a main effect.

![A and B at step 300](images/one.png)
![Not drawn yet](images/none.png "missing")
"""

LESSON_TWO = """# Lesson 2: Is loneliness catching?

## Learning goals

- Read a network picture.
- Tell contagion from drifting apart.

## Set up

Press the button.
"""


@pytest.fixture
def folder(tmp_path):
    """A lessons folder with lessons 1 and 2 (lesson 3 is not written yet) and one figure."""
    lessons = tmp_path / "docs" / "lessons"
    (lessons / "images").mkdir(parents=True)
    (lessons / "images" / "one.png").write_bytes(PNG)
    (lessons / "1-buffering.md").write_text(LESSON_ONE, encoding="utf-8")
    (lessons / "2-loneliness.md").write_text(LESSON_TWO, encoding="utf-8")
    return lessons


def test_the_lessons_are_looked_for_in_the_repository():
    root = Path(supportnet.__file__).resolve().parent.parent  # the checkout (editable install)
    assert root / "docs" / "lessons" == LESSONS_DIR
    assert [preset for _, preset in LESSONS] == [
        "lesson_buffering",
        "lesson_loneliness",
        "lesson_interventions",
    ]
    assert all(preset in PRESETS for _, preset in LESSONS)


def test_title_and_summary(folder):
    one, two, three = read_lessons(folder)[0]
    assert one.title == "Lesson 1: Does support protect?" and one.problem is None
    assert one.summary == "Students predict, then run two matched towns and read who is protected."
    # A lesson that opens with its sections is summarised by its learning goals.
    assert two.summary == "- Read a network picture.\n- Tell contagion from drifting apart."
    assert (one.number, one.preset, two.preset) == (1, "lesson_buffering", "lesson_loneliness")


@pytest.mark.parametrize(
    ("text", "title", "summary"),
    [
        ("", None, ""),  # an empty file: a lesson being written
        ("Notes first.\n\n# Lesson 1\n", None, "Notes first."),
        ("## Lesson 1\n\nText.", None, "Text."),
        (
            "# Lesson 1\n\n![figure](images/a.png)\n\n| a |\n|---|\n\nThe text.",
            "Lesson 1",
            "The text.",
        ),
        ("# Lesson 1 #\n\n## Goals\n\n- a\n\n## Next\n\nLater text.", "Lesson 1", "Later text."),
        ("# L\n\n" + "word " * 200, "L", ("word " * 120).strip() + " …"),  # 600 characters
    ],
)
def test_half_written_lessons_still_read(text, title, summary):
    assert title_of(text) == title
    assert summary_of(text) == summary


def test_figures_are_inlined_and_missing_ones_named(folder):
    text = read_lesson(1, folder).text
    data = base64.b64encode(PNG).decode("ascii")
    assert f"![A and B at step 300](data:image/png;base64,{data})" in text
    assert "images/one.png" not in text
    assert (
        f"*(figure images/none.png is missing: expected at {folder / 'images' / 'none.png'})*"
        in text
    )
    # Web addresses, data URLs and files outside docs/ stay as written.
    for kept in (
        "![w](https://example.org/a.png)",
        "![d](data:image/png;base64,AAAA)",
        "![o](../../secret.png)",
        "![t](notes.txt)",
    ):
        assert inline_images(kept, folder) == kept


def test_a_missing_lesson_file_is_one_line(folder):
    lessons, missing = read_lessons(folder)
    three = lessons[2]
    assert missing is None
    assert three.text is None and three.summary == ""
    assert three.title == PRESETS["lesson_interventions"].title  # the preset's, for its card
    assert (
        three.problem
        == f"3-interventions.md is missing: expected at {folder / '3-interventions.md'}"
    )


def test_a_missing_folder_is_one_line(tmp_path):
    gone = tmp_path / "no-repository" / "docs" / "lessons"
    lessons, missing = read_lessons(gone)
    assert len(lessons) == 3 and all(x.text is None for x in lessons)
    assert str(gone) in missing and "docs/lessons/" in missing
    assert "\n" not in missing


def test_an_unreadable_lesson_is_one_line(folder):
    (folder / "3-interventions.md").mkdir()  # a folder where the file should be: cannot be read
    three = read_lesson(3, folder)
    assert three.text is None and three.problem.startswith("3-interventions.md cannot be read (")


# --- the tab ------------------------------------------------------------------------------------
def _buttons(rc, label: str):
    return [w for w in rc.find(v.Btn).widgets if w.children and w.children[-1] == label]


def test_each_lesson_is_set_up_by_its_button_and_read_in_the_tab(folder):
    session = Session(seed=4, n_people=80, convoy_inner=3, convoy_sympathy=6, convoy_wider=12)
    session.step(3)
    changes, opened = [], []
    box, rc = solara.render(
        LessonsTab(session, lambda: changes.append(1), lambda: opened.append(1), folder),
        handle_error=False,
    )
    text = page_text(box)
    for title in ("Lesson 1: Does support protect?", "Lesson 2: Is loneliness catching?"):
        assert title in text
    assert "3-interventions.md is missing: expected at" in text  # and its card is still there
    assert "Lesson 3: Which help helps most?" in text
    assert len(_buttons(rc, "Set up this lesson")) == 3
    assert len(_buttons(rc, "Read the worksheet")) == 2  # lesson 3 has no file
    for number, (_, preset) in enumerate(LESSONS, 1):
        _buttons(rc, "Set up this lesson")[number - 1].click()
        assert session.preset == preset and len(session.runs) == 2
        assert session.run.steps == 0 and len(changes) == number
        assert f"Lesson {number} is set up: A and B are reset to step 0 (seed 4;" in page_text(box)
    assert "B runs without the interventions). Open the Compare tab" in page_text(box)
    _buttons(rc, "Open the Compare tab")[0].click()
    assert opened == [1]
    # Lesson 1 set up and read: its worksheet, figure inlined.
    _buttons(rc, "Set up this lesson")[0].click()
    shown = page_text(box)
    assert "<h1" in shown and "data:image/png;base64," in shown
    _buttons(rc, "Hide the worksheet")[0].click()
    assert "data:image/png;base64," not in page_text(box)
    _buttons(rc, "Read the worksheet")[1].click()
    assert "Tell contagion from drifting apart" in page_text(box)


def test_without_the_lesson_files_the_tab_says_where_and_still_sets_up(tmp_path):
    session = Session(seed=4, n_people=80, convoy_inner=3, convoy_sympathy=6, convoy_wider=12)
    gone = tmp_path / "docs" / "lessons"
    box, rc = solara.render(
        LessonsTab(session, lambda: None, lambda: None, gone), handle_error=False
    )
    text = page_text(box)
    assert f"The lesson files are not here: they are expected in {gone}" in text
    assert "is missing: expected at" not in text  # one line, not one per lesson
    assert not _buttons(rc, "Read the worksheet")
    _buttons(rc, "Set up this lesson")[1].click()
    assert session.preset == "lesson_loneliness" and len(session.runs) == 2


def test_a_lesson_that_cannot_be_set_up_says_why(folder, monkeypatch):
    session = Session(seed=4, n_people=80, convoy_inner=3, convoy_sympathy=6, convoy_wider=12)
    monkeypatch.setattr(session, "choose_preset", lambda name: "B: something is wrong")
    box, rc = solara.render(
        LessonsTab(session, lambda: None, lambda: None, folder), handle_error=False
    )
    _buttons(rc, "Set up this lesson")[0].click()
    assert "Lesson 1 could not be set up: B: something is wrong" in page_text(box)
    assert not _buttons(rc, "Open the Compare tab")
