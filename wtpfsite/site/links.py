"""Links written in Markdown: which route each leads to, and the check that every one reaches a page (and its
#anchor a heading) in every language tree."""

from __future__ import annotations

import posixpath
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from ..base.errors import ErrorList
from ..content.config import SiteConfig
from ..content.markdown import UNPLACED, LinkRef
from ..content.parse import ParsedSource, link_positions
from .routes import CHANGES, DRAFT, HOME, PAGE, Route


@lru_cache(maxsize=8192)  # by folder and target: the sources of a folder link to the same pages
def link_route_key(folder: str, target: str, content_dir: str) -> str | None:
    """The route a Markdown link like '../drafts/draft-3.md' in a source of `folder` leads to, or None."""
    joined = posixpath.normpath(posixpath.join(folder, target))
    prefix = content_dir.rstrip("/") + "/"
    if not joined.startswith(prefix):
        return None
    parts = joined[len(prefix):].split("/")
    if len(parts) != 2 or parts[0] not in ("pages", "drafts"):
        return None
    name = parts[1][: -len(".md")].split(".")[0]
    if parts[0] == "drafts":
        return f"{DRAFT}/{name[len('draft-'):]}" if name.startswith("draft-") else None
    return HOME if name == "index" else f"{PAGE}/{name}"


def check_links(config: SiteConfig, routes: dict[str, Route], errors: ErrorList,
                waiting: dict[str | None, Path] | None = None) -> None:
    """Every link to a source must reach a page, and its #anchor a heading, in every language tree. `waiting`:
    the sources that could not be read, by route key (a link to one follows from their errors)."""
    languages, content_dir = config.language_codes, str(config.content_dir)
    reported: set[tuple] = set()
    places: dict = {}  # the links' places of the sources an error is about
    for route in routes.values():
        if route.section.name == CHANGES:
            continue
        for lang in languages:
            shown = route.version_for(lang, languages)
            if shown is None:
                continue
            folder = posixpath.dirname(str(shown.file.path))
            for index, link in enumerate(shown.markdown.links):
                problem = _link_problem(routes, content_dir, folder, shown, link, lang, languages)
                if problem:
                    line, col = (link.line, link.col) if link.line != UNPLACED else _place(shown, index, places)
                    if (shown.file.path, line, col) not in reported:
                        reported.add((shown.file.path, line, col))
                        target = link_route_key(folder, link.target, content_dir) if link.kind == "source" else None
                        errors.add(shown.file.path, line, col, problem, follows_from=(waiting or {}).get(target))


def _place(shown: ParsedSource, index: int, places: dict) -> tuple[int, int]:
    """Where the `index`th link of `shown` stands, which the fast back end left unplaced (its file's links found
    once); its first line's start should the file no longer hold the link."""
    if shown.file.path not in places:
        places[shown.file.path] = link_positions(shown)
    found = places[shown.file.path]
    return found[index] if found is not None else (1, 1)


def _link_problem(routes: dict[str, Route], content_dir: str, folder: str, shown: ParsedSource, link: LinkRef,
                  lang: str, languages: tuple[str, ...]) -> str | None:
    """What is wrong with a link of `shown` (in `folder`) for a reader of `lang`, or None."""
    if link.kind == "external":
        return None
    if link.kind == "bad":
        return (f"link to '{unquote(link.href)}' is not allowed: link to another source file (page.md), "
                f"a #heading, or an http(s) or mailto address")
    if link.kind == "anchor":
        target = shown
    else:
        target_key = link_route_key(folder, link.target, content_dir)
        if target_key is None or target_key not in routes:
            return f"link to '{link.target}': there is no such page"
        target = routes[target_key].version_for(lang, languages)
    if link.anchor and link.anchor not in target.markdown.anchors:
        where = "" if target.file.lang == lang else f" (shown in the {lang} tree from {target.file.path.name})"
        return f"link to '{unquote(link.href)}': no heading with id '{link.anchor}' in {target.file.path.name}{where}"
    return None
