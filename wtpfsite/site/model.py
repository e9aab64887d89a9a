"""The link stage: parsed sources and data -> the site's routes, drafts and cross-references.

Everything here is language-neutral or carries its language explicitly; nothing renders. Routes come from the
sections' declarations (`routes.py`): the Markdown pages and drafts, one page per data-backed section, one per
record of a section that has them. Errors found here (links to nothing, references to missing drafts or
meetings, two sources for one URL) carry the place they were written.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ..base.errors import ErrorList, did_you_mean
from ..content.config import SiteConfig
from ..content.data import SiteData
from ..content.parse import DraftMeta, ParsedSource
from ..content.records import Document, Meeting
from ..content.strings import Strings
from .aliases import redirects
from .links import check_links, link_route_key
from .routes import CHANGES, DRAFT, HOME, LATEST, MARKDOWN_SECTIONS, PAGE, Declaration, Draft, Route, Section, \
    Undeclared


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    strings: Strings
    data: SiteData
    routes: tuple[Route, ...]
    drafts: tuple[Draft, ...]
    sections: dict[str, Section] = field(repr=False, default_factory=dict)

    def path(self, key: str, lang: str) -> str:
        """The site-relative path of the route `key` in `lang`'s tree: 'draft/3' -> 'en/drafts/draft-3/'."""
        kind, _, name = key.partition("/")
        if kind not in self.sections:
            raise KeyError(f"no URL for route '{key}'")
        return self.sections[kind].site_path(name, lang)

    def route(self, key: str) -> Route:
        return self._by_key[key]

    def has_route(self, key: str) -> bool:
        return key in self._by_key

    def draft(self, number: int) -> Draft | None:
        return self._drafts_by_number.get(number)

    def meeting(self, ident: str) -> Meeting | None:
        return self._meetings_by_id.get(ident)

    def draft_documents(self, draft: Draft) -> tuple[Document, ...]:
        """The documents attached to a draft in its front matter, or that name it in documents.yaml."""
        attached = {ref.target for ref in draft.meta.documents}
        return tuple(d for d in self.data.documents
                     if d.symbol in attached or (d.draft is not None and d.draft.target == draft.number))

    @property
    def latest_draft(self) -> Draft | None:
        return next((d for d in reversed(self.drafts) if d.released), None)

    def narrowed(self, section: Declaration) -> Site:
        """The site as a page of `section` may see it: only the data files it declares, and other pages only when
        it declares the structure (anything else raises, so that no declaration falls behind its pages)."""
        hidden = Undeclared(section.name)
        return replace(self, data=self.data.only(section.data),
                       routes=self.routes if section.structure else hidden,  # type: ignore[arg-type]
                       drafts=self.drafts if section.structure else hidden)  # type: ignore[arg-type]

    @cached_property
    def _by_key(self) -> dict[str, Route]:
        return {route.key: route for route in self.routes}

    @cached_property
    def _meetings_by_id(self) -> dict[str, Meeting]:
        return {meeting.id: meeting for meeting in self.data.meetings}

    @cached_property
    def _drafts_by_number(self) -> dict[int, Draft]:
        return {draft.number: draft for draft in self.drafts}


def link_site(config: SiteConfig, strings: Strings, data: SiteData, sources: tuple[ParsedSource, ...],
              sections: tuple[Section, ...], errors: ErrorList, unread: dict[str, Path] | None = None) -> Site:
    """Group translations, make routes and check every cross-reference and link. `unread`: the sources no version
    of which could be read, by key ("pages/about"): what names them follows from their errors."""
    by_name = {section.name: section for section in sections}
    missing = [name for name in MARKDOWN_SECTIONS if name not in by_name]
    if missing:
        raise ValueError(f"the sections {', '.join(missing)} are not declared")  # a bug in the registry
    grouped: dict[str, dict[str, ParsedSource]] = {}
    for source in sources:
        grouped.setdefault(source.file.key, {})[source.file.lang] = source
    drafts = _make_drafts(config, grouped, errors)
    routes = _make_routes(config, grouped, drafts, data, by_name, errors)
    site = Site(config, strings, data, routes, drafts, by_name)
    _check_references(site, errors)
    redirects(site, errors)  # the aliases that cannot be redirects
    waiting = {link_route_key(str(config.content_dir), f"{key}.md", str(config.content_dir)): path
               for key, path in (unread or {}).items()}  # (by route key)
    check_links(site.config, site._by_key, errors, waiting)
    _check_navigation(site, errors, waiting)
    return site


def _make_drafts(config: SiteConfig, grouped, errors: ErrorList) -> tuple[Draft, ...]:
    drafts: dict[int, Draft] = {}
    for key, versions in sorted(grouped.items()):
        if not key.startswith("drafts/"):
            continue
        ordered = [versions[code] for code in config.language_codes if code in versions]
        meta = ordered[0].draft
        for version in ordered:
            _check_same_meta(meta, version, ordered[0], errors)
        if key != f"drafts/draft-{meta.number}":
            errors.add(ordered[0].file.path, 2, 1,
                       f"a draft with number {meta.number} must be named 'draft-{meta.number}', not '{key[7:]}'")
            continue
        drafts[meta.number] = Draft(meta.number, meta, {version.file.lang: version for version in ordered})
    return tuple(drafts[n] for n in sorted(drafts))


def _check_same_meta(meta: DraftMeta, version: ParsedSource, original: ParsedSource, errors: ErrorList) -> None:
    """Every language version of a draft has the same dates and status. A field refused in either version has
    its own error already: comparing it would only repeat that error in other words."""
    other = version.draft
    for name in ("number", "released", "comments_due", "status"):
        if name in other.invalid or name in meta.invalid:
            continue
        mine, theirs = getattr(other, name), getattr(meta, name)
        if mine != theirs:
            shown = f"{original.file.path.name} has no '{name}'" if theirs is None else \
                f"{original.file.path.name}: {theirs.source if hasattr(theirs, 'source') else theirs}"
            line, col = other.place(name) if mine is not None else other.place("number")
            errors.add(version.file.path, line, col, f"'{name}' differs from the {original.file.lang} version "
                       f"({shown})")


def _make_routes(config: SiteConfig, grouped, drafts: tuple[Draft, ...], data: SiteData,
                 by_name: dict[str, Section], errors: ErrorList) -> tuple[Route, ...]:
    routes: list[Route] = []
    for key, versions in sorted(grouped.items()):
        if key.startswith("pages/"):
            name = "" if key == "pages/index" else key[len("pages/"):]
            section = by_name[PAGE if name else HOME]
            routes.append(Route(section.route_key(name), section, name, versions))
    for draft in drafts:
        routes.append(Route(f"{DRAFT}/{draft.number}", by_name[DRAFT], str(draft.number), draft.versions))
        previous = next((d for d in drafts if d.number == draft.number - 1), None)
        if draft.released and previous is not None:
            routes.append(Route(f"{CHANGES}/{draft.number}", by_name[CHANGES], str(draft.number), draft.versions,
                                tuple(previous.versions.values())))
    if any(d.released for d in drafts):
        routes.append(Route(LATEST, by_name[LATEST], "", {}))
    for section in by_name.values():
        if section.name in MARKDOWN_SECTIONS or not section.page:
            continue
        if section.records is None:
            routes.append(Route(section.name, section, "", {}))
        else:
            for record in data.of(section.records):
                name = section.record_name(record)
                routes.append(Route(section.route_key(name), section, name, {}))
    if not any(route.key == HOME for route in routes):
        errors.add(config.content_dir / "pages", 1, 1, "there is no home page: add pages/index.md")
    return tuple(_refuse_collisions(routes, config, errors))


def _refuse_collisions(routes: list[Route], config: SiteConfig, errors: ErrorList):
    """Two routes may not write the same path (a page named like a section)."""
    taken: dict[str, Route] = {}
    lang = config.default_language
    for route in routes:
        path = route.section.site_path(route.name, lang)
        if path in taken:
            # the page's own file, whichever of the two routes it is (data-backed sections have none)
            source = next(iter({**taken[path].versions, **route.versions}.values()), None)
            where = source.file.path if source else config.content_dir
            errors.add(where, 1, 1, f"'{path}' would be written twice (by {taken[path].key} and {route.key})",
                       "rename the page")
            continue
        taken[path] = route
        yield route


def _check_references(site: Site, errors: ErrorList) -> None:
    data = site.data
    draft_refs = [r for m in data.meetings for r in (*m.discussed, *m.produced)]
    draft_refs += [m.draft for m in data.milestones if m.draft] + [d.draft for d in data.documents if d.draft]
    unreadable = [error.path for error in errors.errors if error.syntax]
    for ref in draft_refs:
        if site.draft(ref.target) is None:
            # a draft whose front matter does not parse is no draft yet: the reference waits for it to parse
            blocked = next((path for path in unreadable if re.search(rf"(^|/)draft-{ref.target}\.[^/]*md$", path)),
                           None)
            errors.add(ref.path, ref.line, ref.col, f"no draft number {ref.target} in content/drafts",
                       follows_from=blocked)
    symbols = {document.symbol for document in data.documents} | data.unread.get("documents", frozenset())
    for draft in site.drafts:
        for version in draft.versions.values():
            ref = version.draft.incorporates
            if ref and site.meeting(ref.target) is None and ref.target not in data.unread.get("meetings", ()):
                errors.add(ref.path, ref.line, ref.col, f"no meeting with id '{ref.target}' in meetings.yaml",
                           follows_from=data.file_path("meetings"))
            for ref in version.draft.documents:
                if ref.target not in symbols:
                    errors.add(ref.path, ref.line, ref.col, f"no document '{ref.target}' in documents.yaml",
                               follows_from=data.file_path("documents"))


def navigation_key(site: Site, name: str) -> str:
    """The route a navigation entry leads to: a single-page section, else a page of content/pages."""
    section = site.sections.get(name)
    return name if section is not None and section.records is None and "{name}" not in section.path \
        else f"{PAGE}/{name}"


def _check_navigation(site: Site, errors: ErrorList, waiting: dict[str | None, Path]) -> None:
    """Each entry names a page (else that alone is reported, with the closest name) and has a label."""
    names = {route.name for route in site.routes if route.section.name == PAGE} | set(site.sections)
    for entry in site.config.navigation:
        if not site.has_route(key := navigation_key(site, entry.target)):
            errors.add(entry.path, entry.line, entry.col, f"navigation entry '{entry.target}' names no page",
                       did_you_mean(entry.target, (n for n in names if site.has_route(navigation_key(site, n)))),
                       follows_from=waiting.get(key))
        elif site.strings.catalog and f"nav.{entry.target}" not in site.strings.catalog:
            errors.add(entry.path, entry.line, entry.col,
                       f"navigation entry '{entry.target}' has no label: add 'nav.{entry.target}' to strings.yaml")
