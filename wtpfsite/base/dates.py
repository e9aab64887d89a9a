"""Dates as editors write them (day, range, month, month range) and their locale formatting.

Formatting uses Babel's CLDR data: day ranges use the locale's interval pattern with full
month names; month periods use patterns from the UI string catalog so that each language
controls its own form ("January/February 2020", "2020年1月/2月").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date

from babel import Locale
from babel.dates import format_date

_DAY = r"(\d{4})-(\d{2})-(\d{2})"
_MONTH = r"(\d{4})-(\d{2})"
_FORMS = {
    "day": re.compile(rf"^{_DAY}$"),
    "range": re.compile(rf"^{_DAY}/{_DAY}$"),
    "month": re.compile(rf"^{_MONTH}$"),
    "month-range": re.compile(rf"^{_MONTH}/{_MONTH}$"),
}


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

    def iso(self) -> str:
        return self.source

    @property
    def html_datetime(self) -> str | None:
        """The `datetime` value of an HTML <time> for the period: the day, or the month of a period by months
        within one month; None when it is longer (HTML has no value for a period: templates make a <span>)."""
        if self.is_single_day:
            return self.start.isoformat()
        if self.precision == "month" and (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return self.start.isoformat()[:7]
        return None

    @property
    def start_iso(self) -> str:
        return self.start.isoformat()

    @property
    def end_iso(self) -> str:
        return self.end.isoformat()


def parse_date_spec(value: object) -> DateSpec:
    """Parse an editor's date; raises ValueError with a message fit for the editor."""
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    for form, pattern in _FORMS.items():
        match = pattern.match(text)
        if match:
            return _build(form, [int(g) for g in match.groups()], text)
    raise ValueError(
        f"'{value}' is not a date: write 2020-09-14, 2020-09-14/2020-09-16, 2019-09 or 2020-01/2020-02"
    )


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date ({year:04d}-{month:02d}-{day:02d} does not exist)") from None


def _month(year: int, month: int, text: str, last: bool = False) -> date:
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' is not a real date (month {month:02d} does not exist)")
    if year < 1:
        raise ValueError(f"'{text}' is not a real date (year {year:04d} does not exist)")
    return date(year, month, calendar.monthrange(year, month)[1] if last else 1)


def _build(form: str, n: list[int], text: str) -> DateSpec:
    if form == "day":
        day = _day(*n, text)
        return DateSpec(day, day, "day", text)
    if form == "range":
        start, end = _day(*n[:3], text), _day(*n[3:], text)
        precision = "day"
    elif form == "month":
        start, end = _month(n[0], n[1], text), _month(n[0], n[1], text, last=True)
        precision = "month"
    else:
        start, end = _month(n[0], n[1], text), _month(n[2], n[3], text, last=True)
        precision = "month"
    if end < start:
        first, last = text.split("/")
        raise ValueError(f"end ({last}) is before start ({first})")
    return DateSpec(start, end, precision, text)


@lru_cache(maxsize=4096)
def format_day(day: date, locale: str) -> str:
    return format_date(day, "long", locale=locale)


def format_spec(spec: DateSpec, locale: str, month_patterns: dict[str, str]) -> str:
    """Format a period for readers. `month_patterns` has keys "same_year" and "other_years",
    with Babel date patterns in braces: "{start:MMMM}/{end:MMMM y}". Cached: a site formats
    the same dates many times."""
    return _format_spec(spec, locale, month_patterns["same_year"], month_patterns["other_years"])


@lru_cache(maxsize=4096)
def _format_spec(spec: DateSpec, locale: str, same_year: str, other_years: str) -> str:
    if spec.precision == "day":
        return format_day(spec.start, locale) if spec.start == spec.end else _day_range(spec, locale)
    if (spec.start.year, spec.start.month) == (spec.end.year, spec.end.month):
        return format_date(spec.start, _skeleton(locale, "yMMMM"), locale=locale)
    return _fill(same_year if spec.start.year == spec.end.year else other_years, spec, locale)


def _skeleton(locale: str, skeleton: str) -> str:
    return Locale.parse(locale).datetime_skeletons[skeleton].pattern


def _fill(pattern: str, spec: DateSpec, locale: str) -> str:
    def replace(match: re.Match) -> str:
        which, babel_pattern = match.group(1), match.group(2)
        return format_date(spec.start if which == "start" else spec.end, babel_pattern, locale=locale)

    return re.sub(r"\{(start|end):([^}]+)\}", replace, pattern)


def _day_range(spec: DateSpec, locale: str) -> str:
    """CLDR's interval pattern for yMMMd, with full month names."""
    formats = Locale.parse(locale).interval_formats
    greatest = "y" if spec.start.year != spec.end.year else "M" if spec.start.month != spec.end.month else "d"
    first, second = (re.sub(r"(?<!M)MMM(?!M)", "MMMM", part) for part in formats["yMMMd"][greatest])
    return format_date(spec.start, first, locale=locale) + format_date(spec.end, second, locale=locale)
