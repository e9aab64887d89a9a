"""Publishing anywhere: the real site built under a sub-path, with its links, sitemap, robots.txt,
calendars, page metadata and Pagefind search index; search failing loudly or switched off; and a
browser test that searches both languages through the served output."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar

import wtpfsite.publish.search
from helpers import build_args, copy_real_site, make_site, run_cli, tree_files, tree_hash
from wtpfsite.pipeline.build import BuildOptions, load_site
from wtpfsite.publish.linkcheck import resolve

BASE = "https://example.org/wtpf-21/"
TODAY = "2020-10-01"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def build_real(tmp_path: Path, name: str = "site") -> tuple[Path, Path]:
    root = copy_real_site(tmp_path / name)
    out = tmp_path / f"{name}-out"
    code, _, err = run_cli(["build", "--config", str(root / "site_config.yaml"), "--out", str(out),
                            "--base-url", BASE, "--today", TODAY, "--quiet"])
    assert code == 0, err
    return root, out


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> tuple[Path, Path]:
    """The project's own site (search on, as configured) built once for the module."""
    return build_real(tmp_path_factory.mktemp("publishing"))


@pytest.fixture(scope="module")
def files(real_site) -> dict[str, bytes]:
    return tree_files(real_site[1])


@pytest.fixture(scope="module")
def site(real_site):
    return load_site(BuildOptions(real_site[0] / "site_config.yaml", date.fromisoformat(TODAY),
                                  base_url=BASE)).site


class _Page(HTMLParser):
    """Every URL attribute of a page, and its <meta>/<link> elements."""

    URL_ATTRIBUTES = {("a", "href"), ("link", "href"), ("area", "href"), ("img", "src"), ("script", "src"),
                      ("source", "src"), ("iframe", "src"), ("form", "action")}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []
        self.meta: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.html_lang: str | None = None
        self.main: dict[str, str | None] | None = None
        self.forms: list[dict[str, str | None]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if (tag, name) in self.URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, value))
        if tag == "meta":
            self.meta.append({k: v or "" for k, v in attrs})
        elif tag == "link":
            self.links.append({k: v or "" for k, v in attrs})
        elif tag == "html":
            self.html_lang = values.get("lang")
        elif tag == "main":
            self.main = values
        elif tag == "form":
            self.forms.append(values)

    def meta_values(self, prop: str) -> list[str]:
        return [m.get("content", "") for m in self.meta if m.get("property") == prop or m.get("name") == prop]


def parse(files: dict[str, bytes], path: str) -> _Page:
    return _Page(files[path].decode("utf-8"))


def html_pages(files: dict[str, bytes]) -> list[str]:
    return [path for path in files if path.endswith(".html") and not path.startswith("pagefind/")]


def target_file(path: str) -> str:
    return path + "index.html" if path == "" or path.endswith("/") else path


# ------------------------------------------------------------------------------------------------ links

def test_every_link_stays_under_the_base_path_and_reaches_a_file(files):
    problems = []
    for page in html_pages(files):
        for tag, url in parse(files, page).urls:
            if url.startswith(("mailto:", "tel:", "data:")):
                continue
            if url.startswith(("http://", "https://", "//")):
                if "example.org" not in url:
                    continue  # another site
                if not url.startswith(BASE):
                    problems.append(f"{page}: <{tag}> {url} leaves the base URL")
                elif target_file(url[len(BASE):].split("#")[0].split("?")[0]) not in files:
                    problems.append(f"{page}: <{tag}> {url} leads to nothing")
                continue
            if url.startswith("/"):
                problems.append(f"{page}: <{tag}> {url} is root-relative: it ignores the base path")
                continue
            target, _ = resolve(page, url.split("?")[0])
            if target.startswith("../"):
                problems.append(f"{page}: <{tag}> {url} climbs out of the site")
            elif target not in files:
                problems.append(f"{page}: <{tag}> {url} leads to nothing")
    assert not problems, "\n".join(problems)


def test_the_link_checker_finds_nothing(files):
    from wtpfsite.publish.linkcheck import check_output_links

    assert [p.format() for p in check_output_links(files)] == []


def test_check_command_passes_with_search_on(real_site):
    code, out, err = run_cli(["check", "--config", str(real_site[0] / "site_config.yaml"), "--today", TODAY])
    assert code == 0, err


# ------------------------------------------------------------------------------------ sitemap, robots

def test_sitemap_lists_every_page_with_alternates(files, site):
    tree = ET.fromstring(files["sitemap.xml"])
    urls = tree.findall(f"{SITEMAP}url")
    locs = [u.findtext(f"{SITEMAP}loc") for u in urls]
    assert len(locs) == len(set(locs))
    assert all(loc.startswith(BASE) for loc in locs)
    for loc in locs:
        assert target_file(loc[len(BASE):]) in files, loc
    listed = {target_file(loc[len(BASE):]) for loc in locs}
    noindex = {p for p in html_pages(files) if parse(files, p).meta_values("robots") == ["noindex"]}
    assert {"en/404.html", "zh/404.html", "en/search/index.html", "zh/search/index.html"} <= noindex
    expected = {p for p in html_pages(files) if p != "index.html" and p not in noindex}
    assert expected - listed == set()
    assert listed & noindex == set(), "404 and search pages are noindex and stay out of the sitemap"
    codes = site.config.language_codes
    for url in urls:
        loc = url.findtext(f"{SITEMAP}loc")
        key = next(r.key for r in site.routes if any(BASE + site.path(r.key, c) == loc for c in codes))
        real = site.route(key).real_languages(codes)
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        if len(real) > 1:
            expected = {c: BASE + site.path(key, c) for c in real}
            if key == "home":  # the root page, which picks the language, is the home pages' x-default
                expected["x-default"] = BASE
            assert alternates == expected, loc
        else:
            assert alternates == {}, loc
    about = next(u for u in urls if u.findtext(f"{SITEMAP}loc") == BASE + "en/about/")
    assert {link.get("hreflang") for link in about.findall(f"{XHTML}link")} == {"en", "zh"}
    # the root page, the home pages' x-default, is its own canonical (not /en/'s, which would undo the x-default)
    assert f'<link rel="canonical" href="{BASE}">' in files["index.html"].decode("utf-8")


def test_robots_names_the_sitemap(files):
    text = files["robots.txt"].decode("utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in text.splitlines()


# -------------------------------------------------------------------------------------------- calendar

def _calendar(files, lang: str) -> Calendar:
    return Calendar.from_ical(files[f"{lang}/calendar.ics"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_calendar_has_one_event_per_meeting_and_per_other_milestone(files, site, lang):
    """A milestone of kind meeting that names its meeting is that meeting's event, not a second one."""
    events = _calendar(files, lang).walk("VEVENT")
    others = [m for m in site.data.milestones if not (m.kind == "meeting" and m.meeting)]
    assert len(events) == len(others) + len(site.data.meetings)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert {f"milestone-{m.id}@example.org" for m in others} | \
           {f"meeting-{m.id}@example.org" for m in site.data.meetings} == set(uids)
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and type(end) is date and end > start  # all-day, DTEND exclusive
        assert event.decoded("DTSTAMP").isoformat() == "2020-10-01T00:00:00+00:00"
        assert str(event["URL"]).startswith(BASE + lang + "/")
        assert str(event["SUMMARY"]).strip()
    starts = [(e.decoded("DTSTART"), e.decoded("DTEND"), str(e["UID"])) for e in events]
    assert starts == sorted(starts)


def _event(files, lang: str, uid: str):
    return next(e for e in _calendar(files, lang).walk("VEVENT") if str(e["UID"]) == uid)


def test_calendar_dates(files):
    meeting = _event(files, "en", "meeting-ieg-3@example.org")
    assert (meeting.decoded("DTSTART"), meeting.decoded("DTEND")) == (date(2020, 9, 14), date(2020, 9, 17))
    assert str(meeting["TRANSP"]) == "OPAQUE"
    assert str(meeting["URL"]) == BASE + "en/meetings/ieg-3/"
    assert str(meeting["SUMMARY"]) == "Third IEG meeting"
    milestone = _event(files, "en", "milestone-draft-3-release@example.org")
    assert (milestone.decoded("DTSTART"), milestone.decoded("DTEND")) == (date(2020, 4, 1), date(2020, 4, 2))
    assert str(milestone["URL"]) == BASE + "en/timetable/#draft-3-release"
    deadline = _event(files, "en", "milestone-draft-3-comments@example.org")
    assert (deadline.decoded("DTSTART"), deadline.decoded("DTEND")) == (date(2020, 6, 15), date(2020, 6, 16))


def test_calendar_month_items_span_their_months_and_say_so(files):
    month = _event(files, "en", "meeting-ieg-5@example.org")  # 2021-09
    assert (month.decoded("DTSTART"), month.decoded("DTEND")) == (date(2021, 9, 1), date(2021, 10, 1))
    assert str(month["TRANSP"]) == "TRANSPARENT"
    assert "exact date is not fixed" in str(month["DESCRIPTION"])
    assert "September 2021" in str(month["DESCRIPTION"])
    two_months = _event(files, "en", "meeting-ieg-4@example.org")  # 2021-01/2021-02
    assert (two_months.decoded("DTSTART"), two_months.decoded("DTEND")) == (date(2021, 1, 1), date(2021, 3, 1))
    december = _event(files, "en", "meeting-ieg-6@example.org")  # 2022-01
    assert (december.decoded("DTSTART"), december.decoded("DTEND")) == (date(2022, 1, 1), date(2022, 2, 1))
    zh = _event(files, "zh", "meeting-ieg-5@example.org")
    assert str(zh["SUMMARY"]) == "IEG第五次会议"
    assert "具体日期尚未确定" in str(zh["DESCRIPTION"]) and "2021年9月" in str(zh["DESCRIPTION"])
    exact = _event(files, "en", "meeting-ieg-1@example.org")
    assert "exact date" not in str(exact["DESCRIPTION"])


def test_calendar_is_linked_from_the_timetable(files):
    urls = [url for tag, url in parse(files, "en/timetable/index.html").urls if tag == "a"]
    assert "../calendar.ics" in urls


def test_calendar_month_ending_in_december():
    from wtpfsite.render.calendar import event_span
    from wtpfsite.base.dates import parse_date_spec

    assert event_span(parse_date_spec("2021-11/2021-12")) == (date(2021, 11, 1), date(2022, 1, 1))
    assert event_span(parse_date_spec("2020-02-28/2020-02-29")) == (date(2020, 2, 28), date(2020, 3, 1))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_calendar_lines_are_folded_at_75_octets_and_parse_back(files, lang):
    data = files[f"{lang}/calendar.ics"]
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)
    assert Calendar.from_ical(data).to_ical() == data


# -------------------------------------------------------------------------------------------- metadata

@pytest.mark.parametrize("path, lang, locale, alternate", [("en/about/index.html", "en", "en_GB", "zh_CN"),
                                                            ("zh/about/index.html", "zh", "zh_CN", "en_GB")])
def test_page_metadata(files, path, lang, locale, alternate):
    page = parse(files, path)
    assert page.html_lang == lang
    assert page.meta_values("description")[0].strip()
    assert page.meta_values("og:description")[0].strip()
    assert page.meta_values("og:title")[0].strip()
    assert page.meta_values("og:url") == [BASE + path.removesuffix("index.html")]
    assert page.meta_values("og:locale") == [locale]
    assert page.meta_values("og:locale:alternate") == [alternate]
    canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    assert canonical == [BASE + path.removesuffix("index.html")]
    icons = [link for link in page.links if link.get("rel") == "icon"]
    assert icons and resolve(path, icons[0]["href"])[0] in files
    hreflangs = {link["hreflang"] for link in page.links if link.get("rel") == "alternate" and "hreflang" in link}
    assert hreflangs == {"en", "zh"}


def test_alternates_only_for_real_translations(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.en.md": "---\ntitle: About\n---\nOnly in English.\n"})
    out = tmp_path / "out"
    code, _, err = run_cli(build_args(root, "--out", str(out), "--quiet"))
    assert code == 0, err
    built = tree_files(out)
    for path in ("en/about/index.html", "zh/about/index.html"):
        page = parse(built, path)
        assert page.meta_values("og:locale:alternate") == [], path
        assert not [link for link in page.links if "hreflang" in link], path
    assert parse(built, "zh/about/index.html").meta_values("og:locale") == ["zh_CN"]


def test_search_and_404_pages_are_noindex_and_not_indexed(files):
    """The latest-draft page too: it forwards to the draft at once."""
    for path in ("en/search/index.html", "zh/search/index.html", "en/404.html", "zh/drafts/latest/index.html"):
        page = parse(files, path)
        assert page.meta_values("robots") == ["noindex"], path
        assert "data-pagefind-body" not in page.main, path
    about = parse(files, "en/about/index.html")
    assert "data-pagefind-body" in about.main
    assert not about.meta_values("robots")



def test_changes_pages_and_notices_stay_out_of_the_search_index(files):
    """A redline runs deleted and inserted words together ("secondthird"), and the drafts hold the text itself; the
    notice of the day the content describes stands on every page."""
    for lang in ("en", "zh"):
        assert "data-pagefind-body" not in parse(files, f"{lang}/drafts/draft-3/changes/index.html").main
        assert "data-pagefind-body" in parse(files, f"{lang}/drafts/draft-3/index.html").main
        text = files[f"{lang}/about/index.html"].decode("utf-8")
        notices = re.findall(r'<p class="notice[^"]*"[^>]*>', text)
        assert notices and all("data-pagefind-ignore" in notice for notice in notices)


def test_states_of_the_day_stay_out_of_the_search_index(files):
    """"Past", "Next" or "Closed" say how things stood on the build's day: a search for them would find every
    timetable, not what a reader wants."""
    for lang in ("en", "zh"):
        timetable = files[f"{lang}/timetable/index.html"].decode("utf-8")
        states = re.findall(r"<span [^>]*data-state-label[^>]*>", timetable)
        badges = re.findall(r'<span class="deadline [^>]*>', files[f"{lang}/drafts/index.html"].decode("utf-8"))
        assert states and badges and all("data-pagefind-ignore" in tag for tag in states + badges)
        assert "data-pagefind-ignore" in re.search(r'<ul class="legend-list"[^>]*>', timetable)[0]

# ---------------------------------------------------------------------------------------------- search

def test_header_search_form_goes_to_the_search_page(files):
    for lang in ("en", "zh"):
        page = parse(files, f"{lang}/about/index.html")
        form = next(f for f in page.forms if f.get("role") == "search")
        assert form.get("method") == "get"
        assert resolve(f"{lang}/about/index.html", form["action"])[0] == f"{lang}/search/index.html"
        text = files[f"{lang}/about/index.html"].decode("utf-8")
        assert 'for="site-search-q"' in text and 'name="q"' in text


def test_search_page_loads_pagefind_relatively(files):
    page = parse(files, "en/search/index.html")
    assert ("script", "../../pagefind/pagefind-ui.js") in page.urls
    assert ("link", "../../pagefind/pagefind-ui.css") in page.urls
    assert page.html_lang == "en"
    assert not [f for f in page.forms if f.get("class") == "site-search"], "no second box on the search page"


def test_pagefind_indexes_each_language(files):
    entry = json.loads(files["pagefind/pagefind-entry.json"])
    assert list(entry["languages"]) == ["en", "zh"]  # sorted: the build is byte-identical
    for lang in ("en", "zh"):
        indexed = [p for p in html_pages(files) if p.startswith(f"{lang}/")
                   and "data-pagefind-body" in (parse(files, p).main or {})]
        assert f"{lang}/about/index.html" in indexed and f"{lang}/search/index.html" not in indexed
        assert entry["languages"][lang]["page_count"] == len(indexed)
    assert "pagefind/pagefind-ui.js" in files


def test_rebuild_is_byte_identical_and_knows_the_bundle(real_site, tmp_path):
    root, built = real_site
    record = json.loads((root / ".wtpfsite-cache" / "build.json").read_text("utf-8"))
    assert "pagefind/pagefind-entry.json" in record["files"]
    out = tmp_path / "out"
    shutil.copytree(built, out)
    code, _, err = run_cli(["build", "--config", str(root / "site_config.yaml"), "--out", str(out),
                            "--base-url", BASE, "--today", TODAY])
    assert code == 0, err
    assert "did not make" not in err  # the previous bundle is not reported as foreign
    assert tree_hash(out) == tree_hash(built)


def _search_site(tmp_path: Path, search: bool) -> Path:
    root = make_site(tmp_path)
    config = root / "site_config.yaml"
    text = config.read_text("utf-8").replace("search: false\n", "")
    config.write_text(text + ("" if search else "search: false\n"), "utf-8")
    return root


def test_build_fails_clearly_when_pagefind_cannot_run(tmp_path, monkeypatch):
    root = _search_site(tmp_path, search=True)
    out = tmp_path / "out"
    code, _, err = run_cli(build_args(root, "--out", str(out), "--quiet"))
    assert code == 0, err
    before = tree_hash(out)
    monkeypatch.setattr(wtpfsite.publish.search, "pagefind_binary", lambda: tmp_path / "no-such-pagefind")
    # --no-cache: an incremental build with nothing changed would reuse the index and not run Pagefind
    code, _, err = run_cli(build_args(root, "--out", str(out), "--quiet", "--no-cache"))
    assert code == 1
    assert "site_config.yaml:1:1: search index: cannot run Pagefind" in err
    assert "search: false" in err  # the way out is named
    assert "Traceback" not in err
    assert tree_hash(out) == before, "a failed build leaves the published output as it was"
    assert not list(tmp_path.glob(".staging-*"))


def test_build_fails_clearly_when_pagefind_fails(tmp_path, monkeypatch):
    root = _search_site(tmp_path, search=True)
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n", "utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(wtpfsite.publish.search, "pagefind_binary", lambda: fake)
    code, _, err = run_cli(build_args(root, "--out", str(tmp_path / "out"), "--quiet"))
    assert code == 1
    assert "search index: Pagefind failed (exit status 3): Error: something broke" in err
    assert not (tmp_path / "out").exists()


def test_search_false_builds_without_search(tmp_path, monkeypatch):
    root = _search_site(tmp_path, search=False)
    monkeypatch.setattr(wtpfsite.publish.search, "pagefind_binary", lambda: pytest.fail("Pagefind must not run"))
    out = tmp_path / "out"
    code, _, err = run_cli(build_args(root, "--out", str(out), "--quiet"))
    assert code == 0, err
    built = tree_files(out)
    assert not any(p.startswith("pagefind/") for p in built)
    home = built["en/index.html"].decode("utf-8")
    assert 'role="search"' not in home
    search_page = built["en/search/index.html"].decode("utf-8")
    assert "pagefind" not in search_page and "Search is not available" in search_page
    code, _, err = run_cli(["check", "--config", str(root / "site_config.yaml"), "--today", TODAY])
    assert code == 0, err


def test_search_option_must_be_a_boolean(tmp_path):
    root = _search_site(tmp_path, search=True)
    config = root / "site_config.yaml"
    config.write_text(config.read_text("utf-8") + "search: sometimes\n", "utf-8")
    code, _, err = run_cli(build_args(root, "--out", str(tmp_path / "out")))
    assert code == 1
    assert "'search' must be true or false" in err


# --------------------------------------------------------------------------------------------- browser

@pytest.fixture(scope="module")
def served(real_site, static_server, tmp_path_factory) -> str:
    """The built output served under /wtpf-21/ by a plain static server."""
    docroot = tmp_path_factory.mktemp("docroot")
    shutil.copytree(real_site[1], docroot / "wtpf-21")
    return static_server(docroot) + "wtpf-21/"


def _results(browser, url: str) -> tuple[list[str], str]:
    """The links of the results of a search, and the line that sums them up."""
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
        links = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.href)")
        assert not errors, errors
        return links, page.inner_text(".pagefind-ui__message")
    finally:
        context.close()


@pytest.mark.browser
def test_search_in_english_by_stem(browser, served):
    links, summary = _results(browser, served + "en/search/?q=consultation")
    assert served + "en/consultation/" in links
    assert all(link.startswith(served + "en/") for link in links), links
    assert re.fullmatch(r"\d+ results for consultation", summary), summary
    stem, _ = _results(browser, served + "en/search/?q=consult")  # "consult" finds "consultation" by its stem
    assert served + "en/consultation/" in stem


@pytest.mark.browser
def test_search_in_chinese_inside_running_text(browser, served, files):
    links, summary = _results(browser, served + "zh/search/?q=物联网")
    assert re.fullmatch(r"找到\d+个“物联网”的相关结果", summary), summary  # (no spaces, as Chinese sets none)
    expected = {served + p.removesuffix("index.html") for p in html_pages(files)
                if p.startswith("zh/") and "物联网" in files[p].decode("utf-8") and "/search/" not in p}
    assert expected and expected <= set(links)
    assert all(link.startswith(served + "zh/") for link in links), links


@pytest.mark.browser
def test_header_search_box_leads_to_results(browser, served):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(served + "en/about/")
        page.get_by_role("searchbox", name="Search the site").fill("consultation")
        page.get_by_role("button", name="Search").click()
        page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
        assert page.url.startswith(served + "en/search/?q=consultation")
        assert page.input_value(".pagefind-ui__search-input") == "consultation"
    finally:
        context.close()
