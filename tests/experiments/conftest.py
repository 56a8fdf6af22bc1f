"""Fixtures for the experiments tests: tiny configs (40 people, a few steps) written to tmp_path."""

from __future__ import annotations

import copy
import textwrap

import pytest

#: A tiny experiment: 2 x 2 grid, 2 replications, 12 steps of 40 people (8 runs, ~0.05 s each).
TINY = {
    "name": "tiny",
    "seed": 11,
    "steps": 12,
    "replications": 2,
    "base": {
        "n_people": 40,
        "convoy_inner": 3,
        "convoy_sympathy": 6,
        "convoy_wider": 8,
        "n_groups": 4,
        "panel_every": 4,
    },
    "design": {"vary": {"stressor_rate": [0.02, 0.1], "buffering": [True, False]}},
    "control": {"where": {"buffering": False}},
    "output": {"outcome_window": 4},
}

TINY_TOML = textwrap.dedent(
    """\
    name = "tiny"
    seed = 11
    steps = 12
    replications = 2

    [base]
    n_people = 40
    convoy_inner = 3
    convoy_sympathy = 6
    convoy_wider = 8
    n_groups = 4
    panel_every = 4

    [design.vary]
    stressor_rate = [0.02, 0.1]
    buffering = [true, false]

    [control]
    where = { buffering = false }

    [output]
    outcome_window = 4
    """
)


@pytest.fixture
def tiny():
    """A fresh copy of the tiny config as a dict."""
    return copy.deepcopy(TINY)


@pytest.fixture
def tiny_file(tmp_path):
    """The tiny config written as a TOML file."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML)
    return path
