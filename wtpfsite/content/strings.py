"""The UI string catalog: every key has a text in the default language; a language without its own text for a
key borrows the default language's (the translation report lists each such gap)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter

from ..base.errors import ErrorList
from ..base.schema import Reader
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

    def missing(self, lang: str) -> tuple[str, ...]:
        """The keys without a text of their own in `lang`, in the catalog's order."""
        return tuple(key for key, values in self.catalog.items() if lang not in values)


def load_strings(path: Path, languages: tuple[str, ...], errors: ErrorList) -> Strings:
    """The catalog at `path`, for the site's `languages` (the first of them the default)."""
    text = read_source_text(path, errors)
    data = load_yaml(text, path, errors) if text is not None else None
    if not isinstance(data, MarkedMap):
        if data is not None:
            errors.add(path, 1, 1, "the string catalog must map each key to its texts by language")
        return Strings(path, {}, languages[0])
    reader = Reader(path, errors, languages)
    return Strings(path, {key: _read_entry(reader, data, key) for key in data}, languages[0], dict(data.key_marks))


_FIELD = re.compile(r"(\w+)(?:\|(?:\w+=[^|{}]*\|?)+)?\Z")  # {number}, {days|one=day|other=days}


def placeholder_problem(text: str) -> str | None:
    """What is wrong with the braces of a UI string, in an editor's words; None when nothing is."""
    try:
        names = [name for _, name, _, _ in Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return f"{str(exc).lower()} (a brace that is text is written twice: {{{{ or }}}})"
    bad = next((name for name in names if not _FIELD.match(name)), None)
    example = "{number} or {days|one=day|other=days}"
    return None if bad is None else f"'{{{bad}}}' is not a placeholder such as {example}"


def placeholders(text: str) -> set[str]:
    """The names of a UI string's placeholders (none when its braces are wrong: `placeholder_problem`)."""
    try:
        return {_FIELD.match(name)[1] for _, name, _, _ in Formatter().parse(text) if name and _FIELD.match(name)}
    except ValueError:
        return set()


def _read_entry(reader: Reader, catalog: MarkedMap, key: str) -> dict[str, str]:
    values = catalog[key]
    if not isinstance(values, MarkedMap):
        reader.error(catalog.value_marks[key], f"string '{key}' must map languages to texts")
        return {}
    entry: dict[str, str] = {}
    for lang, value in values.items():
        if lang not in reader.languages:
            hint = "put text that contains ', ' or ': ' in quotes" if " " in lang else None
            reader.error(values.key_marks[lang], f"string '{key}' has unknown language '{lang}'", hint)
        elif not isinstance(value, str):
            reader.error(values.value_marks[lang], f"string '{key}' in '{lang}' must be text")
        else:
            entry[lang] = value
    default = reader.languages[0]
    if default not in values:
        reader.error(catalog.key_marks[key], f"string '{key}' is missing its '{default}' text (the default "
                     f"language's, which stands in for languages without their own)")
    for lang, text in list(entry.items()):
        mark, original = values.value_marks[lang], entry.get(default, "")
        if problem := placeholder_problem(text):
            reader.error(mark, f"string '{key}' in '{lang}': {problem}")
        elif extra := placeholders(text) - placeholders(original):
            has = ", ".join(f"{{{name}}}" for name in sorted(placeholders(original))) or "none"
            reader.error(mark, f"string '{key}': the placeholder {{{min(extra)}}} of its '{lang}' text is not in its "
                         f"'{default}' text, which has {has}: one of them is misspelt")
        elif not text.strip() and original.strip():
            reader.error(mark, f"string '{key}' in '{lang}' is empty: leave '{lang}' out, and readers see the "
                         f"'{default}' text until it is translated")
        else:
            continue
        del entry[lang]
    return entry
