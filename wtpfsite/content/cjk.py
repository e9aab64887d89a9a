"""CJK-friendly emphasis delimiters for markdown-it.

Under plain CommonMark, `**注意：**这是` or `这是**“引用”**的` stay literal asterisks: Chinese has no spaces between
words and uses full-width punctuation. Here a CJK character next to a delimiter run counts like whitespace for the
punctuation test (as in the CommonMark CJK-friendly amendment); Latin text keeps CommonMark's behaviour exactly.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Scanned

_CJK_RANGES = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F),
    (0x3130, 0x318F), (0x31A0, 0x31FF), (0x3200, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F),
    (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)


@lru_cache(maxsize=4096)  # asked for the characters around every delimiter run: few distinct ones
def is_cjk(char: str) -> bool:
    """Han, kana, hangul, and CJK or full-width punctuation."""
    code = ord(char)
    return code >= 0x1100 and (any(low <= code <= high for low, high in _CJK_RANGES)
                               or unicodedata.east_asian_width(char) in ("W", "F") and not char.isspace())


def delimiter_abilities(last: str, following: str, can_split_word: bool, cjk: bool = True) -> tuple[bool, bool]:
    """(can open, can close) of a delimiter run between the characters `last` and `following`: CommonMark's
    flanking rules (markdown-it's scanDelims), with the CJK relaxation when `cjk`."""
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(following)) or isPunctChar(following)
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(following))
    last_cjk, next_cjk = (is_cjk(last), is_cjk(following)) if cjk else (False, False)
    left_flanking = not next_space and (not next_punct or last_space or last_punct or last_cjk)
    right_flanking = not last_space and (not last_punct or next_space or next_punct or next_cjk)
    return (left_flanking and (can_split_word or not right_flanking or last_punct),
            right_flanking and (can_split_word or not left_flanking or next_punct))


def scan_delims_cjk(state, start: int, can_split_word: bool) -> Scanned:
    """StateInline.scanDelims with the CJK relaxation of the flanking rules."""
    src, maximum = state.src, state.posMax
    pos = start
    while pos < maximum and src[pos] == src[start]:
        pos += 1
    last = src[start - 1] if start > 0 else " "
    following = src[pos] if pos < maximum else " "
    return Scanned(*delimiter_abilities(last, following, can_split_word), pos - start)
