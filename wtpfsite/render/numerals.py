"""Ordinals in UI strings as the prose around them writes them: Chinese numerals (草案第四稿, IEG第三次会议)
and English ordinal words (Third IEG meeting).

A string of the catalog asks for them with a format spec: `{number:hanzi}` (四), `{number:ordinal}` (fourth),
`{number:Ordinal}` (Fourth); templates have `hanzi` as a filter. `{number}` gives Arabic digits.
"""

from __future__ import annotations

import re
import string
from typing import Any

_DIGITS = "零一二三四五六七八九"
_UNITS = ("千", "百", "十", "")
ENGLISH_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()


def hanzi(number: int) -> str:
    """`number` (0 to 9999) in Chinese numerals: 3 -> 三, 10 -> 十, 12 -> 十二, 40 -> 四十, 99 -> 九十九,
    101 -> 一百零一, 110 -> 一百一十. Others are returned in Arabic digits."""
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 9999:
        return str(number)
    digits = str(number)
    out = "".join(_DIGITS[int(d)] + unit if d != "0" else "零" for d, unit in zip(digits, _UNITS[-len(digits):]))
    out = re.sub("零+", "零", out).rstrip("零") or "零"  # zeros inside read as one 零, final ones not at all
    return out[1:] if 10 <= number < 20 else out  # 十, 十一 ... 十九: no leading 一


def english_ordinal(number: int) -> str:
    """1 -> first ... 20 -> twentieth, then 21st, 22nd, 23rd, 24th, 111th."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        return str(number)
    if number <= len(ENGLISH_ORDINALS):
        return ENGLISH_ORDINALS[number - 1]
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class StringFormatter(string.Formatter):
    """`str.format` for UI strings, with the extra format specs `hanzi`, `ordinal` and `Ordinal`."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec == "hanzi":
            return hanzi(value)
        if format_spec in ("ordinal", "Ordinal"):
            word = english_ordinal(value)
            return word[:1].upper() + word[1:] if format_spec == "Ordinal" else word
        return super().format_field(value, format_spec)


FORMATTER = StringFormatter()
