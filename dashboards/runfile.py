"""The run file: a session's run as a small JSON document that restores it anywhere.

A run is a pure function of its settings and seed (docs/model.md), so the file does not hold the
model's state: it holds the running model's parameters, interventions, comparison and seed, the
step reached, and the edits not applied yet. Restoring builds the run again and re-runs it to
that step, which gives the very same town (the tests check the measures match). The same file
is what "Save run" downloads, what "Open run" reads, and what the server keeps per browser so
that a reload, or a restarted server, brings the run back (:mod:`supportnet.dashboards.store`).

Restoring is checked like everything else a session builds: unknown parameters, bad values and
the population cap are refused with one message naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from supportnet import PARAMETERS, ParameterError, make_params

from .session import Comparison, Session

__all__ = [
    "FORMAT",
    "MAX_STEPS",
    "RunFileError",
    "check",
    "dumps",
    "from_session",
    "parse",
    "restore",
]

#: The ``format`` field of every run file.
FORMAT = "supportnet-run"
VERSION = 1
#: Longest run a file may ask to re-run (steps); a shared server must not be kept busy.
MAX_STEPS = 100_000


class RunFileError(ParameterError):
    """A run file that cannot be restored; the message names the field and the problem."""


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a parameter value (numpy scalars become Python numbers)."""
    return value.item() if hasattr(value, "item") else value


def from_session(session: Session) -> dict[str, Any]:
    """Return the run file of ``session``'s run (A, and B's change in compare mode)."""
    run = session.run
    defaults = {name: p.default for name, p in PARAMETERS.items()}
    params = {k: _plain(v) for k, v in run.params.items() if v != defaults[k]}
    pending = {k: _plain(v) for k, v in session.pending().items()}
    c = session.comparison
    return {
        "format": FORMAT,
        "version": VERSION,
        "seed": run.seed,
        "step": int(run.steps),
        "params": params,
        "interventions": [dict(s) for s in run.intervention_specs],
        "comparison": None if c is None else {"param": c.param, "value": _plain(c.value)},
        "pending": pending,
        "next_seed": session.seed,
        "preset": session.preset,
    }


def dumps(data: dict[str, Any]) -> str:
    """The run file as text."""
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], default=...):
    if name not in data:
        if default is not ...:
            return default
        raise RunFileError(f"run file: field {name!r} is missing")
    value = data[name]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise RunFileError(f"run file: field {name!r} is {value!r}; expected {_kind(kind)}")
    return value


def _kind(kind) -> str:
    names = {int: "a whole number", dict: "a table", list: "a list", str: "text"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def parse(text: str | bytes) -> dict[str, Any]:
    """Read a run file and check its fields (see :func:`check`).

    Raises:
        RunFileError: If it is not JSON, not a run file of this version, or a field is wrong.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunFileError(f"run file: not JSON ({exc})") from None
    return check(data)


def check(data: Any) -> dict[str, Any]:
    """Check a run file's fields (its parameters' values are checked when it is restored).

    Raises:
        RunFileError: If it is not a run file of this version, or a field is missing or wrong.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RunFileError(f'run file: not a SupportNet run file (no "format": "{FORMAT}")')
    version = _field(data, "version", int)
    if version > VERSION:
        raise RunFileError(
            f"run file: version {version} is newer than this dashboard reads ({VERSION})"
        )
    seed = _field(data, "seed", int)
    step = _field(data, "step", int)
    if seed < 0:
        raise RunFileError(f"run file: field 'seed' is {seed}; expected a whole number >= 0")
    if not 0 <= step <= MAX_STEPS:
        raise RunFileError(
            f"run file: field 'step' is {step}; expected a whole number from 0 to {MAX_STEPS:,} "
            "(the dashboard re-runs the model to that step)"
        )
    _field(data, "params", dict)
    _field(data, "interventions", list, [])
    _field(data, "pending", dict, {})
    comparison = data.get("comparison")
    if comparison is not None and not (
        isinstance(comparison, dict) and isinstance(comparison.get("param"), str)
    ):
        raise RunFileError("run file: field 'comparison' must be null or {param, value}")
    return data


def restore(
    session: Session,
    data: dict[str, Any],
    progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> str | None:
    """Rebuild ``session``'s run from a run file and re-run it to the file's step.

    Args:
        session: The session to restore into (its current run is kept on error).
        data: The run file (as returned by :func:`parse` or :func:`from_session`).
        progress: Called with ``(step reached, step wanted)`` during the re-run.
        stop: Checked between chunks of steps; when it returns True the re-run stops early
            (the page closed).

    Returns:
        An error message (standing on the ``runfile`` field), or None.
    """
    try:
        data = check(data)
        params = dict(make_params(data["params"]))
        pending = dict(make_params(params, **data.get("pending", {})))
    except ParameterError as exc:
        return session._fail("runfile", f"run file: {exc}")
    saved = (dict(session.values), session.seed, dict(session.interventions), session.comparison)
    session.values = params
    session.seed = data["seed"]
    session.interventions = {s["kind"]: dict(s) for s in data.get("interventions", [])}
    c = data.get("comparison")
    session.comparison = None if c is None else Comparison(c["param"], c.get("value"))
    error = session.reset()
    if error:
        session.values, session.seed, session.interventions, session.comparison = saved
        # The error belongs to the file, not to the controls (they show the old values again).
        session.errors = {f: m for f, m in session.errors.items() if m != error}
        return session._fail("runfile", f"run file: {error}")
    target = data["step"]
    while session.run.steps < target and not (stop and stop()):
        session.step(min(50, target - session.run.steps))
        if progress is not None:
            progress(session.run.steps, target)
    session.values = pending
    session.seed = int(data.get("next_seed", data["seed"]))
    stored = data.get("preset")
    session.preset = session._matching_preset(prefer=stored if isinstance(stored, str) else None)
    return None
