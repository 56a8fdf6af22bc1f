"""Targeting rules: whom an intervention reaches first.

Every intervention ranks the people it could reach by one of :data:`TARGETING_RULES` and reaches
them in that order as far as its budget goes:

- ``random``: a random order (drawn from the intervention's own generator);
- ``most_lonely``: highest loneliness first;
- ``most_stressed``: highest stress first;
- ``most_central``: most ties first (degree centrality), then the strongest ties in total;
- ``least_connected``: fewest ties first, then the weakest ties in total.

Ties in the score are broken by person index, so the deterministic rules draw nothing.

Sources:
    Valente, T. W. (2012). Network interventions. Science 337(6090), 49-53 (choosing whom to
    reach: random, central individuals, or those on the margins of the network).
    Cacioppo, J. T. & Hawkley, L. C. (2009): the lonely drift to the network's edge, so reaching
    the least connected and the most lonely differ from reaching at random.
"""

from __future__ import annotations

import numpy as np

from ..network import TieStore
from ..population import Population

__all__ = ["TARGETING_RULES", "rank"]

#: Targeting rules, in display order.
TARGETING_RULES = ("random", "most_lonely", "most_stressed", "most_central", "least_connected")


def rank(
    rule: str,
    pop: Population,
    ties: TieStore,
    candidates: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return ``candidates`` in the order the rule reaches them (first = first reached).

    Args:
        rule: One of :data:`TARGETING_RULES`.
        pop: The people's arrays.
        ties: The tie store (for the network rules).
        candidates: Indices of the people who could be reached.
        rng: The intervention's own generator (only ``random`` draws from it).

    Returns:
        The candidates, reordered.

    Examples:
        >>> from supportnet import SupportModel
        >>> m = SupportModel(rng=1, n_people=50, convoy_wider=20, n_groups=4)
        >>> c = rank("most_stressed", m.population, m.ties, np.arange(50), None)
        >>> bool(m.population.stress[c[0]] == m.population.stress.max())
        True
    """
    c = np.asarray(candidates, np.int64)
    if rule == "random":
        return rng.permutation(c)
    if rule == "most_lonely":
        primary, secondary = -pop.loneliness[c], np.zeros(len(c))
    elif rule == "most_stressed":
        primary, secondary = -pop.stress[c], np.zeros(len(c))
    elif rule in ("most_central", "least_connected"):
        degree = ties.degree()[c].astype(float)
        strength = ties.weighted_degree(ties.strength)[c]
        sign = -1.0 if rule == "most_central" else 1.0
        primary, secondary = sign * degree, sign * strength
    else:
        raise ValueError(f"unknown targeting rule {rule!r}; expected one of {TARGETING_RULES}")
    # lexsort: the last key is the primary one; the index breaks remaining ties.
    return c[np.lexsort((c, secondary, primary))]
