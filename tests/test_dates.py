"""Tests for wtpfsite.base.dates: the four forms, impossible dates, locale formatting, the state of a period."""

from __future__ import annotations

from datetime import date

import pytest

from helpers import ROOT, assert_build_fails
from wtpfsite.base.dates import (DateSpec, deadline, format_day, format_spec, milestone_states, parse_date_spec,
                                 period_state)
from wtpfsite.base.errors import ErrorList
from wtpfsite.render.environment import Localizer
from wtpfsite.content.strings import load_strings


@pytest.mark.parametrize("text, start, end, precision", [
    ("2020-09-14", date(2020, 9, 14), date(2020, 9, 14), "day"),
    ("2020-09-14/2020-09-16", date(2020, 9, 14), date(2020, 9, 16), "day"),
    ("2020-09-14/2020-09-14", date(2020, 9, 14), date(2020, 9, 14), "day"),
    ("2019-09", date(2019, 9, 1), date(2019, 9, 30), "month"),
    ("2020-02", date(2020, 2, 1), date(2020, 2, 29), "month"),
    ("2020-01/2020-02", date(2020, 1, 1), date(2020, 2, 29), "month"),
    ("2019-12/2020-01", date(2019, 12, 1), date(2020, 1, 31), "month"),
    ("2020-02-29", date(2020, 2, 29), date(2020, 2, 29), "day"),
])
def test_every_form_parses(text, start, end, precision):
    spec = parse_date_spec(text)
    assert (spec.start, spec.end, spec.precision, spec.source) == (start, end, precision, text)


def test_surrounding_spaces_are_ignored():
    assert parse_date_spec(" 2020-09-14 ").source == "2020-09-14"


@pytest.mark.parametrize("value, message", [
    ("2020-02-30", "'2020-02-30' is not a real date (2020-02-30 does not exist)"),
    ("2019-02-29", "'2019-02-29' is not a real date (2019-02-29 does not exist)"),
    ("2020-13", "'2020-13' is not a real date (month 13 does not exist)"),
    ("2020-00", "'2020-00' is not a real date (month 00 does not exist)"),
    ("0000-01", "'0000-01' is not a real date (year 0000 does not exist)"),
    ("0000-01-01", "'0000-01-01' is not a real date (0000-01-01 does not exist)"),
    ("2020-09-14/2020-09-31", "'2020-09-14/2020-09-31' is not a real date (2020-09-31 does not exist)"),
    ("2020-09-16/2020-09-14", "end (2020-09-14) is before start (2020-09-16)"),
    ("2020-02/2020-01", "end (2020-01) is before start (2020-02)"),
    ("2020-9-14", "'2020-9-14' is not a date: write 2020-09-14, 2020-09-14/2020-09-16, 2019-09 or 2020-01/2020-02"),
    ("2020-09-14/2020-09", "'2020-09-14/2020-09' is not a date: write 2020-09-14, 2020-09-14/2020-09-16, "
                           "2019-09 or 2020-01/2020-02"),
    ("14 September 2020", "'14 September 2020' is not a date: write 2020-09-14, 2020-09-14/2020-09-16, "
                          "2019-09 or 2020-01/2020-02"),
    (2020, "'2020' is not a date: write 2020-09-14, 2020-09-14/2020-09-16, 2019-09 or 2020-01/2020-02"),
    (None, "'None' is not a date: write 2020-09-14, 2020-09-14/2020-09-16, 2019-09 or 2020-01/2020-02"),
    ([], "'[]' is not a date: write 2020-09-14, 2020-09-14/2020-09-16, 2019-09 or 2020-01/2020-02"),
])
def test_impossible_and_malformed_dates_are_refused(value, message):
    with pytest.raises(ValueError) as caught:
        parse_date_spec(value)
    assert str(caught.value) == message


@pytest.fixture(scope="module")
def localizers():
    strings = load_strings(ROOT / "content" / "strings.yaml", ("en", "zh"), ErrorList(ROOT))
    return {"en": Localizer("en", "en", "en_GB", strings), "zh": Localizer("zh", "en", "zh_Hans_CN", strings)}


@pytest.mark.parametrize("text, english, chinese", [
    ("2020-09-14", "14 September 2020", "2020年9月14日"),
    ("2020-09-14/2020-09-16", "14–16 September 2020", "2020年9月14日至16日"),
    ("2020-09-14/2020-09-14", "14 September 2020", "2020年9月14日"),
    ("2020-09-30/2020-10-02", "30 September\u2009–\u20092 October 2020", "2020年9月30日至10月2日"),
    ("2020-12-30/2021-01-02", "30 December 2020\u2009–\u20092 January 2021", "2020年12月30日至2021年1月2日"),
    ("2019-09", "September 2019", "2019年9月"),
    ("2020-03/2020-03", "March 2020", "2020年3月"),
    ("2020-01/2020-02", "January/February 2020", "2020年1月/2月"),
    ("2019-12/2020-01", "December 2019/January 2020", "2019年12月/2020年1月"),
])
def test_formatting_in_english_and_chinese(localizers, text, english, chinese):
    spec = parse_date_spec(text)
    assert localizers["en"].date(spec) == english
    assert localizers["zh"].date(spec) == chinese


def test_format_spec_with_explicit_patterns_and_plain_days():
    patterns = {"same_year": "{start:MMM}–{end:MMM y}", "other_years": "{start:y}–{end:y}"}
    assert format_spec(parse_date_spec("2020-01/2020-02"), "en_GB", patterns) == "Jan–Feb 2020"
    assert format_spec(parse_date_spec("2019-12/2020-01"), "en_GB", patterns) == "2019–2020"
    assert format_day(date(2020, 9, 14), "zh_Hans_CN") == "2020年9月14日"


@pytest.mark.parametrize("text, html_datetime", [
    ("2020-09-14", "2020-09-14"),
    ("2020-09-14/2020-09-14", "2020-09-14"),
    ("2020-09-14/2020-09-16", None),  # HTML has no datetime value for a period: templates make a <span>
    ("2019-09", "2019-09"),
    ("2020-01/2020-01", "2020-01"),
    ("2020-01/2020-02", None),
    ("2019-12/2020-01", None),
])
def test_the_html_datetime_of_a_period(text, html_datetime):
    spec = parse_date_spec(text)
    assert spec.html_datetime == html_datetime


def test_date_specs_order_by_start():
    specs = [parse_date_spec(t) for t in ("2020-09-14", "2019-09", "2020-01/2020-02")]
    assert [s.source for s in sorted(specs)] == ["2019-09", "2020-01/2020-02", "2020-09-14"]
    assert isinstance(specs[0], DateSpec) and specs[0].is_single_day and not specs[1].is_single_day


@pytest.mark.parametrize("text, today, state", [
    ("2020-09-14/2020-09-16", date(2020, 9, 13), "future"),
    ("2020-09-14/2020-09-16", date(2020, 9, 14), "current"),
    ("2020-09-14/2020-09-16", date(2020, 9, 16), "current"),
    ("2020-09-14/2020-09-16", date(2020, 9, 17), "past"),
    ("2020-09", date(2020, 9, 30), "current"),
])
def test_period_state(text, today, state):
    assert period_state(parse_date_spec(text), today) == state


def test_deadlines_and_milestone_states():
    due = parse_date_spec("2020-06-15")
    assert deadline(due, date(2020, 6, 1)).state == "open"
    assert deadline(due, date(2020, 6, 8)) .state == "closing"
    assert deadline(due, date(2020, 6, 15)).days_left == 0
    assert deadline(due, date(2020, 6, 16)).state == "closed"
    assert deadline(None, date(2020, 6, 16)).state == "none"
    periods = [parse_date_spec(t) for t in ("2020-01-01", "2020-06", "2020-07-01", "2020-08-01")]
    assert milestone_states(periods, date(2020, 6, 10)) == ["past", "current", "next", "upcoming"]


@pytest.mark.parametrize("dates, expected", [
    ("2020-02-30", "content/data/meetings.yaml:4:12: 'dates': '2020-02-30' is not a real date "
                   "(2020-02-30 does not exist)"),
    ("2020-09-16/2020-09-14", "content/data/meetings.yaml:4:12: 'dates': end (2020-09-14) is before start "
                              "(2020-09-16)"),
    ('"2020-13"', "content/data/meetings.yaml:4:12: 'dates': '2020-13' is not a real date (month 13 does not exist)"),
])
def test_impossible_dates_fail_the_build_at_their_place(tmp_path, dates, expected):
    meetings = f"meetings:\n  - id: ieg-1\n    number: 1\n    dates: {dates}\n    status: held\n"
    assert_build_fails(tmp_path, {"content/data/meetings.yaml": meetings}, [expected])
