"""Lifecycles: a postponed or cancelled meeting shows the same state on its page, the meetings list, the timetable,
the home page and the calendar, in both languages; a withdrawn or superseded document keeps its entry and link,
with its state and what replaced it. All through builds of small sites."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from helpers import assert_build_fails, build_args, make_site, run_cli

MEETINGS = """\
meetings:
  - id: ieg-1
    number: 1
    dates: 2020-09-01/2020-09-02
    status: held
  - id: ieg-2
    number: 2
    dates: 2020-10-12/2020-10-13
    status: postponed
    new_dates: 2020-11-16/2020-11-17
  - id: ieg-3
    number: 3
    dates: 2020-10-20
    status: cancelled
  - id: ieg-4
    number: 4
    dates: 2021-01
    status: postponed
"""

TIMETABLE = """\
milestones:
  - id: ieg-2-meeting
    date: 2020-10-12/2020-10-13
    kind: meeting
    title: {en: Second meeting, zh: 第二次会议}
    meeting: ieg-2
  - id: ieg-3-meeting
    date: 2020-10-20
    kind: meeting
    title: {en: Third meeting, zh: 第三次会议}
    meeting: ieg-3
  - id: report
    date: 2020-12-01
    kind: final-report
    title: {en: Final report, zh: 最终报告}
"""

STATES = {"en": ("Held", "Postponed", "Cancelled"), "zh": ("已举行", "已推迟", "已取消")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("lifecycle"), {"content/data/meetings.yaml": MEETINGS,
                                                            "content/data/timetable.yaml": TIMETABLE,
                                                            "content/data/documents.yaml": DOCUMENTS})
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert code == 0, err
    return root / "output"


def read(output: Path, path: str) -> str:
    return (output / path).read_text("utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_meeting_page_and_the_list_show_its_state(built, lang):
    held, postponed, cancelled = STATES[lang]
    assert f'class="status status-postponed">{postponed}<' in read(built, f"{lang}/meetings/ieg-2/index.html")
    assert f'class="status status-cancelled">{cancelled}<' in read(built, f"{lang}/meetings/ieg-3/index.html")
    listing = read(built, f"{lang}/meetings/index.html")
    for state, label in (("held", held), ("postponed", postponed), ("cancelled", cancelled)):
        assert f'class="status status-{state}">{label}<' in listing


def test_a_postponed_meeting_shows_its_new_dates_and_a_cancelled_one_a_notice(built):
    postponed = read(built, "en/meetings/ieg-2/index.html")
    assert "This meeting has been postponed." in postponed and "New dates" in postponed
    assert "16–17 November 2020" in postponed
    assert "New dates will be announced." in read(built, "en/meetings/ieg-4/index.html")
    assert "本次会议已取消。" in read(built, "zh/meetings/ieg-3/index.html")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_timetable_shows_the_meeting_s_state_and_site_js_leaves_it(built, lang):
    _, postponed, cancelled = STATES[lang]
    timetable = read(built, f"{lang}/timetable/index.html")
    assert '<li id="ieg-2-meeting" class="milestone milestone-meeting state-postponed">' in timetable
    assert '<li id="ieg-3-meeting" class="milestone milestone-meeting state-cancelled">' in timetable
    assert f">{postponed}</span>" in timetable and f">{cancelled}</span>" in timetable
    # the next item is the report, not a meeting that will not take place at its dates
    assert 'class="milestone milestone-final-report state-next"' in timetable


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_home_page_s_next_milestone_is_not_a_postponed_or_cancelled_meeting(built, lang):
    home = read(built, f"{lang}/index.html")
    next_card = home[home.index('class="card card-next"'):]
    next_card = next_card[:next_card.index("</section>")]
    assert ("Final report" if lang == "en" else "最终报告") in next_card
    assert "meeting" not in next_card.lower() and "会议" not in next_card


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_calendar_has_one_event_per_meeting_with_the_status_clients_understand(built, lang):
    events = Calendar.from_ical((built / lang / "calendar.ics").read_bytes()).walk("VEVENT")
    by_uid = {str(event["UID"]).split("@")[0]: event for event in events}
    assert sorted(by_uid) == ["meeting-ieg-1", "meeting-ieg-2", "meeting-ieg-3", "meeting-ieg-4",
                              "milestone-report"]  # the meetings' milestones are their meetings' events
    held, postponed, cancelled = STATES[lang]
    assert str(by_uid["meeting-ieg-1"]["STATUS"]) == "CONFIRMED"
    moved = by_uid["meeting-ieg-2"]
    assert str(moved["STATUS"]) == "TENTATIVE"
    assert (moved.decoded("DTSTART"), moved.decoded("DTEND")) == (date(2020, 11, 16), date(2020, 11, 18))
    assert postponed in str(moved["SUMMARY"]) and str(moved["TRANSP"]) == "OPAQUE"
    gone = by_uid["meeting-ieg-3"]
    assert str(gone["STATUS"]) == "CANCELLED" and cancelled in str(gone["SUMMARY"])
    assert gone.decoded("DTSTART") == date(2020, 10, 20) and str(gone["TRANSP"]) == "TRANSPARENT"
    undated = by_uid["meeting-ieg-4"]
    assert str(undated["STATUS"]) == "TENTATIVE" and str(undated["TRANSP"]) == "TRANSPARENT"


def test_new_dates_belong_to_a_postponed_meeting_and_come_after_its_dates(tmp_path):
    meetings = ("meetings:\n  - id: ieg-1\n    number: 1\n    dates: 2020-10-12\n    status: planned\n"
                "    new_dates: 2020-11-01\n  - id: ieg-2\n    number: 2\n    dates: 2020-10-12\n"
                "    status: postponed\n    new_dates: 2020-10-01\n")
    assert_build_fails(tmp_path, {"content/data/meetings.yaml": meetings}, [
        "content/data/meetings.yaml:6:16: 'new_dates' is only for a meeting with status postponed",
        "content/data/meetings.yaml:11:16: 'new_dates' (2020-10-01) must be after 'dates' (2020-10-12)",
    ])


# ------------------------------------------------------------------------------------------------ documents

DOCUMENTS = """\
documents:
  - symbol: DOC/1
    title: {en: A contribution, zh: 一份文稿}
    kind: contribution
    languages: [en]
    link: https://example.org/doc-1.pdf
    status: withdrawn
  - symbol: DOC/2
    title: {en: An early text, zh: 早期文本}
    kind: contribution
    languages: [en]
    link: https://example.org/doc-2.pdf
    status: superseded
    superseded_by: DOC/3
  - symbol: DOC/3
    title: {en: The revised text, zh: 修订文本}
    kind: contribution
    languages: [en]
    link: https://example.org/doc-3.pdf
"""


@pytest.mark.parametrize("lang, withdrawn, superseded, replaced_by", [
    ("en", "Withdrawn", "Superseded", "Replaced by"), ("zh", "已撤回", "已被取代", "取代文件")])
def test_withdrawn_and_superseded_documents_keep_their_entry_and_link_and_show_their_state(
        built, lang, withdrawn, superseded, replaced_by):
    listing = read(built, f"{lang}/documents/index.html")
    assert '<a href="https://example.org/doc-1.pdf" rel="noopener">DOC/1</a>' in listing
    assert '<a href="https://example.org/doc-2.pdf" rel="noopener">DOC/2</a>' in listing
    assert f'class="status status-withdrawn">{withdrawn}<' in listing
    assert f'class="status status-superseded">{superseded}<' in listing
    row = listing[listing.index("DOC/2</a>"):]
    row = row[:row.index("</tr>")]
    assert replaced_by in row and '<a href="https://example.org/doc-3.pdf" rel="noopener">DOC/3</a>' in row
    current = listing[listing.index("DOC/3</a></bdi></td>"):]
    assert "status-" not in current[:current.index("</tr>")]


def test_a_superseded_document_names_a_document_that_exists(tmp_path):
    documents = ("documents:\n  - symbol: A/1\n    title: A\n    kind: contribution\n    languages: [en]\n"
                 "    status: superseded\n    superseded_by: A/9\n"
                 "  - symbol: A/2\n    title: B\n    kind: contribution\n    languages: [en]\n"
                 "    status: superseded\n"
                 "  - symbol: A/3\n    title: C\n    kind: contribution\n    languages: [en]\n"
                 "    status: withdrawn\n    superseded_by: A/1\n")
    assert_build_fails(tmp_path, {"content/data/documents.yaml": documents}, [
        "content/data/documents.yaml:7:20: no document 'A/9' in documents.yaml (name the symbol of the document "
        "that replaced it)",
        "content/data/documents.yaml:12:13: a superseded document names the symbol that replaced it in "
        "'superseded_by'",
        "content/data/documents.yaml:18:20: 'superseded_by' is only for a document with status superseded",
    ])


def test_documents_that_supersede_each_other_are_refused(tmp_path):
    documents = "documents:\n" + "".join(
        f"  - symbol: A/{n}\n    title: T\n    kind: contribution\n    status: superseded\n    superseded_by: A/{to}\n"
        for n, to in ((1, 2), (2, 3), (3, 1)))
    assert_build_fails(tmp_path, {"content/data/documents.yaml": documents}, [
        f"content/data/documents.yaml:{line}:20: 'superseded_by' goes round: 'A/{n}' is superseded by 'A/{to}', "
        f"which leads back to it (one of them must be current)" for line, n, to in ((6, 1, 2), (11, 2, 3), (16, 3, 1))])
