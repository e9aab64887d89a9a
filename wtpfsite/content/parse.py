"""Markdown sources -> parsed pages and drafts with validated front matter (the parse stage)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from ..base.dates import DateSpec
from ..base.errors import ErrorList
from ..base.originals import original_text
from ..base.schema import Reader, Ref
from ..base.yamlio import Mark
from .frontmatter import split_front_matter
from .markdown import ParsedMarkdown, parse_markdown
from .records import aliases
from .sources import SourceFile, read_source_text

DRAFT_STATUSES = ("released", "planned")
PAGE_FIELDS = ("description", "translation_of", "aliases")
DRAFT_FIELDS = ("description", "translation_of", "comments_due", "incorporates", "documents", "aliases")


@dataclass(frozen=True)
class DraftMeta:
    number: int
    released: DateSpec
    comments_due: DateSpec | None
    incorporates: Ref | None
    status: str
    documents: tuple[Ref, ...]
    places: tuple[tuple[str, int, int], ...] = ()  # (field, line, col) of each field, for messages
    invalid: tuple[str, ...] = ()  # fields given but refused (their error is reported already)

    def place(self, name: str) -> tuple[int, int]:
        """Line and column of field `name` (else of the front matter's first field)."""
        return next(((line, col) for field, line, col in self.places if field == name), (2, 1))


@dataclass(frozen=True)
class ParsedSource:
    file: SourceFile
    title: str
    description: str | None
    translation_of: str | None  # the revision of the original this translation was made from
    draft: DraftMeta | None
    markdown: ParsedMarkdown
    body: str | None  # a draft's Markdown body (the changes between drafts, new-draft); not kept for pages
    revision: str  # a short hash of the title and body (`revision`), which translations record
    aliases: tuple[Ref, ...] = ()  # the paths the page was published at before (site/aliases.py)


def revision(title: str, body: str) -> str:
    """The revision of a source: a short hash (12 hexadecimal digits) of its title and Markdown body."""
    return hashlib.sha256(original_text(title, body).encode("utf-8")).hexdigest()[:12]


def parse_source(file: SourceFile, languages: tuple[str, ...], allow_html_in_drafts: bool,
                 errors: ErrorList, data: bytes | None = None,
                 markdown: Callable[[str, int, bool], ParsedMarkdown] = parse_markdown) -> ParsedSource | None:
    """Read, split and parse one Markdown source; None when it cannot be used. `data`: its bytes, when the
    caller has read them; `markdown`: what parses the body (markdown.parse_markdown, or a faster equivalent)."""
    text = read_source_text(file.path, errors, data)
    if text is None:
        return None
    split = split_front_matter(text, file.path, errors)
    if split.meta is None:
        return None
    reader = Reader(file.path, errors, languages)
    is_draft = file.section == "drafts"
    required = ("title", "number", "released", "status") if is_draft else ("title",)
    meta = reader.mapping(split.meta, Mark(2, 1), "front matter", required, DRAFT_FIELDS if is_draft else PAGE_FIELDS)
    if meta is None:
        return None
    title, description = reader.string(meta, "title", nonempty=True), reader.string(meta, "description")
    translation_of = reader.string(meta, "translation_of")
    draft = _read_draft_meta(reader, meta) if is_draft else None
    allow_html = is_draft and allow_html_in_drafts
    parsed = markdown(split.body, split.body_first_line, allow_html)
    if title is None or (is_draft and draft is None):
        return None
    return ParsedSource(file, title.strip(), description, translation_of, draft, parsed,
                        split.body if is_draft else None, revision(title, split.body), aliases(reader, meta))


def link_positions(source: ParsedSource) -> list[tuple[int, int]] | None:
    """The line and column of each link of `source`, from its file read again and parsed by the reference: for an
    error about a link the fast back end left unplaced (markdown.UNPLACED). None when the file no longer holds
    those links."""
    errors = ErrorList(source.file.path.parent)  # (what reading it again finds was reported by the parse)
    text = read_source_text(source.file.path, errors)
    split = split_front_matter(text, source.file.path, errors) if text is not None else None
    if split is None or split.meta is None:
        return None
    parsed = parse_markdown(split.body, split.body_first_line, source.markdown.allow_html)
    if [link.href for link in parsed.links] != [link.href for link in source.markdown.links]:
        return None
    return [(link.line, link.col) for link in parsed.links]


def _read_draft_meta(reader: Reader, meta) -> DraftMeta | None:
    number = reader.integer(meta, "number")
    released, comments_due = reader.date(meta, "released"), reader.date(meta, "comments_due")
    status = reader.choice(meta, "status", DRAFT_STATUSES)
    incorporates = reader.ref(meta, "incorporates", reader.identifier(meta, "incorporates"))
    documents = reader.refs(meta, "documents", lambda item: isinstance(item, str),
                            "document symbols from documents.yaml")
    if released and comments_due and comments_due.end < released.start:
        reader.error(reader.value_mark(meta, "comments_due"),
                     f"'comments_due' ({comments_due.source}) is before 'released' ({released.source})")
    if number is None or released is None or status is None:
        return None
    invalid = ("comments_due",) if "comments_due" in meta and comments_due is None else ()  # (the others: above)
    places = tuple((name, mark.line, mark.col) for name in ("number", "released", "comments_due", "status")
                   if name in meta for mark in [reader.value_mark(meta, name)])
    return DraftMeta(number, released, comments_due, incorporates, status, documents, places, invalid)
