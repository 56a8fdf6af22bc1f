"""Start-up cost of the command line: time and peak memory of light commands, as whole processes.

Usage::

    python -m supportnet.benchmarks.startup --repeats 10 [--json]

Each command (``supportnet --help``, ``supportnet validate demo``, ...) is run ``--repeats`` times
as a fresh process of the installed console script; for each run the process's wall-clock time,
its CPU time (user + system, from the kernel's accounting of that child) and its peak resident
memory are recorded, and the minimum, median and maximum are reported. On a shared machine the
CPU time is the better guide to what the command costs (wall-clock includes waiting for a core);
on an idle one the two agree. The targets (docs/benchmarks.md): under 0.3 s and 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .speed import cpu_name, machine

__all__ = ["COMMANDS", "main", "measure"]

#: The commands measured, as arguments of ``supportnet``.
COMMANDS = (
    ("--help",),
    ("validate", "demo"),
    ("validate", "sensitivity"),
    ("params",),
)


def _console_script() -> str:
    here = Path(sys.executable).with_name("supportnet")
    found = str(here) if here.exists() else shutil.which("supportnet")
    if not found:
        raise SystemExit("the supportnet console script is not installed (make setup)")
    return found


def _environment() -> dict[str, str]:
    # As a user runs it: Python caches compiled modules (a session that forbids it would time
    # the compiler, ~40% of the start-up here).
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run_once(cmd: list[str]) -> tuple[float, float, float]:
    """Run ``cmd``; return (wall s, CPU s, peak RSS MB) of that process alone."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_environment()
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KB on Linux


def measure(args: tuple[str, ...], repeats: int) -> dict:
    """Measure one command ``repeats`` times, after one untimed run (disk and bytecode caches)."""
    cmd = [_console_script(), *args]
    _run_once(cmd)
    runs = [_run_once(cmd) for _ in range(repeats)]
    out = {"command": "supportnet " + " ".join(args), "repeats": repeats}
    for k, name in enumerate(("wall_s", "cpu_s", "peak_mb")):
        values = [r[k] for r in runs]
        out[name] = {
            "min": min(values),
            "median": statistics.median(values),
            "max": max(values),
        }
    return out


def _row(r: dict) -> str:
    def fmt(key: str, digits: int) -> str:
        v = r[key]
        return f"{v['median']:.{digits}f} ({v['min']:.{digits}f}-{v['max']:.{digits}f})"

    return f"| `{r['command']}` | {fmt('wall_s', 3)} | {fmt('cpu_s', 3)} | {fmt('peak_mb', 0)} |"


def main(argv: list[str] | None = None) -> None:
    """Command line: measure each command and print a table (or JSON lines)."""
    parser = argparse.ArgumentParser(prog="python -m supportnet.benchmarks.startup")
    parser.add_argument("--repeats", type=int, default=10, help="runs per command (default 10)")
    parser.add_argument("--json", action="store_true", help="one JSON object per command")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    results = [measure(c, args.repeats) for c in COMMANDS]
    if args.json:
        for r in results:
            print(json.dumps({**r, "machine": machine(), "load_before": load}))
        return
    print(f"{cpu_name()}, load average {load:.1f} before, {args.repeats} runs each")
    print("| command | wall s, median (min-max) | CPU s | peak memory MB |")
    print("|---|---:|---:|---:|")
    for r in results:
        print(_row(r))


if __name__ == "__main__":  # pragma: no cover
    main()
