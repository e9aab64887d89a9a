"""Outputs other than the pages: root chooser and 404, static assets, feeds, calendars,
sitemap, robots.txt, the machine-readable expert list and the redirects of moved pages."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Callable
from urllib.parse import urlsplit

from jinja2 import Environment

from ..base.errors import ErrorList
from ..base.urls import absolute_url, output_file
from ..site.aliases import ALIASED_RECORDS, redirects
from ..site.model import Site
from .calendar import CALENDAR_STRINGS, calendar_outputs
from .pages import Output, localizer, render_outputs

FEED_TAG = "tag:wtpf-21.ieg,2019:"  # the feeds' ids: tag URIs of identities that do not move as URLs may


@dataclass(frozen=True)
class OtherOutputs:
    """Outputs other than pages, made together, with what they read declared as a section declares it
    (site/routes.py): a build makes the group again only when something it declares changed."""

    name: str
    make: Callable[[Site, Environment, date, ErrorList], list[Output]]  # given the site narrowed to the group
    data: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()
    structure: str = ""


def static_files(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    """templates/static/, copied; each file counts as its own template, so that editing it makes it again."""
    static = site.config.templates_dir / "static"
    if not static.is_dir():
        return []
    return [Output("static/" + p.relative_to(static).as_posix(), p.read_bytes(),
                   ("static/" + p.relative_to(static).as_posix(),)) for p in sorted(static.rglob("*")) if p.is_file()]


def root_pages(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    """/index.html, which sends readers to their language's tree, and /404.html."""
    default = site.config.default_language
    return render_outputs(site, env, today, errors, [("index.html", "root_index.html", default, {}),
                                                     ("404.html", "root_404.html", default, {})], _ROOT.strings)


def sitemap(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    jobs = [("sitemap.xml", "sitemap.xml", site.config.default_language, {"entries": sitemap_entries(site)})]
    return render_outputs(site, env, today, errors, jobs, ())


def feeds(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    jobs = [(site.path("feed", code), "feed.xml", code, {"entries": feed_entries(site, code, today)})
            for code in site.config.language_codes]
    return render_outputs(site, env, today, errors, jobs, _FEEDS.strings)


def feed_entries(site: Site, lang: str, today: date) -> list[dict]:
    """The Atom entries of `lang`'s feed: each released draft, each held meeting, each dated document. Ids are tag
    URIs of stable identities (not URLs, which may move) and `updated` the content's own dates, so rebuilds never
    change it."""
    loc = localizer(site, lang, _FEEDS.strings, html=False)
    codes = site.config.language_codes
    entries = []
    for draft in site.drafts:
        if not draft.released or draft.meta.released.start > today:
            continue
        version = site.route(f"draft/{draft.number}").version_for(lang, codes)
        entries.append({"id": f"{FEED_TAG}draft-{draft.number}", "title": version.title,
                        "updated": draft.meta.released.start, "summary": version.description or version.title,
                        "link": absolute_url(site.config.base_url, site.path(f"draft/{draft.number}", lang))})
    for meeting in site.data.meetings:
        if meeting.status != "held" or meeting.dates.end > today:
            continue
        entries.append({"id": f"{FEED_TAG}meeting-{meeting.id}", "title": loc.t("meeting.title", number=meeting.number),
                        "updated": meeting.dates.end, "summary": loc.plain(meeting.summary),
                        "link": absolute_url(site.config.base_url, site.path(f"meeting/{meeting.id}", lang))})
    for index, document in enumerate(site.data.documents):
        if document.date is None or document.date.end > today:
            continue
        title = f"{document.symbol}: {loc.plain(document.title)}" if document.symbol else loc.plain(document.title)
        entries.append({"id": f"{FEED_TAG}document-{document.symbol or index + 1}", "title": title,
                        "updated": document.date.end, "summary": loc.plain(document.title),
                        "link": document.link or absolute_url(site.config.base_url, site.path("documents", lang))})
    return sorted(entries, key=lambda e: (e["updated"], e["id"]), reverse=True)


def robots(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    return [Output("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}sitemap.xml\n"
                   .encode("utf-8"))]


def sitemap_entries(site: Site) -> list[dict]:
    """One entry per page and language, with the alternates of its real translations. Not listed: pages whose
    section says so (404 pages, the search page and the translation report, which are marked noindex)."""
    codes = site.config.language_codes
    entries = []
    for route in site.routes:
        if not route.section.listed:
            continue
        real = route.real_languages(codes)
        alternates = [(code, absolute_url(site.config.base_url, site.path(route.key, code))) for code in real]
        if route.key == "home":  # the root page, which picks the language, is the home pages' x-default
            alternates.append(("x-default", site.config.base_url))
        for code in codes:
            entries.append({"loc": absolute_url(site.config.base_url, site.path(route.key, code)),
                            "alternates": alternates if code in real and len(real) > 1 else []})
    return entries


def expert_exports(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    """experts.csv and experts.json with every language's texts side by side."""
    fields = [(f"{field}_{code}", field, localizer(site, code).plain)
              for field in ("name", "country", "organization") for code in site.config.language_codes]
    rows = [{"role": expert.role, "category": expert.category or ""}
            | {column: plain(getattr(expert, field)) for column, field, plain in fields}
            for expert in site.data.experts]
    columns = ["role", "category"] + [column for column, _, _ in fields]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    updated = site.data.header("experts", "updated")  # a DateSpec or None
    return [Output("data/experts.csv", buffer.getvalue().encode("utf-8")),
            Output("data/experts.json", _experts_json(updated and updated.source, rows).encode("utf-8"))]


def _experts_json(updated: str | None, rows: list[dict]) -> str:
    """The document {"updated", "count", "experts"}, one expert a line: easy to read and to diff."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    experts = ",\n".join(" " + encode(row) for row in rows)
    return (f'{{"updated": {encode(updated)}, "count": {len(rows)}, "experts": [\n'
            + (experts + "\n" if rows else "") + "]}\n")



def redirect_outputs(site: Site, env: Environment, today: date, errors: ErrorList) -> list[Output]:
    """The redirects of moved pages (site/aliases.py): a small page at every old path (templates/redirect.html,
    which works on any static host and under any base path; it is no route, so the search index and the sitemap
    leave it out), and `_redirects`, the same moves as Netlify and Cloudflare Pages read them (`/old/path
    /new/path 301`, the base URL's path included) for hosts that answer with a real 301 (none when no page moved)."""
    moves = redirects(site)
    jobs = [(output_file(move.path), "redirect.html", move.lang,
             {"target": move.target, "canonical": absolute_url(site.config.base_url, move.target)}) for move in moves]
    outputs = render_outputs(site, env, today, errors, jobs, _REDIRECTS.strings)
    if moves:
        prefix = urlsplit(site.config.base_url).path or "/"
        lines = []
        for move in moves:
            lines.append(f"{prefix}{move.path} {prefix}{move.target} 301")
            if move.path.endswith("/"):  # the folder asked for without its final slash
                lines.append(f"{prefix}{move.path.rstrip('/')} {prefix}{move.target} 301")
        outputs.append(Output("_redirects", ("\n".join(sorted(lines)) + "\n").encode("utf-8")))
    return outputs

_ROOT = OtherOutputs("root", root_pages, strings=("root.", "404."))
_FEEDS = OtherOutputs("feeds", feeds, data=("meetings", "documents"), strings=("meeting.",), structure="titles")
# the moved pages' old paths: remade when an alias or any page changes (aliases are in the structure, and in the
# meeting and document records)
_REDIRECTS = OtherOutputs("redirects", redirect_outputs, data=ALIASED_RECORDS, strings=("redirect.",),
                          structure="titles")
OTHER_OUTPUTS: tuple[OtherOutputs, ...] = (
    OtherOutputs("static", static_files),
    _ROOT,
    OtherOutputs("sitemap", sitemap, structure="titles"),
    _FEEDS,
    OtherOutputs("exports", expert_exports, data=("experts",)),
    OtherOutputs("calendars", calendar_outputs, data=("timetable", "meetings"), strings=CALENDAR_STRINGS),
    OtherOutputs("robots", robots),
    _REDIRECTS,
)
