"""Chinese numerals for ordinals (wtpfsite.render.numerals): the `hanzi` filter and format spec, and one form of
a draft's and a meeting's name on every page and in the calendar of the built site."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from helpers import build_args, copy_real_site, run_cli, tree_files
from wtpfsite.render.environment import make_environment
from wtpfsite.render.numerals import FORMATTER, english_ordinal, hanzi


EXPECTED = {0: "零", 1: "一", 2: "二", 9: "九", 10: "十", 11: "十一", 19: "十九", 20: "二十", 21: "二十一",
            30: "三十", 45: "四十五", 99: "九十九", 100: "一百", 101: "一百零一", 110: "一百一十",
            999: "九百九十九", 1000: "一千", 1010: "一千零一十"}

_VALUE = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _read_back(text: str) -> int:
    """The value of a numeral up to 99 (十, 十二, 二十, 九十九), to check all of them."""
    if "十" not in text:
        return _VALUE[text]
    tens, _, ones = text.partition("十")
    return (_VALUE[tens] if tens else 1) * 10 + (_VALUE[ones] if ones else 0)


@pytest.mark.parametrize("number, expected", sorted(EXPECTED.items()))
def test_hanzi_writes_chinese_numerals(number, expected):
    assert hanzi(number) == expected


def test_every_number_up_to_99_reads_back():
    for number in range(1, 100):
        text = hanzi(number)
        assert re.fullmatch("[一二三四五六七八九十]+", text), text
        assert _read_back(text) == number
        assert not text.startswith("一十"), text


def test_numbers_out_of_range_stay_digits():
    assert hanzi(10000) == "10000"
    assert hanzi(-1) == "-1"


def test_the_filter_and_the_format_specs_of_ui_strings(tmp_path):
    env = make_environment(tmp_path)
    assert env.from_string("第{{ 24|hanzi }}次").render() == "第二十四次"
    assert FORMATTER.format("IEG第{number:hanzi}次会议", number=12) == "IEG第十二次会议"
    assert FORMATTER.format("{number:Ordinal} IEG meeting", number=3) == "Third IEG meeting"
    assert FORMATTER.format("the {number:ordinal} one, draft {number}", number=4) == "the fourth one, draft 4"


@pytest.mark.parametrize("number, expected", [(1, "first"), (12, "twelfth"), (20, "twentieth"), (21, "21st"),
                                              (22, "22nd"), (23, "23rd"), (24, "24th"), (111, "111th"),
                                              (112, "112th"), (101, "101st")])
def test_english_ordinals(number, expected):
    assert english_ordinal(number) == expected


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_real_site(tmp_path_factory.mktemp("numerals") / "site")
    code, out, err = run_cli(build_args(root))
    assert code == 0, err
    return tree_files(root / "output")


def _text(files, path: str) -> str:
    return re.sub(r"<[^>]+>", "", files[path].decode("utf-8"))


@pytest.mark.parametrize("path", ["zh/timetable/index.html", "zh/meetings/index.html", "zh/meetings/ieg-3/index.html",
                                  "zh/documents/index.html", "zh/drafts/index.html", "zh/drafts/draft-4/index.html",
                                  "zh/index.html", "zh/drafts/draft-3/changes/index.html"])
def test_chinese_pages_write_ordinals_in_chinese_numerals(built, path):
    text = _text(built, path)
    assert not re.search(r"第\d+(稿|次)", text), re.search(r".{20}第\d+(稿|次).{20}", text).group(0)


@pytest.mark.parametrize("lang, name", [("zh", "IEG第三次会议"), ("en", "Third IEG meeting")])
def test_a_meeting_has_one_name_on_its_page_the_list_the_timetable_and_the_calendar(built, lang, name):
    assert f"<h1>{name} " in built[f"{lang}/meetings/ieg-3/index.html"].decode("utf-8")
    assert name in _text(built, f"{lang}/meetings/index.html")
    timetable = _text(built, f"{lang}/timetable/index.html")
    assert timetable.count(name) >= 2  # the milestone's title and the link to the meeting
    calendar = Calendar.from_ical(built[f"{lang}/calendar.ics"])
    summaries = {str(e.get("summary")) for e in calendar.walk("VEVENT")}
    assert name in summaries
    assert not any(re.search(r"第\d+次|IEG meeting \d", s) for s in summaries), summaries


def test_the_changes_title_uses_chinese_numerals(built):
    assert "<h1>草案第三稿：与第二稿相比的修改</h1>" in built["zh/drafts/draft-3/changes/index.html"].decode("utf-8")
    assert "<h1>Draft 3: changes since draft 2</h1>" in built["en/drafts/draft-3/changes/index.html"].decode("utf-8")
