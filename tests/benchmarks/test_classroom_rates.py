"""The class benchmark's rate while playing: the probes' pauses and Step presses left out."""

import pytest

from supportnet.benchmarks.classroom import playing_rates


def test_a_session_paused_by_the_probes_is_judged_on_its_playing_time():
    # Two sessions kept the same pace (5 steps/s) while playing; one was paused for 6 of 60 s
    # and made 4 steps by the probes' Step presses meanwhile.
    rates = playing_rates([10, 10], [310, 284], [0, 4], [0.0, 6.0], 60.0)
    assert rates == pytest.approx([5.0, 5.0])


def test_without_probes_the_playing_rate_is_the_wall_rate():
    assert playing_rates([0, 7], [120, 127], [0, 0], [0.0, 0.0], 30.0) == [4.0, 4.0]
