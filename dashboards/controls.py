"""Controls generated from the declarations: parameters, presets, interventions, run buttons.

Every parameter control is made from its :class:`supportnet.params.Param` (type, bounds, default,
unit, meaning): a switch for a true/false parameter, a drop-down for a choice, a slider for a
number with a short range and an input box for a long one (``n_people`` runs from 2 to two
million), with the meaning shown under it as help. Parameters marked ``main`` are on the first
screen; the others sit in their groups (:data:`supportnet.params.GROUPS`), drawn only when opened.
Intervention settings are :class:`~supportnet.params.Param` objects too, so the same code makes
them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import solara

from supportnet.params import GROUPS, PARAMETERS, PRESETS, Param

from .session import SPEEDS, Session, interventions_available

__all__ = [
    "InterventionPanel",
    "ParamControl",
    "ParameterPanel",
    "PresetPicker",
    "RunControls",
    "help_text",
    "label_of",
    "speed_text",
    "widget_kind",
]

#: Sliders for numbers whose range is at most this many units (floats) ...
SLIDER_FLOAT_SPAN = 20.0
#: ... or this many values (whole numbers); longer ranges get an input box.
SLIDER_INT_SPAN = 100


def label_of(name: str) -> str:
    """Return a parameter's name as words: ``stressor_rate`` -> ``Stressor rate``."""
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def help_text(p: Param) -> str:
    """Return the help shown under a control: meaning, unit, allowed values and the name."""
    parts = [p.meaning or label_of(p.name)]
    if p.unit:
        parts.append(p.unit)
    if p.type in (int, float):
        parts.append(p.allowed())
    return " · ".join(parts) + f" · {p.name}"


def widget_kind(p: Param) -> str:
    """Return the kind of control a parameter gets: switch, select, text, slider or input."""
    if p.type is bool:
        return "switch"
    if p.type is str:
        return "select" if p.choices else "text"
    if p.low is None or p.high is None:
        return "input"
    span = p.high - p.low
    if p.type is int:
        return "slider" if span <= SLIDER_INT_SPAN else "input"
    return "slider" if span <= SLIDER_FLOAT_SPAN else "input"


def _float_step(p: Param) -> float:
    """A round slider step giving about 100-200 positions over the range."""
    span = p.high - p.low
    step = 10 ** math.floor(math.log10(span / 100)) if span > 0 else 0.01
    # Defaults must be reachable: shrink the step until the default lies on the grid.
    while (
        step > 1e-6 and abs(round((p.default - p.low) / step) * step - (p.default - p.low)) > 1e-9
    ):
        step /= 10
    return step


@solara.component
def ParamControl(
    p: Param,
    value: Any,
    on_change: Callable[[str, Any], None],
    disabled: bool = False,
    prefix: str = "",
):
    """One control for parameter ``p``, with its meaning as help text below it.

    Args:
        p: The declaration the control is made from.
        value: The value shown.
        on_change: Called with ``(p.name, new value)``. Pass the same callable every render:
            a control whose arguments did not change is not redrawn, which keeps a panel of a
            hundred controls fast.
        disabled: Show it greyed out.
        prefix: Put before the label (e.g. "B: " in compare mode).
    """
    label = prefix + label_of(p.name)
    kind = widget_kind(p)

    def on_value(v):
        on_change(p.name, v)

    with solara.Column(gap="0px", classes=["sn-param"], style="margin-bottom: 6px"):
        if kind == "switch":
            solara.Switch(label=label, value=bool(value), on_value=on_value, disabled=disabled)
        elif kind == "select":
            solara.Select(
                label=label, values=list(p.choices), value=value, on_value=on_value,
                disabled=disabled,
            )  # fmt: skip
        elif kind == "text":
            solara.InputText(label=label, value=value, on_value=on_value, disabled=disabled)
        elif kind == "slider" and p.type is int:
            solara.SliderInt(
                label=label, value=int(value), min=int(p.low), max=int(p.high), step=1,
                on_value=on_value, disabled=disabled,
            )  # fmt: skip
        elif kind == "slider":
            solara.SliderFloat(
                label=label, value=float(value), min=float(p.low), max=float(p.high),
                step=_float_step(p), on_value=on_value, disabled=disabled,
            )  # fmt: skip
        elif p.type is int:
            solara.InputInt(label=label, value=int(value), on_value=on_value, disabled=disabled)
        else:
            solara.InputFloat(label=label, value=float(value), on_value=on_value, disabled=disabled)
        solara.Text(help_text(p), style="font-size: 11px; color: #666; line-height: 1.25")


@solara.component
def _Group(title: str, params: tuple[Param, ...], values: tuple, on_change, open_=False):
    """A group of parameter controls, drawn only while it is open."""
    is_open, set_open = solara.use_state(open_)
    solara.Button(
        ("▾ " if is_open else "▸ ") + title,
        text=True,
        on_click=lambda: set_open(not is_open),
        style="justify-content: flex-start; text-transform: none; width: 100%",
    )
    if is_open:
        with solara.Column(style="padding-left: 8px"):
            for p, value in zip(params, values, strict=True):
                ParamControl(p, value, on_change)


def use_stable(callback: Callable[..., Any], session: Session) -> Callable[..., Any]:
    """Return a function that stays the same object across renders and calls ``callback``.

    Controls only redraw when their arguments change; a new lambda every render would redraw
    them all.
    """
    ref = solara.use_ref(callback)
    ref.current = callback
    return solara.use_memo(lambda: lambda *a: ref.current(*a), [session])


@solara.component
def ParameterPanel(session: Session, version: int, on_change: Callable[[], None]):
    """The model's parameters: the main ones, then every group (closed until opened).

    Args:
        session: The session whose values are edited.
        version: The page's redraw counter.
        on_change: Called after any edit (the page redraws).
    """

    def change_now(name: str, value: Any) -> None:
        session.set_value(name, value)
        on_change()

    change = use_stable(change_now, session)
    pending = session.pending()
    # Always the same number of elements before the groups, so their open/closed state holds.
    with solara.Column(gap="0px"):
        if pending:
            names = ", ".join(sorted(pending))
            solara.Warning(
                f"Changed, not applied yet: {names}. Press Reset to start again with them.",
                dense=True,
            )
    solara.Markdown("**Main settings**")
    for p in PARAMETERS.values():
        if p.main:
            ParamControl(p, session.values[p.name], change)
    solara.Markdown("**All parameters**")
    for g in GROUPS:
        params = tuple(p for p in PARAMETERS.values() if p.group == g and not p.main)
        if params:
            values = tuple(session.values[p.name] for p in params)
            _Group(g.capitalize(), params, values, change).key(f"group-{g}")


def speed_text(level: int) -> str:
    """Describe a speed level in words."""
    pause, steps = SPEEDS[level - 1]
    if steps > 1:
        return f"{steps} steps per frame, no pause"
    return "1 step per frame, " + (f"{pause:g} s pause" if pause else "no pause")


@solara.component
def RunControls(
    session: Session,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    on_step: Callable[[], None],
    on_change: Callable[[], None],
    version: int = 0,
):
    """Reset, Step, Play/Pause, Speed and Seed: NetLogo's setup/go buttons and speed slider.

    Args:
        session: The session.
        playing: Whether Play is on.
        speed: The speed level (1 to ``len(SPEEDS)``).
        on_step: Called after a step (the views redraw).
        on_change: Called after Reset or a new seed (views and controls redraw).
        version: The page's edit counter (a new value redraws the seed box).
    """

    def reset():
        playing.set(False)
        session.reset()
        on_change()

    def step():
        session.step(1)
        on_step()

    def seed(value):
        session.set_seed(value)
        on_change()

    with solara.Row(gap="6px", style="flex-wrap: wrap"):
        solara.Button("Reset", color="primary", on_click=reset, icon_name="mdi-restart")
        solara.Button(
            "Step",
            color="primary",
            on_click=step,
            disabled=playing.value,
            icon_name="mdi-step-forward",
        )
        solara.Button(
            "Pause" if playing.value else "Play",
            color="success" if not playing.value else "warning",
            on_click=lambda: playing.set(not playing.value),
            icon_name="mdi-pause" if playing.value else "mdi-play",
        )
    solara.SliderInt("Speed", value=speed, min=1, max=len(SPEEDS), step=1)
    solara.Text(speed_text(speed.value), style="font-size: 11px; color: #666")
    solara.InputInt("Seed", value=session.seed, on_value=seed)
    solara.Text(
        "The same seed and settings give the same run, on any computer.",
        style="font-size: 11px; color: #666",
    )


@solara.component
def PresetPicker(session: Session, version: int, on_change: Callable[[], None]):
    """Choose a preset scenario (its values load and the model restarts); shows its story."""

    def choose(title: str) -> None:
        name = next(n for n, p in PRESETS.items() if p.title == title)
        session.choose_preset(name)
        on_change()

    current = PRESETS[session.preset].title if session.preset else None
    solara.Select(
        "Preset", values=[p.title for p in PRESETS.values()], value=current, on_value=choose
    )
    if session.preset:
        solara.Text(PRESETS[session.preset].story, style="font-size: 13px")
    else:
        solara.Text("Your own settings (no preset matches them).", style="font-size: 13px")


@solara.component
def InterventionPanel(session: Session, version: int, on_change: Callable[[], None]):
    """Switch interventions on and set them up; they act from the next Reset.

    Drawn only when interventions are installed (see ``app.Controls``).
    """
    iv = interventions_available()

    def toggle(kind: str, on: bool) -> None:
        if on:
            defaults = {n: p.default for n, p in iv.INTERVENTIONS[kind].parameters().items()}
            session.set_intervention(kind, defaults)
        else:
            session.set_intervention(kind, None)
        on_change()

    def change_now(kind: str, name: str, value: Any) -> None:
        settings = {k: v for k, v in session.interventions[kind].items() if k != "kind"}
        settings[name] = value
        session.set_intervention(kind, settings)
        on_change()

    change = use_stable(change_now, session)
    kinds = tuple(iv.INTERVENTIONS)
    changers = solara.use_memo(
        lambda: {k: (lambda name, v, k=k: change(k, name, v)) for k in kinds}, [change]
    )
    if session.interventions_pending():
        solara.Warning("Interventions changed: press Reset to run with them.", dense=True)
    for kind, cls in iv.INTERVENTIONS.items():
        on = kind in session.interventions
        solara.Switch(
            label=cls.title or label_of(kind), value=on, on_value=lambda v, k=kind: toggle(k, v)
        )
        if cls.summary:
            solara.Text(cls.summary, style="font-size: 11px; color: #666")
        if on:
            settings = session.interventions[kind]
            params = tuple(cls.parameters().values())
            values = tuple(settings[p.name] for p in params)
            _Group(f"{cls.title or kind} settings", params, values, changers[kind]).key(
                f"iv-{kind}"
            )
