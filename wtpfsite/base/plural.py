"""Words that depend on the reader's language (CLDR, through Babel): plural forms in UI strings and the names
of languages. A string gives the forms of a word by CLDR category, `"{changed} {changed|one=section|other=sections}
changed"`; a category it does not give falls back to `other`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from babel import Locale

_FORMS = re.compile(r"\{(\w+)\|((?:\w+=[^|{}]*\|?)+)\}")


@lru_cache(maxsize=None)
def _locale(locale: str) -> Locale:
    return Locale.parse(locale)


def choose_plurals(text: str, values: dict[str, Any], locale: str) -> str:
    """`text` with each `{name|one=...|other=...}` replaced by the form for `values[name]`."""
    def choose(match: re.Match) -> str:
        name, forms = match.group(1), dict(f.split("=", 1) for f in match.group(2).strip("|").split("|"))
        count = values.get(name)
        category = _locale(locale).plural_form(abs(count)) if isinstance(count, int) else "other"
        return forms.get(category, forms.get("other", ""))

    return _FORMS.sub(choose, text) if "|" in text else text


def counted(count: int, one: str, other: str) -> str:
    """'1 error', '3 errors': English messages of the command line."""
    return f"{count} {one if count == 1 else other}"


def language_name(locale: str, reader_locale: str, fallback: str) -> str:
    """The name of `locale`'s language in the reader's language (CLDR, Babel): 'English' is 英语 to readers of
    Chinese. `fallback` (the language's own name) when CLDR has none."""
    try:
        language = _locale(locale).language
        return _locale(reader_locale).languages.get(language) or fallback
    except (ValueError, LookupError):
        return fallback
