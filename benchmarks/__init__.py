"""Benchmarks: the model's speed and memory, against a straightforward per-agent reference.

``python -m benchmarks.speed --help`` runs the speed benchmark; :mod:`benchmarks.reference` holds
the per-agent Mesa implementation that serves as both the baseline and the oracle of the fast model.
"""
