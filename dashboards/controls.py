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
from pathlib import Path
from typing import Any, cast

import solara

from supportnet.params import GROUPS, PARAMETERS, PRESETS, Param

from .session import SPEEDS, Session, interventions_available

__all__ = [
    "InterventionPanel",
    "ParamControl",
    "ParameterPanel",
    "PresetPicker",
    "RunControls",
    "SliderField",
    "NumberField",
    "FieldError",
    "Upload",
    "decode_upload",
    "help_text",
    "speed_level",
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


def _text(value: Any) -> str:
    """A number as the box shows it (no float noise: 0.30000000000000004 shows as 0.3)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@solara.component
def FieldError(message: str | None, field: str):
    """The error of one field, right under it (``data-error-for`` names the field for tests)."""
    if message:
        solara.v.Html(
            tag="div",
            class_="sn-field-error",
            attributes={"data-error-for": field, "role": "alert"},
            children=[message],
        )


@solara.component
def NumberField(
    label: str,
    value: Any,
    on_value: Callable[[str], None],
    unit: str = "",
    error: str | None = None,
    disabled: bool = False,
    width: str = "100%",
    name: str = "",
    suffix: bool = True,
):
    """A box showing a number with its unit, applied when Enter is pressed or focus leaves.

    The text is passed on as typed (``on_value`` checks and converts it), so a bad entry is
    answered by a message under the field rather than silently reverted.
    """
    field = solara.v.TextField(
        label=label,
        v_model=_text(value),
        suffix=unit if suffix else "",
        dense=True,
        outlined=True,
        hide_details=True,
        error=bool(error),
        disabled=disabled,
        class_="sn-number",
        style_=f"max-width: {width}",
        # A box beside a slider has no label of its own: it is named after the slider.
        attributes={"aria-label": name or label},
    )
    solara.v.use_event(field, "change", lambda _w, _e, text: on_value(text))


@solara.component
def SliderLabel(label: str, unit: str = ""):
    """A slider's name, with its unit beside it (the box below shows the value)."""
    solara.v.Html(
        tag="div",
        class_="sn-slider-label",
        children=[
            solara.v.Html(tag="span", children=[label]),
            *([solara.v.Html(tag="span", class_="sn-unit", children=[unit])] if unit else []),
        ],
    )


@solara.component
def SliderField(
    label: str,
    value: float,
    low: float,
    high: float,
    step: float,
    on_value: Callable[[Any], None],
    unit: str = "",
    error: str | None = None,
    disabled: bool = False,
    field: str = "",
):
    """A slider with a box beside it that shows its value and unit and can be typed into.

    No value bubble on the thumb: it covered the buttons above the slider.
    """
    with solara.Column(gap="0px", classes=["sn-slider-field"], style="width: 100%"):
        SliderLabel(label, unit)
        with solara.Row(gap="8px", style="align-items: center; width: 100%"):
            slider = solara.v.Slider(
                v_model=value,
                on_v_model=lambda v: v != value and on_value(v),
                min=low,
                max=high,
                step=step,
                dense=True,
                hide_details=True,
                disabled=disabled,
                class_="sn-slider",
                style_="flex: 1 1 auto; min-width: 90px",
                attributes={"aria-label": label, "data-slider": field or label},
            )
            # The slider's value (synced from the browser as it moves) is applied; the control
            # is redrawn only when it changes, so dragging costs one edit per position passed.
            solara.v.use_event(slider, "change", lambda _w, _e, v: on_value(v))
            NumberField(
                label="",
                value=value,
                on_value=on_value,
                unit=unit,
                error=error,
                disabled=disabled,
                width="96px",
                name=label,
                suffix=False,
            ).key("box")


@solara.component
def ParamControl(
    p: Param,
    value: Any,
    on_change: Callable[[str, Any], None],
    disabled: bool = False,
    prefix: str = "",
    error: str | None = None,
):
    """One control for parameter ``p``, with its meaning as help text and its error below it.

    Args:
        p: The declaration the control is made from.
        value: The value shown.
        on_change: Called with ``(p.name, new value)``; a typed value arrives as text (the
            session converts and checks it). Pass the same callable every render: a control
            whose arguments did not change is not redrawn, which keeps a panel of a hundred
            controls fast.
        disabled: Show it greyed out.
        prefix: Put before the label (e.g. "B: " in compare mode).
        error: The error standing on this parameter, shown under it.
    """
    label = prefix + label_of(p.name)
    kind = widget_kind(p)

    def on_value(v):
        on_change(p.name, v)

    def on_number(v):
        # Sliders give numbers, boxes give text: both go to the session, which checks them.
        if isinstance(v, str):
            v = _number(v)
        on_change(p.name, v)

    with solara.Column(gap="0px", classes=["sn-param"], style="margin-bottom: 8px"):
        if kind == "switch":
            solara.Switch(label=label, value=bool(value), on_value=on_value, disabled=disabled)
        elif kind == "select":
            solara.Select(
                label=label, values=list(p.choices), value=value, on_value=on_value,
                disabled=disabled,
            )  # fmt: skip
        elif kind == "text":
            solara.InputText(label=label, value=value, on_value=on_value, disabled=disabled)
        elif kind == "slider":
            step = 1 if p.type is int else _float_step(p)
            shown = int(value) if p.type is int else float(value)
            SliderField(
                label, shown, p.low, p.high, step, on_number, unit=p.unit, error=error,
                disabled=disabled, field=p.name,
            )  # fmt: skip
        else:
            NumberField(label, value, on_number, unit=p.unit, error=error, disabled=disabled)
        FieldError(error, p.name)
        solara.Text(help_text(p), style="font-size: 11px; color: #666; line-height: 1.25")


def _number(text: str) -> Any:
    """Read a typed number (``1,000`` and ``1 000`` too); other text is passed on to be refused."""
    cleaned = text.strip().replace(",", "").replace(" ", "").replace("_", "")
    for kind in (int, float):
        try:
            return kind(cleaned)
        except ValueError:
            pass
    return text


@solara.component
def _Group(
    title: str,
    params: tuple[Param, ...],
    values: tuple,
    on_change,
    session: Session,
    errors: tuple = (),
):
    """A group of parameter controls, drawn only while it is open.

    Whether it is open is kept in the session, not in the component: a group stays open
    whatever else is redrawn (an error banner appearing above it used to close them all).
    """
    is_open = title in session.open_groups

    def toggle():
        session.open_groups ^= {title}
        set_tick(tick + 1)

    tick, set_tick = solara.use_state(0)
    solara.Button(
        ("▾ " if is_open else "▸ ") + title,
        text=True,
        on_click=toggle,
        style="justify-content: flex-start; text-transform: none; width: 100%",
    )
    if is_open:
        with solara.Column(style="padding-left: 8px"):
            for p, value, err in zip(params, values, errors or [None] * len(params), strict=True):
                ParamControl(p, value, on_change, error=err)


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
    # Always the same number of elements before the groups, so nothing above them moves.
    with solara.Column(gap="0px"):
        if pending:
            names = ", ".join(label_of(n) for n in sorted(pending))
            solara.Warning(
                f"Changed, not applied yet: {names}. Press Reset to start again with them.",
                dense=True,
            )
    solara.Markdown("**Main settings**")
    for p in PARAMETERS.values():
        if p.main:
            ParamControl(p, session.values[p.name], change, error=session.error_of(p.name))
    NetworkUpload(session, on_change)
    solara.Markdown("**All parameters**")
    for g in GROUPS:
        params = tuple(p for p in PARAMETERS.values() if p.group == g and not p.main)
        if params:
            values = tuple(session.values[p.name] for p in params)
            errors = tuple(session.error_of(p.name) for p in params)
            _Group(g.capitalize(), params, values, change, session, errors).key(f"group-{g}")


@solara.component_vue("upload.vue", vuetify=False)
def Upload(name: str, label: str, accept: str, max_bytes: int, event_file: Callable[[dict], None]):
    """A button that opens the browser's file picker and sends the chosen file to Python."""


def decode_upload(info: dict) -> bytes | None:
    """The bytes of an uploaded file (None when the browser refused it as too large)."""
    import base64

    return base64.b64decode(info.get("data") or "") if info.get("data") else None


@solara.component
def NetworkUpload(session: Session, on_change: Callable[[], None]):
    """Upload a network file (edge list, GraphML, GML) to start from (applied at Reset)."""
    from .session import MAX_UPLOAD
    from .store import RunStore

    def got(info: dict) -> None:
        data = decode_upload(info)
        if data is None:
            session.take_network_file(RunStore().uploads, info["name"], b"x" * (MAX_UPLOAD + 1))
        else:
            session.take_network_file(RunStore().uploads, info["name"], data)
        on_change()

    with solara.Row(style="align-items: center; flex-wrap: wrap", gap="6px"):
        Upload(
            name="network",
            label="Start from a network file…",
            accept=".graphml,.gml,.txt,.csv,.edgelist",
            max_bytes=MAX_UPLOAD,
            event_file=got,
        )
        if session.values["network"] == "file" and session.values["network_file"]:
            solara.Text(
                Path(session.values["network_file"]).name, style="font-size: 12px; color: #555"
            )
    FieldError(session.error_of("upload"), "upload")


def speed_text(rate: float) -> str:
    """Describe a speed (model steps per second) in words."""
    return f"{rate:g} model step{'s' if rate != 1 else ''} per second"


def speed_level(rate: float) -> int:
    """The slider stop (index into :data:`SPEEDS`) nearest to ``rate`` on a log scale."""
    return min(range(len(SPEEDS)), key=lambda i: abs(math.log(SPEEDS[i] / max(rate, 1e-9))))


@solara.component
def RunControls(
    session: Session,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[float],
    on_step: Callable[[], None],
    on_change: Callable[[], None],
    version: int = 0,
):
    """Reset, Step, Play/Pause, Speed and Seed: NetLogo's setup/go buttons and speed slider.

    Args:
        session: The session.
        playing: Whether Play is on.
        speed: Model steps per second while playing.
        on_step: Called after a step (the views redraw).
        on_change: Called after Reset or a new seed (views and controls redraw).
        version: The page's edit counter (a new value redraws the seed box).
    """
    speed_error, set_speed_error = solara.use_state(cast(str | None, None))

    def reset():
        playing.set(False)
        session.reset()
        on_change()

    def step():
        if playing.value:  # a click that crossed Play on its way: Play is stepping already
            return
        session.step(1)
        on_step()

    def seed(value):
        session.set_seed(value)
        on_change()

    def set_speed(value):
        if isinstance(value, str):
            value = _number(value)
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number and SPEEDS[0] <= value <= SPEEDS[-1]:
            speed.set(float(value))
            set_speed_error(None)
            return
        set_speed_error(
            f"speed: {value!r} is not allowed; expected a number of steps per second from "
            f"{SPEEDS[0]} to {SPEEDS[-1]:,}"
        )

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
    _SpeedField(speed.value, set_speed, speed_error)
    FieldError(speed_error, "speed")
    NumberField("Seed", session.seed, seed, error=session.error_of("seed"))
    FieldError(session.error_of("seed"), "seed")
    solara.Text(
        "The same seed and settings give the same run, on any computer.",
        style="font-size: 11px; color: #666",
    )


@solara.component
def _SpeedField(rate: float, set_speed: Callable[[Any], None], error: str | None):
    """The speed: a slider over the stops of :data:`SPEEDS`, and a box in steps per second."""
    with solara.Column(gap="0px", classes=["sn-slider-field"], style="width: 100%"):
        SliderLabel("Speed", "steps/s")
        with solara.Row(gap="8px", style="align-items: center; width: 100%"):
            level = speed_level(rate)
            slider = solara.v.Slider(
                v_model=level,
                on_v_model=lambda v: v != level and set_speed(SPEEDS[int(v)]),
                min=0,
                max=len(SPEEDS) - 1,
                step=1,
                dense=True,
                hide_details=True,
                class_="sn-slider",
                style_="flex: 1 1 auto; min-width: 90px",
                attributes={"aria-label": "Speed", "data-slider": "speed"},
            )
            solara.v.use_event(slider, "change", lambda _w, _e, v: set_speed(SPEEDS[int(v)]))
            NumberField("", rate, set_speed, error=error, width="96px", name="Speed", suffix=False)
    solara.Text(
        speed_text(rate) + "; when the server is busy, each picture shows several steps",
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
            _Group(f"{cls.title or kind} settings", params, values, changers[kind], session).key(
                f"iv-{kind}"
            )
            FieldError(session.error_of(f"intervention:{kind}"), f"intervention-{kind}")
