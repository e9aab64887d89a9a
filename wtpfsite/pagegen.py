"""The render stage: every route in every language -> HTML, with what it was made from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from jinja2 import Environment, TemplateError
from markupsafe import Markup

from .deps import Plan, note, recording, route_key
from .errors import ErrorList
from .markdown import render_markdown
from .model import Route, Site, link_target_path
from .pages import ParsedSource
from .parallel import in_workers, worker_count
from .render import Localizer, render_template, template_error
from .status import deadline, milestone_states, period_state
from .translations import outdated_original
from .urls import absolute_url, output_file, relative_from, route_path


@dataclass(frozen=True)
class Output:
    path: str  # site-relative file path: "en/about/index.html"
    # None: the bytes are in a file, not in memory: in the staging folder when `digest` is set (write.Staging),
    # else in the output folder, unchanged since the last build (deps.Plan)
    data: bytes | None
    reads: frozenset[str] = frozenset()  # the input keys it was made from (deps.py)
    digest: str | None = None  # of the bytes, when they were written to the staging folder


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
    lang: str
    path: str
    title: str
    description: str
    html: Markup
    toc: tuple
    source: ParsedSource | None
    borrowed_from: str | None  # the language the body is shown in, when not the reader's
    languages: tuple[LanguageLink, ...]
    canonical: str
    outdated_original: LanguageLink | None = None  # the newer original, when this translation is out of date


def localizer(site: Site, lang: str) -> Localizer:
    config = site.config
    return Localizer(lang, config.default_language, config.language(lang).locale, site.strings)


def page_title(site: Site, route: Route, source: ParsedSource | None, loc: Localizer) -> str:
    if source is not None:
        return source.title
    kind, _, name = route.key.partition("/")
    if kind == "meeting":
        return loc.t("meeting.title", number=site.meeting(name).number)
    return loc.t(f"title.{kind}")


def language_links(site: Site, route: Route, path: str) -> tuple[LanguageLink, ...]:
    codes = site.config.language_codes
    real = route.real_languages(codes)
    link = link_maker(site, path)
    links = []
    for language in site.config.languages:
        target = route_path(route.key, language.code)
        links.append(LanguageLink(language.code, language.name, link(target),
                                  absolute_url(site.config.base_url, target), language.code in real))
    return tuple(links)


def markdown_html(site: Site, source: ParsedSource, lang: str, path: str) -> Markup:
    relative = relative_from(path)
    urls = {link.href: relative(link_target_path(site, source, link, lang)) if link.kind != "anchor"
            else "#" + link.anchor for link in source.markdown.links if link.kind in ("source", "anchor")}
    return Markup(render_markdown(source.markdown, urls))


def page_view(site: Site, route: Route, lang: str) -> PageView:
    loc = localizer(site, lang)
    source = route.version_for(lang, site.config.language_codes)
    path = route_path(route.key, lang)
    html = markdown_html(site, source, lang, path) if source and not route.key.startswith("changes/") else Markup("")
    borrowed = source.file.lang if source is not None and source.file.lang != lang else None
    description = (source.description if source and source.description else "") or loc.plain(site.config.title)
    links = language_links(site, route, path)
    original = outdated_original(route.versions, lang, site.config.default_language)
    outdated = next(link for link in links if link.code == original.file.lang) if original else None
    return PageView(route.key, lang, path, page_title(site, route, source, loc), description, html,
                    source.markdown.toc if source else (), source, borrowed, links,
                    absolute_url(site.config.base_url, path), outdated)


def link_maker(site: Site, path: str) -> Callable[[str], str]:
    """Relative links, except on 404 pages: hosts serve those at any address, so their
    links are absolute from the base URL."""
    if path.endswith("404.html"):
        return lambda target: site.config.base_url + target
    return relative_from(path)


def base_context(site: Site, lang: str, path: str, today: date) -> dict[str, Any]:
    loc = localizer(site, lang)
    link = link_maker(site, path)
    return {
        "site": site,
        "config": site.config,
        "lang": lang,
        "language": site.config.language(lang),
        "today": today,
        "t": loc.t,
        "t_markup": loc.t_markup,
        "text": loc.text,
        "plain": loc.plain,
        "fmt": loc.date,
        "url": lambda key, anchor="": link(route_path(key, lang) + (f"#{anchor}" if anchor else "")),
        "href": link,
        "asset": lambda name: link(f"static/{name}"),
        "period_state": lambda spec: period_state(spec, today),
        "deadline": lambda spec: deadline(spec, today),
        "milestone_states": lambda periods: milestone_states(list(periods), today),
        "site_title": loc.plain(site.config.title),
    }


def render_pages(site: Site, env: Environment, today: date, errors: ErrorList,
                 extra_context: Callable[[Site, Route, str], dict[str, Any]],
                 progress: Callable[[int, int], None] | None = None, plan: Plan | None = None,
                 workers: int = 1, store: Callable[[Output], Output] | None = None,
                 alongside: Callable[[], None] | None = None) -> list[Output]:
    """Render every route in every language; template errors are collected, not raised. With a
    `plan` (incremental build), a page whose inputs did not change is taken from the last build.
    `workers` > 1 (or 0: one per core) renders in forked processes too (parallel.py), same output; this
    process calls `alongside` (the outputs other than pages) while they render, then renders the pages they
    have not taken (with one process: before the pages). `store` takes each page as it is made (in the process
    that made it) and gives what to keep of it: the build writes the bytes to its staging folder there, so
    neither the pipe nor the parent carries them."""
    made: dict[tuple[str, str], Output] = {}  # by (route key, language), put in the usual order at the end
    jobs = []
    for route in site.routes:
        for lang in site.config.language_codes:
            kept = plan.reuse(output_file(route_path(route.key, lang))) if plan is not None else None
            if kept is not None:
                made[route.key, lang] = kept
            else:
                jobs.append((route, lang))
    jobs.sort(key=_longest_first)  # (the pages are put back in route order at the end)

    def render_job(index: int) -> tuple[Output | None, tuple]:
        route, lang = jobs[index]
        output, job_errors = render_page(site, env, today, route, lang, extra_context)
        return (store(output) if store is not None and output is not None else output), job_errors

    processes = worker_count(workers, len(jobs))
    if processes > 1:  # compiled once, here, before the fork: not in every worker
        compile_templates(env)
    report = (lambda done: progress(done, len(jobs))) if progress is not None else None
    with in_workers(render_job, len(jobs), processes, report) as results:
        if alongside is not None:
            alongside()
        for (route, lang), (output, job_errors) in zip(jobs, results):
            errors.extend(job_errors)
            if output is not None:
                made[route.key, lang] = output
    return [made[route.key, lang] for route in site.routes for lang in site.config.language_codes
            if (route.key, lang) in made]


def render_page(site: Site, env: Environment, today: date, route: Route, lang: str,
                extra_context: Callable[[Site, Route, str], dict[str, Any]]) -> tuple[Output | None, tuple]:
    """One route in one language, with what it was made from; or None and the template's errors."""
    job_errors = ErrorList(site.config.root)
    with recording() as reads:  # what the page is made from (deps.py)
        note(route_key(route.key))
        page = page_view(site, route, lang)
        context = base_context(site, lang, page.path, today) | {"page": page} | extra_context(site, route, lang)
        try:
            rendered = render_template(env, route.template, context)
        except TemplateError as exc:
            template_error(exc, site.config.templates_dir, route.template, job_errors)
            return None, tuple(job_errors.errors)
    return Output(output_file(page.path), rendered.text.encode("utf-8"), frozenset(reads)), ()


def _longest_first(job: tuple[Route, str]) -> int:
    """The order pages are handed to workers: first those that are not one Markdown page or one meeting (the
    lists of experts and documents, the drafts and their changes, the section pages), the few that take longest;
    at the end of the queue they would leave one worker rendering them while the others wait."""
    return 1 if job[0].key.partition("/")[0] in ("page", "meeting") else 0


def compile_templates(env: Environment) -> None:
    """Load (compile) every template of the templates folder (but the static files). One that fails is left
    to fail again, and be reported, where a page renders it."""
    templates = lambda name: name.endswith((".html", ".xml")) and not name.startswith("static/")  # noqa: E731
    for name in env.list_templates(filter_func=templates):
        try:
            env.get_template(name)
        except TemplateError:
            pass
