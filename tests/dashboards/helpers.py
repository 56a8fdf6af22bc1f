"""Helpers shared by the dashboard tests: a small sweep folder, widget finders."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

#: The varied parameters of the test sweep and their levels.
LEVELS = {"stressor_rate": [0.02, 0.05, 0.1], "buffering": [True, False]}
REPLICATIONS = 4


def make_sweep(folder: Path, manifest: bool = True, fmt: str = "parquet") -> pd.DataFrame:
    """Write a small sweep folder the way `supportnet sweep` does (manifest + summary table).

    Outcomes are made up, with a known shape: mean stress rises with the stressor rate, more
    without buffering; replications scatter around that by a known amount.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    rows = []
    point = 0
    for rate in LEVELS["stressor_rate"]:
        for buffering in LEVELS["buffering"]:
            for rep in range(REPLICATIONS):
                stress = 0.1 + 2 * rate * (1.0 if buffering else 1.5) + rng.normal(0, 0.01)
                rows.append(
                    {
                        "run_id": f"main-p{point:02d}-r{rep:02d}",
                        "arm": "main",
                        "point": point,
                        "replication": rep,
                        "seed": 1000 + 10 * point + rep,
                        "stressor_rate": rate,
                        "buffering": buffering,
                        "n_people": 100,  # constant: not a factor
                        "mean_stress": stress,
                        "mean_depression": 0.1 + rate + rng.normal(0, 0.01),
                        "buffering_interaction": float("nan"),  # all NaN: not an outcome
                        "note": "text column, ignored",
                    }
                )
            point += 1
    df = pd.DataFrame(rows)
    if fmt == "parquet":
        df.to_parquet(folder / "summary.parquet")
    else:
        df.to_csv(folder / "summary.csv", index=False)
    if manifest:
        (folder / "manifest.json").write_text(
            json.dumps(
                {
                    "format": 1,
                    "experiment": "test_sweep",
                    "title": "Stressor rate and buffering (test)",
                    "seed": 7,
                    "runs_planned": len(df),
                    "config": {
                        "design": {
                            "kind": "grid",
                            "factors": [{"key": k, "values": v} for k, v in LEVELS.items()],
                        },
                        "output": {"outcomes": ["mean_depression", "mean_stress"]},
                    },
                }
            )
        )
    return df


def button(rc, label: str):
    """Return the one ipyvuetify button whose text is ``label`` (icons ignored)."""
    import ipyvuetify as v

    found = [w for w in rc.find(v.Btn).widgets if w.children and w.children[-1] == label]
    assert len(found) == 1, f"expected one button {label!r}, found {len(found)}"
    return found[0]


def by_label(rc, widget_class, label: str):
    """Return the one widget of ``widget_class`` with ``label``."""
    found = rc.find(widget_class, label=label).widgets
    assert len(found) == 1, f"expected one {widget_class.__name__} {label!r}, found {len(found)}"
    return found[0]


def type_into(widget, text: str) -> None:
    """Type ``text`` into a text field and press Enter (inputs apply on Enter or on leaving).

    The dashboard's own number boxes listen to the field's ``change`` event (what Vuetify sends
    on Enter and on leaving the field); Solara's inputs to ``keyup.enter``.
    """
    widget.v_model = text
    if any(k.startswith("change") for k in widget._event_handlers_map):
        widget.fire_event("change", text)
    else:
        widget.fire_event("keyup.enter", None)


def slider(rc, label: str):
    """Return the one slider named ``label`` (its ``aria-label``)."""
    import ipyvuetify as v

    found = [
        w for w in rc.find(v.Slider).widgets if (w.attributes or {}).get("aria-label") == label
    ]
    assert len(found) == 1, f"expected one slider {label!r}, found {len(found)}"
    return found[0]


def slide(rc, label: str, value) -> None:
    """Move the slider ``label`` to ``value`` and let go (sliders apply when released)."""
    w = slider(rc, label)
    w.v_model = value
    w.fire_event("change", value)


def number_box(rc, label: str):
    """Return the number box of ``label``: its own label, or the box beside a slider."""
    import ipyvuetify as v

    found = [
        w
        for w in rc.find(v.TextField).widgets
        if w.label == label or (w.attributes or {}).get("aria-label") == label
    ]
    assert len(found) == 1, f"expected one number box {label!r}, found {len(found)}"
    return found[0]


def monitor(rc, name: str) -> str:
    """Return the text shown by the monitor ``name``."""
    row = [w for w in widgets(rc.container) if hasattr(w, "monitors")]
    assert len(row) == 1, f"expected one row of monitors, found {len(row)}"
    found = [m["text"] for m in row[0].monitors if m["name"] == name]
    assert len(found) == 1, f"expected one monitor {name!r}, found {len(found)}"
    return found[0]


def widgets(root):
    """Yield every widget of a rendered tree (depth first)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        w = stack.pop()
        if isinstance(w, str) or w is None or id(w) in seen:
            continue
        seen.add(id(w))
        yield w
        kids = getattr(w, "children", None)
        if isinstance(kids, (list, tuple)):
            stack.extend(reversed(kids))
        slots = getattr(w, "v_slots", None)
        if isinstance(slots, (list, tuple)):
            stack.extend(x.get("children") for x in slots if isinstance(x, dict))


def page_text(root) -> str:
    """Return all text of a rendered widget tree: strings, and the HTML of markdown templates."""
    out: list[str] = []
    for w in widgets(root):
        template = getattr(w, "template", None)
        if isinstance(template, str):
            out.append(template)
        elif template is not None and hasattr(template, "template"):
            out.append(template.template or "")
        kids = getattr(w, "children", None)
        if isinstance(kids, (list, tuple)):
            out.extend(k for k in kids if isinstance(k, str))
    return "\n".join(out)
