"""The site's data files: one schema each (meetings, timetable, experts, documents, retired URLs, translation
records), and `DATA_FILES`, the registry the rest of the generator takes them from. A new data file is a record
type and one `DataFile` entry here, which says how each field is read (docs/architecture.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..base.dates import DateSpec
from ..base.schema import DataFile, Field, Reader, Ref
from ..base.text import Text
from ..base.yamlio import MarkedMap

MEETING_STATUSES = ("held", "planned", "postponed", "cancelled")
DOCUMENT_STATUSES = ("current", "withdrawn", "superseded")
MILESTONE_KINDS = ("draft-release", "comment-deadline", "nomination-deadline", "consultation-deadline",
                   "meeting", "final-report", "forum")
REVISION = re.compile(r"^[0-9a-f]{12}\Z")  # a text's revision (base.text.text_revision), a page's too
EXPERT_ROLES = ("chair", "vice-chair", "member")
EXPERT_CATEGORIES = ("member-state", "sector-member", "associate", "academia", "observer")
DOCUMENT_KINDS = ("contribution", "comment", "draft-opinion", "consultation-input", "report", "reference")


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
    proposed: bool = False  # its dates come from a proposed timetable not (yet) agreed on
    new_dates: DateSpec | None = None  # a postponed meeting's new dates, once they are known
    aliases: tuple[Ref, ...] = ()  # the paths its page was published at before (site/aliases.py)
    at: Ref | None = None  # where its record is written

    @property
    def called_off(self) -> bool:
        """Postponed or cancelled: it will not take place at its dates (not the next milestone)."""
        return self.status in ("postponed", "cancelled")


@dataclass(frozen=True)
class Milestone:
    id: str
    date: DateSpec
    kind: str
    title: Text
    note: Text | None
    draft: Ref | None
    meeting: Ref | None
    proposed: bool = False  # its date comes from a proposed timetable not (yet) agreed on


@dataclass(frozen=True)
class Expert:
    name: Text
    role: str
    category: str | None
    country: Text | None
    organization: Text | None


@dataclass(frozen=True)
class Document:
    symbol: str | None  # None: the document has no symbol (or none is known); never make one up
    title: Text
    source: Text | None
    date: DateSpec | None
    kind: str
    draft: Ref | None
    meeting: Ref | None
    link: str | None
    languages: tuple[str, ...]  # empty: not known
    status: str = "current"
    superseded_by: Ref | None = None  # the symbol of the document that replaced it
    aliases: tuple[Ref, ...] = ()  # former paths that lead to the documents page (site/aliases.py)


@dataclass(frozen=True)
class Retired:
    """A URL published once and given up on purpose: the build no longer reports that it is gone."""

    path: str  # the site path, as published: 'en/about/' (a folder's path: everything under it too)
    reason: str | None


@dataclass(frozen=True)
class Translated:
    """That the translation of one text into `lang` was made from revision `revision` of its original: written by
    `build.py translated` and `import-po`, read by the translation report and `export-po`."""

    text: str  # which text, as a PO file's msgctxt names it: "meetings.yaml ieg-1 summary", "strings.yaml nav.home"
    lang: str
    revision: str
    line: int = 0  # where the record stands in its file


def _retired_path(reader: Reader, node: MarkedMap, key: str) -> str | None:
    """A path of this site, as published: '/en/about' -> 'en/about/'; a file ('/en/old.html') stays a file."""
    path = reader.string(node, key)
    if path is not None and (not path.strip() or "://" in path):
        reader.error(reader.value_mark(node, key), f"'{key}' must be a path of this site such as /en/about/, "
                     f"not '{path}'")
        return None
    path = path.strip().lstrip("/") if path is not None else None
    return path if not path or path.endswith("/") or "." in path.rsplit("/", 1)[-1] else path + "/"


def _one_of(choices: tuple[str, ...], default: str | None = None) -> Field:
    return lambda reader, node, key: reader.choice(node, key, choices, default)


def _draft(reader: Reader, node: MarkedMap, key: str) -> Ref | None:
    """A reference to a draft, by number."""
    return reader.ref(node, key, reader.integer(node, key))


def _meeting(reader: Reader, node: MarkedMap, key: str) -> Ref | None:
    """A reference to a meeting, by id."""
    return reader.ref(node, key, reader.identifier(node, key))


def aliases(reader: Reader, node: MarkedMap, key: str = "aliases") -> tuple[Ref, ...]:
    """Former paths of a page inside the language trees ('about/'), checked for their form by the link stage
    (site/aliases.py)."""
    listed = reader.refs(node, key, lambda item: isinstance(item, str) and bool(item.strip()),
                         "former paths such as about/")
    return tuple(replace(found, target=found.target.strip()) for found in listed)


def draft_refs(reader: Reader, node: MarkedMap, key: str) -> tuple[Ref, ...]:
    return reader.refs(node, key, lambda item: not isinstance(item, bool) and isinstance(item, int) and item >= 1,
                       "draft numbers such as 3")


def _languages(reader: Reader, node: MarkedMap, key: str) -> tuple[str, ...]:
    listed = reader.refs(node, key, lambda item: isinstance(item, str) and bool(item),
                         "language codes such as en, zh, fr")
    return tuple(found.target for found in listed)


def _check_meeting(reader: Reader, node: MarkedMap, values: dict[str, Any]) -> None:
    new_dates, dates = values["new_dates"], values["dates"]
    if new_dates is not None and values["status"] != "postponed":
        reader.error(reader.value_mark(node, "new_dates"), "'new_dates' is only for a meeting with status postponed")
    if new_dates is not None and dates is not None and new_dates.start <= dates.start:
        reader.error(reader.value_mark(node, "new_dates"),
                     f"'new_dates' ({new_dates.source}) must be after 'dates' ({dates.source})")
    values["at"] = Ref(values["id"], reader.path, node.mark.line, node.mark.col)


def _check_document(reader: Reader, node: MarkedMap, values: dict[str, Any]) -> None:
    superseded = values["status"] == "superseded"
    if "superseded_by" in node and not superseded:
        reader.error(reader.value_mark(node, "superseded_by"), "'superseded_by' is only for a document with status "
                     "superseded")
        values["superseded_by"] = None
    elif "superseded_by" not in node and superseded:
        reader.error(reader.value_mark(node, "status"),
                     "a superseded document names the symbol that replaced it in 'superseded_by'")


DATA_FILES = (
    DataFile("experts", "experts", "an expert",
             {"name": Reader.text, "role": _one_of(EXPERT_ROLES), "category": _one_of(EXPERT_CATEGORIES),
              "country": Reader.text, "organization": Reader.text}, 2, Expert,
             label=lambda expert, index, default: f"expert '{expert.name.get(default, default).value}'",
             header={"updated": Reader.date, "nominated": Reader.text, "nominated_list": Reader.url}),
    DataFile("meetings", "meetings", "a meeting",
             {"id": Reader.identifier, "number": Reader.integer, "dates": Reader.date,
              "status": _one_of(MEETING_STATUSES), "venue": Reader.text, "held_with": Reader.text,
              "summary": Reader.text, "discussed": draft_refs, "produced": draft_refs, "proposed": Reader.boolean,
              "new_dates": Reader.date, "aliases": aliases}, 4, Meeting, _check_meeting,
             unique=("id", "number"),
             label=lambda meeting, index, default: f"meeting '{meeting.id}'"),
    DataFile("timetable", "milestones", "a milestone",
             {"id": Reader.identifier, "date": Reader.date, "kind": _one_of(MILESTONE_KINDS), "title": Reader.text,
              "note": Reader.text, "draft": _draft, "meeting": _meeting, "proposed": Reader.boolean}, 4, Milestone,
             unique=("id",),
             label=lambda milestone, index, default: f"milestone '{milestone.id}'"),
    DataFile("documents", "documents", "a document",
             {"title": Reader.text, "kind": _one_of(DOCUMENT_KINDS), "symbol": Reader.string, "source": Reader.text,
              "date": Reader.date, "draft": _draft, "meeting": _meeting, "link": Reader.url, "languages": _languages,
              "status": _one_of(DOCUMENT_STATUSES, "current"),
              "superseded_by": lambda reader, node, key: reader.ref(node, key, reader.string(node, key) or None),
              "aliases": aliases}, 2, Document, _check_document,
             unique=("symbol",),
             label=lambda document, index, default:
             f"document '{document.symbol or document.title.get(default, default).value}'"),
    DataFile("retired", "retired", "a retired URL", {"path": _retired_path, "reason": Reader.string}, 1, Retired,
             unique=("path",), label=lambda retired, index, default: f"retired URL '/{retired.path}'"),
    DataFile("translated", "translated", "a translation record",
             {"text": Reader.string, "lang": Reader.string,
              "revision": lambda reader, node, key: reader.matching(node, key, REVISION, "a revision such as "
                                                                    "3f2a9c0d1b4e")}, 3, Translated,
             lambda reader, node, values: values.update(line=node.mark.line),
             label=lambda record, index, default: f"translation record '{record.text}' ({record.lang})"),
)
