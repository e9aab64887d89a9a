"""Issue 25: what an editor meets when releasing a draft, adding a meeting, making mistakes and publishing.

Each test reproduces one finding of the issue, through the command line or the built output.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from helpers import build_args, content_errors, copy_real_site, draft, make_site, run_cli
from wtpfsite.base.plural import choose_plurals, counted
from wtpfsite.commands.cli import progress_printer
from wtpfsite.commands.livereload import Coordinator
from wtpfsite.commands.serve import DevServer, site_paths
from wtpfsite.pipeline.build import BuildOptions, build

ROOT = Path(__file__).resolve().parents[1]

TIMETABLE_OUT_OF_ORDER = """\
milestones:
  - id: draft-6-comments
    date: 2021-12-23
    kind: comment-deadline
    title: {en: Comments on draft 6 due, zh: 草案第六稿评论截止}

  - id: ieg-7-meeting
    date: 2021-11-29
    kind: meeting
    title: {en: Seventh IEG meeting, zh: IEG第七次会议}
    meeting: ieg-7

  - id: same-day-second
    date: 2022-01-10
    kind: forum
    title: {en: Same day A, zh: 同日甲}

  - id: same-day-first
    date: 2022-01-10
    kind: forum
    title: {en: Same day B, zh: 同日乙}
"""

MEETINGS = """\
meetings:
  - id: ieg-7
    number: 7
    dates: 2021-11-29/2021-11-30
    status: planned
"""


def _build(root, today="2021-11-23"):
    code, out, err = run_cli(["build", "--config", str(root / "site_config.yaml"), "--today", today, "--quiet"])
    assert code == 0, err
    return root / "output"


# -------------------------------------------------------------------- 1. the timetable's order is the dates'

def test_timetable_and_next_milestone_follow_the_dates_not_the_file(tmp_path):
    root = make_site(tmp_path, {"content/data/timetable.yaml": TIMETABLE_OUT_OF_ORDER,
                                "content/data/meetings.yaml": MEETINGS})
    out = _build(root)
    timetable = (out / "en" / "timetable" / "index.html").read_text("utf-8")
    ids = re.findall(r'<li id="([\w-]+)" class="milestone', timetable)
    assert ids == ["ieg-7-meeting", "draft-6-comments", "same-day-second", "same-day-first"]
    years = re.findall(r"<h2[^>]*>\s*(20\d\d)\s*</h2>", timetable)
    assert years == sorted(set(years)), years
    home = (out / "en" / "index.html").read_text("utf-8")
    card = home.split("card-next", 1)[1].split("</section>", 1)[0]
    shown, *later = card.split("<div data-until=")[1:]  # (the page's script shows the first not over)
    assert "Seventh IEG meeting" in shown and "Comments on draft 6" not in shown
    assert later and all(item.split(">", 1)[0].endswith(" hidden data-pagefind-ignore") for item in later)


# -------------------------------------------------------------------- 4. one calendar event per meeting

def test_a_meeting_is_one_calendar_event_with_one_title(tmp_path):
    root = make_site(tmp_path, {"content/data/timetable.yaml": TIMETABLE_OUT_OF_ORDER,
                                "content/data/meetings.yaml": MEETINGS})
    out = _build(root)
    for lang, title in (("en", "Seventh IEG meeting"), ("zh", "IEG第七次会议")):
        events = Calendar.from_ical((out / lang / "calendar.ics").read_bytes()).walk("VEVENT")
        on_the_day = [e for e in events if e.decoded("DTSTART") == date(2021, 11, 29)]
        assert [str(e["SUMMARY"]) for e in on_the_day] == [title]


# -------------------------------------------------------------------- 6. --base-url is validated

@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("url", ["www.example.org/x", "ftp://x", "https://"])
def test_a_base_url_option_that_is_no_http_url_is_a_usage_error(tmp_path, command, url):
    root = make_site(tmp_path)
    code, _, err = run_cli([command, "--config", str(root / "site_config.yaml"), "--base-url", url])
    assert code == 2
    assert "is not an absolute http(s) URL" in err and "Traceback" not in err
    assert not (root / "output").exists()


# -------------------------------------------------------------------- 10. wording

def test_check_does_not_say_it_wrote_nothing_and_counts_right(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.en.md": "---\ntitle: About\n---\n[x](nowhere.md)\n"})
    code, _, err = run_cli(["check", "--config", str(root / "site_config.yaml")])
    assert code == 1
    assert err.splitlines()[-1] == "1 error"


def test_plural_forms_follow_the_readers_language():
    assert choose_plurals("{n} {n|one=section|other=sections} changed", {"n": 1}, "en_GB") == "{n} section changed"
    assert choose_plurals("{n} {n|one=section|other=sections} changed", {"n": 3}, "en_GB") == "{n} sections changed"
    assert choose_plurals("{n} {n|one=section|other=sections}", {"n": 0}, "en_GB") == "{n} sections"
    assert choose_plurals("修改{n}节", {"n": 1}, "zh_Hans_CN") == "修改{n}节"
    assert counted(1, "data text", "data texts") == "1 data text"


def test_one_changed_section_is_singular_on_the_changes_page(tmp_path):
    root = make_site(tmp_path, {
        "content/drafts/draft-1.en.md": draft(1, "## A\n\nOne.\n\n## B\n\nTwo.\n"),
        "content/drafts/draft-2.en.md": draft(2, "## A\n\nOne, changed.\n\n## B\n\nTwo.\n", released="2020-02-10"),
    })
    out = _build(root, "2020-09-20")
    changes = (out / "en" / "drafts" / "draft-2" / "changes" / "index.html").read_text("utf-8")
    assert "1 section changed" in changes and "1 sections" not in changes


@pytest.mark.parametrize("name", ["sed5gftTe", ".#about.en.md", "about.en.md~", ".about.en.md.swp", "4913",
                                  "about.en.md___jb_tmp___", "#about.en.md#", ".~lock.timetable.yaml#"])
def test_watch_mode_ignores_editors_temporary_files(tmp_path, name):
    root = make_site(tmp_path)
    paths, _ = site_paths(BuildOptions(root / "site_config.yaml", date(2020, 9, 20)))
    assert not paths.relevant(paths.content / "pages" / name)
    assert paths.relevant(paths.content / "pages" / "about.en.md")
    assert paths.relevant(paths.content / "pages" / "sedimentation.en.md")


# -------------------------------------------------------------------- 11. the command line

@pytest.mark.parametrize("command, options", [
    ("build", ["--config", "--out", "--base-url", "--today", "--quiet", "--no-cache"]),
    ("serve", ["--config", "--out", "--host", "--port", "--today", "--quiet"]),
    ("check", ["--config", "--base-url", "--today", "--quiet"]),
    ("new-draft", ["--config", "--released", "--comments-due", "--quiet"]),
    ("translated", ["--config", "--quiet"]),
])
def test_every_option_has_help_with_its_default(command, options):
    code, out, _ = run_cli([command, "--help"])
    assert code == 0
    text = " ".join(out.split())
    for option in options:
        assert option in text
    # each option's line of the help text names its default
    entries = re.split(r"\n  (?=-)", out.split("options:", 1)[1])
    for entry in entries:
        name = entry.split()[0] if entry.split() else ""
        if name.startswith("-") and name not in ("-h,", "--translations", "--release"):
            assert "default" in " ".join(entry.split()), (command, entry)
    if command == "serve":
        assert "0 picks a free one" in text


def test_options_are_offered_only_where_they_mean_something():
    for command, absent in (("serve", "--base-url"), ("translated", "--today"), ("new-draft", "--today"),
                            ("check", "--out"), ("translated", "--out")):
        code, _, err = run_cli([command, absent, "x"])
        assert code == 2 and "unrecognized arguments" in err or "invalid" in err, (command, absent, err)


def test_quiet_after_the_command(tmp_path):
    root = make_site(tmp_path)
    code, out, err = run_cli(["build", "-q", "--config", str(root / "site_config.yaml")])
    assert (code, out) == (0, "")
    code, _, err = run_cli(["build", "-q", "--bogus"])
    assert code == 2 and err.startswith("usage: build.py build")


def test_a_port_in_use_suggests_port_zero(tmp_path):
    root = make_site(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run_cli(["serve", "--config", str(root / "site_config.yaml"), "--port", str(port)])
    assert code == 2
    assert "--port 0" in err



def test_serve_refuses_an_output_folder_that_holds_the_sources(tmp_path):
    root = make_site(tmp_path)
    code, out, err = run_cli(["serve", "--config", str(root / "site_config.yaml"), "--port", "0", "--out", str(root)])
    assert (code, out) == (2, "")
    assert err.startswith(f"build.py serve: error: refusing to build into {root.resolve()}: it holds the config file")

def test_make_serve_takes_a_port():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    result = subprocess.run(["make", "-n", "serve", "PORT=8001"], cwd=ROOT, capture_output=True, text=True)
    assert "build.py serve --port 8001" in result.stdout, makefile


# -------------------------------------------------------------------- 15. the preview's 404 page

def test_the_previews_404_page_stays_on_the_preview(tmp_path):
    root = make_site(tmp_path)
    _build(root, "2020-09-20")
    paths, languages = site_paths(BuildOptions(root / "site_config.yaml", date(2020, 9, 20)))
    assert paths.base_url == "https://example.org/site/"
    coordinator = Coordinator(lambda progress=None, changed=frozenset(): None, paths.css_only, lambda m, e: None)
    dev = DevServer(("127.0.0.1", 0), paths, coordinator, languages)
    thread = threading.Thread(target=dev.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        for target in ("/en/nothing-here/", "/nothing-here"):
            try:
                urllib.request.urlopen(dev.url.rstrip("/") + target, timeout=20)
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
                body = exc.read().decode("utf-8")
            links = re.findall(r'(?:href|src)="([^"]+)"', body)
            assert links and not [link for link in links if "example.org" in link]
            assert any(link.startswith(dev.url) and link.endswith("site.css") for link in links)
            assert dev.url + "en/" in links  # the home page, on the preview
    finally:
        coordinator.close()
        dev.shutdown()
        dev.server_close()


# -------------------------------------------------------------------- 7. without the virtual environment

def test_missing_dependencies_are_a_usage_error_that_says_how_to_install_them(tmp_path):
    root = make_site(tmp_path)
    # -S: this Python without its site-packages, as a system Python without the pinned dependencies is
    result = subprocess.run([sys.executable, "-S", str(ROOT / "build.py"), "build", "--config",
                             str(root / "site_config.yaml")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert "lacks the generator's dependencies" in result.stderr and "babel" in result.stderr
    assert "make build" in result.stderr or ".venv/bin/python build.py" in result.stderr
    assert "Traceback" not in result.stderr and "bug" not in result.stderr
    assert not (root / "output").exists()


def test_readme_runs_build_py_with_the_virtual_environments_python():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert ".venv/bin/python build.py build" in readme
    for line in readme.splitlines():  # a bare `python` works only in the activated environment, and says so
        if re.search(r"(?<![/\w])python3? build\.py", line):
            assert "activate" in line, line


# -------------------------------------------------------------------- 13. language names in the reader's language

def test_the_chinese_out_of_date_notice_names_english_in_chinese(tmp_path):
    root = make_site(tmp_path, {
        "content/pages/about.en.md": "---\ntitle: About\n---\nChanged text.\n",
        "content/pages/about.zh.md": "---\ntitle: 关于\ntranslation_of: 000000000000\n---\n正文。\n",
    })
    out = _build(root, "2020-09-20")
    zh = (out / "zh" / "about" / "index.html").read_text("utf-8")
    notice = zh.split('class="notice"', 1)[1].split("</p>", 1)[0]
    assert "<bdi>英语</bdi>版本" in notice and "English" not in notice


# -------------------------------------------------------------------- 9. no error that follows from another

def test_an_invalid_date_in_one_version_is_one_error_without_pythons_words(tmp_path):
    root = make_site(tmp_path, {
        "content/drafts/draft-1.en.md": draft(1, comments_due="2021-02-30"),
        "content/drafts/draft-1.zh.md": draft(1, comments_due="2021-02-28"),
    })
    errors = content_errors(root)
    assert len(errors) == 1, errors
    assert errors[0].startswith("content/drafts/draft-1.en.md:6:15: ")
    assert "2021-02-30" in errors[0]
    for word in ("None", "KeyError", "Traceback", "True", "False"):
        assert word not in errors[0]


def test_a_date_that_differs_between_versions_is_reported_at_its_line(tmp_path):
    root = make_site(tmp_path, {
        "content/drafts/draft-1.en.md": draft(1, comments_due="2021-02-20"),
        "content/drafts/draft-1.zh.md": draft(1),
    })
    errors = content_errors(root)
    assert errors == ["content/drafts/draft-1.zh.md:3:9: 'comments_due' differs from the en version "
                      "(draft-1.en.md: 2021-02-20)"], errors


# -------------------------------------------------------------------- 5. a YAML syntax error first, alone

def test_an_indentation_slip_is_shown_first_and_what_follows_is_held_back(tmp_path):
    root = copy_real_site(tmp_path / "site")
    meetings = root / "content" / "data" / "meetings.yaml"
    lines = meetings.read_text("utf-8").splitlines(keepends=True)
    slip = next(i for i, line in enumerate(lines) if line.startswith("      en: ") and i > 80)
    lines[slip] = lines[slip][1:]  # one space less than the line below it
    meetings.write_text("".join(lines), "utf-8")
    code, out, err = run_cli(["check", "--config", str(root / "site_config.yaml")])
    assert code == 1
    shown = err.splitlines()
    assert shown[0].startswith("content/data/meetings.yaml:") and "YAML syntax error" in shown[0]
    assert "check this line's indentation against the lines above" in shown[0]
    assert re.fullmatch(r"\d+ more errors held back until meetings\.yaml parses", shown[1]), shown
    assert shown[2:] == ["1 error"]
    assert "no meeting with id" not in err


# -------------------------------------------------------------------- 2 and 14. new-draft finishes what it starts

def test_new_draft_adds_its_milestones_to_the_timetable_keeping_the_file(tmp_path):
    root = copy_real_site(tmp_path / "site")
    timetable = root / "content" / "data" / "timetable.yaml"
    before = timetable.read_text("utf-8")
    code, out, err = run_cli(["new-draft", "--config", str(root / "site_config.yaml"),
                              "--released", "2022-02-10", "--comments-due", "2022-03-01"])
    assert code == 0, err
    assert ("added to content/data/timetable.yaml, in en, zh: milestones 'draft-7-release' (2022-02-10), "
            "'draft-7-comments' (2022-03-01)") in out
    after = timetable.read_text("utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert "  - id: draft-7-release" in added and "      zh: 草案第七稿在网上公布，征求评论" in added
    # every line of the file as it was, in its order, comments included: only the new entries are new
    kept = iter(after.splitlines())
    assert all(any(line == other for other in kept) for line in before.splitlines())
    assert before.splitlines()[0].startswith("#")
    # before the final report (2022-03-15), after the January 2022 meeting
    assert after.index("id: ieg-6-meeting") < after.index("id: draft-7-release") < after.index("id: final-report")
    out_dir = _build(root, "2022-02-05")
    zh = (out_dir / "zh" / "timetable" / "index.html").read_text("utf-8")
    assert "草案第七稿在网上公布" in zh
    home = (out_dir / "en" / "index.html").read_text("utf-8").split("card-next", 1)[1].split("</section>", 1)[0]
    assert "Draft 7 published for comments" in home
    ics = Calendar.from_ical((out_dir / "en" / "calendar.ics").read_bytes())
    assert "milestone-draft-7-comments@wtpf21-ieg.example.org" in {str(e["UID"]) for e in ics.walk("VEVENT")}


def test_new_draft_keeps_the_line_ends_and_byte_order_mark_of_the_timetable(tmp_path):
    """A timetable saved on Windows (CRLF, a byte-order mark) gets the new entries and no other changed line."""
    root = copy_real_site(tmp_path / "site")
    timetable = root / "content" / "data" / "timetable.yaml"
    before = b"\xef\xbb\xbf" + timetable.read_bytes().replace(b"\n", b"\r\n")
    timetable.write_bytes(before)
    code, out, err = run_cli(["new-draft", "--config", str(root / "site_config.yaml"), "--released", "2022-02-10"])
    assert code == 0, err
    after = timetable.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and after.count(b"\n") == after.count(b"\r\n")
    lines, kept = after.split(b"\r\n"), iter(after.split(b"\r\n"))
    assert [line for line in lines if line not in before.split(b"\r\n")][0] == b"  - id: draft-7-release"
    assert all(any(line == other for other in kept) for line in before.split(b"\r\n"))  # each old line, in order


def test_check_reports_a_released_draft_missing_from_the_timetable(tmp_path):
    root = copy_real_site(tmp_path / "site")
    code, _, err = run_cli(["new-draft", "--config", str(root / "site_config.yaml"), "--released", "2022-02-01"])
    assert code == 0, err
    timetable = root / "content" / "data" / "timetable.yaml"
    text = timetable.read_text("utf-8")
    timetable.write_text(text[:text.index("  - id: draft-7-release")] + text[text.index("  - id: final-report"):],
                         "utf-8")
    for lang in ("en", "zh"):
        path = root / "content" / "drafts" / f"draft-7.{lang}.md"
        path.write_text(path.read_text("utf-8").replace("status: planned", "status: released"), "utf-8")
    for command in ("check", "build"):  # (build publishes nothing that check refuses)
        code, _, err = run_cli([command, "--config", str(root / "site_config.yaml"), "--today", "2022-01-20"])
        assert code == 1
        assert err.splitlines()[0].startswith("content/drafts/draft-7.en.md:4:11: draft 7 is released, but its "
                                              "release date (2022-02-01) is not in the timetable")
        assert err.splitlines()[-1].startswith("1 error")


def test_a_comment_deadline_may_be_given_in_the_timetable_as_the_whole_comment_period(tmp_path):
    root = copy_real_site(tmp_path / "site")
    timetable = root / "content" / "data" / "timetable.yaml"
    text = timetable.read_text("utf-8")
    at = text.index("id: draft-3-comments")
    day = re.search(r"date: (\S+)", text[at:])[1]
    timetable.write_text(text[:at] + text[at:].replace(f"date: {day}", f"date: 2020-04-01/{day}", 1), "utf-8")
    assert run_cli(["check", "--config", str(root / "site_config.yaml")])[0] == 0


def test_new_draft_lists_what_is_left_and_warns_of_a_planned_previous_draft(tmp_path):
    root = copy_real_site(tmp_path / "site")
    code, out, err = run_cli(["new-draft", "--config", str(root / "site_config.yaml"), "--released", "2022-02-01"])
    assert code == 0, err
    lines = out.splitlines()
    assert any(re.match(r"to do: content/drafts/draft-7\.en\.md:\d+: names draft 6 or its dates \('sixth draft'\)",
                        line) for line in lines), out
    assert any(re.match(r"to do: content/drafts/draft-7\.zh\.md:\d+: .*'第六稿'", line) for line in lines), out
    assert any("'1 November 2021'" in line for line in lines) and any("'2021年11月1日'" in line for line in lines)
    assert any(line.startswith("to do: translate the changes into content/drafts/draft-7.zh.md") for line in lines)
    assert any("add the comments on draft 7 to content/data/documents.yaml" in line for line in lines)
    assert "warning: draft 6 is still 'planned'" in out
    text = (root / "content" / "drafts" / "draft-7.en.md").read_text("utf-8").splitlines()
    line = int(next(l for l in lines if "'sixth draft'" in l).split(":")[2])
    assert "sixth draft" in text[line - 1].lower()


# -------------------------------------------------------------------- 12. progress on a terminal only

def test_a_build_on_a_terminal_shows_its_stages_and_pages(tmp_path):
    root = make_site(tmp_path)
    err = io.StringIO()
    progress = progress_printer(False, err, terminal=True)
    build(BuildOptions(root / "site_config.yaml", date(2020, 9, 20)), progress, stage=progress.stage)
    shown = err.getvalue()
    assert shown.index("reading and checking the content") < shown.index("rendering the pages") \
        < shown.index("writing the output folder")
    assert re.search(r"\r  (\d+)/\1 pages\n", shown)
    assert progress_printer(False, io.StringIO(), terminal=False) is None  # logs and CI
    assert progress_printer(True, io.StringIO(), terminal=True) is None  # --quiet


def test_make_builds_its_environment_saying_so_without_deprecated_modes():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "creating the virtual environment" in makefile
    assert "compat" not in makefile and "editable_mode" not in makefile


# -------------------------------------------------------------------- 8. what changed since the translation

def test_an_out_of_date_translation_shows_what_changed_in_the_original(tmp_path):
    root = copy_real_site(tmp_path / "site")
    config = str(root / "site_config.yaml")
    code, out, err = run_cli(["translated", "--config", config, "content/pages/about.zh.md"], cwd=root)
    assert code == 0, err
    about = root / "content" / "pages" / "about.en.md"
    text = about.read_text("utf-8")
    about.write_text(text.replace("The deadline for nominations", "The closing date for nominations", 1), "utf-8")
    code, out, _ = run_cli(["check", "--config", config, "--translations"])
    assert code == 1
    assert "    -The deadline for nominations" in out and "    +The closing date for nominations" in out
    out_dir = _build(root, "2021-01-01")
    page = (out_dir / "en" / "translations" / "index.html").read_text("utf-8")
    assert '<pre class="diff"' in page and "+The closing date for nominations" in page


def test_when_the_old_original_is_not_known_the_report_says_so(tmp_path):
    root = copy_real_site(tmp_path / "site")
    about = root / "content" / "pages" / "about.en.md"
    about.write_text(about.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    code, out, _ = run_cli(["check", "--config", str(root / "site_config.yaml"), "--translations"])
    assert code == 1
    assert "is not known here" in out and "git log -p content/pages/about.en.md" in out
    page = (_build(root, "2021-01-01") / "zh" / "translations" / "index.html").read_text("utf-8")
    assert "此处无法得知原文" in page


# -------------------------------------------------------------------- 3. data texts go out of date too

def test_a_data_text_whose_original_changed_is_out_of_date_after_it_was_recorded(tmp_path):
    root = copy_real_site(tmp_path / "site")
    config = str(root / "site_config.yaml")
    meetings = root / "content" / "data" / "meetings.yaml"
    before = {path: path.read_bytes() for path in (root / "content").rglob("*") if path.is_file()}
    code, out, err = run_cli(["translated", "--config", config, "content/data/meetings.yaml",
                              "content/data/timetable.yaml#draft-1-release"], cwd=root)
    assert code == 0, err
    assert re.search(r"^content/data/meetings.yaml:11: meeting 'ieg-1': summary \(zh\): recorded revision: "
                     r"[0-9a-f]{12}$", out, re.M), out
    # the data files stay as the editors wrote them: what was recorded goes to a file of its own
    record = root / "content" / "data" / "translated.yaml"
    changed = {path for path in (root / "content").rglob("*")
               if path.is_file() and before.get(path) != path.read_bytes()}
    assert changed == {record}
    assert re.search(r"^  - \{text: timetable.yaml draft-1-release title, lang: zh, revision: [0-9a-f]{12}\}$",
                     record.read_text("utf-8"), re.M)
    code, out, _ = run_cli(["check", "--config", config, "--translations"])
    assert code == 0, out
    meetings.write_text(meetings.read_text("utf-8").replace("Sixth meeting of the Informal Expert Group, to finalize",
                        "Sixth meeting of the Informal Expert Group, in Geneva, to finalize"), "utf-8")
    code, out, _ = run_cli(["check", "--config", config, "--translations"])
    assert code == 1
    assert re.search(r"content/data/meetings\.yaml:\d+:7: out of date: the en 'summary' of meeting 'ieg-6' "
                     r"changed since its zh translation", out), out
    assert "build.py translated content/data/meetings.yaml#ieg-6.summary" in out
    assert "+Sixth meeting of the Informal Expert Group, in Geneva" in out
    assert "1 data text out of date" in out
    page = (_build(root, "2021-01-01") / "en" / "translations" / "index.html").read_text("utf-8")
    assert "in Geneva" in page and '<pre class="diff"' in page
    code, out, _ = run_cli(["translated", "--config", config, "content/data/meetings.yaml#ieg-6.summary"], cwd=root)
    assert code == 0 and "updated revision:" in out
    assert run_cli(["check", "--config", config, "--translations"])[0] == 0


def test_the_command_the_report_gives_can_be_pasted_into_a_shell(tmp_path):
    root = copy_real_site(tmp_path / "site")
    config = str(root / "site_config.yaml")
    assert run_cli(["translated", "--config", config, "content/data/documents.yaml"], cwd=root)[0] == 0
    documents = root / "content" / "data" / "documents.yaml"
    documents.write_text(documents.read_text("utf-8").replace("en: Council document C13/64(Rev.1),",
                                                              "en: ITU Council document C13/64(Rev.1),"), "utf-8")
    out = run_cli(["check", "--config", config, "--translations"])[1]
    assert "run: .venv/bin/python build.py translated 'content/data/documents.yaml#C13/64(Rev.1).title')" in out


def test_records_named_alike_are_recorded_apart(tmp_path):
    """Experts have no id: two of the same name are told apart by their count ("Wang Wei (2)")."""
    root = copy_real_site(tmp_path / "site")
    config = str(root / "site_config.yaml")
    experts = root / "content" / "data" / "experts.yaml"
    experts.write_text(experts.read_text("utf-8") + "".join(
        f"  - name: Wang Wei\n    role: member\n    country: {{en: {en}, zh: {zh}}}\n"
        for en, zh in (("China", "中国"), ("Singapore", "新加坡"))), "utf-8")
    code, out, err = run_cli(["translated", "--config", config, "content/data/experts.yaml"], cwd=root)
    assert code == 0, err
    assert "expert 'Wang Wei': country (zh): recorded" in out
    record = (root / "content" / "data" / "translated.yaml").read_text("utf-8")
    assert "text: experts.yaml Wang Wei country," in record and "text: experts.yaml Wang Wei (2) country," in record
    assert run_cli(["check", "--config", config, "--translations"])[0] == 0
    po = tmp_path / "zh.po"
    assert run_cli(["export-po", "--config", config, "zh", "--out", str(po)])[0] == 0
    code, out, err = run_cli(["import-po", "--config", config, str(po)])
    assert (code, err) == (0, "") and "0 texts changed" in out


def test_a_record_renamed_after_its_translation_was_recorded_is_reported_not_forgotten(tmp_path):
    """A document without a symbol is named by its title: a new English title leaves its record behind, which the
    report shows until the translation is recorded again."""
    root = copy_real_site(tmp_path / "site")
    config = str(root / "site_config.yaml")
    assert run_cli(["translated", "--config", config, "content/data/documents.yaml"], cwd=root)[0] == 0
    documents = root / "content" / "data" / "documents.yaml"
    documents.write_text(documents.read_text("utf-8").replace(
        "Report of the Secretary-General to Council: preparations", "Report of the Secretary-General to the Council: "
        "preparations"), "utf-8")
    code, out, _ = run_cli(["check", "--config", config, "--translations"])
    lost = [line for line in out.splitlines() if "has no text of that name any more" in line]
    assert code == 1 and len(lost) == 2, out  # its title and its source
    assert lost[0].startswith("content/data/translated.yaml:") and "out of date: the zh translation recorded for " \
        "'documents.yaml Report of the Secretary-General to Council: preparations" in lost[0]
    assert "1 data text out of date" not in out and "2 data texts out of date" in out
    page = (_build(root, "2021-01-01") / "zh" / "translations" / "index.html").read_text("utf-8")
    assert "所记录的文本已不在原处" in page
    assert run_cli(["translated", "--config", config, "content/data/documents.yaml"], cwd=root)[0] == 0
    assert run_cli(["check", "--config", config, "--translations"])[0] == 0
    assert "to Council: preparations" not in (root / "content" / "data" / "translated.yaml").read_text("utf-8")


def test_a_data_file_s_own_texts_are_translated_like_its_records(tmp_path):
    """experts.yaml's `nominated` is a text of the file, not of a record: reported, exported and recorded too."""
    root = copy_real_site(tmp_path / "site")
    config = str(root / "site_config.yaml")
    experts = root / "content" / "data" / "experts.yaml"
    text = experts.read_text("utf-8")
    experts.write_text(re.sub(r"\n  zh: [^\n]*(\n    [^\n]*)*", "", text, count=1), "utf-8")
    code, out, _ = run_cli(["check", "--config", config, "--translations"])
    assert code == 1 and re.search(r"content/data/experts\.yaml:5:3: missing translation: experts\.yaml has no zh "
                                   r"text for 'nominated'", out), out
    experts.write_text(text, "utf-8")
    po = tmp_path / "zh.po"
    assert run_cli(["export-po", "--config", config, "zh", "--out", str(po)])[0] == 0
    assert 'msgctxt "experts.yaml nominated"' in po.read_text("utf-8")
    code, out, err = run_cli(["translated", "--config", config, "content/data/experts.yaml#nominated"], cwd=root)
    assert code == 0 and re.fullmatch(r"content/data/experts.yaml:5: experts.yaml: nominated \(zh\): recorded "
                                      r"revision: [0-9a-f]{12}\n", out), out


def test_a_ui_string_whose_original_changed_is_out_of_date_after_it_was_recorded(tmp_path):
    root = copy_real_site(tmp_path / "site")
    config = str(root / "site_config.yaml")
    code, out, err = run_cli(["translated", "--config", config, "content/strings.yaml#nav.about"], cwd=root)
    assert code == 0, err
    assert re.fullmatch(r"content/strings.yaml:\d+: UI string 'nav.about' \(zh\): recorded revision: [0-9a-f]{12}\n",
                        out), out
    strings = root / "content" / "strings.yaml"
    strings.write_text(strings.read_text("utf-8").replace("nav.about: {en: About the IEG,",
                                                          "nav.about: {en: About the group,"), "utf-8")
    code, out, _ = run_cli(["check", "--config", config, "--translations"])
    assert code == 1 and "0 UI strings missing, 1 UI string out of date" in out
    assert re.search(r"content/strings\.yaml:\d+:1: out of date: the en text of UI string 'nav.about' changed since "
                     r"its zh translation .*build.py translated content/strings.yaml#nav.about\)", out), out
    assert "    -About the IEG" in out and "    +About the group" in out
    page = (_build(root, "2021-01-01") / "zh" / "translations" / "index.html").read_text("utf-8")
    assert "缺少此语言或已过时的界面文字" in page and "+About the group" in page
    code, out, err = run_cli(["translated", "--config", config, "content/strings.yaml#nav.abut"], cwd=root)
    assert (code, err) == (2, "build.py translated: error: content/strings.yaml has no translated text for "
                              "'nav.abut'\n")


def test_translated_reports_a_data_file_that_is_not_utf8_at_its_path(tmp_path):
    root = copy_real_site(tmp_path / "site")
    meetings = root / "content" / "data" / "meetings.yaml"
    meetings.write_bytes(meetings.read_bytes() + b"# caf\xe9\n")
    before = meetings.read_bytes()
    code, _, err = run_cli(["translated", "--config", str(root / "site_config.yaml"), "content/data/meetings.yaml"],
                           cwd=root)
    assert code == 1
    line = meetings.read_bytes().count(b"\n")
    assert err.splitlines()[0] == f"content/data/meetings.yaml:{line}:6: not valid UTF-8: byte 0xe9 at offset " \
        f"{len(before) - 2} (save the file as UTF-8 in your editor)"
    assert "Traceback" not in err and meetings.read_bytes() == before
    about = root / "content" / "pages" / "about.zh.md"
    about.write_bytes(about.read_bytes().replace(b"---\n", b"---\n\xff", 1))
    code, _, err = run_cli(["translated", "--config", str(root / "site_config.yaml"), "content/pages/about.zh.md"],
                           cwd=root)
    assert code == 1 and err.splitlines()[0] == ("content/pages/about.zh.md:2:1: not valid UTF-8: byte 0xff at "
                                                 "offset 4 (save the file as UTF-8 in your editor)")


def test_translated_writes_nothing_when_a_later_data_path_is_wrong(tmp_path):
    root = copy_real_site(tmp_path / "site")
    data = root / "content" / "data"
    before = {path.name: path.read_bytes() for path in data.iterdir()}
    code, _, err = run_cli(["translated", "--config", str(root / "site_config.yaml"), "content/data/meetings.yaml",
                            "content/data/timetable.yaml#no-such-milestone"], cwd=root)
    assert code == 2 and "has no translated text for 'no-such-milestone'" in err
    assert {path.name: path.read_bytes() for path in data.iterdir()} == before


def test_the_preview_counts_errors_like_the_command_line(tmp_path):
    from wtpfsite.base.errors import ContentErrors, SiteError
    from wtpfsite.commands.livereload import LIVE_RELOAD_JS

    errors = [SiteError("content/data/meetings.yaml", 3, 1, "YAML syntax error: x", syntax=True)] + [
        SiteError("content/data/timetable.yaml", n, 1, "no meeting", follows_from="content/data/meetings.yaml")
        for n in (1, 2)] + [SiteError("content/pages/a.en.md", 1, 1, "one"),
                            SiteError("content/pages/b.en.md", 1, 1, "two")]

    def failing(progress=None, changed=frozenset()):
        raise ContentErrors(errors)

    logged = []
    coordinator = Coordinator(failing, lambda changed: False, lambda message, is_error: logged.append(message))
    state = coordinator.rebuild()
    coordinator.close()
    assert state.errors[-1] == "2 more errors held back until meetings.yaml parses"
    assert logged[-1] == "3 errors; still serving the last good build"
    assert "error(s)" not in LIVE_RELOAD_JS and '" errors"' in LIVE_RELOAD_JS


def test_references_to_a_draft_whose_front_matter_does_not_parse_are_held_back(tmp_path):
    root = make_site(tmp_path, {
        "content/drafts/draft-1.en.md": "---\ntitle: Draft 1\nnumber: 1\n released: 2020-01-10\nstatus: released\n"
                                        "---\nText.\n",
        "content/data/timetable.yaml": "milestones:\n  - id: d1\n    date: 2020-01-10\n    kind: draft-release\n"
                                       "    title: {en: Draft 1, zh: 草案第一稿}\n    draft: 1\n",
    })
    code, _, err = run_cli(["check", "--config", str(root / "site_config.yaml")])
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("content/drafts/draft-1.en.md:4:") and "YAML syntax error" in lines[0]
    assert "1 more error held back until draft-1.en.md parses" in lines
    assert "no draft number" not in err


def test_a_meeting_record_that_does_not_read_holds_back_the_references_to_it(tmp_path):
    """The record's own error is the root cause: the documents, milestones and drafts that name the meeting are not
    reported as naming nothing."""
    root = copy_real_site(tmp_path / "site")
    meetings = root / "content" / "data" / "meetings.yaml"
    text = meetings.read_text("utf-8")
    at = text.index("  - id: ieg-3")
    dates = text.index("    dates: ", at)
    line = text.count("\n", 0, dates) + 1
    meetings.write_text(text[:dates] + "    dates: 2020-02-30" + text[text.index("\n", dates):], "utf-8")
    code, _, err = run_cli(build_args(root))
    assert code == 1
    assert err == (f"content/data/meetings.yaml:{line}:12: 'dates': '2020-02-30' is not a real date (2020-02-30 does "
                   f"not exist)\n1 error; nothing was written\n")


def test_a_data_file_that_is_not_utf8_holds_back_the_references_to_it(tmp_path):
    root = copy_real_site(tmp_path / "site")
    meetings = root / "content" / "data" / "meetings.yaml"
    meetings.write_bytes(meetings.read_bytes().replace(b"meetings:", b"meetings: # caf\xe9", 1))
    code, _, err = run_cli(build_args(root))
    lines = err.splitlines()
    assert code == 1 and "no meeting with id" not in err
    assert lines[0].startswith("content/data/meetings.yaml:") and "not valid UTF-8" in lines[0]
    assert re.fullmatch(r"\d+ more errors held back until meetings\.yaml parses", lines[1])
    assert lines[2:] == ["1 error; nothing was written"]
