"""Right to left in a real browser, and the web standards on the Arabic and French pages.

The project's own site is built with Arabic and French added to its config (everything in them borrowed from
English), served, and looked at in Chromium at 360 and 1280 px: the Arabic layout is the English one mirrored
(header, navigation, cards, timeline, tables, notices, the language switcher), and nothing overflows. Full-page
screenshots go to tmp (or to $WTPF_SCREENSHOTS when set, to look at them). axe and the Nu HTML Checker are run
as in tests/test_standards.py, on the Arabic and French pages of that site and of the six-language fixture.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BuiltSite, skip_or_fail
from helpers import copy_real_site, run_cli
from test_languages import copy_six
from test_standards import PAGE_KINDS, axe_page, checkers, format_violations, run_axe  # noqa: F401 (fixtures)

TODAY = "2020-10-01"
ADDED = ("  - code: ar\n    name: العربية\n    locale: ar\n"
         "  - code: fr\n    name: Français\n    locale: fr_FR\n")
WIDTHS = (360, 1280)


@pytest.fixture(scope="module")
def site(tmp_path_factory, static_server) -> BuiltSite:
    """The real site with Arabic and French added, built for TODAY and served locally."""
    root = copy_real_site(tmp_path_factory.mktemp("rtl") / "site")
    config = root / "site_config.yaml"
    config.write_text(config.read_text("utf-8").replace("    locale: zh_Hans_CN\n",
                                                        "    locale: zh_Hans_CN\n" + ADDED), "utf-8")
    output = root / "output"
    url = static_server(output)
    code, out, err = run_cli(["build", "--config", str(config), "--today", TODAY, "--base-url", url, "--quiet"])
    assert code == 0, err
    return BuiltSite(output, url)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ["WTPF_SCREENSHOTS"]) if os.environ.get("WTPF_SCREENSHOTS") else \
        tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser, url: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(url)
    return context, page


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def right(b: dict) -> float:
    return b["x"] + b["width"]


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_the_arabic_header_and_navigation_mirror_the_english(browser, site, screenshots, width):
    for lang in ("ar", "en"):
        context, page = open_page(browser, site.url + f"{lang}/", width)
        try:
            page.screenshot(path=str(screenshots / f"{lang}-home-{width}.png"), full_page=True)
            assert page.evaluate("document.dir") == ("rtl" if lang == "ar" else "ltr")
            title, first, second = box(page, ".site-title"), box(page, ".site-nav li"), \
                box(page, ".site-nav li:nth-child(2)")
            row = box(page, ".header-row")
            assert no_overflow(page), f"{lang} at {width} px scrolls sideways"
            if lang == "ar":  # the title starts at the right, the navigation runs right to left
                assert right(title) > right(row) - 40
                assert right(first) > right(second)
                assert style(page, ".notice", "border-right-width") == "4px"
                assert style(page, ".notice", "border-left-width") == "0px"
            else:
                assert title["x"] < row["x"] + 40
                assert first["x"] < second["x"]
                assert style(page, ".notice", "border-left-width") == "4px" if page.locator(".notice").count() \
                    else True
            switcher = box(page, ".language-switcher")
            if width == 1280:  # one row: the switcher at the far end from the title
                assert (switcher["x"] < title["x"]) == (lang == "ar")
        finally:
            context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_the_arabic_timeline_tables_and_cards_mirror(browser, site, screenshots, width):
    for path, name in (("timetable/", "timetable"), ("documents/", "documents"), ("drafts/", "drafts"),
                       ("drafts/draft-3/changes/", "changes"), ("about/", "about")):
        context, page = open_page(browser, site.url + f"ar/{path}", width)
        try:
            page.screenshot(path=str(screenshots / f"ar-{name}-{width}.png"), full_page=True)
            assert no_overflow(page), f"ar/{path} at {width} px scrolls sideways"
            if name == "timetable":
                assert style(page, ".milestones", "border-right-width") == "3px"
                assert style(page, ".milestones", "border-left-width") == "0px"
                line, dot = box(page, ".milestones"), box(page, ".milestone")
                assert right(dot) <= right(line) + 1
            if name in ("documents", "drafts"):
                headers = page.locator("thead th")
                first, last = headers.first.bounding_box(), headers.last.bounding_box()
                assert first["x"] > last["x"], "the first column is not at the right"
                assert style(page, "thead th", "text-align") in ("start", "right")
            if name == "changes":  # the page is right to left, the borrowed English redline left to right
                assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
                assert page.eval_on_selector(".diff", "e => getComputedStyle(e).direction") == "ltr"
                assert page.eval_on_selector(".diff .change-tag", "e => getComputedStyle(e).direction") == "rtl"
            if name == "about":  # borrowed English text: left to right inside the right-to-left page
                assert page.eval_on_selector(".prose", "e => getComputedStyle(e).direction") == "ltr"
        finally:
            context.close()
    context, page = open_page(browser, site.url + "ar/", width)
    try:
        cards = page.locator(".card")
        if width == 1280 and cards.count() > 1:
            one, two = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
            if abs(one["y"] - two["y"]) < 2:
                assert one["x"] > two["x"], "the cards do not run right to left"
    finally:
        context.close()


# ------------------------------------------------------------------------------------------------ standards


@pytest.mark.browser
def test_the_arabic_pager_arrows_point_the_way_their_links_lie(browser, site):
    """In Arabic the previous draft's link stands on the right: its arrow points right, the next one's left."""
    context, page = open_page(browser, site.url + "ar/drafts/draft-2/", 1280)
    try:
        previous, following = box(page, ".pager a[rel=prev]"), box(page, ".pager a[rel=next]")
        assert previous["x"] > following["x"]
        assert style(page, ".pager a[rel=prev] .arrow", "transform") == "matrix(-1, 0, 0, 1, 0, 0)"
        assert page.locator(".pager a[rel=prev]").inner_text().startswith("←")  # the character, mirrored by CSS
    finally:
        context.close()
    context, page = open_page(browser, site.url + "en/drafts/draft-2/", 1280)
    try:
        assert style(page, ".pager a[rel=prev] .arrow", "transform") == "none"
    finally:
        context.close()

@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_wcag_violations_in_arabic_and_french(axe_page, checkers, site, kind, lang):  # noqa: F811
    axe_page.goto(site.url + f"{lang}/{PAGE_KINDS[kind]}")
    if kind == "drafts-latest":
        axe_page.wait_for_url(lambda url: "/drafts/draft-" in url)
        axe_page.wait_for_load_state()
    violations = run_axe(axe_page, checkers.axe)
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {axe_page.url}:\n" + format_violations(violations)


@pytest.fixture(scope="module")
def six(tmp_path_factory, static_server) -> BuiltSite:
    """The six-language fixture (its home page and first draft have Arabic and French text), built and served."""
    root = copy_six(tmp_path_factory.mktemp("six-served"))
    code, out, err = run_cli(["build", "--config", str(root / "site_config.yaml"), "--today", TODAY, "--quiet"])
    assert code == 0, err
    return BuiltSite(root / "output", static_server(root / "output"))


@pytest.mark.browser
@pytest.mark.parametrize("path", ["ar/", "ar/drafts/draft-1/", "ar/about/", "fr/", "fr/drafts/draft-1/"])
def test_no_wcag_violations_on_translated_pages(axe_page, checkers, six, path):  # noqa: F811
    axe_page.goto(six.url + path)
    violations = run_axe(axe_page, checkers.axe)
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {axe_page.url}:\n" + format_violations(violations)


@pytest.mark.validator
def test_arabic_and_french_html_is_valid(checkers, site, tmp_path):  # noqa: F811
    if checkers.vnu is None:
        skip_or_fail(checkers.problem)
    six = copy_six(tmp_path)
    code, out, err = run_cli(["build", "--config", str(six / "site_config.yaml"), "--today", TODAY, "--quiet"])
    assert code == 0, err
    folders = [site.output / "ar", site.output / "fr", six / "output" / "ar", six / "output" / "fr"]
    result = subprocess.run([shutil.which("java") or "java", "-jar", str(checkers.vnu), "--errors-only",
                             "--skip-non-html", "--format", "json", *map(str, folders)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert sum(len(list(folder.rglob("*.html"))) for folder in folders) > 40
    report = "\n".join(f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']}" for m in errors[:50])
    assert not errors, f"vnu found {len(errors)} error(s):\n{report}"
