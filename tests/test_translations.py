"""The editors' and translators' workflow: translation status, `translated`, the outdated notice, `new-draft`
and `check --release`, on a small throwaway site (the real templates and string catalog, minimal content)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from wtpfsite.base.errors import ContentErrors, ErrorList
from wtpfsite.base.yamlio import load_yaml
from wtpfsite.commands.cli import main
from wtpfsite.commands.newdraft import next_title, plan_new_draft, write_new_draft, zh_number
from wtpfsite.base.yamledit import scalar
from wtpfsite.commands.translated import set_front_matter_field
from wtpfsite.content.parse import revision
from wtpfsite.pipeline.build import BuildOptions, build, load_site, read_caches

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2020-10-01"

CONFIG = """\
title: {en: Test site, zh: 测试网站}
languages:
  - code: en
    name: English
    locale: en_GB
  - code: zh
    name: 中文
    locale: zh_Hans_CN
base_url: https://example.org/ieg/
navigation: [home, about, drafts]
"""
CONFIG += "search: false\n"

ABOUT_EN = "---\ntitle: About the group\n---\n## Members\n\nExperts nominated by members.\n"
ABOUT_ZH = "---\ntitle: 关于专家组\n---\n## 成员\n\n由成员提名的专家。\n"

DRAFT = """\
---
number: {n}
title: {title}
released: {released}
comments_due: {due}
status: {status}
---
## About this draft

{text}
"""

MEETINGS = """\
meetings:
  - id: ieg-1
    number: 1
    dates: 2019-09-23/2019-09-24
    status: held
    summary:
      en: First meeting.
    discussed: [1]
    produced: [2]
"""

TIMETABLE = """\
milestones:
  - id: draft-1-release
    date: 2019-08-01
    kind: draft-release
    title: {en: First draft published, zh: 草案第一稿公布}
    draft: 1
  - id: draft-1-comments
    date: 2019-08-21
    kind: comment-deadline
    title: {en: Comments on the first draft due, zh: 草案第一稿评论截止}
    draft: 1
  - id: draft-2-release
    date: 2020-11-01
    kind: draft-release
    title: {en: Second draft published, zh: 草案第二稿公布}
    draft: 2
"""

# The timetable may name the next draft before its files exist; new-draft takes its dates from there.
NEXT_MILESTONES = """\
  - id: draft-3-release
    date: 2021-04-01
    kind: draft-release
    title: {en: Third draft published, zh: 草案第三稿公布}
    draft: 3
  - id: draft-3-comments
    date: 2021-07-15
    kind: comment-deadline
    title: {en: Comments on the third draft due, zh: 草案第三稿评论截止}
    draft: 3
"""

EXPERTS = "experts:\n  - name: Fabio Bigi\n    role: chair\n"


def make_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(ROOT / "templates", root / "templates")
    content = root / "content"
    for folder in ("pages", "drafts", "data"):
        (content / folder).mkdir(parents=True)
    shutil.copy(ROOT / "content" / "strings.yaml", content / "strings.yaml")
    files = {
        "site_config.yaml": CONFIG,
        "content/pages/index.en.md": "---\ntitle: Home\n---\nWelcome. See [the group](about.md).\n",
        "content/pages/index.zh.md": "---\ntitle: 首页\n---\n欢迎。参见[专家组](about.md)。\n",
        "content/pages/about.en.md": ABOUT_EN,
        "content/pages/about.zh.md": ABOUT_ZH,
        "content/drafts/draft-1.en.md": DRAFT.format(n=1, title="First draft (outline)", released="2019-08-01",
                                                     due="2019-08-21", status="released", text="The outline."),
        "content/drafts/draft-1.zh.md": DRAFT.format(n=1, title="草案第一稿（大纲）", released="2019-08-01",
                                                     due="2019-08-21", status="released", text="大纲。"),
        "content/drafts/draft-2.en.md": DRAFT.format(n=2, title="Draft 2 of the report", released="2020-11-01",
                                                     due="2020-12-23", status="planned", text="The second draft."),
        "content/drafts/draft-2.zh.md": DRAFT.format(n=2, title="报告草案第二稿", released="2020-11-01",
                                                     due="2020-12-23", status="planned", text="第二稿。"),
        "content/data/meetings.yaml": MEETINGS.replace("      en: First meeting.\n",
                                                       "      en: First meeting.\n      zh: 第一次会议。\n"),
        "content/data/timetable.yaml": TIMETABLE,
        "content/data/experts.yaml": EXPERTS,
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def run(root: Path, *args: str) -> int:
    return main([args[0], "--config", str(root / "site_config.yaml"), *args[1:]])


def record_all(root: Path, capsys) -> None:
    zh = sorted(str(p) for p in (root / "content").glob("*/*.zh.md"))
    assert run(root, "translated", *zh) == 0
    capsys.readouterr()


@pytest.fixture
def site(tmp_path, monkeypatch, capsys):
    """A site whose translations are all recorded as up to date; the working folder is its root."""
    root = make_site(tmp_path)
    monkeypatch.chdir(root)
    record_all(root, capsys)
    return root


def rev_of(root: Path, name: str) -> str:
    """The revision of a source file, computed from its text (title + body)."""
    text = (root / name).read_text("utf-8")
    head, body = text[4:].split("\n---\n", 1)
    title = next(line[len("title: "):] for line in head.splitlines() if line.startswith("title: "))
    return revision(title, body)


# ----------------------------------------------------------------------------------- translation status

def test_up_to_date_site_passes(site, capsys):
    assert run(site, "check", "--translations", "--today", TODAY) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "en (the original language): 4 of 4 pages and drafts, 0 missing, 0 data texts missing",
        "zh (translated from en): 4 of 4 pages and drafts, 0 missing, 0 out of date, 0 data texts missing, "
        "0 UI strings missing",
        "translations: everything is translated and up to date",
    ]


def test_missing_translation(site, capsys):
    (site / "content/pages/about.zh.md").unlink()
    (site / "content/drafts/draft-2.zh.md").unlink()
    assert run(site, "check", "--translations", "--today", TODAY) == 1
    out = capsys.readouterr().out
    assert ("zh (translated from en): 2 of 4 pages and drafts, 2 missing, 0 out of date, 0 data texts missing, "
            "0 UI strings missing") in out
    assert ("content/drafts/draft-2.en.md:1:1: missing translation: draft 2 has no zh version "
            "(content/drafts/draft-2.zh.md)\n") in out
    assert ("content/pages/about.en.md:1:1: missing translation: there is no zh version "
            "(content/pages/about.zh.md)\n") in out


def test_missing_original_is_reported_for_the_default_language(site, capsys):
    (site / "content/pages/about.en.md").unlink()
    assert run(site, "check", "--translations", "--today", TODAY) == 1
    out = capsys.readouterr().out
    assert ("content/pages/about.zh.md:1:1: missing translation: there is no en version "
            "(content/pages/about.en.md)\n") in out


def test_unrecorded_translation_is_out_of_date(tmp_path, monkeypatch, capsys):
    root = make_site(tmp_path)
    monkeypatch.chdir(root)
    assert run(root, "check", "--translations", "--today", TODAY) == 1
    out = capsys.readouterr().out
    now = rev_of(root, "content/pages/about.en.md")
    assert (f"content/pages/about.zh.md:1:1: out of date: no 'translation_of' recorded (the en original is now "
            f"{now}; once this translation matches it, run: .venv/bin/python build.py translated "
            f"content/pages/about.zh.md)\n") in out
    assert "4 out of date" in out


def test_out_of_date_after_the_original_changed_then_up_to_date_after_translated(site, capsys):
    recorded = rev_of(site, "content/pages/about.en.md")
    about_en = site / "content/pages/about.en.md"
    about_en.write_text(ABOUT_EN + "\nA new paragraph.\n", encoding="utf-8")
    now = rev_of(site, "content/pages/about.en.md")
    assert now != recorded
    assert run(site, "check", "--translations", "--today", TODAY) == 1
    out = capsys.readouterr().out
    assert (f"content/pages/about.zh.md:1:1: out of date: the en original changed since this translation "
            f"(recorded {recorded}, now {now})\n") in out
    assert "zh (translated from en): 4 of 4 pages and drafts, 0 missing, 1 out of date" in out

    before = (site / "content/pages/about.zh.md").read_bytes()
    assert run(site, "translated", "content/pages/about.zh.md") == 0
    assert capsys.readouterr().out == (f"content/pages/about.zh.md: updated translation_of: {recorded} -> {now} "
                                       f"(the current en original, content/pages/about.en.md)\n")
    after = (site / "content/pages/about.zh.md").read_bytes()
    assert after == before.replace(f"translation_of: {recorded}".encode(), f"translation_of: {now}".encode())
    assert run(site, "check", "--translations", "--today", TODAY) == 0


def test_line_ending_changes_do_not_make_a_translation_out_of_date(site, capsys):
    about_en = site / "content/pages/about.en.md"
    about_en.write_bytes(about_en.read_bytes().replace(b"\n", b"\r\n"))
    assert run(site, "check", "--translations", "--today", TODAY) == 0


def test_translated_adds_only_one_line(tmp_path, monkeypatch, capsys):
    root = make_site(tmp_path)
    monkeypatch.chdir(root)
    path = root / "content/pages/about.zh.md"
    path.write_bytes(b"\xef\xbb\xbf" + ABOUT_ZH.replace("\n", "\r\n").encode("utf-8"))
    before = path.read_bytes()
    assert run(root, "translated", "content/pages/about.zh.md") == 0
    now = rev_of(root, "content/pages/about.en.md")
    assert capsys.readouterr().out == (f"content/pages/about.zh.md: recorded translation_of: {now} "
                                       f"(the current en original, content/pages/about.en.md)\n")
    assert path.read_bytes() == before.replace(b"\r\n---\r\n", f"\r\ntranslation_of: {now}\r\n---\r\n".encode(), 1)
    assert run(root, "translated", "content/pages/about.zh.md") == 0
    assert "already records" in capsys.readouterr().out
    assert path.read_bytes() == before.replace(b"\r\n---\r\n", f"\r\ntranslation_of: {now}\r\n---\r\n".encode(), 1)


def test_translated_refuses_originals_and_other_files(site, capsys):
    assert run(site, "translated", "content/pages/about.en.md") == 2
    assert "content/pages/about.en.md is the en original, not a translation" in capsys.readouterr().err
    assert run(site, "translated", "README.md") == 2
    assert "is not a page or draft of the site" in capsys.readouterr().err


def test_set_front_matter_field_keeps_everything_else():
    text = "---\ntitle: T\ntranslation_of: 'old'   # by the tool\nstatus: x\n---\nbody\n"
    new, old = set_front_matter_field(text, "translation_of", "0123456789ab")
    assert old == "old"
    assert new == "---\ntitle: T\ntranslation_of: 0123456789ab   # by the tool\nstatus: x\n---\nbody\n"
    new, old = set_front_matter_field("---\ntitle: T\n...\nbody", "translation_of", "abc")
    assert (new, old) == ("---\ntitle: T\ntranslation_of: abc\n...\nbody", None)
    with pytest.raises(ValueError):
        set_front_matter_field("no front matter\n", "translation_of", "abc")
    with pytest.raises(ValueError):
        set_front_matter_field("---\ntitle: T\n", "translation_of", "abc")


@pytest.mark.parametrize("value, written", [
    ("0123456789ab", "0123456789ab"),
    ("012345678901", "012345678901"),  # not a YAML number: 8 and 9 are not octal digits
    ("012345670123", '"012345670123"'),  # octal
    ("123456789012", '"123456789012"'),
    ("123_45678901", '"123_45678901"'),
])
def test_revisions_that_yaml_would_read_as_numbers_are_quoted(value, written, tmp_path):
    assert scalar(value) == written
    errors = ErrorList(tmp_path)
    assert load_yaml(f"translation_of: {written}\n", tmp_path / "x.yaml", errors)["translation_of"] == value
    assert not errors


def test_data_text_missing_a_language(tmp_path, monkeypatch, capsys):
    root = make_site(tmp_path)
    monkeypatch.chdir(root)
    record_all(root, capsys)
    (root / "content/data/meetings.yaml").write_text(MEETINGS, encoding="utf-8")
    assert run(root, "check", "--translations", "--today", TODAY) == 1
    out = capsys.readouterr().out
    assert ("content/data/meetings.yaml:7:7: missing translation: meeting 'ieg-1' has no zh text for 'summary' "
            "(readers of zh see the en text)\n") in out
    assert "0 out of date, 1 data text missing" in out
    # a universal text (one string for every language) is not missing anything
    assert "Fabio Bigi" not in out


def test_the_report_of_watch_mode_follows_the_data_texts(site, tmp_path):
    """Rebuilds that keep their caches in memory, as `serve` does: the report follows a data text that loses its
    zh text and gets it back, and an edit elsewhere does not bring an old problem back."""
    options = BuildOptions(site / "site_config.yaml", date.fromisoformat(TODAY), output_dir=tmp_path / "out")
    caches = read_caches(options)
    meetings = site / "content/data/meetings.yaml"
    translated = meetings.read_text("utf-8")
    report = tmp_path / "out/en/translations/index.html"
    shown = []
    for text in (translated, MEETINGS, MEETINGS, translated):
        meetings.write_text(text, encoding="utf-8")
        (site / "content/pages/index.en.md").write_text(f"---\ntitle: Home\n---\nWelcome {len(shown)}.\n",
                                                        encoding="utf-8")
        build(options, caches=caches, later=True)
        shown.append("meetings.yaml:7" in report.read_text("utf-8"))
    assert shown == [False, True, True, False]


# ------------------------------------------------------------------------------- the notice and the page

def test_outdated_notice_in_the_built_html(site, capsys, tmp_path):
    (site / "content/pages/about.en.md").write_text(ABOUT_EN + "\nChanged.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run(site, "build", "--out", str(out), "--today", TODAY, "--quiet") == 0
    zh = (out / "zh/about/index.html").read_text("utf-8")
    assert ('<p class="notice" role="note" data-pagefind-ignore>本译文可能已过时：本页的<bdi>英语</bdi>版本在翻译后已有更新。'
            '<a href="../../en/about/" hreflang="en">阅读<bdi>英语</bdi>版本</a></p>') in zh
    for page in ("en/about/index.html", "zh/index.html", "zh/drafts/draft-1/index.html"):
        assert "本译文可能已过时" not in (out / page).read_text("utf-8")
        assert "may be out of date" not in (out / page).read_text("utf-8")

    report = (out / "zh/translations/index.html").read_text("utf-8")
    assert '<meta name="robots" content="noindex">' in report
    assert 'href="../about/"' in report and "content/pages/about.zh.md" in report
    assert (out / "en/translations/index.html").is_file()
    assert "translations" not in (out / "sitemap.xml").read_text("utf-8")
    assert "translations/" not in (out / "en/index.html").read_text("utf-8")  # not linked from the site


# ----------------------------------------------------------------------------------------------- new-draft

def plan_draft_3(root: Path) -> None:
    (root / "content/data/timetable.yaml").write_text(TIMETABLE + NEXT_MILESTONES, encoding="utf-8")
    meetings = root / "content/data/meetings.yaml"
    meetings.write_text(meetings.read_text("utf-8").replace("produced: [2]", "produced: [2, 3]"), encoding="utf-8")


def test_new_draft_scaffolding(site, capsys):
    plan_draft_3(site)
    assert run(site, "check", "--today", TODAY) == 1  # draft 3 is named but does not exist yet
    assert "content/data/timetable.yaml:21:12: no draft number 3 in content/drafts\n" in capsys.readouterr().err
    assert run(site, "new-draft") == 0
    out = capsys.readouterr().out
    assert "created content/drafts/draft-3.en.md: Draft 3 of the report\n" in out
    assert "created content/drafts/draft-3.zh.md: 报告草案第三稿\n" in out
    assert "released: 2021-04-01 (from the timetable's milestone 'draft-3-release')" in out
    assert "incorporates: ieg-1" in out
    en = (site / "content/drafts/draft-3.en.md").read_text("utf-8")
    assert en == ("---\nnumber: 3\ntitle: Draft 3 of the report\nreleased: 2021-04-01\ncomments_due: 2021-07-15\n"
                  "incorporates: ieg-1\nstatus: planned\n---\n## About this draft\n\nThe second draft.\n")
    zh = (site / "content/drafts/draft-3.zh.md").read_text("utf-8")
    now = revision("Draft 3 of the report", "## About this draft\n\nThe second draft.\n")
    assert zh == ("---\nnumber: 3\ntitle: 报告草案第三稿\nreleased: 2021-04-01\ncomments_due: 2021-07-15\n"
                  f"incorporates: ieg-1\nstatus: planned\ntranslation_of: {now}\n---\n## About this draft\n\n第二稿。\n")
    # the new files make a valid site whose translations are up to date
    assert run(site, "check", "--translations", "--today", TODAY) == 0
    assert run(site, "check", "--today", TODAY) == 0


def test_new_draft_needs_a_release_date_when_the_timetable_has_none(site, capsys):
    assert run(site, "new-draft") == 2
    assert capsys.readouterr().err == (
        "build.py new-draft: error: the timetable has no draft-release milestone for draft 3: give the release "
        "date with --released YYYY-MM-DD (or add the milestone to content/data/timetable.yaml)\n")
    assert not (site / "content/drafts/draft-3.en.md").exists()
    assert run(site, "new-draft", "--released", "2021-11-01") == 0
    out = capsys.readouterr().out
    assert "released: 2021-11-01 (from --released)" in out
    assert "to do: no comment deadline for draft 3" in out
    en = (site / "content/drafts/draft-3.en.md").read_text("utf-8")
    assert en.startswith("---\nnumber: 3\ntitle: Draft 3 of the report\nreleased: 2021-11-01\nstatus: planned\n---\n")


def test_new_draft_refuses_to_overwrite(site):
    options = BuildOptions(site / "site_config.yaml", date(2020, 10, 1))
    plan = plan_new_draft(load_site(options).site, released=date(2021, 4, 1))
    existing = site / "content/drafts/draft-3.zh.md"
    existing.write_text("mine", encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        write_new_draft(plan, lambda p: Path(p).relative_to(site).as_posix())
    assert [e.format() for e in caught.value.errors] == [
        "content/drafts/draft-3.zh.md:1:1: already exists: new-draft would make draft 3 here and never "
        "overwrites a file; nothing was created"]
    assert existing.read_text("utf-8") == "mine"
    assert not (site / "content/drafts/draft-3.en.md").exists()


@pytest.mark.parametrize("title, old, new, expected, changed", [
    ("Draft 6 of the report", 6, 7, "Draft 7 of the report", True),
    ("Sixth draft of the Secretary-General's report", 6, 7, "Seventh draft of the Secretary-General's report", True),
    ("秘书长报告草案第六稿", 6, 7, "秘书长报告草案第七稿", True),
    ("草案第九稿", 9, 10, "草案第十稿", True),
    ("草案第十稿", 10, 11, "草案第十一稿", True),
    ("Draft 16", 6, 7, "Draft 16", False),
    ("Sixth draft of the report to the sixth WTPF", 6, 7, "Seventh draft of the report to the sixth WTPF", True),
    ("提交第六届论坛的报告草案第六稿", 6, 7, "提交第六届论坛的报告草案第七稿", True),
    ("Draft 6 (6 chapters)", 6, 7, "Draft 7 (6 chapters)", True),
    ("The report", 6, 7, "The report", False),
])
def test_next_title(title, old, new, expected, changed):
    assert next_title(title, old, new) == (expected, changed)


def test_zh_numbers():
    assert [zh_number(n) for n in (1, 9, 10, 11, 20, 21, 99)] == ["一", "九", "十", "十一", "二十", "二十一", "九十九"]


def test_new_draft_without_a_number_in_the_title(site, capsys):
    for lang in ("en", "zh"):
        path = site / f"content/drafts/draft-2.{lang}.md"
        path.write_text(path.read_text("utf-8").replace("Draft 2 of the report", "The report")
                        .replace("报告草案第二稿", "报告草案"), encoding="utf-8")
    record_all(site, capsys)
    assert run(site, "new-draft", "--released", "2021-04-01") == 0
    out = capsys.readouterr().out
    assert "created content/drafts/draft-3.en.md: Draft 3 — The report\n" in out
    assert "created content/drafts/draft-3.zh.md: 草案第三稿 — 报告草案\n" in out
    assert "to do: edit the title in content/drafts/draft-3.en.md" in out


# ------------------------------------------------------------------------------------------ release check

def test_release_check_passes_on_a_finished_site(site, capsys):
    assert run(site, "check", "--release", "--today", TODAY) == 0
    assert "ready to release" in capsys.readouterr().out


def test_release_check_failures(site, capsys):
    (site / "content/pages/about.zh.md").unlink()  # missing alternate
    (site / "content/drafts/draft-1.en.md").write_text(  # makes draft-1.zh.md out of date
        DRAFT.format(n=1, title="First draft (outline)", released="2019-08-01", due="2019-08-21",
                     status="released", text="The revised outline."), encoding="utf-8")
    page = site / "templates/page.html"  # a broken link in the output
    page.write_text(page.read_text("utf-8").replace("{% block content %}",
                                                    '{% block content %}<a href="../nowhere/">x</a>'), "utf-8")
    assert run(site, "check", "--release", "--today", "2020-12-01") == 1
    err = capsys.readouterr().err.splitlines()
    recorded = (site / "content/drafts/draft-1.zh.md").read_text("utf-8").split("translation_of: ")[1][:12]
    now = rev_of(site, "content/drafts/draft-1.en.md")
    en_at, zh_at = (":".join(line.split(":")[1:3]) for line in err[4:6])  # where the template's link lands
    assert err == [
        "content/data/timetable.yaml:13:11: past release date but still planned: milestone 'draft-2-release' "
        "(2020-11-01) concerns draft 2, which is still 'planned'",
        f"content/drafts/draft-1.zh.md:1:1: out of date: the en original changed since this translation "
        f"(recorded {recorded}, now {now})",
        "content/drafts/draft-2.en.md:4:11: past release date but still planned: draft 2 was to be released on "
        "2020-11-01 (set 'status: released' in every language version once it is published, or change the date)",
        "content/pages/about.en.md:1:1: missing translation: there is no zh version (content/pages/about.zh.md)",
        f"output/en/about/index.html:{en_at}: link to '../nowhere/' leads to nothing",
        f"output/zh/about/index.html:{zh_at}: link to '../nowhere/' leads to nothing",
        "6 errors",
    ]



def test_release_check_reports_a_meeting_still_planned_after_its_dates(site, capsys):
    meetings = site / "content/data/meetings.yaml"
    meetings.write_text(meetings.read_text("utf-8").replace("status: held", "status: planned"), "utf-8")
    assert run(site, "check", "--release", "--today", "2019-09-24") == 0  # its last day: not past yet
    capsys.readouterr()
    assert run(site, "check", "--release", "--today", "2019-09-25") == 1
    assert capsys.readouterr().err == (
        "content/data/meetings.yaml:2:5: past meeting but still planned: meeting 'ieg-1' was to be held on "
        "2019-09-23/2019-09-24 (set 'status: held' once it took place, 'postponed' or 'cancelled' if it did not, "
        "or change its dates)\n1 error\n")

def test_release_check_comment_deadline_past_while_planned(site, capsys):
    for lang in ("en", "zh"):
        path = site / f"content/drafts/draft-2.{lang}.md"
        path.write_text(path.read_text("utf-8").replace("released: 2020-11-01", "released: 2020-11")
                        .replace("comments_due: 2020-12-23", "comments_due: 2020-11-15"), encoding="utf-8")
    timetable = site / "content/data/timetable.yaml"
    timetable.write_text(TIMETABLE.replace("date: 2020-11-01", "date: 2020-11"), encoding="utf-8")
    assert run(site, "check", "--release", "--today", "2020-11-20") == 1
    err = capsys.readouterr().err
    assert ("content/drafts/draft-2.en.md:5:15: past comment deadline but still planned: comments on draft 2 were "
            "due on 2020-11-15 (set 'status: released' in every language version once it is published, or change "
            "the date)\n") in err


def test_release_check_reports_a_timetable_entry_referring_to_nothing(site, capsys):
    timetable = TIMETABLE + NEXT_MILESTONES.replace("draft: 3", "draft: 9")
    (site / "content/data/timetable.yaml").write_text(timetable, encoding="utf-8")
    assert run(site, "check", "--release", "--today", TODAY) == 1
    err = capsys.readouterr().err
    assert "content/data/timetable.yaml:21:12: no draft number 9 in content/drafts\n" in err
    assert "content/data/timetable.yaml:26:12: no draft number 9 in content/drafts\n" in err
    assert run(site, "new-draft") == 1  # only the next draft (3) may be named ahead


@pytest.mark.parametrize("value, written", [
    ("关于本专家组", "关于本专家组"),  # plain, as editors write Chinese text
    ("Drafts, meetings", '"Drafts, meetings"'),  # a comma would end the value in {en: ..., zh: ...}
    ("Note: about", '"Note: about"'),
    (" padded", '" padded"'),
    ("yes", '"yes"'),  # YAML would read a boolean
    ("会\x85议", '"会\\u0085议"'),  # characters YAML reads as line breaks are escaped
    ("a\u2028b\u2029c", '"a\\u2028b\\u2029c"'),
])
def test_a_text_is_written_plain_unless_yaml_would_read_it_otherwise(value, written, tmp_path):
    assert scalar(value) == written
    errors = ErrorList(tmp_path)
    assert load_yaml(f"t: {{en: {written}, zh: x}}\n", tmp_path / "x.yaml", errors)["t"]["en"] == value
    assert not errors
