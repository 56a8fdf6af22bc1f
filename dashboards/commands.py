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
from pathlib import Path

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "register", "server_command", "server_env"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: How long a session whose browser has gone is kept before its model is freed.
SESSION_TIMEOUT = "15m"


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


def server_env(folder: Path, results: Path | None = None) -> dict[str, str]:
    """Return the environment of the server process."""
    from .assets import server_environment
    from .results import RESULTS_ENV

    env = server_environment(folder)
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", SESSION_TIMEOUT)
    # Solara warns on every page load that cookies over plain http fall back to SameSite=Lax,
    # which is right for a local or classroom server; keep the terminal for real problems.
    env.setdefault("PYTHONWARNINGS", "ignore:Cookies with samesite=none")
    if results is not None:
        env[RESULTS_ENV] = str(results.resolve())
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
    folder = assets_folder(args.assets)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"SupportNet dashboard: open http://{shown}:{args.port} in a browser (Ctrl-C stops it).")
    if args.host in ("0.0.0.0", "::"):
        print(
            f"Other computers on this network open http://<this computer's address>:{args.port}; "
            "each browser gets its own model."
        )
    env = server_env(folder, args.results)
    proc = subprocess.Popen(server_command(args.host, args.port), env=env)
    # Stopping this command (a service manager's SIGTERM) stops the server with it.
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
