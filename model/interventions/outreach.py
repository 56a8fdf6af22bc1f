"""Outreach and anti-stigma campaigns: raise willingness to ask for help.

At each step while the campaign acts it reaches ``floor(budget / cost)`` people (a contact-based
session, a conversation with a trained volunteer), in targeting order among those it has not
reached recently (whose boost from it has faded below half). A person reached gets ``boost`` added
to their willingness to ask for help (``seeking_boost``: see :mod:`supportnet.mechanisms.seeking`):
less stigma, shame and fear of burdening others. The boost fades,

    boost_i <- boost_i * (1 - fade)     every step, also after the campaign ends

because attitude change after anti-stigma contact wanes over weeks to months. Cost: ``cost``
units per person reached.

Sources:
    Clement, S. et al. (2015). What is the impact of mental health-related stigma on help-seeking?
    A systematic review of quantitative and qualitative studies. Psychological Medicine 45(1),
    11-27 (stigma lowers help-seeking).
    Thornicroft, G. et al. (2016). Evidence for effective interventions to reduce
    mental-health-related stigma and discrimination. The Lancet 387(10023), 1123-1132
    (contact-based campaigns work in the short term; evidence of lasting effects is weak).
    Gulliver, A., Griffiths, K. M. & Christensen, H. (2010). Perceived barriers and facilitators
    to mental health help-seeking in young people: a systematic review. BMC Psychiatry 10, 113.
"""

from __future__ import annotations

import numpy as np

from .base import Intervention, _param

__all__ = ["Outreach"]

_NEGLIGIBLE = 1e-6  # a faded boost below this is set to exactly zero


class Outreach(Intervention):
    """An anti-stigma and outreach campaign that raises willingness to ask, for a while."""

    kind = "outreach"
    title = "Outreach and anti-stigma"
    summary = "Contact-based campaigns that raise willingness to ask for help"
    source = "Clement et al. (2015); Thornicroft et al. (2016)"
    cost_unit = "per person reached"
    DEFAULT_TARGETING = "random"
    OWN_PARAMETERS = (
        _param("cost", float, 5.0, 0.01, 1e6, "units per person reached",
               "Cost of reaching one person (a contact-based session)"),
        _param("boost", float, 0.2, 0, 1, "probability",
               "Added to a reached person's willingness to ask for help"),
        _param("fade", float, 0.02, 0, 1, "per step", "Share of the boost lost per step"),
    )  # fmt: skip

    def prepare(self, model) -> None:
        """No one reached yet."""
        self.boosts = np.zeros(self.n0)

    def forget(self, model, people: np.ndarray) -> None:
        """Newcomers have not been reached (their willingness was drawn afresh)."""
        self.boosts[people] = 0.0

    def every_step(self, model, step: int) -> None:
        """Let the boosts given so far fade (nothing to do before the first contact)."""
        if self.steps_acted == 0 or not self.boosts.any():
            return
        faded = self.boosts * (1.0 - self.fade)
        faded[faded < _NEGLIGIBLE] = 0.0
        self._set(model, faded)

    def apply(self, model, step: int) -> None:
        """Reach this step's people among those not reached recently."""
        pool = self.candidates(model)
        pool = pool[self.boosts[pool] < 0.5 * self.boost]
        chosen = self.ranked(model, pool)[: self.units]
        if len(chosen) == 0:
            return
        boosts = self.boosts.copy()
        boosts[chosen] = self.boost
        self._set(model, boosts)
        self.reach(chosen, step)
        self.spend(len(chosen))

    def _set(self, model, boosts: np.ndarray) -> None:
        # Add only the change, so several campaigns (and other hooks) add up.
        changed = np.flatnonzero(boosts != self.boosts)
        model.population.seeking_boost[changed] += boosts[changed] - self.boosts[changed]
        self.boosts = boosts

    def status(self) -> dict:
        """Add how many people carry a boost now."""
        boosts = getattr(self, "boosts", np.zeros(0))
        return {**super().status(), "boosted_now": int((boosts > 0).sum())}
