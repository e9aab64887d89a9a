"""Translation status: what each language lacks and which translations are older than their original.

The original of a page or draft is its version in the default language (the first in `site_config.yaml`).
A translation records the revision of the original it was made from in its front matter,
`translation_of: 3f2a9c0d1b4e`; `python build.py translated PATH` writes that line. A revision is the first
12 hex digits of the SHA-256 of the original's title and Markdown body (line endings normalised, leading and
trailing blank lines ignored), the same on every machine without git or file times. A translation recording no
revision, or another one, is out of date.

Data texts (`Text` fields of the data files and their records) and UI strings that lack a language are listed
with their place; readers of that language see the default language's text, marked with its `lang`. The
translation of one that `content/data/translated.yaml` records (`build.py translated`, `import-po`) is out of
date once its original is at another revision than the recorded one.

Shown by `build.py check --translations` and on the noindex pages `/<lang>/translations/`.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

from ..base.plural import counted
from ..base.errors import ErrorList, SiteError
from ..base.text import Text, text_revision
from ..base.originals import original_text, read_original, text_diff
from ..base.yamlio import Mark, MarkedList, MarkedMap, load_yaml
from ..base.schema import DataFile, Reader
from ..content.data import SiteData
from ..content.parse import ParsedSource
from ..content.frontmatter import split_front_matter
from ..content.sources import read_source_text
from ..content.strings import Strings
from .model import Site
from .routes import CHANGES, Route

FIELD = "translation_of"


# --------------------------------------------------------------------------------------------- revisions

def is_outdated(translation: ParsedSource, original: ParsedSource) -> bool:
    """Whether a translation records another revision of its original than the current one (content/parse.py)."""
    return translation.translation_of != original.revision


def outdated_original(versions: dict[str, ParsedSource], lang: str, default: str) -> ParsedSource | None:
    """The original when the version in `lang` is a translation older than it; else None."""
    translation, original = versions.get(lang), versions.get(default)
    if lang == default or translation is None or original is None:
        return None
    return original if is_outdated(translation, original) else None


# ------------------------------------------------------------------------------------------------ report

@dataclass(frozen=True)
class Problem:
    """One line of the report: something a language lacks, with the place to look at."""

    kind: str  # "missing" (no file), "outdated" (translation older than the original), "data" (a text field),
    # "string" (a UI string)
    lang: str  # the language that lacks it
    path: str  # relative to the config file's folder
    line: int
    col: int
    message: str
    key: str = ""  # route key of the page or draft ("page/about", "draft/3"); "" for data texts
    title: str = ""  # the page's title, or the record and field for data texts
    title_lang: str = ""  # the language the title is in
    other: str = ""  # missing: the file to create; out of date: the original's file
    recorded: str | None = None  # out of date: the revision of the original the translation records
    current: str | None = None
    diff: tuple[str, ...] | None = None  # what changed in the original since `recorded`; None when not known

    def error(self) -> SiteError:
        return SiteError(self.path, self.line, self.col, self.message)


@dataclass(frozen=True)
class LanguageStatus:
    lang: str
    is_original: bool  # the default language: its versions are the originals
    present: int  # pages and drafts that have a file in this language
    total: int  # pages and drafts of the site
    problems: tuple[Problem, ...]

    def of(self, kind: str) -> tuple[Problem, ...]:
        """Its problems of one kind ("missing", "outdated", "data" or "string")."""
        return tuple(p for p in self.problems if p.kind == kind)


@dataclass(frozen=True)
class TranslationReport:
    default_language: str
    languages: tuple[LanguageStatus, ...]

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for status in self.languages for p in status.problems)

    @property
    def ok(self) -> bool:
        return not self.problems


def translation_report(site: Site) -> TranslationReport:
    config = site.config
    codes, default = config.language_codes, config.default_language
    shown = ErrorList(config.root).display_path
    routes = [r for r in site.routes if r.versions and r.section.name != CHANGES]
    problems = [p for route in routes for p in _route_problems(route, codes, default, shown, config.root)]
    problems += _data_problems(site.data, codes, default, shown, config.root)
    problems += _string_problems(site.strings, recorded_translations(site.data), codes, default, shown, config.root)
    problems += _lost_records(site, shown)
    problems.sort(key=lambda p: (p.path, p.line, p.col, p.message))
    statuses = tuple(LanguageStatus(code, code == default, sum(1 for r in routes if code in r.versions), len(routes),
                                    tuple(p for p in problems if p.lang == code)) for code in codes)
    return TranslationReport(default, statuses)


def _route_problems(route: Route, codes: tuple[str, ...], default: str, shown: Callable[[Path | str], str],
                    root: Path):
    versions = route.versions
    original = versions.get(default) or next(versions[c] for c in codes if c in versions)
    what = f"draft {route.name} has" if route.key.startswith("draft/") else "there is"
    for code in codes:
        version = versions.get(code)
        if version is None:
            expected = original.file.path.parent / f"{original.file.name}.{code}.md"
            yield Problem("missing", code, shown(original.file.path), 1, 1,
                          f"missing translation: {what} no {code} version ({shown(expected)})",
                          route.key, original.title, original.file.lang, shown(expected))
        elif code != default and default in versions and is_outdated(version, versions[default]):
            recorded, current = version.translation_of, versions[default].revision
            if recorded is None:
                message = (f"out of date: no '{FIELD}' recorded (the {default} original is now {current}; "
                           f"once this translation matches it, run: .venv/bin/python build.py translated "
                           f"{shown(version.file.path)})")
            else:
                message = (f"out of date: the {default} original changed since this translation "
                           f"(recorded {recorded}, now {current})")
            yield Problem("outdated", code, shown(version.file.path), 1, 1, message, route.key, version.title,
                          code, shown(versions[default].file.path), recorded, current,
                          _changes(root, recorded, current, lambda: current_text(versions[default])))


def _changes(root: Path, recorded: str | None, current: str, text: Callable[[], str]) -> tuple[str, ...] | None:
    """What changed in an original since the revision `recorded` (to `current`, whose text `text` gives); None
    when the store of originals does not have the text of `recorded`."""
    old = read_original(root, recorded)
    return None if old is None else text_diff(old, text(), recorded, current)


def _string_problems(strings: Strings, recorded: dict[tuple[str, str], str], codes: tuple[str, ...], default: str,
                     shown: Callable[[Path | str], str], root: Path) -> list[Problem]:
    """A problem for each UI string that lacks a language (its readers see the default language's text), and for
    each recorded translation of one whose original changed since."""
    problems = []
    for key, values in strings.catalog.items():
        mark, original = strings.marks.get(key, Mark(1, 1)), values.get(default, "")
        where = (shown(strings.path), mark.line, mark.col)
        for code in codes[1:]:  # (the default language is the first)
            if code not in values:
                problems.append(Problem("string", code, *where, f"missing translation: UI string '{key}' has no "
                                        f"{code} text (readers of {code} see the {default} text)", "", key, default))
            elif (revision := recorded.get((code, string_context(key)))) not in (None, text_revision(original)):
                problems.append(_text_outdated(root, "string", code, where, f"text of UI string '{key}'", original,
                                               revision, f"{where[0]}#{key}", default, key))
    return problems


def _text_outdated(root: Path, kind: str, code: str, where: tuple[str, int, int], what: str, original: str,
                   recorded: str, target: str, default: str, title: str) -> Problem:
    """The translation into `code` of a data text or UI string whose original changed since revision `recorded`."""
    current = text_revision(original)
    return Problem(kind, code, *where,
                   f"out of date: the {default} {what} changed since its {code} translation (recorded "
                   f"{recorded}, now {current}; once the translation matches it, run: .venv/bin/python build.py "
                   f"translated {_shell_word(target)})", "", title, default, where[0], recorded, current,
                   _changes(root, recorded, current, lambda: original + "\n"))


def _shell_word(text: str) -> str:
    """`text` as one word of a shell command: as it is when it can be (a # inside a word starts no comment)."""
    return text if re.fullmatch(r"[\w@%+=:,./#-]+", text) else shlex.quote(text)


def string_context(key: str) -> str:
    """How a PO file and the translation records name a UI string: "strings.yaml nav.home"."""
    return f"strings.yaml {key}"


class DataText(NamedTuple):
    """A text by language of a data file: a record's, or the file's own (a header field, `nominated`)."""

    schema: DataFile
    who: str  # in messages: "meeting 'ieg-1'", "experts.yaml"
    field: str
    value: Text
    context: str  # how a PO file and the translation records name it: "meetings.yaml ieg-1 summary"
    record: str  # how `build.py translated FILE#...` selects it and its record's other texts: "ieg-1"
    where: tuple[str | int, ...]  # the keys that lead to it in the file: ("meetings", 0, "summary")


def data_texts(data: SiteData, default: str) -> tuple[DataText, ...]:
    """Every text by language of the data files, in file order. A record named like one before it gets its count
    ("Wang Wei (2)"), so that no two have one name."""
    memo = ("data texts", default)
    if memo not in data.memo:
        found = []
        for schema in data.schemas:
            found += [DataText(schema, f"{schema.name}.yaml", key, value, f"{schema.name}.yaml {key}", key, (key,))
                      for key, read in schema.header.items() if read is Reader.text
                      and (value := data.header(schema.name, key)) is not None and not value.universal]
            seen: Counter = Counter()
            fields = schema.texts
            for index, record in enumerate(data.of(schema.name)):
                who = schema.label(record, index, default)
                name = who.split(" ", 1)[1].strip("'") if " " in who else who
                seen[name] += 1
                name = name if seen[name] == 1 else f"{name} ({seen[name]})"
                found += [DataText(schema, who, field, value, f"{schema.name}.yaml {name} {field}", name,
                                   (schema.list_key, index, field)) for field in fields
                          if (value := getattr(record, field)) is not None and not value.universal]
        data.memo[memo] = tuple(found)
    return data.memo[memo]


def _lost_records(site: Site, shown: Callable[[Path | str], str]) -> list[Problem]:
    """A problem for each recorded translation whose text the site no longer has under that name: its record was
    renamed (a document without a symbol is named by its title) or removed."""
    records, default = site.data.of("translated"), site.config.default_language
    known = {string_context(key) for key in site.strings.catalog} | {
        text.context for text in data_texts(site.data, default)} if records else set()
    path = shown(site.data.file_path("translated") or "")
    return [Problem("data", record.lang, path, record.line, 5, f"out of date: the {record.lang} translation recorded "
                    f"for '{record.text}' has no text of that name any more (its record was renamed or removed): "
                    f"check the translation against the {default} text, then record it again with .venv/bin/python "
                    f"build.py translated FILE, which drops this record", "", record.text, default, path,
                    record.revision) for record in records if record.text not in known]


def recorded_translations(data: SiteData) -> dict[tuple[str, str], str]:
    """The revision each recorded translation was made from, by language and text (content/data/translated.yaml)."""
    return {(record.lang, record.text): record.revision for record in data.of("translated")}


def current_text(source: ParsedSource) -> str:
    """An original's text as the store of originals keeps it (title and Markdown body, read from its file)."""
    errors = ErrorList(source.file.path.parent)
    text = read_source_text(source.file.path, errors)
    split = split_front_matter(text, source.file.path, errors) if text is not None else None
    return original_text(source.title, split.body if split is not None else "")


def diff_lines(problem: Problem, default: str) -> list[str]:
    """What the command line shows under an out-of-date translation: the diff, or why there is none."""
    if problem.recorded is None or problem.current is None:
        return []
    if problem.diff is None:
        return [f"    (what the {default} original said at {problem.recorded} is not known here: it was recorded "
                f"before originals were kept, or on another machine; see git log -p {problem.other})"]
    return [f"    {line}" for line in problem.diff]


# ------------------------------------------------------------------------------------------- data texts

def data_nodes(data: SiteData, name: str) -> list[MarkedMap]:
    """The marked YAML of each record of the data file `name`, in order (for line:column places)."""
    schema = next(schema for schema in data.schemas if schema.name == name)
    path = dict(data.files).get(name)
    text = read_source_text(path, ErrorList(path.parent)) if path is not None else None
    top = load_yaml(text, path, ErrorList(path.parent)) if text is not None else None
    items = top.get(schema.list_key) if isinstance(top, MarkedMap) else None
    return [item for item in items if isinstance(item, MarkedMap)] if isinstance(items, MarkedList) else []


def _data_problems(data: SiteData, codes: tuple[str, ...], default: str, shown: Callable[[Path | str], str],
                   root: Path) -> tuple[Problem, ...]:
    """A problem for each data text (a field the schema names in `texts`) that lacks a language, and for each
    recorded translation of one whose original changed since. Made once for the report in every language (a site
    may have thousands of records)."""
    memo = ("translation problems", codes, default)
    if memo in data.memo:
        return data.memo[memo]
    paths, problems, recorded = {name: shown(path) for name, path in data.files}, [], recorded_translations(data)
    for text in data_texts(data, default):
        given = text.value.languages()
        revisions = [(code, recorded[code, text.context]) for code in sorted(given - {default})
                     if (code, text.context) in recorded]
        if not revisions and given.issuperset(codes):  # (most texts of a large site: nothing to report)
            continue
        path, mark, original = paths[text.schema.name], text.value.mark or Mark(1, 1), text.value.get(default, default)
        where, original = (path, mark.line, mark.col), original.value
        problems += [_text_outdated(root, "data", code, where, f"'{text.field}' of {text.who}", original, revision,
                                    f"{path}#{text.record}" + (f".{text.field}" if text.record != text.field else ""),
                                    default, f"{text.who}: {text.field}")
                     for code, revision in revisions if revision != text_revision(original)]
        problems += [Problem("data", code, *where, f"missing translation: {text.who} has no {code} text for "
                             f"'{text.field}' (readers of {code} see the {text.value.get(code, default).lang} text)",
                             "", f"{text.who}: {text.field}", default) for code in codes if code not in given]
    data.memo[memo] = tuple(problems)
    return data.memo[memo]


# -------------------------------------------------------------------------------------- text of a report

def format_report(report: TranslationReport, quiet: bool = False) -> list[str]:
    """The lines `check --translations` prints: per language a summary, then its problems."""
    lines = []
    for status in report.languages:
        if not quiet:
            lines.append(_summary(status, report.default_language))
        for problem in status.problems:
            lines.append(problem.error().format())
            if not quiet:
                lines += diff_lines(problem, report.default_language)
    if not quiet:
        count = len(report.problems)
        lines.append("translations: everything is translated and up to date" if not count else
                     f"translations: {counted(count, 'problem', 'problems')}; after bringing a translation up "
                     f"to date, record it with: .venv/bin/python build.py translated PATH")
    return lines


def _summary(status: LanguageStatus, default: str) -> str:
    role = "the original language" if status.is_original else f"translated from {default}"
    parts = [f"{status.present} of {status.total} pages and drafts", f"{len(status.of('missing'))} missing"]
    if not status.is_original:
        parts.append(f"{len(status.of('outdated'))} out of date")
    for kind, one, other in (("data", "data text", "data texts"), ("string", "UI string", "UI strings")):
        found = status.of(kind)
        missing = [p for p in found if p.recorded is None]
        if kind == "data" or not status.is_original:
            parts.append(f"{counted(len(missing), one, other)} missing")
        if len(missing) != len(found):
            parts.append(f"{counted(len(found) - len(missing), one, other)} out of date")
    return f"{status.lang} ({role}): " + ", ".join(parts)
