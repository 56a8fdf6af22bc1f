"""Fixtures of the dashboard tests: a live server, and Chromium set up for this machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from supportnet.dashboards.serve import CHROMIUM, CHROMIUM_ARGS, DashboardServer

from .helpers import make_sweep

# Page checks wait up to 20 s (Playwright's default is 5 s): under the whole suite on 2 cores the
# server can take several seconds to answer a click. A check that passes returns at once.
expect.set_options(timeout=20_000)

#: Screenshots made by the browser tests, used in docs/dashboard.md.
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the Debian package's Chromium (Playwright cannot download a browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: run `make browser`")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}


@pytest.fixture(scope="session")
def sweep_folder(tmp_path_factory):
    """A results folder holding one small sweep, listed by the Results tab."""
    root = tmp_path_factory.mktemp("results")
    make_sweep(root / "stress_and_buffering")
    return root


@pytest.fixture(scope="session")
def server(sweep_folder):
    """`supportnet dashboard` on a free port, with the CDN unreachable (offline)."""
    with DashboardServer(results=sweep_folder, offline=True) as srv:
        yield srv
    assert "Traceback" not in srv.output(), srv.output()[-3000:]


@pytest.fixture
def app(server, page):
    """The dashboard loaded in a fresh browser page; fails the test on any page error."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(server.url)
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
    page.locator("canvas.sn-network-canvas[data-drawn]").wait_for()
    yield page
    assert errors == [], errors


@pytest.fixture(scope="session")
def images(tmp_path_factory):
    """Where screenshots go: docs/images/ with SUPPORTNET_SCREENSHOTS=1, else a temporary folder.

    The tests always take them (a page that cannot be drawn fails), but only refresh the committed
    images on request, so running the suite leaves the working tree clean.
    """
    if os.environ.get("SUPPORTNET_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        return IMAGES
    return tmp_path_factory.mktemp("screenshots")
