"""Drafts and the timetable: a released draft's release date and comment deadline must be milestones of the
timetable (which the timetable page, the calendar and "Next milestone" read), and `new-draft` adds them to
`timetable.yaml` by editing its text, so that its comments and layout stay as the editors wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..base.dates import DateSpec, parse_date_spec
from ..base.errors import ErrorList, SiteError
from ..base.yamledit import scalar
from ..base.yamlio import MarkedMap
from ..content.records import Milestone
from .model import Site

MILESTONE_KINDS = {"released": "draft-release", "comments_due": "comment-deadline"}
MILESTONE_WORDS = {"draft-release": "release date", "comment-deadline": "comment deadline"}


def drafts_missing_from_timetable(site: Site) -> list[SiteError]:
    """An error for each released draft whose release date or comment deadline has no milestone of the same
    date in the timetable (only for a site that has a timetable). `build` and `check` both refuse such a site:
    its pages would give two dates for one thing."""
    path = site.data.file_path("timetable")
    if path is None:
        return []
    errors = ErrorList(site.config.root)
    for draft in site.drafts:
        if not draft.released:
            continue
        for field, kind in MILESTONE_KINDS.items():
            spec: DateSpec | None = getattr(draft.meta, field)
            if spec is None:
                continue
            found = milestones_of(site, kind, draft.number)
            line, col = draft.meta.place(field)
            words = MILESTONE_WORDS[kind]
            if not found:
                errors.add(draft.source.file.path, line, col,
                           f"draft {draft.number} is released, but its {words} ({spec.source}) is not in the "
                           f"timetable: add a '{kind}' milestone with 'draft: {draft.number}' to "
                           f"{errors.display_path(path)}, or the timetable page, the calendar and 'Next milestone' "
                           f"leave it out")
            elif all(_day(m.date, kind) != _day(spec, kind) for m in found):
                errors.add(draft.source.file.path, line, col,
                           f"draft {draft.number}'s {words} is {spec.source}, but the timetable's milestone "
                           f"'{found[0].id}' says {found[0].date.source}: make them agree")
    return errors.errors


def _day(spec: DateSpec, kind: str) -> tuple:
    """What a draft's date and its milestone's must share: a deadline's last day (the milestone may give the whole
    comment period), a release's period."""
    return (spec.end,) if kind == "comment-deadline" else (spec.start, spec.end)


def milestones_of(site: Site, kind: str, number: int) -> list[Milestone]:
    return [m for m in site.data.milestones if m.kind == kind and m.draft and m.draft.target == number]


@dataclass(frozen=True)
class NewMilestone:
    id: str
    date: str
    kind: str
    titles: dict[str, str]  # by language code
    draft: int


_TITLES = {
    "draft-release": {"en": "Draft {number} published for comments", "zh": "草案第{zh}稿在网上公布，征求评论"},
    "comment-deadline": {"en": "Deadline for comments on draft {number}", "zh": "草案第{zh}稿评论截止日期"},
}


def new_milestones(site: Site, number: int, dates: dict[str, DateSpec | None], zh_number: str
                   ) -> tuple[NewMilestone, ...]:
    """The milestones the timetable lacks for draft `number`'s dates (`released`, `comments_due`), titled in
    every language of the site (a language without a title of its own gets the English one, to translate)."""
    ids = {m.id for m in site.data.milestones}
    made = []
    for field, kind in MILESTONE_KINDS.items():
        spec = dates.get(field)
        if spec is None or milestones_of(site, kind, number):
            continue
        ident = f"draft-{number}-{'release' if field == 'released' else 'comments'}"
        while ident in ids:
            ident += "-new"
        titles = {code: _TITLES[kind].get(code, _TITLES[kind]["en"]).format(number=number, zh=zh_number)
                  for code in site.config.language_codes}
        made.append(NewMilestone(ident, spec.source, kind, titles, number))
    return tuple(made)


def insert_milestones(text: str, nodes: list[MarkedMap], dates: list[DateSpec], new: tuple[NewMilestone, ...]
                      ) -> str:
    """`text` (timetable.yaml) with each new milestone written in before the first entry of a later date (after
    the last entry otherwise), in the file's own indentation; every other line stays as it was. `nodes` and
    `dates`: the marked YAML and the date of each existing entry, in file order."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    inserts: dict[int, list[str]] = {}
    for milestone in new:
        start = parse_date_spec(milestone.date)
        later = next((i for i, spec in enumerate(dates) if spec.start > start.start), None)
        if later is None or later >= len(nodes):
            at, indent = len(lines), _indent(lines, nodes[-1].mark.line) if nodes else "  "
            block = ([] if not lines or not lines[-1].strip() else ["\n"]) + _entry(milestone, indent)
        else:
            at = nodes[later].mark.line - 1
            indent = _indent(lines, at + 1)
            while at > 0 and lines[at - 1].lstrip().startswith("#"):  # the entry's own comment stays with it
                at -= 1
            block = _entry(milestone, indent) + ["\n"]
        inserts.setdefault(at, []).extend(block)
    return "".join("".join(inserts.get(index, ())) + line for index, line in enumerate(lines + [""]))


def _indent(lines: list[str], line: int) -> str:
    """The indentation of the list item on `line` (1-based): the spaces before its '- '."""
    match = re.match(r"( *)- ", lines[line - 1]) if 0 < line <= len(lines) else None
    return match.group(1) if match else "  "


def _entry(milestone: NewMilestone, indent: str) -> list[str]:
    inner = indent + "  "
    lines = [f"{indent}- id: {milestone.id}\n", f"{inner}date: {milestone.date}\n", f"{inner}kind: {milestone.kind}\n",
             f"{inner}title:\n"]
    lines += [f"{inner}  {code}: {scalar(title)}\n" for code, title in milestone.titles.items()]
    lines.append(f"{inner}draft: {milestone.draft}\n")
    return lines

