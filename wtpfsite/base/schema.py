"""Reading validated fields out of marked YAML, reporting every problem with its place; what a data file is
(`DataFile`, its schema) and the references its records make to other records (`Ref`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Callable, Iterable

from .dates import DateSpec, parse_date_spec
from .errors import ErrorList, did_you_mean
from .text import Text
from .yamlio import Mark, MarkedList, MarkedMap

IDENTIFIER = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: "$" allows a final newline
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")  # BCP 47: "en", "zh-Hant"
SAFE_URL = re.compile(r"^\s*(https?://[^\s<>\"]+|mailto:[^\s<>\"]+)\s*\Z", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # not text; invalid in XML (the feeds)


def _control_character(value: str) -> str | None:
    match = _CONTROL.search(value)
    return f"U+{ord(match.group()):04X}" if match else None


_TYPE_NAMES = {MarkedMap: "a mapping", MarkedList: "a list", type(None): "nothing", bool: "true/false",
               int: "a number", float: "a number", str: "text"}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), "a value")


@dataclass(frozen=True)
class Ref:
    """A reference to another record (a draft by number, a meeting by id...), with where it was written."""

    target: str | int
    path: Path
    line: int
    col: int


@dataclass
class Reader:
    """Validates one file's YAML values; problems go to `errors` with this file's path."""

    path: Path
    errors: ErrorList
    languages: tuple[str, ...]

    def error(self, mark: Mark, message: str, hint: str | None = None) -> None:
        self.errors.add(self.path, mark.line, mark.col, message, hint)

    def value_mark(self, node: MarkedMap, key: str) -> Mark:
        return node.value_marks.get(key, node.mark)

    def mapping(self, value: Any, mark: Mark, what: str, required: tuple[str, ...],
                optional: Iterable[str]) -> MarkedMap | None:
        """Check `value` is a mapping with the required keys and no unknown ones."""
        if not isinstance(value, MarkedMap):
            self.error(mark, f"{what} must be a mapping, not {_type_name(value)}")
            return None
        known, misspelt = set(required) | set(optional), set()
        for key in value:
            if key not in known:
                close = get_close_matches(key, sorted(known), n=1, cutoff=0.6)
                misspelt.update(close)
                self.error(value.key_marks[key], f"unknown field '{key}' in {what}",
                           f"did you mean '{close[0]}'?" if close else None)
        for key in required:
            if key not in value and key not in misspelt:  # (a misspelt one's error says what to write)
                self.error(value.mark, f"{what} is missing the required field '{key}'")
        return value

    def items(self, node: MarkedMap, key: str) -> list[tuple[Any, Mark]]:
        """The items of a list field, each with its mark (none when it is absent or empty)."""
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, MarkedList):
            self.error(self.value_mark(node, key), f"'{key}' must be a list, not {_type_name(value)}")
            return []
        return list(zip(value, value.item_marks))

    def string(self, node: MarkedMap, key: str, nonempty: bool = False) -> str | None:
        return self._text(self.value_mark(node, key), key, node[key], "text", nonempty) if key in node else None

    def _text(self, mark: Mark, name: str, value: Any, expected: str, nonempty: bool = False) -> str | None:
        """`value` as text (a number too); reported when it is another kind of value, has a control character, or
        is only white space when `nonempty`."""
        text = _as_text(value)
        if text is None:
            self.error(mark, f"'{name}' must be {expected}, not {_type_name(value)}", _BOOLEAN_HINT
                       if isinstance(value, bool) else None)
        elif control := _control_character(text):
            self.error(mark, f"'{name}' contains a control character ({control})")
        elif nonempty and not text.strip():
            self.error(mark, f"'{name}' must not be empty")
        else:
            return text
        return None

    def integer(self, node: MarkedMap, key: str) -> int | None:
        if key not in node:
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(self.value_mark(node, key), f"'{key}' must be a whole number of at least 1")
            return None
        return value

    def boolean(self, node: MarkedMap, key: str, default: bool = False) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.error(self.value_mark(node, key), f"'{key}' must be true or false")
            return default
        return value

    def choice(self, node: MarkedMap, key: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.string(node, key)
        if value is None:
            return default
        if value not in choices:
            self.error(self.value_mark(node, key), f"'{key}' must be one of {', '.join(choices)}, not '{value}'",
                       did_you_mean(value, choices))
            return default
        return value

    def matching(self, node: MarkedMap, key: str, pattern: re.Pattern, what: str) -> str | None:
        """A text field of the form `pattern` (`what` it must be, in messages), without white space around it."""
        value = self.string(node, key)
        if value is not None and not pattern.match(value):
            self.error(self.value_mark(node, key), f"'{key}' must be {what}, not '{value}'")
            return None
        return value.strip() if value is not None else None

    def identifier(self, node: MarkedMap, key: str) -> str | None:
        return self.matching(node, key, IDENTIFIER, "lower-case letters, digits and single hyphens")

    def url(self, node: MarkedMap, key: str) -> str | None:
        return self.matching(node, key, SAFE_URL, "an http, https or mailto link")

    def ref(self, node: MarkedMap, key: str, target: str | int | None) -> Ref | None:
        """A reference to `target` (None: none), placed at the value of `key`."""
        if target is None:
            return None
        mark = self.value_mark(node, key)
        return Ref(target, self.path, mark.line, mark.col)

    def refs(self, node: MarkedMap, key: str, valid: Callable[[Any], bool], example: str) -> tuple[Ref, ...]:
        """The valid items of the list `key`, each placed where it stands; each other one reported ("must list
        <example>")."""
        found = []
        for item, mark in self.items(node, key):
            if valid(item):
                found.append(Ref(item, self.path, mark.line, mark.col))
            else:
                self.error(mark, f"'{key}' must list {example}")
        return tuple(found)

    def date(self, node: MarkedMap, key: str) -> DateSpec | None:
        if key not in node:
            return None
        if isinstance(node[key], (MarkedMap, MarkedList)):
            self.error(self.value_mark(node, key), f"'{key}' must be a day such as 2020-09-14 or a range such as "
                       f"2020-09-14/2020-09-16, not {_type_name(node[key])}")
            return None
        try:
            return parse_date_spec(node[key])
        except ValueError as exc:
            self.error(self.value_mark(node, key), f"'{key}': {exc}")
            return None

    def text(self, node: MarkedMap, key: str) -> Text | None:
        """A plain string, or a mapping from language code to string."""
        if key not in node:
            return None
        value, mark = node[key], self.value_mark(node, key)
        if isinstance(value, MarkedMap):
            return self._by_language(key, value, mark)
        text = self._text(mark, key, value, "text or a mapping by language", nonempty=True)
        return Text.plain(text.strip()) if text is not None else None

    def _by_language(self, key: str, value: MarkedMap, mark: Mark) -> Text | None:
        result: dict[str, str] = {}
        for lang, item in value.items():
            item_mark = value.value_marks[lang]
            if lang not in self.languages:
                hint = ("put text that contains ', ' or ': ' in quotes" if " " in lang
                        else did_you_mean(lang, self.languages))
                self.error(value.key_marks[lang], f"unknown language '{lang}' in '{key}'", hint)
            elif (text := _as_text(item)) is None or not text.strip():
                self.error(item_mark, f"'{key}.{lang}' must be non-empty text",
                           _BOOLEAN_HINT if isinstance(item, bool) else None)
            elif control := _control_character(text):
                self.error(item_mark, f"'{key}.{lang}' contains a control character ({control})")
            else:
                result[lang] = text.strip()
        return Text.by_language(result, mark) if result else None


_BOOLEAN_HINT = "YAML reads yes, no, on, off, true and false as true/false: put the text in quotes ('NO')"


def _as_text(value: Any) -> str | None:
    """Text or a number as text; None for true/false, nothing, a mapping or a list."""
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


Field = Callable[[Reader, MarkedMap, str], Any]  # reads one field of a record: Reader.text, Reader.date...


@dataclass(frozen=True)
class DataFile:
    """The schema of one file `content/data/<name>.yaml`: a mapping whose `list_key` lists the records.

    `fields` reads each field of a record, the `required` ones first; `check` reports what is wrong across fields
    (and may change what was read); `make` makes the record from the fields by name, when every required one was
    read. `header` reads the file's other top-level fields, as `fields` does.
    """

    name: str
    list_key: str
    record: str  # what one record is called in messages: "a meeting"
    fields: dict[str, Field]
    required: int
    make: Callable[..., Any]  # the record type
    check: Callable[[Reader, MarkedMap, dict[str, Any]], None] | None = None
    unique: tuple[str, ...] = ()  # the record attributes no two records may share
    label: Callable[[Any, int, str], str] = lambda record, index, default: str(index + 1)  # a record in messages
    header: dict[str, Field] = field(default_factory=dict)

    @property
    def texts(self) -> tuple[str, ...]:
        """The fields that are texts by language (read by `Reader.text`), for the translation report."""
        return tuple(key for key, read in self.fields.items() if read is Reader.text)

    def read(self, reader: Reader, node: MarkedMap) -> Any:
        """One record; None when it has errors (all reported through the reader)."""
        values = {key: read(reader, node, key) for key, read in self.fields.items()}
        if self.check is not None:
            self.check(reader, node, values)
        return None if None in list(values.values())[:self.required] else self.make(**values)
