"""The redirects of moved pages (site/aliases.py): a small page at each old path, and `_redirects`.

The page (templates/redirect.html) works on any static host and under any base path; it is no route, so the search
index and the sitemap leave it out. `_redirects` lists the same moves as Netlify and Cloudflare Pages read them
(`/old/path /new/path 301`, the base URL's path included), for hosts that answer with a real 301.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from jinja2 import Environment

from ..base.errors import ErrorList
from ..base.urls import absolute_url, output_file
from ..site.aliases import redirects
from ..site.model import Site
from .pages import Output, render_outputs

REDIRECT_STRINGS = ("redirect.",)
REDIRECTS_FILE = "_redirects"


def redirect_outputs(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    """A page at every old path, and the `_redirects` file (none when no page has moved)."""
    moves = redirects(site)
    jobs = [(output_file(move.path), "redirect.html", move.lang,
             {"target": move.target, "canonical": absolute_url(site.config.base_url, move.target)}) for move in moves]
    outputs = render_outputs(site, env, today, errors, jobs, REDIRECT_STRINGS)
    if moves:
        prefix = urlsplit(site.config.base_url).path or "/"
        lines = []
        for move in moves:
            lines.append(f"{prefix}{move.path} {prefix}{move.target} 301")
            if move.path.endswith("/"):  # the folder asked for without its final slash
                lines.append(f"{prefix}{move.path.rstrip('/')} {prefix}{move.target} 301")
        outputs.append(Output(REDIRECTS_FILE, ("\n".join(sorted(lines)) + "\n").encode("utf-8")))
    return outputs
