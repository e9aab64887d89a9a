"""Orchestration: config -> sources -> parse -> link -> render -> write, and `check`, which stops before writing.

A build is incremental (`incremental.py`): it parses only the files that changed (`parsecache.py`) and makes
only the pages whose declared inputs changed; its output is byte-identical to a clean build's. Watch mode keeps
the caches in memory between its builds (`Caches`); the command line reads and saves them in the cache folder.
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from jinja2 import Environment

from ..base.errors import ContentErrors, ErrorList, SiteError, UsageError
from ..base.schema import DataFile
from ..base.urls import output_file
from ..content.config import SiteConfig, load_config, normalize_base_url, read_config
from ..content.data import load_data, read_data_file
from ..content.fastmd import parse_fast
from ..content.markdown import ParsedMarkdown, parse_markdown
from ..content.parse import parse_source
from ..content.records import DATA_FILES
from ..content.sources import SourceFile, discover_sources
from ..content.strings import load_strings
from ..publish.linkcheck import check_output_links
from ..publish.search import UI_FILES, index_site, reindex
from ..publish.update import update_in_place
from ..publish.write import Staging, WriteResult, output_folder_problem
from ..render.environment import compile_templates, make_environment
from ..render.extras import OTHER_OUTPUTS
from ..render.pages import Output, render_page
from ..render.sections import SECTIONS
from ..site.aliases import redirects
from ..site.schedule import drafts_missing_from_timetable
from ..site.model import Site, link_site
from ..site.routes import Route, Section
from .parallel import in_processes
from .incremental import BuildRecord, Inputs, Made, Plan, digest, read_record, with_index, write_record
from .parsecache import ParseCache, read_parse_cache, write_parse_cache
from .published import published_check, write_published

T = TypeVar("T")
Progress = Callable[[int, int], None]
Stage = Callable[[str], None]  # told the name of each stage of a build as it starts (progress on a terminal)
Run = Callable[[Callable[[int], T], int], Iterable[T]]  # run(job, count): job(0), ..., job(count - 1)
Write = Callable[[str, bytes], None]  # write(path, data): one output, as it is made


def one_by_one(job: Callable[[int], T], count: int) -> Iterable[T]:
    return (job(index) for index in range(count))


CACHE_FOLDER = ".wtpfsite-cache"


@dataclass(frozen=True)
class BuildOptions:
    config_path: Path
    today: date  # --today; or, when `today_given` is False, the day to use if the config sets no content_date
    output_dir: Path | None = None
    base_url: str | None = None
    today_given: bool = True

    def day(self, config: SiteConfig) -> date:
        """The day statuses are computed for: --today, else the config's content_date, else `today`."""
        if self.today_given or config.content_date is None:
            return self.today
        return config.content_date


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[str, ...]  # every file of the site, but the search index
    pages_per_language: dict[str, int]
    seconds: float
    written: WriteResult | None = None
    rendered: int = 0  # outputs made by this build
    reused: int = 0  # outputs kept unchanged from the last build
    rendered_paths: tuple[str, ...] = ()
    cache_notice: str | None = None  # why the parse cache was not used, if it was not
    index_pending: bool = False  # the search index is the last build's, to be made again (`make_index`)
    lost: tuple[SiteError, ...] = ()  # URLs the last build published that this one no longer serves (published.py)


@dataclass(frozen=True)
class FastPaths:
    """The ways a build goes faster, each in a module of its own that the core runs without (benchmarks/README.md
    has what each gains): `run` parses and renders on every core, `markdown` parses most documents in Rust, and
    `update` replaces only the files that changed in the output folder. `CORE` is the build without them."""

    run: Run = in_processes
    markdown: Callable[[str, int, bool], ParsedMarkdown] = parse_fast
    update: Callable[..., WriteResult | None] | None = update_in_place


@dataclass
class Caches:
    """What one build leaves the next: watch mode keeps it in memory between rebuilds."""

    parses: ParseCache = field(default_factory=ParseCache)
    record: BuildRecord | None = None


@dataclass(frozen=True)
class Loaded:
    site: Site
    files: dict[Path, str]  # the digest of every source, data file, the string catalog and the config


def cache_folder(options: BuildOptions) -> Path:
    return options.config_path.resolve().parent / CACHE_FOLDER


def read_caches(options: BuildOptions) -> Caches:
    """The caches the last build left in the cache folder."""
    folder = cache_folder(options)
    return Caches(read_parse_cache(folder), read_record(folder))


def load_site(options: BuildOptions, tolerate: Callable[[Site, SiteError], bool] | None = None,
              parses: ParseCache | None = None, sections: tuple[Section, ...] = SECTIONS,
              schemas: tuple[DataFile, ...] = DATA_FILES, run: Run = one_by_one,
              markdown: Callable[[str, int, bool], ParsedMarkdown] = parse_markdown) -> Loaded:
    """Every stage up to and including link; raises ContentErrors with all problems found (but those `tolerate`
    accepts: new-draft lets the data name the draft it is about to create). With `parses`, files parsed before
    are not parsed again. `sections` and `schemas`: the kinds of page and of data file (the site's own). `run`:
    how the data files, strings and Markdown are read, one by one or (parallel.in_processes) on every core;
    `markdown`: what parses the Markdown (content.fastmd.parse_fast, or the reference)."""
    config = read_config(options.config_path)
    if options.output_dir is not None:
        config = replace(config, output_dir=options.output_dir.resolve())
    if options.base_url is not None:
        config = replace(config, base_url=normalize_base_url(options.base_url))
    errors = ErrorList(config.root)
    codes, allow_html = config.language_codes, config.allow_raw_html_in_drafts
    sources = discover_sources(config.content_dir, config.templates_dir, codes, errors, schemas)
    parses = parses if parses is not None else ParseCache()
    schema_at = {path: schema for schema in schemas for name, path in sources.data if name == schema.name}
    files: dict[Path, str] = {config.path: digest(config.path.read_bytes())}
    parsed: dict[Path, Any] = {}  # each data file's records and header, the strings, each Markdown source's parse
    jobs: list[tuple[SourceFile | Path, Path, bytes]] = []  # the files the parse cache does not hold: their bytes

    def parse(source: SourceFile | Path, found: ErrorList, data: bytes | None) -> Any:
        if isinstance(source, SourceFile):
            return parse_source(source, codes, allow_html, found, data, markdown)
        if source == sources.strings:
            return load_strings(source, codes, found)
        return read_data_file(schema_at[source], source, codes, found, data)

    def plan(source: SourceFile | Path, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError:  # the parse reports it
            files[path], parsed[path] = "unreadable", parse(source, errors, None)
            return
        files[path] = digest(data)
        parsed[path] = parses.cached(source, files[path], codes, allow_html)
        if parsed[path] is None:
            jobs.append((source, path, data))

    for path in (*(path for _, path in sources.data), sources.strings):
        plan(path, path)
    jobs.sort(key=lambda job: -len(job[2]))  # the longest YAML file first, the sources after: the workers end together
    for file in sources.markdown:
        plan(file, file.path)

    def job(index: int) -> tuple[Any, tuple[SiteError, ...]]:
        source, _, data = jobs[index]
        found = ErrorList(errors.root)
        return parse(source, found, data), tuple(found.errors)

    with closing(run(job, len(jobs))) as parsing:
        for (source, path, _), (result, found) in zip(jobs, parsing):
            parsed[path] = result
            errors.extend(found)
            if result is not None and not found:  # only a parse with nothing to report is kept
                parses.keep(source, files[path], codes, allow_html, result)
    data = load_data(sources.data, codes, errors, schemas, lambda schema, path, *_: parsed[path])
    markdown_sources = tuple(parsed[file.path] for file in sources.markdown if parsed[file.path] is not None)
    # a source no version of which could be read is as one that does not parse: what names it waits for it
    read = {source.file.key for source in markdown_sources}
    failed = [file for file in sources.markdown if parsed[file.path] is None and file.key not in read]
    unread = {file.key: file.path for file in reversed(failed)}  # (named by its first version, the default's)
    shown = {errors.display_path(file.path) for file in failed}
    errors.errors = [replace(error, syntax=True) if error.path in shown else error for error in errors.errors]
    site = link_site(config, parsed[sources.strings], data, markdown_sources, sections, errors, unread)
    if not errors:  # (a site that links: the timetable holds the released drafts' dates, as every page shows them)
        errors.extend(drafts_missing_from_timetable(site))
    if tolerate is not None:
        errors.errors = [error for error in errors.errors if not tolerate(site, error)]
    errors.raise_if_any()
    return Loaded(site, files)


def render_site(site: Site, env: Environment, today: date, plan: Plan | None = None,
                progress: Progress | None = None, run: Run = one_by_one, write: Write | None = None) -> list[Made]:
    """Every output of the site, in path order; raises ContentErrors for template errors. With a `plan`, pages
    and groups of other outputs whose inputs did not change are kept from the last build (their digest is None).
    `run`: how the pages are rendered, one by one or (parallel.in_processes) on every core. With `write` (a build:
    write.Staging.put), each output is written where it is made and only its digest kept, not its bytes."""
    errors = ErrorList(site.config.root)
    made: list[Made] = []
    todo: list[tuple[Route, str, str | None]] = []
    for route in site.routes:
        for lang in site.config.language_codes:
            path = output_file(site.path(route.key, lang))
            inputs = plan.inputs.page(route, lang) if plan is not None else None
            kept = plan.kept(path, inputs) if plan is not None else None
            made += kept or []
            if kept is None:
                todo.append((route, lang, inputs))

    def render(job: int) -> Made | SiteError:
        route, lang, inputs = todo[job]
        result = render_page(site, env, today, route, lang)
        return _made(result, result.path, inputs, write) if isinstance(result, Output) else result

    compile_templates(env)
    with closing(run(render, len(todo))) as rendering:  # (in worker processes, the other outputs are made meanwhile)
        for group in OTHER_OUTPUTS:  # (kept from the last build, with a `plan`, when they can be)
            unit = f"group:{group.name}"
            inputs = plan.inputs.group(group) if plan is not None else None
            kept = plan.kept(unit, inputs) if plan is not None else None
            made += kept if kept is not None else [_made(output, unit, inputs, write)
                                                   for output in group.make(site.narrowed(group), env, today, errors)]
        for done, result in enumerate(rendering, 1):
            if isinstance(result, Made):
                made.append(result)
            else:
                errors.extend([result])
            if progress is not None:
                progress(done, len(todo))
    errors.raise_if_any()
    return sorted(made, key=lambda m: m.path)


def _made(output: Output, unit: str, inputs: str | None, write: Write | None) -> Made:
    """An output just made (a page: in a worker process), written at once with `write` (then its bytes dropped)."""
    if write is not None:
        write(output.path, output.data)
    return Made(output.path, output.data if write is None else None, unit, inputs, output.templates,
                digest(output.data))


def build(options: BuildOptions, progress: Progress | None = None, incremental: bool = True,
          caches: Caches | None = None, later: bool = False, fast: FastPaths = FastPaths(),
          stage: Stage | None = None) -> BuildResult:
    """Build and write the site (`fast`: with the fast paths, or CORE). With `caches` (watch mode, a preview), the
    caches come from memory and go back there, and the URLs served are not recorded as published; else from the
    cache folder, unless `incremental` is False (everything made again). `later`: leave to `finish` what a reader
    of the pages does not wait for: the search index, when it has to be made again (the last one stays meanwhile;
    `BuildResult.index_pending`), and saving the parse cache. Watch mode shows the new pages first and calls
    `finish` after. `stage` is told each stage as it starts."""
    started = time.perf_counter()
    say = stage or (lambda name: None)
    folder = cache_folder(options)
    notice, preview = None, caches is not None
    if caches is None:
        caches = read_caches(options) if incremental else Caches(ParseCache(), read_record(folder))
        notice = caches.parses.notice
    say("reading and checking the content")
    loaded = load_site(options, parses=caches.parses, run=fast.run, markdown=fast.markdown)
    site = loaded.site
    check_output_folder(site.config)
    published, lost = published_check(site, folder)
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    env = make_environment(site.config.templates_dir, folder / "templates")
    today = options.day(site.config)
    plan = Plan(caches.record if incremental else None, Inputs(site, loaded.files, today))
    say("rendering the pages")
    try:
        staging = Staging(site.config.output_dir)  # (the pages are written there as they come)
    except OSError as exc:  # (a parent that is a file, or a folder this user may not write in)
        raise UsageError(f"cannot write into {site.config.output_dir}: {exc.strerror or exc}") from None
    try:
        made = render_site(site, env, today, plan, progress, fast.run, staging.put)
        written, pending = _publish(site, made, plan, caches.record, staging, later, fast, say)
    except BaseException:
        staging.discard()
        raise
    caches.record = plan.record(made, written.generated, index_current=not pending)
    write_record(folder, caches.record)
    if not preview:  # (a page tried in the preview for a minute was never published)
        write_published(folder, published)
    if not later:
        write_parse_cache(folder, caches.parses)
        caches.parses = caches.parses.next()
    paths, rendered = tuple(m.path for m in made), tuple(m.path for m in made if m.digest is not None)
    return BuildResult(paths, _count_pages(site, paths), time.perf_counter() - started, written, len(rendered),
                       len(paths) - len(rendered), rendered, notice, pending, tuple(lost))


def check_output_folder(config: SiteConfig) -> None:
    """Raises UsageError when a build must not replace the config's output folder (publish.write)."""
    sources = {"the config file": config.path, "the content folder": config.content_dir,
               "the templates folder": config.templates_dir, "the build cache": config.root / CACHE_FOLDER}
    problem = output_folder_problem(config.output_dir, sources)
    if problem is not None:
        raise UsageError(f"refusing to build into {config.output_dir}: {problem}; build into an empty folder or one "
                         f"an earlier build made (--out DIR, or output_dir in site_config.yaml)")


def _publish(site: Site, made: list[Made], plan: Plan, last: BuildRecord | None, staging: Staging, later: bool,
             fast: FastPaths, say: Stage) -> tuple[WriteResult, bool]:
    """The staged outputs put in place, in place (`fast.update`) or by the swap, with the search index (the last
    one, when its pages did not change or, with `later`, to be made again after: then pending)."""
    before_swap, index, pending = None, (), False
    if site.config.search:
        files, current = plan.last_index(made) or (None, False)
        if files is not None and (current or later):
            index, pending = files, not current
        else:
            before_swap = lambda staging: index_site(site.config, staging)  # noqa: E731
    previous = frozenset(last.files) if last is not None and last.output_dir == str(site.config.output_dir) \
        else frozenset()
    say("writing the output folder" + (" and making the search index" if before_swap is not None else ""))
    paths, kept = [m.path for m in made], [m.path for m in made if m.digest is None]
    written = fast.update(staging, paths, [m.path for m in made if m.digest is not None], previous, index) \
        if fast.update is not None and plan.last is not None and before_swap is None else None
    if written is None:
        for path in kept + list(index):
            staging.put(path, None)
        written = staging.publish(paths + list(index), previous, before_swap)
        written = written if before_swap is not None else replace(written, generated=index)
    return written, pending


def finish(options: BuildOptions, caches: Caches, result: BuildResult) -> None:
    """What a build with `later` left: the parse cache saved and, when it is pending, the search index made
    again and recorded. ContentErrors when the index cannot be made (the last one then stays)."""
    folder = cache_folder(options)
    write_parse_cache(folder, caches.parses)
    caches.parses = caches.parses.next()
    if result.index_pending:
        config = load_config(options.config_path, ErrorList(options.config_path.resolve().parent))
        output_dir = Path(caches.record.output_dir)
        caches.record = with_index(caches.record, output_dir, reindex(config, output_dir))
        write_record(folder, caches.record)


def check(options: BuildOptions, fast: FastPaths = FastPaths()) -> BuildResult:
    """Validate and render everything in memory; writes nothing."""
    started = time.perf_counter()
    site = load_site(options, run=fast.run, markdown=fast.markdown).site
    made = render_site(site, make_environment(site.config.templates_dir), options.day(site.config), run=fast.run)
    files = {m.path: m.data for m in made}
    if site.config.search:  # the search bundle is made when the site is written
        files |= {path: b"" for path in UI_FILES}
    problems = check_output_links(files)
    if problems:
        raise ContentErrors(problems)
    _, lost = published_check(site, cache_folder(options))
    return BuildResult(tuple(files), _count_pages(site, tuple(files)), time.perf_counter() - started,
                       lost=tuple(lost))


def _count_pages(site: Site, paths: tuple[str, ...]) -> dict[str, int]:
    """The pages of each language tree (the redirects of moved pages are none)."""
    moved = {output_file(move.path) for move in redirects(site)}
    return {code: sum(1 for p in paths if p.startswith(code + "/") and p.endswith(".html") and p not in moved)
            for code in site.config.language_codes}


CORE = FastPaths(one_by_one, parse_markdown, None)
