"""Translation status: what each language lacks and which translations are older than their original.

The original of a page or draft is its version in the default language (the first in `site_config.yaml`).
A translation records the revision of the original it was made from in its front matter,
`translation_of: 3f2a9c0d1b4e`; `python build.py translated PATH` writes that line. A revision is the first
12 hex digits of the SHA-256 of the original's title and Markdown body (line endings normalised, leading and
trailing blank lines ignored), so it needs neither git nor file times and is the same on every machine.
A translation without `translation_of`, or with another revision, is out of date.

Data texts (`Text` fields of meetings, milestones, experts and documents) that are not universal and lack a
language are listed with their file, line and the record's id.

The report is shown by `python build.py check --translations` and on the noindex page
`/<lang>/translations/` (one per language, not linked from the navigation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import yaml
from jinja2 import Environment, TemplateError

from .config import SiteConfig, load_config
from .data import SiteData
from .deps import remember_each, remember_last
from .errors import ContentErrors, ErrorList, SiteError, UsageError
from .frontmatter import split_front_matter
from .model import Route, Site
from .pages import REVISION_LENGTH, ParsedSource, parse_source, revision  # noqa: F401 (re-exported)
from .sources import discover_sources, read_source_text
from .yamlio import Mark, MarkedList, MarkedMap, load_yaml

FIELD = "translation_of"
ROUTE_KEY = "translations"
TEMPLATE = "translations.html"

# The data texts checked, per data file: (list key, the field naming a record, its text fields).
DATA_TEXTS = {
    "meetings": ("meetings", "id", ("venue", "held_with", "summary")),
    "timetable": ("milestones", "id", ("title", "note")),
    "experts": ("experts", None, ("name", "country", "organization")),
    "documents": ("documents", "symbol", ("title", "source")),
}
_RECORD_NAMES = {"meetings": "meeting", "timetable": "milestone", "experts": "expert", "documents": "document"}


# --------------------------------------------------------------------------------------------- revisions

# `revision` (a short hash of a source's title and Markdown body) is made by the parse stage, which keeps it
# in `ParsedSource.revision`; it lives in pages.py and is named here, where the revisions are used.


def source_revision(source: ParsedSource) -> str:
    return source.revision


def is_outdated(translation: ParsedSource, original: ParsedSource) -> bool:
    return translation.translation_of != source_revision(original)


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

    kind: str  # "missing" (no file), "outdated" (translation older than the original), "data" (a text field)
    lang: str  # the language that lacks it
    path: str  # relative to the config file's folder
    line: int
    col: int
    message: str
    key: str = ""  # route key of the page or draft ("page/about", "draft/3"); "" for data texts
    title: str = ""  # the page's title, or the record and field for data texts
    title_lang: str = ""  # the language the title is in
    other: str = ""  # missing: the file to create; outdated: the original's file
    recorded: str | None = None
    current: str | None = None

    def error(self) -> SiteError:
        return SiteError(self.path, self.line, self.col, self.message)


@dataclass(frozen=True)
class LanguageStatus:
    lang: str
    is_original: bool  # the default language: its versions are the originals
    present: int  # pages and drafts that have a file in this language
    total: int  # pages and drafts of the site
    problems: tuple[Problem, ...]

    def _kind(self, kind: str) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.kind == kind)

    @property
    def missing(self) -> tuple[Problem, ...]:
        return self._kind("missing")

    @property
    def outdated(self) -> tuple[Problem, ...]:
        return self._kind("outdated")

    @property
    def data(self) -> tuple[Problem, ...]:
        return self._kind("data")


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
    root = str(config.root)
    routes = [r for r in site.routes if r.versions and not r.key.startswith("changes/")]
    problems: dict[str, list[Problem]] = {code: [] for code in codes}
    _problems_of_route.new_round()
    for route in routes:
        for problem in _problems_of_route(route, codes, default, root):
            problems[problem.lang].append(problem)
    for problem in _data_problems(site.data, codes, default, root):
        problems[problem.lang].append(problem)
    statuses = tuple(
        LanguageStatus(code, code == default, sum(1 for r in routes if code in r.versions), len(routes),
                       tuple(sorted(problems[code], key=lambda p: (p.path, p.line, p.col, p.message))))
        for code in codes)
    return TranslationReport(default, statuses)


@remember_each  # (a quick rebuild keeps the routes that did not change)
def _problems_of_route(route: Route, codes: tuple[str, ...], default: str, root: str) -> tuple[Problem, ...]:
    return tuple(_route_problems(route, codes, default, _shown(root)))


def _shown(root: str) -> Callable[[Path | str], str]:
    """How the report shows a path: relative to the config file's folder (errors.py; the display is cached there)."""
    return ErrorList(Path(root)).display_path


def _route_problems(route: Route, codes: tuple[str, ...], default: str, shown):
    versions = route.versions
    original = versions.get(default) or next(versions[c] for c in codes if c in versions)
    what = f"draft {route.key.partition('/')[2]} has" if route.key.startswith("draft/") else "there is"
    for code in codes:
        version = versions.get(code)
        if version is None:
            expected = original.file.path.parent / f"{original.file.name}.{code}.md"
            yield Problem("missing", code, shown(original.file.path), 1, 1,
                          f"missing translation: {what} no {code} version ({shown(expected)})",
                          route.key, original.title, original.file.lang, shown(expected))
        elif code != default and default in versions and is_outdated(version, versions[default]):
            current = source_revision(versions[default])
            if version.translation_of is None:
                message = (f"out of date: no '{FIELD}' recorded (the {default} original is now {current}; "
                           f"once this translation matches it, run: python build.py translated "
                           f"{shown(version.file.path)})")
            else:
                message = (f"out of date: the {default} original changed since this translation "
                           f"(recorded {version.translation_of}, now {current})")
            yield Problem("outdated", code, shown(version.file.path), 1, 1, message, route.key, version.title,
                          code, shown(versions[default].file.path), version.translation_of, current)


# ------------------------------------------------------------------------------------------- data texts

def data_records(data: SiteData) -> dict[str, list[tuple[str, object]]]:
    """The records of each data file with the label the report gives them: ("ieg-3", Meeting)."""
    return {
        "meetings": [(m.id, m) for m in data.meetings],
        "timetable": [(m.id, m) for m in data.milestones],
        "experts": [(str(i + 1), e) for i, e in enumerate(data.experts)],
        "documents": [(d.symbol, d) for d in data.documents],
    }


def data_nodes(data: SiteData) -> dict[tuple[str, str], MarkedMap]:
    """The marked YAML of each data record, by (file name, label), for line:column places."""
    nodes: dict[tuple[str, str], MarkedMap] = {}
    for name, path in data.files:
        if name not in DATA_TEXTS:
            continue
        list_key, id_field, _ = DATA_TEXTS[name]
        text = read_source_text(path, ErrorList(path.parent))
        top = load_yaml(text, path, ErrorList(path.parent)) if text is not None else None
        items = top.get(list_key) if isinstance(top, MarkedMap) else None
        if not isinstance(items, MarkedList):
            continue
        records = [item for item in items if isinstance(item, MarkedMap)]
        for index, item in enumerate(records):
            label = str(index + 1) if id_field is None else str(item.get(id_field))
            nodes.setdefault((name, label), item)
    return nodes


@remember_last  # (the data seldom change between watch mode's rebuilds)
def _data_problems(data: SiteData, codes: tuple[str, ...], default: str, root: str) -> tuple[Problem, ...]:
    return tuple(data_problems(data, codes, default, _shown(root)))


def data_problems(data: SiteData, codes: tuple[str, ...], default: str, shown) -> list[Problem]:
    wanted = frozenset(codes)
    found = [(name, label, record, field, value, code)
             for name, records in data_records(data).items() for label, record in records
             for field in DATA_TEXTS[name][2] if (value := getattr(record, field)) is not None and not value.universal
             and not wanted <= (given := value.languages())
             for code in codes if code not in given]
    if not found:
        return []
    paths = dict(data.files)
    nodes = None  # the files are read again for the places only when a text does not carry its own
    problems = []
    for name, label, record, field, value, code in found:
        mark = value.mark
        if mark is None:
            nodes = data_nodes(data) if nodes is None else nodes
            node = nodes.get((name, label))
            mark = node.value_marks.get(field, node.mark) if node is not None else Mark(1, 1)
        who = _record_label(name, label, record, default)
        problems.append(Problem(
            "data", code, shown(paths[name]), mark.line, mark.col,
            f"missing translation: {who} has no {code} text for '{field}' "
            f"(readers of {code} see the {value.get(code, default).lang} text)", "", f"{who}: {field}", "en"))
    return problems


def _record_label(name: str, label: str, record, default: str) -> str:
    if name == "experts":
        return f"expert '{record.name.get(default, default).value}'"
    return f"{_RECORD_NAMES[name]} '{label}'"


# -------------------------------------------------------------------------------------- text of a report

def format_report(report: TranslationReport, quiet: bool = False) -> list[str]:
    """The lines `check --translations` prints: per language a summary, then its problems."""
    lines = []
    for status in report.languages:
        if not quiet:
            lines.append(_summary(status, report.default_language))
        lines += [p.error().format() for p in status.problems]
    if not quiet:
        count = len(report.problems)
        lines.append("translations: everything is translated and up to date" if not count else
                     f"translations: {count} problem{'s' if count != 1 else ''}; after bringing a translation up "
                     f"to date, record it with: python build.py translated PATH")
    return lines


def _summary(status: LanguageStatus, default: str) -> str:
    role = "the original language" if status.is_original else f"translated from {default}"
    parts = [f"{status.present} of {status.total} pages and drafts", f"{len(status.missing)} missing"]
    if not status.is_original:
        parts.append(f"{len(status.outdated)} out of date")
    parts.append(f"{len(status.data)} data texts missing")
    return f"{status.lang} ({role}): " + ", ".join(parts)


# ------------------------------------------------------------------------------------ the report's page

def translation_pages(site: Site, env: Environment, today: date, errors: ErrorList) -> list:
    """`/<lang>/translations/index.html` for every language: the report, marked noindex."""
    from .pagegen import Output, base_context, page_view  # pagegen itself imports this module
    from .render import render_template, template_error
    from .urls import output_file

    report = translation_report(site)
    route = Route(ROUTE_KEY, TEMPLATE, {}, True)
    outputs = []
    for lang in site.config.language_codes:
        page = page_view(site, route, lang)
        context = base_context(site, lang, page.path, today) | {"page": page, "report": report}
        try:
            rendered = render_template(env, TEMPLATE, context)
        except TemplateError as exc:
            template_error(exc, site.config.templates_dir, TEMPLATE, errors)
            continue
        outputs.append(Output(output_file(page.path), rendered.text.encode("utf-8")))
    return outputs


# ------------------------------------------------------------------- recording a translation's revision

@dataclass(frozen=True)
class Recorded:
    path: str  # the translation, as displayed
    lang: str
    original: str  # the original's file, as displayed
    original_lang: str
    previous: str | None  # the value the file had
    revision: str  # the value it has now
    changed: bool


def record_translations(config_path: Path, paths: list[Path]) -> list[Recorded]:
    """Write `translation_of: <revision of the original>` into each translation's front matter.

    Only that one line changes (or is added before the closing '---'); every other byte stays. Paths that
    are not translations are usage errors, found before anything is written."""
    errors = ErrorList(config_path.resolve().parent)
    config = load_config(config_path, errors)
    errors.raise_if_any()
    sources = discover_sources(config.content_dir, config.templates_dir, config.language_codes, errors)
    by_path = {f.path.resolve(): f for f in sources.markdown}
    default = config.default_language
    plans = []
    for path in paths:
        file = by_path.get(path.resolve())
        if file is None:
            raise UsageError(f"{path} is not a page or draft of the site (content/pages/NAME.LANG.md or "
                             f"content/drafts/draft-N.LANG.md under {errors.display_path(config.content_dir)})")
        if file.lang == default:
            raise UsageError(f"{path} is the {default} original, not a translation: give the path of a "
                             f"translation, such as {path.with_name(f'{file.name}.{_other(config)}.md')}")
        original = next((f for f in sources.markdown if f.key == file.key and f.lang == default), None)
        if original is None:
            raise UsageError(f"{path} has no {default} original ({file.name}.{default}.md) to record")
        plans.append((file, original))
    errors.raise_if_any()
    parsed = {}
    for file, original in plans:
        parsed[original.path] = parse_source(original, config.language_codes, config.allow_raw_html_in_drafts,
                                             errors)
    errors.raise_if_any()
    results = []
    for file, original in plans:
        current = source_revision(parsed[original.path])
        try:
            text = file.path.read_bytes().decode("utf-8")
            new_text, previous = set_front_matter_field(text, FIELD, current)
        except ValueError as exc:  # UnicodeDecodeError is one too
            message = "not valid UTF-8" if isinstance(exc, UnicodeDecodeError) else str(exc)
            raise ContentErrors([SiteError(errors.display_path(file.path), 1, 1, message)]) from None
        changed = new_text != text
        if changed:
            file.path.write_bytes(new_text.encode("utf-8"))
        results.append(Recorded(errors.display_path(file.path), file.lang, errors.display_path(original.path),
                                default, previous, current, changed))
    return results


def _other(config: SiteConfig) -> str:
    return next((c for c in config.language_codes if c != config.default_language), "LANG")


_FENCES = ("---", "...")


def set_front_matter_field(text: str, key: str, value: str) -> tuple[str, str | None]:
    """`text` with `key: value` in its front matter, and the value it had (None when absent).

    An existing top-level line `key: ...` keeps its spacing, comment and line ending; only the value
    changes. Otherwise a line is added just before the closing '---', with the line ending of the line
    before it. Raises ValueError when the text has no closed front matter."""
    parts = re.split(r"(\r\n|\n|\r)", text)
    lines, endings = parts[0::2], parts[1::2]
    if lines[0].lstrip("\ufeff").rstrip() != "---":
        raise ValueError("missing front matter: the file must start with a line '---'")
    pattern = re.compile(rf"^({re.escape(key)}[ \t]*:)([ \t]*)(.*)$")
    scalar = yaml_scalar(value)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FENCES:
            lines.insert(index, f"{key}: {scalar}")
            endings.insert(index - 1, endings[index - 1])
            break
        match = pattern.match(lines[index])
        if match:
            head, space, rest = match.groups()
            token, tail = _split_value(rest)
            lines[index] = f"{head}{space or ' '}{scalar}{tail}"
            previous = _unquote(token) if token else None
            return _join(lines, endings), previous
    else:
        raise ValueError("front matter is not closed: add a line '---' after it")
    return _join(lines, endings), None


def _join(lines: list[str], endings: list[str]) -> str:
    return "".join(line + (endings[i] if i < len(endings) else "") for i, line in enumerate(lines))


def _split_value(rest: str) -> tuple[str, str]:
    """' abc  # note' -> ('abc', '  # note'); quoted values stay whole."""
    if rest.startswith("#"):
        return "", " " + rest
    match = re.match(r"^('(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|[^\s#]*)(.*)$", rest)
    return match.group(1), match.group(2)


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
        return token[1:-1]
    return token


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same text: plain when it can be, else quoted."""
    try:
        if value and yaml.safe_load(value) == value and "\n" not in value:
            return value
    except yaml.YAMLError:
        pass
    return "'" + value.replace("'", "''") + "'"


def front_matter_marks(path: Path) -> MarkedMap | None:
    """The marked front matter of a source file (for the places of its fields), or None."""
    errors = ErrorList(path.parent)
    text = read_source_text(path, errors)
    if text is None:
        return None
    meta = split_front_matter(text, path, errors).meta
    return meta if isinstance(meta, MarkedMap) else None
