"""YAML loading that keeps line and column marks and refuses duplicate keys.

PyYAML's safe loader silently keeps the last of two equal keys and turns `2020-02-30`
into an exception without a position. Here mappings and sequences remember where each
key and item stood, duplicate keys are errors, and dates stay strings for `dates.py`.
Documents are composed with libyaml when PyYAML has it; text it refuses is parsed again by
the pure-Python parser, so that problems are reported in its words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .errors import ErrorList


class Mark(NamedTuple):
    """Where a value stood."""

    line: int  # 1-based
    col: int  # 1-based


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
        """The same loader on libyaml's parser, with the same marks."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # PyYAML built without libyaml
    _FastLoader = _Loader


def _compose(text: str) -> tuple[Any, yaml.Node | None]:
    """The loader and the document's node (libyaml's, else the pure-Python parser's: see the module's docstring)."""
    for loader_class in dict.fromkeys((_FastLoader, _Loader)):  # (one class when PyYAML has no libyaml)
        loader = loader_class(text)
        try:
            return loader, loader.get_single_node()
        except yaml.YAMLError:
            loader.dispose()
            if loader_class is _Loader:
                raise


_STR = "tag:yaml.org,2002:str"


@dataclass
class _Constructor:
    """Makes the marked values of a composed document; its problems go to `errors`."""

    loader: Any  # _Loader or _FastLoader
    errors: ErrorList
    path: Path
    seen: set[int] = field(default_factory=set)  # the mappings and lists made (one met again is an alias)

    def error(self, node: yaml.Node, message: str) -> None:
        mark = mark_of(node)
        self.errors.add(self.path, mark.line, mark.col, message)

    def value(self, node: yaml.Node) -> Any:
        if type(node) is yaml.ScalarNode:
            return node.value if node.tag == _STR else self.scalar(node)
        if id(node) in self.seen:
            self.error(node, "YAML aliases of mappings or lists (*name) are not supported")
            return None
        self.seen.add(id(node))
        if not isinstance(node, yaml.MappingNode):
            items = MarkedList([self.value(item) for item in node.value])
            items.mark, items.item_marks = mark_of(node), [mark_of(item) for item in node.value]
            return items
        result = MarkedMap()
        result.mark, result.key_marks, result.value_marks = mark_of(node), {}, {}
        key_marks, value_marks = result.key_marks, result.value_marks
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if not isinstance(key, (str, int, float, bool)):  # (not None, a mapping or a list)
                self.error(key_node, "a key must be a plain value")
                continue
            key = str(key)
            if key in result:
                self.error(key_node, f"duplicate key '{key}' (first defined on line {key_marks[key].line})")
                continue
            result[key] = self.value(value_node)
            key_marks[key], value_marks[key] = mark_of(key_node), mark_of(value_node)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        """A scalar other than a string: a number, a boolean, null, or a value with an explicit tag."""
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):  # a tag: !!int abc
            self.error(node, f"'{node.value}' cannot be read as {node.tag.rsplit(':', 1)[-1]}")
            return None


_INDENTATION_PROBLEMS = ("mapping values are not allowed", "did not find expected key",
                         "expected <block end>", "did not find expected '-' indicator")


def _syntax_hint(problem: str, line: str) -> str | None:
    """What an editor can do about a YAML syntax error on `line`, in an editor's words (None: the message says it)."""
    if problem.startswith("found character '\\t'"):
        return "YAML indents with spaces: replace the tab with spaces"
    if problem.startswith("mapping values are not allowed") and line.count(": ") > 1:
        key, _, value = line.partition(": ")
        return f"a value with ': ' in it goes in quotes: {key.strip()}: \"{value.strip()}\""
    if problem.startswith(_INDENTATION_PROBLEMS):
        return "check this line's indentation against the lines above"
    return None


def load_yaml(text: str, path: Path, errors: ErrorList, line_offset: int = 0) -> Any:
    """Parse one YAML document. Syntax errors are added to `errors` and give None.

    `line_offset` shifts reported lines, for YAML embedded in a larger file (front matter):
    the text is parsed after that many empty lines, so every mark and every message agrees.
    """
    text = "\n" * line_offset + text
    loader = None
    try:
        loader, node = _compose(text)
        if node is None:
            return None
        return _Constructor(loader, errors, path).value(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1 + line_offset, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        lines = text.split("\n")
        hint = _syntax_hint(problem, lines[line - 1] if 0 < line <= len(lines) else "")
        errors.add(path, line, col, f"YAML syntax error: {problem}", hint, syntax=True)
        return None
    except yaml.YAMLError as exc:  # errors without a mark (rare): still reported with the file
        errors.add(path, 1 + line_offset, 1, f"YAML error: {exc}")
        return None
    finally:
        if loader is not None:
            loader.dispose()
