"""The site's data files: one schema each (meetings, timetable, experts, documents), and `DATA_FILES`, the
registry the rest of the generator takes them from. A new data file is a record type, its reader and one
`DataFile` entry here (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..base.dates import DateSpec
from ..base.schema import Reader
from ..base.text import Text
from ..base.yamlio import MarkedMap
from .datafile import DataFile, Ref, ref, refs

MEETING_STATUSES = ("held", "planned", "postponed", "cancelled")
DOCUMENT_STATUSES = ("current", "withdrawn", "superseded")
MILESTONE_KINDS = ("draft-release", "comment-deadline", "nomination-deadline", "consultation-deadline",
                   "meeting", "final-report", "forum")
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

    path: str  # the site path, as published: 'en/about/'
    reason: str | None


def retired_path(value: str) -> str:
    """'/en/about' -> 'en/about/'; a file ('/en/old.html') stays a file."""
    path = value.strip().lstrip("/")
    last = path.rsplit("/", 1)[-1]
    return path if not last or "." in last else path + "/"


def _read_retired(reader: Reader, node: MarkedMap) -> Retired | None:
    path, reason = reader.string(node, "path"), reader.string(node, "reason")
    if path is not None and (not path.strip() or "://" in path):
        reader.error(reader.value_mark(node, "path"), f"'path' must be a path of this site such as /en/about/, "
                     f"not '{path}'")
        return None
    return Retired(retired_path(path), reason) if path is not None else None


def _draft_and_meeting(reader: Reader, node: MarkedMap) -> tuple[Ref | None, Ref | None]:
    """A record's references to a draft (field `draft`, by number) and a meeting (`meeting`, by id)."""
    return (ref(reader, node, "draft", reader.integer(node, "draft", minimum=1)),
            ref(reader, node, "meeting", reader.identifier(node, "meeting")))


def aliases(reader: Reader, node: MarkedMap) -> tuple[Ref, ...]:
    """Former paths of a page inside the language trees ('about/'), checked for their form by the link stage
    (site/aliases.py)."""
    listed = refs(reader, node, "aliases", lambda item: isinstance(item, str) and bool(item.strip()),
                  "former paths such as about/")
    return tuple(replace(found, target=found.target.strip()) for found in listed)


def draft_refs(reader: Reader, node: MarkedMap, key: str) -> tuple[Ref, ...]:
    return refs(reader, node, key, lambda item: not isinstance(item, bool) and isinstance(item, int) and item >= 1,
                "draft numbers such as 3")


def _read_meeting(reader: Reader, node: MarkedMap) -> Meeting | None:
    ident, number = reader.identifier(node, "id"), reader.integer(node, "number", 1)
    dates = reader.date(node, "dates")
    status = reader.choice(node, "status", MEETING_STATUSES)
    texts = {key: reader.text(node, key) for key in ("venue", "held_with", "summary")}
    refs = {key: draft_refs(reader, node, key) for key in ("discussed", "produced")}
    proposed = reader.boolean(node, "proposed", False)
    new_dates = reader.date(node, "new_dates")
    if new_dates is not None and status != "postponed":
        reader.error(reader.value_mark(node, "new_dates"), "'new_dates' is only for a meeting with status postponed")
    if new_dates is not None and dates is not None and new_dates.start <= dates.start:
        reader.error(reader.value_mark(node, "new_dates"),
                     f"'new_dates' ({new_dates.source}) must be after 'dates' ({dates.source})")
    former = aliases(reader, node)
    if ident is None or number is None or dates is None or status is None:
        return None
    return Meeting(ident, number, dates, status, **texts, **refs, proposed=proposed, new_dates=new_dates,
                   aliases=former, at=Ref(ident, reader.path, node.mark.line, node.mark.col))


def _read_milestone(reader: Reader, node: MarkedMap) -> Milestone | None:
    ident, date = reader.identifier(node, "id"), reader.date(node, "date")
    kind = reader.choice(node, "kind", MILESTONE_KINDS)
    title, note = reader.text(node, "title"), reader.text(node, "note")
    draft, meeting = _draft_and_meeting(reader, node)
    proposed = reader.boolean(node, "proposed", False)
    if ident is None or date is None or kind is None or title is None:
        return None
    return Milestone(ident, date, kind, title, note, draft, meeting, proposed)


def _read_expert(reader: Reader, node: MarkedMap) -> Expert | None:
    name, role = reader.text(node, "name"), reader.choice(node, "role", EXPERT_ROLES)
    category = reader.choice(node, "category", EXPERT_CATEGORIES)
    country, organization = reader.text(node, "country"), reader.text(node, "organization")
    return Expert(name, role, category, country, organization) if name and role else None


def _read_experts_header(reader: Reader, node: MarkedMap) -> dict[str, Any]:
    return {"updated": reader.date(node, "updated"), "nominated": reader.text(node, "nominated"),
            "nominated_list": reader.url(node, "nominated_list")}


def _read_document(reader: Reader, node: MarkedMap) -> Document | None:
    symbol, title = reader.string(node, "symbol"), reader.text(node, "title")
    kind, link = reader.choice(node, "kind", DOCUMENT_KINDS), reader.url(node, "link")
    languages = refs(reader, node, "languages", lambda item: isinstance(item, str) and bool(item),
                     "language codes such as en, zh, fr")
    draft, meeting = _draft_and_meeting(reader, node)
    source, date = reader.text(node, "source"), reader.date(node, "date")
    status = reader.choice(node, "status", DOCUMENT_STATUSES, "current")
    superseded_by = None
    if "superseded_by" in node:
        target = reader.string(node, "superseded_by")
        if status != "superseded":
            reader.error(reader.value_mark(node, "superseded_by"), "'superseded_by' is only for a document with "
                         "status superseded")
        else:
            superseded_by = ref(reader, node, "superseded_by", target or None)
    elif status == "superseded":
        reader.error(reader.value_mark(node, "status"),
                     "a superseded document names the symbol that replaced it in 'superseded_by'")
    former = aliases(reader, node)
    if title is None or kind is None:
        return None
    return Document(symbol, title, source, date, kind, draft, meeting, link, tuple(found.target for found in languages),
                    status, superseded_by, former)


DATA_FILES = (
    DataFile("experts", "experts", "an expert", ("name", "role", "category", "country", "organization"), 2,
             _read_expert, texts=("name", "country", "organization"),
             label=lambda expert, index, default: f"expert '{expert.name.get(default, default).value}'",
             header=_read_experts_header, header_fields=("updated", "nominated", "nominated_list")),
    DataFile("meetings", "meetings", "a meeting",
             ("id", "number", "dates", "status", "venue", "held_with", "summary", "discussed", "produced", "proposed",
              "new_dates", "aliases"), 4,
             _read_meeting, unique=("id", "number"), texts=("venue", "held_with", "summary"),
             label=lambda meeting, index, default: f"meeting '{meeting.id}'"),
    DataFile("timetable", "milestones", "a milestone",
             ("id", "date", "kind", "title", "note", "draft", "meeting", "proposed"), 4,
             _read_milestone, unique=("id",), texts=("title", "note"),
             label=lambda milestone, index, default: f"milestone '{milestone.id}'"),
    DataFile("documents", "documents", "a document",
             ("title", "kind", "symbol", "source", "date", "draft", "meeting", "link", "languages", "status",
              "superseded_by", "aliases"), 2,
             _read_document, unique=("symbol",), texts=("title", "source"),
             label=lambda document, index, default:
             f"document '{document.symbol or document.title.get(default, default).value}'"),
    DataFile("retired", "retired", "a retired URL", ("path", "reason"), 1, _read_retired, unique=("path",),
             label=lambda retired, index, default: f"retired URL '/{retired.path}'"),
)
