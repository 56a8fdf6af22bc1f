"""Shared fixtures. Models in tests are small and seeded."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

#: Small, fast settings for unit tests (a sparse convoy of 60 people).
SMALL = {"n_people": 60, "convoy_inner": 3, "convoy_sympathy": 6, "convoy_wider": 10, "n_groups": 4}


@pytest.fixture
def small_params():
    return dict(SMALL)


@pytest.fixture
def small_model():
    from supportnet import SupportModel

    return SupportModel(rng=7, **SMALL)
