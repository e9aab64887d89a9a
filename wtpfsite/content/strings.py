"""The UI string catalog: every key has a text in every language of the site."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..base.errors import ErrorList
from ..base.yamlio import Mark, MarkedMap, load_yaml
from .sources import read_source_text


@dataclass(frozen=True)
class Strings:
    path: Path
    catalog: dict[str, dict[str, str]]

    def get(self, key: str, lang: str) -> str:
        """The string, or KeyError naming the key (templates turn it into an error)."""
        try:
            return self.catalog[key][lang]
        except KeyError:
            raise KeyError(f"no UI string '{key}' for language '{lang}' in {self.path.name}") from None

    def for_language(self, lang: str) -> dict[str, str]:
        return {key: values[lang] for key, values in self.catalog.items() if lang in values}


def load_strings(path: Path, languages: tuple[str, ...], errors: ErrorList) -> Strings:
    text = read_source_text(path, errors)
    data = load_yaml(text, path, errors) if text is not None else None
    catalog: dict[str, dict[str, str]] = {}
    if data is None:
        return Strings(path, catalog)
    if not isinstance(data, MarkedMap):
        errors.add(path, 1, 1, "the string catalog must map each key to its texts by language")
        return Strings(path, catalog)
    for key, values in data.items():
        mark = data.key_marks[key]
        catalog[key] = _read_entry(path, key, values, data.value_marks[key], mark, languages, errors)
    return Strings(path, catalog)


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
    for lang in languages:
        if lang not in entry and lang not in values:
            errors.add(path, key_mark.line, key_mark.col, f"string '{key}' is missing its '{lang}' text")
    return entry
