"""Phase 14 (switch ``sisa``, off by default), SISa emotion contagion: moods spread per contact.

Each person is in one of three mood states, neutral (N), content (C) or discontent (D), as in the
SISa model of Hill, Rand, Nowak & Christakis (2010), fitted to the Framingham Heart Study. Neutral
people become content or discontent spontaneously and, in addition, for every content or discontent
person they have contact with; content and discontent people return to neutral, or switch, at
constant rates. With ``x_C`` and ``x_D`` a person's content and discontent contacts this step (the
ties with at least one everyday contact this step whose other end is content, resp. discontent;
moods at the start of the phase, so the update is synchronous), the per-year hazards are

    N -> C:  f_i * (a_C + b_C * x_C)          N -> D:  f_i * m_i * (a_D + b_D * x_D)
    C -> N:  g_C                              C -> D:  s_CD
    D -> N:  g_D                              D -> C:  s_DC

with the published rates as defaults (per year: a_C 0.18, b_C 0.02, g_C 0.088, a_D 0.04, b_D 0.04,
g_D 0.13, s_DC 0.07, s_CD 0.009). The hazards out of a state compete: with h_i their sum and
dt = 1/52 year (a step is a week), a person leaves their state with probability 1 - exp(-h_i dt)
and goes to each destination in proportion to its hazard (exact for hazards constant over the
step). So the mean sojourn is 1 / (g_C + s_CD) = 10.3 years in contentment and 1 / (g_D + s_DC) =
5.0 years in discontent (plus dt/2 from the weekly grid).

Person-level heterogeneity (``sisa_heterogeneity`` = s > 0): each person's susceptibility f_i is
drawn once, log-normal with mean 1 and log-sd s, and multiplies their rates into C and D (a
modelling choice: Hill et al. fit one rate for everyone). f_i = 1 when s = 0.

Coupling (each off at 0; the forms are modelling choices, the directions are from the sources):

- depression and loneliness to mood: m_i = 1 + sisa_depression_to_mood * depression_i
  + sisa_loneliness_to_mood * loneliness_i multiplies the rates into discontent (Hill et al.
  classify mood from CES-D items, a depression scale; loneliness predicts later depressive
  symptoms: Cacioppo, Hawkley & Thisted 2010);
- mood to depression and loneliness: after the transitions, each step
  depression_i += sisa_mood_to_depression * ([D_i] - [C_i]) and
  loneliness_i += sisa_mood_to_loneliness * ([D_i] - [C_i]), clipped to [0, 1] (discontent mood
  as a precursor of depressive symptoms, Rosenquist, Fowler & Christakis 2011; of loneliness,
  Cacioppo, Fowler & Christakis 2009).

Professionals keep a neutral mood and are left out. A newcomer (turnover) starts with a mood drawn
from the spontaneous equilibrium (:func:`spontaneous_shares`) and a susceptibility of their own.

Classic mode (``sisa_classic``): the paper's setting as closely as the model allows. No other
phase runs, so the network is static (e.g. ``network = 'random_regular'``) and nothing else
changes, and every tie is a contact every step (x_C, x_D = content and discontent neighbours,
the paper's "per contact" being per social contact in the network).

Draws: from the mood's own generator (``SupportModel.mood.rng``, seeded from the model's seed and
:data:`STREAM_SALT`), never from the model's: at the start a uniform per person (first mood), then,
with heterogeneity, a normal per person; each step, first for the step's newcomers in index order
a uniform (first mood) and, with heterogeneity, a normal, then one uniform per person (all rows),
in index order. So with ``sisa`` off, and with it on but no coupling, every other result of the
model is the same, bit for bit, as without the mode.

Mean field. With c and d the shares of content and discontent people, n = 1 - c - d, and k the
mean number of contacts a person has in a step (in the classic mode: the degree), a neutral person
meets about k c content and k d discontent people, so

    dc/dt = (a_C + b_C k c) n + s_DC d - (g_C + s_CD) c
    dd/dt = (a_D + b_D k d) n + s_CD c - (g_D + s_DC) d

(the usual mean-field closure: a neutral person's contacts are in each state in proportion to the
population's shares; the correlations between neighbours' moods that a network builds are left
out). Its stable fixed point is what the shares settle near when those correlations are weak
(small per-contact rates, as here); :func:`supportnet.analysis.sisa.mean_field` solves it. With
k = 0 it is the chain's own equilibrium (:func:`spontaneous_shares`).

Measures: the per-step shares of members in each state (``neutral_share``, ``content_share``,
``discontent_share``; columns only when the mode is on). The events are tallied (person-steps in
each state, by the number of content and discontent contacts, and transitions; :class:`MoodTally`)
for :mod:`supportnet.analysis.sisa`: mean sojourns (time in a state over exits) and the per-contact
hazards recovered by an additive-hazard Poisson regression on those events (the ``sisa`` fact).

Sources:
    Hill, A. L., Rand, D. G., Nowak, M. A. & Christakis, N. A. (2010). Emotions as infectious
    diseases in a large social network: the SISa model. Proc. R. Soc. B 277, 3827-3835 (the
    model and its rates).
    Cacioppo, J. T., Hawkley, L. C. & Thisted, R. A. (2010). Perceived social isolation makes me
    sad. Psychology and Aging 25(2), 453-463.
    Cacioppo, J. T., Fowler, J. H. & Christakis, N. A. (2009). Alone in the crowd: the structure
    and spread of loneliness in a large social network. J. Pers. Soc. Psychol. 97(6), 977-991.
    Rosenquist, J. N., Fowler, J. H. & Christakis, N. A. (2011). Social network determinants of
    depression. Molecular Psychiatry 16(3), 273-281.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .context import StepContext

__all__ = [
    "CONTENT",
    "DISCONTENT",
    "MOOD_NAMES",
    "NEUTRAL",
    "STREAM_SALT",
    "MoodState",
    "MoodTally",
    "classic_contact",
    "contact_counts",
    "rate_table",
    "run",
    "spontaneous_shares",
]

NEUTRAL, CONTENT, DISCONTENT = 0, 1, 2
#: Mood state names by code.
MOOD_NAMES = ("neutral", "content", "discontent")
#: Salt of the mood's own random stream (the model's seed and this): the model's own stream, the
#: measurement stream and the interventions' streams are untouched by it.
STREAM_SALT = 0x515A
#: A step in years.
DT = 1.0 / 52.0
#: Contact counts above this are tallied in the last bin (the regression reads the bin's value).
MAX_CONTACTS = 40


def rate_table(params) -> dict[str, float]:
    """The eight per-year rates of the mode, by their symbols in the docs."""
    return {
        "a_C": params.sisa_content_spontaneous,
        "a_D": params.sisa_discontent_spontaneous,
        "b_C": params.sisa_content_contact,
        "b_D": params.sisa_discontent_contact,
        "g_C": params.sisa_content_recovery,
        "g_D": params.sisa_discontent_recovery,
        "s_CD": params.sisa_content_to_discontent,
        "s_DC": params.sisa_discontent_to_content,
    }


def spontaneous_shares(params) -> np.ndarray:
    """Equilibrium shares (N, C, D) of the chain without contacts (a person alone).

    The stationary distribution of the three-state chain with rates a_C, a_D out of N, g_C, s_CD
    out of C and g_D, s_DC out of D, by the matrix-tree theorem (each share is proportional to
    the sum, over the spanning trees directed into its state, of the product of their rates):

        N: g_C g_D + g_C s_DC + s_CD g_D
        C: a_C g_D + a_C s_DC + a_D s_DC
        D: a_D g_C + a_D s_CD + a_C s_CD

    Examples:
        >>> from supportnet import make_params
        >>> [round(float(x), 3) for x in spontaneous_shares(make_params())]
        [0.298, 0.615, 0.087]
    """
    r = rate_table(params)
    w = np.array(
        [
            r["g_C"] * r["g_D"] + r["g_C"] * r["s_DC"] + r["s_CD"] * r["g_D"],
            r["a_C"] * r["g_D"] + r["a_C"] * r["s_DC"] + r["a_D"] * r["s_DC"],
            r["a_D"] * r["g_C"] + r["a_D"] * r["s_CD"] + r["a_C"] * r["s_CD"],
        ]
    )
    total = w.sum()
    return w / total if total > 0 else np.array([1.0, 0.0, 0.0])


@dataclass
class MoodTally:
    """Events of the mode, counted over person-steps of members (for hazards and sojourns).

    Attributes:
        neutral_steps: Person-steps in N, by content contacts (rows) and discontent contacts
            (columns), each capped at :data:`MAX_CONTACTS`.
        neutral_to_content: N -> C transitions, by the same contact counts.
        neutral_to_discontent: N -> D transitions, likewise.
        content_steps, content_to_neutral, content_to_discontent: Person-steps in C and exits.
        discontent_steps, discontent_to_neutral, discontent_to_content: The same for D.
        capped: Person-steps in N whose contact count was capped.
        person_steps: Person-steps of members (any state).
        contacts: Their ties with contact, summed over those person-steps.
    """

    neutral_steps: np.ndarray = field(default_factory=lambda: _grid())
    neutral_to_content: np.ndarray = field(default_factory=lambda: _grid())
    neutral_to_discontent: np.ndarray = field(default_factory=lambda: _grid())
    content_steps: int = 0
    content_to_neutral: int = 0
    content_to_discontent: int = 0
    discontent_steps: int = 0
    discontent_to_neutral: int = 0
    discontent_to_content: int = 0
    capped: int = 0
    person_steps: int = 0
    contacts: int = 0

    def copy(self) -> MoodTally:
        """An independent copy (to subtract a burn-in from)."""
        out = MoodTally()
        for name, value in vars(self).items():
            setattr(out, name, value.copy() if isinstance(value, np.ndarray) else value)
        return out

    def __sub__(self, other: MoodTally) -> MoodTally:
        out = MoodTally()
        for name, value in vars(self).items():
            setattr(out, name, value - getattr(other, name))
        return out


def _grid() -> np.ndarray:
    return np.zeros((MAX_CONTACTS + 1, MAX_CONTACTS + 1), np.int64)


@dataclass
class MoodState:
    """The moods of the people, their susceptibilities, the mode's generator and its tally.

    Args:
        params: The model's parameters.
        n: Rows (people) at the start.
        seed: The model's seed (the stream is ``default_rng([seed, STREAM_SALT])``).
        members: Which rows are members (professionals stay neutral).
    """

    mood: np.ndarray
    susceptibility: np.ndarray
    rng: np.random.Generator
    tally: MoodTally = field(default_factory=MoodTally)

    @classmethod
    def start(cls, params, n: int, seed: int, members: np.ndarray) -> MoodState:
        """Draw the first moods (the spontaneous equilibrium) and susceptibilities."""
        rng = np.random.default_rng([abs(int(seed)), STREAM_SALT])
        mood, factor = _draw_newcomers(params, rng, n)
        mood[~members] = NEUTRAL
        return cls(mood=mood, susceptibility=factor, rng=rng)

    def shares(self, members: np.ndarray) -> tuple[float, float, float]:
        """Shares of members in N, C and D."""
        counts = np.bincount(self.mood[members], minlength=3)
        total = max(int(counts.sum()), 1)
        return tuple(float(c / total) for c in counts)  # type: ignore[return-value]


def _draw_newcomers(params, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """First moods (a uniform each, from the spontaneous equilibrium) and susceptibilities."""
    cum = np.cumsum(spontaneous_shares(params))
    mood = np.searchsorted(cum[:2], rng.random(k), side="right").astype(np.int8)
    s = params.sisa_heterogeneity
    factor = np.exp(rng.normal(-0.5 * s * s, s, k)) if s > 0 else np.ones(k)
    return mood, factor


def contact_counts(ctx: StepContext, mood: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each person's content, discontent and all contacts this step (ties with contact)."""
    ties, n = ctx.ties, ctx.pop.n
    if ties.m == 0:
        return np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    seen = ctx.contacts > 0
    u, v = ties.u[seen], ties.v[seen]
    mu, mv = mood[u], mood[v]
    x_c = np.bincount(u, mv == CONTENT, n) + np.bincount(v, mu == CONTENT, n)
    x_d = np.bincount(u, mv == DISCONTENT, n) + np.bincount(v, mu == DISCONTENT, n)
    x = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
    return x_c.astype(np.int64), x_d.astype(np.int64), x.astype(np.int64)


def classic_contact(ctx: StepContext) -> None:
    """Classic mode's contact: every tie is one contact every step (a static contact network)."""
    ctx.contacts = np.ones(ctx.ties.m)
    ctx.contact = np.ones(ctx.ties.m, bool)


def _sync_rows(ctx: StepContext, state: MoodState) -> None:
    """Give the step's newcomers a first mood, and rows added since (professionals) neutral."""
    p, pop = ctx.params, ctx.pop
    grown = pop.n - len(state.mood)
    if grown > 0:
        state.mood = np.concatenate([state.mood, np.zeros(grown, np.int8)])
        state.susceptibility = np.concatenate([state.susceptibility, np.ones(grown)])
    who = ctx.replaced
    if who is not None and len(who):
        mood, factor = _draw_newcomers(p, state.rng, len(who))
        state.mood[who] = mood
        state.susceptibility[who] = factor


def run(ctx: StepContext) -> None:
    """Move moods by the competing hazards above; tally the events; apply the coupling."""
    p, pop, state = ctx.params, ctx.pop, ctx.mood
    if not p.sisa or state is None:
        return
    _sync_rows(ctx, state)
    r = rate_table(p)
    mood = state.mood
    x_c, x_d, x_all = contact_counts(ctx, mood)
    f = state.susceptibility
    m = np.ones(pop.n)
    if p.sisa_depression_to_mood > 0:
        m = m + p.sisa_depression_to_mood * pop.depression
    if p.sisa_loneliness_to_mood > 0:
        m = m + p.sisa_loneliness_to_mood * pop.loneliness
    # Hazards (per year) to the "first" and "second" destination of each state:
    # N -> (C, D), C -> (N, D), D -> (N, C).
    is_n, is_c = mood == NEUTRAL, mood == CONTENT
    h1 = np.where(is_n, f * (r["a_C"] + r["b_C"] * x_c), np.where(is_c, r["g_C"], r["g_D"]))
    h2 = np.where(is_n, f * m * (r["a_D"] + r["b_D"] * x_d), np.where(is_c, r["s_CD"], r["s_DC"]))
    h = h1 + h2
    leave = -np.expm1(-h * DT)
    u = state.rng.random(pop.n)
    safe = np.where(h > 0, h, 1.0)
    moves = (u < leave) & pop.members
    first = u < leave * (h1 / safe)
    dest1 = np.array([CONTENT, NEUTRAL, NEUTRAL], np.int8)[mood]
    dest2 = np.array([DISCONTENT, DISCONTENT, CONTENT], np.int8)[mood]
    new = np.where(moves, np.where(first, dest1, dest2), mood).astype(np.int8)
    _tally(state.tally, mood, new, x_c, x_d, pop.members)
    state.tally.contacts += int(x_all[pop.members].sum())
    state.mood = new
    _couple(p, pop, new)


def _tally(t: MoodTally, old, new, x_c, x_d, members) -> None:
    """Add this step's person-steps and transitions (members only) to the tally."""
    old, new = old[members], new[members]
    t.person_steps += len(old)
    xc, xd = x_c[members], x_d[members]
    t.capped += int(((xc > MAX_CONTACTS) | (xd > MAX_CONTACTS))[old == NEUTRAL].sum())
    xc, xd = np.minimum(xc, MAX_CONTACTS), np.minimum(xd, MAX_CONTACTS)
    size = (MAX_CONTACTS + 1) ** 2
    cell = xc * (MAX_CONTACTS + 1) + xd
    was_n = old == NEUTRAL
    for grid, mask in (
        (t.neutral_steps, was_n),
        (t.neutral_to_content, was_n & (new == CONTENT)),
        (t.neutral_to_discontent, was_n & (new == DISCONTENT)),
    ):
        grid += np.bincount(cell[mask], minlength=size).reshape(grid.shape)
    was_c, was_d = old == CONTENT, old == DISCONTENT
    t.content_steps += int(was_c.sum())
    t.content_to_neutral += int((was_c & (new == NEUTRAL)).sum())
    t.content_to_discontent += int((was_c & (new == DISCONTENT)).sum())
    t.discontent_steps += int(was_d.sum())
    t.discontent_to_neutral += int((was_d & (new == NEUTRAL)).sum())
    t.discontent_to_content += int((was_d & (new == CONTENT)).sum())


def _couple(p, pop, mood: np.ndarray) -> None:
    """Mood to depression and loneliness (each off at 0): discontent adds, contentment takes."""
    if p.sisa_mood_to_depression <= 0 and p.sisa_mood_to_loneliness <= 0:
        return
    push = (mood == DISCONTENT).astype(float) - (mood == CONTENT)
    push[~pop.members] = 0.0
    for name, k in (("depression", p.sisa_mood_to_depression),
                    ("loneliness", p.sisa_mood_to_loneliness)):  # fmt: skip
        if k > 0:
            x = getattr(pop, name)
            x += k * push
            np.clip(x, 0.0, 1.0, out=x)
