"""SupportNet's model: social support and mental health on an evolving network (Mesa).

>>> from model import SupportModel
>>> m = SupportModel(rng=42, n_people=100, convoy_wider=20)
>>> m.run_for(10)

Only the model is imported here (no dashboards, no experiment machinery), so sweeps stay light.
"""

from .agents import Person, Professional
from .generators import NetworkFileError
from .model import SupportModel
from .params import PARAMETERS, PRESETS, ParameterError, Params, make_params, preset

__all__ = [
    "PARAMETERS",
    "PRESETS",
    "NetworkFileError",
    "ParameterError",
    "Params",
    "Person",
    "Professional",
    "SupportModel",
    "make_params",
    "preset",
]
