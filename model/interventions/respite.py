"""Respite for carers: restores the capacity of heavily loaded givers.

The intervention keeps track of each person's recent load as a giver, a moving average of the
support they give relative to their maximum capacity (``burden`` in
:mod:`supportnet.mechanisms.costs`),

    load_i <- (1 - 1/4) * load_i + 1/4 * burden_i          (about the last four steps)

Givers whose load is above ``load_threshold`` count as heavily loaded carers. At each step while
it acts, respite goes to ``floor(budget / cost)`` of them, in targeting order; someone else takes
over the caring for a while, so a carer who gets respite regains part of their spent capacity and
sheds some stress:

    capacity_i <- capacity_i + restore * (capacity_max_i - capacity_i)
    stress_i   <- stress_i * (1 - stress_relief)

Cost: ``cost`` units per carer per step of respite (replacement care is costly).

Sources:
    Pinquart, M. & Sorensen, S. (2006). Helping caregivers of persons with dementia: which
    interventions work and how large are their effects? International Psychogeriatrics 18(4),
    577-595 (respite: small improvements in burden and depression).
    Vandepitte, S. et al. (2016). Effectiveness of respite care in supporting informal caregivers
    of persons with dementia: a systematic review. International Journal of Geriatric Psychiatry
    31(12), 1277-1288.
    Pinquart & Sorensen (2003), for caregiver burden (supportnet.mechanisms.costs).
"""

from __future__ import annotations

import numpy as np

from .base import Intervention, _param

__all__ = ["Respite"]

_LOAD_RATE = 0.25  # weight of the latest step in the moving average of load


class Respite(Intervention):
    """Respite care that restores heavily loaded givers' capacity and relieves their stress."""

    kind = "respite"
    title = "Respite for carers"
    summary = "Replacement care that restores the capacity of heavily loaded givers"
    source = "Pinquart & Sorensen (2006); Vandepitte et al. (2016)"
    cost_unit = "per carer per step"
    DEFAULT_TARGETING = "most_stressed"
    OWN_PARAMETERS = (
        _param("cost", float, 2.0, 0.01, 1e6, "units per carer per step",
               "Cost of one step of respite for one carer"),
        _param("load_threshold", float, 0.05, 0, 10, "share",
               "Recent giving (share of maximum capacity per step) above which a giver counts "
               "as a heavily loaded carer"),
        _param("restore", float, 0.5, 0, 1, "share",
               "Share of a carer's spent capacity restored by a step of respite"),
        _param("stress_relief", float, 0.1, 0, 1, "share",
               "Share of a carer's stress relieved by a step of respite"),
    )  # fmt: skip

    def prepare(self, model) -> None:
        """No load recorded yet."""
        self.load = np.zeros(self.n0)
        self.last_carers = np.zeros(0, np.int64)

    def forget(self, model, people: np.ndarray) -> None:
        """Newcomers have carried no load."""
        self.load[people] = 0.0

    def every_step(self, model, step: int) -> None:
        """Update the moving average of each giver's load (reads the model, changes nothing)."""
        if step > 0:
            self.load += _LOAD_RATE * (model.population.burden[: self.n0] - self.load)

    def carers(self, model) -> np.ndarray:
        """People whose recent load is above the threshold."""
        pool = self.candidates(model)
        return pool[self.load[pool] > self.load_threshold]

    def apply(self, model, step: int) -> None:
        """Give this step's respite to the first carers in targeting order."""
        pop = model.population
        chosen = self.ranked(model, self.carers(model))[: self.units]
        self.last_carers = chosen
        if len(chosen) == 0:
            return
        pop.capacity[chosen] += self.restore * (pop.capacity_max[chosen] - pop.capacity[chosen])
        pop.stress[chosen] *= 1.0 - self.stress_relief
        self.reach(chosen, step)
        self.spend(len(chosen))

    def status(self) -> dict:
        """Add how many carers got respite in the latest step."""
        return {**super().status(), "carers_now": len(getattr(self, "last_carers", ()))}
