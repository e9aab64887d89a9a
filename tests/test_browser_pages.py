"""The site in a real browser (headless Chromium through Playwright): the expert table's filter and sorting,
by mouse and by keyboard alone, the full table without JavaScript, the timetable's client-side statuses and
the language switcher.

One build of the real site (with 300 SYNTHETIC experts, see conftest.real_site) serves every test here.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
ROWS = "#experts-table tbody tr"
SHOWN_ROWS = "#experts-table tbody tr:not([hidden])"

# Replaces Date so that `new Date()` and `Date.now()` give noon (local time) on the given day; other uses of
# Date work as before.
FAKE_TODAY = """
(() => {
  const RealDate = Date;
  const fixed = new RealDate(%d, %d, %d, 12, 0, 0).getTime();
  class FakeDate extends RealDate {
    constructor(...args) { if (args.length === 0) { super(fixed); } else { super(...args); } }
    static now() { return fixed; }
  }
  window.Date = FakeDate;
})();
"""


def fake_today(year: int, month: int, day: int) -> str:
    return FAKE_TODAY % (year, month - 1, day)


@pytest.fixture(scope="module")
def experts(real_site) -> list[dict]:
    """The synthetic experts as written in the built site's experts.json."""
    import json

    return json.loads((real_site.output / "data" / "experts.json").read_text("utf-8"))["experts"]


@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the module (a new one costs about a second); each test opens its own page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture(scope="module")
def no_script_context(browser):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def open_page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(context):
    yield from open_page(context)


@pytest.fixture
def no_script_page(no_script_context):
    yield from open_page(no_script_context)


def shown_names(page) -> list[str]:
    return page.locator(f"{SHOWN_ROWS} td:first-child").all_inner_texts()


def status_text(page) -> str:
    return page.locator("#expert-status").inner_text()


# ------------------------------------------------------------------------------------------- expert table

def test_expert_filter_narrows_rows_by_name(page, real_site, experts):
    from playwright.sync_api import expect

    page.goto(real_site.url + "en/experts/")
    expect(page.locator("#expert-filters")).to_be_visible()
    expect(page.locator("#expert-status")).to_have_text(f"Experts shown: {len(experts)} of {len(experts)}")
    name = experts[17]["name_en"]
    page.fill("#expert-search", name)
    expect(page.locator(SHOWN_ROWS)).not_to_have_count(len(experts))
    shown = shown_names(page)
    assert name in shown
    words = name.lower().split()
    rows = page.locator(SHOWN_ROWS).all_inner_texts()
    assert all(all(word in row.lower() for word in words) for row in rows)
    expect(page.locator("#expert-status")).to_have_text(f"Experts shown: {len(shown)} of {len(experts)}")
    page.fill("#expert-search", "")
    expect(page.locator(SHOWN_ROWS)).to_have_count(len(experts))


def test_expert_filter_narrows_rows_by_category_and_name(page, real_site, experts):
    from playwright.sync_api import expect

    page.goto(real_site.url + "zh/experts/")
    academics = [e for e in experts if e["category"] == "academia"]
    assert 0 < len(academics) < len(experts)
    page.select_option("#expert-category", "academia")
    expect(page.locator(SHOWN_ROWS)).to_have_count(len(academics))
    assert set(page.locator(SHOWN_ROWS).evaluate_all("rows => rows.map(r => r.dataset.category)")) == {"academia"}
    expect(page.locator("#expert-status")).to_have_text(f"显示{len(experts)}位专家中的{len(academics)}位")
    # both filters at once: a word of one academic's organization
    organization = academics[0]["organization_zh"]
    both = [e for e in academics if organization in e["organization_zh"]]
    page.fill("#expert-search", organization)
    expect(page.locator(SHOWN_ROWS)).to_have_count(len(both))
    expect(page.locator("#expert-status")).to_have_text(f"显示{len(experts)}位专家中的{len(both)}位")


def test_clicking_a_column_header_sorts_the_table(page, real_site, experts):
    from playwright.sync_api import expect

    page.goto(real_site.url + "en/experts/")
    names = [e["name_en"] for e in experts]
    first_name = page.locator(f"{ROWS} td:first-child").first
    expect(first_name).to_have_text(names[0])  # the chair comes first, as in the data
    header = page.locator("#experts-table thead th").first
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(first_name).to_have_text(min(names, key=str.casefold))
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(first_name).to_have_text(max(names, key=str.casefold))
    # another column: the name column is no longer the sorted one
    role_header = page.locator("#experts-table thead th").nth(3)
    role_header.get_by_role("button").click()
    expect(role_header).to_have_attribute("aria-sort", "ascending")
    expect(header).to_have_attribute("aria-sort", "none")
    expect(page.locator(f"{ROWS} td:nth-child(4)").first).to_have_text("Chair")


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus after {limit} presses of Tab")


def focus_is_visible(page) -> bool:
    """The focused element matches :focus-visible and draws an outline."""
    return page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    }""")


def test_expert_filter_by_keyboard_only(page, real_site, experts):
    from playwright.sync_api import expect

    page.goto(real_site.url + "en/experts/")
    tab_to(page, "#expert-search")
    assert focus_is_visible(page)
    name = experts[42]["name_en"]
    page.keyboard.type(name)
    expect(page.locator("#expert-status")).to_have_text(re.compile(rf"^Experts shown: [1-9]\d* of {len(experts)}$"))
    assert all(name.lower() in shown.lower() for shown in shown_names(page))
    for _ in name:
        page.keyboard.press("Backspace")
    expect(page.locator(SHOWN_ROWS)).to_have_count(len(experts))

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "expert-category"
    assert focus_is_visible(page)
    page.keyboard.press("ArrowDown")  # "All categories" -> the first category
    first_category = page.locator("#expert-category option").nth(1).get_attribute("value")
    expect(page.locator("#expert-category")).to_have_value(first_category)
    count = sum(1 for e in experts if e["category"] == first_category)
    expect(page.locator(SHOWN_ROWS)).to_have_count(count)
    page.keyboard.press("ArrowUp")
    expect(page.locator(SHOWN_ROWS)).to_have_count(len(experts))

    # the column headers are buttons: Enter sorts
    tab_to(page, "#experts-table thead th:first-child button")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#experts-table thead th").first).to_have_attribute("aria-sort", "ascending")


def test_without_javascript_the_full_table_is_there(no_script_page, real_site, experts):
    page = no_script_page
    page.goto(real_site.url + "en/experts/")
    rows = page.locator(ROWS)
    assert rows.count() == len(experts)
    assert page.locator(SHOWN_ROWS).count() == len(experts)
    assert rows.evaluate_all("rows => rows.filter(r => r.offsetParent === null).length") == 0
    assert not page.locator("#expert-filters").is_visible()  # controls that could not work are not shown
    assert page.locator("#experts-table thead button").count() == 0
    assert rows.last.locator("td").first.inner_text() == experts[-1]["name_en"]


# ----------------------------------------------------------------------------------------------- timetable

def expected_states(items: list[tuple[str, str]], today: str) -> list[str]:
    """The rules of wtpfsite.base.dates.milestone_states on (start, end) ISO strings."""
    states, seen_next = [], False
    for start, end in items:
        if end < today:
            states.append("past")
        elif start <= today:
            states.append("current")
        elif not seen_next:
            states.append("next")
            seen_next = True
        else:
            states.append("upcoming")
    return states


def timetable_states(page) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(start, end) of each milestone, the state in its class, and the text of its status label."""
    return page.locator(".milestone").evaluate_all("""items => [
        items.map(i => [i.dataset.start, i.dataset.end]),
        items.map(i => (i.className.match(/\\bstate-(\\w+)/) || [])[1]),
        items.map(i => i.querySelector('[data-state-label]').textContent)]""")


STATE_LABELS = {"en": {"past": "Past", "current": "Now", "next": "Next", "upcoming": "Upcoming"},
                "zh": {"past": "已过", "current": "进行中", "next": "下一项", "upcoming": "即将到来"}}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_timetable_marks_exactly_one_next_item_as_built(no_script_page, real_site, lang):
    no_script_page.goto(real_site.url + f"{lang}/timetable/")
    periods, states, labels = timetable_states(no_script_page)
    assert states.count("next") == 1
    assert no_script_page.locator(".milestone.state-next").count() == 1
    assert states == expected_states([tuple(p) for p in periods], "2020-10-01")
    assert labels == [STATE_LABELS[lang][s] for s in states]


@pytest.fixture(scope="module")
def site_without_content_date(tmp_path_factory, static_server):
    """The real site with the content_date line taken out of its config, as an editor continuing it would, built
    for 2020-10-01 and served."""
    from helpers import copy_real_site
    from wtpfsite.commands.cli import main

    root = copy_real_site(tmp_path_factory.mktemp("no-content-date") / "site")
    config = root / "site_config.yaml"
    config.write_text(re.sub(r"(?m)^content_date:.*\n", "", config.read_text("utf-8")), encoding="utf-8")
    output = root / "output"
    url = static_server(output)
    assert main(["build", "--config", str(config), "--out", str(output), "--today", "2020-10-01",
                 "--base-url", url, "--quiet"]) == 0
    return url


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_timetable_statuses_follow_the_readers_today(context, site_without_content_date, lang):
    # on the day it was built for, the script agrees with the build
    for page in open_page(context):
        page.add_init_script(fake_today(2020, 10, 1))
        page.goto(site_without_content_date + f"{lang}/timetable/")
        periods, built_states, _ = timetable_states(page)
        periods = [tuple(p) for p in periods]
        assert built_states == expected_states(periods, "2020-10-01")
    # seven months later, the statuses move on
    for page in open_page(context):
        page.add_init_script(fake_today(2021, 5, 1))
        page.goto(site_without_content_date + f"{lang}/timetable/")
        _, states, labels = timetable_states(page)
        assert states == expected_states(periods, "2021-05-01")
        assert states != built_states
        assert states.count("next") == 1
        assert labels == [STATE_LABELS[lang][s] for s in states]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_with_a_content_date_statuses_stay_those_of_the_build_on_any_later_day(context, real_site, lang):
    # the shipped config sets content_date: the pages describe that day, whatever day they are read on
    for page in open_page(context):
        page.add_init_script(fake_today(2026, 12, 7))
        page.goto(real_site.url + f"{lang}/timetable/")
        periods, states, labels = timetable_states(page)
        assert states == expected_states([tuple(p) for p in periods], "2020-10-01")
        assert states.count("next") == 1
        assert labels == [STATE_LABELS[lang][s] for s in states]
        assert page.locator(".milestone.state-next [data-state-label]").get_attribute("class") == "state state-next"


def test_deadline_badges_follow_the_readers_today(page, real_site):
    page.add_init_script(fake_today(2030, 1, 1))
    page.goto(real_site.url + "en/drafts/")
    badges = page.locator("[data-deadline]")
    assert badges.count() > 0
    assert set(badges.all_inner_texts()) == {"Closed"}



@pytest.mark.parametrize("lang, day, expected", [
    ("en", 14, "Closes in 1 day"), ("en", 15, "Closes today"), ("en", 12, "Closes in 3 days"),
    ("zh", 14, "1天后截止"), ("zh", 15, "今天截止"),
])
def test_deadline_badges_count_the_days_in_the_pages_own_words(context, site_without_content_date, lang, day,
                                                               expected):
    """site.js takes the texts from the badge, made from the page's UI strings: plural forms and all."""
    for page in open_page(context):
        page.add_init_script(fake_today(2020, 6, day))  # draft 3's comments are due on 15 June 2020
        page.goto(site_without_content_date + f"{lang}/drafts/draft-3/")
        assert page.locator("[data-deadline]").inner_text() == expected

# ------------------------------------------------------------------------------------------ language switch

@pytest.mark.parametrize("path", ["", "about/", "drafts/", "drafts/draft-3/", "drafts/draft-3/changes/",
                                  "meetings/ieg-2/", "experts/", "timetable/", "documents/"])
def test_language_switcher_goes_to_the_same_page(page, real_site, path):
    page.goto(real_site.url + "en/" + path)
    page.locator(".language-switcher a[hreflang='zh']").click()
    page.wait_for_url(real_site.url + "zh/" + path)
    assert page.locator("html").get_attribute("lang") == "zh"
    assert page.locator(".language-switcher [aria-current='page']").inner_text() == "中文"
    page.locator(".language-switcher a[hreflang='en']").click()
    page.wait_for_url(real_site.url + "en/" + path)
    assert page.locator("html").get_attribute("lang") == "en"

