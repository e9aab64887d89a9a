"""The URLs a site serves, each with the source that makes it, and those a new build would lose.

A build records what it served (pipeline/published.py keeps it in the cache folder); the next build or check
compares. A URL served before and no longer, that no alias covers and that `content/data/retired.yaml` does not
retire, is reported at the place of the source that used to make it, with how to keep it or retire it.
"""

from __future__ import annotations

from typing import Any, Callable

from ..base.errors import SiteError
from .aliases import redirects

Origin = tuple[str, int, int]  # the source that makes a URL: its path (as shown to editors), line and column


def served_urls(site: Any, shown: Callable[[Any], str]) -> dict[str, Origin]:
    """Every page and redirect of the site (`site`: a model.Site), by site path ('en/about/'): a page's origin is
    the source shown in its language, else the first record with a place that makes it, else the config file."""
    codes = site.config.language_codes
    places: dict[tuple[str, str], Origin] = {}
    for section in {route.section.name: route.section for route in site.routes if route.section.records}.values():
        for record in site.data.of(section.records):
            if (at := getattr(record, "at", None)) is not None:
                places.setdefault((section.name, section.record_name(record)), (shown(at.path), at.line, at.col))
    config = (shown(site.config.path), 1, 1)
    urls: dict[str, Origin] = {}
    for route in site.routes:
        for lang in codes:
            version = route.version_for(lang, codes)
            urls[site.path(route.key, lang)] = (shown(version.file.path), 1, 1) if version is not None else \
                places.get((route.section.name, route.name), config)
    for move in redirects(site):
        urls[move.path] = (shown(move.ref.path), move.ref.line, move.ref.col)
    return dict(sorted(urls.items()))


def lost_url_errors(lost: dict[str, Origin], languages: tuple[str, ...]) -> list[SiteError]:
    """One error per lost URL, at the source that used to make it."""
    errors = []
    for url, (path, line, col) in lost.items():
        first, _, rest = url.partition("/")
        alias = rest if first in languages and rest else url
        errors.append(SiteError(path, line, col, f"/{url} was published, and this build no longer serves it",
                                f"if its page moved, add 'aliases: [{alias}]' to the front matter or record of the "
                                f"page that has its content now; to give the URL up on purpose, add "
                                f"'- path: /{url}' under 'retired:' in content/data/retired.yaml"))
    return errors
