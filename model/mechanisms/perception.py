"""Phase 9, perceived support: the support a person expects to be there if they ask.

Perceived support is an expectation of availability, largely stable and partly cognitive (Lakey &
Cassady 1990; Uchino 2009). It rests on two things: how integrated the person is (the quality of
their ties), and how much they trust their ties to come through when asked, learned from the
times they asked. Asking is not itself a loss: a person who asks and is helped keeps (or gains)
their expectation, and being helped by a professional raises it. Only asks that bring nothing, or
help that does not fit the need, lower trust.

    integration_i = 1 - exp(-sum_j strength_ij * (1 - conflict_ij) * availability[kind_ij]
                                / integration_saturation)
    trust_i      <- trust_i + trust_rate * (responses_i / asks_i - trust_i)      (askers only)
    target_i      = clip(trust_i * integration_i + bias_i, 0, 1)
    perceived_i  <- perceived_i + perceived_support_rate * (target_i - perceived_i)

``responses`` counts the asks that brought support, each by how helpful it was: the share of it
that landed (the giver's competence, the fit of the tie kind and, for generic support, the match to
the need; the giving phase) against ``help_reference``. Help that fits the need builds trust, and
generic help about half as much (optimal matching: Cutrona & Russell 1990). Helpfulness is a
property of the help, not of how large the need was, so asking more (being more stressed) does not
by itself move trust. Trust starts at 0.7.
No random draws.

Sources:
    Lakey, B. & Cassady, P. B. (1990). Cognitive processes in perceived social support. J. Pers.
    Soc. Psychol. 59(2), 337-343 (perceived support as a stable, partly cognitive expectation).
    Uchino, B. N. (2009). Understanding the links between social support and physical health.
    Perspectives on Psychological Science 4(3), 236-255 (perceived vs received support).
    Sarason, B. R., Sarason, I. G. & Pierce, G. R. (1990). Social Support: An Interactional View
    (perceived support as the sense that others are available and would help).
    Cutrona, C. E. & Russell, D. W. (1990). Type of social support and specific stress: a theory
    of optimal matching (support helps, and is seen as supportive, when its type fits the need).
"""

from __future__ import annotations

import numpy as np

from ..kernels import quality_sum
from ..kinds import AVAILABILITY
from .context import StepContext


def integration(ctx: StepContext) -> np.ndarray:
    """Return each person's integration index in [0, 1) from the quality of their ties."""
    t = ctx.ties
    total = quality_sum(t.u, t.v, t.strength, t.conflict, t.kind, AVAILABILITY, t.n_nodes)
    return 1.0 - np.exp(-total / ctx.params.integration_saturation)


def run(ctx: StepContext) -> None:
    """Update trust from this step's asks; move perceived support toward its target."""
    p, pop = ctx.params, ctx.pop
    asked = pop.asks_made > 0
    if asked.any():
        rate = pop.responses[asked] / pop.asks_made[asked]
        pop.trust[asked] += p.trust_rate * (np.minimum(rate, 1.0) - pop.trust[asked])
    target = np.clip(pop.trust * integration(ctx) + pop.perception_bias, 0.0, 1.0)
    pop.perceived_support += p.perceived_support_rate * (target - pop.perceived_support)
