"""The Jinja environment: autoescape, StrictUndefined, locale filters, and a record of the
templates each page loads (its template dependencies)."""

from __future__ import annotations

import contextvars
import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FunctionType, MethodType
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.runtime import Context, Macro
from jinja2.utils import internalcode
from markupsafe import Markup, escape

from .dates import DateSpec, format_day, format_spec
from .deps import note, template_key
from .errors import ErrorList
from .strings import Strings
from .text import Text

_recorder: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("template_recorder", default=None)


class FastCallContext(Context):
    """Jinja's template context with a shorter way to call what templates call most: plain Python functions and
    bound methods (the Localizer's `t` and `text`, the `url` and `href` functions of base_context...), thousands
    of times per page list. `Context.call` asks every callable whether it wants the context, the eval context or
    the environment as its first argument (`pass_context` and its kin mark a function with `jinja_pass_arg`);
    for a function, or a method of one, that answer is in the function's `__dict__`: one dict lookup instead of
    three attribute lookups, two of which fail; a macro never wants them. Anything else, or a marked function,
    goes to `Context.call`."""

    @internalcode
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature: a template may pass `self=`)
        kind = type(__obj)
        if kind is not Macro:
            function = __obj if kind is FunctionType else __obj.__func__ if kind is MethodType else None
            if type(function) is not FunctionType or "jinja_pass_arg" in function.__dict__:
                return Context.call(__self, __obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)  # what Jinja passes for a function that takes the context
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Context.call
            return __self.environment.undefined("value was undefined because a callable raised a"
                                                " StopIteration exception")


class RecordingEnvironment(Environment):
    """Notes every template loaded while a page renders: extends, include, import, macros. A name is
    noted before it is loaded, so a missing template (`include ... ignore missing`, the names of a
    list that were tried first) is a dependency too: creating it changes the page."""

    context_class = FastCallContext

    def get_template(self, name, parent=None, globals=None):  # noqa: A002 (Jinja's signature)
        loaded = _recorder.get()
        if isinstance(name, str):
            if loaded is not None:
                loaded.append(name)
            note(template_key(name))
        return super().get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):  # noqa: A002
        for name in names if isinstance(names, (list, tuple)) else ():
            if isinstance(name, str):
                note(template_key(name))
        return super().select_template(names, parent, globals)


class CompiledTemplates(BytecodeCache):
    """Compiled templates by template file and source checksum, kept for the life of the process (a
    second build in the same process, serve or tests, compiles only the templates that changed) and,
    given a folder (the build cache's `templates/`), on disk for the next build. Jinja's bucket checks
    its format, the Python version and the source checksum when it reads one back; an unreadable one
    is compiled again. Every environment comes from make_environment, with the same options, so the
    code fits them all."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._code: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self._code.get(bucket.key, ("", None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code
            return
        if self.directory is None:
            return
        try:
            with open(self.directory / f"{bucket.key}.code", "rb") as file:
                bucket.load_bytecode(file)
        except (OSError, EOFError, ValueError, TypeError):  # missing, or not a whole code object
            bucket.reset()
        if bucket.code is not None:
            self._code[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        self._code[bucket.key] = (bucket.checksum, bucket.code)
        if self.directory is None:
            return
        temporary = self.directory / f".{bucket.key}.{os.getpid()}.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as file:
                bucket.write_bytecode(file)
            os.replace(temporary, self.directory / f"{bucket.key}.code")
        except OSError:
            temporary.unlink(missing_ok=True)  # a build cache that cannot be written costs only time


_COMPILED: dict[Path | None, CompiledTemplates] = {}


def make_environment(templates_dir: Path, cache_dir: Path | None = None) -> Environment:
    """The environment every template renders in; with `cache_dir`, compiled templates are kept there."""
    folder = cache_dir / "templates" if cache_dir is not None else None
    compiled = _COMPILED.setdefault(folder, CompiledTemplates(folder))
    env = RecordingEnvironment(
        bytecode_cache=compiled,
        loader=FileSystemLoader(str(templates_dir)),
        # an environment serves one build (or, in watch mode, the quick rebuilds after Markdown edits): its
        # templates are the ones it loaded, not stat'ed again at each of the thousands of get_template calls
        auto_reload=False,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


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


def template_error(exc: TemplateError, templates_dir: Path, name: str, errors: ErrorList) -> None:
    """Report a template problem at the template's file and line."""
    if isinstance(exc, TemplateSyntaxError) and exc.name:
        errors.add(templates_dir / exc.name, exc.lineno or 1, 1, f"template error: {exc.message}")
        return
    line, where = _template_line(exc, templates_dir)
    errors.add(where or templates_dir / name, line, 1, f"template error: {exc}")


def _template_line(exc: BaseException, templates_dir: Path) -> tuple[int, Path | None]:
    """Walk the traceback to the innermost frame that belongs to a template file."""
    tb, found = exc.__traceback__, (1, None)
    root = str(templates_dir.resolve())
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root):
            found = (tb.tb_lineno, Path(filename))
        tb = tb.tb_next
    return found


@dataclass(frozen=True)
class Localizer:
    """Formatting for one reader language: strings, texts and dates."""

    lang: str
    default_lang: str
    locale: str
    strings: Strings

    def t(self, key: str, **values: Any) -> str:
        try:
            text = self.strings.get(key, self.lang)
        except KeyError as exc:
            raise TemplateError(str(exc.args[0])) from None
        try:
            return text.format(**values) if values else text
        except KeyError as exc:
            usable = ", ".join(f"{{{v}}}" for v in sorted(values))
            raise TemplateError(f"UI string '{key}' for language '{self.lang}' has an unknown placeholder "
                                f"{{{exc.args[0]}}} (it can use {usable})") from None
        except (IndexError, ValueError) as exc:
            raise TemplateError(f"UI string '{key}' for language '{self.lang}' cannot be filled in: {exc}") from None

    def t_markup(self, key: str, **values: Markup) -> Markup:
        """A UI string with HTML fragments put in: the string is escaped, `values` must be Markup."""
        return Markup(escape(self.t(key))).format(**values)

    def text(self, value: Text | None) -> Markup:
        """A data text in the reader's language; borrowed text is marked with its own `lang`."""
        if value is None:
            return Markup("")
        localized = value.get(self.lang, self.default_lang)
        if localized.lang == self.lang:
            return escape(localized.value)
        return Markup('<span lang="{}">{}</span>').format(localized.lang, localized.value)

    def plain(self, value: Text | None) -> str:
        return "" if value is None else value.get(self.lang, self.default_lang).value

    def date(self, value: DateSpec | datetime.date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, DateSpec):
            patterns = {"same_year": self.t("date.month_range"), "other_years": self.t("date.month_range_years")}
            return format_spec(value, self.locale, patterns)
        return format_day(value, self.locale)
