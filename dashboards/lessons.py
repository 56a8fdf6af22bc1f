"""The classroom lessons of ``docs/lessons/``, read for the dashboard's Lessons tab.

Each lesson is a Markdown worksheet (``1-buffering.md``, ...) whose first line is its title as a
heading (``# Lesson 1: Does support protect?``), with figures in ``docs/lessons/images/``, and a
preset that sets up its towns (``lesson_buffering``, ...). The files belong to the repository,
not to the package: the package is installed editable from the checkout, so they are found beside
it (:data:`LESSONS_DIR`). An installed wheel has no lessons; a lesson still being written may be
missing, empty or half-written. None of that is an error here: :func:`read_lessons` says in one
line what is missing and where it is expected, and the presets work without the files.

Figures are linked by relative paths (``images/x.png``), which a browser page cannot follow to
the repository: :func:`inline_images` puts each figure into the text as a ``data:`` URL.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import supportnet

__all__ = [
    "LESSONS",
    "LESSONS_DIR",
    "Lesson",
    "inline_images",
    "read_lesson",
    "read_lessons",
    "summary_of",
    "title_of",
]

#: Where the lessons are: ``docs/lessons/`` of the repository the package is installed from.
LESSONS_DIR = Path(supportnet.__file__).resolve().parent.parent / "docs" / "lessons"

#: The lessons in order: file name and the preset that sets up its towns.
LESSONS: tuple[tuple[str, str], ...] = (
    ("1-buffering.md", "lesson_buffering"),
    ("2-loneliness.md", "lesson_loneliness"),
    ("3-interventions.md", "lesson_interventions"),
)

#: Longest summary shown for a lesson (characters); longer ones end at a word with "…".
SUMMARY_CHARS = 600

_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
# ![alt](path) or ![alt](path "title"); the path has no spaces or closing bracket.
_IMAGE = re.compile(r"(!\[[^\]]*\]\()\s*([^)\s]+)((?:\s+\"[^\"]*\")?\s*\))")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+")


@dataclass(frozen=True)
class Lesson:
    """One lesson as the Lessons tab shows it.

    Attributes:
        number: The lesson's number (1, 2, 3).
        preset: Name of the preset that sets up its towns.
        path: Where its file is expected.
        title: Its title: the file's first heading, or the preset's title when there is none.
        summary: A short summary in Markdown: its first paragraph or its learning goals ('' when
            the file has neither yet).
        text: The whole lesson in Markdown with its figures inlined (None when it cannot be read).
        problem: One line saying what is wrong with the file (None when it was read).
    """

    number: int
    preset: str
    path: Path
    title: str
    summary: str
    text: str | None
    problem: str | None = None


def title_of(text: str) -> str | None:
    r"""Return the lesson's title: its first line's level-1 heading, if it starts with one.

    >>> title_of("# Lesson 1: Does support protect?\n\nSome text")
    'Lesson 1: Does support protect?'
    >>> title_of("Some text") is None
    True
    """
    for line in text.splitlines():
        if line.strip():
            m = _HEADING.match(line.strip())
            return m.group(2) if m and len(m.group(1)) == 1 else None
    return None


def _blocks(lines: list[str]) -> list[list[str]]:
    """Split lines into blocks: headings alone, other runs of lines between blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not line.strip() or _HEADING.match(line.strip()):
            if current:
                blocks.append(current)
                current = []
            if line.strip():
                blocks.append([line])
            continue
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _is_paragraph(block: list[str]) -> bool:
    first = block[0].lstrip()
    return not (
        _HEADING.match(first)
        or _LIST_ITEM.match(block[0])
        or first.startswith(("![", "|", "<", "```", "~~~", "---", "***", "> ["))
    )


def _shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def summary_of(text: str) -> str:
    r"""Return a short summary of a lesson: its first paragraph, or its learning goals.

    The first paragraph is the first one after the title and before the first section; a
    lesson that opens with sections instead is summarised by the list under its "Learning goals"
    heading; failing both, its first paragraph anywhere. Returns '' when there is none yet.

    >>> summary_of("# Lesson 9\n\n## Learning goals\n\n- One\n- Two\n\n## Steps\n\nGo.")
    '- One\n- Two'
    >>> summary_of("# Lesson 9\n\nStudents compare two towns.\n\n## Steps\n\nGo.")
    'Students compare two towns.'
    """
    lines = text.splitlines()
    if title_of(text) is not None:  # the title is not part of the summary
        first = next(i for i, line in enumerate(lines) if line.strip())
        lines = lines[first + 1 :]
    blocks = _blocks(lines)
    heading = next((i for i, b in enumerate(blocks) if _HEADING.match(b[0].strip())), len(blocks))
    for block in blocks[:heading]:
        if _is_paragraph(block):
            return _shorten(" ".join(line.strip().lstrip("> ") for line in block))
    for i, block in enumerate(blocks):
        m = _HEADING.match(block[0].strip())
        if m and "learning goal" in m.group(2).lower():
            items = []
            for after in blocks[i + 1 :]:
                if _HEADING.match(after[0].strip()):
                    break
                items += [line.rstrip() for line in after if line.strip()]
            listed = [line for line in items if _LIST_ITEM.match(line)]
            if listed:
                return _shorten("\n".join(items))
    for block in blocks:
        if _is_paragraph(block):
            return _shorten(" ".join(line.strip() for line in block))
    return ""


def inline_images(text: str, folder: Path) -> str:
    """Put the figures a lesson links by relative path into its text as ``data:`` URLs.

    Args:
        text: The lesson's Markdown.
        folder: The folder its relative paths start from (``docs/lessons``).

    Returns:
        The text with each readable figure inside ``folder``'s parent (``docs/``) inlined; a
        figure that is missing becomes a line in italics naming it. Web addresses and ``data:``
        URLs are left as they are.
    """
    docs = folder.resolve().parent

    def replace(m: re.Match[str]) -> str:
        target = m.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("/"):
            return m.group(0)  # a web address, a data: URL or an absolute path: as written
        path = (folder / target).resolve()
        kind = _IMAGE_TYPES.get(path.suffix.lower())
        if kind is None or not path.is_relative_to(docs):
            return m.group(0)
        try:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
        except OSError:
            return f"*(figure {target} is missing: expected at {path})*"
        return f"{m.group(1)}data:{kind};base64,{data}{m.group(3)}"

    return _IMAGE.sub(replace, text)


def read_lesson(number: int, folder: Path = LESSONS_DIR) -> Lesson:
    """Read lesson ``number`` (1, 2, 3) from ``folder``; never raises for a missing file.

    Args:
        number: The lesson's number, counted from 1 in :data:`LESSONS`.
        folder: The lessons' folder.

    Returns:
        The lesson; when its file is missing or unreadable, ``text`` is None and ``problem``
        says which file was expected where (the title is then the preset's).
    """
    from supportnet.params import PRESETS

    name, preset = LESSONS[number - 1]
    path = folder / name
    fallback = PRESETS[preset].title
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        problem = f"{name} is missing: expected at {path}"
        return Lesson(number, preset, path, fallback, "", None, problem)
    except OSError as exc:
        problem = f"{name} cannot be read ({exc.strerror or type(exc).__name__}): {path}"
        return Lesson(number, preset, path, fallback, "", None, problem)
    return Lesson(
        number,
        preset,
        path,
        title_of(text) or fallback,
        summary_of(text),
        inline_images(text, folder),
    )


def read_lessons(folder: Path = LESSONS_DIR) -> tuple[list[Lesson], str | None]:
    """Read every lesson of :data:`LESSONS` from ``folder``.

    Returns:
        The lessons (each with its own ``problem`` if its file is missing), and one line saying
        where the lessons are expected when ``folder`` itself is missing (else None).
    """
    lessons = [read_lesson(i + 1, folder) for i in range(len(LESSONS))]
    if folder.is_dir():
        return lessons, None
    return lessons, (
        f"The lesson files are not here: they are expected in {folder} (docs/lessons/ of the "
        "SupportNet repository; an installed package without the repository has none). The "
        "buttons still set up each lesson's towns."
    )
