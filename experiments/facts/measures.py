"""What the battery can measure.

The run measures of :mod:`supportnet.analysis.measures`, plus twin trials (which run models of
their own). The SISa measure is a run measure (``sisa``, :mod:`supportnet.analysis.sisa`).

A measure that cannot be taken on a run (the model lacks the mechanism it reads) raises
:class:`NotMeasurable`; the battery then reports the fact as "not measurable" with the reason.
"""

from __future__ import annotations

__all__ = ["BATTERY_MEASURES", "NotMeasurable", "measure_names"]

#: Measures the battery runs itself (not functions of one run's record).
BATTERY_MEASURES = ("trial",)


class NotMeasurable(Exception):
    """The measure cannot be taken on this model; the message says why, in words."""


def measure_names() -> tuple[str, ...]:
    """Return every measure a fact can name."""
    from supportnet.analysis.measures import MEASURES

    return (*MEASURES, *(m for m in BATTERY_MEASURES if m not in MEASURES))
