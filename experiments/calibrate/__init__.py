"""Calibration: ABC-SMC fits of the model's parameters to the stylised facts.

:mod:`.config` reads and checks a calibration config, :mod:`.smc` holds the algorithm (proposals,
weights, thresholds; pure numpy, deterministic), :mod:`.evaluate` turns particles into runs of the
facts battery and their runs into distances, :mod:`.driver` runs the generations (resumable),
:mod:`.output` writes the posterior, the report and the ``calibrated`` preset. docs/calibration.md
explains the method and how to read the results.
"""

from .config import CalibrationConfig, load_calibration, parse_calibration
from .driver import CalibrationOutcome, run_calibration

__all__ = [
    "CalibrationConfig",
    "CalibrationOutcome",
    "load_calibration",
    "parse_calibration",
    "run_calibration",
]
