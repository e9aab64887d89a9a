"""Splitting a Markdown source into its YAML front matter and its body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ErrorList
from .yamlio import Mark, MarkedMap, load_yaml

FENCE = "---"


@dataclass(frozen=True)
class Split:
    meta: Any  # the marked YAML value (normally a MarkedMap), None when absent or broken
    body: str
    body_first_line: int  # 1-based line of the body's first line in the file


def split_front_matter(text: str, path: Path, errors: ErrorList) -> Split:
    """Front matter sits between a first line '---' and the next line '---'."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        errors.add(path, 1, 1, "missing front matter: the file must start with a line '---'",
                   "add '---', 'title: ...' and '---' at the top")
        return Split(None, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            meta_text = "\n".join(lines[1:index])
            known = len(errors.errors)
            meta = load_yaml(meta_text, path, errors, line_offset=1)
            if meta is None and len(errors.errors) == known:  # empty: the caller reports what is missing
                meta = MarkedMap()
                meta.mark, meta.key_marks, meta.value_marks = Mark(2, 1), {}, {}
            return Split(meta, "\n".join(lines[index + 1:]), index + 2)
    errors.add(path, 1, 1, "front matter is not closed: add a line '---' after it")
    return Split(None, "", len(lines) + 1)
