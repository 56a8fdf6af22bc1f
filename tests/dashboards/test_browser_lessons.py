"""The three classroom lessons walked in a real browser, step by step, as a new student would.

Each test follows its worksheet in docs/lessons/: set up the lesson (the Lessons tab's **Set up
this lesson** button, or the lesson's preset in the sidebar's Preset list where the tab is
missing), open the Compare tab, choose the measure named, play to the step named, pause, read.
What the worksheet says students see is checked where the page shows it, and a screenshot is
taken at each point the worksheet has one: into docs/lessons/images/ with
SUPPORTNET_LESSON_SCREENSHOTS=1 (``make lessons``), else into pytest's tmp_path.

The walk plays hundreds of steps, so it runs only with SUPPORTNET_LESSON_WALK=1. Every wait is on
the page's state (the step shown, the charts' own data), never a fixed sleep. Numbers read off
the page (the charts' data) are printed, for the teacher checking a worksheet (``-s``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from supportnet import PRESETS

from .test_browser import CANVAS, button, choose, monitor, type_into

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.skipif(
        os.environ.get("SUPPORTNET_LESSON_WALK") != "1",
        reason="the lesson walk plays hundreds of steps: set SUPPORTNET_LESSON_WALK=1 "
        "(`make lessons` does)",
    ),
]

#: Where the worksheets' screenshots are committed.
LESSON_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "lessons" / "images"
#: Play speed in steps per second, as the worksheets say (the runs are the same at any speed;
#: faster only pauses further past the step named).
SPEED = "50"
VIEWPORT = {"width": 1366, "height": 900}

_BAD_WORDS = ("Traceback", "could not be drawn", "Too many renders", "could not be set up")


@pytest.fixture
def shots(tmp_path) -> Path:
    """The folder screenshots go to (docs/lessons/images/ only when asked for)."""
    if os.environ.get("SUPPORTNET_LESSON_SCREENSHOTS") == "1":
        LESSON_IMAGES.mkdir(parents=True, exist_ok=True)
        return LESSON_IMAGES
    return tmp_path


@pytest.fixture
def student(app):
    """The dashboard as a student's laptop shows it."""
    app.set_viewport_size(VIEWPORT)
    app.set_default_timeout(60_000)
    return app


# ------------------------------------------------------------------------------------------------
# What a student does


def _no_error_shown(page) -> None:
    text = page.locator("body").inner_text()
    for words in _BAD_WORDS:
        assert words not in text, text[-2000:]


def _settled(page) -> None:
    """Wait until no tab is sliding in (Vuetify's transition), so a screenshot shows the page."""
    page.wait_for_function("() => !document.querySelector('.v-window__container--is-active')")


def set_up(page, number: int, preset_name: str) -> None:
    """The worksheet's Set up: the Lessons tab's button, or the preset in the sidebar."""
    preset = PRESETS[preset_name]
    sidebar = page.locator(".v-navigation-drawer")
    lessons_tab = page.get_by_role("tab", name="Lessons")
    if lessons_tab.count():
        lessons_tab.click()
        card = page.locator(
            ".sn-lesson", has=page.get_by_role("heading", name=preset.title, exact=True)
        )
        card.get_by_role("button", name="Set up this lesson").click()
        expect(card.get_by_text(f"Lesson {number} is set up")).to_be_visible()
    else:
        choose(page, "Preset", preset.title)
    expect(sidebar.get_by_text(preset.story[:60])).to_be_visible()


_HEAD = r"^A: as set · .* · step ([\d,]+)$"


def open_compare(page) -> None:
    page.get_by_role("tab", name="Compare").click()
    expect(page.get_by_text(re.compile(_HEAD))).to_be_visible()
    expect(page.locator('[data-chart="difference"] canvas')).to_have_count(1)
    expect(page.locator(CANVAS)).to_have_count(2)
    page.evaluate(_READERS)
    _settled(page)


def compare_step(page) -> int:
    """The step the Compare tab shows (its line above the pictures: '... · step N')."""
    text = page.get_by_text(re.compile(_HEAD)).inner_text()
    return int(re.search(r"step ([\d,]+)$", text).group(1).replace(",", ""))


#: Functions the walk reads the page with: the step the Compare tab shows, and a chart's data.
_READERS = """
window.lessonStep = () => {
    const p = [...document.querySelectorAll('p')].find(e => /^A: as set · /.test(e.innerText));
    const m = p && p.innerText.match(/step ([\\d,]+)$/);
    return m ? +m[1].replace(/,/g, '') : -1;
};
window.lessonStable = (ms) => {
    // True once the step shown has not changed for ``ms`` milliseconds.
    const now = lessonStep(), t = performance.now();
    if (window.lessonLast === undefined || window.lessonLast[0] !== now) {
        window.lessonLast = [now, t];
    }
    return t - window.lessonLast[1] >= ms;
};
window.chartSeries = async (name) => {
    const ec = await window.snEcharts;
    const box = document.querySelector(`[data-chart="${name}"] > div`);
    const chart = box && ec.getInstanceByDom(box);
    if (!chart) return null;
    const o = chart.getOption();
    return {title: o.title[0].text, series: o.series.map(s => ({name: s.name, data: s.data}))};
};
"""


def play_past(page, step: int) -> int:
    """Play, wait until the step shown passes ``step``, Pause; return the step paused at."""
    type_into(page, "Speed", SPEED)
    button(page, "Play").click()
    expect(button(page, "Pause")).to_be_visible()
    page.wait_for_function(f"() => lessonStep() >= {step}", timeout=600_000, polling=200)
    button(page, "Pause").click()
    expect(button(page, "Play")).to_be_visible()
    # Pause stops the stepping at once, but the steps of the turn under way arrive in one last
    # picture (dashboards/play.py: a turn is at most a quarter-second slice): wait until the step
    # shown has stood still for a second, and the chart ends at that step.
    page.evaluate("window.lessonLast = undefined")
    page.wait_for_function("() => lessonStable(1000)", polling=100)
    page.wait_for_function(
        """async () => {
            const chart = await chartSeries('difference');
            const d = chart && chart.series[0].data;
            return d && d.length && d[d.length - 1][0] === lessonStep();
        }""",
        polling=200,
    )
    at = compare_step(page)
    assert at >= step
    return at


def chart_series(page, name: str) -> dict[str, list]:
    """The data chart ``name`` draws, by series name (what a student reads off it)."""
    chart = page.evaluate("(name) => chartSeries(name)", name)
    assert chart, f"chart {name} is not drawn"
    return {s["name"]: s["data"] for s in chart["series"]}


def measure(page, label: str) -> None:
    """Choose ``label`` under Measure, and wait for the charts to be drawn for it."""
    choose(page, "Measure", label)
    page.wait_for_function(
        """async (label) => {
            const both = await chartSeries('compare'), diff = await chartSeries('difference');
            return both && both.title === label + ': A and B'
                && diff && diff.title === 'Difference B − A: ' + label;
        }""",
        arg=label,
        polling=200,
    )


def read_difference(page, label: str, first: int, last: int) -> tuple[float, float, float]:
    """Mean of A, B and B − A for ``label`` over steps ``first``-``last``, as the charts show."""
    measure(page, label)
    ab = chart_series(page, "compare")
    diff = chart_series(page, "difference")["B − A"]

    def mean(points):
        values = [v for s, v in points if first <= s <= last and v is not None]
        assert values, (label, first, last)
        return sum(values) / len(values)

    a, b, d = mean(ab["A"]), mean(ab["B"]), mean(diff)
    print(f"  {label}: A {a:.4f}, B {b:.4f}, B − A {d:+.4f} (steps {first}-{last})")
    return a, b, d


def protected(page) -> tuple[list[float], list[float]]:
    """The 'Who is protected' chart: mean depression by fifth of perceived support, A and B."""
    s = chart_series(page, "support-gradient")
    print(f"  who is protected: A {s['A']}; B {s['B']}")
    return s["A"], s["B"]


def show(page, chart: str) -> None:
    """Scroll so that chart ``chart`` (and what is around it) is in view, for a screenshot."""
    page.locator(f'[data-chart="{chart}"]').evaluate("e => e.scrollIntoView({block: 'center'})")
    expect(page.locator(f'[data-chart="{chart}"] canvas')).to_be_in_viewport()


def shoot(page, folder: Path, name: str) -> None:
    _no_error_shown(page)
    _settled(page)
    page.mouse.move(1, 1)  # no hover on what was clicked last
    # No button half-way through a change of colour (Play turning back from Pause).
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')", polling=100
    )
    page.screenshot(path=str(folder / name))


def set_in_sidebar(page, label: str, text: str) -> None:
    """Type a value into a sidebar parameter (under Parameters, Main settings) and press Enter."""
    sidebar = page.locator(".v-navigation-drawer")
    field = sidebar.locator(".sn-slider-field", has=page.get_by_text(label, exact=True)).first
    field.scroll_into_view_if_needed()
    type_into(page, label, text)
    expect(field.locator(".sn-number input")).to_have_value(text)


def reset(page) -> None:
    button(page, "Reset").click()
    expect(page.get_by_text("Changed, not applied yet")).to_have_count(0)
    page.wait_for_function("() => lessonStep() === 0", polling=200)


# ------------------------------------------------------------------------------------------------
# The lessons


def test_lesson_1_does_support_protect(student, shots):
    page = student
    # Set up: two matched towns of 1,000, B without buffering, many life events, at step 0.
    set_up(page, 1, "lesson_buffering")
    open_compare(page)
    expect(page.get_by_text("B: buffering = off")).to_be_visible()
    assert compare_step(page) == 0
    expect(page.get_by_text(re.compile(r"^A: mean stress"))).to_be_visible()
    rate = page.locator(".v-navigation-drawer .sn-slider-field", has_text="Stressor rate").first
    expect(rate.locator(".sn-number input")).to_have_value("0.1")
    page.locator(".v-navigation-drawer .v-navigation-drawer__content").evaluate(
        "e => e.scrollTop = 0"
    )
    shoot(page, shots, "lesson1-setup.png")

    # Observe 1: many life events. Mean depression, then cases, B − A over steps 200-300.
    measure(page, "Mean depression")
    at = play_past(page, 300)
    print(f"lesson 1, observe 1 (stressor rate 0.10), paused at step {at}")
    _, _, many = read_difference(page, "Mean depression", 200, 300)
    assert many > 0.03, many  # B (no buffering) clearly more depressed
    _, _, many_cases = read_difference(page, "Depression cases (share)", 200, 300)
    assert many_cases > 0.05, many_cases
    measure(page, "Mean depression")
    show(page, "difference")
    shoot(page, shots, "lesson1-observe-many.png")

    # Observe 2: few life events. Stressor rate 0.03 in the sidebar, Enter, Reset, play again.
    set_in_sidebar(page, "Stressor rate", "0.03")
    expect(page.get_by_text("Changed, not applied yet: Stressor rate")).to_be_visible()
    reset(page)
    expect(page.get_by_text("B: buffering = off")).to_be_visible()  # still comparing
    at = play_past(page, 300)
    print(f"lesson 1, observe 2 (stressor rate 0.03), paused at step {at}")
    _, _, few = read_difference(page, "Mean depression", 200, 300)
    _, _, few_cases = read_difference(page, "Depression cases (share)", 200, 300)
    assert 0 < few < many / 2, (few, many)  # less than half as large
    assert few_cases < many_cases
    measure(page, "Mean depression")
    show(page, "difference")
    shoot(page, shots, "lesson1-observe-few.png")

    # Observe 3: who is protected, now (few events), then back at 0.10.
    show(page, "support-gradient")
    a_few, b_few = protected(page)
    set_in_sidebar(page, "Stressor rate", "0.1")
    reset(page)
    at = play_past(page, 300)
    print(f"lesson 1, observe 3 (stressor rate 0.10 again), paused at step {at}")
    a_many, b_many = protected(page)
    # The least supported are more depressed than the most supported; in A more so with many
    # life events than with few, and more so in A (buffering on) than in B.
    assert a_many[0] - a_many[-1] > a_few[0] - a_few[-1] > 0, (a_many, a_few)
    assert a_many[0] - a_many[-1] > b_many[0] - b_many[-1] > 0, (a_many, b_many)
    assert all(b > a for a, b in zip(a_many, b_many, strict=True))  # B above A in every fifth
    # E3: buffering helps most those who expect help, so the lines are closer at the low end.
    assert b_many[0] - a_many[0] < b_many[-1] - a_many[-1], (a_many, b_many)
    show(page, "support-gradient")
    shoot(page, shots, "lesson1-observe-protected.png")


def test_lesson_2_is_loneliness_catching(student, shots):
    page = student
    set_up(page, 2, "lesson_loneliness")
    open_compare(page)
    expect(page.get_by_text("B: loneliness_contagion = 0.005")).to_be_visible()
    assert compare_step(page) == 0
    shoot(page, shots, "lesson2-setup.png")

    # Observe 1: colour by loneliness, size by ties (above the picture in the Model tab), play.
    page.get_by_role("tab", name="Model").click()
    choose(page, "Colour people by", "Loneliness")
    choose(page, "Size people by", "Number of ties")
    expect(page.locator(".sn-legend-title").first).to_have_text("Loneliness")
    open_compare(page)
    expect(page.locator(".sn-legend-title").get_by_text("Loneliness", exact=True)).to_have_count(2)
    at = play_past(page, 300)
    print(f"lesson 2, observe 1, paused at step {at}")
    # The picture of 1,000 people is small: zoom in twice on town A to see the groups' rims.
    page.locator(CANVAS).first.scroll_into_view_if_needed()
    zoom = page.get_by_role("button", name="Zoom in").first
    zoom.click()
    expect(page.locator(CANVAS).first).to_have_attribute("data-zoom", "1.500")
    zoom.click()
    expect(page.locator(CANVAS).first).to_have_attribute("data-zoom", "2.250")
    shoot(page, shots, "lesson2-observe-where.png")

    # Observe 2: the lonely share, then the similarity of neighbours, A, B and B − A.
    a, b, d = read_difference(page, "Lonely (share)", 200, 300)
    assert d > 0.02, d  # contagion: more lonely people in B
    sa, sb, sd = read_difference(page, "Loneliness similarity of neighbours", 200, 300)
    assert sa > 0.05 and sd > 0, (sa, sd)  # clustered even without contagion; more with it
    measure(page, "Lonely (share)")
    show(page, "compare")
    shoot(page, shots, "lesson2-observe-contagion.png")

    # Observe 3: Withdrawal off (sidebar, Parameters, Main settings), Reset, play again.
    switch = page.locator(".v-navigation-drawer").get_by_label("Withdrawal", exact=True)
    switch.scroll_into_view_if_needed()
    switch.click(force=True)
    expect(page.get_by_text("Changed, not applied yet: Withdrawal")).to_be_visible()
    reset(page)
    at = play_past(page, 300)
    print(f"lesson 2, observe 3 (withdrawal off), paused at step {at}")
    wa, wb, wd = read_difference(page, "Lonely (share)", 200, 300)
    assert wa < a / 2, (wa, a)  # far fewer lonely without withdrawal
    assert wd < d, (wd, d)  # and contagion adds less
    read_difference(page, "Loneliness similarity of neighbours", 200, 300)
    measure(page, "Lonely (share)")
    show(page, "compare")
    shoot(page, shots, "lesson2-observe-withdrawal.png")


def test_lesson_3_which_help_helps_most(student, shots):
    page = student
    set_up(page, 3, "lesson_interventions")
    open_compare(page)
    expect(page.get_by_text("B runs without the interventions")).to_be_visible()
    assert compare_step(page) == 0
    sidebar = page.locator(".v-navigation-drawer")
    expect(sidebar.get_by_label("Peer support groups", exact=True)).to_be_checked()
    shoot(page, shots, "lesson3-setup.png")

    # Observe 1: play past 400, read B − A over 300-400 for each measure of the table.
    at = play_past(page, 400)
    print(f"lesson 3, observe 1 (peer groups), paused at step {at}")
    effects = {}
    for label in ("Mean depression", "Lonely (share)", "Mean perceived support",
                  "Unmet need (mean)", "Burnt-out givers (share)"):  # fmt: skip
        effects[label] = read_difference(page, label, 300, 400)[2]
    # Identical until the groups start; then B (without them) feels less supported.
    before = read_difference(page, "Mean perceived support", 0, 299)[2]
    assert before == 0, before
    assert effects["Mean perceived support"] < -0.01, effects
    show(page, "difference")
    shoot(page, shots, "lesson3-observe-effect.png")

    # Observe 2: the intervention's monitor in the Model tab: how many it has reached.
    page.get_by_role("tab", name="Model").click()
    reached = monitor(page, "intervention-peer_groups")
    expect(reached).to_be_visible()
    text = reached.inner_text()
    print(f"lesson 3, observe 2: Peer support groups monitor: {text}")
    assert 0 < int(re.search(r"reached (\d+)", text).group(1)) <= 400
    _no_error_shown(page)

    # Observe 2, then: another targeting (in the intervention's settings), Reset, play past 400.
    button(page, "▸ Peer support groups settings").click()
    choose(page, "Targeting", "random")
    expect(page.get_by_text("Interventions changed: press Reset")).to_be_visible()
    page.get_by_role("tab", name="Compare").click()
    reset(page)
    expect(page.get_by_text("Interventions changed: press Reset")).to_have_count(0)
    expect(page.get_by_text("B runs without the interventions")).to_be_visible()
    at = play_past(page, 400)
    print(f"lesson 3, observe 2 (peer groups at random), paused at step {at}")
    d = read_difference(page, "Mean perceived support", 300, 400)[2]
    assert d < -0.01, d
    read_difference(page, "Lonely (share)", 300, 400)

    # Another group's set-up: peer groups off, respite on with the same start, duration, budget.
    sidebar = page.locator(".v-navigation-drawer")
    peer, respite = (
        sidebar.get_by_label(n, exact=True) for n in ("Peer support groups", "Respite for carers")
    )
    sidebar.locator("label", has_text=re.compile("^Peer support groups$")).click()
    expect(peer).not_to_be_checked()
    # The note above the switches moves them down: click the next one once it is there.
    expect(page.get_by_text("Interventions changed: press Reset")).to_be_visible()
    sidebar.locator("label", has_text=re.compile("^Respite for carers$")).click()
    expect(respite).to_be_checked()
    button(page, "▸ Respite for carers settings").click()
    for label, value in (("Start", "300"), ("Duration", "100"), ("Budget", "30")):
        type_into(page, label, value)
        expect(sidebar.get_by_label(label, exact=True)).to_have_value(value)
    reset(page)
    expect(page.get_by_text("Interventions changed: press Reset")).to_have_count(0)
    expect(page.get_by_text("B runs without the interventions")).to_be_visible()
    _no_error_shown(page)
