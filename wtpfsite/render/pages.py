"""The render stage for pages: one route in one language -> HTML, with the templates it loaded."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Callable

from jinja2 import Environment, TemplateError
from markupsafe import Markup

from ..base.dates import deadline
from ..base.errors import ErrorList, SiteError
from ..base.plural import language_name
from ..base.urls import absolute_url, output_file, relative_from
from ..content.markdown import render_markdown
from ..content.parse import ParsedSource
from ..site.links import link_route_key
from ..site.model import Site, navigation_key
from ..site.routes import CHANGES, Route
from ..site.translations import outdated_original
from .environment import Localizer, render_template, template_error

# The UI strings every page may use (the layout's), beyond those its section declares.
COMMON_STRINGS = ("a11y.", "date.", "feed.", "footer.", "nav.", "notice.", "punct.", "search.", "title.", "toc.")


@dataclass(frozen=True)
class Output:
    path: str  # site-relative file path: "en/about/index.html"
    data: bytes
    templates: tuple[str, ...] = ()  # the templates it was rendered with (a page's), for incremental builds


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str  # relative from the current page
    absolute: str
    real: bool  # a real translation (not a page shown from another language)


@dataclass(frozen=True)
class PageView:
    key: str
    title: str
    description: str
    html: Markup
    toc: tuple
    borrowed_from: str | None  # the language the body is shown in, when not the reader's
    languages: tuple[LanguageLink, ...]
    canonical: str
    outdated_original: LanguageLink | None = None  # the newer original, when this translation is out of date
    borrowed_dir: str | None = None  # the borrowed body's direction, when not the page's (English in Arabic)


def localizer(site: Site, lang: str, strings: tuple[str, ...] | None = None, html: bool = True) -> Localizer:
    """Strings, texts and dates for readers of `lang`; with `strings` (what a section declares), only those and
    the common ones; `html`: borrowed UI strings carry their `lang` (not in feeds and calendars)."""
    config = site.config
    allowed = COMMON_STRINGS + strings if strings is not None else None
    reader, default = config.language(lang), config.language(config.default_language)
    return Localizer(lang, default.code, reader.locale, site.strings, allowed, html, reader.dir, default.dir)


def page_title(site: Site, route: Route, source: ParsedSource | None, loc: Localizer) -> str:
    """The title; borrowed from another language, it is marked so (templates use `|bare` in attributes)."""
    if source is not None:
        return loc.mark(source.title, source.file.lang)
    if route.section.title is not None:
        return route.section.title(site, route.name, loc.t)
    return loc.t(f"title.{route.section.name}")


def markdown_html(site: Site, source: ParsedSource, lang: str, path: str) -> Markup:
    """A source's HTML for the page at `path`, its links to other sources made URLs in `lang`'s tree."""
    relative = relative_from(path)
    folder, content_dir = posixpath.dirname(str(source.file.path)), str(site.config.content_dir)
    urls = {}
    for link in source.markdown.links:
        if link.kind == "anchor":
            urls[link.href] = "#" + link.anchor
        elif link.kind == "source":
            key = link_route_key(folder, link.target, content_dir)
            urls[link.href] = relative(site.path(key, lang) + ("#" + link.anchor if link.anchor else ""))
    return Markup(render_markdown(source.markdown, urls))


def page_view(site: Site, route: Route, lang: str, path: str, loc: Localizer, link: Callable[[str], str]) -> PageView:
    """The page at `path`, `route` in `lang`; `loc` and `link`: its strings and links (`base_context`'s)."""
    source = route.version_for(lang, site.config.language_codes)
    shows_markdown = source is not None and route.section.name != CHANGES  # (a changes page shows a diff)
    html = markdown_html(site, source, lang, path) if shows_markdown else Markup("")
    borrowed = source.file.lang if source is not None and source.file.lang != lang else None
    description = (source and source.description) or loc.plain(site.config.title)
    real = route.real_languages(site.config.language_codes)
    links = tuple(LanguageLink(language.code, language.name, link(target), absolute_url(site.config.base_url, target),
                               language.code in real)
                  for language in site.config.languages for target in [site.path(route.key, language.code)])
    original = outdated_original(route.versions, lang, site.config.default_language)
    outdated = next(link for link in links if link.code == original.file.lang) if original else None
    shown_dir = site.config.language(borrowed).dir if borrowed else None
    borrowed_dir = shown_dir if shown_dir != site.config.language(lang).dir else None
    return PageView(route.key, page_title(site, route, source, loc), description, html,
                    source.markdown.toc if source else (), borrowed, links,
                    absolute_url(site.config.base_url, path), outdated, borrowed_dir)


def deadline_labels(loc: Localizer) -> str:
    """A deadline badge's texts as JSON, for site.js, which counts the days again in the reader's browser: by state,
    and by the days left in the last week (each with its plural form)."""
    labels = {"closed": loc.t("deadline.closed"), "open": loc.t("deadline.open"), "0": loc.t("deadline.closes_today")}
    labels |= {str(days): loc.t("deadline.closes_in", days=days) for days in range(1, 8)}
    return json.dumps({key: str(text) for key, text in labels.items()}, ensure_ascii=False)


def link_maker(site: Site, path: str) -> Callable[[str], str]:
    """Relative links, but absolute from the base URL on 404 pages, which hosts serve at any address."""
    if path.endswith("404.html"):
        return lambda target: site.config.base_url + target
    return relative_from(path)


def navigation(site: Site, lang: str, link: Callable[[str], str], loc: Localizer,
               route: Route | None) -> tuple[NavLink, ...]:
    """The main navigation: each entry of the config's, marked current on its page and its section's pages."""
    keys = [(entry.target, navigation_key(site, entry.target)) for entry in site.config.navigation]
    return tuple(NavLink(loc.t(f"nav.{name}"), link(site.path(key, lang)),
                         route is not None and (route.key == key or route.section.parent == key)) for name, key in keys)


def base_context(site: Site, lang: str, path: str, today: date, route: Route | None = None,
                 strings: tuple[str, ...] | None = None) -> dict[str, Any]:
    """What every template gets; `route`: the page being rendered, if it is one (its `page`); `strings`: what an
    output that is not a page declares it uses. Borrowed UI strings carry their `lang` in HTML outputs only."""
    html = route is not None or path.endswith(".html")
    loc = localizer(site, lang, route.section.strings if route is not None else strings, html)
    link = link_maker(site, path)
    context = {
        "site": site,
        "config": site.config,
        "lang": lang,
        "language": site.config.language(lang),
        "today": today,
        "t": loc.t,
        "t_markup": loc.t_markup,
        "text": loc.text,
        "fmt": loc.date,
        "url": lambda key, anchor="": link(site.path(key, lang) + (f"#{anchor}" if anchor else "")),
        "href": link,
        "asset": lambda name: link(f"static/{name}"),
        "navigation": navigation(site, lang, link, loc, route),
        "deadline": lambda spec: deadline(spec, today),
        "deadline_labels": cache(lambda: deadline_labels(loc)),  # (made once a page, for its first badge)
        "site_title": loc.title(site.config.title),
        # a language named in the running text of the UI string `key`, in that text's language ("英语" in a Chinese
        # notice, "English" in an English one standing in for an untranslated notice)
        "language_name": lambda code, key: language_name(
            site.config.language(code).locale,
            site.config.language(site.strings.lookup(key, lang).lang).locale, site.config.language(code).name),
    }
    if route is not None:
        context["page"] = page_view(site, route, lang, path, loc, link)
    return context


def render_page(site: Site, env: Environment, today: date, route: Route, lang: str) -> Output | SiteError:
    """One route in one language, or the error its template raised. The page sees the site narrowed to what its
    section declares (`Site.narrowed`)."""
    section = route.section
    narrowed = site.narrowed(section)
    errors = ErrorList(site.config.root)
    path = site.path(route.key, lang)

    def context() -> dict[str, Any]:
        found = base_context(narrowed, lang, path, today, route)
        return found if section.context is None else found | section.context(narrowed, route.name, lang, today)

    output = render_output(site, env, section.template, output_file(path), context, errors)
    return errors.errors[0] if output is None else output


def render_output(site: Site, env: Environment, template: str, path: str, context: Callable[[], dict[str, Any]],
                  errors: ErrorList) -> Output | None:
    """The output at `path` rendered from `template` with what `context` makes, or None with its error reported at
    the template's line."""
    try:
        rendered = render_template(env, template, context())
    except TemplateError as exc:
        template_error(exc, site.config.templates_dir, template, errors)
        return None
    return Output(path, rendered.text.encode("utf-8"), rendered.templates)


def render_outputs(site: Site, env: Environment, today: date, errors: ErrorList,
                   jobs: list[tuple[str, str, str, dict]], strings: tuple[str, ...]) -> list[Output]:
    """Outputs that are not pages: each (path, template, language, context beyond the common one) rendered;
    `strings`: the UI strings they use."""
    outputs = []
    for path, template, lang, extra in jobs:
        outputs.append(render_output(site, env, template, path, lambda: base_context(
            site, lang, path, today, strings=strings) | {"path": path} | extra, errors))
    return [output for output in outputs if output is not None]
