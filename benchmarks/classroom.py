"""A class at once: N browser sessions playing against one dashboard server.

Usage::

    python -m supportnet.benchmarks.classroom --sessions 12,30 --seconds 60 [--json]

For each N: starts ``supportnet dashboard`` (offline, its default number of processes: one per
core), warms every process up with one short visit (the first page a process serves compiles the
model's kernels and loads the page's code, once), measures the server's memory at rest, then opens
N pages in headless Chromium (each its own browser context: its own cookie, as N students' own
computers), presses Play on all of them and lets them play for ``--seconds``. Meanwhile it probes
Step, like a student who pauses to look: one session after another, press Pause, time two presses
of Step (from the click to the step shown on the page), press Play again.

Reported per N: each session's model steps per second (over the whole minute, and over the time
it played: the probes' pauses and Step presses left out) and repaints per second (the network
canvas's own count of pictures drawn), Step latency (median and 90th percentile), errors on any
page (page errors, a Python traceback or a "could not be drawn" note in the page), the CPU the
server and the browsers took (on a 2-core machine the browsers compete with the server, so their
share is part of the figure), the load average, and the server's memory: at rest, with the class,
and after the pages closed (the sessions' models are freed when their pages close).

The figures go in docs/dashboard.md ("Capacity").
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import time

from supportnet.benchmarks.dashboard import machine

#: Clicks Step and resolves with the milliseconds until the page shows the next step.
_STEP_JS = """
async () => {
  const mon = document.querySelector('[data-monitor="step"] > div:nth-child(2)');
  const step = [...document.querySelectorAll("button")]
    .find((b) => b.innerText.trim().toUpperCase() === "STEP");
  const before = mon.innerText;
  const done = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no step shown within 60 s")), 60000);
    const observer = new MutationObserver(() => {
      if (mon.innerText !== before) {
        observer.disconnect();
        clearTimeout(t);
        resolve(performance.now() - t0);
      }
    });
    observer.observe(mon, { childList: true, subtree: true, characterData: true });
  });
  const t0 = performance.now();
  step.click();
  return await done;
}
"""

_ERROR_WORDS = ("Traceback", "could not be drawn", "Too many renders")


def _ticks(pid: int) -> float:
    """CPU seconds (user + system) of one process, or 0 if it has gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _browser_pids(server_pids: list[int]) -> list[int]:
    """Every process this one started that is not the server: Playwright's driver, Chromium."""
    from supportnet.dashboards.serve import process_tree

    return [p for p in process_tree(os.getpid()) if p != os.getpid() and p not in server_pids]


def _cpu(pids: list[int]) -> float:
    return sum(_ticks(p) for p in pids)


def _step(page) -> int:
    return int(page.locator('[data-monitor="step"] > div').nth(1).inner_text().replace(",", ""))


def _draws(page) -> int:
    return int(page.locator("canvas.sn-network-canvas").first.get_attribute("data-draws") or 0)


def _button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def _open(browser, url: str, errors: list[str]):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return context, page


def _ready(page) -> None:
    page.locator("canvas.sn-network-canvas[data-drawn]").wait_for(timeout=300_000)
    _button(page, "Play").wait_for(timeout=300_000)


def _page_errors(page) -> list[str]:
    text = page.locator("body").inner_text()
    return [w for w in _ERROR_WORDS if w in text]


def warm_up(browser, url: str, workers: int) -> None:
    """One short visit per server process (pages open at once spread over the processes)."""
    errors: list[str] = []
    opened = []
    for _ in range(workers):
        # One at a time: a page's live connection is counted once it is open, so the next page
        # goes to the process that has none yet.
        opened.append(_open(browser, url, errors))
        _ready(opened[-1][1])
    for _, page in opened:
        for _ in range(3):
            _button(page, "Step").click()
    for _, page in opened:
        page.wait_for_function(
            "() => document.querySelector('[data-monitor=\"step\"] > div:nth-child(2)')"
            ".innerText === '3'",
            timeout=120_000,
        )
    for context, page in opened:
        page.close(run_before_unload=True)
        context.close()


def settle_memory(server, target: float, wait: float) -> tuple[float, float]:
    """Wait up to ``wait`` seconds for the server's memory to fall to ``target`` MB.

    Returns:
        The memory reached (MB) and the seconds it took.
    """
    started = time.monotonic()
    rss = _rss_mb(server.pids())
    while rss > target and time.monotonic() - started < wait:
        time.sleep(2)
        rss = _rss_mb(server.pids())
    return rss, time.monotonic() - started


def run_class(n: int, seconds: float, workers: int | None) -> dict:
    """Open ``n`` sessions, play for ``seconds``, probe Step; return the figures."""
    from playwright.sync_api import sync_playwright

    from supportnet.dashboards.commands import usable_cores
    from supportnet.dashboards.serve import CHROMIUM, CHROMIUM_ARGS, DashboardServer

    processes = workers or usable_cores()
    errors: list[str] = []
    with DashboardServer(offline=True, workers=workers) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        warm_up(browser, server.url, processes)
        time.sleep(5)
        idle_mb = _rss_mb(server.pids())
        opened = [_open(browser, server.url, errors) for _ in range(n)]
        for _, page in opened:
            _ready(page)
        pages = [p for _, p in opened]
        loaded_mb = _rss_mb(server.pids())
        for page in pages:
            _button(page, "Play").click()
        for page in pages:
            _button(page, "Pause").wait_for()
        server_pids = server.pids()
        browser_pids = _browser_pids(server_pids)
        cpu0 = (_cpu(server_pids), _cpu(browser_pids))
        steps0 = [_step(p) for p in pages]
        draws0 = [_draws(p) for p in pages]
        start = time.monotonic()
        load0 = os.getloadavg()
        latencies: list[float] = []
        paused = [0.0] * n  # seconds each session spent paused by the probes
        probe_steps = [0] * n  # steps each session made by the probes' Step presses
        probe = 0
        while time.monotonic() - start < seconds:
            i = probe % n
            page = pages[i]
            probe += 1
            stopped = time.monotonic()
            _button(page, "Pause").click()
            _button(page, "Play").wait_for()
            before = _step(page)
            for _ in range(2):
                latencies.append(page.evaluate(_STEP_JS))
            probe_steps[i] += _step(page) - before
            _button(page, "Play").click()
            _button(page, "Pause").wait_for()
            paused[i] += time.monotonic() - stopped
            time.sleep(1.0)
        wall = time.monotonic() - start
        steps1 = [_step(p) for p in pages]
        draws1 = [_draws(p) for p in pages]
        cpu1 = (_cpu(server_pids), _cpu(browser_pids))
        load1 = os.getloadavg()
        peak_mb = _rss_mb(server.pids())
        for page in pages:
            _button(page, "Pause").click()
        for page in pages:
            errors.extend(_page_errors(page))
        for context, page in opened:
            # As a student closing the tab: the page says goodbye, the server frees the session.
            page.close(run_before_unload=True)
            context.close()
        after_mb, freed_in = settle_memory(server, idle_mb * 1.1, 240)
        browser.close()
        server_traceback = "Traceback" in server.output()
    rates = [(b - a) / wall for a, b in zip(steps0, steps1, strict=True)]
    playing = playing_rates(steps0, steps1, probe_steps, paused, wall)
    paints = [(b - a) / wall for a, b in zip(draws0, draws1, strict=True)]
    lat = sorted(latencies)
    return {
        "sessions": n,
        "processes": processes,
        "seconds": round(wall, 1),
        "steps_per_s_min": round(min(rates), 2),
        "steps_per_s_median": round(statistics.median(rates), 2),
        "steps_per_s_playing_min": round(min(playing), 2),
        "steps_per_s_playing_median": round(statistics.median(playing), 2),
        "paused_s_max": round(max(paused), 1),
        "repaints_per_s_min": round(min(paints), 2),
        "repaints_per_s_median": round(statistics.median(paints), 2),
        "step_ms_median": round(statistics.median(lat)),
        "step_ms_p90": round(lat[int(0.9 * (len(lat) - 1))]),
        "step_probes": len(lat),
        "page_errors": len(errors),
        "server_traceback": server_traceback,
        "server_cpu_cores": round((cpu1[0] - cpu0[0]) / wall, 2),
        "browser_cpu_cores": round((cpu1[1] - cpu0[1]) / wall, 2),
        "load_avg_start": round(load0[0], 2),
        "load_avg_end": round(load1[0], 2),
        "memory_idle_mb": round(idle_mb),
        "memory_loaded_mb": round(loaded_mb),
        "memory_playing_mb": round(peak_mb),
        "memory_after_mb": round(after_mb),
        "memory_freed_in_s": round(freed_in),
        "errors": errors[:5],
    }


def playing_rates(steps0, steps1, probe_steps, paused, wall: float) -> list[float]:
    """Each session's model steps per second of playing: the probes' pauses and Steps left out.

    The probes pause one session at a time to time Step; a paused session is not playing, so
    over the whole minute its rate reads low by the share of time it was paused, however well
    the server keeps its pace. This rate counts only the steps Play made, over the time it
    played.

    Examples:
        >>> playing_rates([0, 0], [300, 290], [2, 4], [0.0, 2.0], 60.0)
        [4.97, 4.93]
    """
    return [
        round((b - a - k) / max(wall - s, 1e-9), 2)
        for a, b, k, s in zip(steps0, steps1, probe_steps, paused, strict=True)
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table (or JSON lines)."""
    parser = argparse.ArgumentParser(
        prog="python -m supportnet.benchmarks.classroom", description=__doc__
    )
    parser.add_argument("--sessions", default="12,30", help="class sizes, comma-separated")
    parser.add_argument("--seconds", type=float, default=60, help="playing time per class size")
    parser.add_argument(
        "--workers", type=int, default=None, help="server processes (default: cores)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per class size")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rows = []
    for n in (int(s) for s in args.sessions.split(",") if s.strip()):
        row = run_class(n, args.seconds, args.workers)
        rows.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
    if not args.json:
        print(f"Machine: {machine()}")
        print(
            "| sessions | processes | steps/s per session (min / median) "
            "| steps/s while playing (min / median) "
            "| repaints/s (min / median) | Step latency (median / p90) | errors | server CPU "
            "| browsers' CPU | load avg "
            "| memory idle / playing / after |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(
                f"| {r['sessions']} | {r['processes']} | {r['steps_per_s_min']:.1f} / "
                f"{r['steps_per_s_median']:.1f} | {r['steps_per_s_playing_min']:.1f} / "
                f"{r['steps_per_s_playing_median']:.1f} | {r['repaints_per_s_min']:.1f} / "
                f"{r['repaints_per_s_median']:.1f} | {r['step_ms_median']} / {r['step_ms_p90']} ms "
                f"| {r['page_errors']} | {r['server_cpu_cores']:.2f} cores "
                f"| {r['browser_cpu_cores']:.2f} cores | {r['load_avg_start']:.1f}-"
                f"{r['load_avg_end']:.1f} | {r['memory_idle_mb']} / {r['memory_playing_mb']} / "
                f"{r['memory_after_mb']} MB |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
