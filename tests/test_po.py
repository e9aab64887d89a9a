"""Translators' PO files on the six-language fixture: export, fill in, import, build; fuzzy marks for
translations whose original changed; stale entries and mismatched placeholders refused with path:line errors
and nothing written; comments and layout of strings.yaml and the data files kept."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from helpers import ROOT, copy_real_site, run_cli
from test_languages import copy_six

TODAY = "2020-10-01"


@pytest.fixture
def site(tmp_path) -> Path:
    return copy_six(tmp_path)


def cli(site: Path, *args: str) -> tuple[int, str, str]:
    today = ["--today", TODAY] if args[0] in ("build", "check") else []  # (export-po and import-po have no --today)
    return run_cli([args[0], "--config", str(site / "site_config.yaml"), *today, *args[1:]])


def export(site: Path, lang: str = "ar") -> Path:
    po = site / f"{lang}.po"
    code, out, err = cli(site, "export-po", lang, "--out", str(po))
    assert code == 0, err
    return po


def fill(po: Path, translate) -> None:
    """Give each entry the text `translate(context, msgid, msgstr)` returns (None: leave it)."""
    catalog = read_po(po.open("rb"))
    for message in catalog:
        if message.id:
            text = translate(message.context, message.id, message.string)
            if text is not None:
                message.string = text
                message.flags.discard("fuzzy")
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    po.write_bytes(out.getvalue())


def placeholder(context, msgid, msgstr):
    """Labelled placeholder text for the untranslated entries (not a translation)."""
    return None if msgstr else f"[ar] {msgid}"


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


def test_export_lists_every_ui_string_and_data_text_with_context_and_comment(site):
    po = export(site)
    catalog = read_po(po.open("rb"))
    assert str(catalog.locale) == "ar"
    home = catalog.get("Home", context="strings.yaml nav.home")
    assert home.string == "الصفحة الرئيسية (نص مؤقت)" and home.auto_comments == ["UI string 'nav.home'"]
    assert home.locations == [("content/strings.yaml", line_of(site / "content/strings.yaml", "nav.home:"))]
    summary = catalog.get("The first meeting discussed the first draft and the comments received on it.",
                          context="meetings.yaml ieg-1 summary")
    assert summary.string == "" and summary.auto_comments == ["meeting 'ieg-1': summary"]
    assert "python-brace-format" in catalog.get("Draft {number}", context="strings.yaml draft.name").flags
    assert not any(message.fuzzy for message in catalog if message.id)
    strings = sum(1 for line in (site / "content/strings.yaml").read_text("utf-8").splitlines()
                  if re.match(r"^[\w.-]+: \{", line))
    assert sum(1 for m in catalog if m.id and m.context.startswith("strings.yaml ")) == strings


def test_round_trip_export_fill_in_import_build(site):
    strings_before = (site / "content/strings.yaml").read_text("utf-8").splitlines()
    meetings_before = (site / "content/data/meetings.yaml").read_text("utf-8").splitlines()
    po = export(site)
    fill(po, placeholder)
    code, out, err = cli(site, "import-po", str(po))
    assert code == 0, err
    about = line_of(site / "content/strings.yaml", "nav.about:")
    assert f"content/strings.yaml:{about}: added 'strings.yaml nav.about'" in out.splitlines()
    strings_after = (site / "content/strings.yaml").read_text("utf-8").splitlines()
    assert len(strings_after) == len(strings_before)  # one line a key still: the flow layout is kept
    assert [line for line in strings_after if line.startswith("#") or not line] == \
        [line for line in strings_before if line.startswith("#") or not line]
    assert strings_after[about - 1] == strings_before[about - 1][:-1] + ', ar: "[ar] About the IEG"}'
    meetings_after = (site / "content/data/meetings.yaml").read_text("utf-8").splitlines()
    assert meetings_after[:2] == meetings_before[:2]  # the comment at the top
    assert ('      ar: "[ar] The first meeting discussed the first draft and the comments received on it."'
            in meetings_after)  # a block mapping gets a line of its own
    code, out, err = cli(site, "build", "--quiet")
    assert code == 0, err
    html = (site / "output/ar/meetings/index.html").read_text("utf-8")
    assert "[ar] About the IEG</a>" in html and '<span lang="en" dir="ltr">About the IEG' not in html
    code, out, err = cli(site, "check", "--translations")
    ar = next(line for line in out.splitlines() if line.startswith("ar "))
    assert ar.endswith("0 data texts missing, 0 UI strings missing")
    again = read_po(export(site).open("rb"))
    assert not any(message.fuzzy for message in again if message.id)  # recorded as current


def test_a_translation_whose_original_changed_is_exported_fuzzy(site):
    po = export(site)
    fill(po, placeholder)
    assert cli(site, "import-po", str(po))[0] == 0
    strings = site / "content/strings.yaml"
    strings.write_text(strings.read_text("utf-8").replace("nav.about: {en: About the IEG,",
                                                          "nav.about: {en: About the group,"), "utf-8")
    catalog = read_po(export(site).open("rb"))
    about = catalog.get("About the group", context="strings.yaml nav.about")
    assert about.fuzzy and about.string == "[ar] About the IEG"
    assert [m.context for m in catalog if m.id and m.fuzzy] == ["strings.yaml nav.about"]


def test_stale_entries_and_wrong_placeholders_are_refused_and_nothing_is_written(site):
    po = export(site)
    fill(po, lambda context, msgid, msgstr: {"strings.yaml nav.drafts": "[ar] Drafts",
                                             "strings.yaml draft.name": "[ar] Draft {num}",
                                             "strings.yaml deadline.closes_in": "[ar] {days}} days",
                                             "strings.yaml nav.meetings": "[ar] Meetings"}.get(context))
    text = po.read_text("utf-8").replace('msgctxt "strings.yaml nav.meetings"', 'msgctxt "strings.yaml nav.gone"')
    po.write_text(text, "utf-8")
    strings = site / "content/strings.yaml"
    strings.write_text(strings.read_text("utf-8").replace("nav.drafts: {en: Drafts,", "nav.drafts: {en: Reports,"),
                       "utf-8")
    before = {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()}
    code, out, err = cli(site, "import-po", str(po))
    assert code == 1 and "Traceback" not in err
    msgid = lambda context: line_of(po, f'msgctxt "{context}"') + 1  # noqa: E731 (Babel gives the msgid's line)
    assert err.splitlines() == [
        f"ar.po:{msgid('strings.yaml nav.drafts')}:1: out of date: the en text of 'strings.yaml nav.drafts' "
        f"changed since this file was exported (it is now 'Reports')",
        f"ar.po:{msgid('strings.yaml nav.gone')}:1: no text 'strings.yaml nav.gone' in the source any more "
        f"(export a new PO file and carry the translations over)",
        f"ar.po:{msgid('strings.yaml deadline.closes_in')}:1: the translation of 'strings.yaml deadline.closes_in': "
        f"single '}}' encountered in format string (a brace that is text is written twice: {{{{ or }}}})",
        f"ar.po:{msgid('strings.yaml draft.name')}:1: the translation of 'strings.yaml draft.name' has the "
        f"placeholders {{num}}, the original {{number}}: use the original's names, with or without a format such as "
        f"{{number:hanzi}}",
        "4 errors",
    ]
    assert {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()} == before


def test_a_po_file_for_no_language_of_the_site_is_refused(site):
    po = export(site)
    po.write_text(po.read_text("utf-8").replace('"Language: ar\\n"', '"Language: de\\n"'), "utf-8")
    code, out, err = cli(site, "import-po", str(po))
    assert code == 1
    assert err.splitlines()[0] == ("ar.po:1:1: the PO file's 'Language' header must name a language to "
                                   "translate into, not 'de'")


def test_export_refuses_the_default_language(site):
    code, out, err = cli(site, "export-po", "en")
    assert code == 2
    assert "'en' is not a language to translate into (the site's are zh, ar, fr, ru, es)" in err


def test_a_file_that_is_not_po_is_refused_with_its_line(site):
    po = site / "broken.po"
    po.write_text('msgid "a"\nmsgstr "b"\nnonsense\n', "utf-8")
    code, out, err = cli(site, "import-po", str(po))
    assert code == 1 and "Traceback" not in err and "internal error" not in err
    assert err.splitlines()[0] == "broken.po:3:1: not a PO file that can be read: unknown or misformatted keyword"
    code, out, err = cli(site, "import-po", str(site / "missing.po"))
    assert (code, err) == (2, f"build.py import-po: error: no PO file at {site / 'missing.po'}\n")


def test_a_chinese_po_file_of_the_real_site_comes_back_unchanged(tmp_path):
    """Chinese UI strings write numbers with a format spec ({number:hanzi}): it is the same placeholder."""
    site = copy_real_site(tmp_path / "site")
    po = tmp_path / "zh.po"
    assert cli(site, "export-po", "zh", "--out", str(po))[0] == 0
    assert "{number:hanzi}" in po.read_text("utf-8")
    before = {p: p.read_bytes() for p in (site / "content").rglob("*") if p.is_file()}
    code, out, err = cli(site, "import-po", str(po))
    assert (code, err) == (0, ""), err
    assert out.endswith("0 texts changed; the translations are recorded as current\n")
    changed = {p for p in (site / "content").rglob("*") if p.is_file() and before.get(p) != p.read_bytes()}
    assert changed <= {site / "content" / "data" / "translated.yaml"}


def test_a_translation_written_over_a_folded_text_keeps_the_lines_after_it(tmp_path):
    """The real site writes long texts folded (`zh: >-` and their lines): the new text takes their place, and
    the next field stays on its own line."""
    site = copy_real_site(tmp_path / "site")
    po = tmp_path / "zh.po"
    assert cli(site, "export-po", "zh", "--out", str(po))[0] == 0
    meetings = site / "content/data/meetings.yaml"
    before = meetings.read_text("utf-8").splitlines()
    fill(po, lambda context, msgid, msgstr: "IEG第一次会议的新译文。" if context == "meetings.yaml ieg-1 summary"
         else None)
    code, out, err = cli(site, "import-po", str(po))
    assert (code, err) == (0, ""), err
    after = meetings.read_text("utf-8").splitlines()
    at = before.index("      zh: >-")
    assert after[at] == "      zh: IEG第一次会议的新译文。"
    assert after[at + 1:] == before[at + 1 + next(n for n, line in enumerate(before[at + 1:])
                                                if not line.startswith("        ")):]
    code, out, err = cli(site, "build", "--quiet")
    assert code == 0, err
    assert "IEG第一次会议的新译文。" in (site / "output/zh/meetings/ieg-1/index.html").read_text("utf-8")


def test_an_imported_translation_goes_out_of_date_in_the_report_as_in_the_next_export(site):
    """import-po and the translation report share one record: once the English changes, the report (and so
    check --release) says the translation is out of date, in that language only, as the next export marks it fuzzy."""
    po = export(site)
    fill(po, lambda context, msgid, msgstr: "[ar] first meeting" if context == "meetings.yaml ieg-1 summary" else None)
    assert cli(site, "import-po", str(po))[0] == 0
    assert "yaml:" not in "".join(line for line in cli(site, "check", "--translations")[1].splitlines()
                                  if "out of date:" in line)  # (the fixture's pages have no record)
    meetings = site / "content/data/meetings.yaml"
    meetings.write_text(meetings.read_text("utf-8").replace("The first meeting discussed the first draft",
                                                            "The first meeting discussed the first outline"), "utf-8")
    code, out, err = cli(site, "check", "--translations")
    outdated = [line for line in out.splitlines() if "out of date:" in line and "yaml:" in line]
    assert code == 1 and len(outdated) == 1, out
    assert re.match(r"content/data/meetings\.yaml:\d+:\d+: out of date: the en 'summary' of meeting 'ieg-1' "
                    r"changed since its ar translation", outdated[0])
    assert "    -The first meeting discussed the first draft and the comments received on it." in out
    assert cli(site, "check", "--release")[0] == 1
    catalog = read_po(export(site).open("rb"))
    assert [m.context for m in catalog if m.id and m.fuzzy] == ["meetings.yaml ieg-1 summary"]


def test_import_keeps_the_line_ends_of_the_files_it_writes_into(site):
    """strings.yaml saved on Windows (CRLF): one translation changes one line, and the file stays CRLF."""
    strings = site / "content/strings.yaml"
    before = strings.read_bytes().replace(b"\n", b"\r\n")
    strings.write_bytes(before)
    po = export(site)
    fill(po, lambda context, msgid, msgstr: "[ar] About" if context == "strings.yaml nav.about" else None)
    code, out, err = cli(site, "import-po", str(po))
    assert code == 0, err
    after = strings.read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n") == before.count(b"\r\n")
    changed = [line for line in after.split(b"\r\n") if line not in before.split(b"\r\n")]
    assert len(changed) == 1 and changed[0].startswith(b"nav.about: {en: About the IEG,")


def test_a_language_with_a_region_round_trips(site):
    """A BCP 47 code with a region (pt-BR) is not a Babel locale: the PO file names the config's locale (pt_BR)."""
    config = site / "site_config.yaml"
    config.write_text(config.read_text("utf-8").replace("    locale: es_ES\n", "    locale: es_ES\n"
                                                        "  - code: pt-BR\n    name: Português\n    locale: pt_BR\n"),
                      "utf-8")
    po = export(site, "pt-BR")
    assert str(read_po(po.open("rb")).locale) == "pt_BR"
    fill(po, lambda context, msgid, msgstr: "Sobre o grupo" if context == "strings.yaml nav.about" else None)
    code, out, err = cli(site, "import-po", str(po))
    assert code == 0, err
    assert 'pt-BR: Sobre o grupo}' in (site / "content/strings.yaml").read_text("utf-8")


def test_export_to_a_folder_that_is_not_there_is_a_usage_error(site):
    code, out, err = cli(site, "export-po", "ar", "--out", str(site / "missing" / "ar.po"))
    assert (code, err) == (2, f"build.py export-po: error: cannot write {site / 'missing' / 'ar.po'}: "
                              f"No such file or directory\n")


def test_a_report_read_by_head_ends_quietly(site):
    """`check --translations | head`: the reader stops reading, and the report stops without an internal error."""
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "check", "--translations", "--config",
                                str(site / "site_config.yaml")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    assert (process.wait(timeout=60), process.stderr.read()) == (141, b"")
