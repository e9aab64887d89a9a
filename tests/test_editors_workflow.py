"""Issue 25: what an editor meets when releasing a draft, adding a meeting, making mistakes and publishing.

Each test reproduces one finding of the issue, through the command line or the built output.
"""

from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar

from helpers import make_site, run_cli

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
    assert "Seventh IEG meeting" in card and "Comments on draft 6" not in card


# -------------------------------------------------------------------- 4. one calendar event per meeting

def test_a_meeting_is_one_calendar_event_with_one_title(tmp_path):
    root = make_site(tmp_path, {"content/data/timetable.yaml": TIMETABLE_OUT_OF_ORDER,
                                "content/data/meetings.yaml": MEETINGS})
    out = _build(root)
    for lang, title in (("en", "IEG meeting 7"), ("zh", "IEG第7次会议")):
        events = Calendar.from_ical((out / lang / "calendar.ics").read_bytes()).walk("VEVENT")
        on_the_day = [e for e in events if e.decoded("DTSTART") == date(2021, 11, 29)]
        assert [str(e["SUMMARY"]) for e in on_the_day] == [title]
