"""`python build.py new-draft`: the files of the next draft, made from the latest one.

For the latest draft N it plans `content/drafts/draft-(N+1).<lang>.md` for every language of the site: `number`
N+1, `status: planned`; draft N's title with its number changed (digits, an English ordinal or a Chinese one;
else prefixed with `draft.name`, and the editor told to edit it); `released` and `comments_due` from the
timetable's milestones of draft N+1 or from `--released` and `--comments-due` (a release date is required);
`incorporates` from the meeting whose `produced` lists N+1 (the data may name draft N+1 before its files exist:
an error for every other command, not for this one); and draft N's body, copied, a translation recording
`translation_of` when draft N's was up to date. It adds the draft's milestones to the timetable when they are
missing, and lists what is left to do. Nothing is written when any of the files exists already.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..base.dates import DateSpec, parse_date_spec
from ..base.errors import ContentErrors, ErrorList, SiteError, UsageError
from ..content.parse import ParsedSource, revision
from ..render.numerals import FORMATTER, hanzi
from ..site.model import Site
from ..site.routes import Draft
from ..site.schedule import NewMilestone, insert_milestones, new_milestones
from ..site.translations import FIELD, data_nodes, is_outdated
from .leftovers import ORDINALS, follow_up_todo, stale_todo
from .translated import yaml_scalar

ZH_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class NewFile:
    path: Path
    lang: str
    title: str
    text: str


@dataclass(frozen=True)
class DraftPlan:
    number: int
    files: tuple[NewFile, ...]
    notes: tuple[str, ...]  # where each value came from
    todo: tuple[str, ...]  # what the editor still has to do
    timetable: Path | None = None  # timetable.yaml, when the draft's milestones are to be added to it
    timetable_text: str | None = None  # its text with them
    milestones: tuple[NewMilestone, ...] = ()


def names_the_next_draft(site: Site, error: SiteError) -> bool:
    """True for the error of a data reference to draft N+1 (a timetable milestone, a meeting's `produced`):
    the data may name the next draft before its files exist; new-draft takes its dates from there.
    Pass it to `build.load_site` as `tolerate`."""
    number = (site.drafts[-1].number if site.drafts else 0) + 1
    if error.message != f"no draft number {number} in content/drafts":
        return False
    shown = ErrorList(site.config.root).display_path
    data = site.data
    refs = [r for m in data.meetings for r in (*m.discussed, *m.produced)]
    refs += [m.draft for m in data.milestones if m.draft] + [d.draft for d in data.documents if d.draft]
    return any(ref.target == number and (shown(ref.path), ref.line, ref.col) == (error.path, error.line, error.col)
               for ref in refs)


def plan_new_draft(site: Site, released: date | None = None, comments_due: date | None = None) -> DraftPlan:
    """The files of draft N+1. Raises UsageError when the release date is not known."""
    shown = ErrorList(site.config.root).display_path
    if not site.drafts:
        raise UsageError("there is no draft to start from: write content/drafts/draft-1.<lang>.md by hand "
                         "(see docs/editors-guide.md)")
    previous = site.drafts[-1]
    number = previous.number + 1
    notes: list[str] = []
    todo: list[str] = []
    dates = _dates(site, number, released, comments_due, notes, todo)
    meetings = [m for m in site.data.meetings if any(ref.target == number for ref in m.produced)]
    if meetings:
        notes.append(f"incorporates: {meetings[0].id} (its 'produced' in meetings.yaml lists draft {number})")
    if len(meetings) > 1:
        todo.append(f"several meetings list draft {number} in 'produced' "
                    f"({', '.join(m.id for m in meetings)}); 'incorporates' names the first")
    fields = {"number": str(number), "released": dates[0].source}
    if dates[1] is not None:
        fields["comments_due"] = dates[1].source
    if meetings:
        fields["incorporates"] = meetings[0].id
    fields["status"] = "planned"
    folder = site.config.content_dir / "drafts"
    codes, default = site.config.language_codes, site.config.default_language
    bodies: dict[str, tuple[str, str, ParsedSource]] = {}
    for code in codes:
        source = previous.versions.get(code) or previous.versions.get(default) or next(iter(previous.versions.values()))
        title, changed = next_title(source.title, previous.number, number)
        if not changed:
            label = FORMATTER.format(site.strings.catalog.get("draft.name", {}).get(code, "Draft {number}"),
                                     number=number)
            title = f"{label} — {source.title}"
            todo.append(f"edit the title in {shown(folder / f'draft-{number}.{code}.md')}: draft {previous.number}'s "
                        f"title has no number {previous.number} in it, so '{label} — ' was put in front")
        if source.file.lang != code:
            todo.append(f"translate {shown(folder / f'draft-{number}.{code}.md')}: draft {previous.number} has no "
                        f"{code} version, so it starts from the {source.file.lang} text")
        if source.description:
            todo.append(f"add a description to {shown(folder / f'draft-{number}.{code}.md')} if you like "
                        f"(draft {previous.number}'s was not copied)")
        bodies[code] = (title, source.body, source)
    original = bodies.get(default)
    files = []
    for code in codes:
        title, body, source = bodies[code]
        extra = {}
        if code != default and original is not None and _was_up_to_date(previous, code, default):
            extra[FIELD] = revision(original[0], original[1])
        elif code != default and original is not None and code in previous.versions:
            todo.append(f"{shown(folder / f'draft-{number}.{code}.md')} is out of date like draft "
                        f"{previous.number}'s {code} version: bring it up to date and run "
                        f"python build.py translated {shown(folder / f'draft-{number}.{code}.md')}")
        text = _file_text(fields | {"title": title} | extra, body)
        files.append(NewFile(folder / f"draft-{number}.{code}.md", code, title, text))
    notes.append(f"status: planned; body copied from draft {previous.number}")
    for file in files:
        todo += stale_todo(shown(file.path), file.text, previous, site.config.language(file.lang).locale,
                           zh_number(previous.number))
    todo += follow_up_todo(number, previous, [f.path for f in files if f.lang != default], shown)
    timetable, text, milestones = _timetable_edit(site, number, dates, todo)
    return DraftPlan(number, tuple(files), tuple(notes), tuple(todo), timetable, text, milestones)


def _timetable_edit(site: Site, number: int, dates: tuple[DateSpec, DateSpec | None], todo: list[str]):
    """timetable.yaml with the milestones it lacks for the new draft's dates, in every language."""
    milestones = new_milestones(site, number, {"released": dates[0], "comments_due": dates[1]}, zh_number(number))
    path = site.data.file_path("timetable")
    if not milestones:
        return None, None, ()
    if path is None:
        todo.append(f"the site has no timetable (content/data/timetable.yaml): draft {number}'s dates are on its "
                    f"page only")
        return None, None, ()
    text = path.read_text("utf-8")
    nodes = data_nodes(site.data, "timetable")
    edited = insert_milestones(text, nodes, [m.date for m in site.data.milestones], milestones)
    if any(code not in ("en", "zh") for code in site.config.language_codes):
        todo.append(f"translate the titles of the new milestones in {ErrorList(site.config.root).display_path(path)}"
                    f" (written in English for the languages other than en and zh)")
    return path, edited, milestones


def _dates(site: Site, number: int, released: date | None, comments_due: date | None,
           notes: list[str], todo: list[str]) -> tuple[DateSpec, DateSpec | None]:
    def milestone(kind: str):
        return next((m for m in site.data.milestones if m.kind == kind and m.draft and m.draft.target == number),
                    None)

    found = {"released": milestone("draft-release"), "comments_due": milestone("comment-deadline")}
    given = {"released": released, "comments_due": comments_due}
    options = {"released": "--released", "comments_due": "--comments-due"}
    result: dict[str, DateSpec | None] = {}
    for key in ("released", "comments_due"):
        entry, value = found[key], given[key]
        if value is not None:
            result[key] = parse_date_spec(value.isoformat())
            notes.append(f"{key}: {value.isoformat()} (from {options[key]})")
            if entry is not None and entry.date.source != value.isoformat():
                todo.append(f"the timetable's milestone '{entry.id}' says {entry.date.source}, not "
                            f"{value.isoformat()}: update content/data/timetable.yaml too")
        elif entry is not None:
            result[key] = entry.date
            notes.append(f"{key}: {entry.date.source} (from the timetable's milestone '{entry.id}')")
        else:
            result[key] = None
    if result["released"] is None:
        raise UsageError(f"the timetable has no draft-release milestone for draft {number}: give the release "
                         f"date with --released YYYY-MM-DD (or add the milestone to content/data/timetable.yaml)")
    if result["comments_due"] is None:
        todo.append(f"no comment deadline for draft {number} (no comment-deadline milestone in the timetable and "
                    f"no --comments-due): add 'comments_due' when it is known")
    elif result["comments_due"].end < result["released"].start:
        raise UsageError(f"the comment deadline ({result['comments_due'].source}) is before the release date "
                         f"({result['released'].source})")
    return result["released"], result["comments_due"]


def _was_up_to_date(previous: Draft, code: str, default: str) -> bool:
    translation, original = previous.versions.get(code), previous.versions.get(default)
    return translation is not None and original is not None and not is_outdated(translation, original)


_FIELD_ORDER = ("number", "title", "released", "comments_due", "incorporates", "status", FIELD)


def _file_text(fields: dict[str, str], body: str) -> str:
    lines = ["---"]
    for key in _FIELD_ORDER:
        if key in fields:
            value = fields[key]
            scalar = yaml_scalar(value) if key in ("title", FIELD) else value  # dates and ids are plain
            if scalar.startswith("'") and key == "title":
                scalar = json.dumps(value, ensure_ascii=False)  # a double-quoted YAML scalar reads better
            lines.append(f"{key}: {scalar}")
    lines.append("---")
    body = body if body.endswith("\n") or not body else body + "\n"
    return "\n".join(lines) + "\n" + body


def next_title(title: str, old: int, new: int) -> tuple[str, bool]:
    """`title` with draft number `old` changed to `new`: digits, English ordinals, Chinese 第N.
    Returns the title and whether anything changed."""
    count = 0

    def sub(pattern: str, replace, text: str, flags: int = 0) -> str:
        nonlocal count
        text, n = re.subn(pattern, replace, text, flags=flags)
        count += n
        return text

    title = sub(rf"(?<!\d){old}(?!\d)", str(new), title)
    if old <= len(ORDINALS) and new <= len(ORDINALS):
        title = sub(rf"(?<![A-Za-z]){ORDINALS[old - 1]}(?![A-Za-z])",
                    lambda m: _same_case(m.group(0), ORDINALS[new - 1]), title, re.IGNORECASE)
    if old < 100 and new < 100:
        title = sub(rf"第{zh_number(old)}(?![{ZH_DIGITS}十])", f"第{zh_number(new)}", title)
    return title, count > 0


def _same_case(found: str, word: str) -> str:
    if found.isupper():
        return word.upper()
    if found[0].isupper():
        return word.capitalize()
    return word


def zh_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 11 -> 十一, 21 -> 二十一: the numerals the UI strings write (render.numerals)."""
    return hanzi(n)


def write_new_draft(plan: DraftPlan, shown) -> None:
    """Create every file of the plan, or none: refuses when any of them exists. Then add the draft's milestones
    to the timetable (its text edited, so its comments and layout stay)."""
    existing = [f for f in plan.files if f.path.exists()]
    if existing:
        raise ContentErrors([SiteError(shown(f.path), 1, 1, f"already exists: new-draft would make draft "
                                       f"{plan.number} here and never overwrites a file; nothing was created")
                             for f in existing])
    plan.files[0].path.parent.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    try:
        for file in plan.files:
            with open(file.path, "x", encoding="utf-8", newline="\n") as handle:
                created.append(file.path)
                handle.write(file.text)
        if plan.timetable is not None and plan.timetable_text is not None:
            staged = plan.timetable.with_name(plan.timetable.name + ".new-draft")
            staged.write_text(plan.timetable_text, "utf-8", newline="\n")
            staged.replace(plan.timetable)  # at once: the timetable is never half written
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
