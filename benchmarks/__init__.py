"""Benchmarks: the model's speed and memory, against a straightforward per-agent reference.

``python -m supportnet.benchmarks.speed --help`` runs the speed benchmark;
:mod:`supportnet.benchmarks.reference` holds the per-agent Mesa implementation that serves as both
the baseline and the oracle of the fast model.
"""
