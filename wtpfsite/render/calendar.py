"""The iCalendar file of each language: every timetable milestone and every IEG meeting, one event per meeting
(a timetable milestone of kind `meeting` that names its meeting is that meeting's event, not a second one).

Events are all-day (DTEND the day after the last day, RFC 5545). A month-precision date spans the whole month(s),
is TRANSPARENT (it blocks no one's time) and says it has no exact date yet; so are deadlines and releases.
Meetings and the forum with exact dates are OPAQUE. A meeting's STATUS follows its lifecycle: planned TENTATIVE,
held CONFIRMED, cancelled CANCELLED (at its dates, TRANSPARENT); postponed TENTATIVE, at its new dates when
known, else at its old ones and TRANSPARENT. UIDs never change, so a subscribed client updates the event it has.

The output is deterministic: UIDs come from the records' ids and the base URL's host, DTSTAMP from the build's
`today`, and events are sorted by start date and UID. The icalendar library writes the file.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vText
from jinja2 import Environment, TemplateError

from ..base.dates import DateSpec
from ..base.errors import ErrorList
from ..base.urls import absolute_url
from ..site.model import Site
from .environment import Localizer
from .pages import Output, localizer

PRODID = "-//WTPF-21 Informal Expert Group//wtpfsite//EN"
CALENDAR_STRINGS = ("calendar.", "meeting.", "timetable.kind.", "proposal.")  # what they read (extras.OTHER_OUTPUTS)
_BUSY_KINDS = ("meeting", "forum")  # milestones that take the reader's time; the rest are deadlines
_MEETING_STATUS = {"held": "CONFIRMED", "planned": "TENTATIVE", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}


def calendar_outputs(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    """`<lang>/calendar.ics` for every language of the site; a missing UI string is an error."""
    outputs = []
    for code in site.config.language_codes:
        try:
            outputs.append(Output(site.path("calendar", code), calendar_ics(site, code, today)))
        except TemplateError as exc:  # the Localizer's way of saying a string is missing
            errors.add(site.strings.path, 1, 1, f"calendar: {exc}")
    return outputs


def calendar_ics(site: Site, lang: str, today: date) -> bytes:
    """The calendar of `lang`, about the timetable page, with an event for each item, in order of their dates."""
    loc = localizer(site, lang, CALENDAR_STRINGS, html=False)
    name = loc.t("calendar.name", site=loc.plain(site.config.title))
    url = absolute_url(site.config.base_url, site.path("timetable", lang))
    stamp = datetime.combine(today, time(0), tzinfo=timezone.utc)  # midnight UTC of the build's day
    events = _milestone_events(site, loc, stamp) + _meeting_events(site, loc, stamp)
    calendar = Calendar()
    # (NAME and X-WR-CALNAME are TEXT, RFC 7986: vText has them escaped as TEXT, which Calendar.new does not)
    for key, value in (("prodid", PRODID), ("version", "2.0"), ("calscale", "GREGORIAN"), ("method", "PUBLISH"),
                       ("name", vText(name)), ("x-wr-calname", vText(name)), ("url", url)):
        calendar.add(key, value)
    for event in sorted(events, key=lambda e: (e.start, e.end, e.uid)):
        calendar.add_component(event)
    return calendar.to_ical()


def event_span(spec: DateSpec) -> tuple[date, date]:
    """DTSTART and the exclusive DTEND of an all-day event (a month period's days run from the first of its first
    month to the last of its last)."""
    return spec.start, spec.end + timedelta(days=1)


def _event(loc: Localizer, stamp: datetime, uid: str, dates: DateSpec, summary: str, paragraphs: list[str],
           url: str, category: str, busy: bool, proposed: bool, status: str | None = None,
           location: str | None = None) -> Event:
    """One all-day event; `busy`: it takes the reader's time (OPAQUE), when its days are known. Its description:
    the note of a month-precision date, the `paragraphs` that are not empty, the caveat of a date that was
    proposed and not agreed on, and the link to the page."""
    start, end = event_span(dates)
    month = [loc.t("calendar.month_only", period=loc.date(dates))] if dates.precision == "month" else []
    caveat = [loc.t("proposal.caveat")] if proposed else []
    description = "\n\n".join([p for p in month + paragraphs + caveat if p] + [loc.t("calendar.details", url=url)])
    return Event.new(uid=uid, stamp=stamp, start=start, end=end, summary=summary, description=description,
                     location=location, url=url, categories=[category], status=status,
                     transparency="OPAQUE" if busy and dates.precision != "month" else "TRANSPARENT")


def _host(site: Site) -> str:
    return urlsplit(site.config.base_url).hostname or "localhost"


def _milestone_events(site: Site, loc: Localizer, stamp: datetime) -> list[Event]:
    events = []
    meeting_ids = {meeting.id for meeting in site.data.meetings}
    for milestone in site.data.milestones:
        if milestone.kind == "meeting" and milestone.meeting is not None and milestone.meeting.target in meeting_ids:
            continue  # the meeting's own event (from meetings.yaml, with the dates it is held on) stands for it
        url = absolute_url(site.config.base_url, site.path("timetable", loc.lang) + "#" + milestone.id)
        events.append(_event(loc, stamp, f"milestone-{milestone.id}@{_host(site)}", milestone.date,
                             loc.plain(milestone.title), [loc.plain(milestone.note)], url,
                             loc.t(f"timetable.kind.{milestone.kind}"), milestone.kind in _BUSY_KINDS,
                             milestone.proposed))
    return events


def _meeting_events(site: Site, loc: Localizer, stamp: datetime) -> list[Event]:
    events = []
    for meeting in site.data.meetings:
        url = absolute_url(site.config.base_url, site.path(f"meeting/{meeting.id}", loc.lang))
        status = loc.t("calendar.status", status=loc.t(f"meeting.status.{meeting.status}"))
        held_with_key = "calendar.held_with" if meeting.status == "held" else "calendar.to_be_held_with"
        held_with = loc.t(held_with_key, what=loc.plain(meeting.held_with)) if meeting.held_with else ""
        dates = meeting.new_dates or meeting.dates
        was = loc.t("calendar.was", period=loc.date(meeting.dates)) if meeting.new_dates else ""
        title = loc.t("meeting.title", number=meeting.number)
        if meeting.called_off:
            title = loc.t("calendar.called_off", title=title, status=loc.t(f"meeting.status.{meeting.status}"))
        events.append(_event(loc, stamp, f"meeting-{meeting.id}@{_host(site)}", dates, title,
                             [status, was, loc.plain(meeting.summary), held_with], url,
                             loc.t("timetable.kind.meeting"), not meeting.called_off or bool(meeting.new_dates),
                             meeting.proposed, _MEETING_STATUS.get(meeting.status), loc.plain(meeting.venue) or None))
    return events
