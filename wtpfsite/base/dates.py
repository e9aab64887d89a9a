"""Dates as editors write them (day, range, month, month range), their locale formatting (Babel's CLDR data; month
periods take their patterns from the UI strings, so each language has its own form), and where a period stands on
a given day: milestones, deadlines and meetings relative to `today`. The same rules run in the reader's browser
(templates/static/site.js), so a page built months ago still shows the right status."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date

from babel import Locale
from babel.dates import format_date

_PART = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")  # a day or a month, one side of a range


@dataclass(frozen=True, order=True)
class DateSpec:
    """A period from `start` to `end` inclusive; `precision` is "day" or "month"."""

    start: date
    end: date
    precision: str
    source: str

    @property
    def is_single_day(self) -> bool:
        return self.precision == "day" and self.start == self.end

    @property
    def html_datetime(self) -> str | None:
        """The `datetime` value of an HTML <time> for the period: the day, or the month of a period by months
        within one month; None when it is longer (HTML has no value for a period: templates make a <span>)."""
        if self.is_single_day:
            return self.start.isoformat()
        if self.precision == "month" and (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return self.start.isoformat()[:7]
        return None


def parse_date_spec(value: object) -> DateSpec:
    """Parse an editor's date; raises ValueError with a message fit for the editor."""
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    parts = [_PART.fullmatch(part) for part in text.split("/")]
    if len(parts) > 2 or not all(parts) or len({part[3] is None for part in parts}) > 1:
        raise ValueError(
            f"'{value}' is not a date: write 2020-09-14, 2020-09-14/2020-09-16, 2019-09 or 2020-01/2020-02"
        )
    start, end = _date(parts[0], text), _date(parts[-1], text, last=True)
    if end < start:
        first, last = text.split("/")
        raise ValueError(f"end ({last}) is before start ({first})")
    return DateSpec(start, end, "month" if parts[0][3] is None else "day", text)


def _date(match: re.Match, text: str, last: bool = False) -> date:
    """The day of `match`; of a month, its first day, or its last one when `last`."""
    year, month, day = int(match[1]), int(match[2]), match[3]
    if day is not None:
        try:
            return date(year, month, int(day))
        except ValueError:
            day = f"{year:04d}-{month:02d}-{int(day):02d}"
            raise ValueError(f"'{text}' is not a real date ({day} does not exist)") from None
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' is not a real date (month {month:02d} does not exist)")
    if year < 1:
        raise ValueError(f"'{text}' is not a real date (year {year:04d} does not exist)")
    return date(year, month, calendar.monthrange(year, month)[1] if last else 1)


@lru_cache(maxsize=4096)
def format_day(day: date, locale: str) -> str:
    return format_date(day, "long", locale=locale)


def format_spec(spec: DateSpec, locale: str, month_patterns: dict[str, str]) -> str:
    """Format a period for readers. `month_patterns` has keys "same_year" and "other_years", with Babel date
    patterns in braces: "{start:MMMM}/{end:MMMM y}"."""
    return _format_spec(spec, locale, month_patterns["same_year"], month_patterns["other_years"])


@lru_cache(maxsize=4096)
def _format_spec(spec: DateSpec, locale: str, same_year: str, other_years: str) -> str:
    if spec.precision == "day":
        return format_day(spec.start, locale) if spec.start == spec.end else _day_range(spec, locale)
    if (spec.start.year, spec.start.month) == (spec.end.year, spec.end.month):
        return format_date(spec.start, Locale.parse(locale).datetime_skeletons["yMMMM"].pattern, locale=locale)
    pattern = same_year if spec.start.year == spec.end.year else other_years
    # each {start:...} or {end:...}: that day in the Babel pattern after the colon
    return re.sub(r"\{(start|end):([^}]+)\}", lambda m: format_date(getattr(spec, m[1]), m[2], locale=locale), pattern)


def _day_range(spec: DateSpec, locale: str) -> str:
    """CLDR's interval pattern for yMMMd, with full month names."""
    formats = Locale.parse(locale).interval_formats
    greatest = "y" if spec.start.year != spec.end.year else "M" if spec.start.month != spec.end.month else "d"
    first, second = (re.sub(r"(?<!M)MMM(?!M)", "MMMM", part) for part in formats["yMMMd"][greatest])
    return format_date(spec.start, first, locale=locale) + format_date(spec.end, second, locale=locale)


@dataclass(frozen=True)
class Deadline:
    state: str  # "open", "closing" (7 days or fewer left), "closed", "none"
    days_left: int


def period_state(spec: DateSpec, today: date) -> str:
    """'past', 'current' or 'future' for a period (a day, a range, a month)."""
    return "past" if spec.end < today else "current" if spec.start <= today else "future"


def deadline(spec: DateSpec | None, today: date) -> Deadline:
    if spec is None:
        return Deadline("none", 0)
    days_left = (spec.end - today).days
    return Deadline("closed" if days_left < 0 else "closing" if days_left <= 7 else "open", days_left)


def milestone_states(periods: list[DateSpec], today: date, fixed: list[str | None] | None = None) -> list[str]:
    """'past', 'current', 'next' (the first future item) or 'upcoming', in the given order. An item with a
    `fixed` state (a postponed or cancelled meeting) keeps it, whatever its dates, and is never the next."""
    fixed = fixed or [None] * len(periods)
    states = [fixed_state or period_state(spec, today) for spec, fixed_state in zip(periods, fixed)]
    first_future = next((i for i, state in enumerate(states) if state == "future"), None)
    return [("next" if i == first_future else "upcoming") if state == "future" else state
            for i, state in enumerate(states)]
