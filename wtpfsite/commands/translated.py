"""`python build.py translated PATH...`: record that translations match their originals.

A translated page or draft gets `translation_of: <revision of its original>` in its front matter, that line only
changed (or added). The translations of data texts and UI strings (`content/data/FILE.yaml[#ID[.FIELD]]`,
`content/strings.yaml[#KEY]`) are recorded in `content/data/translated.yaml`, as `import-po` records those it
brings (po.py); `#ID` limits it to one record (a meeting's or milestone's id, a document's symbol), `#ID.FIELD` to
one of its texts. The originals' texts go to the store of originals, for later diffs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from ..base.errors import ContentErrors, ErrorList, SiteError, UsageError
from ..base.originals import save_original
from ..base.text import text_revision
from ..base.yamledit import child, compose, scalar
from ..content.config import SiteConfig, read_config
from ..content.parse import ParsedSource, parse_source
from ..content.records import DATA_FILES
from ..content.sources import discover_sources, read_source_text
from ..pipeline.build import BuildOptions, load_site
from ..site.model import Site
from ..site.translations import FIELD, current_text, data_texts, recorded_translations, string_context


@dataclass(frozen=True)
class Recorded:
    path: str  # the translation as displayed; for a data text or UI string, with its line, which text and language
    previous: str | None  # the value it had
    revision: str  # the value it has now
    changed: bool
    note: str = ""  # a page's: which original it matches
    field: str = FIELD  # what holds the revision: a page's translation_of, else the record's revision


@dataclass(frozen=True)
class Entry:
    context: str  # msgctxt: the file and the place in it
    comment: str  # what the text is for, for the translator
    path: Path  # the YAML file
    line: int
    where: tuple[str | int, ...]  # the keys that lead to the text-by-language mapping in the file
    original: str  # the default language's text
    texts: dict[str, str]  # by language, the original's too
    name: str  # how `build.py translated FILE#NAME` selects it: the UI string's key, "ieg-1.summary"
    record: str  # how it selects the text's record, all of its texts: "ieg-1" (a UI string's key)


def entries(site: Site) -> list[Entry]:
    """Every UI string and every data text by language of the site, in file order."""
    default, strings = site.config.default_language, site.strings
    found = [Entry(string_context(key), f"UI string '{key}'", strings.path, strings.marks[key].line, (key,),
                   values[default], values, key, key) for key, values in strings.catalog.items() if values.get(default)]
    for text in data_texts(site.data, default):
        if text.value.has(default):
            values, path = dict(text.value.values), site.data.file_path(text.schema.name)
            name = text.record if text.record == text.field else f"{text.record}.{text.field}"
            found.append(Entry(text.context, f"{text.who}: {text.field}", path, text.value.mark.line, text.where,
                               values[default], values, name, text.record))
    return found


def record_texts(site: Site, done: list[tuple[Entry, str]]) -> None:
    """Record, in content/data/translated.yaml, that each (entry, language) of `done` is translated from the
    entry's current original; its text goes to the store of originals, for the diffs of later reports."""
    current = {entry.context for entry in entries(site)}  # (a record of a text renamed or removed goes)
    recorded = {key: revision for key, revision in recorded_translations(site.data).items() if key[1] in current}
    recorded |= {(lang, entry.context): text_revision(entry.original) for entry, lang in done}
    for entry, _ in done:
        save_original(site.config.root, text_revision(entry.original), entry.original.strip() + "\n")
    lines = [f"  - {{text: {scalar(text)}, lang: {lang}, revision: {scalar(revision)}}}\n"
             for (lang, text), revision in sorted(recorded.items(), key=lambda item: (item[0][1], item[0][0]))]
    path = site.config.content_dir / "data" / "translated.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Written by build.py translated and import-po: the revision of its original that each\n"
                    "# translation of a data text or UI string was made from (out of date once it changes).\n"
                    "translated:\n" + "".join(lines), "utf-8")


def record_translations(config_path: Path, paths: list[Path]) -> list[Recorded]:
    """Record every translation of `paths` (pages, drafts, data files, the UI strings) as matching its original.
    Paths that are not translations are usage errors, found before anything is written."""
    config = read_config(config_path)
    targets = [(path, _text_target(config, str(path))) for path in paths]
    pages = _plan_pages(config, [path for path, target in targets if target is None])
    texts = _record_texts(config, config_path, [target for _, target in targets if target is not None])
    return texts + [_record_page(config, *plan) for plan in pages]


def _plan_pages(config: SiteConfig, paths: list[Path]) -> list[tuple[Path, str, ParsedSource]]:
    """(translation, a note naming its original, the original parsed) for each path."""
    if not paths:
        return []
    errors = ErrorList(config.root)
    sources = discover_sources(config.content_dir, config.templates_dir, config.language_codes, errors)
    by_path = {f.path.resolve(): f for f in sources.markdown}
    default = config.default_language
    plans = []
    for path in paths:
        file = by_path.get(path.resolve())
        if file is None:
            raise UsageError(f"{path} is not a page or draft of the site (content/pages/NAME.LANG.md or "
                             f"content/drafts/draft-N.LANG.md under {errors.display_path(config.content_dir)}), "
                             f"nor a data file (content/data/meetings.yaml, ...)")
        if file.lang == default:
            other = next((code for code in config.language_codes if code != default), "LANG")
            raise UsageError(f"{path} is the {default} original, not a translation: give the path of a "
                             f"translation, such as {path.with_name(f'{file.name}.{other}.md')}")
        original = next((f for f in sources.markdown if f.key == file.key and f.lang == default), None)
        if original is None:
            raise UsageError(f"{path} has no {default} original ({file.name}.{default}.md) to record")
        plans.append((file.path, original))
    errors.raise_if_any()
    parsed = [(path, f"the current {default} original, {errors.display_path(original.path)}",
               parse_source(original, config.language_codes, config.allow_raw_html_in_drafts, errors))
              for path, original in plans]
    errors.raise_if_any()
    return parsed


def _record_page(config: SiteConfig, path: Path, note: str, parsed: ParsedSource) -> Recorded:
    current = parsed.revision
    save_original(config.root, current, current_text(parsed))
    shown = ErrorList(config.root).display_path(path)
    text = _read_text(config, path)
    try:
        new_text, previous = set_front_matter_field(text, FIELD, current)
    except ValueError as exc:
        raise ContentErrors([SiteError(shown, 1, 1, str(exc))]) from None
    if new_text != text:
        path.write_bytes(new_text.encode("utf-8"))
    return Recorded(shown, previous, current, new_text != text, note)


def _read_text(config: SiteConfig, path: Path) -> str:
    """The file's text as it is, byte-order mark and line endings kept (they are written back so); ContentErrors
    at the first byte that is not UTF-8, placed as every source's (`read_source_text`)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        errors = ErrorList(config.root)
        read_source_text(path, errors, data)
        raise ContentErrors(errors.errors) from None


def _text_target(config: SiteConfig, given: str) -> tuple[Path, str | None] | None:
    """(the file, the '#...' selector) when `given` names a data file of the site or its UI strings, else None."""
    name, _, selector = given.partition("#")
    path = Path(name).resolve()
    if path == (config.content_dir / "strings.yaml").resolve() or (
            path.parent == (config.content_dir / "data").resolve() and path.suffix == ".yaml"):
        return path, selector or None
    return None


def _record_texts(config: SiteConfig, config_path: Path, targets: list[tuple[Path, str | None]]) -> list[Recorded]:
    """Record the translations of the data texts and UI strings `targets` select as matching their originals."""
    if not targets:
        return []
    shown = ErrorList(config.root).display_path
    files = {(config.content_dir / "strings.yaml").resolve()} | {
        (config.content_dir / "data" / f"{schema.name}.yaml").resolve() for schema in DATA_FILES if schema.texts}
    for path, _ in targets:
        if path not in files or not path.is_file():
            raise UsageError(f"{shown(path)} is not a data file of the site (one of "
                             f"{', '.join(s.name + '.yaml' for s in DATA_FILES if s.texts)} in "
                             f"{shown(config.content_dir / 'data')}) nor its UI strings (content/strings.yaml)")
    site = load_site(BuildOptions(config_path, date.today())).site
    recorded, default, done, chosen = recorded_translations(site.data), config.default_language, [], []
    for path, selector in targets:
        found = [(entry, lang) for entry in entries(site) if entry.path.resolve() == path
                 and selector in (None, entry.name, entry.record) for lang in entry.texts if lang != default]
        if selector and not found:
            raise UsageError(f"{shown(path)} has no translated text for '{selector}'")
        chosen += found
    for entry, lang in chosen:
        previous, revision = recorded.get((lang, entry.context)), text_revision(entry.original)
        done.append(Recorded(f"{shown(entry.path)}:{entry.line}: {entry.comment} ({lang})", previous, revision,
                             previous != revision, field="revision"))
    record_texts(site, chosen)
    return done


# the front matter: from a first line '---' to the next line '---' or '...' (group 1: the YAML between them)
_FRONT_MATTER = re.compile(r"\ufeff?---[ \t]*(?:\r\n|\n|\r)(.*?)(?<=[\r\n])(?:---|\.\.\.)[ \t]*(?:[\r\n]|$)", re.S)


def set_front_matter_field(text: str, key: str, value: str) -> tuple[str, str | None]:
    """`text` with `key: value` in its front matter, and the value it had (None when absent).

    An existing top-level `key` gets the new value in place of the old one: its spacing, comment and line ending
    stay. Otherwise a line is added just before the closing '---', ending as the line before it does. Raises
    ValueError when the text has no closed front matter, or front matter that does not parse."""
    if not re.match(r"\ufeff?---[ \t]*(?:[\r\n]|$)", text):
        raise ValueError("missing front matter: the file must start with a line '---'")
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ValueError("front matter is not closed: add a line '---' after it")
    start, end = match.span(1)
    try:
        node = child(compose(match.group(1)), key)
    except yaml.YAMLError:
        raise ValueError("the front matter does not parse: run build.py check and fix it first") from None
    written = scalar(value)
    if node is None:
        ending = "\r\n" if text.endswith("\r\n", 0, end) else text[end - 1]
        return text[:end] + f"{key}: {written}{ending}" + text[end:], None
    at, to = start + node.start_mark.index, start + node.end_mark.index
    previous = node.value if isinstance(node, yaml.ScalarNode) else text[at:to]
    return text[:at] + (written if to > at else f" {written}") + text[to:], previous or None

