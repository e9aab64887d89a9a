"""Translators' files: `export-po LANG [--out FILE]` and `import-po FILE`, with Babel's PO support.

Every UI string and every data text by language is one PO entry: the default language's text is the msgid, the
msgctxt says where the text lives (`strings.yaml nav.home`, `meetings.yaml ieg-1 summary`). Import edits the
files' text (`base/yamledit.py`), so comments and layout stay, and refuses, before writing anything, entries that
no longer match the source or whose placeholders ({number}) differ. It records the revision of the text each
imported translation was made from in `content/data/translated.yaml`, as `build.py translated` does: export marks
the translation fuzzy, and the translation report out of date, once the text changed since.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

import yaml
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from ..base.errors import ContentErrors, ErrorList, UsageError
from ..base.text import text_revision
from ..base.yamledit import Edit, apply, compose, find, read_text, scalar, set_value
from ..pipeline.build import BuildOptions, load_site
from ..content.strings import placeholder_problem, placeholders
from ..site.model import Site
from ..site.translations import recorded_translations
from .translated import Entry, entries, record_texts

# a value of a UI string, `{number}`, with its format spec if it has one: `{number:hanzi}`


@dataclass(frozen=True)
class Change:
    path: str  # as displayed
    line: int
    context: str
    previous: str | None


def export_po(options: BuildOptions, lang: str) -> str:
    """The PO file of `lang`: every entry, translated or not; out-of-date translations fuzzy."""
    site = load_site(options).site
    config = site.config
    targets = config.language_codes[1:]  # every language but the default one, the first
    if lang not in targets:
        raise UsageError(f"'{lang}' is not a language to translate into (the site's are {', '.join(targets)})")
    recorded = recorded_translations(site.data)
    shown = ErrorList(config.root).display_path
    title = config.title.get(config.default_language, config.default_language).value
    catalog = Catalog(locale=config.language(lang).locale, project=title, charset="utf-8", fuzzy=False,
                      creation_date=datetime.combine(options.today, time()), revision_date=None,
                      header_comment=f"# The UI strings and data texts of {title} for translation into "
                                     f"{config.language(lang).name} ({lang}).\n# Made by `python build.py "
                                     f"export-po {lang}`; bring it back with `python build.py import-po FILE`.")
    for entry in entries(site):
        text = entry.texts.get(lang, "")
        fuzzy = bool(text) and recorded.get((lang, entry.context)) not in (None, text_revision(entry.original))
        brace = entry.path == site.strings.path and placeholders(entry.original)  # (data texts have no placeholders)
        flags = (["fuzzy"] if fuzzy else []) + (["python-brace-format"] if brace else [])
        catalog.add(entry.original, text, locations=[(shown(entry.path), entry.line)], flags=flags,
                    auto_comments=[entry.comment], context=entry.context)
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False)
    return out.getvalue().decode("utf-8")


def import_po(options: BuildOptions, po_path: Path) -> list[Change]:
    """Write the translations of the PO file into strings.yaml and the data files; ContentErrors (and nothing
    written) when an entry does not match the source or its placeholders differ from the msgid's."""
    site = load_site(options).site
    config = site.config
    errors = ErrorList(config.root)
    if not po_path.is_file():  # (a file named on the command line: a usage error, as a missing --config is)
        raise UsageError(f"no PO file at {po_path}")
    try:
        with po_path.open("rb") as file:
            catalog = read_po(file, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:  # not PO syntax, or not UTF-8
        line = getattr(exc, "lineno", 0) + 1  # Babel counts lines from 0
        what = re.sub(r" on \d+$", "", str(exc)).lower()  # its words, without its line number
        errors.add(po_path, line, 1, f"not a PO file that can be read: {what}")
        raise ContentErrors(errors.errors) from None
    locales = {str(Locale.parse(language.locale)): language.code for language in config.languages}  # (export's)
    lang = locales.get(str(catalog.locale)) or (str(catalog.locale).replace("_", "-") if catalog.locale else "")
    if lang not in config.language_codes[1:]:  # not the default language, the first
        errors.add(po_path, 1, 1, f"the PO file's 'Language' header must name a language to translate into, "
                                  f"not '{lang or 'nothing'}'")
        raise ContentErrors(errors.errors)
    by_context = {entry.context: entry for entry in entries(site)}
    wanted: list[tuple[Entry, str]] = []
    for message in catalog:
        if not message.id or message.fuzzy or not message.string:
            continue
        entry = by_context.get(message.context or "")
        if entry is None:
            errors.add(po_path, message.lineno, 1, f"no text '{message.context}' in the source any more "
                                                   f"(export a new PO file and carry the translations over)")
        elif entry.original != message.id:
            errors.add(po_path, message.lineno, 1, f"out of date: the {config.default_language} text of "
                                                   f"'{entry.context}' changed since this file was exported "
                                                   f"(it is now {entry.original!r})")
        elif entry.path == site.strings.path and (problem := placeholder_problem(message.string)):
            errors.add(po_path, message.lineno, 1, f"the translation of '{entry.context}': {problem}")
        elif entry.path == site.strings.path and placeholders(message.string) != placeholders(message.id):
            given, needed = (", ".join(f"{{{p}}}" for p in sorted(placeholders(text))) or "none"
                             for text in (message.string, message.id))
            errors.add(po_path, message.lineno, 1, f"the translation of '{entry.context}' has the placeholders "
                                                   f"{given}, the original {needed}: use the original's names, "
                                                   f"with or without a format such as {{number:hanzi}}")
        else:
            wanted.append((entry, message.string))
    errors.raise_if_any()
    return _write(site, errors.display_path, lang, wanted)


def _write(site: Site, shown, lang: str, wanted: list[tuple[Entry, str]]) -> list[Change]:
    """Edit each file once, with every change it gets, then record the revisions the translations match."""
    changes: list[Change] = []
    by_file: dict[Path, list[tuple[Entry, str]]] = {}
    for entry, text in wanted:
        if entry.texts.get(lang) != text:
            by_file.setdefault(entry.path, []).append((entry, text))
    edited: dict[Path, str] = {}  # (every file edited before any is written)
    for path, items in by_file.items():
        source, newline = read_text(path)
        root = compose(source)
        edits: list[Edit] = []
        for entry, text in items:
            mapping = find(root, entry.where)
            if isinstance(mapping, yaml.MappingNode):
                edits.append(set_value(source, mapping, lang, scalar(text)))
                changes.append(Change(shown(path), entry.line, entry.context, entry.texts.get(lang)))
        edited[path] = apply(source, edits).replace("\n", newline)
    for path, text in edited.items():
        path.write_bytes(text.encode("utf-8"))
    record_texts(site, [(entry, lang) for entry, _ in wanted])
    return changes
