"""The content date (`content_date` in site_config.yaml): the day a site that tells of a past moment describes.
It is the default of --today, the pages say which day they describe and keep that day's statuses, and the shipped
site builds and passes the release check on a fresh copy on any later day. Also what the shipped pages say of the
proposed timetable, and the hreflang links answering one another."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from icalendar import Calendar

from helpers import CONFIG, assert_build_fails, copy_real_site, make_site, run_cli, tree_files

NOTICE_EN = "These pages describe the preparations as they stood on 17 September 2020"
NOTICE_ZH = "本网站介绍截至2020年9月17日的筹备情况"


def _build(root, *extra: str) -> dict[str, bytes]:
    code, out, err = run_cli(["build", "--config", str(root / "site_config.yaml"), "--quiet", *extra])
    assert code == 0, err
    return tree_files(root / "output")


def _html(files, path: str) -> str:
    return files[path].decode("utf-8")


def _content_day(html: str) -> str | None:
    match = re.search(r'<html [^>]*data-content-date="([0-9-]+)"', html)
    return match.group(1) if match else None


# ------------------------------------------------------------------------------------------------ the setting

def test_content_date_is_the_default_of_today_and_the_pages_say_so(tmp_path):
    root = make_site(tmp_path, {"site_config.yaml": CONFIG + "content_date: 2020-09-17\n"})
    files = _build(root)
    home = _html(files, "en/index.html")
    assert _content_day(home) == "2020-09-17"
    assert NOTICE_EN in home
    assert NOTICE_ZH in _html(files, "zh/index.html")


def test_today_given_on_the_command_line_wins_over_the_content_date(tmp_path):
    root = make_site(tmp_path, {"site_config.yaml": CONFIG + "content_date: 2020-09-17\n"})
    files = _build(root, "--today", "2020-10-01")
    assert _content_day(_html(files, "en/index.html")) == "2020-10-01"
    assert "as they stood on 1 October 2020" in _html(files, "en/index.html")


def test_without_a_content_date_the_pages_follow_the_readers_today(tmp_path):
    root = make_site(tmp_path)
    files = _build(root, "--today", "2020-10-01")
    home = _html(files, "en/index.html")
    assert _content_day(home) is None
    assert "as they stood on" not in home


@pytest.mark.parametrize("value, message", [
    ("2020-09", "'content_date' must be one day such as 2020-09-16, not '2020-09'"),
    ("2020-09-14/2020-09-16", "'content_date' must be one day such as 2020-09-16, not '2020-09-14/2020-09-16'"),
    ("2020-02-30", "'content_date': '2020-02-30' is not a real date (2020-02-30 does not exist)"),
])
def test_a_content_date_that_is_not_one_day_is_an_error_at_its_line(tmp_path, value, message):
    line = CONFIG.count("\n") + 1
    assert_build_fails(tmp_path, {"site_config.yaml": CONFIG + f"content_date: {value}\n"},
                       [f"site_config.yaml:{line}:15: {message}"])


# ------------------------------------------------------------------------------------- the shipped site

@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    """The project's own site as a fresh clone has it, built with no --today (so: for its content date)."""
    root = copy_real_site(tmp_path_factory.mktemp("fresh") / "site")
    return root, _build(root)


def test_a_fresh_clone_passes_the_release_check_on_any_later_day(fresh_clone):
    root, _ = fresh_clone
    code, out, err = run_cli(["check", "--config", str(root / "site_config.yaml"), "--release"])
    assert (code, err) == (0, ""), err
    assert "ready to release" in out


@pytest.mark.parametrize("lang, notice", [("en", NOTICE_EN), ("zh", NOTICE_ZH)])
def test_the_shipped_pages_say_which_day_they_describe(fresh_clone, lang, notice):
    _, files = fresh_clone
    for path in (f"{lang}/index.html", f"{lang}/timetable/index.html", f"{lang}/meetings/ieg-4/index.html"):
        assert notice in _html(files, path), path
        assert _content_day(_html(files, path)) == "2020-09-17"


CAVEAT = {"en": "From the draft revised timetable presented to the third IEG meeting. The members did not agree",
          "zh": "日期取自向IEG第三次会议介绍的修订时间表草案。成员们未能就该时间表达成一致"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dates_from_the_proposed_timetable_carry_the_caveat(fresh_clone, lang):
    _, files = fresh_clone
    home = _html(files, f"{lang}/index.html")
    card = home[home.index('class="card card-next"'):]
    card = card[:card.index("</section>")]
    assert CAVEAT[lang] in card  # the next milestone after the content date is the fourth draft, a proposal
    for number in (4, 5, 6):
        assert CAVEAT[lang] in _html(files, f"{lang}/meetings/ieg-{number}/index.html")
    for number in (1, 2, 3):
        assert CAVEAT[lang] not in _html(files, f"{lang}/meetings/ieg-{number}/index.html")
    timetable = _html(files, f"{lang}/timetable/index.html")
    assert ("did not agree" if lang == "en" else "未能就这一修订时间表达成一致") in timetable
    proposed = re.findall(r'<li id="([a-z0-9-]+)" class="milestone[^"]*"[^>]*>\s*<p class="milestone-date">'
                          r'.*?<span class="proposed">', timetable)
    assert "draft-4-release" in proposed and "forum" in proposed and "ieg-3-meeting" not in proposed


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_calendar_events_of_the_proposed_timetable_say_so(fresh_clone, lang):
    _, files = fresh_clone
    events = {str(e.get("uid")).split("@")[0]: str(e.get("description"))
              for e in Calendar.from_ical(files[f"{lang}/calendar.ics"]).walk("VEVENT")}
    flat = {uid: " ".join(text.split()) for uid, text in events.items()}
    for uid in ("milestone-draft-4-release", "milestone-forum", "meeting-ieg-4", "meeting-ieg-6"):
        assert CAVEAT[lang] in flat[uid], uid
    for uid in ("milestone-draft-1-release", "meeting-ieg-3"):  # (a meeting milestone is its meeting's event)
        assert CAVEAT[lang] not in flat[uid], uid


def test_documents_show_no_languages_column_the_data_does_not_support(fresh_clone):
    _, files = fresh_clone
    for lang, header in (("en", ">Languages<"), ("zh", ">语文<")):
        page = _html(files, f"{lang}/documents/index.html")
        assert header not in page
    page = _html(files, "en/documents/index.html")
    assert "Report of the Secretary-General to Council" in page
    assert page.count('<span class="no-symbol">no symbol given</span>') == 2


def test_the_experts_page_gives_the_number_nominated_and_the_published_list(fresh_clone):
    _, files = fresh_clone
    page = _html(files, "en/experts/index.html")
    assert "More than 140 experts have been nominated" in page
    assert 'href="https://www.itu.int/en/wtpf-21/Documents/IEG-WTPF-21-nominated-experts.pdf"' in page
    assert "获提名的专家已超过140位" in _html(files, "zh/experts/index.html")


def test_the_feed_names_the_itu_secretariat(fresh_clone):
    _, files = fresh_clone
    assert "<name>ITU secretariat</name>" in _html(files, "en/feed.xml")
    assert "<name>国际电联秘书处</name>" in _html(files, "zh/feed.xml")


# ------------------------------------------------------------------------------------------------ hreflang

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[a["hreflang"]] = a["href"]
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]


def test_every_hreflang_link_is_answered(fresh_clone):
    root, files = fresh_clone
    base = "https://wtpf21-ieg.example.org/"
    pages = {}
    for path, data in files.items():
        if path.endswith(".html") and not path.startswith("pagefind/"):
            parser = _Links()
            parser.feed(data.decode("utf-8"))
            url = base + (path[:-len("index.html")] if path.endswith("index.html") else path)
            pages[url] = parser.alternates
    assert pages[base]["x-default"] == base
    checked = 0
    for url, alternates in pages.items():
        for lang, target in alternates.items():
            assert target in pages, (url, lang, target)
            assert url in pages[target].values(), f"{target} does not link back to {url}"
            checked += 1
    assert pages[base + "en/"]["x-default"] == base and pages[base + "zh/"]["x-default"] == base
    assert checked > 40


def test_deadline_badges_count_down_in_each_languages_words_and_only_for_drafts_that_are_out(tmp_path):
    root = copy_real_site(tmp_path / "site")
    out = tmp_path / "out"
    for today, en, zh in (("2020-06-14", "Closes in 1 day", "1天后截止"), ("2020-06-15", "Closes today", "今天截止"),
                          ("2020-06-12", "Closes in 3 days", "3天后截止")):
        assert run_cli(["build", "--config", str(root / "site_config.yaml"), "--today", today, "--out", str(out),
                        "--quiet"])[0] == 0
        for lang, text in (("en", en), ("zh", zh)):
            html = (out / lang / "drafts" / "draft-3" / "index.html").read_text("utf-8")
            assert re.search(rf'<span class="deadline deadline-closing" data-deadline="2020-06-15" '
                             rf'data-labels="[^"]*" data-pagefind-ignore>{text}</span>', html), (today, lang)
    consultation = (out / "en" / "consultation" / "index.html").read_text("utf-8")
    fourth = next(line for line in consultation.splitlines() if "on the fourth draft" in line)
    # the fourth draft is not out: its deadline waits, hidden, for the page's script to show it from its release
    assert '<span class="proposed">proposed</span>' in fourth
    assert re.search(r'<span class="deadline [^>]* data-from="2020-11-01" hidden>', fourth), fourth


def test_the_meetings_to_come_are_listed_the_next_first(tmp_path):
    root = copy_real_site(tmp_path / "site")
    out = tmp_path / "out"
    assert run_cli(["build", "--config", str(root / "site_config.yaml"), "--out", str(out), "--quiet"])[0] == 0
    listing = (out / "en" / "meetings" / "index.html").read_text("utf-8")
    planned, held = listing.split('id="held"', 1)
    assert re.findall(r'href="ieg-(\d)/"', planned) == ["4", "5", "6"]
    assert re.findall(r'href="ieg-(\d)/"', held) == ["3", "2", "1"]


def _without_content_date(tmp_path):
    root = copy_real_site(tmp_path / "site")
    config = root / "site_config.yaml"
    config.write_text(re.sub(r"\ncontent_date: [^\n]*", "", config.read_text("utf-8")), "utf-8")
    return root


@pytest.mark.browser
def test_a_page_built_earlier_shows_a_later_day_as_a_build_of_that_day_does(tmp_path, browser, static_server):
    """Without content_date the pages follow the reader's today: the home page's next milestone and the
    consultation page's deadlines, in a page built on 2020-10-01 and read on 2021-06-01, are those a build of
    2021-06-01 shows."""
    root = _without_content_date(tmp_path)
    earlier, later = tmp_path / "earlier", tmp_path / "later"
    for out, day in ((earlier, "2020-10-01"), (later, "2021-06-01")):
        assert run_cli(["build", "--config", str(root / "site_config.yaml"), "--out", str(out), "--today", day,
                        "--quiet"])[0] == 0
    url = static_server(earlier)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.clock.set_fixed_time("2021-06-01T10:00:00")
        for path, selector in (("en/", ".card-next > div:not([hidden])"),
                               ("en/consultation/", ".deadline-list .deadline:not([hidden])")):
            page.goto(url + path)
            shown = page.locator(selector).all_inner_texts()
            built = (later / path / "index.html").read_text("utf-8")
            expected = [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(
                r'<div data-until="[^"]*">(.*?)</div>' if path == "en/" else
                r'<span class="deadline [^"]*" data-deadline[^>]*?(?<! hidden)>([^<]*)</span>', built, re.S)]
            assert shown and [" ".join(text.split()) for text in shown] == [" ".join(text.split()) for text in expected]
    finally:
        context.close()
