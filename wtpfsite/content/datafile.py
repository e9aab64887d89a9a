"""What a data file is: its schema (`DataFile`), and the references its records make to other records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..base.schema import Reader
from ..base.yamlio import MarkedMap


@dataclass(frozen=True)
class Ref:
    """A reference to a draft (by number) or a meeting (by id), with where it was written."""

    target: str | int
    path: Path
    line: int
    col: int


def ref(reader: Reader, node: MarkedMap, key: str, target: str | int | None) -> Ref | None:
    """A reference to `target` (None: none), placed at the value of `key`."""
    if target is None:
        return None
    mark = reader.value_mark(node, key)
    return Ref(target, reader.path, mark.line, mark.col)


def refs(reader: Reader, node: MarkedMap, key: str, valid: Callable[[Any], bool], example: str) -> tuple[Ref, ...]:
    """The valid items of the list `key`, each placed where it stands; each other one reported ("must list
    <example>")."""
    found = []
    for item, mark in reader.items(node, key):
        if valid(item):
            found.append(Ref(item, reader.path, mark.line, mark.col))
        else:
            reader.error(mark, f"'{key}' must list {example}")
    return tuple(found)


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
