"""The redirects of moved pages (site/aliases.py): a small page at each old path, and `_redirects`.

The page (templates/redirect.html) works on any static host and under any base path; it is no route, so the search
index and the sitemap leave it out. `_redirects` lists the same moves as Netlify and Cloudflare Pages read them
(`/old/path /new/path 301`, the base URL's path included), for hosts that answer with a real 301.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from jinja2 import Environment, TemplateError

from ..base.errors import ErrorList
from ..base.urls import absolute_url, output_file
from ..site.aliases import redirects
from ..site.model import Site
from .environment import render_template, template_error
from .pages import Output, base_context

REDIRECT_STRINGS = ("redirect.",)
REDIRECTS_FILE = "_redirects"


def redirect_outputs(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    """A page at every old path, and the `_redirects` file (none when no page has moved)."""
    moves = redirects(site)
    outputs = []
    for move in moves:
        path = output_file(move.path)
        context = base_context(site, move.lang, path, today, strings=REDIRECT_STRINGS) | {
            "path": path, "target": move.target, "canonical": absolute_url(site.config.base_url, move.target)}
        try:
            rendered = render_template(env, "redirect.html", context)
        except TemplateError as exc:
            template_error(exc, site.config.templates_dir, "redirect.html", errors)
            continue
        outputs.append(Output(path, rendered.text.encode("utf-8"), rendered.templates))
    if moves:
        prefix = urlsplit(site.config.base_url).path or "/"
        lines = []
        for move in moves:
            lines.append(f"{prefix}{move.path} {prefix}{move.target} 301")
            if move.path.endswith("/"):  # the folder asked for without its final slash
                lines.append(f"{prefix}{move.path.rstrip('/')} {prefix}{move.target} 301")
        outputs.append(Output(REDIRECTS_FILE, ("\n".join(sorted(lines)) + "\n").encode("utf-8")))
    return outputs
