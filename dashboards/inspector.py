"""The inspector: a person's state over time, ties by kind, whom they helped, who helped them.

A person is selected by clicking them in the network view or by typing their number. The
history comes from the run's ring buffer (the most recent few hundred steps) and the exchange
log (the most recent :data:`~supportnet.dashboards.session.EXCHANGE_STEPS` steps).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import solara

from supportnet.kinds import SUPPORT_TYPES, TIE_KINDS

from .plots import Chart, person_option
from .session import Run, Session

__all__ = ["Inspector", "PersonCard", "markdown_table", "person_summary"]

_SUBGROUPS = ("general population", "low income", "severe mental illness", "older adult")


def markdown_table(df: pd.DataFrame, floats: str = "{:.3f}", limit: int = 12) -> str:
    """Render the first ``limit`` rows of ``df`` as a markdown table."""
    if df.empty:
        return "_none_"
    head = df.head(limit)
    lines = ["| " + " | ".join(map(str, head.columns)) + " |"]
    lines.append("|" + "---|" * len(head.columns))
    for row in head.itertuples(index=False):
        cells = [floats.format(x) if isinstance(x, float) else str(x) for x in row]
        lines.append("| " + " | ".join(cells) + " |")
    more = f"\n\n… and {len(df) - limit} more" if len(df) > limit else ""
    return "\n".join(lines) + more


def person_summary(run: Run, person: int) -> dict[str, str]:
    """Return a person's current state as label -> text (numbers rounded)."""
    pop = run.model.population
    i = person
    out = {
        "Stress": f"{pop.stress[i]:.2f}",
        "Depression": f"{pop.depression[i]:.2f}"
        + (" (a case)" if pop.depression[i] > run.params.case_threshold else ""),
        "Loneliness": f"{pop.loneliness[i]:.2f}"
        + (" (lonely)" if pop.loneliness[i] > run.params.lonely_threshold else ""),
        "Perceived support": f"{pop.perceived_support[i]:.2f}",
        "Capacity to give": f"{pop.capacity[i]:.2f} of {pop.capacity_max[i]:.2f}",
        "Willingness to ask": f"{pop.help_seeking[i]:.2f}",
        "Unmet need": ", ".join(
            f"{t} {x:.2f}" for t, x in zip(SUPPORT_TYPES, pop.need[i], strict=True)
        ),
        "Community group": str(int(pop.group[i])),
    }
    if bool(pop.is_professional[i]):
        out["Role"] = "professional (therapist or counsellor)"
    else:
        out["Subgroup"] = _SUBGROUPS[int(pop.subgroup[i])]
    return out


@solara.component
def PersonCard(run: Run, person: int, frame: int):
    """A short card on the selected person (shown under the network view)."""
    s = person_summary(run, person)
    with run.lock:  # Play may be stepping this run in another thread
        ties = int(run.model.ties.degree()[person])
    keys = ("Stress", "Depression", "Loneliness", "Perceived support", "Capacity to give")
    line = " · ".join(f"{k.lower()} {s[k]}" for k in keys)
    solara.Markdown(
        f"**Person {person}** ({ties} ties): {line}. "
        "The Inspector tab shows their history and who helped whom."
    )


@solara.component
def Inspector(session: Session, frame: int, on_select: Callable[[int | None], None]):
    """The inspector tab."""
    run = session.run
    n = run.model.population.n
    with solara.Row(style="align-items: center"):
        solara.InputInt(
            "Person number",
            value=session.selected if session.selected is not None else 0,
            on_value=on_select,
            style="max-width: 180px",
        )
        solara.Button("Clear", on_click=lambda: on_select(None), text=True)
        solara.Text(f"0 to {n - 1}; or click a person in the network view.")
    person = session.selected
    if person is None:
        solara.Info("No one selected: click a person in the network (Model tab) or type a number.")
        return
    solara.Markdown(f"## Person {person}")
    s = person_summary(run, person)
    solara.Markdown(
        markdown_table(pd.DataFrame({"state": list(s), "now": list(s.values())}), limit=20)
    )
    with run.lock:
        series = run.history.series(person)
    Chart(person_option(series, person), "person", height=260)

    ties = run.person_ties(person)
    counts = ties.groupby("kind").agg(ties=("other", "size"), mean_strength=("strength", "mean"))
    counts = counts.reindex([k for k in TIE_KINDS if k in counts.index]).reset_index()
    gave, got, logged = run.helped(person)
    with solara.Columns([1, 1]):
        with solara.Column():
            solara.Markdown(f"### Ties by kind ({len(ties)} in all)")
            solara.Markdown(markdown_table(counts))
            solara.Markdown("### Strongest ties")
            solara.Markdown(markdown_table(ties, limit=10))
        with solara.Column():
            solara.Markdown(f"### Helped (last {logged} steps)")
            solara.Markdown(markdown_table(gave, limit=10))
            solara.Markdown(f"### Was helped by (last {logged} steps)")
            solara.Markdown(markdown_table(got, limit=10))
