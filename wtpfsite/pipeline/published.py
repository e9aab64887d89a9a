"""The URLs a site serves, and those a new build would lose: `build` and `check` report them, `check --release`
fails on them.

The record (`published.json` in the cache folder) holds every URL the last successful build served, with the
source that made it, and the URLs it had lost that are still neither served again, aliased nor retired
(`content/data/retired.yaml`): a lost URL stays reported, at the source that used to make it, until an editor
settles it, however many builds run meanwhile. A site with no record (its first build) reports nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..base.errors import ErrorList, SiteError
from ..base.schema import LANGUAGE_CODE
from ..site.aliases import redirects
from ..site.model import Site

RECORD_FILE = "published.json"
FORMAT = 1
Origin = tuple[str, int, int]  # the source that makes a URL: its path (as shown to editors), line and column


def served_urls(site: Site) -> dict[str, Origin]:
    """Every page and redirect of the site, by site path ('en/about/'): a page's origin is the source shown in its
    language, else the first record with a place that makes it, else the config file."""
    codes, shown = site.config.language_codes, ErrorList(site.config.root).display_path
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


def lost_url_errors(lost: dict[str, Origin], languages: tuple[str, ...], config: Origin) -> list[SiteError]:
    """One error per lost URL, at the source that used to make it; one for all the URLs of a language the config
    no longer has, at the config's languages (`config`)."""
    errors, dropped = [], {}
    for url, (path, line, col) in lost.items():
        first, slash, rest = url.partition("/")
        if slash and first not in languages and LANGUAGE_CODE.match(first):
            dropped[first] = dropped.get(first, 0) + 1
            continue
        alias = rest if first in languages and rest else url
        errors.append(SiteError(path, line, col, f"/{url} was published, and this build no longer serves it",
                                f"if its page moved, add 'aliases: [{alias}]' to the front matter or record of the "
                                f"page that has its content now; to give the URL up on purpose, add "
                                f"'- path: /{url}' under 'retired:' in content/data/retired.yaml"))
    for code, count in dropped.items():
        errors.append(SiteError(*config, f"the language '{code}' is no longer in the config, and the {count} URLs the "
                                f"last build published under /{code}/ are no longer served",
                                f"add the language back to serve them; to give them up on purpose (a language only "
                                f"tried, or withdrawn), add '- path: /{code}/' under 'retired:' in "
                                f"content/data/retired.yaml"))
    return errors


def read_published(folder: Path) -> dict[str, Origin] | None:
    """The URLs recorded by the last build in the cache folder `folder`; None when there is no usable record."""
    try:
        stored = json.loads((folder / RECORD_FILE).read_text("utf-8"))
        if stored.get("format") != FORMAT:
            return None
        return {str(url): (str(path), int(line), int(col)) for url, (path, line, col) in stored["urls"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def published_check(site: Site, folder: Path) -> tuple[dict[str, Origin], list[SiteError]]:
    """What the record of this build is to hold, and the errors for the URLs it would lose."""
    served = served_urls(site)
    retired = {entry.path for entry in site.data.retired}
    folders = tuple(path for path in retired if path.endswith("/"))  # a folder's path retires what is under it too
    lost = {url: at for url, at in (read_published(folder) or {}).items()
            if url not in served and url not in retired and not url.startswith(folders)}
    config = (ErrorList(site.config.root).display_path(site.config.path), site.config.languages_line, 1)
    return served | lost, lost_url_errors(lost, site.config.language_codes, config)


def write_published(folder: Path, urls: dict[str, Origin]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": FORMAT, "urls": dict(sorted(urls.items()))}, ensure_ascii=False, separators=(",", ":"))
    temporary = folder / (RECORD_FILE + ".tmp")
    temporary.write_text(text + "\n", "utf-8")
    temporary.replace(folder / RECORD_FILE)
