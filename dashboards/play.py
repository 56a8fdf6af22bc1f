"""Play: step the model at a chosen pace, fairly among the sessions of one server process.

Three parts, each for one problem a class of thirty brings:

- **The pace is in model steps per second, not per picture.** A :class:`Pacer` keeps the steps
  owed; each turn runs what is owed. When the process is busy, pictures come less often and each
  shows more steps, so every student's town keeps moving at the chosen speed instead of falling
  behind (up to :data:`MAX_LAG` seconds' worth, or two pictures' spacing, is kept owed).
- **Turns.** :class:`Turns` lets one playing session of a process step at a time, in the order
  they asked (first come, first served), and a turn's stepping stops after :data:`SLICE` CPU
  seconds (at least one step). A session still behind the pace queues again at once, so a busy
  process steps its sessions round-robin, one slice each, and a student playing 20,000 people at
  full speed takes one slice per round like everyone else, rather than most of the core.
- **Pictures outside the turns.** Drawing mostly waits (each changed widget goes to the browser
  through the websocket's thread); done inside a turn, that waiting stopped every other session
  of the process from stepping.
- **Back-pressure.** A picture waits until the previous one has been drawn (:class:`Painted`, set
  by an effect of the page) before it changes the page again. Changing state faster than the
  page draws is what made Solara give up with "Too many renders triggered" under load.
- **Steps before pictures.** A picture costs the server more than a model step (about 30 ms of
  CPU against about 12 ms at the default town of 1,000 people). When many sessions of a process
  play, each one's pictures are spaced so that drawing takes at most :data:`DRAW_SHARE` of the
  process's time (the drawing time is measured as it goes); the steps in between run in turns
  without pictures. So a busy server spends its cores on keeping every town moving, and shows
  fewer pictures of it.

Nothing here knows Solara: the page passes in what to read and call, and tests drive it directly.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["MAX_LAG", "MIN_FRAME", "SLICE", "Pacer", "Painted", "Turns", "play", "turns"]

#: Shortest time between two frames of one session (seconds): at most 10 pictures a second.
MIN_FRAME = 0.1
#: Longest stepping in one turn, in CPU seconds of the stepping thread (CPU time, not wall time:
#: on a machine shared with other work a wall-clock slice would shrink to a step or two); a turn
#: always runs at least one step.
SLICE = 0.25
#: Largest share of a process's time spent drawing pictures while its sessions play.
DRAW_SHARE = 0.5
#: The same for a session behind its pace: its steps come first, and its pictures are spaced
#: twice as far apart.
DRAW_SHARE_BEHIND = 0.25
#: Steps owed for longer than this are dropped (a session that could not keep up does not
#: sprint afterwards).
MAX_LAG = 1.0
#: Longest wait for the previous frame to be drawn (seconds); a page that never answers (a
#: closed tab) does not stop Play for ever.
PAINT_TIMEOUT = 5.0


class Pacer:
    """Model steps owed at a rate of ``rate`` steps per second.

    Examples:
        >>> p = Pacer()
        >>> p.owed(now=0.0, rate=10)
        1
        >>> p.ran(1)
        >>> p.owed(now=0.35, rate=10)
        3
    """

    def __init__(self) -> None:
        self.debt = 1.0  # the first frame runs a step at once
        self.last: float | None = None
        #: Whether the last :meth:`owed` dropped steps owed for too long.
        self.dropped = False

    def owed(self, now: float, rate: float, lag: float = MAX_LAG) -> int:
        """Return the whole steps owed at time ``now`` (seconds) at ``rate`` steps per second.

        Steps owed for longer than ``lag`` seconds are dropped.
        """
        if self.last is not None:
            self.debt += rate * max(now - self.last, 0.0)
        self.last = now
        cap = max(1.0, rate * lag)
        self.dropped = self.debt > cap
        self.debt = min(self.debt, cap)
        return int(self.debt)

    @property
    def behind(self) -> bool:
        """Whether the pace is not kept: steps are still owed, or some were dropped."""
        return self.debt >= 1 or self.dropped

    def ran(self, steps: int) -> None:
        """Record that ``steps`` steps were run."""
        self.debt = max(self.debt - steps, 0.0)

    def wait(self, rate: float) -> float:
        """Seconds until the next whole step is owed."""
        return max(1.0 - self.debt, 0.0) / rate


class Turns:
    """First come, first served turns for the playing sessions of one process."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()
        #: Sessions of this process that are playing now.
        self.playing = 0
        #: Recent seconds one picture took to draw (a moving average).
        self.draw_seconds = 0.05

    def spacing(self, behind: bool = False) -> float:
        """Shortest time between two pictures of one session.

        Spaced so that drawing stays within :data:`DRAW_SHARE` of the time when all the playing
        sessions of the process draw (:data:`DRAW_SHARE_BEHIND` for a session ``behind`` its
        pace).
        """
        share = DRAW_SHARE_BEHIND if behind else DRAW_SHARE
        return max(MIN_FRAME, self.draw_seconds * max(self.playing, 1) / share)

    def drew(self, seconds: float) -> None:
        """Record how long a picture took."""
        self.draw_seconds = 0.8 * self.draw_seconds + 0.2 * seconds

    @contextmanager
    def turn(self, give_up: Callable[[], bool]) -> Iterator[bool]:
        """Wait for a turn; yield True when it is ours, False when ``give_up()`` became true."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            while self._queue[0] is not ticket:
                if give_up():
                    self._queue.remove(ticket)
                    self._cond.notify_all()
                    yield False
                    return
                self._cond.wait(0.1)
        try:
            yield True
        finally:
            with self._cond:
                self._queue.remove(ticket)
                self._cond.notify_all()

    @property
    def waiting(self) -> int:
        """Sessions waiting for or holding a turn."""
        return len(self._queue)


#: The turns of this process (each Solara server process has its own).
turns = Turns()


class Painted:
    """The last frame number the page has drawn (set by the page, waited on by Play)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.frame = -1

    def mark(self, frame: int) -> None:
        """Record that ``frame`` has been drawn."""
        with self._cond:
            self.frame = max(self.frame, frame)
            self._cond.notify_all()

    def wait(
        self,
        frame: int,
        timeout: float = PAINT_TIMEOUT,
        give_up: Callable[[], bool] = lambda: False,
    ) -> bool:
        """Wait until ``frame`` has been drawn; return whether it was.

        ``give_up()`` is asked every 50 ms: a page that has closed draws nothing more.
        """
        end = time.monotonic() + timeout
        with self._cond:
            while self.frame < frame:
                left = end - time.monotonic()
                if left <= 0 or give_up():
                    return False
                self._cond.wait(min(left, 0.05))
            return True


def play(
    playing: Callable[[], bool],
    rate: Callable[[], float],
    step: Callable[[int, Callable[[], bool]], int],
    redraw: Callable[[], int],
    painted: Painted,
    gone: Callable[[], bool] = lambda: False,
    queue: Turns = turns,
    clock: Callable[[], float] = time.perf_counter,
) -> None:
    """Run frames while ``playing()`` is true.

    Args:
        playing: Whether Play is still on (Pause makes it false).
        rate: Model steps per second wanted (read every frame: the speed control).
        step: Runs up to ``n`` steps, checking ``stop()`` before each; returns the steps run.
        redraw: Asks the page to draw the new state; returns the new frame number.
        painted: What the page has drawn.
        gone: Whether the page has closed or disconnected. Play then stops, within a step or
            50 ms of waiting (it is asked before each step and while waiting): nobody watches,
            and an abandoned town must not keep a classroom server busy.
        queue: The turns this session takes part in.
        clock: Seconds (a test passes its own).
    """

    def on() -> bool:
        return playing() and not gone()

    pacer = Pacer()
    shown = True  # whether the page shows the model's latest step
    last_picture = -float("inf")
    with queue._cond:
        queue.playing += 1
    try:
        while on():
            # Steps, in turns: one session of the process steps at a time, for one slice.
            with queue.turn(give_up=lambda: not on()) as ours:
                if not ours:
                    return
                spacing = queue.spacing()
                want = pacer.owed(clock(), rate(), lag=max(MAX_LAG, 2 * spacing))
                ran = 0
                if want:
                    ran = step(want, _stop_after(on, time.thread_time() + SLICE))
                    pacer.ran(ran)
            shown = shown and not ran
            spacing = queue.spacing(behind=pacer.behind)
            # A picture, outside the turn: drawing mostly waits (for the websocket, for the
            # page), and meanwhile the other sessions of the process step.
            if not shown and clock() - last_picture >= spacing:
                last_picture = clock()
                frame = redraw()
                painted.wait(frame, give_up=gone)
                queue.drew(clock() - last_picture)
                shown = True
            if pacer.debt >= 1:
                continue  # behind the pace: queue again for the next slice at once
            pause = pacer.wait(max(rate(), 1e-3))
            if not shown:  # wake for the picture if it is due before the next step
                pause = min(pause, spacing - (clock() - last_picture))
            _sleep(pause, on)
        if not shown and not gone():
            redraw()  # Pause: the page shows the step the model stopped at
    finally:
        with queue._cond:
            queue.playing -= 1


def _stop_after(playing: Callable[[], bool], deadline: float) -> Callable[[], bool]:
    """A stop check: Play is off (Pause, a page gone), or the turn's CPU time is used up."""
    return lambda: not playing() or time.thread_time() > deadline


def _sleep(seconds: float, playing: Callable[[], bool]) -> None:
    """Sleep, waking early when Play is off (so Pause answers within 50 ms; so does a page gone)."""
    end = time.monotonic() + seconds
    while playing():
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.05))
