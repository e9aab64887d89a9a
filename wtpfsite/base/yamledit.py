"""Edits of YAML text that keep everything else as it was: comments, quoting, flow or block layout, order.
The YAML is composed (not loaded and dumped again) only to find where each node starts and ends.
"""

from __future__ import annotations

import json
import re
from functools import reduce
from pathlib import Path
from typing import NamedTuple

import yaml


class Edit(NamedTuple):
    start: int  # character offsets into the text
    end: int
    text: str


def read_text(path: Path) -> tuple[str, str]:
    """A file's text with "\n" line ends (a byte-order mark kept), and the line end it had, to write it back with."""
    raw = path.read_bytes().decode("utf-8")
    return raw.replace("\r\n", "\n"), "\r\n" if "\r\n" in raw else "\n"


def compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    """The value of `key` in a mapping node, or item `key` of a sequence node; None when there is none."""
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        return next((value for name, value in node.value if name.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def find(root: yaml.Node | None, path: tuple[str | int, ...]) -> yaml.Node | None:
    """The node at the end of `path` (keys and indexes) from `root`; None when there is none."""
    return reduce(child, path, root)


def scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same text, in a block or a flow (`{en: ..., zh: ...}`): plain
    when it can be, else double-quoted (JSON's string syntax is YAML's too; non-ASCII letters stay as they are)."""
    try:
        if value == value.strip() and not _NOT_PLAIN.search(value) and yaml.safe_load(value) == value:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False).translate(_BREAKS)


_BREAKS = {code: f"\\u{code:04x}" for code in (0x85, 0x2028, 0x2029, 0xFEFF)}  # line breaks to YAML (and a BOM)
_NOT_PLAIN = re.compile("[\n,\\[\\]{}" + "".join(map(chr, _BREAKS)) + "]")  # (a comma or bracket ends a flow value)


def set_value(text: str, mapping: yaml.MappingNode, key: str, scalar: str) -> Edit:
    """The edit that makes the value of `key` in `mapping` `scalar` (YAML text): replaced where it stands, or
    added at the end of the mapping in its own layout (`{en: Home, zh: 首页}`, or one key a line)."""
    current = child(mapping, key)
    if current is not None:  # (a block scalar, `>-` and its lines, runs on to the start of the next line: kept)
        start = current.start_mark.index
        return Edit(start, start + len(text[start:current.end_mark.index].rstrip()), scalar)
    if mapping.flow_style:  # {en: ..., zh: ...}: after the last value, before the closing brace
        close = text.rindex("}", mapping.start_mark.index, mapping.end_mark.index)
        at = len(text[:close].rstrip(" \t"))
        return Edit(at, at, f", {key}: {scalar}")
    last_key, last_value = mapping.value[-1]
    indent = " " * last_key.start_mark.column
    end = last_value.end_mark.index
    if end > 0 and text[end - 1] == "\n":  # a block scalar ends at the start of the next line
        return Edit(end, end, f"{indent}{key}: {scalar}\n")
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return Edit(line_end, line_end, f"\n{indent}{key}: {scalar}")


def apply(text: str, edits: list[Edit]) -> str:
    """`text` with the edits made (they must not overlap); yaml.YAMLError, a bug, when it no longer parses."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    compose(text)  # (the caller writes nothing then)
    return text
