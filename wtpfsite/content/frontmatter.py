"""Splitting a Markdown source into its YAML front matter and its body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import ErrorList
from ..base.yamlio import Mark, MarkedMap, load_yaml

_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)  # [^\S\n]: white space as str.rstrip's


@dataclass(frozen=True)
class Split:
    meta: Any  # the marked YAML value (normally a MarkedMap), None when absent or broken
    body: str
    body_first_line: int  # 1-based line of the body's first line in the file


def split_front_matter(text: str, path: Path, errors: ErrorList) -> Split:
    """Front matter sits between a first line '---' and the next line '---' (or '...'). Only the lines up to there
    are looked at: the body is the rest of the text, as it is (not split into lines and joined again)."""
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        errors.add(path, 1, 1, "missing front matter: the file must start with a line '---'",
                   "add '---', 'title: ...' and '---' at the top")
        return Split(None, text, 1)
    close = _CLOSING_FENCE.search(rest)
    if close is None:
        errors.add(path, 1, 1, "front matter is not closed: add a line '---' after it")
        return Split(None, "", text.count("\n") + 2)
    known = len(errors.errors)
    meta = load_yaml(rest[:max(close.start() - 1, 0)], path, errors, line_offset=1)
    if meta is None and len(errors.errors) == known:  # empty: the caller reports what is missing
        meta = MarkedMap()
        meta.mark, meta.key_marks, meta.value_marks = Mark(2, 1), {}, {}
    return Split(meta, rest[close.end() + 1:], rest.count("\n", 0, close.start()) + 3)
