"""The record of the URLs the last build published (`published.json` in the cache folder), and the check of a
new build against it (site/published.py): `build` and `check` report the URLs it would lose, `check --release`
fails on them.

The record holds every URL the last successful build served, with the source that made it, and the URLs it had
lost and that are still neither served again, aliased nor retired: a URL stays reported until an editor
settles it, however many builds run meanwhile. A site with no record (its first build) reports nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..base.errors import ErrorList, SiteError
from ..site.model import Site
from ..site.published import Origin, lost_url_errors, served_urls

RECORD_FILE = "published.json"
FORMAT = 1


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
    served = served_urls(site, ErrorList(site.config.root).display_path)
    retired = {entry.path for entry in site.data.retired}
    lost = {url: at for url, at in (read_published(folder) or {}).items() if url not in served and url not in retired}
    return served | lost, lost_url_errors(lost, site.config.language_codes)


def write_published(folder: Path, urls: dict[str, Origin]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": FORMAT, "urls": dict(sorted(urls.items()))}, ensure_ascii=False, separators=(",", ":"))
    temporary = folder / (RECORD_FILE + ".tmp")
    temporary.write_text(text + "\n", "utf-8")
    temporary.replace(folder / RECORD_FILE)
