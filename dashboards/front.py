"""The class server's front: one address, several Solara server processes behind it.

One Python process serves every session it holds on one core (the GIL), so a classroom server
runs one Solara process per core (the *workers*, each on a private port of 127.0.0.1) and this
front on the public address. It reads the head of each HTTP request and passes the connection
on, byte for byte, to a worker:

- A page's live connection (the websocket ``/jupyter/api/kernels/<kernel>/channels``) goes to the
  worker that already holds that kernel (a session stays on one process: its model lives there),
  and a new kernel goes to the worker with the fewest live connections, so the class spreads
  evenly over the cores. The page's close and evict calls (``/_solara/api/close/<kernel>``)
  follow their kernel.
- Every other request (the page itself, scripts, styles, fonts) holds no state and goes to the
  workers in turn. Those requests are made single-use (``Connection: close``), so a browser's
  kept-alive connection never carries a kernel's request to the wrong worker.

A worker that dies is started again; its sessions' pages reconnect to another worker and restore
their run from the saved run file (see :mod:`supportnet.dashboards.store`).

Nothing here knows Solara beyond those two URL shapes; it is plain ``asyncio`` streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Front", "Worker", "kernel_of"]

log = logging.getLogger(__name__)

#: Largest request head read before routing (browsers send a few kB).
MAX_HEAD = 64 * 1024
#: Kernels unseen for this long are forgotten (Solara has culled them long before).
KERNEL_MEMORY = 6 * 3600

_KERNEL_PATH = re.compile(
    r"^/(?:jupyter/api/kernels|_solara/api/(?:close|evict))/([A-Za-z0-9_.-]+)"
)


def kernel_of(path: str) -> str | None:
    """Return the kernel id a request path belongs to, or None for a stateless request.

    Examples:
        >>> kernel_of("/jupyter/api/kernels/ab12/channels?session_id=x")
        'ab12'
        >>> kernel_of("/_solara/api/close/ab12?session_id=x")
        'ab12'
        >>> kernel_of("/static/main.js") is None
        True
    """
    m = _KERNEL_PATH.match(path)
    return m.group(1) if m else None


@dataclass
class Worker:
    """One Solara server process behind the front.

    Attributes:
        port: Its port on 127.0.0.1.
        live: Open websocket connections (pages) it serves now.
        up: Whether it accepts connections (set by the supervisor).
    """

    port: int
    live: int = 0
    up: bool = True
    kernels: set[str] = field(default_factory=set)


class Front:
    """Route connections from ``host:port`` to the workers.

    Args:
        workers: The workers (their ports).
        host: Public address.
        port: Public port.
    """

    def __init__(self, workers: list[Worker], host: str, port: int):
        self.workers = workers
        self.host = host
        self.port = port
        self._kernels: dict[str, tuple[Worker, float]] = {}
        self._turn = itertools.count()
        self._server: asyncio.base_events.Server | None = None

    # --- routing ---------------------------------------------------------------------------
    def route(self, path: str, websocket: bool) -> Worker | None:
        """Choose the worker for a request (None when no worker is up)."""
        up = [w for w in self.workers if w.up]
        if not up:
            return None
        kernel = kernel_of(path)
        if kernel is None:
            return up[next(self._turn) % len(up)]
        known = self._kernels.get(kernel)
        if known is not None and known[0].up:
            worker = known[0]
        else:
            # The least busy worker; ties go round, so a class arriving at once alternates.
            start = next(self._turn)
            worker = min(
                (up[(start + i) % len(up)] for i in range(len(up))),
                key=lambda w: w.live,
            )
            worker.kernels.add(kernel)
        self._kernels[kernel] = (worker, time.monotonic())
        return worker

    def forget(self, worker: Worker) -> None:
        """Drop the kernels of a worker that stopped (their pages reconnect elsewhere)."""
        for k in worker.kernels:
            self._kernels.pop(k, None)
        worker.kernels.clear()
        worker.live = 0

    def _prune(self) -> None:
        old = time.monotonic() - KERNEL_MEMORY
        for k, (w, seen) in list(self._kernels.items()):
            if seen < old:
                del self._kernels[k]
                w.kernels.discard(k)

    # --- serving ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Start listening."""
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, reuse_address=True, limit=MAX_HEAD
        )

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_writer = None
        worker = None
        websocket = False
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                return
            request_line, _, rest = head.partition(b"\r\n")
            parts = request_line.split(b" ")
            if len(parts) != 3:
                await _reply(writer, 400, "Bad request")
                return
            path = parts[1].decode("latin-1")
            headers = rest.lower()
            websocket = b"\nupgrade: websocket" in b"\n" + headers
            worker = self.route(path, websocket)
            if worker is None:
                await _reply(writer, 503, "The dashboard is starting; reload in a few seconds.")
                return
            if not websocket:
                head = _single_use(head)
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(
                    "127.0.0.1", worker.port
                )
            except OSError:
                await _reply(writer, 502, "A dashboard process is restarting; reload the page.")
                return
            if websocket:
                worker.live += 1
            upstream_writer.write(head)
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if websocket and worker is not None and upstream_writer is not None:
                worker.live = max(0, worker.live - 1)
                self._prune()
            for w in (upstream_writer, writer):
                if w is not None:
                    with contextlib.suppress(Exception):
                        w.close()


def _single_use(head: bytes) -> bytes:
    """Rewrite a request head to ask for ``Connection: close``."""
    lines = head[:-4].split(b"\r\n")
    kept = [lines[0]] + [
        ln for ln in lines[1:] if not ln.lower().startswith((b"connection:", b"keep-alive:"))
    ]
    return b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            if writer.can_write_eof():
                writer.write_eof()


async def _reply(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    body = text.encode()
    reason = {400: "Bad Request", 502: "Bad Gateway", 503: "Service Unavailable"}[status]
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    with contextlib.suppress(Exception):
        await writer.drain()


def serve(
    front: Front,
    start_worker: Callable[[Worker], object],
    alive: Callable[[Worker], bool],
    ready: Callable[[Worker], bool],
    stop: Callable[[], bool],
) -> None:
    """Run the front until ``stop()`` returns True, restarting workers that die.

    Args:
        front: The front (not started yet).
        start_worker: Starts a worker's process.
        alive: Whether a worker's process is running.
        ready: Whether a worker answers (polled after a restart).
        stop: Checked every half second.
    """

    async def main() -> None:
        await front.start()
        try:
            while not stop():
                await asyncio.sleep(0.5)
                for w in front.workers:
                    if not alive(w):
                        log.warning(
                            "dashboard worker on port %d stopped; starting it again", w.port
                        )
                        w.up = False
                        front.forget(w)
                        start_worker(w)
                    elif not w.up and await asyncio.to_thread(ready, w):
                        w.up = True
        finally:
            await front.close()

    asyncio.run(main())
