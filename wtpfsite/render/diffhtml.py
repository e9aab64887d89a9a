"""Changed tables and lists as HTML tables and lists, from rows or items aligned by `diff.py`, with <ins>/<del> inside
the cells and items. The texts are those of `draftblocks` (a table: a row a line, cells joined by ' | ', the header
first; a list: an item a line, '• ' or '1. ' markers, two spaces of indent a level), escaped by `mark`.
"""

from __future__ import annotations

import re
from itertools import zip_longest
from typing import Callable

Pair = tuple[str | None, str | None]  # (old line, new line); None where the line is not in that draft
Mark = Callable[[str | None, str | None], str]  # the HTML of a changed text: escaped, with <ins>/<del>

_ITEM_RE = re.compile(r"^( *)(•|\d{1,9}[.)]) ?(.*)\Z", re.S)


def _status(old: str | None, new: str | None) -> str:
    return "added" if old is None else "removed" if new is None else "same" if old == new else "changed"


def table_html(pairs: list[Pair], mark: Mark) -> str:
    """A <table>: each aligned row, cell by cell; the first row is the header."""
    rows = []
    for index, (old, new) in enumerate(pairs):
        olds = old.split(" | ") if old is not None else []
        news = new.split(" | ") if new is not None else []
        if old is not None and new is not None and len(olds) != len(news):  # a column came or went: whole text
            cells = [mark(old, new)] + [""] * (max(len(olds), len(news)) - 1)
        else:
            cells = [mark(o, n) for o, n in zip_longest(olds, news)]
        tag = "th" if index == 0 else "td"
        body = "".join(f"<{tag}>{cell}</{tag}>" for cell in cells)
        rows.append(f'<tr class="diff-row-{_status(old, new)}">{body}</tr>')
    head, rest = rows[:1], rows[1:]
    return f'<table><thead>{"".join(head)}</thead><tbody>{"".join(rest)}</tbody></table>'


def _item(line: str) -> tuple[int, bool, str]:
    """Depth, whether ordered, and the text of one list line."""
    m = _ITEM_RE.match(line)
    if m is None:
        return 0, False, line
    return len(m.group(1)) // 2, m.group(2) != "•", m.group(3)


def list_html(pairs: list[Pair], mark: Mark) -> str:
    """Nested <ul>/<ol>: each aligned item, its text marked."""
    out: list[str] = []
    stack: list[str] = []
    for old, new in pairs:
        depth, ordered, _ = _item(new if new is not None else old)
        tag = "ol" if ordered else "ul"
        while len(stack) > depth + 1 or (len(stack) == depth + 1 and stack[-1] != tag):  # deeper, or another kind
            out.append(f"</li></{stack.pop()}>")
        if len(stack) == depth + 1:
            out.append("</li>")
        while len(stack) < depth + 1:
            out.append(f"<{tag}>")
            stack.append(tag)
        text_old = _item(old)[2] if old is not None else None
        text_new = _item(new)[2] if new is not None else None
        out.append(f'<li class="diff-item-{_status(old, new)}">{mark(text_old, text_new)}')
    while stack:
        out.append(f"</li></{stack.pop()}>")
    return "".join(out)
