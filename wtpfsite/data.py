"""YAML data files -> typed, validated records (meetings, timetable, experts, documents).

Cross-references to drafts (which come from Markdown) are checked later, in `model.py`;
each record keeps the marks of its reference fields for that check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .dates import DateSpec
from .deps import current_reads, data_key, note
from .errors import ErrorList
from .schema import Reader
from .sources import DATA_FILES, read_source_text
from .text import Text
from .heap import cycle_collector_paused
from .yamlio import Mark, load_yaml

MEETING_STATUSES = ("held", "planned", "postponed")
MILESTONE_KINDS = ("draft-release", "comment-deadline", "nomination-deadline", "consultation-deadline",
                   "meeting", "final-report", "forum")
EXPERT_ROLES = ("chair", "vice-chair", "member")
EXPERT_CATEGORIES = ("member-state", "sector-member", "associate", "academia", "observer")
DOCUMENT_KINDS = ("contribution", "comment", "draft-opinion", "consultation-input", "report", "reference")


@dataclass(frozen=True)
class Ref:
    """A reference to a draft (by number) or a meeting (by id), with where it was written."""

    target: str | int
    path: Path
    line: int
    col: int


@dataclass(frozen=True)
class Meeting:
    id: str
    number: int
    dates: DateSpec
    status: str
    venue: Text | None
    held_with: Text | None
    summary: Text | None
    discussed: tuple[Ref, ...]
    produced: tuple[Ref, ...]


@dataclass(frozen=True)
class Milestone:
    id: str
    date: DateSpec
    kind: str
    title: Text
    note: Text | None
    draft: Ref | None
    meeting: Ref | None


@dataclass(frozen=True)
class Expert:
    name: Text
    role: str
    category: str | None
    country: Text | None
    organization: Text | None


@dataclass(frozen=True)
class Document:
    symbol: str
    title: Text
    source: Text | None
    date: DateSpec | None
    kind: str
    draft: Ref | None
    meeting: Ref | None
    link: str | None
    languages: tuple[str, ...]


@dataclass(frozen=True)
class SiteData:
    meetings: tuple[Meeting, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    experts: tuple[Expert, ...] = ()
    experts_updated: DateSpec | None = None
    documents: tuple[Document, ...] = ()
    files: tuple[tuple[str, Path], ...] = field(default=())

    def __getattribute__(self, name: str):
        # a read of a file's records is a dependency of the output being made (deps.py)
        if name in _FIELD_FILES and current_reads() is not None:
            for file_name in _FIELD_FILES[name]:
                note(data_key(file_name))
        return object.__getattribute__(self, name)


# The data file each field of SiteData comes from; `files` tells which exist (and is read to re-read them).
_FIELD_FILES = {"meetings": ("meetings",), "milestones": ("timetable",), "experts": ("experts",),
                "experts_updated": ("experts",), "documents": ("documents",),
                "files": DATA_FILES}


def load_data(files: tuple[tuple[str, Path], ...], languages: tuple[str, ...], errors: ErrorList) -> SiteData:
    """Read every data file present; all problems go to `errors`."""
    loaded: dict[str, object] = {}
    with cycle_collector_paused():  # the marked YAML and the records: many objects, no cycles
        for name, path in files:
            text = read_source_text(path, errors)
            value = load_yaml(text, path, errors) if text is not None else None
            reader = Reader(path, errors, languages)
            loaded[name] = _READERS[name](reader, value)
    meetings = loaded.get("meetings", ())
    experts, updated = loaded.get("experts", ((), None))
    data = SiteData(meetings, loaded.get("timetable", ()), experts, updated, loaded.get("documents", ()), files)
    _check_meeting_refs(data, errors)
    return data


def _top(reader: Reader, value, list_key: str, extra: tuple[str, ...] = ()):
    node = reader.mapping(value if value is not None else {}, Mark(1, 1), reader.path.name, (list_key,), extra) \
        if value is not None else None
    if value is None:
        return None, []
    return node, reader.items(node, list_key) if node is not None else []


def _ref(reader: Reader, node, key: str, kind: type) -> Ref | None:
    if key not in node:
        return None
    value = reader.integer(node, key, minimum=1) if kind is int else reader.identifier(node, key)
    if value is None:
        return None
    mark = reader.value_mark(node, key)
    return Ref(value, reader.path, mark.line, mark.col)


def _refs(reader: Reader, node, key: str) -> tuple[Ref, ...]:
    refs = []
    for item, mark in reader.items(node, key):
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            reader.error(mark, f"'{key}' must list draft numbers such as 3")
        else:
            refs.append(Ref(item, reader.path, mark.line, mark.col))
    return tuple(refs)


def _unique(reader: Reader, seen: dict, key, node, field_name: str, what: str) -> bool:
    if key is None:
        return False
    if key in seen:
        reader.error(reader.value_mark(node, field_name), f"duplicate {what} '{key}' (first on line {seen[key]})")
        return False
    seen[key] = reader.value_mark(node, field_name).line
    return True


def _read_meetings(reader: Reader, value) -> tuple[Meeting, ...]:
    _, items = _top(reader, value, "meetings")
    meetings, seen, numbers = [], {}, {}
    for item, mark in items:
        node = reader.mapping(item, mark, "a meeting", ("id", "number", "dates", "status"),
                              ("venue", "held_with", "summary", "discussed", "produced"))
        if node is None:
            continue
        ident, number = reader.identifier(node, "id"), reader.integer(node, "number", 1)
        dates = reader.date(node, "dates")
        status = reader.choice(node, "status", MEETING_STATUSES)
        texts = {key: reader.text(node, key) for key in ("venue", "held_with", "summary")}
        refs = {key: _refs(reader, node, key) for key in ("discussed", "produced")}
        if _unique(reader, seen, ident, node, "id", "meeting id") & _unique(reader, numbers, number, node, "number",
                                                                          "meeting number") and dates and status:
            meetings.append(Meeting(ident, number, dates, status, **texts, **refs))
    return tuple(meetings)


def _read_timetable(reader: Reader, value) -> tuple[Milestone, ...]:
    _, items = _top(reader, value, "milestones")
    milestones, seen = [], {}
    for item, mark in items:
        node = reader.mapping(item, mark, "a milestone", ("id", "date", "kind", "title"),
                              ("note", "draft", "meeting"))
        if node is None:
            continue
        ident, date = reader.identifier(node, "id"), reader.date(node, "date")
        kind = reader.choice(node, "kind", MILESTONE_KINDS)
        title, note = reader.text(node, "title"), reader.text(node, "note")
        draft, meeting = _ref(reader, node, "draft", int), _ref(reader, node, "meeting", str)
        if _unique(reader, seen, ident, node, "id", "milestone id") and date and kind and title:
            milestones.append(Milestone(ident, date, kind, title, note, draft, meeting))
    return tuple(milestones)


def _read_experts(reader: Reader, value) -> tuple[tuple[Expert, ...], DateSpec | None]:
    node, items = _top(reader, value, "experts", ("updated",))
    updated = reader.date(node, "updated") if node is not None else None
    experts = []
    for item, mark in items:
        entry = reader.mapping(item, mark, "an expert", ("name", "role"), ("category", "country", "organization"))
        if entry is None:
            continue
        name, role = reader.text(entry, "name"), reader.choice(entry, "role", EXPERT_ROLES)
        category = reader.choice(entry, "category", EXPERT_CATEGORIES)
        country, organization = reader.text(entry, "country"), reader.text(entry, "organization")
        if name and role:
            experts.append(Expert(name, role, category, country, organization))
    return tuple(experts), updated


def _read_documents(reader: Reader, value) -> tuple[Document, ...]:
    _, items = _top(reader, value, "documents")
    documents, seen = [], {}
    for item, mark in items:
        node = reader.mapping(item, mark, "a document", ("symbol", "title", "kind", "languages"),
                              ("source", "date", "draft", "meeting", "link"))
        if node is None:
            continue
        symbol, title = reader.string(node, "symbol"), reader.text(node, "title")
        kind, link = reader.choice(node, "kind", DOCUMENT_KINDS), reader.url(node, "link")
        languages = _languages(reader, node)
        draft, meeting = _ref(reader, node, "draft", int), _ref(reader, node, "meeting", str)
        source, date = reader.text(node, "source"), reader.date(node, "date")
        if _unique(reader, seen, symbol, node, "symbol", "document symbol") and title and kind:
            documents.append(Document(symbol, title, source, date, kind, draft, meeting, link, languages))
    return tuple(documents)


def _languages(reader: Reader, node) -> tuple[str, ...]:
    codes = []
    for item, mark in reader.items(node, "languages", required=True):
        if not isinstance(item, str) or not item:
            reader.error(mark, "'languages' must list language codes such as en, zh, fr")
        else:
            codes.append(item)
    return tuple(codes)


_READERS = {"meetings": _read_meetings, "timetable": _read_timetable, "experts": _read_experts,
            "documents": _read_documents}


def _check_meeting_refs(data: SiteData, errors: ErrorList) -> None:
    known = {meeting.id for meeting in data.meetings}
    refs = [m.meeting for m in data.milestones] + [d.meeting for d in data.documents]
    for ref in refs:
        if ref is not None and ref.target not in known:
            errors.add(ref.path, ref.line, ref.col, f"no meeting with id '{ref.target}' in meetings.yaml")
