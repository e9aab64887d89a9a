"""What each kind of page shows, beyond the common page context: the template data of the
home page, drafts, changes, meetings, experts, timetable and documents."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import groupby
from typing import Any

from .data import EXPERT_CATEGORIES, Milestone
from .model import Draft, Route, Site
from .status import milestone_states


def extra_context(site: Site, route: Route, lang: str, today: date) -> dict[str, Any]:
    kind, _, name = route.key.partition("/")
    handler = _HANDLERS.get(kind)
    return handler(site, name, lang, today) if handler else {}


def _home(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    held = [m for m in site.data.meetings if m.status == "held"]
    upcoming = [m for m in _timetable_rows(site, today) if m["state"] in ("current", "next")]
    return {"latest_draft": site.latest_draft, "latest_meeting": held[-1] if held else None,
            "next_milestone": upcoming[0]["milestone"] if upcoming else None}


def _neighbours(site: Site, draft: Draft) -> dict[str, Any]:
    return {"draft": draft, "previous": site.draft(draft.number - 1), "next": site.draft(draft.number + 1),
            "has_changes": site.has_route(f"changes/{draft.number}")}


def _draft(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    return _neighbours(site, site.draft(int(name)))


def _changes(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    from .diff import diff_drafts  # loaded only when a changes page renders

    draft = site.draft(int(name))
    previous = site.draft(draft.number - 1)
    codes = site.config.language_codes
    new = site.route(f"draft/{draft.number}").version_for(lang, codes)
    old = site.route(f"draft/{previous.number}").version_for(new.file.lang, codes)
    return _neighbours(site, draft) | {"changes": diff_drafts(old.body, new.body, new.file.lang),
                                       "diff_lang": new.file.lang, "old_lang": old.file.lang}


def _drafts(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    counts = {d.number: sum(1 for doc in d.documents if doc.kind == "comment") for d in site.drafts}
    return {"drafts": site.drafts, "comment_counts": counts}


def _latest(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    return {"draft": site.latest_draft}


def _meetings(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    newest_first = sorted(site.data.meetings, key=lambda m: m.number, reverse=True)
    return {"held": [m for m in newest_first if m.status == "held"],
            "planned": [m for m in newest_first if m.status != "held"]}


def _meeting(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    meeting = site.meeting(name)
    return {"meeting": meeting,
            "documents": site.meeting_documents(meeting.id),
            "discussed": [site.draft(r.target) for r in meeting.discussed],
            "produced": [site.draft(r.target) for r in meeting.produced]}


def _experts(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    experts = site.data.experts
    counts = Counter(e.category for e in experts if e.category)
    return {"experts": experts, "updated": site.data.experts_updated,
            "category_counts": [(c, counts[c]) for c in EXPERT_CATEGORIES if counts[c]],
            "categories": EXPERT_CATEGORIES}


def _timetable_rows(site: Site, today: date) -> list[dict[str, Any]]:
    milestones: list[Milestone] = list(site.data.milestones)
    states = milestone_states([m.date for m in milestones], today)
    return [{"milestone": m, "state": s} for m, s in zip(milestones, states)]


def _timetable(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    rows = _timetable_rows(site, today)
    years = [(year, list(items)) for year, items in groupby(rows, key=lambda r: r["milestone"].date.start.year)]
    return {"years": years}


def _documents(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    documents = site.data.documents
    symbols_by_draft = {d.number: {doc.symbol for doc in d.documents} for d in site.drafts}
    with_draft = set().union(*symbols_by_draft.values())
    by_draft = [(d, [doc for doc in documents if doc.symbol in symbols_by_draft[d.number]]) for d in site.drafts]
    by_meeting = [(m, site.meeting_documents(m.id)) for m in site.data.meetings]
    other = [doc for doc in documents if doc.meeting is None and doc.symbol not in with_draft]
    kinds = sorted({doc.kind for doc in documents})
    return {"documents": documents, "by_draft": [x for x in by_draft if x[1]],
            "by_meeting": [x for x in by_meeting if x[1]], "other_documents": other, "kinds": kinds}


def _consultation_deadlines(site: Site, today: date) -> list[dict[str, Any]]:
    return [r for r in _timetable_rows(site, today) if r["milestone"].kind == "consultation-deadline"]


def _page(site: Site, name: str, lang: str, today: date) -> dict[str, Any]:
    return {"consultation_deadlines": _consultation_deadlines(site, today) if name == "consultation" else []}


_HANDLERS = {"home": _home, "draft": _draft, "changes": _changes, "drafts": _drafts, "drafts-latest": _latest,
             "meetings": _meetings, "meeting": _meeting, "experts": _experts, "timetable": _timetable,
             "documents": _documents, "page": _page}
