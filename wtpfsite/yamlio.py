"""YAML loading that keeps line and column marks and refuses duplicate keys.

PyYAML's safe loader silently keeps the last of two equal keys and turns `2020-02-30`
into an exception without a position. Here mappings and sequences remember where each
key and item stood, duplicate keys are errors, and dates stay strings for `dates.py`.

Two paths give the same result. The fast one builds the marked values straight from the
parser's events (libyaml's when PyYAML has it), with no node tree, and reads each distinct
plain scalar once. It covers what data files and front matter use: untagged scalars,
mappings and lists in one document. Anything else (a tag, an anchor or alias, a second
document, a syntax error) is left to the full path, which composes nodes and constructs
them, so that its values and messages are the only ones such text ever gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.events import (MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent,
                         StreamEndEvent)

from .errors import ErrorList
from .heap import cycle_collector_paused


class Mark(NamedTuple):
    """Where a value stood. A named tuple: a data file makes one for every key and value."""

    line: int  # 1-based
    col: int  # 1-based


_new_mark = tuple.__new__  # Mark(line, col) without the Python-level __new__: _new_mark(Mark, (line, col))


def mark_of(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class MarkedMap(dict):
    """A dict that knows where it, each key and each value stood in the file."""

    mark: Mark
    key_marks: dict[str, Mark]
    value_marks: dict[str, Mark]


class MarkedList(list):
    """A list that knows where it and each item stood in the file."""

    mark: Mark
    item_marks: list[Mark]


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver (dates are parsed by dates.py)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

if hasattr(yaml, "CSafeLoader"):
    class _FastLoader(yaml.CSafeLoader):
        """The same loader on libyaml's parser: about ten times faster, with the same marks."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # PyYAML built without libyaml
    _FastLoader = _Loader


def _compose(text: str) -> tuple[Any, yaml.Node | None]:
    """The loader and the document's node. Text libyaml cannot parse is parsed again by the
    pure-Python parser, so that problems are reported in its words."""
    if _FastLoader is not _Loader:
        fast = _FastLoader(text)
        try:
            return fast, fast.get_single_node()
        except yaml.YAMLError:
            fast.dispose()
    loader = _Loader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        loader.dispose()
        raise


@dataclass
class _Context:
    loader: Any  # _Loader or _FastLoader
    errors: ErrorList
    path: Path
    seen: set[int]


def _construct(ctx: _Context, node: yaml.Node) -> Any:
    if id(node) in ctx.seen and not isinstance(node, yaml.ScalarNode):
        m = mark_of(node)
        ctx.errors.add(ctx.path, m.line, m.col, "YAML aliases of mappings or lists (*name) are not supported")
        return None
    ctx.seen.add(id(node))
    loader, errors, path = ctx.loader, ctx.errors, ctx.path
    if isinstance(node, yaml.MappingNode):
        result = MarkedMap()
        result.mark, result.key_marks, result.value_marks = mark_of(node), {}, {}
        for key_node, value_node in node.value:
            key = _construct(ctx, key_node)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                m = mark_of(key_node)
                errors.add(path, m.line, m.col, "a key must be a plain value")
                continue
            key = str(key)
            if key in result:
                m, first = mark_of(key_node), result.key_marks[key]
                errors.add(path, m.line, m.col, f"duplicate key '{key}' (first defined on line {first.line})")
                continue
            result[key] = _construct(ctx, value_node)
            result.key_marks[key] = mark_of(key_node)
            result.value_marks[key] = mark_of(value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = MarkedList(_construct(ctx, item) for item in node.value)
        items.mark, items.item_marks = mark_of(node), [mark_of(item) for item in node.value]
        return items
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):  # a tag: !!int abc
        m = mark_of(node)
        errors.add(path, m.line, m.col, f"'{node.value}' cannot be read as {node.tag.rsplit(':', 1)[-1]}")
        return None


_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float"))
_PLAIN = _Loader("")  # never parses: its resolver and constructors read plain scalars as the full path does


class _Unusual(Exception):
    """Text the fast path leaves to the full path (see the module's docstring)."""


def _plain_value(text: str) -> Any:
    """What _Loader makes of a plain scalar: None, a bool, an int, a float or the text."""
    tag = _PLAIN.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        return text
    if tag not in _PLAIN_TAGS:  # '<<' and '=': tags no constructor knows
        raise _Unusual(tag)
    try:
        return _PLAIN.yaml_constructors[tag](_PLAIN, yaml.ScalarNode(tag, text))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):  # 0x_
        raise _Unusual(tag) from None


class _Builder:
    """Marked values from the parser's events, in document order, as `_construct` makes them from nodes.

    Problems are kept in `problems` and reported only once the whole document is known to be usual.
    """

    def __init__(self, next_event):
        self.next_event = next_event
        self.problems: list[tuple[Mark, str]] = []
        self.plain: dict[str, Any] = {}  # each distinct plain scalar is resolved once

    def value(self, event) -> Any:
        kind = event.__class__
        if kind is ScalarEvent:
            if event.tag is not None or event.anchor is not None:
                raise _Unusual("a tag or an anchor")
            text = event.value
            if not event.implicit[0]:  # quoted or block scalar: text
                return text
            try:
                return self.plain[text]
            except KeyError:
                value = self.plain[text] = _plain_value(text)
                return value
        if kind is MappingStartEvent:
            return self.mapping(event)
        if kind is SequenceStartEvent:
            return self.sequence(event)
        raise _Unusual("an alias")

    def mapping(self, start) -> MarkedMap:
        if start.tag is not None or start.anchor is not None:
            raise _Unusual("a tag or an anchor")
        next_event, value = self.next_event, self.value
        result = MarkedMap()
        mark = start.start_mark
        result.mark = _new_mark(Mark, (mark.line + 1, mark.column + 1))
        result.key_marks = key_marks = {}
        result.value_marks = value_marks = {}
        while True:
            event = next_event()
            if event.__class__ is MappingEndEvent:
                return result
            key = value(event)
            mark = event.start_mark
            key_mark = _new_mark(Mark, (mark.line + 1, mark.column + 1))
            if key.__class__ is not str:
                if not isinstance(key, (str, int, float, bool)):  # None, a mapping or a list
                    self.problems.append((key_mark, "a key must be a plain value"))
                    self.skip()
                    continue
                key = str(key)
            if key in result:
                self.problems.append((key_mark, f"duplicate key '{key}' (first defined on line {key_marks[key].line})"))
                self.skip()
                continue
            event = next_event()
            mark = event.start_mark
            result[key] = value(event)
            key_marks[key] = key_mark
            value_marks[key] = _new_mark(Mark, (mark.line + 1, mark.column + 1))

    def sequence(self, start) -> MarkedList:
        if start.tag is not None or start.anchor is not None:
            raise _Unusual("a tag or an anchor")
        next_event, value = self.next_event, self.value
        items = MarkedList()
        mark = start.start_mark
        items.mark = _new_mark(Mark, (mark.line + 1, mark.column + 1))
        items.item_marks = marks = []
        while True:
            event = next_event()
            if event.__class__ is SequenceEndEvent:
                return items
            mark = event.start_mark
            marks.append(_new_mark(Mark, (mark.line + 1, mark.column + 1)))
            items.append(value(event))

    def skip(self) -> None:
        """Read past the next value, dropping its problems: the full path never constructs it."""
        problems, self.problems = self.problems, []
        self.value(self.next_event())
        self.problems = problems


def _load_fast(text: str) -> tuple[Any, list[tuple[Mark, str]]]:
    """The document's value and its problems; raises _Unusual or yaml.YAMLError for the full path."""
    parser = _FastLoader(text)
    try:
        next_event = parser.get_event
        next_event()  # the stream's start
        if next_event().__class__ is StreamEndEvent:  # else a document's start
            return None, []
        builder = _Builder(next_event)
        value = builder.value(next_event())
        next_event()  # the document's end
        if next_event().__class__ is not StreamEndEvent:
            raise _Unusual("another document")
        return value, builder.problems
    finally:
        parser.dispose()


def _load_full(text: str, path: Path, errors: ErrorList, line_offset: int) -> Any:
    """Compose the nodes and construct them: any YAML at all, every problem in PyYAML's words."""
    loader = None
    try:
        loader, node = _compose(text)
        if node is None:
            return None
        return _construct(_Context(loader, errors, path, set()), node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1 + line_offset, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        errors.add(path, line, col, f"YAML syntax error: {problem}")
        return None
    except yaml.YAMLError as exc:  # errors without a mark (rare): still reported with the file
        errors.add(path, 1 + line_offset, 1, f"YAML error: {exc}")
        return None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(text: str, path: Path, errors: ErrorList, line_offset: int = 0) -> Any:
    """Parse one YAML document. Syntax errors are added to `errors` and give None.

    `line_offset` shifts reported lines, for YAML embedded in a larger file (front matter):
    the text is parsed after that many empty lines, so every mark and every message agrees.
    """
    text = "\n" * line_offset + text
    with cycle_collector_paused():
        try:
            value, problems = _load_fast(text)
        except (_Unusual, yaml.YAMLError, RecursionError):  # RecursionError: the full path nests less deeply
            return _load_full(text, path, errors, line_offset)
    for mark, message in problems:
        errors.add(path, mark.line, mark.col, message)
    return value
