"""Dashboard frame time: step plus redraw, measured in a real browser, per population size.

Usage::

    python -m supportnet.benchmarks.dashboard --sizes 100,500,2000 --frames 20 [--json]

Starts ``supportnet dashboard`` (offline, on a free port), opens it in headless Chromium
(Playwright), and for each size sets ``n_people``, presses Reset, makes ``--warmup`` untimed
steps, then times ``--frames`` presses of Step. One frame is measured inside the page, from the
click to the moment both the network canvas and the main chart have redrawn the new step: the
model step on the server, building the frame's data, the websocket message, and drawing. That is
the delay a user sees. Its parts are reported too: the model step alone (timed in this process on
the same parameters) and the canvas draw alone (timed by the canvas itself).

Figures go in docs/benchmarks.md (section "Dashboard frame time"). The target is under 200 ms
per frame at 500 people. The 1-minute load average is reported: on a shared machine other
processes take turns on the cores and inflate every time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import time

from supportnet.benchmarks import speed

#: Clicks Step and resolves with the milliseconds until the canvas and the chart both redrew.
_FRAME_JS = """
async () => {
  const canvas = document.querySelector("canvas.sn-network-canvas");
  const chart = document.querySelector('[data-chart="wellbeing"]');
  const step = [...document.querySelectorAll("button")]
    .find((b) => b.innerText.trim().toUpperCase() === "STEP");
  const canvasBefore = canvas.dataset.drawn, chartBefore = chart.dataset.drawn;
  // A MutationObserver reacts as soon as an attribute changes; polling with timers would add
  // the browser's timer throttling to the measurement.
  const done = new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error("no redraw within 60 s: canvas " + canvas.dataset.drawn
                                      + ", chart " + chart.dataset.drawn)), 60000);
    const observer = new MutationObserver(() => {
      if (canvas.dataset.drawn !== canvasBefore && chart.dataset.drawn !== chartBefore) {
        observer.disconnect();
        resolve([performance.now() - t0, parseFloat(canvas.dataset.drawMs)]);
      }
    });
    observer.observe(canvas, { attributes: true });
    observer.observe(chart, { attributes: true });
  });
  const t0 = performance.now();
  step.click();
  return await done;
}
"""


def model_step_ms(n: int, steps: int) -> float:
    """Median wall time of one model step at ``n`` people (default parameters otherwise)."""
    from supportnet import SupportModel

    m = SupportModel(rng=1, n_people=n)
    m.step()
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        m.step()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(page, n: int, frames: int, warmup: int) -> dict:
    """Time ``frames`` Step presses at ``n`` people on an open dashboard page."""
    box = page.get_by_label("N people", exact=True)
    box.fill(str(n))
    box.press("Enter")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function(
        "(n) => document.querySelector('canvas.sn-network-canvas').dataset.nodes == String(n)",
        arg=n,
        timeout=120_000,
    )
    page.locator('[data-chart="wellbeing"][data-drawn]').wait_for()
    page.wait_for_function(
        "() => +document.querySelector('[data-chart=\"wellbeing\"]').dataset.drawn > 0"
    )
    for _ in range(warmup):
        page.evaluate(_FRAME_JS)
    totals, draws = [], []
    load = os.getloadavg()[0]
    for _ in range(frames):
        total, draw = page.evaluate(_FRAME_JS)
        totals.append(total)
        draws.append(draw)
    ties = int(page.locator("canvas.sn-network-canvas").get_attribute("data-ties"))
    return {
        "people": n,
        "ties_drawn": ties,
        "frames": frames,
        "frame_ms_median": round(statistics.median(totals), 1),
        "frame_ms_p90": round(sorted(totals)[int(0.9 * (len(totals) - 1))], 1),
        "canvas_draw_ms_median": round(statistics.median(draws), 1),
        "load_avg": round(load, 2),
    }


def machine() -> str:
    """One line describing this machine."""
    m = speed.machine()
    return f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table (or JSON lines)."""
    parser = argparse.ArgumentParser(
        prog="python -m supportnet.benchmarks.dashboard", description=__doc__
    )
    parser.add_argument("--sizes", default="100,500,2000", help="populations, comma-separated")
    parser.add_argument("--frames", type=int, default=20, help="timed frames per size")
    parser.add_argument("--warmup", type=int, default=3, help="untimed frames per size")
    parser.add_argument("--json", action="store_true", help="one JSON object per size per line")
    args = parser.parse_args(argv)
    # A SIGTERM (timeout, Ctrl-C from a job runner) unwinds normally, stopping the server too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    from playwright.sync_api import sync_playwright

    from supportnet.dashboards.serve import CHROMIUM, CHROMIUM_ARGS, DashboardServer

    rows = []
    with DashboardServer(offline=True) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(server.url)
        page.locator("canvas.sn-network-canvas[data-drawn]").wait_for(timeout=120_000)
        for n in sizes:
            row = measure(page, n, args.frames, args.warmup)
            row["model_step_ms"] = round(model_step_ms(n, args.frames), 1)
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
        browser.close()
    if not args.json:
        print(f"Machine: {machine()}")
        print(
            "| people | ties drawn | frame (median) | frame (90th pct) | model step "
            "| canvas draw | load avg |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(
                f"| {r['people']:,} | {r['ties_drawn']:,} | {r['frame_ms_median']:.0f} ms "
                f"| {r['frame_ms_p90']:.0f} ms | {r['model_step_ms']:.0f} ms "
                f"| {r['canvas_draw_ms_median']:.0f} ms | {r['load_avg']:.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
