"""site_config.yaml -> a frozen SiteConfig. Paths in it are relative to the file itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from babel import Locale, UnknownLocaleError

from ..base.errors import ErrorList
from ..base.schema import LANGUAGE_CODE, Reader, Ref
from ..base.text import Text
from ..base.yamlio import Mark, load_yaml
from .sources import read_source_text

BASE_URL = re.compile(r"^https?://[^/\s]+(/[^\s]*)?\Z")  # what the site's base URL can be: `base_url`, --base-url


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47: "en", "zh"
    name: str  # in its own language: "English", "中文"
    locale: str  # Babel/CLDR locale for dates and numbers: "en_GB", "zh_Hans_CN"

    @cached_property
    def dir(self) -> str:
        """The HTML `dir` of the language's pages, from CLDR's character order for its locale ("rtl" for
        Arabic, Hebrew, Persian, Urdu...), so no list of scripts is kept here."""
        return "rtl" if Locale.parse(self.locale).character_order == "right-to-left" else "ltr"


@dataclass(frozen=True)
class SiteConfig:
    path: Path
    root: Path
    title: Text
    languages: tuple[Language, ...]
    base_url: str  # absolute, ends with "/"
    content_dir: Path
    templates_dir: Path
    output_dir: Path
    navigation: tuple[Ref, ...]  # each to a section ("drafts") or a page by name ("about")
    allow_raw_html_in_drafts: bool
    search: bool = True  # build the Pagefind search index and show the search box
    # The day the content describes, for a site that tells of a past moment: the default of --today. When it is
    # set, the pages' script keeps the statuses of the build's day instead of following the reader's today, and
    # the pages say which day they describe. None: the content follows the calendar.
    content_date: date | None = None
    languages_line: int = 1  # where `languages:` stands in the file (the place of errors about a language)

    @property
    def default_language(self) -> str:
        return self.languages[0].code

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    def language(self, code: str) -> Language:
        return next(language for language in self.languages if language.code == code)


def load_config(path: Path, errors: ErrorList) -> SiteConfig | None:
    """Read and validate the config; problems are added to `errors` (None when unusable)."""
    path = path.resolve()
    text = read_source_text(path, errors)
    if text is None:
        return None
    known = len(errors.errors)
    data = load_yaml(text, path, errors)
    if data is None and len(errors.errors) > known:  # a YAML error, already reported
        return None
    reader = Reader(path, errors, languages=())
    node = reader.mapping(data, Mark(1, 1), "site_config.yaml", ("title", "languages", "base_url"),
                          ("content_dir", "templates_dir", "output_dir", "navigation", "allow_raw_html_in_drafts",
                           "search", "content_date"))
    if node is None:
        return None
    languages = _read_languages(reader, node)
    # every code listed, a language refused for its locale too: its texts are not "unknown" (its own error says why)
    reader.languages = tuple(item["code"] for item, _ in reader.items(node, "languages") if isinstance(item, dict)
                             and isinstance(item.get("code"), str)) if "languages" in node else ()
    title = reader.text(node, "title")
    base_url = reader.matching(node, "base_url", BASE_URL, "an absolute http(s) URL")
    navigation = tuple(_read_navigation(reader, node))
    raw_html = reader.boolean(node, "allow_raw_html_in_drafts")
    search = reader.boolean(node, "search", True)
    content_date = _read_content_date(reader, node)
    dirs = {key: (path.parent / (reader.string(node, key) or key.removesuffix("_dir"))).resolve()
            for key in ("content_dir", "templates_dir", "output_dir")}
    if not languages or title is None or base_url is None:
        return None
    return SiteConfig(path, path.parent, title, languages, normalize_base_url(base_url), **dirs, navigation=navigation,
                      allow_raw_html_in_drafts=raw_html, search=search, content_date=content_date,
                      languages_line=node.key_marks["languages"].line)


def read_config(path: Path) -> SiteConfig:
    """The config at `path`; raises ContentErrors with its problems."""
    errors = ErrorList(path.resolve().parent)
    config = load_config(path, errors)
    errors.raise_if_any()
    return config  # type: ignore[return-value]  # (None only with errors)


def _read_content_date(reader: Reader, node) -> date | None:
    spec = reader.date(node, "content_date")
    if spec is not None and not spec.is_single_day:
        reader.error(reader.value_mark(node, "content_date"),
                     f"'content_date' must be one day such as 2020-09-16, not '{node['content_date']}'")
        return None
    return spec.start if spec is not None else None


def _read_languages(reader: Reader, node) -> tuple[Language, ...]:
    languages: list[Language] = []
    items = reader.items(node, "languages")
    if not items and "languages" in node:
        reader.error(reader.value_mark(node, "languages"), "'languages' must list at least one language")
    for item, mark in items:
        entry = reader.mapping(item, mark, "a language", ("code", "name", "locale"), ())
        if entry is None:
            continue
        code, name, locale = (reader.string(entry, key) for key in ("code", "name", "locale"))
        if code is not None and not LANGUAGE_CODE.match(code):
            reader.error(entry.value_marks["code"], f"'{code}' is not a BCP 47 language code such as 'en' or 'zh'")
            continue
        if code in (language.code for language in languages):
            reader.error(entry.value_marks["code"], f"language '{code}' is listed twice")
            continue
        if locale is not None:
            try:
                Locale.parse(locale)
            except (UnknownLocaleError, ValueError):
                reader.error(entry.value_marks["locale"], f"unknown locale '{locale}' (try 'en_GB' or 'zh_Hans_CN')")
                continue
        if code and name and locale:
            languages.append(Language(code, name, locale))
    return tuple(languages)


def normalize_base_url(value: str) -> str:
    return value if value.endswith("/") else value + "/"


def _read_navigation(reader: Reader, node):
    for item, mark in reader.items(node, "navigation"):
        if not isinstance(item, str) or not re.match(r"^[a-z0-9-]+\Z", item):
            reader.error(mark, "a navigation entry must be a section name or a page name, such as 'about'")
            continue
        yield Ref(item, reader.path, mark.line, mark.col)
