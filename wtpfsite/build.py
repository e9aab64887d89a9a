"""Orchestration: config -> sources -> parse -> link -> render -> write. Nothing else.

The stages are imported where they are used: a build with nothing changed since the last one (stamp.py) returns
before it needs any of them, and importing them (Jinja, markdown-it, Babel, ...) would be most of its time.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from jinja2 import Environment

    from .config import SiteConfig
    from .deps import FileHashes, Plan
    from .errors import ErrorList, SiteError
    from .model import Site
    from .pagegen import Output
    from .parsecache import ParseCache
    from .session import Afterwards, Kept, Session
    from .stamp import Before
    from .write import Staging, WriteResult

Progress = Callable[[int, int], None]
MANIFEST = "manifest.json"  # in the cache folder: the files the last build left in the output folder


@dataclass(frozen=True)
class BuildOptions:
    config_path: Path
    today: date
    output_dir: Path | None = None
    base_url: str | None = None
    workers: int = 1  # processes that parse and render, this one included; 0 = one per core (parallel.py)


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Output, ...]  # every output (but after a quick rebuild, quick.py: the outputs it made again)
    pages_per_language: dict[str, int]
    seconds: float
    written: WriteResult | None = None
    rendered: int = 0  # outputs made by this build
    reused: int = 0  # outputs taken unchanged from the last build (incremental builds)
    rendered_paths: tuple[str, ...] = ()
    cache_notice: str | None = None  # why the build cache was discarded, if it was
    unchanged: bool = False  # nothing changed since the last build (stamp.py): nothing loaded, `outputs` empty
    afterwards: Afterwards | None = None  # what a watch-mode build left to do after the reload (session.py)
    quick: bool = False  # made by the watch mode's quick rebuild (quick.py)


def load_site(options: BuildOptions, tolerate: Callable[[Site, SiteError], bool] | None = None,
              parse_cache: ParseCache | None = None, meanwhile: Callable[[], None] | None = None) -> Site:
    """Every stage up to and including link; raises ContentErrors with all problems found
    (but those `tolerate` accepts: new-draft lets the data name the draft it is about to create).
    With a `parse_cache` (incremental builds), unchanged files are not parsed again. `meanwhile` is called
    while worker processes parse the Markdown, when they do (the build compiles the templates then)."""
    from .heap import cycle_collector_paused

    with cycle_collector_paused(keep=True):  # what it makes lives as long as the build, in no cycle (heap.py)
        return _load_site(options, tolerate, parse_cache, meanwhile)


def _load_site(options: BuildOptions, tolerate: Callable[[Site, SiteError], bool] | None,
               parse_cache: ParseCache | None, meanwhile: Callable[[], None] | None) -> Site:
    from .config import load_config
    from .data import load_data
    from .errors import ErrorList
    from .model import link_site
    from .pages import parse_source
    from .sources import discover_sources
    from .strings import load_strings

    errors = ErrorList(options.config_path.resolve().parent)
    config = load_config(options.config_path, errors)
    errors.raise_if_any()
    config = _apply_overrides(config, options)
    codes = config.language_codes
    sources = discover_sources(config.content_dir, config.templates_dir, codes, errors)
    parse = parse_cache.parse_source if parse_cache is not None else parse_source
    with _parsing(sources.markdown, parse, codes, config.allow_raw_html_in_drafts, errors, options.workers,
                  parse_cache) as parses:  # the Markdown in worker processes, the rest here meanwhile
        strings = (parse_cache.load_strings if parse_cache is not None else load_strings)(sources.strings, codes,
                                                                                          errors)
        data = (parse_cache.load_data if parse_cache is not None else load_data)(sources.data, codes, errors)
        if meanwhile is not None and parses.in_workers:
            meanwhile()
        parsed = parses()
    site = link_site(config, strings, data, tuple(p for p in parsed if p is not None), errors)
    if tolerate is not None:
        errors.errors = [error for error in errors.errors if not tolerate(site, error)]
    errors.raise_if_any()
    return site


@dataclass(frozen=True)
class _Parses:
    """What `_parsing` gives its block: call it for the parses."""
    collect: Callable[[], list]
    in_workers: bool  # whether worker processes parse them (meanwhile this one is free)

    def __call__(self) -> list:
        return self.collect()


@contextmanager
def _parsing(files, parse, codes, allow_html: bool, errors: ErrorList, workers: int,
             parse_cache: ParseCache | None) -> Iterator[_Parses]:
    """Parse every Markdown source: the block is given a function that returns the parses, in order. The files
    the parse cache does not hold are parsed by forked worker processes and this one when there are enough of
    them (parallel.py), with the same result; the workers start at once, so the block can read the data files
    while they parse (the function's `in_workers` says whether they do), and this process parses what they have
    not taken when the function is called."""
    from .deps import HashedRead, read_hashed
    from .errors import ErrorList
    from .pages import ParsedSource, parse_source
    from .parallel import in_workers, worker_count

    hashes = parse_cache.files if parse_cache is not None else None  # (deferred ones: hashed by the workers)
    todo = [f for f in files if parse_cache is None or not parse_cache.holds(f, codes, allow_html)]
    processes = worker_count(workers, len(todo))
    if processes <= 1:
        yield _Parses(lambda: [parse(f, codes, allow_html, errors) for f in files], False)
        return

    def _sent(parsed: ParsedSource | None) -> tuple | None:
        return parsed.fields_but_file() if parsed is not None else None

    def job(index: int):
        """A parse (its fields but the file, which the build has: less to pickle and unpickle), its errors and,
        when the file is yet to be hashed, the read it was made from (its hash and signature) for
        `FileHashes.take`."""
        mine = ErrorList(errors.root)
        file = todo[index]
        if hashes is None or not hashes.deferred(file.path):
            return _sent(parse_source(file, codes, allow_html, mine)), tuple(mine.errors), None
        read = read_hashed(file.path)
        parsed = parse_source(file, codes, allow_html, mine, read.data)
        return _sent(parsed), tuple(mine.errors), (read.hash, read.signature)

    from . import fastmd  # noqa: F401 (imported once, before the fork, not in every worker)

    with in_workers(job, len(todo), processes) as made:
        def collect() -> list:
            done = dict(zip(todo, made))
            results = []
            for f in files:
                if f in done:
                    sent, found, read = done[f]
                    parsed = ParsedSource(f, *sent) if sent is not None else None
                    if read is not None:
                        hashes.take(HashedRead(os.fspath(f.path), None, *read))
                    errors.extend(found)
                    if parse_cache is not None:
                        parse_cache.add(f, codes, allow_html, parsed, not found)
                    results.append(parsed)
                else:
                    results.append(parse(f, codes, allow_html, errors))
            return results

        yield _Parses(collect, True)


def _apply_overrides(config: SiteConfig, options: BuildOptions) -> SiteConfig:
    from .config import normalize_base_url

    changes = {}
    if options.output_dir is not None:
        changes["output_dir"] = options.output_dir.resolve()
    if options.base_url is not None:
        changes["base_url"] = normalize_base_url(options.base_url)
    return replace(config, **changes) if changes else config


def render_site(site: Site, today: date, progress: Progress | None = None,
                plan: Plan | None = None, workers: int = 1, staging: Staging | None = None,
                env: Environment | None = None, meanwhile: Callable[[], None] | None = None) -> tuple[Output, ...]:
    """Every output file of the site; raises ContentErrors for template errors. With a `plan`
    (incremental build), outputs whose inputs did not change are taken from the last build;
    outputs other than pages are made (or kept) in named groups. With `staging`, each output made is
    written there as soon as it is made, and kept only as its path and digest. `env`: the templates
    (else loaded here: `environment`). `meanwhile` is called after the outputs other than pages, while
    worker processes render the pages (when they do)."""
    from .errors import ErrorList
    from .pagegen import render_pages
    from .sections import extra_context

    errors = ErrorList(site.config.root)
    env = env if env is not None else environment(site.config, plan is not None)
    store = partial(_store, staging) if staging is not None else None
    group = plan.group if plan is not None else (lambda name, make: make())
    others: list[Output] = []

    def other_outputs() -> None:  # made here while worker processes render the pages
        for name, make in other_groups(site, env, today, errors):
            made = group(name, make)
            others.extend(map(store, made) if store is not None else made)
        if meanwhile is not None:
            meanwhile()

    pages = render_pages(site, env, today, errors, lambda s, r, lang: extra_context(s, r, lang, today), progress,
                         plan, workers, store, alongside=other_outputs)
    errors.raise_if_any()
    return tuple(sorted(pages + others, key=lambda o: o.path))


def environment(config: SiteConfig, cached: bool) -> Environment:
    """The templates; a build keeps them compiled in its cache folder (checked by source checksum) when `cached`:
    `check` writes nothing."""
    from .render import make_environment

    return make_environment(config.templates_dir, config.cache_dir if cached else None)


def other_groups(site: Site, env: Environment, today: date, errors: ErrorList) \
        -> tuple[tuple[str, Callable[[], list[Output]]], ...]:
    """The outputs other than pages, in named groups (deps.Plan.group): each made whole, or kept whole."""
    from .extras import extra_outputs
    from .translations import translation_pages

    return (("extras", lambda: extra_outputs(site, env, today, errors)),
            ("translations", lambda: translation_pages(site, env, today, errors)))


def _store(staging: Staging, output: Output) -> Output:
    """The output written to the staging folder, kept as its path and digest only."""
    from .deps import digest

    if output.data is None:  # taken from the last build: already in the output folder
        return output
    staging.put(output.path, output.data)
    return replace(output, data=None, digest=digest(output.data))


def build(options: BuildOptions, progress: Progress | None = None, incremental: bool = True,
          session: Session | None = None, changed: frozenset[Path] = frozenset(),
          use_stamp: bool = True) -> BuildResult:
    """Build and write the site. Incremental (the default): only outputs whose inputs changed since
    the last build are made again (deps.py), and when nothing changed at all the build stamp says so
    before anything is loaded (stamp.py); the output is byte-identical to a clean build's.
    With a `session` (watch mode, session.py) the caches come from memory, and saving them (with the search index,
    when the last one was left in place) is left in `afterwards`, to run once the browsers have reloaded; the
    output is a clean build's once it has run. `changed`: the files the watcher saw change since the last build
    of the session; when they are Markdown sources that change none of the site's routes, the build starts
    from the model the last one kept (quick.py). `use_stamp=False`: no answer from the build stamp, a build that
    loads the site (and keeps its model, with a session) even when nothing changed."""
    started, started_ns = time.perf_counter(), time.time_ns()
    if session is not None and incremental and changed:
        from .quick import quick_build

        result = quick_build(options, session, changed, started)
        if result is not None:
            return result
    if incremental and use_stamp:
        from .stamp import check as check_stamp

        unchanged = check_stamp(options)
        if unchanged is not None:
            return unchanged_result(unchanged.output_dir, unchanged.pages_per_language, unchanged.files, started)
    return _build(options, progress, incremental, started, started_ns, session if incremental else None)


def unchanged_result(output_dir: Path, pages: dict[str, int], files: int, started: float) -> BuildResult:
    """The build when nothing changed since the last one (the stamp says so, or the build daemon knows it), which
    reported `pages` and `files`."""
    from .write import WriteResult, clean_stale

    clean_stale(output_dir)  # what an interrupted run left beside output/ goes all the same
    return BuildResult((), pages, time.perf_counter() - started, WriteResult(0, ()), reused=files, unchanged=True)


IN_PLACE_SHARE = 4  # at most one output in this many changed: replaced in place, not staged


def _update_in_place(plan: Plan, outputs: tuple[Output, ...], config: SiteConfig, previous: frozenset[str],
                     stale: frozenset[str] | None, staging: Staging) -> WriteResult | None:
    """A rebuild that changed few outputs and needs no new search index (or keeps the `stale` one for now)
    replaces just those files in the output folder (write.update_in_place); None when it should stage the
    whole site instead."""
    from .write import update_in_place

    changed = sum(1 for o in outputs if o.path not in plan.reused)
    kept = stale if stale is not None else plan.search_kept(outputs) if config.search else frozenset()
    if kept is None or changed * IN_PLACE_SHARE > len(outputs):
        return None
    return update_in_place([(o.path, o.data) for o in outputs], config.output_dir, previous,
                           frozenset(plan.reused), kept, staging)


def _build(options: BuildOptions, progress: Progress | None, incremental: bool, started: float,
           started_ns: int, session: Session | None) -> BuildResult:
    from . import stamp
    from .deps import FileHashes, Inputs, Plan, load_cache
    from .parsecache import write as write_parses
    from .parsecache import ParseCache
    from .quick import Warm
    from .session import Afterwards, Kept, PendingIndex
    from .write import Staging, WriteResult, clean_stale, write_outputs

    if session is not None:
        session.forget_warm()  # the model kept for quick rebuilds is the one of the last build that succeeded
    files = FileHashes.before_load(options.config_path)  # before anything is read: see deps.py
    before = stamp.before_build(started_ns, files.config)  # the same, for the stamp
    kept = session.kept(files.config.cache_dir) if session is not None and files.config is not None else None
    parsed = (ParseCache(files.config.cache_dir, files, incremental, kept.parsed if kept is not None else None)
              if files.config is not None else None)
    # the templates, compiled while the workers parse (kept for quick rebuilds); from the config read before the
    # load, made again should the one the site was loaded with name other folders (it changed meanwhile). Jinja
    # is imported only then: the workers need none of it, and start sooner.
    compiled: list[Environment] = []

    def compile_meanwhile() -> None:
        from .pagegen import compile_templates

        compiled.append(environment(files.config, True))
        compile_templates(compiled[0])

    site = load_site(options, parse_cache=parsed, meanwhile=compile_meanwhile if files.config is not None else None)
    env = compiled[0] if compiled else None
    if env is None or (files.config.templates_dir, files.config.cache_dir) != \
            (site.config.templates_dir, site.config.cache_dir):
        env = environment(site.config, True)
    if kept is not None and site.config.cache_dir == files.config.cache_dir:
        cache, notice = kept.cache, None
    else:
        cache, notice = load_cache(site.config.cache_dir) if incremental else (None, None)
    notice = "; ".join(n for n in (notice, parsed.notice if parsed else None) if n) or None
    plan = Plan(cache, Inputs(site, options.today, files), site.config.output_dir)
    manifest = site.config.cache_dir / MANIFEST
    previous = _read_manifest(manifest)
    stale = None
    # the parses to keep: the load stage's, keyed by their files' contents, they stand whatever the rest of the
    # build does (ParseCache.entries leaves out those of files that changed while they were read). Asked for once,
    # by the command line while the workers render.
    entries = lru_cache(maxsize=1)(lambda: parsed.entries() if parsed is not None else {})
    parses_on_disk = frozenset(parsed.old) if parsed is not None else None  # the keys the parse cache folder holds

    def write_parses_now() -> None:
        """The command line writes the parses while the workers render (watch mode keeps them for later)."""
        nonlocal parses_on_disk
        if parsed is not None:
            write_parses(site.config.cache_dir, entries(), parses_on_disk)
            parses_on_disk = frozenset(entries())

    staging = Staging(site.config.output_dir)  # outputs go there as they are made; removed whatever happens
    try:
        outputs = render_site(site, options.today, progress, plan, options.workers, staging, env,
                              meanwhile=write_parses_now if session is None else None)
        current = plan.output_is_current(outputs, site.config.search)
        if current is not None:  # output/ already holds exactly these files (deps.Plan): writing changes nothing
            written = WriteResult(0, (), current)
        else:
            if session is not None and site.config.search:
                stale = plan.stale_index(outputs)
            written = _update_in_place(plan, outputs, site.config, previous, stale, staging) if incremental else None
            if written is None and stale is not None:  # staged, with the stale index linked in like a kept output
                written = write_outputs([(o.path, o.data) for o in outputs] + [(p, None) for p in sorted(stale)],
                                        site.config.output_dir, previous, published=frozenset(plan.reused) | stale,
                                        staging=staging, remove_old_later=True)
                written = replace(written, generated=tuple(sorted(stale)))
            elif written is None:  # the search index is made again only when some HTML changed (Plan.before_swap)
                search = None
                if site.config.search:
                    from .search import index_site

                    search = plan.before_swap(partial(index_site, site.config), outputs)
                written = write_outputs([(o.path, o.data) for o in outputs], site.config.output_dir, previous,
                                        search, published=frozenset(plan.reused), staging=staging,
                                        remove_old_later=True)
    finally:
        staging.remove()  # (after a swap it is the output folder's name no longer: nothing to remove)
    clean_stale(site.config.output_dir)  # what an interrupted run left beside output/
    write_manifest(manifest, [o.path for o in outputs] + list(written.generated))
    record = plan.cache(outputs, written.generated, written.kept_in_place)
    rendered = tuple(o.path for o in outputs if o.path not in plan.reused)
    pages = _count_pages(site, outputs)

    save = saver(options, site.config, files, before, session, parses_on_disk, pages, len(outputs))
    afterwards = None
    if session is None:
        save(Kept(record, entries()), True)
    else:
        pending = None if stale is None else \
            PendingIndex(site.config, plan.html_digest, tuple(o.path for o in outputs))
        kept = session.keep(site.config.cache_dir, record, entries())
        kept.warm = Warm(options, site, env, files, tuple(o.path for o in outputs), pages)
        afterwards = Afterwards(kept, pending, save)
    return BuildResult(outputs, pages, time.perf_counter() - started, written, len(rendered),
                       len(outputs) - len(rendered), rendered, notice, afterwards=afterwards)


def saver(options: BuildOptions, config: SiteConfig, files: FileHashes,
          before: Before | Callable[[], Before | None] | None, session: Session | None, read: frozenset | None,
          pages: dict[str, int], count: int) -> Callable[[Kept, bool], None]:
    """What saves a build's caches and stamp (`Kept`: as it, or what came after it, made them; the bool: whether
    to stamp, when `before` allows it; a function gives it when the stamp is saved). `read`: the keys of the
    parses the cache folder holds (the build read them, or wrote them already)."""

    def save(kept: Kept, stamped: bool) -> None:
        from . import stamp
        from .deps import save_cache, save_hashes
        from .parsecache import write as write_parses
        from .write import finish_removals

        save_cache(config.cache_dir, kept.cache)
        save_hashes(config.cache_dir, files)
        keys = frozenset(kept.parsed)
        # the parses on disk: the ones this build read, or in watch mode the ones it last wrote
        on_disk = session.saved_parses(config.cache_dir) if session is not None else read if read is not None \
            else keys
        if keys != on_disk:  # the shards whose entries changed (all of them when on_disk is None: not known)
            write_parses(config.cache_dir, kept.parsed, on_disk)
            if session is not None:
                session.parses_saved(config.cache_dir, keys)
        # the output folder the build replaced, removed meanwhile (write._swap): removing its files changes
        # the signatures of the published files linked into the new one from it
        finish_removals()
        # not stamped while the last search index stands in for a new one: the next build must make it
        stamp.save((before() if callable(before) else before) if stamped else None, options, config, files,
                   kept.cache.output_hashes(), pages, count)

    return save


def check(options: BuildOptions) -> BuildResult:
    """Validate and render everything in memory; writes nothing."""
    from .errors import ContentErrors
    from .linkcheck import check_output_links
    from .search import UI_FILES

    started = time.perf_counter()
    site = load_site(options)
    outputs = render_site(site, options.today)
    files = {o.path: o.data for o in outputs}
    if site.config.search:  # the search bundle is made when the site is written
        files |= {path: b"" for path in UI_FILES}
    problems = check_output_links(files)
    if problems:
        raise ContentErrors(problems)
    return BuildResult(outputs, _count_pages(site, outputs), time.perf_counter() - started)


def _count_pages(site: Site, outputs) -> dict[str, int]:
    return {code: sum(1 for o in outputs if o.path.startswith(code + "/") and o.path.endswith(".html"))
            for code in site.config.language_codes}


def _read_manifest(path: Path) -> frozenset[str]:
    try:
        return frozenset(json.loads(path.read_text("utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()


def write_manifest(path: Path, files: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"files": files}, indent=0), "utf-8")
