"""The classroom lessons' expected results, from the model (``make lessons``).

    python -m supportnet.experiments.lessons                  # every lesson, 8 seeds, 2 workers
    python -m supportnet.experiments.lessons --only buffering --seeds 3

For each lesson (docs/lessons/), the towns its worksheet has students run are run over the
lessons' seeds (:mod:`.towns`), every sentence of its answer key that states a result is checked
(:mod:`.claims`), the answer key's table of expected results is rewritten between its markers,
and its figure is redrawn (:mod:`.figures`). The numbers also go to docs/lessons/expected.json.
The command exits 1, naming what failed, when a claim no longer holds: then the lesson (or the
model) needs a look before a class uses it.
"""

from .claims import CLAIMS, Claim, ClaimResult, evaluate
from .towns import buffering_towns, intervention_towns, loneliness_towns

__all__ = [
    "CLAIMS",
    "LESSONS",
    "SEEDS",
    "Claim",
    "ClaimResult",
    "evaluate",
]

#: The seeds of the answer keys; the first is the dashboard's default seed (what a student
#: sees without touching the seed box).
SEEDS = (42, 1, 2, 3, 4, 5, 6, 7)

#: Lesson id -> (its worksheet under docs/lessons/, the function running its towns for a seed).
LESSONS = {
    "buffering": ("1-buffering.md", buffering_towns),
    "loneliness": ("2-loneliness.md", loneliness_towns),
    "interventions": ("3-interventions.md", intervention_towns),
}
