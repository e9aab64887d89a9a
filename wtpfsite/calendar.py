"""The iCalendar file of each language: every timetable milestone and every IEG meeting.

All events are all-day (DTSTART;VALUE=DATE, DTEND the day after the last day, as RFC 5545
wants). A month-precision date ("2019-09", "2020-01/2020-02") becomes an event spanning the
whole month(s), marked TRANSP:TRANSPARENT (it does not block anyone's time) and described as
having no exact date yet; so are deadlines and releases, which take no time either. Meetings
and the forum with exact dates are OPAQUE.

The output is deterministic: UIDs come from the records' ids and the base URL's host, DTSTAMP
from the build's `today`, and events are sorted by start date and UID.

The file is written here (`_Lines`), not with the icalendar library: it takes 60 ms to import and 0.2 ms
an event, a quarter of a second for a large site's two calendars, where these few property types need a
few lines. The tests hold the writer to icalendar: byte for byte on any text, and parsed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from jinja2 import TemplateError

from .dates import DateSpec
from .errors import ErrorList
from .model import Site
from .pagegen import Output, localizer
from .render import Localizer
from .urls import absolute_url, route_path

PRODID = "-//WTPF-21 Informal Expert Group//wtpfsite//EN"
_BUSY_KINDS = ("meeting", "forum")  # milestones that take the reader's time; the rest are deadlines
_MEETING_STATUS = {"held": "CONFIRMED", "planned": "TENTATIVE", "postponed": "CANCELLED"}


@dataclass(frozen=True)
class Item:
    """One event of the calendar, its texts in the calendar's language."""

    uid: str
    dates: DateSpec
    summary: str
    description: str
    url: str
    category: str
    busy: bool
    status: str | None = None
    location: str | None = None


def calendar_outputs(site: Site, today: date, errors: ErrorList) -> list[Output]:
    """`<lang>/calendar.ics` for every language of the site; a missing UI string is an error."""
    outputs = []
    for code in site.config.language_codes:
        try:
            outputs.append(Output(route_path("calendar", code), calendar_ics(site, code, today)))
        except TemplateError as exc:  # the Localizer's way of saying a string is missing
            errors.add(site.strings.path, 1, 1, f"calendar: {exc}")
    return outputs


def calendar_ics(site: Site, lang: str, today: date) -> bytes:
    loc = localizer(site, lang)
    name = loc.t("calendar.name", site=loc.plain(site.config.title))
    url = absolute_url(site.config.base_url, route_path("timetable", lang))
    return ics(name, url, _milestone_items(site, loc) + _meeting_items(site, loc), today)


def ics(name: str, url: str, items: list[Item], today: date) -> bytes:
    """The calendar called `name`, about `url`, with an event for each item, in order of their dates."""
    lines = _Lines()
    lines.add("BEGIN", "VCALENDAR")
    lines.add("VERSION", "2.0")
    lines.text("PRODID", PRODID)
    lines.add("CALSCALE", "GREGORIAN")
    lines.add("METHOD", "PUBLISH")
    lines.text("NAME", name)  # RFC 7986
    lines.text("X-WR-CALNAME", name)  # what most clients read
    lines.add("URL", url)
    stamp = _date(today) + "T000000Z"  # midnight UTC of the build's day
    for item in sorted(items, key=lambda i: (i.dates.start, i.dates.end, i.uid)):
        _event(lines, item, stamp)
    lines.add("END", "VCALENDAR")
    return lines.ical()


def event_span(spec: DateSpec) -> tuple[date, date]:
    """DTSTART and the exclusive DTEND of an all-day event: a month period runs from the first
    of its first month to the first of the month after its last."""
    if spec.precision == "month":
        start = spec.start.replace(day=1)
        last = spec.end
        end = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        return start, end
    return spec.start, spec.end + timedelta(days=1)


def _event(lines: _Lines, item: Item, stamp: str) -> None:
    """One VEVENT, its properties in the usual order: SUMMARY, the dates, DTSTAMP and UID, then the others by
    name."""
    start, end = event_span(item.dates)
    lines.add("BEGIN", "VEVENT")
    lines.text("SUMMARY", item.summary)
    lines.add("DTSTART;VALUE=DATE", _date(start))
    lines.add("DTEND;VALUE=DATE", _date(end))
    lines.add("DTSTAMP", stamp)
    lines.text("UID", item.uid)
    lines.text("CATEGORIES", item.category)
    if item.description:
        lines.text("DESCRIPTION", item.description)
    if item.location:
        lines.text("LOCATION", item.location)
    if item.status:
        lines.text("STATUS", item.status)
    fuzzy = item.dates.precision == "month"
    lines.add("TRANSP", "OPAQUE" if item.busy and not fuzzy else "TRANSPARENT")
    lines.add("URL", item.url)
    lines.add("END", "VEVENT")


def _date(day: date) -> str:
    """A DATE value (strftime's %Y does not pad years before 1000 on every platform)."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


class _Lines:
    """The content lines of an iCalendar file (RFC 5545, section 3.1): CRLF after each, folded to at most 75
    octets, TEXT values escaped."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, name: str, value: str) -> None:
        """A line with a value written as it is (a date, a URI, a keyword)."""
        self.lines.append(fold(f"{name}:{value}"))

    def text(self, name: str, value: str) -> None:
        """A line with a TEXT value (section 3.3.11)."""
        self.add(name, escape_text(value))

    def ical(self) -> bytes:
        return "".join(line + "\r\n" for line in self.lines).encode("utf-8")


def escape_text(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, every line break (CRLF, LF or CR) as `\\n`."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


FOLD_AT = 75  # octets: a physical line's content stays below it, the leading space of a continuation aside


def fold(line: str) -> str:
    """`line` folded (RFC 5545, section 3.1) between characters, never inside one's UTF-8 bytes, and never right
    after a backslash or a caret (clients that unfold badly would split its escape)."""
    if len(line) < FOLD_AT and (line.isascii() or len(line.encode("utf-8")) < FOLD_AT):
        return line
    parts: list[str] = []
    start = size = 0
    for at, char in enumerate(line):
        octets = 1 if char < "\x80" else len(char.encode("utf-8"))
        if at > start and size + octets >= FOLD_AT:
            cut = at - 1 if at - start > 1 and line[at - 1] in "\\^" else at
            parts.append(line[start:cut])
            start, size = cut, len(line[cut:at].encode("utf-8"))
        size += octets
    parts.append(line[start:])
    return "\r\n ".join(parts)


def _host(site: Site) -> str:
    return urlsplit(site.config.base_url).hostname or "localhost"


def _month_note(loc: Localizer, spec: DateSpec) -> list[str]:
    return [loc.t("calendar.month_only", period=loc.date(spec))] if spec.precision == "month" else []


def _details(loc: Localizer, paragraphs: list[str], url: str) -> str:
    return "\n\n".join([p for p in paragraphs if p] + [loc.t("calendar.details", url=url)])


def _milestone_items(site: Site, loc: Localizer) -> list[Item]:
    items = []
    for milestone in site.data.milestones:
        url = absolute_url(site.config.base_url, route_path("timetable", loc.lang) + "#" + milestone.id)
        description = _details(loc, _month_note(loc, milestone.date) + [loc.plain(milestone.note)], url)
        items.append(Item(f"milestone-{milestone.id}@{_host(site)}", milestone.date, loc.plain(milestone.title),
                           description, url, loc.t(f"timetable.kind.{milestone.kind}"),
                           milestone.kind in _BUSY_KINDS))
    return items


def _meeting_items(site: Site, loc: Localizer) -> list[Item]:
    items = []
    for meeting in site.data.meetings:
        url = absolute_url(site.config.base_url, route_path(f"meeting/{meeting.id}", loc.lang))
        status = loc.t("calendar.status", status=loc.t(f"meeting.status.{meeting.status}"))
        held_with = loc.t("calendar.held_with", what=loc.plain(meeting.held_with)) if meeting.held_with else ""
        paragraphs = _month_note(loc, meeting.dates) + [status, loc.plain(meeting.summary), held_with]
        items.append(Item(f"meeting-{meeting.id}@{_host(site)}", meeting.dates,
                           loc.t("meeting.title", number=meeting.number), _details(loc, paragraphs, url), url,
                           loc.t("timetable.kind.meeting"), True, _MEETING_STATUS.get(meeting.status),
                           loc.plain(meeting.venue) or None))
    return items
