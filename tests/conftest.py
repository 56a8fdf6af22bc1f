"""Shared fixtures. Models in tests are small and seeded."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

# Property tests are deterministic by default: the same examples on every machine and run, and no
# example database, so nothing saved by an earlier run can fail a clean clone. To search for new
# failing examples, run with HYPOTHESIS_PROFILE=explore (random, with the local database).
settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

#: Small, fast settings for unit tests (a sparse convoy of 60 people).
SMALL = {"n_people": 60, "convoy_inner": 3, "convoy_sympathy": 6, "convoy_wider": 10, "n_groups": 4}


@pytest.fixture
def small_params():
    return dict(SMALL)


@pytest.fixture
def small_model():
    from supportnet import SupportModel

    return SupportModel(rng=7, **SMALL)
