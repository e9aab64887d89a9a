"""The release check (`python build.py check --release`): every problem of `check`, the URLs the last build
published that this one would no longer serve (which `check` only reports), the translation report's problems,
drafts still `planned` whose release date, comment deadline or a milestone of theirs has passed, and meetings
still `planned` whose dates have passed.
"""

from __future__ import annotations

from datetime import date

from ..base.errors import ContentErrors, ErrorList, SiteError
from ..base.yamlio import Mark
from ..pipeline.build import BuildOptions, check, load_site
from ..site.model import Site
from ..site.schedule import MILESTONE_WORDS
from ..site.translations import data_nodes, translation_report


def check_release(options: BuildOptions) -> int:
    """The number of output files checked; raises ContentErrors with every problem found."""
    problems: list[SiteError] = []
    files = 0
    try:
        result = check(options)
        files, problems = len(result.outputs), list(result.lost)
    except ContentErrors as exc:  # broken links or template errors: keep going to report the rest too
        problems += exc.errors
    site = load_site(options).site  # content errors (which `check` reported as well) stop here
    problems += [problem.error() for problem in translation_report(site).problems]
    today = options.day(site.config)
    problems += planned_but_past(site, today) + meetings_past_but_planned(site, today)
    if problems:
        raise ContentErrors(problems)
    return files


def planned_but_past(site: Site, today: date) -> list[SiteError]:
    """Drafts still `planned` although their release date, comment deadline or a milestone that concerns
    them is in the past (before `today`)."""
    shown = ErrorList(site.config.root).display_path
    problems: list[SiteError] = []
    for draft in site.drafts:
        if draft.meta.status != "planned":
            continue
        released, due = draft.meta.released, draft.meta.comments_due
        if released.end < today:
            key = "released"
            what = f"past release date but still planned: draft {draft.number} was to be released on {released.source}"
        elif due is not None and due.end < today:
            key = "comments_due"
            what = f"past comment deadline but still planned: comments on draft {draft.number} were due on {due.source}"
        else:
            continue
        problems.append(SiteError(shown(draft.source.file.path), *draft.meta.place(key),
                                  f"{what} (set 'status: released' in every language version once it is published, "
                                  f"or change the date)"))
    nodes = data_nodes(site.data, "timetable")
    for index, milestone in enumerate(site.data.milestones):
        draft = site.draft(milestone.draft.target) if milestone.draft else None
        if draft is None or draft.meta.status != "planned" or milestone.date.end >= today:
            continue
        node = nodes[index] if index < len(nodes) else None
        mark = node.value_marks.get("date", node.mark) if node is not None else Mark(milestone.draft.line, 1)
        what = MILESTONE_WORDS.get(milestone.kind, milestone.kind.replace("-", " "))
        problems.append(SiteError(shown(milestone.draft.path), mark.line, mark.col,
                                  f"past {what} but still planned: milestone '{milestone.id}' "
                                  f"({milestone.date.source}) concerns draft {draft.number}, which is still "
                                  f"'planned'"))
    return problems


def meetings_past_but_planned(site: Site, today: date) -> list[SiteError]:
    """Meetings still `planned` although their dates are in the past (before `today`)."""
    shown = ErrorList(site.config.root).display_path
    return [SiteError(shown(meeting.at.path), meeting.at.line, meeting.at.col,
                      f"past meeting but still planned: meeting '{meeting.id}' was to be held on "
                      f"{meeting.dates.source} (set 'status: held' once it took place, 'postponed' or 'cancelled' if "
                      f"it did not, or change its dates)")
            for meeting in site.data.meetings
            if meeting.status == "planned" and meeting.dates.end < today and meeting.at is not None]
