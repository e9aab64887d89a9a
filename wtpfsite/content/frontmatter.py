"""Splitting a Markdown source into its YAML front matter and its body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import ErrorList
from ..base.yamlio import Mark, MarkedMap, load_yaml

FENCE = "---"


@dataclass(frozen=True)
class Split:
    meta: Any  # the marked YAML value (normally a MarkedMap), None when absent or broken
    body: str
    body_first_line: int  # 1-based line of the body's first line in the file


def split_front_matter(text: str, path: Path, errors: ErrorList) -> Split:
    """Front matter sits between a first line '---' and the next line '---' (or '...'). Only the lines up to there
    are looked at: the body is the rest of the text, as it is (not split into lines and joined again)."""
    first = _line_end(text, 0)
    if text[:first].rstrip() != FENCE:
        errors.add(path, 1, 1, "missing front matter: the file must start with a line '---'",
                   "add '---', 'title: ...' and '---' at the top")
        return Split(None, text, 1)
    start = at = min(first + 1, len(text))
    number = 2  # the line at `at`
    while at < len(text):
        end = _line_end(text, at)
        if text[at:end].rstrip() in (FENCE, "..."):
            meta_text = text[start:max(at - 1, start)]
            known = len(errors.errors)
            meta = load_yaml(meta_text, path, errors, line_offset=1)
            if meta is None and len(errors.errors) == known:  # empty: the caller reports what is missing
                meta = MarkedMap()
                meta.mark, meta.key_marks, meta.value_marks = Mark(2, 1), {}, {}
            return Split(meta, text[end + 1:], number + 1)
        at, number = end + 1, number + 1
    errors.add(path, 1, 1, "front matter is not closed: add a line '---' after it")
    return Split(None, "", text.count("\n") + 2)


def _line_end(text: str, start: int) -> int:
    """Where the line starting at `start` ends: its line feed, or the end of the text."""
    end = text.find("\n", start)
    return len(text) if end < 0 else end
