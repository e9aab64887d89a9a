"""`python build.py new-draft`: the files of draft N+1, in every language, made from the latest draft N.

Draft N's title with its number changed, and its body; the dates from the timetable's milestones of draft N+1
or from `--released` and `--comments-due`; `incorporates` from the meeting whose `produced` lists N+1. The
timetable gets the draft's milestones it lacks; the editor is told what is left to do: the lines of the copied
body that still name draft N or its dates, the translations, the comments. Nothing is written when any of the
files exists already.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..base.dates import DateSpec, format_day, parse_date_spec
from ..base.errors import ContentErrors, ErrorList, SiteError, UsageError
from ..base.yamledit import read_text, scalar
from ..content.parse import revision
from ..render.numerals import ENGLISH_ORDINALS, FORMATTER, hanzi as zh_number  # the UI strings' numerals: 二十一
from ..site.model import Site
from ..site.routes import Draft
from ..site.schedule import MILESTONE_KINDS, NewMilestone, insert_milestones, milestones_of, new_milestones
from ..site.translations import FIELD, data_nodes, is_outdated


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
    """True for the error of a data reference to draft N+1 (a timetable milestone, a meeting's `produced`; only
    data references make this error): the data may name the next draft before its files exist; new-draft takes
    its dates from there. Pass it to `build.load_site` as `tolerate`."""
    number = (site.drafts[-1].number if site.drafts else 0) + 1
    return error.message == f"no draft number {number} in content/drafts"


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
    fields = {"released": dates[0].source, "comments_due": dates[1] and dates[1].source,  # dates and ids are plain
              "incorporates": meetings[0].id if meetings else None, "status": "planned"}
    default = site.config.default_language
    files: list[NewFile] = []
    for code in site.config.language_codes:  # the default language first: a translation records its revision
        path = site.config.content_dir / "drafts" / f"draft-{number}.{code}.md"
        source = previous.versions.get(code) or previous.versions.get(default) or next(iter(previous.versions.values()))
        title, changed = next_title(source.title, previous.number, number)
        if not changed:
            label = FORMATTER.format(site.strings.catalog.get("draft.name", {}).get(code, "Draft {number}"),
                                     number=number)
            title = f"{label} — {source.title}"
            todo.append(f"edit the title in {shown(path)}: draft {previous.number}'s title has no number "
                        f"{previous.number} in it, so '{label} — ' was put in front")
        if source.file.lang != code:
            todo.append(f"translate {shown(path)}: draft {previous.number} has no {code} version, so it starts from "
                        f"the {source.file.lang} text")
        if source.description:
            todo.append(f"add a description to {shown(path)} if you like (draft {previous.number}'s was not copied)")
        extra = {}
        if code == default:
            original = revision(title, source.body)
        elif code in previous.versions:
            if default in previous.versions and not is_outdated(previous.versions[code], previous.versions[default]):
                extra[FIELD] = scalar(original)
            else:
                todo.append(f"{shown(path)} is out of date like draft {previous.number}'s {code} version: bring it "
                            f"up to date and run python build.py translated {shown(path)}")
        head = {"number": str(number), "title": scalar(title)}
        files.append(NewFile(path, code, title, _file_text(head | fields | extra, source.body)))
    notes.append(f"status: planned; body copied from draft {previous.number}")
    for file in files:
        todo += stale_todo(shown(file.path), file.text, previous, site.config.language(file.lang).locale)
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
    text, newline = read_text(path)  # (written back with the line ends it has)
    edited = insert_milestones(text, data_nodes(site.data, "timetable"), [m.date for m in site.data.milestones],
                               milestones).replace("\n", newline)
    if any(code not in ("en", "zh") for code in site.config.language_codes):
        todo.append(f"translate the titles of the new milestones in {ErrorList(site.config.root).display_path(path)}"
                    f" (written in English for the languages other than en and zh)")
    return path, edited, milestones


def _dates(site: Site, number: int, released: date | None, comments_due: date | None,
           notes: list[str], todo: list[str]) -> tuple[DateSpec, DateSpec | None]:
    """The release date and comment deadline of draft `number`: as given, else the timetable's milestones."""
    result: list[DateSpec | None] = []
    for (key, kind), given in zip(MILESTONE_KINDS.items(), (released, comments_due)):
        entry, option = next(iter(milestones_of(site, kind, number)), None), "--" + key.replace("_", "-")
        if given is not None:
            result.append(parse_date_spec(given.isoformat()))
            notes.append(f"{key}: {given.isoformat()} (from {option})")
            if entry is not None and entry.date.source != given.isoformat():
                todo.append(f"the timetable's milestone '{entry.id}' says {entry.date.source}, not "
                            f"{given.isoformat()}: update content/data/timetable.yaml too")
        elif entry is not None:
            result.append(entry.date)
            notes.append(f"{key}: {entry.date.source} (from the timetable's milestone '{entry.id}')")
        else:
            result.append(None)
    release, due = result
    if release is None:
        raise UsageError(f"the timetable has no draft-release milestone for draft {number}: give the release "
                         f"date with --released YYYY-MM-DD (or add the milestone to content/data/timetable.yaml)")
    if due is None:
        todo.append(f"no comment deadline for draft {number} (no comment-deadline milestone in the timetable and "
                    f"no --comments-due): add 'comments_due' when it is known")
    elif due.end < release.start:
        raise UsageError(f"the comment deadline ({due.source}) is before the release date ({release.source})")
    return release, due


def _file_text(fields: dict[str, str | None], body: str) -> str:
    """A draft's file: its front matter's fields (YAML scalars, in order; None left out), then `body`."""
    lines = ["---", *(f"{key}: {value}" for key, value in fields.items() if value is not None), "---"]
    return "\n".join(lines) + "\n" + (body if body.endswith("\n") or not body else body + "\n")


def next_title(title: str, old: int, new: int) -> tuple[str, bool]:
    """`title` with draft number `old` changed to `new`: the first number `old`, the English ordinal before
    "draft", Chinese 第N稿 (not another number the title has: "for the sixth WTPF"). Returns the title and whether
    anything changed."""
    result = re.sub(rf"(?<!\d){old}(?!\d)", str(new), title, count=1)
    if old <= len(ENGLISH_ORDINALS) and new <= len(ENGLISH_ORDINALS):
        result = re.sub(rf"(?<![A-Za-z]){ENGLISH_ORDINALS[old - 1]}(?=\s+draft)",
                        lambda m: _same_case(m.group(0), ENGLISH_ORDINALS[new - 1]), result, flags=re.IGNORECASE)
    if old < 100 and new < 100:
        result = result.replace(f"第{zh_number(old)}稿", f"第{zh_number(new)}稿")
    return result, result != title


def _same_case(found: str, word: str) -> str:
    return word.upper() if found.isupper() else word.capitalize() if found[0].isupper() else word


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


def stale_todo(path: str, text: str, previous: Draft, locale: str, limit: int = 8) -> list[str]:
    """The to-do items for the body lines of a new draft's file that still name the previous draft or its dates."""
    words = [rf"\bdraft[ -]{previous.number}\b", rf"第{zh_number(previous.number)}稿"]
    if previous.number <= len(ENGLISH_ORDINALS):
        words.append(rf"\b{ENGLISH_ORDINALS[previous.number - 1]} draft\b")
    for spec in (previous.meta.released, previous.meta.comments_due):
        for day in {spec.start, spec.end} if spec is not None else ():
            words += [re.escape(day.isoformat()), re.escape(format_day(day, locale))]
    pattern = re.compile("|".join(words), re.IGNORECASE)
    lines = text.splitlines()
    body_start = next((i + 1 for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
    found = [(index + 1, ", ".join(f"'{name}'" for name in names)) for index in range(body_start, len(lines))
             if (names := sorted({m.group(0) for m in pattern.finditer(lines[index])}))]
    items = [f"{path}:{line}: names draft {previous.number} or its dates ({names}): the body was copied from "
             f"draft {previous.number}; describe draft {previous.number + 1}" for line, names in found[:limit]]
    if len(found) > limit:
        items.append(f"{path}: {len(found) - limit} more lines name draft {previous.number} or its dates")
    return items


def follow_up_todo(number: int, previous: Draft, translations: list[Path], shown) -> list[str]:
    """What is left once a new draft's files exist: the previous draft's status, translations, commenters."""
    items = []
    if previous.meta.status == "planned":
        items.append(f"warning: draft {previous.number} is still 'planned': once it is published, set "
                     f"'status: released' in every language version of it")
    for path in translations:
        items.append(f"translate the changes into {shown(path)} when the original is final, then record it: "
                     f".venv/bin/python build.py translated {shown(path)}")
    items.append(f"add the comments on draft {number} to content/data/documents.yaml as they arrive "
                 f"(kind: comment, draft: {number}, source: who sent them)")
    return items
