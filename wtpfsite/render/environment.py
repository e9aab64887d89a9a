"""The Jinja environment: autoescape, StrictUndefined, locale filters, and a record of the
templates each page loads (its template dependencies)."""

from __future__ import annotations

import contextvars
import datetime
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError, \
    TemplateSyntaxError
from markupsafe import Markup, escape

from ..base.plural import choose_plurals
from ..base.dates import DateSpec, format_day, format_spec
from ..base.errors import ErrorList
from ..base.text import Text
from ..content.strings import Strings
from .numerals import FORMATTER, hanzi

_recorder: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("template_recorder", default=None)


class RecordingEnvironment(Environment):
    """Notes every template loaded while a page renders: extends, include, import, macros (`render_template`
    returns them). A name is noted before it is loaded, so a missing template (`include ... ignore missing`, the
    names of a list tried first) is noted too: creating it changes the page."""

    def get_template(self, name, parent=None, globals=None):  # noqa: A002 (Jinja's signature)
        loaded = _recorder.get()
        if loaded is not None and isinstance(name, str):
            loaded.append(name)
        return super().get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):  # noqa: A002
        loaded = _recorder.get()
        if loaded is not None and isinstance(names, (list, tuple)):
            loaded.extend(name for name in names if isinstance(name, str))
        return super().select_template(names, parent, globals)


def make_environment(templates_dir: Path, cache_dir: Path | None = None) -> Environment:
    """The environment every template renders in; with `cache_dir`, Jinja keeps compiled templates there.
    The filter `bare` gives a UI string's text without the `lang` mark of a borrowed one, for attributes."""
    env = RecordingEnvironment(
        bytecode_cache=FileSystemBytecodeCache(str(cache_dir)) if cache_dir is not None else None,
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["hanzi"] = hanzi
    env.filters["bare"] = str
    return env


def compile_templates(env: Environment) -> None:
    """Load every template of the folder (not the static files) now, so that processes forked after this share
    them compiled. One that fails is left to fail again, and be reported, where a page renders it."""
    for name in env.list_templates(filter_func=lambda name: not name.startswith("static/")):
        try:
            env.get_template(name)
        except TemplateError:
            pass


@dataclass(frozen=True)
class Rendered:
    text: str
    templates: tuple[str, ...]


def render_template(env: Environment, name: str, context: dict[str, Any]) -> Rendered:
    loaded: list[str] = []
    token = _recorder.set(loaded)
    try:
        text = env.get_template(name).render(context)
    except KeyError as exc:  # a string or route the template asked for does not exist: the template's line
        raise TemplateError(str(exc.args[0]) if exc.args else repr(exc)).with_traceback(exc.__traceback__) from None
    finally:
        _recorder.reset(token)
    return Rendered(text, tuple(dict.fromkeys(loaded)))


class MissingString(TemplateError):
    """A UI string the catalog does not have: a problem of the catalog, which the error names."""

    def __init__(self, key: str, path: Path, default: str):
        super().__init__(f"UI string '{key}' is not in {path.name}: correct the key, or add it there with its "
                         f"'{default}' text")
        self.path = path


def template_error(exc: TemplateError, templates_dir: Path, name: str, errors: ErrorList) -> None:
    """Report a template problem at the template's file and line (a missing UI string at the catalog)."""
    if isinstance(exc, TemplateSyntaxError) and exc.name:
        errors.add(templates_dir / exc.name, exc.lineno or 1, 1, f"template error: {exc.message}")
        return
    line, where = _template_line(exc, templates_dir)
    if isinstance(exc, MissingString) and where is None:  # (a page's title, which the section names)
        errors.add(exc.path, 1, 1, str(exc))
        return
    errors.add(where or templates_dir / name, line, 1, f"template error: {exc}")


def _template_line(exc: BaseException, templates_dir: Path) -> tuple[int, Path | None]:
    """Walk the traceback to the innermost frame that belongs to a template file."""
    root = str(templates_dir.resolve())
    found = [(line, Path(frame.f_code.co_filename)) for frame, line in traceback.walk_tb(exc.__traceback__)
             if frame.f_code.co_filename.startswith(root)]
    return found[-1] if found else (1, None)


class Borrowed(str):
    """A UI string shown in another language than the reader's (the default one's, standing in): in HTML text it
    is marked with its own `lang`, and isolated with its own `dir` when that differs from the page's; `str()` of
    it, for attributes, is the bare text."""

    lang: str
    dir: str | None

    def __new__(cls, value: str, lang: str, direction: str | None = None) -> Borrowed:
        made = super().__new__(cls, value)
        made.lang, made.dir = lang, direction
        return made

    def __html__(self) -> Markup:
        return borrowed_span(self.lang, self.dir, str(self))


def borrowed_span(lang: str, direction: str | None, content: str | Markup) -> Markup:
    """Text in another language than the page's: `lang`, and `dir` when its direction is not the page's (English
    in an Arabic page), which also isolates it from the text around it."""
    if direction is None:
        return Markup('<span lang="{}">{}</span>').format(lang, content)
    return Markup('<span lang="{}" dir="{}">{}</span>').format(lang, direction, content)


def _fill_error(key: str, lang: str, values: dict[str, Any], exc: Exception) -> TemplateError:
    """The error of a UI string whose placeholders the template does not give."""
    if isinstance(exc, KeyError):
        usable = ", ".join(f"{{{v}}}" for v in sorted(values)) or "none"
        return TemplateError(f"UI string '{key}' for language '{lang}' has an unknown placeholder {{{exc.args[0]}}} "
                             f"(it can use {usable})")
    return TemplateError(f"UI string '{key}' for language '{lang}' cannot be filled in: {exc}")


@dataclass(frozen=True)
class Localizer:
    """Formatting for one reader language: strings, texts and dates."""

    lang: str
    default_lang: str
    locale: str
    strings: Strings
    allowed: tuple[str, ...] | None = None  # the prefixes of the keys a page may use; None: any key
    mark_borrowed: bool = True  # borrowed UI strings come as `Borrowed` (for HTML); False: plain text (feeds)
    dir: str = "ltr"  # the direction of the reader's language
    default_dir: str = "ltr"  # and of the default language, which borrowed text is in

    def t(self, key: str, **values: Any) -> str:
        if self.allowed is not None and not key.startswith(self.allowed):
            raise TemplateError(f"UI string '{key}' is used but not declared by the page's section "
                                f"(declared: {', '.join(self.allowed)})")
        try:
            found = self.strings.lookup(key, self.lang)
        except KeyError:
            raise MissingString(key, self.strings.path, self.default_lang) from None
        try:
            text = FORMATTER.format(choose_plurals(found.value, values, self.locale), **values) if values \
                else found.value
        except (KeyError, IndexError, ValueError) as exc:
            raise _fill_error(key, found.lang, values, exc) from None
        return self.mark(text, found.lang)

    def mark(self, value: str, lang: str) -> str:
        """`value`, which is in `lang`: as `Borrowed` when that is not the reader's language (in HTML outputs)."""
        if lang == self.lang or not self.mark_borrowed:
            return value
        return Borrowed(value, lang, self.default_dir if self.default_dir != self.dir else None)

    def t_markup(self, key: str, **values: Markup) -> Markup:
        """A UI string with HTML fragments put in: the string is escaped, `values` must be Markup."""
        found = self.t(key)
        try:
            markup = Markup(escape(str(found))).format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise _fill_error(key, getattr(found, "lang", self.lang), values, exc) from None
        if isinstance(found, Borrowed):
            return borrowed_span(found.lang, found.dir, markup)
        return markup

    def text(self, value: Text | None) -> Markup:
        """A data text in the reader's language, escaped; borrowed text is marked with its own `lang` (`title`)."""
        return Markup("") if value is None else escape(self.title(value))

    def title(self, value: Text) -> str:
        """A data text for plain-text places that may be marked, such as the site's title: `mark` of its text."""
        localized = value.get(self.lang, self.default_lang)
        return self.mark(localized.value, localized.lang)

    def plain(self, value: Text | None) -> str:
        return "" if value is None else value.get(self.lang, self.default_lang).value

    def date(self, value: DateSpec | datetime.date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, DateSpec):
            patterns = {"same_year": self.t("date.month_range"), "other_years": self.t("date.month_range_years")}
            return format_spec(value, self.locale, patterns)
        return format_day(value, self.locale)
