"""The routes of a site (one page each, written once per language) and its drafts: plain data the link stage
makes and every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass

from ..content.parse import DraftMeta, ParsedSource
from .section import Section

# The sections the content model makes from Markdown (the others come from data, or are single pages).
HOME, PAGE, DRAFT, CHANGES, LATEST = "home", "page", "draft", "changes", "drafts-latest"
MARKDOWN_SECTIONS = (HOME, PAGE, DRAFT, CHANGES, LATEST)


@dataclass(frozen=True)
class Draft:
    number: int
    meta: DraftMeta  # from the default language's version (or the first there is)
    versions: dict[str, ParsedSource]

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
