"""YAML data files -> typed, validated records, by the schemas of `records.DATA_FILES`.

Cross-references to drafts (which come from Markdown) are checked later, at the link stage; each record keeps
the marks of its reference fields for that check. A `SiteData` can be narrowed to the files a kind of page
declares (`only`): reading another file from it is then an error, so a declaration cannot fall behind what
its pages show.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from ..base.errors import ErrorList
from ..base.schema import DataFile, Reader
from ..base.yamlio import Mark, load_yaml
from .records import Retired, DATA_FILES, Document, Expert, Meeting, Milestone
from .sources import read_source_text


EVERY_FILE = "*"  # what a section declares that reads every data file (the translation report)


class UndeclaredData(Exception):
    """A kind of page read a data file it does not declare (a bug in the section's declaration)."""


@dataclass(frozen=True)
class SiteData:
    files: tuple[tuple[str, Path], ...] = ()  # (name, path) of each data file present
    records: dict[str, tuple] = field(default_factory=dict)  # by file name; every schema has an entry
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)
    declared: frozenset[str] | None = None  # the files that may be read; None: all of them
    schemas: tuple[DataFile, ...] = DATA_FILES  # the kinds of data file the site has
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # shared by the narrowed copies
    # by file name, the ids (values of unique fields) of records that did not read: their own errors are reported,
    # and a reference to one of them waits for it instead of being reported as a reference to nothing
    unread: dict[str, frozenset] = field(default_factory=dict)

    def of(self, name: str) -> tuple:
        """The records of the data file `name` (none when the file is absent)."""
        self._check(name)
        return self.records.get(name, ())

    def header(self, name: str, key: str) -> Any:
        self._check(name)
        return self.headers.get(name, {}).get(key)

    def only(self, names: tuple[str, ...]) -> SiteData:
        """This data, of which only the files `names` may be read (EVERY_FILE: all of them)."""
        return replace(self, declared=None if EVERY_FILE in names else frozenset(names))

    def _check(self, name: str) -> None:
        if self.declared is not None and name not in self.declared:
            raise UndeclaredData(f"data file '{name}' is read but not declared (declared: "
                                 f"{', '.join(sorted(self.declared)) or 'none'})")

    def file_path(self, name: str) -> Path | None:
        """Where the data file `name` is (None when the site has none)."""
        return next((path for file, path in self.files if file == name), None)

    @property
    def meetings(self) -> tuple[Meeting, ...]:
        return self.of("meetings")

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        return self.of("timetable")

    @property
    def experts(self) -> tuple[Expert, ...]:
        return self.of("experts")

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.of("documents")

    def meeting_documents(self, ident: str) -> tuple[Document, ...]:
        """The documents that name the meeting `ident` (grouped once for this data and its narrowed copies)."""
        self._check("documents")
        if "by_meeting" not in self.memo:
            grouped: dict[str, list[Document]] = {}
            for document in self.documents:
                if document.meeting is not None:
                    grouped.setdefault(document.meeting.target, []).append(document)
            self.memo["by_meeting"] = {key: tuple(documents) for key, documents in grouped.items()}
        return self.memo["by_meeting"].get(ident, ())

    @property
    def retired(self) -> tuple[Retired, ...]:
        return self.of("retired")


def load_data(files: tuple[tuple[str, Path], ...], languages: tuple[str, ...], errors: ErrorList,
              schemas: tuple[DataFile, ...] = DATA_FILES, read: Callable[..., tuple[tuple, dict]] | None = None
              ) -> SiteData:
    """Read every data file present; all problems go to `errors`. `read`: how one file is read (`read_data_file`,
    or a cache in front of it)."""
    by_name = {schema.name: schema for schema in schemas}
    records: dict[str, tuple] = {schema.name: () for schema in schemas}
    headers: dict[str, dict[str, Any]] = {}
    unread: dict[str, frozenset] = {}
    for name, path in files:
        records[name], headers[name], unread[name] = (read or read_data_file)(by_name[name], path, languages, errors)
    data = SiteData(files, records, headers, None, schemas, unread=unread)
    _check_meeting_refs(data, errors)
    return data


def read_data_file(schema: DataFile, path: Path, languages: tuple[str, ...], errors: ErrorList,
                   data: bytes | None = None) -> tuple[tuple, dict[str, Any], frozenset]:
    """The records and header fields of one data file, and the ids of the records that did not read (`data`: its
    bytes, when the caller has read them)."""
    text = read_source_text(path, errors, data)
    known = len(errors.errors)
    value = load_yaml(text, path, errors) if text is not None else None
    if value is None:
        if text is not None and len(errors.errors) == known:  # (what names its records waits for them)
            errors.add(path, 1, 1, f"{path.name} is empty: write '{schema.list_key}:' and its records, or delete "
                       f"the file", syntax=True)
        return (), {}, frozenset()
    reader = Reader(path, errors, languages)
    top = reader.mapping(value, Mark(1, 1), path.name, (schema.list_key,), schema.header)
    if top is None:
        return (), {}, frozenset()
    header = {key: read(reader, top, key) for key, read in schema.header.items()}
    records, seen, unread = [], {key: {} for key in schema.unique}, set()
    noun, fields = schema.record.split(" ", 1)[1], tuple(schema.fields)
    for item, mark in reader.items(top, schema.list_key):
        node = reader.mapping(item, mark, schema.record, fields[:schema.required], fields[schema.required:])
        record = schema.read(reader, node) if node is not None else None
        if record is None and isinstance(item, dict):
            unread |= {item[key] for key in schema.unique if isinstance(item.get(key), str)}
        elif record is not None and all([_unique(reader, node, seen[key], getattr(record, key), key, noun)
                                         for key in schema.unique]):
            records.append(record)
    return tuple(records), header, frozenset(unread)


def _unique(reader: Reader, node, seen: dict, value, key: str, noun: str) -> bool:
    if value is None:  # an optional field left out
        return True
    mark = reader.value_mark(node, key)
    if value in seen:
        reader.error(mark, f"duplicate {noun} {key} '{value}' (first on line {seen[value]})")
        return False
    seen[value] = mark.line
    return True


def _check_meeting_refs(data: SiteData, errors: ErrorList) -> None:
    known = {meeting.id for meeting in data.meetings} | data.unread.get("meetings", frozenset())
    refs = [m.meeting for m in data.milestones] + [d.meeting for d in data.documents]
    for ref in refs:
        if ref is not None and ref.target not in known:
            errors.add(ref.path, ref.line, ref.col, f"no meeting with id '{ref.target}' in meetings.yaml",
                       follows_from=data.file_path("meetings"))
    symbols = {document.symbol for document in data.documents} | data.unread.get("documents", frozenset())
    for document in data.documents:
        ref = document.superseded_by
        if ref is not None and ref.target == document.symbol:
            errors.add(ref.path, ref.line, ref.col, f"document '{ref.target}' cannot supersede itself")
        elif ref is not None and ref.target not in symbols:
            errors.add(ref.path, ref.line, ref.col, f"no document '{ref.target}' in documents.yaml",
                       "name the symbol of the document that replaced it", follows_from=data.file_path("documents"))
        elif ref is not None and _superseded_by(data, ref.target, document.symbol):
            errors.add(ref.path, ref.line, ref.col, f"'superseded_by' goes round: '{document.symbol}' is superseded by "
                       f"'{ref.target}', which leads back to it (one of them must be current)")


def _superseded_by(data: SiteData, symbol: str, ancestor: str | None) -> bool:
    """Whether the document `symbol`, or what superseded it, is superseded by the document `ancestor`."""
    chain, seen = {d.symbol: d.superseded_by for d in data.documents}, set()
    while symbol in chain and chain[symbol] is not None and symbol not in seen:
        seen.add(symbol)
        symbol = chain[symbol].target
        if symbol == ancestor:
            return True
    return False
