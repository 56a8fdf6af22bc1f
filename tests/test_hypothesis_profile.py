"""Property tests are deterministic: no randomness between runs and no saved example database."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "deterministic") != "deterministic",
    reason="another hypothesis profile was chosen (HYPOTHESIS_PROFILE)",
)


def test_the_deterministic_profile_is_loaded_by_default():
    assert settings.default.derandomize is True
    assert settings.default.database is None


seen: list[list[int]] = []


@settings(max_examples=5)
@given(st.lists(st.integers()))
def _draw(values):
    seen[-1].append(sum(values))


def test_the_same_examples_every_time():
    for _ in range(2):
        seen.append([])
        _draw()
    assert seen[0] == seen[1] and len(seen[0]) >= 5
