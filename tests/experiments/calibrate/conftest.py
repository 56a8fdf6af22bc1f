"""A tiny calibration (40 people, 36 steps, 4 particles): for plumbing, determinism and resume."""

from __future__ import annotations

import textwrap

import pytest

TINY_CAL = textwrap.dedent(
    """\
    name = "tinycal"
    seed = 17
    budget = "about 20 seconds: 4 particles x 3 generations (at most 100 proposals each) of one 36-step run of 40 people"

    [fit]
    facts = ["prevalence", "layers"]
    held_out = ["caregiver"]

    [town]
    n_people = 40
    convoy_inner = 3
    convoy_sympathy = 6
    convoy_wider = 8
    n_groups = 4

    [run]
    burn_in = 10
    measure_steps = 26
    seeds = 1
    every = 4
    contact_window = 13

    [abc]
    population = 4
    generations = 3
    batch = 3
    max_proposals = 100
    predictive = 2

    [parameters]
    contact_inner = { low = 0.5, high = 5.0 }
    depression_recovery = { low = 0.005, high = 0.2, prior = "loguniform" }
    """
)


@pytest.fixture
def tiny_cal_file(tmp_path):
    path = tmp_path / "tinycal.toml"
    path.write_text(TINY_CAL)
    return path
