"""The Lessons tab: the classroom lessons of ``docs/lessons/``, each set up with one button.

For teachers and students: each lesson is listed with its title and a short summary, and
**Set up this lesson** loads its preset, exactly as choosing it in the Preset picker does (its
values, interventions and comparison, then one reset, and the whole page redraws). Reading a
lesson opens its worksheet under it, figures included. The files are read by
:mod:`~supportnet.dashboards.lessons`; when they are missing the tab says where they are
expected, and the buttons still work.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import solara

from supportnet.params import PRESETS

from .lessons import LESSONS_DIR, Lesson, read_lessons
from .session import Session

__all__ = ["LessonsTab", "set_up_message"]


def set_up_message(session: Session, lesson: Lesson, error: str | None) -> str:
    """What the tab says after **Set up this lesson**: what happened, and where to go next."""
    if error:
        return f"Lesson {lesson.number} could not be set up: {error}"
    b = session.comparison.describe() if session.comparison else "A alone"
    return (
        f"Lesson {lesson.number} is set up: A and B are reset to step 0 (seed {session.seed}; "
        f"{b}). Open the Compare tab and press Play."
    )


@solara.component
def LessonsTab(
    session: Session,
    on_change: Callable[[], None],
    open_compare: Callable[[], None],
    folder: Path = LESSONS_DIR,
):
    """The Lessons tab.

    Args:
        session: The page's session (a lesson's button chooses its preset there).
        on_change: Called after a lesson was set up (the sidebar and the views redraw).
        open_compare: Switches the page to the Compare tab.
        folder: Where the lesson files are.
    """
    # Read when the tab opens (it is drawn only while open), so edited files show on reopening.
    lessons, missing = solara.use_memo(lambda: read_lessons(folder), [folder])
    shown, set_shown = solara.use_state(None)  # number of the lesson read in full
    said, set_said = solara.use_state(None)  # (lesson number, message, whether it failed)

    def set_up(lesson: Lesson) -> None:
        error = session.choose_preset(lesson.preset)
        set_said((lesson.number, set_up_message(session, lesson, error), error is not None))
        if lesson.text is not None:
            set_shown(lesson.number)
        on_change()

    with solara.Column(style="max-width: 860px", classes=["sn-lessons"]):
        solara.Markdown(
            "Three classroom lessons of 45-60 minutes, each a predict-observe-explain worksheet "
            "run on two matched towns, **A** and **B**, from the same seed. **Set up this "
            "lesson** loads its towns (as the Preset picker does) and restarts from step 0; then "
            "follow the worksheet, here or printed from `docs/lessons/`."
        )
        if missing:
            solara.Warning(missing, dense=True)
        for lesson in lessons:
            with solara.Card(margin=0, classes=["sn-lesson"]).key(f"lesson-{lesson.number}"):
                solara.Markdown(f"### {lesson.title}")
                if lesson.summary:
                    solara.Markdown(lesson.summary)
                elif lesson.problem and not missing:
                    solara.Text(lesson.problem, style="font-size: 13px; color: #666")
                solara.Text(
                    "The towns: " + PRESETS[lesson.preset].story,
                    style="font-size: 12px; color: #555",
                )
                with solara.Row(style="align-items: center; flex-wrap: wrap"):
                    solara.Button(
                        "Set up this lesson",
                        color="primary",
                        on_click=lambda lesson=lesson: set_up(lesson),
                    )
                    if lesson.text is not None:
                        reading = shown == lesson.number
                        solara.Button(
                            "Hide the worksheet" if reading else "Read the worksheet",
                            text=True,
                            color="primary",
                            on_click=lambda n=lesson.number, r=reading: set_shown(None if r else n),
                        )
                if said is not None and said[0] == lesson.number:
                    if said[2]:
                        solara.Error(said[1], dense=True)
                    else:
                        with solara.Row(style="align-items: center; flex-wrap: wrap"):
                            solara.Success(said[1], dense=True)
                            solara.Button(
                                "Open the Compare tab",
                                text=True,
                                color="primary",
                                on_click=open_compare,
                            )
                if shown == lesson.number and lesson.text is not None:
                    with solara.Column(classes=["sn-lesson-text"]):
                        solara.Markdown(lesson.text)
