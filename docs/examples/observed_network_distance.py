"""Loneliness excess risk by distance: on the whole network, and as Framingham observed its own.

The distance-decay fact (docs/validation.md) measures excess risk on the model's whole network:
every tie a person keeps, the weak ones included. The published curve (Cacioppo, Fowler &
Christakis 2009) was measured on the Framingham Heart Study's network, which holds only the ties
the study recorded: relatives, usually one close friend named by each participant, the people in
the adjacent households and coworkers. Two people who see each other every week but are not on
each other's records are two or more steps apart there. This script measures both on the same
towns, at the same step, with the battery's own measure (``excess_risk_by_distance``: excess =
P(ego lonely | alter at distance d lonely) / its mean over 100 permutations of loneliness - 1):

* **whole network**: every tie (the fact's measure);
* **observed, Framingham-like**: family ties, each person's ``--friends`` strongest non-family
  ties (the close friend they would name) and their ``--neighbours`` nearest households (adjacent
  addresses, whether or not they know each other). The model has no workplaces.

Usage::

    python docs/examples/observed_network_distance.py --seeds 10 --workers 2

Prints the mean over towns of the excess risk and of the share of pairs at distances 1-4 for each
network, with the published values.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from supportnet import SupportModel
from supportnet.analysis.distance import excess_risk_by_distance
from supportnet.kinds import FAMILY

PUBLISHED = {1: 0.52, 2: 0.25, 3: 0.15, 4: 0.0}
DISTANCES = (1, 2, 3, 4)


def adjacency(u: np.ndarray, v: np.ndarray, n: int) -> sparse.csr_matrix:
    """Symmetric 0/1 adjacency of the pairs (u, v) among n people."""
    a = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)).tocsr()
    a = (a + a.T).tocsr()
    a.data[:] = 1.0
    return a


def observed_network(model: SupportModel, friends: int, neighbours: int) -> sparse.csr_matrix:
    """The ties a Framingham-like record would hold: family, named friends, adjacent households.

    Args:
        model: A model at the step measured.
        friends: Strongest non-family ties each person names.
        neighbours: Nearest homes (on the town's torus) each person is linked to.
    """
    ties, pop = model.ties, model.population
    family = ties.kind == FAMILY
    us, vs = [ties.u[family]], [ties.v[family]]
    other = ~family
    ego = np.concatenate([ties.u[other], ties.v[other]]).astype(np.int64)
    alter = np.concatenate([ties.v[other], ties.u[other]]).astype(np.int64)
    strength = np.concatenate([ties.strength[other], ties.strength[other]])
    order = np.lexsort((-strength, ego))
    rank = np.arange(len(order)) - np.searchsorted(ego[order], ego[order])
    named = order[rank < friends]
    us.append(ego[named])
    vs.append(alter[named])
    if neighbours:
        _, nearest = cKDTree(pop.home, boxsize=1.0).query(pop.home, k=neighbours + 1)
        for j in range(1, neighbours + 1):  # column 0 is the person's own home
            us.append(np.arange(pop.n))
            vs.append(nearest[:, j])
    return adjacency(np.concatenate(us), np.concatenate(vs), pop.n)


def measure_town(seed: int, steps: int, friends: int, neighbours: int, params: dict) -> list[dict]:
    """Run one town and measure excess risk by distance on both networks."""
    model = SupportModel(rng=seed, **params)
    model.run_for(steps)
    pop = model.population
    members = pop.members & ~pop.is_professional
    lonely = pop.loneliness > model.params.lonely_threshold
    whole = adjacency(model.ties.u, model.ties.v, pop.n)
    rows = []
    for name, net in (
        ("whole network", whole),
        ("observed, Framingham-like", observed_network(model, friends, neighbours)),
    ):
        r = excess_risk_by_distance(net, lonely, members=members, seed=seed)
        rows.append(
            {"network": name, "seed": seed, "mean degree": net.sum() / pop.n}
            | {f"excess d{d}": r[f"excess_d{d}"] for d in DISTANCES}
            | {f"pairs d{d}": r[f"pairs_d{d}"] for d in DISTANCES}
        )
    return rows


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Measure the towns and print the table; return it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10, help="towns (seeds 1..N)")
    ap.add_argument("--steps", type=int, default=600, help="steps run before measuring")
    ap.add_argument("--friends", type=int, default=1, help="close friends each person names")
    ap.add_argument("--neighbours", type=int, default=1, help="adjacent households per person")
    ap.add_argument("--people", type=int, default=None, help="n_people (default: the model's)")
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)
    params = {} if a.people is None else {"n_people": a.people}
    seeds = list(range(1, a.seeds + 1))
    fixed = [[x] * len(seeds) for x in (a.steps, a.friends, a.neighbours, params)]
    with ProcessPoolExecutor(max_workers=a.workers) as pool:
        rows = [row for town in pool.map(measure_town, seeds, *fixed) for row in town]
    table = pd.DataFrame(rows)
    summary = table.drop(columns="seed").groupby("network", sort=False).mean()
    published = {f"excess d{d}": v for d, v in PUBLISHED.items()}
    summary.loc["published (Cacioppo et al. 2009)"] = pd.Series(published)
    pd.set_option("display.width", 200)
    print(f"{a.seeds} towns at step {a.steps}; observed network: family, {a.friends} named "
          f"friend(s), {a.neighbours} adjacent household(s); mean over towns:")  # fmt: skip
    print(summary.round(3).to_string())
    return table


if __name__ == "__main__":
    main()
