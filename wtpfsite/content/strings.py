"""The UI string catalog: every key has a text in the default language; a language without its own text for a
key borrows the default language's (the translation report lists each such gap)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import ErrorList
from ..base.text import Localized
from ..base.yamlio import Mark, MarkedMap, load_yaml
from .sources import read_source_text


@dataclass(frozen=True)
class Strings:
    path: Path
    catalog: dict[str, dict[str, str]]
    default: str = ""  # the language every key has, which stands in for the others
    # where each key stands in the catalog (for the translation report's places); not part of the value
    marks: dict[str, Mark] = field(default_factory=dict, compare=False, repr=False)

    def lookup(self, key: str, lang: str) -> Localized:
        """The string in `lang`, else the default language's; KeyError naming the key when there is none."""
        values = self.catalog.get(key, {})
        for wanted in (lang, self.default):
            if wanted in values:
                return Localized(values[wanted], wanted)
        raise KeyError(f"no UI string '{key}' for language '{lang}' in {self.path.name}")

    def get(self, key: str, lang: str) -> str:
        """The string's text (borrowed from the default language when `lang` has none)."""
        return self.lookup(key, lang).value

    def for_language(self, lang: str) -> dict[str, str]:
        return {key: values[lang] for key, values in self.catalog.items() if lang in values}

    def missing(self, lang: str) -> tuple[str, ...]:
        """The keys without a text of their own in `lang`, in the catalog's order."""
        return tuple(key for key, values in self.catalog.items() if lang not in values)


def load_strings(path: Path, languages: tuple[str, ...], errors: ErrorList) -> Strings:
    text = read_source_text(path, errors)
    data = load_yaml(text, path, errors) if text is not None else None
    catalog: dict[str, dict[str, str]] = {}
    marks: dict[str, Mark] = {}
    if isinstance(data, MarkedMap):
        marks = dict(data.key_marks)
        for key, values in data.items():
            catalog[key] = _read_entry(path, key, values, data.value_marks[key], marks[key], languages, errors)
    elif data is not None:
        errors.add(path, 1, 1, "the string catalog must map each key to its texts by language")
    return Strings(path, catalog, languages[0] if languages else "", marks)


def _read_entry(path, key, values, value_mark: Mark, key_mark: Mark, languages, errors) -> dict[str, str]:
    if not isinstance(values, MarkedMap):
        errors.add(path, value_mark.line, value_mark.col, f"string '{key}' must map languages to texts")
        return {}
    entry: dict[str, str] = {}
    for lang, value in values.items():
        lang_mark = values.key_marks[lang]
        if lang not in languages:
            hint = "put text that contains ', ' or ': ' in quotes" if " " in lang else None
            errors.add(path, lang_mark.line, lang_mark.col, f"string '{key}' has unknown language '{lang}'", hint)
        elif not isinstance(value, str):
            mark = values.value_marks[lang]
            errors.add(path, mark.line, mark.col, f"string '{key}' in '{lang}' must be text")
        else:
            entry[lang] = value
    default = languages[0] if languages else None
    if default is not None and default not in entry and default not in values:
        errors.add(path, key_mark.line, key_mark.col,
                   f"string '{key}' is missing its '{default}' text (the default language's, which stands in "
                   f"for languages without their own)")
    return entry
