"""Atom feed entries per language: each released draft, each held meeting, each dated document. Ids are tag URIs
of stable identities (not URLs, which may move) and `updated` the content's own dates, so rebuilds never change it.
"""

from __future__ import annotations

from datetime import date

from ..base.urls import absolute_url
from ..site.model import Site
from .pages import localizer

TAG = "tag:wtpf-21.ieg,2019:"


def feed_entries(site: Site, lang: str, today: date, strings: tuple[str, ...] | None = None) -> list[dict]:
    """The entries of `lang`'s feed (`strings`: the UI strings the feed may use)."""
    loc = localizer(site, lang, strings, html=False)
    codes = site.config.language_codes
    entries = []
    for draft in site.drafts:
        if not draft.released or draft.meta.released.start > today:
            continue
        version = site.route(f"draft/{draft.number}").version_for(lang, codes)
        entries.append({"id": f"{TAG}draft-{draft.number}", "title": version.title,
                        "updated": draft.meta.released.start, "summary": version.description or version.title,
                        "link": absolute_url(site.config.base_url, site.path(f"draft/{draft.number}", lang))})
    for meeting in site.data.meetings:
        if meeting.status != "held" or meeting.dates.end > today:
            continue
        entries.append({"id": f"{TAG}meeting-{meeting.id}", "title": loc.t("meeting.title", number=meeting.number),
                        "updated": meeting.dates.end, "summary": loc.plain(meeting.summary),
                        "link": absolute_url(site.config.base_url, site.path(f"meeting/{meeting.id}", lang))})
    for index, document in enumerate(site.data.documents):
        if document.date is None or document.date.end > today:
            continue
        title = f"{document.symbol}: {loc.plain(document.title)}" if document.symbol else loc.plain(document.title)
        entries.append({"id": f"{TAG}document-{document.symbol or index + 1}", "title": title,
                        "updated": document.date.end, "summary": loc.plain(document.title),
                        "link": document.link or absolute_url(site.config.base_url, site.path("documents", lang))})
    return sorted(entries, key=lambda e: (e["updated"], e["id"]), reverse=True)
