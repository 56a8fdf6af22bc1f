"""Experiments: declarative sweeps over the model, their execution, storage and reports.

Also home of the ``supportnet`` command line (:mod:`experiments.cli`).
"""
