"""Former paths of pages (`aliases`), each a redirect to where the page is now, in every language tree.

An alias is written without the language: `aliases: [about/]` in pages/ieg.en.md makes /en/about/ lead to /en/ieg/
and /zh/about/ to /zh/ieg/ (a page is in every tree). Pages, drafts, meeting records and document records may have
them; a path ending in `.html` is that file, any other a folder. `redirects` refuses an alias that leaves the site,
names a language tree, is the path of a page, or is the alias of two different pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..base.errors import ErrorList
from ..base.schema import Ref
from ..base.urls import output_file
from .routes import DRAFT, HOME, PAGE

_OWN_SOURCES = (HOME, PAGE, DRAFT)  # the sections whose routes are made from their own Markdown
ALIASED_RECORDS = ("meetings", "documents")  # the data files whose records have aliases (what redirects read)
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\?#%\"'<>|*:]")


@dataclass(frozen=True)
class Redirect:
    path: str  # the old site path: 'en/about/' (or 'en/old.html')
    target: str  # the page's site path now: 'en/ieg/'
    lang: str
    ref: Ref  # where the alias is written


def alias_path(value: str, languages: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The folder or file an alias names in a language tree ('about' -> 'about/'), or None and the problem."""
    if "://" in value or value.startswith("//") or _UNSAFE.search(value):
        return None, (f"alias '{value}' points outside the site: write a path of this site such as about/ "
                      f"(letters, digits, '-', '_', '.' and '/')")
    path = value.strip("/") if value.endswith(".html") else value.strip("/") + "/"
    parts = path.rstrip("/").split("/")
    if path == "/" or any(part in ("", ".", "..") for part in parts):
        return None, f"alias '{value}' points outside the site: write a path of this site such as about/"
    if parts[0] in languages:
        rest = "/".join(parts[1:]) + ("/" if path.endswith("/") else "")
        return None, (f"alias '{value}' names the language tree '{parts[0]}': write it without the language "
                      f"('{rest or 'about/'}'), it applies in every language")
    return path, None


def declared_aliases(site: Any) -> Iterator[tuple[Ref, str]]:
    """Every alias written (front matter in any language, meeting and document records), with the route it leads
    to. `site`: a model.Site."""
    for route in site.routes:
        if route.section.name in _OWN_SOURCES:
            for version in route.versions.values():
                for ref in version.aliases:
                    yield ref, route.key
    for section in site.sections.values():  # a page per record, of a data file whose records have aliases
        if section.records in ALIASED_RECORDS:
            for record in site.data.of(section.records):
                for ref in record.aliases:
                    yield ref, section.route_key(section.record_name(record))
    if site.has_route("documents"):
        for document in site.data.documents:
            for ref in document.aliases:
                yield ref, "documents"


def redirects(site: Any, errors: ErrorList | None = None) -> tuple[Redirect, ...]:
    """The redirects of the site, by old path; the aliases that cannot be one are reported to `errors`."""
    codes = site.config.language_codes
    first = codes[0]
    errors = errors if errors is not None else ErrorList(site.config.root)  # (reported to nobody)
    taken = {output_file(site.path(route.key, first)) for route in site.routes}
    taken |= {section.site_path("", first) for section in site.sections.values() if not section.page}
    found: dict[str, tuple[Ref, str]] = {}  # the file of the alias in the first tree -> the alias and its route
    result = []
    for ref, key in declared_aliases(site):
        path, problem = alias_path(str(ref.target), codes)
        if path is None:
            errors.add(ref.path, ref.line, ref.col, problem)
            continue
        file = output_file(f"{first}/{path}")
        folders = {"/".join(file.split("/")[:end]) for end in range(1, file.count("/") + 1)}
        if file in taken or folders & taken:
            errors.add(ref.path, ref.line, ref.col, f"alias '{ref.target}' is the path of a page or file that "
                       f"exists (/{first}/{path})", "remove the alias, or move that page first")
            continue
        if file in found:
            other, other_key = found[file]
            if other_key != key:
                errors.add(ref.path, ref.line, ref.col, f"alias '{ref.target}' is also an alias of another page "
                           f"({errors.display_path(other.path)}:{other.line}:{other.col})",
                           "an old path can lead to one page only")
            continue
        found[file] = ref, key
        result += [Redirect(f"{lang}/{path}", site.path(key, lang), lang, ref) for lang in codes]
    return tuple(sorted(result, key=lambda redirect: redirect.path))
