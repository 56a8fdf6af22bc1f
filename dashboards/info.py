"""The Info tab: what the model is and how to use it, written for students (NetLogo's Info tab).

The text lives in ``info.md`` beside this module, so teachers can read or adapt it without
touching code; its section headings follow NetLogo's (what is it, how it works, how to use it,
things to notice, things to try, extending the model, credits and references).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import solara

__all__ = ["SECTIONS", "InfoTab", "info_text"]

#: The section headings, in order (a test checks the text has each).
SECTIONS = (
    "What is it?",
    "How it works",
    "How to use it",
    "Things to notice",
    "Things to try",
    "Extending the model",
    "Credits and references",
)


@cache
def info_text() -> str:
    """Return the Info tab's markdown."""
    return (Path(__file__).with_name("info.md")).read_text(encoding="utf-8")


@solara.component
def InfoTab():
    """The Info tab."""
    with solara.Column(style="max-width: 820px"):
        solara.Markdown(info_text())
