"""Chinese numerals for ordinals in UI strings: 草案第四稿, IEG第三次会议, as Chinese prose writes them.

A string of the catalog asks for them with the format spec `hanzi` (`草案第{number:hanzi}稿`); templates have the
same as the filter `hanzi`. Other languages' strings keep `{number}` and get Arabic digits.
"""

from __future__ import annotations

import string
from typing import Any

_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def hanzi(number: int) -> str:
    """`number` (0 to 9999) in Chinese numerals: 3 -> 三, 10 -> 十, 12 -> 十二, 40 -> 四十, 99 -> 九十九,
    101 -> 一百零一, 110 -> 一百一十. Others are returned in Arabic digits."""
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 9999:
        return str(number)
    if number < 10:
        return _DIGITS[number]
    if number < 20:  # 十, 十一 ... 十九: no leading 一
        return "十" + (_DIGITS[number - 10] if number > 10 else "")
    out, rest, gap = "", number, False
    for value, unit in _UNITS:
        digit, rest = divmod(rest, value)
        if digit:
            out += ("零" if gap else "") + _DIGITS[digit] + unit
            gap = False
        elif out:
            gap = True
    if rest:
        out += ("零" if gap else "") + _DIGITS[rest]
    return out


class StringFormatter(string.Formatter):
    """`str.format` for UI strings, with the extra format spec `hanzi` for Chinese numerals."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec == "hanzi":
            return hanzi(value)
        return super().format_field(value, format_spec)


FORMATTER = StringFormatter()
