"""The dashboard in a real browser (Playwright driving Chromium), served offline.

The server is `supportnet dashboard` itself, with Solara's CDN pointed at a closed port: every
front-end file must come from the local cache, as in an offline classroom. Every check reads the
page: monitors, the canvas's own record of what it drew, chart canvases, text. Screenshots go to
docs/images/ for docs/dashboard.md.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from playwright.sync_api import expect

from supportnet import PARAMETERS, PRESETS
from supportnet.dashboards.lessons import read_lesson
from supportnet.dashboards.network import palette
from supportnet.dashboards.session import Comparison, interventions_available

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    # pytest-playwright's own base_url fixture triggers this deprecation; nothing of ours.
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]

CANVAS = "canvas.sn-network-canvas"
#: The default town (the page starts from the defaults), as the People monitor shows it.
DEFAULT_PEOPLE = PARAMETERS["n_people"].default
PEOPLE_SHOWN = f"{DEFAULT_PEOPLE:,}"


def monitor(page, name: str):
    """The value part of monitor ``name``."""
    return page.locator(f'[data-monitor="{name}"] > div').nth(1)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the drop-down labelled ``label``."""
    page.locator(".v-select", has=page.get_by_text(label, exact=True)).first.click()
    # Menus of drop-downs opened before stay in the page, hidden: pick from the open one.
    menu = page.locator(".menuable__content__active")
    menu.get_by_role("option", name=option, exact=True).click()


def type_into(page, label: str, text: str) -> None:
    """Type into the box labelled ``label`` (or the box of the slider ``label``), then Enter."""
    field = page.locator(".sn-slider-field", has=page.get_by_text(label, exact=True))
    if field.count():
        box = field.first.locator(".sn-number input")
    else:
        box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")


def playing_pages(server, browser, n: int, errors: list[str] | None = None):
    """Open ``n`` sessions (each its own browser context) and set them all playing at 1,000 steps/s.

    Returns (contexts, pages); the caller closes the contexts. Page errors go to ``errors``.
    """
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(n)]
    pages = [c.new_page() for c in contexts]
    for p in pages:
        if errors is not None:
            p.on("pageerror", lambda e: errors.append(str(e)))
        p.set_default_timeout(120_000)
        p.goto(server.url)
    for p in pages:
        button(p, "Play").wait_for()
        type_into(p, "Speed", "1000")
        button(p, "Play").click()
    return contexts, pages


def slider_field(page, label: str):
    return page.locator(".sn-slider-field", has=page.get_by_text(label, exact=True)).first


def slide(page, label: str, fraction: float) -> None:
    """Click the slider labelled ``label`` at ``fraction`` of its length."""
    field = slider_field(page, label)
    box = field.locator(".v-slider").bounding_box()
    x = box["x"] + min(max(fraction * box["width"], 1), box["width"] - 1)
    page.mouse.click(x, box["y"] + box["height"] / 2)


def drawn(page, index: int = 0) -> int:
    return int(page.locator(CANVAS).nth(index).get_attribute("data-drawn"))


def click_person(page, person: int, index: int = 0) -> None:
    """Click on ``person`` in the network canvas, where the canvas says it drew them."""
    canvas = page.locator(CANVAS).nth(index)
    x, y = canvas.evaluate("(c, i) => c.nodeXY(i)", person)
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_loads_offline_and_runs(app, server, images):
    page = app
    expect(monitor(page, "step")).to_have_text("0")
    expect(monitor(page, "people")).to_have_text(PEOPLE_SHOWN)
    ties_42 = monitor(page, "ties").inner_text()
    first = drawn(page)
    button(page, "Step").click()
    expect(monitor(page, "step")).to_have_text("1")
    expect(page.locator(CANVAS)).not_to_have_attribute("data-drawn", str(first))
    assert page.locator(CANVAS).get_attribute("data-nodes") == str(DEFAULT_PEOPLE)
    # Play, then Pause: steps advance, then stop.
    button(page, "Play").click()
    expect(monitor(page, "step")).not_to_have_text(re.compile(r"^[01]$"), timeout=20_000)
    button(page, "Pause").click()
    expect(button(page, "Play")).to_be_visible()
    page.wait_for_timeout(500)
    paused = monitor(page, "step").inner_text()
    page.wait_for_timeout(1000)
    assert monitor(page, "step").inner_text() == paused and int(paused) > 1
    # The wellbeing chart is drawn by ECharts from the local cache.
    expect(page.locator('[data-chart="wellbeing"] canvas')).to_have_count(1)
    page.screenshot(path=str(images / "dashboard-model.png"))
    # Speed: the slider's far right is 1000 steps per second; the box shows it.
    slide(page, "Speed", 1.0)
    expect(page.get_by_text(re.compile("^1000 model steps per second"))).to_be_visible()
    expect(slider_field(page, "Speed").locator(".sn-number input")).to_have_value("1000")
    before = int(monitor(page, "step").inner_text())
    button(page, "Play").click()
    expect(monitor(page, "step")).not_to_have_text(str(before))
    page.wait_for_timeout(1500)
    button(page, "Pause").click()
    expect(button(page, "Play")).to_be_visible()
    assert int(monitor(page, "step").inner_text()) >= before + 20
    # Seed and Reset: another seed builds another town; the same seed the same one.
    type_into(page, "Seed", "7")
    button(page, "Reset").click()
    expect(monitor(page, "step")).to_have_text("0")
    expect(monitor(page, "ties")).not_to_have_text(ties_42)
    type_into(page, "Seed", "42")
    button(page, "Reset").click()
    expect(monitor(page, "ties")).to_have_text(ties_42)
    assert "Could not load URL" not in server.output()


def test_parameter_change_and_preset_switch(app, images):
    page = app
    type_into(page, "N people", "150")
    expect(page.get_by_text("Changed, not applied yet: N people")).to_be_visible()
    expect(monitor(page, "people")).to_have_text(PEOPLE_SHOWN)  # not before Reset
    button(page, "Reset").click()
    expect(monitor(page, "people")).to_have_text("150")
    expect(page.locator(CANVAS)).to_have_attribute("data-nodes", "150")
    expect(page.get_by_text("Changed, not applied yet")).to_have_count(0)
    # A grouped parameter: open its group, switch it, apply.
    button(page, "▸ Stressors").click()
    page.get_by_label("Stressors", exact=True).click(force=True)  # the switch: events off
    button(page, "Reset").click()
    button(page, "Step").click()
    expect(monitor(page, "step")).to_have_text("1")
    # A preset loads its values, restarts and tells its story.
    village, campus = PRESETS["isolated_elderly_village"], PRESETS["student_campus"]
    choose(page, "Preset", village.title)
    expect(page.get_by_text(village.story[:60])).to_be_visible()
    expect(monitor(page, "people")).to_have_text(f"{village.params().n_people:,}")
    expect(monitor(page, "step")).to_have_text("0")
    choose(page, "Preset", campus.title)
    n = campus.params().n_people
    expect(monitor(page, "people")).to_have_text(f"{n:,}")
    expect(page.locator(CANVAS)).to_have_attribute("data-nodes", str(n))
    page.locator(".v-navigation-drawer").screenshot(path=str(images / "dashboard-controls.png"))


def test_select_person_and_inspector(app, images):
    page = app
    for _ in range(3):
        button(page, "Step").click()
    expect(monitor(page, "step")).to_have_text("3")
    click_person(page, 17)
    expect(page.locator(CANVAS)).to_have_attribute("data-selected", "17")
    expect(page.get_by_text(re.compile(r"^Person 17 \(\d+ ties\)"))).to_be_visible()
    page.get_by_role("tab", name="Inspector").click()
    expect(page.get_by_role("heading", name="Person 17")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"Ties by kind \(\d+ in all\)"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Helped (last 3 steps)")).to_be_visible()
    expect(page.locator('[data-chart="person"] canvas')).to_have_count(1)
    page.screenshot(path=str(images / "dashboard-inspector.png"), full_page=True)
    type_into(page, "Person number", "5")
    expect(page.get_by_role("heading", name="Person 5")).to_be_visible()
    button(page, "Clear").click()
    expect(page.get_by_text("No one selected")).to_be_visible()
    page.get_by_role("tab", name="Model").click()
    expect(page.locator(CANVAS)).to_have_attribute("data-selected", "-1")


def test_view_options(app):
    page = app
    ties = int(page.locator(CANVAS).get_attribute("data-ties"))
    choose(page, "Colour people by", "Loneliness")
    expect(page.locator(".sn-legend-title").first).to_have_text("Loneliness")
    expect(page.locator('[data-chart="histogram"] canvas')).to_have_count(1)
    choose(page, "Size people by", "Capacity to give")
    choose(page, "Colour people by", "Perceived support")
    expect(page.locator(".sn-legend-title").first).to_have_text("Perceived support")
    slide(page, "Hide ties weaker than", 0.7)
    page.wait_for_function(
        f"() => +document.querySelector('{CANVAS}').dataset.ties < {ties}", timeout=15_000
    )


def test_plots_tab(app, images):
    page = app
    for _ in range(5):
        button(page, "Step").click()
    expect(monitor(page, "step")).to_have_text("5")
    page.get_by_role("tab", name="Plots").click()
    for name in ("wellbeing-all", "strain", "support-type", "support-kind", "network-measures",
                 "degree-histogram", "histogram-stress", "histogram-depression",
                 "histogram-loneliness", "histogram-perceived_support"):  # fmt: skip
        expect(page.locator(f'[data-chart="{name}"] canvas')).to_have_count(1)
    # Each plot over time spans exactly the steps run.
    for name in ("wellbeing-all", "strain", "support-type", "support-kind", "network-measures"):
        expect(page.locator(f'[data-chart="{name}"]')).to_have_attribute("data-x-extent", "0,5")
        # ... and shades them as the warm-up (the steps run are all in it), without widening it.
        assert settling_shade(page, name) == [0, 5]
    page.screenshot(path=str(images / "dashboard-plots.png"), full_page=True)


def settling_shade(page, name: str) -> list[int] | None:
    """The steps chart ``name`` shades as the warm-up, as ECharts holds them."""
    return page.evaluate(
        """async (name) => {
            const ec = await window.snEcharts;
            const chart = ec.getInstanceByDom(document.querySelector(`[data-chart="${name}"] > div`));
            const area = chart.getOption().series[0].markArea;
            return area && area.data.length ? area.data[0].map((end) => end.xAxis) : null;
        }""",
        name,
    )


def test_compare_mode(app, images):
    page = app
    page.get_by_role("tab", name="Compare").click()
    expect(page.get_by_text("restarts the run")).to_be_visible()
    button(page, "Start comparison").click()  # the default: B with buffering off
    expect(page.get_by_text("B: buffering = off")).to_be_visible()
    expect(page.locator(CANVAS)).to_have_count(2)
    for i in range(10):
        button(page, "Step").click()
        expect(page.get_by_text(f"step {i + 1}", exact=False).first).to_be_visible()
    expect(page.locator('[data-chart="compare"] canvas')).to_have_count(1)
    expect(page.locator('[data-chart="difference"] canvas')).to_have_count(1)
    # Both canvases are redrawn for the last step, from the same starting picture: they end with
    # the same number of draws (waited for: the step label can show before B's canvas redraws).
    page.wait_for_function(
        f"""() => {{
            const c = document.querySelectorAll('{CANVAS}');
            return c.length === 2 && c[0].dataset.drawn === c[1].dataset.drawn;
        }}""",
        timeout=20_000,
    )
    # A and B are shaded as the warm-up; B - A is not (matched towns settle together).
    for name in ("compare", "difference"):
        expect(page.locator(f'[data-chart="{name}"]')).to_have_attribute("data-x-extent", "0,10")
    assert settling_shade(page, "compare") == [0, 10]
    assert settling_shade(page, "difference") is None
    page.screenshot(path=str(images / "dashboard-compare.png"), full_page=True)
    choose(page, "Measure", "Mean stress")
    expect(page.locator('[data-chart="difference"] canvas')).to_have_count(1)
    button(page, "Stop comparison").click()
    expect(button(page, "Start comparison")).to_be_visible()


def test_results_explorer(app, images, sweep_folder):
    page = app
    page.get_by_role("tab", name="Results").click()
    choose(page, f"Sweeps in {sweep_folder}", str(sweep_folder / "stress_and_buffering"))
    expect(page.get_by_text("Stressor rate and buffering (test)")).to_be_visible()
    image = page.locator(".sn-results-figure img")
    expect(image).to_have_count(1)
    choose(page, "Outcome", "mean_stress")
    choose(page, "Band", "± 1 standard deviation")
    expect(image).to_have_count(1)
    choose(page, "Lines by", "buffering")
    expect(page.get_by_role("cell", name="False").first).to_be_visible()
    page.wait_for_timeout(1000)  # the drop-down menu fades out
    page.screenshot(path=str(images / "dashboard-results.png"), full_page=True)
    type_into(page, "Folder", str(sweep_folder / "missing"))
    button(page, "Open").click()
    expect(page.get_by_text("no such folder")).to_be_visible()


def test_info_tab(app):
    page = app
    page.get_by_role("tab", name="Info").click()
    for heading in ("What is it?", "How it works", "How to use it", "Things to notice",
                    "Things to try", "Extending the model", "Credits and references"):  # fmt: skip
        expect(page.get_by_role("heading", name=heading)).to_be_visible()


LESSON_PRESETS = ("lesson_buffering", "lesson_loneliness", "lesson_interventions")


def test_lessons_tab_sets_up_each_lesson_and_shows_its_worksheet(app, images):
    """Each lesson set up by its button, then by the Preset picker; a worksheet read in the tab.

    The lesson files are being written alongside: what is checked holds whether a file exists
    (its worksheet, headings and figures show) or not (one line says where it is expected).
    """
    page = app
    sidebar = page.locator(".v-navigation-drawer")
    for number, name in enumerate(LESSON_PRESETS, 1):
        preset = PRESETS[name]
        b = Comparison(*preset.compare).describe()
        button(page, "Step").click()  # set-up must bring A and B back to step 0
        page.get_by_role("tab", name="Lessons").click()
        title = read_lesson(number).title  # the file's first heading, or the preset's title
        card = page.locator(".sn-lesson", has=page.get_by_role("heading", name=title, exact=True))
        card.get_by_role("button", name="Set up this lesson").click()
        expect(
            card.get_by_text(f"Lesson {number} is set up: A and B are reset to step 0")
        ).to_be_visible()
        expect(sidebar.get_by_text(preset.story[:60])).to_be_visible()
        if number == 1:
            page.screenshot(path=str(images / "dashboard-lessons.png"))
        card.get_by_role("button", name="Open the Compare tab").click()
        # The Compare tab's header names B in bold (the worksheets may name it too, in italics).
        expect(page.locator("strong", has_text=b)).to_be_visible()
        expect(page.get_by_text(re.compile(r"· step 0$"))).to_be_visible()
        expect(page.locator(CANVAS)).to_have_count(2)
        page.get_by_role("tab", name="Model").click()
        expect(monitor(page, "step")).to_have_text("0")
        expect(monitor(page, "people")).to_have_text(f"{preset.params().n_people:,}")
    # The Preset picker: any other preset stops the comparison; a lesson's starts its own.
    page.get_by_role("tab", name="Compare").click()
    choose(page, "Preset", PRESETS["baseline"].title)
    expect(button(page, "Start comparison")).to_be_visible()
    for name in LESSON_PRESETS:
        preset = PRESETS[name]
        choose(page, "Preset", preset.title)
        expect(sidebar.get_by_text(preset.story[:60])).to_be_visible()
        expect(
            page.locator("strong", has_text=Comparison(*preset.compare).describe())
        ).to_be_visible()
        expect(page.locator(CANVAS)).to_have_count(2)
    # Lesson 1's worksheet, read beside the model (or the line saying where it is expected).
    page.get_by_role("tab", name="Lessons").click()
    lesson = read_lesson(1)
    card = page.locator(".sn-lesson").first
    if lesson.text is None:
        expect(card.get_by_text(lesson.problem)).to_be_visible()
        return
    card.get_by_role("button", name="Read the worksheet").click()
    text = page.locator(".sn-lesson-text")
    expect(text.get_by_role("heading", name=lesson.title, exact=True)).to_be_visible()
    expect(text.get_by_role("heading").nth(1)).to_be_visible()
    figures = text.locator('img[src^="data:image/"]')
    if "](data:image/" in lesson.text:  # its figures are drawn, not broken
        figures.first.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => { const i = document.querySelector('.sn-lesson-text img[src^=\"data:image/\"]');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )


def _drawn_rgb(code: int) -> str:
    """The colour the canvas fills people of colour code ``code`` with (64 fills, each in the
    colour of its middle), as the browser writes a CSS colour."""
    hex_ = palette()[min(255, int((code // 4 + 0.5) * 4))]
    return "rgb({}, {}, {})".format(*(int(hex_[i : i + 2], 16) for i in (1, 3, 5)))


def test_moods_preset_colours_by_mood_and_plots_the_shares(app, images):
    page = app
    moods = PRESETS["moods_spread"]
    choose(page, "Preset", moods.title)
    expect(page.get_by_text(moods.story[:60])).to_be_visible()
    expect(page.locator(CANVAS)).to_have_attribute("data-nodes", str(moods.params().n_people))
    for _ in range(3):
        button(page, "Step").click()
    expect(monitor(page, "step")).to_have_text("3")
    choose(page, "Colour people by", "Mood (SISa: content, neutral, discontent)")
    expect(page.locator(".sn-legend-title").first).to_have_text(
        "Mood (SISa: content, neutral, discontent)"
    )
    # Mood is three states: three swatches named as the states, in the people's own colours.
    states = page.locator(".sn-legend-state")
    expect(states).to_have_text(["content", "neutral", "discontent"])
    swatches = states.locator(".sn-legend-swatch")
    shown = [swatches.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(3)]
    assert shown == [_drawn_rgb(code) for code in (0, 128, 255)]
    expect(page.locator(".sn-legend-bar")).to_have_count(0)
    expect(page.locator('[data-chart="moods"] canvas')).to_have_count(1)
    expect(page.locator('[data-chart="moods"]')).to_have_attribute("data-x-extent", "0,3")
    page.screenshot(path=str(images / "dashboard-moods.png"))
    page.get_by_role("tab", name="Info").click()
    expect(page.get_by_text(re.compile("Moods that spread"))).to_be_visible()


@pytest.mark.skipif(interventions_available() is None, reason="interventions not installed")
def test_intervention_switched_on_acts(app, images):
    page = app
    page.get_by_label("Peer support groups", exact=True).click(force=True)
    expect(page.get_by_text("Interventions changed: press Reset")).to_be_visible()
    button(page, "Reset").click()
    monitor_iv = monitor(page, "intervention-peer_groups")
    expect(monitor_iv).to_be_visible()
    for _ in range(4):
        button(page, "Step").click()
    expect(monitor(page, "step")).to_have_text("4")
    text = monitor_iv.inner_text()
    reached, ties = map(int, re.findall(r"\d+", text))
    assert reached > 0 and ties > 0, text
    page.get_by_role("tab", name="Plots").click()
    expect(page.locator('[data-chart="support-kind"] canvas')).to_have_count(1)


def test_ten_sessions_are_independent(server, browser):
    """Ten students at once: each session its own model; the server stays up."""
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(10)]
    pages = [c.new_page() for c in contexts]
    errors: list[str] = []
    opened = time.monotonic()
    try:
        for p in pages:
            p.on("pageerror", lambda e: errors.append(str(e)))
            p.set_default_timeout(60_000)
            p.goto(server.url)
        for p in pages:
            button(p, "Step").wait_for()
        print(f"10 pages loaded in {time.monotonic() - opened:.1f} s")
        # Session i steps 1 + i % 3 times; nobody's steps show up anywhere else.
        started = time.monotonic()
        steps = [1 + i % 3 for i in range(len(pages))]
        for round_ in range(3):
            for p, n in zip(pages, steps, strict=True):
                if round_ < n:
                    button(p, "Step").click()
        for p, n in zip(pages, steps, strict=True):
            expect(monitor(p, "step")).to_have_text(str(n))
        # One session changes its population; the others keep theirs.
        type_into(pages[3], "N people", "120")
        button(pages[3], "Reset").click()
        expect(monitor(pages[3], "people")).to_have_text("120")
        for i, (p, n) in enumerate(zip(pages, steps, strict=True)):
            if i != 3:
                expect(monitor(p, "people")).to_have_text(PEOPLE_SHOWN)
                expect(monitor(p, "step")).to_have_text(str(n))
        assert server.alive()
        print(f"steps and checks in {time.monotonic() - started:.1f} s")
    finally:
        for c in contexts:
            c.close()
    assert errors == []
    assert server.alive()


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


#: CPU seconds per second (a share of one core) below which the server counts as idle. At rest
#: it uses about 0.3% (the front's supervision, Solara's keep-alives); one playing town about 40%.
IDLE_SHARE = 0.05


def _cpu_share(pids: list[int], seconds: float) -> float:
    """The share of one core the processes ``pids`` used over the next ``seconds``."""
    start, began = _cpu_seconds(pids), time.monotonic()
    time.sleep(seconds)
    return (_cpu_seconds(pids) - start) / (time.monotonic() - began)


@pytest.mark.parametrize("leave", ["close", "navigate"])
def test_play_stops_when_the_pages_go(server, browser, leave):
    """Students leaving playing tabs must not leave models running on the server.

    Closing a tab (or navigating away) closes its Solara session at once; a Play loop that had not
    noticed the page leaving before that used to lose sight of its session and step for ever, long
    after the session was freed. Three pages at full speed, so that the loops are mid-step or
    waiting for a picture when the pages go. Measured in CPU time of the server's processes (the
    front and every Solara process), not wall-clock speed: the machine may be busy.
    """
    pids = server.pids()
    contexts, pages = [], []
    try:
        contexts, pages = playing_pages(server, browser, 3)
        for p in pages:
            expect(monitor(p, "step")).not_to_have_text(re.compile(r"^[0-9]$"), timeout=60_000)
        before = [monitor(p, "step").inner_text() for p in pages]
        busy = _cpu_share(pids, 3)
        # Every town still moving: its next picture shows a later step. Under load a busy
        # process spaces each session's pictures (play.py), by more than the 3 s above.
        for p, shown in zip(pages, before, strict=True):
            expect(monitor(p, "step")).not_to_have_text(shown, timeout=60_000)
        after = [monitor(p, "step").inner_text() for p in pages]
        for c, p in zip(contexts, pages, strict=True):
            if leave == "close":
                c.close()
            else:
                p.goto("about:blank")
        # Idle within 30 s, measured in 3-s windows: on a loaded machine the last slice and
        # picture, the sessions' clean-up and the memory hand-backs can spill into the first
        # ones; a loop that never stops keeps the server busy in all of them.
        quiet = []
        for _ in range(10):
            quiet.append(_cpu_share(pids, 3))
            if quiet[-1] < IDLE_SHARE:
                break
    finally:
        for c in contexts:
            c.close()
    print(
        f"steps {before} -> {after}; server CPU: {busy:.2f} of a core playing; then {[round(q, 3) for q in quiet]}"
    )
    # Playing: every town advanced (above), and the processes measured are the ones doing the
    # work. The pace is set by the browsers drawing each picture, so on a loaded machine the
    # server's share can be low (0.09 seen); more than idle is what makes the quiet check below
    # mean something.
    steps = [
        (int(b.replace(",", "")), int(a.replace(",", "")))
        for b, a in zip(before, after, strict=True)
    ]
    assert all(a > b for b, a in steps), steps
    assert busy > 1.5 * IDLE_SHARE, busy
    assert quiet[-1] < IDLE_SHARE, (quiet, busy)  # gone: it stops
    assert server.alive()
