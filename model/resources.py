"""What a run will cost in memory, estimated from its parameters before anything is built.

Every parameter has declared bounds, but some allowed combinations ask for more memory than any
machine has (two million people in convoys of 50 ties is 50 million ties). :func:`check_memory`
refuses such a run before it starts, with a message that says what it would need, instead of
letting it run for minutes and die out of memory.

The estimate is deliberately simple and on the safe side: a fixed cost per person, per tie and per
kept number, measured on this model (Python 3.12, numpy 2, networkx 3; ``maxrss`` of runs from
5,000 to 80,000 people with 0.1 to 2 million ties: about 400 bytes per tie, most of it the
networkx graph kept in step with the tie arrays, and well under 2 kB per person, most of it the
Mesa agent), rounded up.
"""

from __future__ import annotations

import os

from .params import ParameterError, Params

__all__ = ["BYTES_PER_PERSON", "BYTES_PER_TIE", "check_memory", "estimate_memory", "machine_memory"]

#: Memory per person: state arrays, the Mesa agent, the graph's node (measured ~0.5-1 kB).
BYTES_PER_PERSON = 2_000
#: Memory per tie: tie arrays, the networkx edge and its attribute dict (measured ~380 B).
BYTES_PER_TIE = 500
#: Memory per number kept in Python lists (Mesa's DataCollector): a float object and a pointer.
BYTES_PER_KEPT = 40
#: The interpreter with numpy, pandas, networkx and Mesa imported.
BASE_BYTES = 300_000_000

_PERSON_FIELDS_IN_PANEL = 6
_MEASURES_PER_STEP = 80
_PERSON_REPORTERS = 12


def starting_ties(params: Params) -> int:
    """Return the expected number of starting ties of a generated network.

    Files and networkx's real networks give 0: the real ones are small, and a file's size is
    known once it is read (pass it to :func:`estimate_memory`).
    """
    p, n = params, params.n_people
    degree = {
        "convoy": p.convoy_wider,
        "watts_strogatz": p.ws_k,
        "barabasi_albert": 2 * p.ba_m,
        "erdos_renyi": p.er_mean_degree,
        "family_sbm": (p.sbm_family_size - 1) + p.sbm_mean_degree_between,
    }.get(p.network, 0)
    return int(n * min(degree, p.max_ties) / 2)


def estimate_memory(params: Params, steps: int, n_people: int | None = None, ties: int = 0) -> int:
    """Return the estimated peak memory of one run in bytes.

    Args:
        params: The run's parameters.
        steps: Steps it runs.
        n_people: People, when known otherwise (a network file fixes it).
        ties: Starting ties, when known otherwise (a network file).
    """
    n = params.n_people if n_people is None else n_people
    m = max(ties, starting_ties(params))
    kept = steps * _MEASURES_PER_STEP
    if params.agent_every:
        kept += n * (steps // params.agent_every + 1) * _PERSON_REPORTERS
    panel = 0  # numpy arrays: 8 bytes a value
    if params.panel_every:
        panel = n * (steps // params.panel_every + 1) * _PERSON_FIELDS_IN_PANEL * 8
    return BASE_BYTES + n * BYTES_PER_PERSON + m * BYTES_PER_TIE + kept * BYTES_PER_KEPT + panel


def machine_memory() -> int | None:
    """Return this machine's physical memory in bytes (None where it cannot be read)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None


def _gb(x: float) -> str:
    return f"{x / 1e9:.1f} GB"


def check_memory(
    params: Params,
    steps: int,
    *,
    parallel: int = 1,
    limit: int | None = None,
    n_people: int | None = None,
    ties: int = 0,
) -> int:
    """Refuse a run (or ``parallel`` runs at once) that would need more memory than ``limit``.

    Args:
        params: The run's parameters.
        steps: Steps it runs.
        parallel: Runs held in memory at once (local worker processes).
        limit: Bytes available (default: this machine's physical memory).
        n_people: People, when a network file fixes it.
        ties: Starting ties, when a network file fixes them.

    Returns:
        The estimate for one run, in bytes.

    Raises:
        ParameterError: If the estimate exceeds the limit; the message says what it would need.
    """
    need = estimate_memory(params, steps, n_people, ties)
    limit = machine_memory() if limit is None else limit
    if limit is None or need * parallel <= limit:
        return need
    n = params.n_people if n_people is None else n_people
    m = max(ties, starting_ties(params))
    what = f"a run of {n:,} people with about {m:,} ties and {steps:,} steps"
    if parallel > 1 and need <= limit:
        raise ParameterError(
            f"{parallel} runs at once would need about {_gb(need * parallel)} of memory "
            f"({what} needs about {_gb(need)}); this machine has {_gb(limit)}: use at most "
            f"{max(1, limit // need)} workers (--workers)"
        )
    raise ParameterError(
        f"{what} would need about {_gb(need)} of memory; this machine has {_gb(limit)}. Use "
        "fewer people (n_people) or ties per person (convoy_wider, er_mean_degree, ws_k, ba_m, "
        "max_ties), or keep less (panel_every, agent_every, steps)"
    )
