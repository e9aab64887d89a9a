"""Checking every internal link and anchor of the rendered site (HTML parsed, not grepped)."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from ..base.errors import SiteError

_LINK_ATTRIBUTE = {"a": "href", "link": "href", "area": "href", "img": "src", "script": "src", "source": "src"}


class _LinkCollector(HTMLParser):
    """The links (href or src, line, column) and the ids of one HTML page."""

    def __init__(self, data: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, int, int]] = []
        self.ids: set[str] = set()
        self.feed(data.decode("utf-8"))
        self.close()

    def handle_starttag(self, tag, attrs):
        line, col = self.getpos()
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value and _LINK_ATTRIBUTE.get(tag) == name:
                self.links.append((value, line, col + 1))


def resolve(page: str, href: str) -> tuple[str, str] | None:
    """The site-relative file a relative href leads to, and its fragment; None for external.
    A path that climbs above the site root comes back starting with '../'."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    base = page if page.endswith("/") else posixpath.dirname(page)
    target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    if parts.path.endswith("/") or parts.path.split("/")[-1] in (".", ".."):
        target = "" if target == "." else target + "/"
    if target == "" or target.endswith("/"):
        target += "index.html"
    return target, unquote(parts.fragment)


def check_output_links(files: dict[str, bytes]) -> list[SiteError]:
    """Every href/src in every HTML file must reach a file of the site, and its #fragment an id."""
    parsed = {path: _LinkCollector(data) for path, data in files.items() if path.endswith(".html")}
    problems = []
    for page, collector in sorted(parsed.items()):
        for href, line, col in collector.links:
            resolved = resolve(page, href)
            if resolved is None:
                continue
            target, fragment = resolved
            if target.startswith("../") or target not in files:
                problems.append(SiteError(f"output/{page}", line, col, f"link to '{href}' leads to nothing"))
            elif fragment and target in parsed and fragment not in parsed[target].ids:
                problems.append(SiteError(f"output/{page}", line, col, f"link to '{href}': no id '{fragment}'"))
    return problems
