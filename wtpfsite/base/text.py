"""Text fields that are either one string or a map by language."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

def text_revision(value: str) -> str:
    """The revision of a data text: a short hash of it (12 hexadecimal digits, like a page's revision)."""
    return hashlib.sha256(value.strip().encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Localized:
    """A text in the reader's language, or borrowed from another language."""

    value: str
    lang: str  # the language the value is actually in


@dataclass(frozen=True)
class Text:
    """One string for every language (`universal`), or a value per language code."""

    values: tuple[tuple[str, str], ...]
    universal: bool = False
    # where a text by language stood in its data file (a yamlio.Mark), for the translation report's
    # "missing translation" places; not part of the value
    mark: object | None = field(default=None, compare=False, repr=False)

    @classmethod
    def plain(cls, value: str) -> Text:
        return cls((("*", value),), universal=True)

    @classmethod
    def by_language(cls, values: dict[str, str], mark: object | None = None) -> Text:
        return cls(tuple(sorted(values.items())), mark=mark)

    def languages(self) -> frozenset[str]:
        return frozenset(dict(self.values))  # (the codes; made in C: the translation report asks every text)

    def has(self, lang: str) -> bool:
        return self.universal or lang in self.languages()

    def get(self, lang: str, fallback: str) -> Localized:
        """The value in `lang`, else in `fallback`, else in the first language given."""
        if self.universal:
            return Localized(self.values[0][1], lang)
        values = dict(self.values)
        code = lang if lang in values else fallback if fallback in values else self.values[0][0]
        return Localized(values[code], code)
