"""The phases of one step, one module each, run in this order by :class:`supportnet.SupportModel`.

Each phase is a function ``run(ctx)`` of a :class:`~supportnet.mechanisms.context.StepContext` (the
population arrays, the tie store, the parameters, the generator and what earlier phases of this
step produced). Every phase updates all people at once (synchronous update) with array operations.
"""

from . import (
    appraisal,
    caregiving,
    contact,
    costs,
    depression,
    giving,
    loneliness,
    mood,
    perception,
    recovery,
    seeking,
    stressors,
    ties,
    turnover,
)
from .context import StepContext

#: The phases in step order (model.md: turnover, stressors, everyday contact, appraisal, seeking,
#: giving, costs, recovery, loneliness, depression, tie dynamics; perceived support is updated right
#: after giving; the SISa mood layer, off by default, runs after depression). Ties end or form only
#: in turnover (before contact) and in the ties phase (last).
PHASES = (
    ("turnover", turnover.run),
    ("care_roles", caregiving.run_roles),
    ("stressors", stressors.run),
    ("contact", contact.run),
    ("appraisal", appraisal.run),
    ("seeking", seeking.run),
    ("giving", giving.run),
    ("care", caregiving.give_care),
    ("perception", perception.run),
    ("costs", costs.run),
    ("recovery", recovery.run),
    ("loneliness", loneliness.run),
    ("depression", depression.run),
    ("mood", mood.run),
    ("ties", ties.run),
)

#: The phases of the classic SISa mode (``sisa_classic``): every tie a contact, moods move, nothing
#: else acts (a static network, as in Hill et al. 2010).
CLASSIC_PHASES = (
    ("classic_contact", mood.classic_contact),
    ("mood", mood.run),
)

__all__ = ["CLASSIC_PHASES", "PHASES", "StepContext"]
