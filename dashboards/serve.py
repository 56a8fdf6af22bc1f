"""Start and stop a dashboard server from Python (browser tests, benchmarks, notebooks).

:class:`DashboardServer` runs ``supportnet dashboard`` on a free port in its own process group,
waits until the page answers, and stops the whole group on exit, so no server is left behind.

It also holds what driving the page with Playwright needs on machines like ours: the Chromium
binary of the Debian package and the flags under which it runs headless in a container.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "DashboardServer", "free_port", "process_tree"]

#: Chromium from the Debian package (Playwright cannot download its own browser here).
CHROMIUM = "/usr/bin/chromium"
#: Flags for headless Chromium in a container, without calls home.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def process_tree(root: int) -> list[int]:
    """Return ``root`` and all its descendants (Linux ``/proc``; just ``root`` elsewhere)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DashboardServer:
    """``supportnet dashboard`` in a child process, as a context manager.

    Args:
        results: Folder listed by the Results tab.
        offline: Point Solara's CDN at an address that refuses connections, so any front-end
            file missing from the local cache fails instead of being fetched: the page then
            works only if it works offline.
        timeout: Seconds to wait for the page to answer.
        workers: Server processes (``--workers``; None: one per core).
        state: Folder of the sessions' run files (a new temporary folder when None, so tests
            never see each other's or a user's saved runs).
        env: Extra environment for the server.

    Attributes:
        url: The page's address.
        log: File with the server's output.
    """

    def __init__(
        self,
        results: Path | None = None,
        offline: bool = True,
        timeout: float = 180,
        workers: int | None = None,
        state: Path | None = None,
        env: dict[str, str] | None = None,
    ):
        self.port = free_port()
        self.workers = workers
        self.state = state or Path(tempfile.mkdtemp(prefix="supportnet-state-"))
        self.extra_env = dict(env or {})
        self.url = f"http://127.0.0.1:{self.port}/"
        self.results = results
        self.offline = offline
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="supportnet-dashboard-", suffix=".log")[1])

    def __enter__(self) -> DashboardServer:
        cmd = [sys.executable, "-m", "supportnet.experiments.cli", "dashboard"]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
        if self.results is not None:
            cmd += ["--results", str(self.results)]
        if self.workers is not None:
            cmd += ["--workers", str(self.workers)]
        cmd += ["--state", str(self.state)]
        env = {**os.environ, **self.extra_env}
        if self.offline:
            env["SOLARA_ASSETS_CDN"] = "http://127.0.0.1:9/npm/"
        with open(self.log, "wb") as out:
            # Its own process group: stopping it stops the Solara server it starts, too.
            self.proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self._wait()
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the dashboard server stopped (status {self.proc.returncode}):\n"
                    + self.log.read_text(errors="replace")[-3000:]
                )
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the dashboard did not answer at {self.url} in {self.timeout:g} s")

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self.proc is not None and self.proc.poll() is None

    def pids(self) -> list[int]:
        """The server's processes: this command, the front, and the Solara workers."""
        return [] if self.proc is None else process_tree(self.proc.pid)

    def output(self) -> str:
        """Return what the server has printed so far."""
        return self.log.read_text(errors="replace")

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.proc = None
