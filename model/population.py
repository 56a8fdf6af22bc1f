"""Per-person state as numpy arrays (structure of arrays), drawn from the parameters.

Every state and trait of ``../shared/design/model.md`` is one array indexed by person: person ``i``
is row ``i`` of each array and node ``i`` of the network. :class:`supportnet.agents.Person` objects
read and write these rows.

Heterogeneity: traits are drawn per person from normal distributions clipped to their bounds, with
the configured subgroups (low income, severe mental illness, older adults) shifting them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from .kinds import SUPPORT_TYPES, TIE_KINDS
from .params import Params

__all__ = [
    "STATE_FIELDS",
    "SUBGROUP_CODES",
    "Population",
    "draw_population",
    "layer_sizes",
    "network_sizes",
]

#: Subgroup codes in the ``subgroup`` array.
SUBGROUP_CODES = {"none": 0, "low_income": 1, "severe_mental_illness": 2, "older_adults": 3}

N_TYPES = len(SUPPORT_TYPES)
N_KINDS = len(TIE_KINDS)

#: Per-person states that change during a run, bounded in [0, 1] (capacity: [0, capacity_max]).
STATE_FIELDS = ("stress", "depression", "loneliness", "capacity", "perceived_support")


@dataclass
class Population:
    """The people's states and traits, one array row per person.

    States (change every step): ``stress``, ``depression``, ``loneliness``, ``capacity``,
    ``perceived_support``, ``need`` (n x 4 unmet need per support type).
    Traits (fixed unless an intervention changes them): ``capacity_max``, ``competence`` (n x 4),
    ``help_seeking``, ``desired_connection``, ``resilience``, ``perception_bias``,
    ``loneliness_bias``, ``interests`` (n x dims), ``group``, ``subgroup``, ``is_professional``,
    ``caseload``, ``home`` (n x 2), ``network_size``, ``layer_inner``, ``layer_sympathy``.
    Family: ``family``, the family a person belongs to (a family slot of the town, see
    :mod:`supportnet.mechanisms.turnover`; -1 for people with no family in the town).
    Roles: ``care_need``, ``carer_of``, ``cared_by``, ``carer``. Trust: ``trust``; this step's
    ``asks_made`` and ``responses`` (perceived support).
    Step records (rewritten each step, read by measures and tests): ``event``, ``event_kind``,
    ``asked``, ``received`` (n x 4), ``given``, ``burden``, ``contact``.
    Panel accumulators: ``stressor_load`` (event magnitude summed since the last panel row).
    Run totals (recording only, never reset by the model; read by
    :mod:`supportnet.analysis.record`): ``stressor_total`` (event magnitudes since the person
    arrived), ``given_total`` (support given), ``received_kind_total`` (n x 6: support received,
    by the kind of the tie it came over, in :data:`supportnet.kinds.TIE_KINDS` order),
    ``ties_lost_total`` (this person's ties that ended in the tie phase), ``arrived`` (the step
    at which the person joined: 0 or earlier for the starting population, whose time in town
    the generator may draw; a row whose ``arrived`` changes
    holds a different person).
    Intervention hooks (inert by default): ``seeking_boost`` (added to willingness to ask),
    ``tie_formation`` and ``online_formation`` (scale tie formation), ``generic_support`` (givers
    who split support evenly over the types whatever the need: generic professional help).
    """

    stress: np.ndarray
    depression: np.ndarray
    loneliness: np.ndarray
    capacity: np.ndarray
    perceived_support: np.ndarray
    need: np.ndarray
    capacity_max: np.ndarray
    competence: np.ndarray
    help_seeking: np.ndarray
    desired_connection: np.ndarray
    resilience: np.ndarray
    perception_bias: np.ndarray
    loneliness_bias: np.ndarray
    interests: np.ndarray
    group: np.ndarray
    subgroup: np.ndarray
    is_professional: np.ndarray
    caseload: np.ndarray
    # step records
    event: np.ndarray = field(default=None)  # type: ignore[assignment]
    event_kind: np.ndarray = field(default=None)  # type: ignore[assignment]
    asked: np.ndarray = field(default=None)  # type: ignore[assignment]
    received: np.ndarray = field(default=None)  # type: ignore[assignment]
    received_effective: np.ndarray = field(default=None)  # type: ignore[assignment]
    given: np.ndarray = field(default=None)  # type: ignore[assignment]
    burden: np.ndarray = field(default=None)  # type: ignore[assignment]
    contact: np.ndarray = field(default=None)  # type: ignore[assignment]
    stressor_load: np.ndarray = field(default=None)  # type: ignore[assignment]
    # run totals
    stressor_total: np.ndarray = field(default=None)  # type: ignore[assignment]
    given_total: np.ndarray = field(default=None)  # type: ignore[assignment]
    received_kind_total: np.ndarray = field(default=None)  # type: ignore[assignment]
    ties_lost_total: np.ndarray = field(default=None)  # type: ignore[assignment]
    arrived: np.ndarray = field(default=None)  # type: ignore[assignment]
    seeking_boost: np.ndarray = field(default=None)  # type: ignore[assignment]
    tie_formation: np.ndarray = field(default=None)  # type: ignore[assignment]
    online_formation: np.ndarray = field(default=None)  # type: ignore[assignment]
    generic_support: np.ndarray = field(default=None)  # type: ignore[assignment]
    asks_made: np.ndarray = field(default=None)  # type: ignore[assignment]
    responses: np.ndarray = field(default=None)  # type: ignore[assignment]
    trust: np.ndarray = field(default=None)  # type: ignore[assignment]
    care_need: np.ndarray = field(default=None)  # type: ignore[assignment]
    carer_of: np.ndarray = field(default=None)  # type: ignore[assignment]
    cared_by: np.ndarray = field(default=None)  # type: ignore[assignment]
    carer: np.ndarray = field(default=None)  # type: ignore[assignment]
    home: np.ndarray = field(default=None)  # type: ignore[assignment]
    network_size: np.ndarray = field(default=None)  # type: ignore[assignment]
    layer_inner: np.ndarray = field(default=None)  # type: ignore[assignment]
    layer_sympathy: np.ndarray = field(default=None)  # type: ignore[assignment]
    family: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = len(self.stress)
        for name, shape, dtype, fill in (
            ("event", (n,), float, 0.0),
            ("event_kind", (n,), np.int8, -1),
            ("asked", (n,), bool, False),
            ("received", (n, N_TYPES), float, 0.0),
            ("received_effective", (n, N_TYPES), float, 0.0),
            ("given", (n,), float, 0.0),
            ("burden", (n,), float, 0.0),
            ("contact", (n,), float, 0.0),
            ("stressor_load", (n,), float, 0.0),
            ("stressor_total", (n,), float, 0.0),
            ("given_total", (n,), float, 0.0),
            ("received_kind_total", (n, N_KINDS), float, 0.0),
            ("ties_lost_total", (n,), np.int64, 0),
            ("arrived", (n,), np.int64, 0),
            ("seeking_boost", (n,), float, 0.0),
            ("tie_formation", (n,), float, 1.0),
            ("online_formation", (n,), float, 1.0),
            ("generic_support", (n,), bool, False),
            ("asks_made", (n,), float, 0.0),
            ("responses", (n,), float, 0.0),
            ("trust", (n,), float, 0.7),
            ("care_need", (n,), bool, False),
            ("carer_of", (n,), np.int64, -1),
            ("cared_by", (n,), np.int64, -1),
            ("carer", (n,), bool, False),
            ("home", (n, 2), float, 0.0),
            ("network_size", (n,), float, 0.0),
            ("layer_inner", (n,), np.int64, 0),
            ("layer_sympathy", (n,), np.int64, 0),
            ("family", (n,), np.int64, -1),
        ):
            if getattr(self, name) is None:
                setattr(self, name, np.full(shape, fill, dtype))

    @property
    def n(self) -> int:
        """Number of people (professionals included)."""
        return len(self.stress)

    @property
    def members(self) -> np.ndarray:
        """Mask of the population proper (everyone but professionals), for measures."""
        return ~self.is_professional

    def append(self, other: Population) -> None:
        """Add the people of ``other`` at the end (e.g. professionals joining)."""
        for f in fields(self):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), getattr(other, f.name)]))


def _clipped_normal(rng: np.random.Generator, mean: float, sd: float, size, low=0.0, high=1.0):
    return np.clip(rng.normal(mean, sd, size), low, high)


def network_sizes(params: Params, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw each person's network size: ties they can keep up (a finite capacity).

    Gamma distributed with mean ``convoy_wider`` and coefficient of variation
    ``network_size_cv`` (personal network sizes vary several-fold between people: Hill & Dunbar
    2003; Pollet, Roberts & Dunbar 2011), at least 1.
    """
    mean, cv = float(params.convoy_wider), float(params.network_size_cv)
    if cv < 1e-6 or mean <= 0:  # (1 / cv**2 overflows for a cv that is 0 in all but name)
        return np.full(n, max(mean, 0.0))
    shape = 1.0 / cv**2
    return np.maximum(rng.gamma(shape, mean / shape, n), 1.0)


def desired_connection(params: Params, size: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Each person's desired connection, correlated with their network size.

    Sociable people both keep larger networks and want more contact (extraversion goes with
    network size and with the need to affiliate: Pollet, Roberts & Dunbar 2011), so a small network
    is not in itself a lonely one: loneliness is the gap between the two (Perlman & Peplau 1981).

        z_i       = standardised log network size
        desired_i = clip(mean + sd * (rho * z_i + sqrt(1 - rho^2) * noise_i), 0, 1)

    with rho = ``desire_size_correlation`` and noise a standard normal draw.
    """
    rho = float(params.desire_size_correlation)
    logs = np.log(np.maximum(size, 1e-9))
    spread = logs.std()
    z = (logs - logs.mean()) / spread if len(logs) > 1 and spread > 0 else np.zeros(len(size))
    mix = rho * z + np.sqrt(max(0.0, 1.0 - rho * rho)) * noise
    return np.clip(params.desired_connection_mean + params.desired_connection_sd * mix, 0.0, 1.0)


def layer_sizes(params: Params, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each person's inner-circle and sympathy-group sizes: the means scaled by network size.

    People with larger networks have larger layers (Pollet, Roberts & Dunbar 2011); the ratio
    between layers stays that of the means (about 3: Zhou et al. 2005).
    """
    mean = max(float(params.convoy_wider), 1e-9)
    scale = size / mean
    inner = np.rint(params.convoy_inner * scale).astype(np.int64)
    sympathy = np.maximum(np.rint(params.convoy_sympathy * scale).astype(np.int64), inner)
    return inner, sympathy


def draw_population(
    params: Params, n: int, rng: np.random.Generator, exact_shares: bool = True
) -> Population:
    """Draw ``n`` people from the parameters.

    Args:
        params: Validated parameters.
        n: Number of people (may differ from ``params.n_people`` for file and real networks).
        rng: The model's generator; draws are made in a fixed order.
        exact_shares: Subgroups take exactly their shares of the people (a starting town);
            otherwise each person joins a subgroup with its share as probability (newcomers).

    Returns:
        A new population.
    """
    p = params
    subgroup = np.zeros(n, np.int8)
    shares = ((1, p.low_income_share), (2, p.smi_share), (3, p.older_share))
    if exact_shares:
        # Disjoint subgroups, assigned to a random permutation by their shares.
        order = rng.permutation(n)
        start = 0
        for code, share in shares:
            k = int(round(share * n))
            subgroup[order[start : start + k]] = code
            start += k
    else:
        u = rng.random(n)
        low = 0.0
        for code, share in shares:
            subgroup[(u >= low) & (u < low + share)] = code
            low += share
    low_income = subgroup == 1
    smi = subgroup == 2
    older = subgroup == 3

    capacity_max = _clipped_normal(rng, p.capacity_mean, p.capacity_sd, n)
    capacity_max[low_income] *= p.low_income_capacity
    help_seeking = _clipped_normal(rng, p.help_seeking_mean, p.help_seeking_sd, n)
    help_seeking[smi] *= p.smi_support_factor
    resilience = _clipped_normal(rng, p.resilience_mean, p.resilience_sd, n)
    desired_noise = rng.normal(0.0, 1.0, n)
    competence = _clipped_normal(rng, p.competence_mean, p.competence_sd, (n, N_TYPES))
    bias = np.clip(rng.normal(0.0, p.perception_bias_sd, n), -1.0, 1.0)
    lonely_bias = np.clip(rng.normal(0.0, p.loneliness_bias_sd, n), -1.0, 1.0)
    interests = rng.random((n, p.interest_dims))
    group = rng.integers(0, p.n_groups, n).astype(np.int32)

    sd0 = 0.1  # spread of starting states around their means
    stress = _clipped_normal(rng, p.initial_stress_mean, sd0, n)
    depression = _clipped_normal(rng, p.initial_depression_mean, sd0, n)
    depression[smi] = np.clip(depression[smi] + p.smi_depression_add, 0, 1)
    loneliness = _clipped_normal(rng, p.initial_loneliness_mean, sd0, n)
    perceived = _clipped_normal(rng, p.initial_perceived_support_mean, sd0, n)
    perceived[smi] *= p.smi_support_factor
    need = np.zeros((n, N_TYPES))

    tie_formation = np.ones(n)
    tie_formation[older] = p.older_tie_formation
    online_formation = tie_formation.copy()
    online_formation[older] = p.older_online
    home = rng.random((n, 2))
    size = network_sizes(p, n, rng)
    inner, sympathy = layer_sizes(p, size)
    desired = desired_connection(p, size, desired_noise)

    return Population(
        stress=stress,
        depression=depression,
        loneliness=loneliness,
        capacity=capacity_max.copy(),
        perceived_support=perceived,
        need=need,
        capacity_max=capacity_max,
        competence=competence,
        help_seeking=help_seeking,
        desired_connection=desired,
        resilience=resilience,
        perception_bias=bias,
        loneliness_bias=lonely_bias,
        interests=interests,
        group=group,
        subgroup=subgroup,
        is_professional=np.zeros(n, bool),
        caseload=np.zeros(n, np.int64),
        tie_formation=tie_formation,
        online_formation=online_formation,
        home=home,
        network_size=size,
        layer_inner=inner,
        layer_sympathy=sympathy,
    )
