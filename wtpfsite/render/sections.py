"""The site's sections: every kind of page, declared once (`SECTIONS`), with the handler that gives its template
what it shows beyond the common page context. See site/routes.py for what a declaration says, and
docs/architecture.md for adding one."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import groupby
from typing import Any

from ..base.dates import milestone_states
from ..content.data import EVERY_FILE
from ..content.records import EXPERT_CATEGORIES
from ..site.model import Site
from ..site.routes import EVERY_STRING, Draft, Section
from ..site.translations import translation_report
from .diff import diff_drafts


def _home(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    held = [m for m in site.data.meetings if m.status == "held"]
    coming = [row["milestone"] for row in _timetable_rows(site, today)
              if row["state"] in ("current", "next", "upcoming")]  # (the page's script shows the first not over)
    return {"latest_draft": site.latest_draft, "latest_meeting": held[-1] if held else None,
            "coming_milestones": coming}


def _neighbours(site: Site, draft: Draft) -> dict[str, Any]:
    return {"draft": draft, "previous": site.draft(draft.number - 1), "next": site.draft(draft.number + 1),
            "has_changes": site.has_route(f"changes/{draft.number}")}


def _draft(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    draft = site.draft(int(name))
    return _neighbours(site, draft) | {"documents": site.draft_documents(draft)}


def _changes(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    draft = site.draft(int(name))
    codes = site.config.language_codes
    new = site.route(f"draft/{draft.number}").version_for(lang, codes)
    old = site.route(f"draft/{draft.number - 1}").version_for(new.file.lang, codes)
    return _neighbours(site, draft) | {"changes": diff_drafts(old.body, new.body, new.file.lang),
                                       "diff_lang": new.file.lang}


def _drafts(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    counts = {d.number: sum(1 for doc in site.draft_documents(d) if doc.kind == "comment") for d in site.drafts}
    proposed = {m.draft.target for m in site.data.milestones if m.proposed and m.draft is not None}
    return {"drafts": site.drafts, "comment_counts": counts, "proposed_drafts": proposed}


def _latest(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    return {"draft": site.latest_draft}


def _meetings(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    """The meetings to come, the next first, and those held, the latest first."""
    in_order = sorted(site.data.meetings, key=lambda m: m.number)
    return {"held": [m for m in reversed(in_order) if m.status == "held"],
            "planned": [m for m in in_order if m.status != "held"]}


def _meeting(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    meeting = site.meeting(name)
    return {"meeting": meeting,
            "documents": site.data.meeting_documents(meeting.id),
            "discussed": [site.draft(r.target) for r in meeting.discussed],
            "produced": [site.draft(r.target) for r in meeting.produced]}


def _meeting_title(site: Site, name: str, t) -> str:
    return t("meeting.title", number=site.meeting(name).number)


def _experts(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    experts = site.data.experts
    counts = Counter(e.category for e in experts if e.category)
    return {"experts": experts, "updated": site.data.header("experts", "updated"),
            "nominated": site.data.header("experts", "nominated"),
            "nominated_list": site.data.header("experts", "nominated_list"),
            "category_counts": [(c, counts[c]) for c in EXPERT_CATEGORIES if counts[c]],
            "categories": EXPERT_CATEGORIES}


def _timetable_rows(site: Site, today: date) -> list[dict[str, Any]]:
    """The milestones in order of their dates (equal dates in the file's order: the timetable reads by date whatever
    the order editors added its entries in), each with its state and the meeting it is (a milestone of kind meeting
    that names one): a postponed or cancelled meeting's milestone takes the meeting's state."""
    milestones = sorted(site.data.milestones, key=lambda m: (m.date.start, m.date.end))
    meetings = [site.meeting(m.meeting.target) if m.kind == "meeting" and m.meeting else None for m in milestones]
    fixed = [meeting.status if meeting and meeting.called_off else None for meeting in meetings]
    states = milestone_states([m.date for m in milestones], today, fixed)
    return [{"milestone": m, "state": s, "meeting": meeting} for m, s, meeting in zip(milestones, states, meetings)]


def _timetable(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    by_year = groupby(_timetable_rows(site, today), key=lambda r: r["milestone"].date.start.year)
    return {"years": [(year, list(items)) for year, items in by_year]}


def _documents(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    documents = site.data.documents
    by_draft = [(d, docs) for d in site.drafts if (docs := site.draft_documents(d))]
    by_meeting = [(m, docs) for m in site.data.meetings if (docs := site.data.meeting_documents(m.id))]
    with_draft = {doc for _, docs in by_draft for doc in docs}
    other = [doc for doc in documents if doc.meeting is None and doc not in with_draft]
    return {"documents": documents, "by_draft": by_draft, "by_meeting": by_meeting, "other_documents": other,
            "kinds": sorted({doc.kind for doc in documents})}


def _page(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    """The consultation page lists its deadlines. One about a draft counts down only from the timetable's release
    of that draft (`counts_from`; `check --release` holds the timetable to the drafts' own release dates)."""
    if name != "consultation":
        return {"consultation_deadlines": []}
    releases = {m.draft.target: m.date.start for m in site.data.milestones if m.kind == "draft-release" and m.draft}
    deadlines = [row | {"counts_from": releases.get(draft.target) if draft else None,
                        "badge": draft is None or draft.target in releases}
                 for row in _timetable_rows(site, today) if row["milestone"].kind == "consultation-deadline"
                 for draft in [row["milestone"].draft]]
    return {"consultation_deadlines": deadlines}


def _translations(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    return {"report": translation_report(site)}


DRAFT_STRINGS = ("draft.", "deadline.", "documents.", "meeting.")

# Markdown-backed sections first (the link stage makes their routes from content/pages and content/drafts), then
# the others, whose routes follow in this order.
SECTIONS: tuple[Section, ...] = (
    Section("home", "", "home.html", _home, data=("meetings", "timetable"),
            strings=("home.", "proposal.", *DRAFT_STRINGS),
            structure="titles"),
    Section("page", "{name}/", "page.html", _page, data=("timetable", "meetings"),
            strings=("consultation.", "deadline.", "proposal.")),
    Section("draft", "drafts/draft-{name}/", "draft.html", _draft, data=("documents", "meetings"),
            strings=DRAFT_STRINGS, structure="titles", parent="drafts"),
    Section("changes", "drafts/draft-{name}/changes/", "changes.html", _changes, strings=("changes.", "draft."),
            structure="titles", parent="drafts"),
    Section("drafts-latest", "drafts/latest/", "latest.html", _latest, strings=("latest.", "draft."),
            structure="titles", parent="drafts", listed=False),  # (it forwards to the draft: not a page to list)
    Section("drafts", "drafts/", "drafts.html", _drafts, data=("documents", "timetable"),
            strings=("drafts.", "draft.", "deadline.", "proposal."), structure="titles"),
    Section("meetings", "meetings/", "meetings.html", _meetings, data=("meetings",),
            strings=("meetings.", "meeting.", "proposal.")),
    Section("experts", "experts/", "experts.html", _experts, data=("experts",), strings=("experts.",)),
    Section("timetable", "timetable/", "timetable.html", _timetable, data=("timetable", "meetings"),
            strings=("timetable.", "draft.", "meeting.", "proposal."), structure="titles"),
    Section("documents", "documents/", "documents.html", _documents, data=("documents", "meetings"),
            strings=("documents.", "draft.", "meeting."), structure="titles"),
    Section("meeting", "meetings/{name}/", "meeting.html", _meeting, data=("meetings", "documents"),
            strings=(*DRAFT_STRINGS, "proposal."), structure="titles", records="meetings",
            record_name=lambda meeting: meeting.id, title=_meeting_title, parent="meetings"),
    Section("404", "404.html", "404.html", strings=("404.",), listed=False),
    Section("search", "search/", "search.html", listed=False),
    Section("translations", "translations/", "translations.html", _translations, data=(EVERY_FILE,),
            strings=("translations.", EVERY_STRING), structure="sources", listed=False),
    Section("feed", "feed.xml", "feed.xml", page=False),
    Section("calendar", "calendar.ics", "", page=False),
)
