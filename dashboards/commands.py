"""``supportnet dashboard``: serve the dashboard, offline, to this computer or a classroom.

The server is Solara's (``solara run supportnet.dashboards.app``), started as a child process with
the environment it needs: the folder of front-end files (:mod:`supportnet.dashboards.assets`; built
on first use if missing), telemetry off, and a shorter lifetime for abandoned sessions. Every
browser session gets its own model. By default only this computer can connect
(``--host 127.0.0.1``); a teacher opens it to the room with ``--host 0.0.0.0``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "register",
    "server_command",
    "server_env",
    "usable_cores",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: How long a session whose browser has gone is kept before its model is freed. Short, because
#: a page that comes back later restores its run from the saved run file, and a class's models
#: should not hold the server's memory long after the lesson.
SESSION_TIMEOUT = "2m"


def usable_cores() -> int:
    """Return the number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def register(subparsers) -> None:
    """Add the ``dashboard`` command to the ``supportnet`` parser."""
    p = subparsers.add_parser(
        "dashboard",
        help="start the interactive dashboard (a local web page; works offline)",
        description=(
            "Start the SupportNet dashboard: a web page to run the model live, compare "
            "conditions, inspect people and explore sweep results. Each browser session gets "
            "its own model. Open the printed address in a browser."
        ),
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this computer only; "
        "0.0.0.0 lets other computers on the network, e.g. a classroom, connect)",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--assets",
        type=Path,
        default=None,
        help="folder of the page's front-end files (default: the one `make assets` fills, "
        "in the virtual environment)",
    )
    p.add_argument(
        "--results",
        type=Path,
        default=None,
        help="folder whose sweep results the Results tab lists (default: ./results)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server processes (default: one per core of this computer, "
        f"{usable_cores()} here); each browser session stays on one of them",
    )
    p.add_argument(
        "--state",
        type=Path,
        default=None,
        help="folder where each session's run file is kept, so that a reload or a restarted "
        "server restores the run (default: a folder in the user's cache)",
    )
    p.set_defaults(func=run)


def _user_error(message: str) -> Exception:
    from supportnet.experiments.cli import UserError

    return UserError(message)


def _check_address(host: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise _user_error(f"--port: {port} is not allowed; expected a port from 1 to 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise _user_error(f"--host: {host!r} is not an address of this computer ({exc})") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise _user_error(
                f"--port: cannot listen on {host}:{port} ({exc.strerror or exc}); is another "
                "dashboard running? Choose another port with --port"
            ) from None


def assets_folder(given: Path | None) -> Path:
    """Return a complete front-end folder, building it when missing.

    Raises:
        UserError: If it is missing and cannot be built (offline without npm, say), with the
            command that builds it.
    """
    from . import assets

    folder = given or Path(os.environ.get(assets.ASSETS_ENV) or assets.default_dir())
    if assets.is_complete(folder):
        return folder
    print(f"The dashboard's front-end files are not in {folder} yet; fetching them once.")
    try:
        assets.install(folder)
    except assets.AssetsError as exc:
        raise _user_error(
            f"{exc}. Without them the page cannot load offline. Build them on a computer with "
            f"access to the npm registry: `python -m supportnet.dashboards.assets --dir {folder}` "
            "(or `make assets`)"
        ) from None
    return folder


def server_env(
    folder: Path, results: Path | None = None, state: Path | None = None
) -> dict[str, str]:
    """Return the environment of the server processes."""
    from .assets import server_environment
    from .results import RESULTS_ENV
    from .store import STATE_ENV

    env = server_environment(folder)
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", SESSION_TIMEOUT)
    # Solara's "This website runs on Solara" badge sat over the charts' corner.
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    # Solara warns on every page load that cookies over plain http fall back to SameSite=Lax,
    # which is right for a local or classroom server; keep the terminal for real problems.
    env.setdefault("PYTHONWARNINGS", "ignore:Cookies with samesite=none")
    # Python's own small-object allocator keeps a block of memory as long as one object in it
    # lives, so the many small objects of closed sessions stayed with the server (after six
    # sessions closed: +10% over its size at rest with it, +5% with the C allocator, whose free
    # memory the server hands back; see app._release_memory). No measurable cost per step.
    env.setdefault("PYTHONMALLOC", "malloc")
    # glibc's allocator then gives each thread that allocates (every session's Play thread) an
    # arena of its own, up to 8 per core, and raises its threshold for handing large blocks
    # back after each large block is freed, so that later arrays of up to that size stay in the
    # arenas; both left a closed class's memory with the server (after 12 sessions played
    # and closed: +41 MB per process with them, +18 MB with these settings; see
    # docs/dashboard.md). Two arenas and a fixed threshold: blocks of 128 kB and more are
    # their own mappings, handed back when freed. Other C libraries ignore these.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env.setdefault("MALLOC_MMAP_THRESHOLD_", str(128 * 1024))
    if results is not None:
        env[RESULTS_ENV] = str(results.resolve())
    if state is not None:
        env[STATE_ENV] = str(state.resolve())
    return env


def server_command(host: str, port: int) -> list[str]:
    """Return the command line that starts the Solara server on ``host:port``."""
    return [
        sys.executable, "-m", "solara", "run", "supportnet.dashboards.app",
        "--host", host, "--port", str(port), "--production", "--no-open",
        "--log-level", "warning",
    ]  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Start the server and wait for it (Ctrl-C stops it)."""
    _check_address(args.host, args.port)
    workers = usable_cores() if args.workers is None else args.workers
    if not 1 <= workers <= 64:
        raise _user_error(f"--workers: {workers} is not allowed; expected a number from 1 to 64")
    folder = assets_folder(args.assets)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"SupportNet dashboard: open http://{shown}:{args.port} in a browser (Ctrl-C stops it).")
    if args.host in ("0.0.0.0", "::"):
        print(
            f"Other computers on this network open http://<this computer's address>:{args.port}; "
            "each browser gets its own model."
        )
    env = server_env(folder, args.results, args.state)
    if workers == 1:
        return _serve_one(server_command(args.host, args.port), env)
    return _serve_many(args.host, args.port, workers, env)


def _serve_one(cmd: list[str], env: dict[str, str]) -> int:
    proc = subprocess.Popen(cmd, env=env)
    # Stopping this command (a service manager's SIGTERM) stops the server with it.
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        raise


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def _serve_many(host: str, port: int, n: int, env: dict[str, str]) -> int:
    """One Solara process per core on private ports, and the front on ``host:port``."""
    from .front import Front, Worker, serve
    from .serve import free_port

    workers = [Worker(free_port(), up=False) for _ in range(n)]
    procs: dict[int, subprocess.Popen] = {}

    def start(w: Worker) -> None:
        procs[w.port] = subprocess.Popen(server_command("127.0.0.1", w.port), env=env)

    for w in workers:
        start(w)
    deadline = time.monotonic() + 180
    for w in workers:
        while not _answers(w.port):
            if procs[w.port].poll() is not None or time.monotonic() > deadline:
                for p in procs.values():
                    _stop(p)
                raise _user_error(f"a dashboard process did not start (port {w.port})")
            time.sleep(0.3)
        w.up = True
    print(f"Serving with {n} processes (one per core); each session stays on one of them.")
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        serve(
            Front(workers, host, port),
            start_worker=start,
            alive=lambda w: procs[w.port].poll() is None,
            ready=lambda w: _answers(w.port),
            stop=stopping.is_set,
        )
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            _stop(p)
    return 0
