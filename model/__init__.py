"""SupportNet: social support and mental health on an evolving network (Mesa).

>>> from supportnet import SupportModel
>>> m = SupportModel(rng=42, n_people=100, convoy_wider=20)
>>> m.run_for(10)

The package is the model (``supportnet.params``, ``supportnet.mechanisms``, ...); the experiment
machinery and the dashboard are its subpackages ``supportnet.experiments`` and
``supportnet.dashboards``. The public names below are imported on first use, so importing a
submodule (``supportnet.params``, ``supportnet.experiments.cli``) loads nothing else, sweeps stay
light, and Solara is never imported from here.
"""

__all__ = [
    "PARAMETERS",
    "PRESETS",
    "NetworkFileError",
    "ParameterError",
    "Params",
    "Person",
    "Professional",
    "SupportModel",
    "SupportScenario",
    "load_results",
    "make_params",
    "preset",
    "run_experiment",
]

#: Where each public name lives (imported on first access, PEP 562).
_LAZY = {
    "PARAMETERS": ".params",
    "PRESETS": ".params",
    "ParameterError": ".params",
    "Params": ".params",
    "make_params": ".params",
    "preset": ".params",
    "NetworkFileError": ".generators",
    "Person": ".agents",
    "Professional": ".agents",
    "SupportModel": ".model",
    "SupportScenario": ".scenario",
    "run_experiment": ".experiments.api",
    "load_results": ".experiments.api",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
