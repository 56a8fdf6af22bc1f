"""Play's pacing, turns and back-pressure (no server, no browser: plain threads and a clock)."""

from __future__ import annotations

import threading
import time

from supportnet.dashboards import play


def test_pacer_owes_steps_at_the_rate_and_drops_old_debt():
    p = play.Pacer()
    assert p.owed(0.0, 10) == 1  # the first frame steps at once
    p.ran(1)
    assert p.owed(0.25, 10) == 2
    p.ran(2)
    assert p.wait(10) > 0
    # A session that could not keep up for 10 s is not owed 100 steps: at most MAX_LAG's worth.
    assert p.owed(10.25, 10) == int(10 * play.MAX_LAG)
    assert p.dropped and p.behind  # steps were dropped: the pace is not kept


def test_a_session_behind_its_pace_draws_less_often():
    p = play.Pacer()
    p.ran(p.owed(0.0, 10))
    assert not p.behind
    p.owed(0.55, 10)  # 5 steps owed, 3 run: still behind
    p.ran(3)
    assert p.behind
    turns = play.Turns()
    turns.playing, turns.draw_seconds = 4, 0.2
    assert turns.spacing() == 0.2 * 4 / play.DRAW_SHARE
    assert turns.spacing(behind=True) == 0.2 * 4 / play.DRAW_SHARE_BEHIND > turns.spacing()


def test_a_slow_page_gets_several_steps_per_picture():
    """When pictures are slow, each one shows more steps and the pace holds."""
    painted = play.Painted()
    frames, steps = [], [0]
    playing = threading.Event()
    playing.set()

    def step(n, stop):
        done = 0
        for _ in range(n):
            if stop():
                break
            steps[0] += 1
            done += 1
        return done

    def redraw():
        frames.append(steps[0])
        time.sleep(0.3)  # a busy server: a picture takes 0.3 s
        painted.mark(len(frames))
        return len(frames)

    t = threading.Thread(
        target=play.play,
        kwargs=dict(
            playing=playing.is_set, rate=lambda: 20.0, step=step, redraw=redraw, painted=painted,
            queue=play.Turns(),
        ),
    )  # fmt: skip
    t.start()
    time.sleep(2.0)
    playing.clear()
    t.join(5)
    assert not t.is_alive()
    per_frame = [b - a for a, b in zip(frames, frames[1:], strict=False)]
    assert max(per_frame) >= 5  # several steps per picture
    assert steps[0] >= 20  # about 20 steps/s kept (2 s), not 1 step per 0.3 s picture


def test_pause_stops_within_a_frame():
    painted = play.Painted()
    playing = threading.Event()
    playing.set()
    count = [0]

    def step(n, stop):
        for i in range(n):
            if stop():
                return i
            count[0] += 1
            time.sleep(0.01)
        return n

    def redraw():
        painted.mark(count[0])
        return count[0]

    t = threading.Thread(
        target=play.play,
        kwargs=dict(playing=playing.is_set, rate=lambda: 1000.0, step=step, redraw=redraw,
                    painted=painted, queue=play.Turns()),
    )  # fmt: skip
    t.start()
    time.sleep(0.5)
    started = time.monotonic()
    playing.clear()
    t.join(5)
    assert time.monotonic() - started < 0.3
    at = count[0]
    time.sleep(0.2)
    assert count[0] == at


def test_turns_are_fair():
    """Two sessions, one with slow steps: the fast one still gets every other turn."""
    turns = play.Turns()
    order: list[str] = []
    stop = threading.Event()

    def session(name, seconds):
        while not stop.is_set():
            with turns.turn(give_up=stop.is_set) as ours:
                if not ours:
                    return
                order.append(name)
                time.sleep(seconds)

    threads = [
        threading.Thread(target=session, args=("heavy", 0.05)),
        threading.Thread(target=session, args=("light", 0.001)),
    ]
    for t in threads:
        t.start()
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(5)
    assert order.count("light") >= order.count("heavy") - 1
    assert order.count("heavy") >= 5


def test_a_frame_waits_for_the_previous_picture():
    painted = play.Painted()
    assert not painted.wait(1, timeout=0.05)
    threading.Timer(0.1, painted.mark, args=(1,)).start()
    assert painted.wait(1, timeout=2)


def test_other_sessions_step_while_one_draws():
    """A picture is drawn outside the turns: a slow picture does not stop the other sessions."""
    turns = play.Turns()
    playing = threading.Event()
    playing.set()
    counts = {"a": 0, "b": 0}
    during = []

    def stepper(name):
        def step(n, stop):
            done = 0
            for _ in range(n):
                if stop():
                    break
                counts[name] += 1
                done += 1
            return done

        return step

    def make_redraw(name, painted, seconds):
        frames = [0]

        def redraw():
            frames[0] += 1
            if name == "a":
                before = counts["b"]
                time.sleep(seconds)
                during.append(counts["b"] - before)
            painted.mark(frames[0])
            return frames[0]

        return redraw

    threads = []
    for name, seconds in (("a", 0.4), ("b", 0.0)):
        painted = play.Painted()
        threads.append(
            threading.Thread(
                target=play.play,
                kwargs=dict(
                    playing=playing.is_set,
                    rate=lambda: 50.0,
                    step=stepper(name),
                    redraw=make_redraw(name, painted, seconds),
                    painted=painted,
                    queue=turns,
                ),
            )  # fmt: skip
        )
    for t in threads:
        t.start()
    time.sleep(1.5)
    playing.clear()
    for t in threads:
        t.join(5)
    assert during and max(during) >= 5  # b kept stepping (50/s) while a drew for 0.4 s
    assert counts["a"] >= 30  # a kept its pace too: its steps run between its pictures


def _play_until_gone(rate: float, step_seconds: float, paints: bool):
    """Play with Play left on until the page goes; return (steps, seconds Play took to stop).

    The page goes 1.5 s in. ``paints``: whether the page draws the pictures (a closed one does
    not). Steps sleep rather than compute, so they use no CPU time and the turn's CPU slice
    never ends them: only the gone check can.
    """
    painted = play.Painted()
    gone = threading.Event()
    count = [0]
    frames = [0]

    def step(n, stop):
        for i in range(n):
            if stop():
                return i
            count[0] += 1
            time.sleep(step_seconds)
        return n

    def redraw():
        frames[0] += 1
        if paints:
            painted.mark(frames[0])
        return frames[0]

    t = threading.Thread(
        target=play.play,
        kwargs=dict(playing=lambda: True, rate=lambda: rate, step=step, redraw=redraw,
                    painted=painted, gone=gone.is_set, queue=play.Turns()),
    )  # fmt: skip
    t.start()
    time.sleep(1.5)
    went = time.monotonic()
    gone.set()
    t.join(play.PAINT_TIMEOUT + 5)
    took = time.monotonic() - went
    at = count[0]
    time.sleep(0.2)
    assert count[0] == at  # stopped means stopped
    assert not t.is_alive()
    return at, took


def test_a_page_gone_mid_slice_stops_play_within_a_step():
    """Behind the pace (1,000 steps/s wanted, 100/s possible): Play stops before the next step."""
    steps, took = _play_until_gone(rate=1000.0, step_seconds=0.01, paints=True)
    assert steps > 5
    assert took < 0.5, took


def test_a_page_gone_stops_play_waiting_for_its_picture():
    """A closed page never draws the picture Play waits for: Play stops without waiting 5 s."""
    _, took = _play_until_gone(rate=1000.0, step_seconds=0.001, paints=False)
    assert took < 0.5, took


def test_a_page_gone_stops_play_between_slow_steps():
    """At a slow pace Play sleeps between steps (5 s at 0.2 steps/s); a page gone wakes it."""
    steps, took = _play_until_gone(rate=0.2, step_seconds=0.0, paints=True)
    assert steps == 1
    assert took < 0.5, took
