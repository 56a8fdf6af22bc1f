"""The stylised facts battery: the model measured against the published patterns it exists to test.

``supportnet facts`` (or :func:`run_facts` from Python) runs the facts declared in ``facts.toml``
(see :mod:`.declare`) through the sweep machinery, judges each against its published target and
tolerance (:mod:`.judge`) and writes a table, ``facts.json`` and figures (:mod:`.output`).
docs/validation.md describes every fact and gives the latest full battery at the defaults.
"""

from .battery import BatteryOutcome, default_folder, run_facts
from .declare import FACTS_FILE, Battery, Check, Fact, load_battery
from .judge import CheckResult, FactResult
from .plan import Overrides

__all__ = [
    "FACTS_FILE",
    "Battery",
    "BatteryOutcome",
    "Check",
    "CheckResult",
    "Fact",
    "FactResult",
    "Overrides",
    "default_folder",
    "load_battery",
    "run_facts",
]
