"""Interventions: peer groups, professional help, community programmes, outreach, online, respite.

Build one from a spec (a config's ``[[interventions]]`` table, a CLI ``--intervention`` or a
dashboard control) and hand it to the model:

>>> from supportnet import SupportModel
>>> from supportnet.interventions import build
>>> iv = build({"kind": "peer_groups", "start": 5, "budget": 16, "targeting": "most_lonely"})
>>> m = SupportModel(rng=1, n_people=80, convoy_wider=20, interventions=[iv])
>>> m.run_for(10)
>>> 0 < iv.status()["members"] <= 16, m.measures["ties_peer"] > 0
(True, True)

Every kind declares its settings (:attr:`Intervention.PARAMETERS`: name, type, default, bounds,
unit, meaning) on top of the common ones (start, duration, budget, targeting), so configs, the CLI
and the dashboard are generated from :data:`INTERVENTIONS`. Invalid settings raise
:class:`InterventionError` (a :class:`supportnet.params.ParameterError`) naming the intervention,
the setting, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..params import _fmt
from .base import (
    COMMON_PARAMETERS,
    Intervention,
    InterventionError,
    describe_parameter,
    did_you_mean,
)
from .community import CommunityProgramme
from .online import OnlinePlatform
from .outreach import Outreach
from .peer_groups import PeerGroups
from .professional import MATCHING_MODES, ProfessionalHelp
from .respite import Respite
from .targeting import TARGETING_RULES, rank

__all__ = [
    "COMMON_PARAMETERS",
    "INTERVENTIONS",
    "MATCHING_MODES",
    "TARGETING_RULES",
    "Intervention",
    "InterventionError",
    "build",
    "coerce_setting",
    "intervention_table",
    "parse_spec",
    "rank",
]

#: Intervention classes by kind name, in display order.
INTERVENTIONS: Mapping[str, type[Intervention]] = MappingProxyType(
    {
        cls.kind: cls
        for cls in (
            PeerGroups,
            ProfessionalHelp,
            CommunityProgramme,
            Outreach,
            OnlinePlatform,
            Respite,
        )
    }
)


def _kind_class(kind: Any) -> type[Intervention]:
    if not isinstance(kind, str) or kind not in INTERVENTIONS:
        raise InterventionError(
            f"unknown intervention kind {kind!r}{did_you_mean(kind, INTERVENTIONS)}; "
            f"allowed: {', '.join(INTERVENTIONS)}"
        )
    return INTERVENTIONS[kind]


def build(spec: Mapping[str, Any]) -> Intervention:
    """Return the intervention a spec describes.

    Args:
        spec: A mapping with ``kind`` (a key of :data:`INTERVENTIONS`) and any of that kind's
            settings, e.g. ``{"kind": "outreach", "budget": 20, "targeting": "most_lonely"}``.

    Returns:
        A new, validated intervention object (pass it to ``SupportModel(interventions=[...])``;
        it serves one model at a time).

    Raises:
        InterventionError: For a missing or unknown kind, an unknown setting (with a
            did-you-mean) or a value of the wrong type or out of range.
    """
    if not isinstance(spec, Mapping):
        raise InterventionError(
            f"an intervention must be a table with a 'kind' and its settings, got {spec!r}"
        )
    if "kind" not in spec:
        raise InterventionError(
            "an intervention needs a 'kind': one of " + ", ".join(INTERVENTIONS)
        )
    cls = _kind_class(spec["kind"])
    return cls(**{k: v for k, v in spec.items() if k != "kind"})


def coerce_setting(kind: str, name: str, text: str) -> Any:
    """Convert a setting typed as text (CLI, dashboard inputs) to its declared type.

    Raises:
        InterventionError: For an unknown kind or setting, or text of the wrong type.
    """
    cls = _kind_class(kind)
    params = cls.parameters()
    if name not in params:
        raise InterventionError(
            f"intervention '{kind}': unknown setting {name!r}{did_you_mean(name, params)}; "
            f"allowed: {', '.join(params)}"
        )
    p = params[name]
    t = text.strip()
    if p.type is str:
        return t
    try:
        return int(t) if p.type is int else float(t)
    except ValueError:
        raise InterventionError(
            f"intervention '{kind}': setting {name!r}: {text!r} is not allowed; "
            f"expected {p.allowed()}"
        ) from None


def parse_spec(text: str) -> dict[str, Any]:
    """Parse ``KIND`` or ``KIND:name=value,name=value`` (the CLI form) into a :func:`build` spec.

    Examples:
        >>> parse_spec("outreach:budget=20,targeting=most_lonely")
        {'kind': 'outreach', 'budget': 20.0, 'targeting': 'most_lonely'}
    """
    kind, _, rest = text.partition(":")
    kind = kind.strip()
    _kind_class(kind)
    spec: dict[str, Any] = {"kind": kind}
    for item in filter(None, (x.strip() for x in rest.split(","))):
        if "=" not in item:
            raise InterventionError(
                f"intervention '{kind}': {item!r} is not a setting; expected name=value, "
                f"e.g. {kind}:budget=20,start=10"
            )
        name, value = (x.strip() for x in item.split("=", 1))
        if name in spec:
            raise InterventionError(f"intervention '{kind}': setting {name!r} is given twice")
        spec[name] = coerce_setting(kind, name, value)
    return spec


def intervention_table(markdown: bool = True) -> str:
    """Render every kind's settings (common ones once) as markdown or plain text."""
    lines: list[str] = []

    def rows(params, header: str) -> None:
        if markdown:
            lines.append(f"\n#### {header}\n")
            lines.append("| setting | type | default | allowed | unit | meaning |")
            lines.append("|---|---|---|---|---|---|")
        else:
            lines.append(f"[{header}]")
        for p in params:
            default = p.default if p.type is str else _fmt(p.default)
            cells = (p.name, p.type.__name__, default, describe_parameter(p), p.unit, p.meaning)
            if markdown:
                lines.append("| `" + cells[0] + "` | " + " | ".join(map(str, cells[1:])) + " |")
            else:
                lines.append(f"  {cells[0]:<20}{cells[1]:<6}{cells[2]:<14}{cells[5]}")

    rows(COMMON_PARAMETERS, "Every intervention")
    for cls in INTERVENTIONS.values():
        own = [cls.PARAMETERS["targeting"], *cls.OWN_PARAMETERS]
        rows(own, f"{cls.kind}: {cls.title} (cost {cls.cost_unit})")
    return "\n".join(lines).strip() + "\n"
