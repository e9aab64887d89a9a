"""`python build.py translated PATH...`: record that translations match their originals.

A translated page or draft gets `translation_of: <revision of its original>` in its front matter, that line only
changed (or added). A data file (`content/data/FILE.yaml[#ID[.FIELD]]`) gets it in every text by language that
has a translation (`{en: ..., zh: ..., translation_of: 3f2a9c0d1b4e}`), the file edited in place
(`base/yamledit.py`); `#ID` limits it to one record (a meeting's or milestone's id, a document's symbol), `#ID.FIELD`
to one of its texts. The originals' texts go to the store of originals, for later diffs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..base.errors import ContentErrors, ErrorList, SiteError, UsageError
from ..base.originals import save_original
from ..base.text import TRANSLATION_OF, text_revision
from ..base.yamledit import apply, child, compose, scalar, set_value
from ..content.config import SiteConfig, read_config
from ..content.parse import ParsedSource, parse_source
from ..content.records import DATA_FILES
from ..content.sources import discover_sources, read_source_text
from ..site.translations import FIELD, current_text


@dataclass(frozen=True)
class Recorded:
    path: str  # the translation as displayed; for a data text, with its line and which text it is
    previous: str | None  # the value it had
    revision: str  # the value it has now
    changed: bool
    note: str = ""  # a page's: which original it matches


def record_translations(config_path: Path, paths: list[Path]) -> list[Recorded]:
    """Record every translation of `paths` (pages, drafts, data files) as matching its original. Paths that are
    not translations are usage errors, found before anything is written."""
    config = read_config(config_path)
    targets = [(path, _data_target(config, str(path))) for path in paths]
    data = [_plan_data(config, *target) for _, target in targets if target is not None]
    pages = _plan_pages(config, [path for path, target in targets if target is None])
    for path, text, originals, _ in data:
        for revision, original in originals:
            save_original(config.root, revision, original)
        if text is not None:
            staged = path.with_name(path.name + ".translated")
            staged.write_bytes(text.encode("utf-8"))
            staged.replace(path)
    return [done for *_, recorded in data for done in recorded] + [_record_page(config, *plan) for plan in pages]


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


def _data_target(config: SiteConfig, given: str) -> tuple[Path, str | None] | None:
    """(the data file, the '#ID[.FIELD]' filter) when `given` names a data file of the site, else None."""
    name, _, selector = given.partition("#")
    path = Path(name).resolve()
    folder = (config.content_dir / "data").resolve()
    return (path, selector or None) if path.parent == folder and path.suffix == ".yaml" else None


def _plan_data(config: SiteConfig, path: Path, selector: str | None
               ) -> tuple[Path, str | None, list[tuple[str, str]], list[Recorded]]:
    """The data file with `translation_of` in every translated text (or those of the selected record), None when
    it has none; the (revision, text) of their originals; what is recorded. The file keeps its line endings."""
    shown = ErrorList(config.root).display_path
    schema = next((s for s in DATA_FILES if s.name == path.stem), None)
    if schema is None or not path.is_file():
        raise UsageError(f"{shown(path)} is not a data file of the site (one of "
                         f"{', '.join(s.name + '.yaml' for s in DATA_FILES)} in {shown(config.content_dir / 'data')})")
    raw = _read_text(config, path)
    crlf = "\r\n" in raw
    text = raw.replace("\r\n", "\n")
    try:
        top = compose(text)
    except yaml.YAMLError:
        raise UsageError(f"{shown(path)} does not parse: run build.py check and fix it first") from None
    wanted_record, _, wanted_field = (selector or "").partition(".")
    edits, done, originals = [], [], []
    default = config.default_language
    items = child(top, schema.list_key)
    for item in items.value if isinstance(items, yaml.SequenceNode) else []:
        if not isinstance(item, yaml.MappingNode):
            continue
        ident = next((value.value for key, value in item.value
                      if key.value in ("id", "symbol", "name") and isinstance(value, yaml.ScalarNode)), "?")
        if wanted_record and ident != wanted_record:
            continue
        for key_node, value_node in item.value:
            field = key_node.value
            if (field not in schema.texts or (wanted_field and field != wanted_field)
                    or not isinstance(value_node, yaml.MappingNode)):
                continue
            entries = {k.value: v for k, v in value_node.value}
            original = entries.get(default)
            if original is None or not set(entries) - {default, TRANSLATION_OF}:
                continue
            revision = text_revision(original.value)
            originals.append((revision, original.value.strip() + "\n"))
            previous = entries[TRANSLATION_OF].value if TRANSLATION_OF in entries else None
            where = f"{shown(path)}:{value_node.start_mark.line + 1}: {schema.record.split(' ', 1)[1]} '{ident}'"
            done.append(Recorded(f"{where}: {field}", previous, revision, previous != revision))
            edits.append(set_value(text, value_node, TRANSLATION_OF, revision))
    if selector and not done:
        raise UsageError(f"{shown(path)} has no translated text for '{selector}'")
    edited = apply(text, edits)
    if edited == text:
        return path, None, originals, done
    return path, edited.replace("\n", "\r\n") if crlf else edited, originals, done


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

