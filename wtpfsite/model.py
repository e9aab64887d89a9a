"""The link stage: parsed sources and data -> the site's routes, drafts and cross-references.

Everything here is language-neutral or carries its language explicitly; nothing renders.
Errors found here (links to nothing, references to missing drafts or meetings, two sources
for one URL) carry the place they were written.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from .config import BUILT_IN_SECTIONS, SiteConfig
from .data import Document, Meeting, SiteData
from .deps import STRUCTURE, data_key, note
from .errors import ErrorList
from .markdown import UNPLACED
from .pages import DraftMeta, ParsedSource, link_positions
from .strings import Strings
from .urls import route_path


@dataclass(frozen=True)
class Draft:
    number: int
    meta: DraftMeta  # from the default language's version (or the first there is)
    versions: dict[str, ParsedSource]
    documents: tuple[Document, ...]  # attached in front matter or pointing at this draft

    def __getattribute__(self, name: str):
        if name == "documents":  # attached from documents.yaml: a dependency (deps.py)
            note(data_key("documents"))
        return object.__getattribute__(self, name)

    @property
    def released(self) -> bool:
        return self.meta.status == "released"


@dataclass(frozen=True)
class Route:
    """One page of the site, language-neutral: it is written once per language."""

    key: str  # "page/about", "draft/3", "meetings", ...
    template: str
    versions: dict[str, ParsedSource]  # the Markdown shown, by language (empty for data pages)
    has_all_languages: bool  # data pages exist in every language

    def real_languages(self, languages: tuple[str, ...]) -> tuple[str, ...]:
        if self.has_all_languages:
            return languages
        return tuple(code for code in languages if code in self.versions)

    def version_for(self, lang: str, languages: tuple[str, ...]) -> ParsedSource | None:
        """The Markdown shown to a reader of `lang`: its own, or borrowed in the site's order."""
        for code in (lang, *languages):
            if code in self.versions:
                return self.versions[code]
        return None


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    strings: Strings
    data: SiteData
    routes: tuple[Route, ...]
    drafts: tuple[Draft, ...]

    def __getattribute__(self, name: str):
        # an output that reads the list of routes or drafts depends on all of them (deps.py)
        if name in ("routes", "drafts"):
            note(STRUCTURE)
        return object.__getattribute__(self, name)

    # The lookups below are cached; each still notes that its caller read the site's structure.
    def route(self, key: str) -> Route:
        note(STRUCTURE)
        return self._by_key[key]

    def has_route(self, key: str) -> bool:
        note(STRUCTURE)
        return key in self._by_key

    @cached_property
    def _by_key(self) -> dict[str, Route]:
        return {route.key: route for route in self.routes}

    def draft(self, number: int) -> Draft | None:
        note(STRUCTURE)
        return self._drafts_by_number.get(number)

    def meeting(self, ident: str) -> Meeting | None:
        note(data_key("meetings"))
        return self._meetings_by_id.get(ident)

    @cached_property
    def _drafts_by_number(self) -> dict[int, Draft]:
        return {draft.number: draft for draft in self.drafts}

    def meeting_documents(self, ident: str) -> tuple[Document, ...]:
        note(data_key("documents"))
        return self._documents_by_meeting.get(ident, ())

    @cached_property
    def _documents_by_meeting(self) -> dict[str, tuple[Document, ...]]:
        grouped: dict[str, list[Document]] = {}
        for document in self.data.documents:
            if document.meeting is not None:
                grouped.setdefault(document.meeting.target, []).append(document)
        return {ident: tuple(documents) for ident, documents in grouped.items()}

    @cached_property
    def _meetings_by_id(self) -> dict[str, Meeting]:
        return {meeting.id: meeting for meeting in self.data.meetings}

    @property
    def latest_draft(self) -> Draft | None:
        released = [d for d in self.drafts if d.released]
        return released[-1] if released else None


_SECTION_TEMPLATES = {"drafts": "drafts.html", "meetings": "meetings.html", "experts": "experts.html",
                      "timetable": "timetable.html", "documents": "documents.html"}


def link_site(config: SiteConfig, strings: Strings, data: SiteData, sources: tuple[ParsedSource, ...],
              errors: ErrorList) -> Site:
    """Group translations, make routes and check every cross-reference and link."""
    grouped: dict[str, dict[str, ParsedSource]] = {}
    for source in sources:
        grouped.setdefault(source.file.key, {})[source.file.lang] = source
    drafts = _make_drafts(config, grouped, data, errors)
    routes = _make_routes(config, grouped, drafts, data, errors)
    site = Site(config, strings, data, routes, drafts)
    _check_references(site, errors)
    _check_links(site, errors)
    _check_navigation(site, errors)
    return site


def _make_drafts(config: SiteConfig, grouped, data: SiteData, errors: ErrorList) -> tuple[Draft, ...]:
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
        attached = {ref.target for ref in meta.documents}
        documents = tuple(d for d in data.documents
                          if d.symbol in attached or (d.draft is not None and d.draft.target == meta.number))
        drafts[meta.number] = Draft(meta.number, meta, versions, documents)
    return tuple(drafts[n] for n in sorted(drafts))


def _check_same_meta(meta: DraftMeta, version: ParsedSource, original: ParsedSource, errors: ErrorList) -> None:
    other = version.draft
    for field in ("released", "comments_due", "status"):
        mine, theirs = getattr(other, field), getattr(meta, field)
        if mine != theirs:
            shown = theirs.source if hasattr(theirs, "source") else theirs
            errors.add(version.file.path, 2, 1, f"'{field}' differs from the {original.file.lang} version "
                       f"({original.file.path.name}: {shown})")


def _make_routes(config: SiteConfig, grouped, drafts, data: SiteData, errors: ErrorList) -> tuple[Route, ...]:
    routes: list[Route] = []
    for key, versions in sorted(grouped.items()):
        if key.startswith("pages/"):
            name = key[len("pages/"):]
            route_key = "home" if name == "index" else f"page/{name}"
            routes.append(Route(route_key, "home.html" if name == "index" else "page.html", versions, False))
    for draft in drafts:
        routes.append(Route(f"draft/{draft.number}", "draft.html", draft.versions, False))
        previous = next((d for d in drafts if d.number == draft.number - 1), None)
        if draft.released and previous is not None:
            routes.append(Route(f"changes/{draft.number}", "changes.html", draft.versions, False))
    if any(d.released for d in drafts):
        routes.append(Route("drafts-latest", "latest.html", {}, True))
    for section, template in _SECTION_TEMPLATES.items():
        routes.append(Route(section, template, {}, True))
    for meeting in data.meetings:
        routes.append(Route(f"meeting/{meeting.id}", "meeting.html", {}, True))
    routes.append(Route("404", "404.html", {}, True))
    routes.append(Route("search", "search.html", {}, True))
    if not any(route.key == "home" for route in routes):
        errors.add(config.content_dir / "pages", 1, 1, "there is no home page: add pages/index.md")
    return tuple(_refuse_collisions(routes, config, errors))


def _refuse_collisions(routes: list[Route], config: SiteConfig, errors: ErrorList):
    """Two routes may not write the same path (a page named like a built-in section)."""
    taken: dict[str, Route] = {}
    lang = config.default_language
    for route in routes:
        path = route_path(route.key, lang)
        if path in taken:
            # the page's own file, whichever of the two routes it is (built-in sections have none)
            source = next(iter({**taken[path].versions, **route.versions}.values()), None)
            where = source.file.path if source else config.content_dir
            errors.add(where, 1, 1, f"'{path}' would be written twice (by {taken[path].key} and {route.key})",
                       "rename the page")
            continue
        taken[path] = route
        yield route


def _check_references(site: Site, errors: ErrorList) -> None:
    numbers = {draft.number for draft in site.drafts}
    data = site.data
    draft_refs = [r for m in data.meetings for r in (*m.discussed, *m.produced)]
    draft_refs += [m.draft for m in data.milestones if m.draft] + [d.draft for d in data.documents if d.draft]
    for ref in draft_refs:
        if ref.target not in numbers:
            errors.add(ref.path, ref.line, ref.col, f"no draft number {ref.target} in content/drafts")
    meeting_ids = {meeting.id for meeting in data.meetings}
    symbols = {document.symbol for document in data.documents}
    for draft in site.drafts:
        for version in draft.versions.values():
            ref = version.draft.incorporates
            if ref and ref.target not in meeting_ids:
                errors.add(ref.path, ref.line, ref.col, f"no meeting with id '{ref.target}' in meetings.yaml")
            for ref in version.draft.documents:
                if ref.target not in symbols:
                    errors.add(ref.path, ref.line, ref.col, f"no document '{ref.target}' in documents.yaml")


def source_route_key(source_path: Path, target: str, content_dir: Path) -> str | None:
    """The route a Markdown link like '../drafts/draft-3.md' leads to, or None."""
    return _route_key(posixpath.dirname(str(source_path)), target, str(content_dir))


# Asked for every link when checking links and again when rendering each page: cached by strings, whose hashes
# are kept and which compare fast (a Path in a cache key compares in Python), and by the source's folder, which
# the sources of a section share.
@lru_cache(maxsize=1 << 16)
def _route_key(folder: str, target: str, content_dir: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(folder, target))
    prefix = content_dir.rstrip("/") + "/"
    if not joined.startswith(prefix):
        return None
    parts = joined[len(prefix):].split("/")
    if len(parts) != 2 or parts[0] not in ("pages", "drafts"):
        return None
    name = parts[1][: -len(".md")].split(".")[0]
    if parts[0] == "drafts":
        return f"draft/{name[len('draft-'):]}" if name.startswith("draft-") else None
    return "home" if name == "index" else f"page/{name}"


def _check_links(site: Site, errors: ErrorList, only: set[str] | None = None) -> None:
    """Every link to a source must reach a page, and its #anchor a heading, in every language tree (with `only`:
    the links of those routes)."""
    languages = site.config.language_codes
    content_dir = str(site.config.content_dir)
    note(STRUCTURE)  # (once: the loop reads the routes without going through `route` and `has_route`)
    routes = object.__getattribute__(site, "_by_key")
    reported: set[tuple] = set()
    places: dict[Path, list[tuple[int, int]] | None] = {}  # the links' places of the sources an error is about
    for route in site.routes if only is None else (routes[key] for key in sorted(only)):
        if route.key.startswith("changes/"):
            continue
        for lang in languages:
            shown = route.version_for(lang, languages)
            if shown is None:
                continue
            folder = posixpath.dirname(str(shown.file.path))
            for index, link in enumerate(shown.markdown.links):
                if link.kind == "external":
                    continue
                problem = _link_problem(routes, content_dir, folder, shown, link, lang, languages)
                if problem:
                    line, col = (link.line, link.col) if link.line != UNPLACED else _place(shown, index, places)
                    if (shown.file.path, line, col) not in reported:
                        reported.add((shown.file.path, line, col))
                        errors.add(shown.file.path, line, col, problem)


def _place(shown: ParsedSource, index: int, places: dict[Path, list[tuple[int, int]] | None]) -> tuple[int, int]:
    """The line and column of the `index`th link of `shown`, which the fast back end left unplaced: found by the
    reference in the file (once per file); its first line's start should the file no longer hold the link."""
    if shown.file.path not in places:
        places[shown.file.path] = link_positions(shown)
    found = places[shown.file.path]
    return found[index] if found is not None else (1, 1)


def _link_problem(routes: dict[str, Route], content_dir: str, folder: str, shown: ParsedSource, link, lang: str,
                  languages: tuple[str, ...]) -> str | None:
    """What is wrong with a link of `shown` (whose file is in `folder`) for a reader of `lang`, or None."""
    if link.kind == "bad":
        return (f"link to '{link.href}' is not allowed: link to another source file (page.md), "
                f"a #heading, or an http(s) or mailto address")
    if link.kind == "anchor":
        target = shown
    else:
        target_key = _route_key(folder, link.target, content_dir)
        if target_key is None or target_key not in routes:
            return f"link to '{link.target}': there is no such page"
        target = routes[target_key].version_for(lang, languages)
    if link.anchor and link.anchor not in target.markdown.anchors:
        where = "" if target.file.lang == lang else f" (shown in the {lang} tree from {target.file.path.name})"
        return f"link to '{link.href}': no heading with id '{link.anchor}' in {target.file.path.name}{where}"
    return None


def _check_navigation(site: Site, errors: ErrorList) -> None:
    for entry in site.config.navigation:
        key = entry.name if entry.name in BUILT_IN_SECTIONS else f"page/{entry.name}"
        if not site.has_route(key):
            errors.add(site.config.path, entry.line, entry.col, f"navigation entry '{entry.name}' names no page")
        if site.strings.catalog and f"nav.{entry.name}" not in site.strings.catalog:
            errors.add(site.config.path, entry.line, entry.col,
                       f"navigation entry '{entry.name}' has no label: add 'nav.{entry.name}' to strings.yaml")


def check_edited_links(site: Site, edited: set[str], headings_changed: set[str], errors: ErrorList) -> None:
    """`_check_links` for the routes in `edited`, whose Markdown changed but not the site's routes, and, when the
    headings of some of them (`headings_changed`) are not what they were, for every route with a link to one of
    their headings (when a heading goes, the links to it break)."""
    content_dir = site.config.content_dir
    into = set(edited)
    for route in object.__getattribute__(site, "routes") if headings_changed else ():
        for version in route.versions.values():
            for link in version.markdown.links:
                if link.anchor and link.kind == "source" and \
                        source_route_key(version.file.path, link.target, content_dir) in headings_changed:
                    into.add(route.key)
    _check_links(site, errors, into)


def with_sources(site: Site, edited: dict[int, ParsedSource], keys: set[str]) -> Site:
    """The site with new parses of some of its sources, each given by the id() of the parse it replaces, when they
    change none of its routes or drafts (the watch mode's quick rebuild checks that: quick.py); `keys`: the routes
    that show them. Everything else is shared."""
    renewed: dict[int, dict[str, ParsedSource]] = {}  # a draft's versions are its routes' too: renewed once

    def versions(old: dict[str, ParsedSource]) -> dict[str, ParsedSource]:
        if not any(id(v) in edited for v in old.values()):
            return old
        if id(old) not in renewed:
            renewed[id(old)] = {lang: edited.get(id(v), v) for lang, v in old.items()}
        return renewed[id(old)]

    def draft(old: Draft) -> Draft:
        new = versions(old.versions)
        documents = object.__getattribute__(old, "documents")
        return old if new is old.versions else Draft(old.number, old.meta, new, documents)

    def route(old: Route) -> Route:
        new = versions(old.versions)
        return old if new is old.versions else Route(old.key, old.template, new, old.has_all_languages)

    drafts = tuple(map(draft, object.__getattribute__(site, "drafts")))
    routes = tuple(route(r) if r.key in keys else r for r in object.__getattribute__(site, "routes"))
    return Site(site.config, site.strings, site.data, routes, drafts)


def link_target_path(site: Site, source: ParsedSource, link, lang: str) -> str:
    """The site-relative path a checked Markdown link leads to for a reader of `lang`."""
    if link.kind == "anchor":
        return "#" + link.anchor
    key = source_route_key(source.file.path, link.target, site.config.content_dir)
    return route_path(key, lang) + ("#" + link.anchor if link.anchor else "")
