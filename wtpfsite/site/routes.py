"""What a kind of page is, one `Section` declaration (the unit a new page type is made of), and the pages: the
routes, one page each, written once per language, and the drafts (plain data the link stage makes).

A section says where its pages are, which template shows them, what its handler adds to the context, and what its
pages read beyond their own Markdown (data files, UI strings, other pages). The registry is
`render.sections.SECTIONS`: routes are made from it, and each page is held to what its section declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Protocol

from ..content.parse import DraftMeta, ParsedSource

# (site, name, lang, today) -> template context: the site is a model.Site, which this module cannot name (the
# model is made of sections)
Handler = Callable[[Any, str, str, date], dict[str, Any]]

# What `structure` may say: nothing (the page shows no other page), "titles" (the routes, languages, titles and
# drafts' front matter of every page), or "sources" (all of that and every source's content).
STRUCTURE_LEVELS = ("", "titles", "sources")
EVERY_STRING = "*"  # what a section's `strings` holds when it reads the whole catalog in every language

# The sections the content model makes from Markdown (the others come from data, or are single pages).
HOME, PAGE, DRAFT, CHANGES, LATEST = "home", "page", "draft", "changes", "drafts-latest"
MARKDOWN_SECTIONS = (HOME, PAGE, DRAFT, CHANGES, LATEST)


class Declaration(Protocol):
    """What an output declares it reads: a section, or a group of other outputs (render.extras.OtherOutputs)."""

    name: str
    data: tuple[str, ...]
    strings: tuple[str, ...]
    structure: str


@dataclass(frozen=True)
class Section:
    name: str  # a single page's route key ("meetings"), or the kind of a page per item ("meeting/ieg-3")
    path: str  # under each language tree; "{name}" stands for the item: "meetings/{name}/"
    template: str
    context: Handler | None = None
    data: tuple[str, ...] = ()  # the data files its pages read ("*": all of them)
    strings: tuple[str, ...] = ()  # the prefixes of the UI strings they use, beyond those of every page, or
    # EVERY_STRING besides them for a page that reads every string in every language (the translation report)
    structure: str = ""  # see STRUCTURE_LEVELS
    records: str | None = None  # a page per record of this data file, named by `record_name`
    record_name: Callable[[Any], str] | None = None
    # (site, name, t): the title of a page with no Markdown of its own; by default the UI string 'title.<name>'
    title: Callable[[Any, str, Callable[..., str]], str] | None = None
    parent: str | None = None  # the navigation entry its pages belong to ("drafts" for a draft)
    listed: bool = True  # in the sitemap
    page: bool = True  # False: a file of each language tree made apart (the feed), declared here for its URL

    def __post_init__(self) -> None:
        if self.structure not in STRUCTURE_LEVELS:
            raise ValueError(f"section '{self.name}': structure must be one of {STRUCTURE_LEVELS}")
        if (self.records is None) != (self.record_name is None):
            raise ValueError(f"section '{self.name}': records and record_name go together")

    def route_key(self, name: str = "") -> str:
        return f"{self.name}/{name}" if name else self.name

    def site_path(self, name: str, lang: str) -> str:
        """The site-relative path of its page `name` in the language tree `lang`: 'en/meetings/ieg-3/'."""
        return f"{lang}/{self.path.format(name=name)}"


class UndeclaredRead(Exception):
    """A page read something its section does not declare (a bug in the declaration, not in the content)."""


class Undeclared:
    """Stands for the routes and drafts of a site narrowed to a section that does not declare the structure:
    any use of it raises UndeclaredRead naming the section."""

    def __init__(self, section: str):
        self.section = section

    def _refuse(self, *args: object) -> Any:
        raise UndeclaredRead(f"section '{self.section}' reads other pages (the site's structure) but declares "
                             f"structure=''")

    __iter__ = __len__ = __getitem__ = __contains__ = __bool__ = _refuse


@dataclass(frozen=True)
class Draft:
    number: int
    meta: DraftMeta  # from `source`
    versions: dict[str, ParsedSource]  # in the config's language order

    @property
    def source(self) -> ParsedSource:
        """The version `meta` is from: the default language's, else the first in the config's order."""
        return next(iter(self.versions.values()))

    @property
    def released(self) -> bool:
        return self.meta.status == "released"


@dataclass(frozen=True)
class Route:
    """One page of the site, language-neutral: it is written once per language."""

    key: str  # "page/about", "draft/3", "meetings", ...
    section: Section
    name: str  # the item in its section ("about", "3", "ieg-1"), or ""
    versions: dict[str, ParsedSource]  # the Markdown shown, by language (empty for data pages)
    also_reads: tuple[ParsedSource, ...] = ()  # other sources it shows (a changes page: the draft before)

    def real_languages(self, languages: tuple[str, ...]) -> tuple[str, ...]:
        """The languages it has a version of its own in: all of them for a page made from data."""
        return tuple(code for code in languages if code in self.versions) if self.versions else languages

    def version_for(self, lang: str, languages: tuple[str, ...]) -> ParsedSource | None:
        """The Markdown shown to a reader of `lang`: its own, or borrowed in the site's order."""
        for code in (lang, *languages):
            if code in self.versions:
                return self.versions[code]
        return None
