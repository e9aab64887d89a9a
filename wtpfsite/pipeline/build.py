"""Orchestration: config -> sources -> parse -> link -> render -> write, and `check`, which stops before writing.

A build is incremental (`incremental.py`): it parses only the files that changed (`parsecache.py`) and makes
only the pages whose declared inputs changed; its output is byte-identical to a clean build's. Watch mode keeps
the caches in memory between its builds (`Caches`); the command line reads and saves them in the cache folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable

from jinja2 import Environment

from ..base.errors import ContentErrors, ErrorList, SiteError
from ..base.urls import output_file
from ..content.config import SiteConfig, load_config, normalize_base_url
from ..content.data import load_data
from ..content.datafile import DataFile
from ..content.parse import parse_source
from ..content.records import DATA_FILES
from ..content.sources import discover_sources
from ..content.strings import load_strings
from ..publish.linkcheck import check_output_links
from ..publish.search import UI_FILES, index_site
from ..publish.write import WriteResult, write_outputs
from ..render.environment import make_environment
from ..render.extras import extra_outputs
from ..render.pages import COMMON_STRINGS, Output, render_page
from ..render.sections import SECTIONS
from ..site.model import Site, link_site
from ..site.section import Section
from .incremental import BuildRecord, Inputs, Made, Plan, digest, read_record, write_record
from .parsecache import ParseCache, read_parse_cache, write_parse_cache

Progress = Callable[[int, int], None]
CACHE_FOLDER = ".wtpfsite-cache"


@dataclass(frozen=True)
class BuildOptions:
    config_path: Path
    today: date
    output_dir: Path | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[str, ...]  # every file of the site, but the search index
    pages_per_language: dict[str, int]
    seconds: float
    written: WriteResult | None = None
    rendered: int = 0  # outputs made by this build
    reused: int = 0  # pages taken unchanged from the last build
    rendered_paths: tuple[str, ...] = ()
    cache_notice: str | None = None  # why the parse cache was not used, if it was not


@dataclass
class Caches:
    """What one build leaves the next: watch mode keeps it in memory between rebuilds."""

    parses: ParseCache = field(default_factory=ParseCache)
    record: BuildRecord | None = None


@dataclass(frozen=True)
class Loaded:
    site: Site
    files: dict[Path, str]  # the digest of every source, data file and the string catalog
    config_bytes: bytes


def cache_folder(options: BuildOptions) -> Path:
    return options.config_path.resolve().parent / CACHE_FOLDER


def read_caches(options: BuildOptions) -> Caches:
    """The caches the last build left in the cache folder."""
    folder = cache_folder(options)
    return Caches(read_parse_cache(folder), read_record(folder))


def load_site(options: BuildOptions, tolerate: Callable[[Site, SiteError], bool] | None = None,
              parses: ParseCache | None = None, sections: tuple[Section, ...] = SECTIONS,
              schemas: tuple[DataFile, ...] = DATA_FILES) -> Loaded:
    """Every stage up to and including link; raises ContentErrors with all problems found (but those `tolerate`
    accepts: new-draft lets the data name the draft it is about to create). With `parses`, files parsed before
    are not parsed again. `sections` and `schemas`: the kinds of page and of data file (the site's own)."""
    errors = ErrorList(options.config_path.resolve().parent)
    config = load_config(options.config_path, errors)
    errors.raise_if_any()
    config = _apply_overrides(config, options)
    codes = config.language_codes
    sources = discover_sources(config.content_dir, config.templates_dir, codes, errors, schemas)
    files: dict[Path, str] = {}
    parsed = []
    for file in sources.markdown:
        try:
            data = file.path.read_bytes()
        except OSError:  # parse_source reports it
            parsed.append(parse_source(file, codes, config.allow_raw_html_in_drafts, errors))
            continue
        files[file.path] = digest(data)
        parse = parses.parse if parses is not None else ParseCache().parse
        parsed.append(parse(file, data, files[file.path], codes, config.allow_raw_html_in_drafts, errors))
    for path in (*(path for _, path in sources.data), sources.strings):
        try:
            files[path] = digest(path.read_bytes())
        except OSError:  # reported where it is read
            files[path] = "unreadable"
    strings = load_strings(sources.strings, codes, errors)
    data = load_data(sources.data, codes, errors, schemas)
    site = link_site(config, strings, data, tuple(p for p in parsed if p is not None), sections, errors)
    if tolerate is not None:
        errors.errors = [error for error in errors.errors if not tolerate(site, error)]
    errors.raise_if_any()
    return Loaded(site, files, config.path.read_bytes())


def _apply_overrides(config: SiteConfig, options: BuildOptions) -> SiteConfig:
    changes = {}
    if options.output_dir is not None:
        changes["output_dir"] = options.output_dir.resolve()
    if options.base_url is not None:
        changes["base_url"] = normalize_base_url(options.base_url)
    return replace(config, **changes) if changes else config


def render_site(site: Site, env: Environment, today: date, plan: Plan | None = None,
                progress: Progress | None = None) -> list[Made]:
    """Every output of the site, in path order; raises ContentErrors for template errors. With a `plan`, pages
    whose inputs did not change are kept from the last build (their data is None)."""
    errors = ErrorList(site.config.root)
    jobs = [(route, lang) for route in site.routes for lang in site.config.language_codes]
    made: list[Made] = []
    for done, (route, lang) in enumerate(jobs, 1):
        path = output_file(site.path(route.key, lang))
        inputs = plan.inputs.page(route, lang, COMMON_STRINGS) if plan is not None else None
        kept = plan.reusable(path, inputs) if plan is not None else None
        if kept is not None:
            made.append(kept)
        else:
            result = render_page(site, env, today, route, lang)
            if isinstance(result, Output):
                made.append(Made(result.path, result.data, result.templates, inputs))
            else:
                errors.extend([result])
        if progress is not None:
            progress(done, len(jobs))
    made += [Made(output.path, output.data) for output in extra_outputs(site, env, today, errors)]
    errors.raise_if_any()
    return sorted(made, key=lambda m: m.path)


def build(options: BuildOptions, progress: Progress | None = None, incremental: bool = True,
          caches: Caches | None = None) -> BuildResult:
    """Build and write the site. With `caches` (watch mode), the caches come from memory and go back there;
    else from the cache folder, unless `incremental` is False (everything made again)."""
    started = time.perf_counter()
    folder = cache_folder(options)
    notice = None
    if caches is None:
        caches = read_caches(options) if incremental else Caches(ParseCache(), read_record(folder))
        notice = caches.parses.notice
    loaded = load_site(options, parses=caches.parses)
    site = loaded.site
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    env = make_environment(site.config.templates_dir, folder / "templates")
    plan = Plan(caches.record if incremental else None, Inputs(site, loaded.files, options.today),
                loaded.config_bytes, site.config.output_dir, site.config.templates_dir)
    made = render_site(site, env, options.today, plan, progress)
    before_swap = None
    if site.config.search:
        kept = plan.generated_unchanged(made, ".html")
        if kept is None:
            before_swap = lambda staging: index_site(site.config, staging)  # noqa: E731
        else:
            made += [Made(path, None) for path in kept]
    last = caches.record
    previous = frozenset(last.files) if last is not None and last.output_dir == str(site.config.output_dir) \
        else frozenset()
    written = write_outputs([(m.path, m.data) for m in made], site.config.output_dir, previous, before_swap)
    caches.record = plan.record(made, written.generated)
    write_record(folder, caches.record)
    write_parse_cache(folder, caches.parses)
    caches.parses = caches.parses.next()
    rendered = tuple(m.path for m in made if m.data is not None)
    pages = _count_pages(site, [m.path for m in made])
    return BuildResult(tuple(m.path for m in made), pages, time.perf_counter() - started, written, len(rendered),
                       sum(1 for m in made if m.data is None and m.inputs is not None), rendered, notice)


def check(options: BuildOptions) -> BuildResult:
    """Validate and render everything in memory; writes nothing."""
    started = time.perf_counter()
    site = load_site(options).site
    made = render_site(site, make_environment(site.config.templates_dir), options.today)
    files = {m.path: m.data for m in made}
    if site.config.search:  # the search bundle is made when the site is written
        files |= {path: b"" for path in UI_FILES}
    problems = check_output_links(files)
    if problems:
        raise ContentErrors(problems)
    return BuildResult(tuple(files), _count_pages(site, list(files)), time.perf_counter() - started)


def _count_pages(site: Site, paths: list[str]) -> dict[str, int]:
    return {code: sum(1 for p in paths if p.startswith(code + "/") and p.endswith(".html"))
            for code in site.config.language_codes}
