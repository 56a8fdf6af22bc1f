"""Experiments: declarative sweeps over the model, their execution, storage and reports.

Also home of the ``supportnet`` command line (:mod:`supportnet.experiments.cli`). For notebooks::

    from supportnet import run_experiment, load_results
    res = run_experiment("demo", workers=2)
    res.summary, res.steps

The Python API is imported on first use, so the command line starts without loading it.
"""

from __future__ import annotations

__all__ = ["ConfigError", "load_config", "load_results", "run_experiment", "write_report"]

_LAZY = {
    "run_experiment": "supportnet.experiments.api",
    "load_results": "supportnet.experiments.api",
    "load_config": "supportnet.experiments.config",
    "ConfigError": "supportnet.experiments.config",
    "write_report": "supportnet.experiments.report",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
