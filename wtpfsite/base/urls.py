"""Site-relative paths ("en/drafts/draft-3/") and the URLs made of them: relative between pages, so that the
output works under any base path, and absolute (canonical, sitemap, feeds) by joining the base URL."""

from __future__ import annotations

import posixpath
from functools import lru_cache
from typing import Callable


def output_file(path: str) -> str:
    """'en/about/' -> 'en/about/index.html'; '' -> 'index.html'; files stay as they are."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def relative_from(base: str) -> Callable[[str], str]:
    """The function that makes the relative URL from the page at `base` to a target (both site-relative paths): a
    page links to dozens of others (the navigation, its Markdown links), so the folders of `base` are split once,
    and each target's once per process."""
    start = base if base.endswith("/") or base == "" else posixpath.dirname(base) + "/"
    since = _parts(start)

    def relative(target: str) -> str:
        target_dir, _, fragment = target.partition("#")
        rel = _relpath(target_dir, start, since)
        if target_dir == "" or target_dir.endswith("/"):
            rel = "./" if rel == "." else rel + "/"
        return rel + ("#" + fragment if fragment else "")

    return relative


@lru_cache(maxsize=4096)  # the same targets (the navigation's pages, the stylesheet) from every page
def _parts(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


def _relpath(target: str, start: str, since: tuple[str, ...] | None = None) -> str:
    """posixpath.relpath("/" + target, "/" + start), without its normalising for paths that need none (every page
    links to each page of the navigation: this runs tens of thousands of times on a large site). `since`: `start`
    split, when the caller has it."""
    to, since = _parts(target), _parts(start) if since is None else since
    if "." in to or ".." in to or "." in since or ".." in since:
        return posixpath.relpath("/" + target, "/" + start)
    common = 0
    for a, b in zip(to, since):
        if a != b:
            break
        common += 1
    return "/".join(("..",) * (len(since) - common) + to[common:]) or "."


def absolute_url(base_url: str, path: str) -> str:
    return base_url + path
