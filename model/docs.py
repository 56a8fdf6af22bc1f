"""Regenerate the generated parts of ``docs/model.md`` from the code.

The parameter tables come from the declarations in :mod:`supportnet.params`, and the submodel
descriptions from the docstrings of the phase modules in :mod:`supportnet.mechanisms` (which state
each equation and its source), so the documentation cannot drift from the model.

Run ``python -m supportnet.docs`` (or ``make docs``) after changing either; a test fails while
``docs/model.md`` is out of date.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from pathlib import Path

from . import kinds
from .mechanisms import PHASES
from .params import parameter_table

__all__ = ["generated_sections", "render", "update"]

DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"
_BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[a-z_]+) -->\n)(?P<body>.*?)"
    r"(<!-- END GENERATED: (?P=name) -->)",
    re.S,
)


def _submodels() -> str:
    parts = []
    described: dict[str, int] = {}  # module name -> the section that describes it
    for number, (name, phase) in enumerate(PHASES, 1):
        module = inspect.getmodule(phase)
        if module.__name__ in described:
            # A module that runs as two phases (caregiving: roles, then care) is described once;
            # its later phase gets a heading of its own that points back to that description.
            first = described[module.__name__]
            summary = (inspect.getdoc(phase) or "").partition("\n")[0].strip()
            parts.append(
                f"### 7.{number} Phase {number}, {name.replace('_', ' ')}: {summary}\n\n"
                f"Module: `{module.__name__}` (`{phase.__name__}`), described in section "
                f"7.{first} above.\n\n"
            )
            continue
        described[module.__name__] = number
        doc = inspect.cleandoc(module.__doc__ or "")
        title, _, body = doc.partition("\n")
        parts.append(f"### 7.{number} {title.strip()}\n\nModule: `{module.__name__}`\n\n")
        parts.append(_format_body(body.strip()) + "\n\n")
    return "".join(parts).rstrip() + "\n"


def _format_body(body: str) -> str:
    """Turn a docstring body into markdown: indented equations become code blocks."""
    out, code = [], []
    for line in body.splitlines():
        if line.startswith("    ") and not line.lstrip().startswith("-") and not _is_source(out):
            code.append(line[4:])
            continue
        if code:
            out.append("```\n" + "\n".join(code).rstrip() + "\n```")
            code = []
        if line.strip() == "Sources:":
            out.append("**Sources**")
        elif _is_source(out) and line.startswith("    "):
            stripped = line.strip()
            if _NEW_REFERENCE.match(stripped):
                out.append(f"- {stripped}")
            else:
                out[-1] += " " + stripped
        else:
            out.append(line)
    if code:
        out.append("```\n" + "\n".join(code).rstrip() + "\n```")
    return "\n".join(out)


#: A reference starts with an author: "Surname, X.", "Surname & ..." or "Surname (year)".
_NEW_REFERENCE = re.compile(r"^[A-Z][\w'\-]*(, [A-Z]\.| &| \(\d{4}\))")


def _is_source(out: list[str]) -> bool:
    return "**Sources**" in out


def _kind_tables() -> str:
    head = (
        "| tie kind | "
        + " | ".join(kinds.SUPPORT_TYPES)
        + " | stress relief | contact quality | availability | can end |"
    )  # noqa: E501
    lines = [head, "|---" * (len(kinds.SUPPORT_TYPES) + 5) + "|"]
    for code, name in enumerate(kinds.TIE_KINDS):
        cells = [f"{x:.1f}" for x in kinds.LANDING[code]]
        cells += [
            f"{kinds.STRESS_RELIEF[code]:.1f}",
            f"{kinds.CONTACT_QUALITY[code]:.1f}",
            f"{kinds.AVAILABILITY[code]:.1f}",
            "yes" if kinds.CAN_END[code] else "no",
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| life event | " + " | ".join(kinds.SUPPORT_TYPES) + " |")
    lines.append("|---" * (len(kinds.SUPPORT_TYPES) + 1) + "|")
    for code, name in enumerate(kinds.EVENT_KINDS):
        cells = [f"{x:.1f}" for x in kinds.EVENT_NEEDS[code]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def generated_sections() -> dict[str, str]:
    """Return the generated sections of docs/model.md by marker name."""
    return {
        "parameters": parameter_table(),
        "submodels": _submodels(),
        "kind_tables": _kind_tables(),
    }


def render(text: str) -> str:
    """Return ``text`` with every generated block replaced by its current content."""
    sections = generated_sections()

    def fill(match: re.Match) -> str:
        name = match.group("name")
        if name not in sections:
            raise KeyError(f"docs/model.md has an unknown generated block {name!r}")
        return match.group(1) + sections[name] + match.group(4)

    return _BLOCK.sub(fill, text)


def update(path: Path = DOC, check: bool = False) -> bool:
    """Rewrite the generated blocks of ``path``; return True if it was already up to date."""
    text = path.read_text()
    new = render(text)
    if new == text:
        return True
    if not check:
        path.write_text(new)
    return False


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m supportnet.docs [--check]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether it is current")
    args = parser.parse_args(argv)
    current = update(check=args.check)
    if args.check and not current:
        print(f"{DOC} is out of date: run `python -m supportnet.docs`", file=sys.stderr)
        return 1
    print(f"{DOC}: {'up to date' if current else 'updated'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
