"""Generate the config reference of ``docs/experiments.md`` from :mod:`~.experiments.schema`.

``python -m supportnet.experiments.docs`` rewrites the text between the markers
``<!-- config-reference:start -->`` and ``<!-- config-reference:end -->`` (and the measure list
between ``<!-- measures:start/end -->``); ``--check`` exits 1 when the file is out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from supportnet import metrics

from .files import write_text
from .schema import SECTIONS

__all__ = ["measures_list", "reference", "update"]

DOC = Path(__file__).resolve().parent.parent / "docs" / "experiments.md"

_TITLES = {
    "": "Top level",
    "design": "`[design]`",
    "output": "`[output]`",
    "control": "`[control]`",
    "arms[]": "`[[arms]]` (each table)",
    "ratios[]": "`[[ratios]]` (each table)",
    "interventions[]": "`[[interventions]]` (each table; also in `[[arms]]` and `[control]`)",
}


def _default(key) -> str:
    if key.required:
        return "required"
    if key.default is None:
        return "—"
    if isinstance(key.default, bool):
        return str(key.default).lower()
    if key.default in ({}, [], ""):
        return (
            "(none)"
            if key.kind != "list"
            else "(all)"
            if key.name == "measures"
            else "(see meaning)"
        )  # noqa: E501
    return f"`{key.default!r}`".replace("'", '"')


def reference() -> str:
    """Return the config reference as markdown tables, one per section."""
    out = []
    for section, keys in SECTIONS.items():
        out.append(f"#### {_TITLES[section]}\n")
        out.append("| key | type | default | allowed | meaning |")
        out.append("|---|---|---|---|---|")
        for k in keys:
            cells = [f"`{k.name}`", k.kind, _default(k), k.allowed(), k.meaning]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        out.append("")
        if section == "interventions[]":
            out.append(_intervention_settings())
    return "\n".join(out).rstrip() + "\n"


def _intervention_settings() -> str:
    """Return the settings every intervention kind shares (from supportnet.interventions)."""
    try:
        from supportnet.interventions import COMMON_PARAMETERS, INTERVENTIONS
    except ImportError:
        return "(supportnet.interventions is not available in this version.)\n"
    lines = [
        "Kinds: " + ", ".join(f"`{k}`" for k in INTERVENTIONS) + ". Settings every kind has "
        "(each kind's own settings are in docs/interventions.md):\n",
        "| key | type | default | allowed | meaning |",
        "|---|---|---|---|---|",
    ]
    for p in COMMON_PARAMETERS:
        default = p.default if p.type in (str, int) else f"{p.default:g}"
        default = "(depends on the kind)" if p.name == "targeting" else f"`{default}`"
        cells = [f"`{p.name}`", p.type.__name__, default, p.allowed(), p.meaning]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def measures_list() -> str:
    """Return the measure names as a markdown paragraph (outcomes in bold)."""
    names = [f"**`{m}`**" if m in metrics.OUTCOMES else f"`{m}`" for m in metrics.ALL_MEASURES]
    return ", ".join(names) + "\n"


def _replace(text: str, marker: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{DOC}: markers <!-- {marker}:start/end --> not found")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def update(path: Path = DOC) -> str:
    """Return the document with its generated parts brought up to date."""
    text = path.read_text(encoding="utf-8")
    text = _replace(text, "config-reference", reference())
    return _replace(text, "measures", measures_list())


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check``, verify) the generated parts of docs/experiments.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    new = update(DOC)
    if args.check:
        if new != DOC.read_text(encoding="utf-8"):
            print(
                f"{DOC} is out of date: run python -m supportnet.experiments.docs", file=sys.stderr
            )
            return 1
        return 0
    write_text(DOC, new)
    print(f"Updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
