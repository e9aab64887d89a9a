"""Watch mode's quick rebuild: a save of Markdown sources that leaves the site's routes as they were.

A watch-mode build keeps what it made of the site beside its caches (`Warm`, in session.Kept): the linked model,
the templates, the input hashes. The next build is told which files the watcher saw change (serve.py). When
they are all Markdown sources of the site, still there, the rebuild starts from that model instead of loading
the whole site again:

- the saved files are parsed again; a parse with an error, or one that changes a draft's metadata (which the
  routes, lists and feeds are made from), ends the quick rebuild;
- the new parses take the old ones' places in the model (model.with_sources), and their links are checked, with
  the links to their headings when those changed (model.check_edited_links);
- the inputs that changed are the saved files' keys (deps.py: `s:body:PATH`, `s:title:PATH`, ...) whose values
  are not the recorded ones; an index from each input to the outputs that read it (`Warm.readers`, made once per
  model and then kept up to date) names the pages, and the groups of other outputs, to make again;
- the outputs whose bytes changed replace the published files one by one, atomically (write.replace_files);
  the search index is left stale for `session.Afterwards` to make again, as after a full watch-mode build;
- the cache record is the last one with the new outputs' records and inputs' values.

Anything else (a template, data, the strings or the config, a new, renamed or deleted source, an error, a
group that would make other files than before) returns None before anything is written, and the caller makes
a full incremental build, which reports the errors. Either way the output is a clean build's, byte for byte
(tests/test_quick.py).

What it trusts that a full build checks: that the watcher saw every change since the last build (a missed
event leaves the page as it was until the next full build, as in most watch modes), and that nothing but the
server changed the output folder. The build stamp it leaves (stamp.py) is not taken before the build, as a full
build's is: after the reload, every input is checked to have the content the site was made from
(stamp.before_now); when one has not, there is no stamp, and the next command-line build checks everything.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .deps import HTML, MISSING, SEARCH, SOURCE_FIELDS, UNSTABLE, Cache, Group, Inputs, Record, digest, \
    file_hash, output_signature, recording, source_key

if TYPE_CHECKING:
    from jinja2 import Environment

    from .build import BuildOptions, BuildResult
    from .deps import FileHashes
    from .model import Site
    from .pagegen import Output
    from .pages import ParsedSource
    from .parsecache import ParseCache
    from .session import Afterwards, Kept, Session

GROUP = "group:"  # in `Warm.readers`: a group of outputs (deps.Plan.group), not one output


@dataclass
class Warm:
    """What a successful watch-mode build made of the site, for a quick rebuild after it."""

    options: BuildOptions
    site: Site
    env: Environment
    files: FileHashes  # the inputs' hashes the site was made from
    outputs: tuple[str, ...]  # every output's path, in the build's order
    pages: dict[str, int]  # pages per language
    _sources: dict[str, ParsedSource] | None = field(default=None, repr=False)  # by the file's path
    _routes: dict[str, tuple[str, ...]] | None = field(default=None, repr=False)  # the routes showing each file
    _jobs: dict[str, tuple[str, str]] | None = field(default=None, repr=False)  # page path -> (route, language)
    _readers: dict[str, set[str]] | None = field(default=None, repr=False)  # input key -> outputs and groups
    _html: tuple[list[str], dict[str, int]] | None = field(default=None, repr=False)  # html_lines

    def sources(self) -> dict[str, ParsedSource]:
        if self._sources is None:
            self._index_sources()
        return self._sources

    def routes_of(self, path: str) -> tuple[str, ...]:
        if self._routes is None:
            self._index_sources()
        return self._routes[path]

    def _index_sources(self) -> None:
        sources: dict[str, ParsedSource] = {}
        routes: dict[str, list[str]] = {}
        for route in object.__getattribute__(self.site, "routes"):
            for version in route.versions.values():
                path = str(object.__getattribute__(version, "file").path)
                sources[path] = version
                routes.setdefault(path, []).append(route.key)
        self._sources, self._routes = sources, {path: tuple(keys) for path, keys in routes.items()}

    def jobs(self) -> dict[str, tuple[str, str]]:
        if self._jobs is None:
            from .urls import output_file, route_path

            codes = self.site.config.language_codes
            self._jobs = {output_file(route_path(route.key, lang)): (route.key, lang)
                          for route in object.__getattribute__(self.site, "routes") for lang in codes}
        return self._jobs

    def readers(self, cache: Cache) -> dict[str, set[str]]:
        """Which outputs (by path) and groups (GROUP + name) read each input key, by `cache`, the record of the
        build that made this model."""
        if self._readers is None:
            readers: dict[str, set[str]] = {}
            for path, record in cache.outputs.items():
                for key in record.reads:
                    readers.setdefault(key, set()).add(path)
            for name, group in cache.groups.items():
                for key in group.reads:
                    readers.setdefault(key, set()).add(GROUP + name)
            self._readers = readers
        return self._readers

    def html_lines(self, cache: Cache) -> tuple[list[str], dict[str, int]]:
        """What the search index is made from (deps.Plan.html_digest): a line `PATH=HASH` per HTML output, in the
        build's order, by `cache`; and the index of each path's line."""
        if self._html is None:
            paths = [path for path in self.outputs if path.endswith(".html")]
            self._html = [f"{path}={cache.outputs[path].hash}" for path in paths], \
                {path: index for index, path in enumerate(paths)}
        return self._html

    def prepare(self, cache: Cache) -> None:
        """Make the indexes now (after the reload: session.Afterwards), not in the first quick rebuild; and load
        every template (a build that rendered nothing, as serve's warm-up, loaded none)."""
        from .pagegen import compile_templates

        self.sources(), self.jobs(), self.readers(cache), self.html_lines(cache)
        compile_templates(self.env)


def quick_build(options: BuildOptions, session: Session, changed: frozenset[Path],
                started: float) -> BuildResult | None:
    """The rebuild after a save of the files `changed`, from the model the last build kept; None when it cannot
    be made that way (see the module): then nothing was written, and no model is kept."""
    kept = session.warm_for(options)
    if kept is None:
        return None
    warm, kept.warm = kept.warm, None  # whatever happens next, this model is not used again
    sources = warm.sources()
    paths = sorted({os.fspath(path) for path in changed} - _passed_through(changed, warm, kept.cache))
    if not all(path in sources for path in paths):
        return None
    hashes = {path: file_hash(path) for path in paths}
    if MISSING in hashes.values() or UNSTABLE in hashes.values():
        return None
    saved = [path for path in paths if hashes[path] != warm.files.get(path)]
    files = warm.files.updated(hashes)
    if not saved:  # saved as it was
        kept.warm = warm
        return _result(warm, started, {}, 0, None)
    edit = _Edit.make(warm, kept.cache, files, saved, hashes)
    if edit is None:
        return None
    return edit.finish(session, kept, started)


def _passed_through(changed: frozenset[Path], warm: Warm, cache: Cache) -> set[str]:
    """The paths among `changed` that were not there when the last build started and are not there now (an
    editor's temporary file, written and renamed over the saved file): they change nothing, unless the last build
    read a file that came after it started (the record says UNSTABLE), which might be one of them."""
    gone = {path for path in map(os.fspath, changed)
            if warm.files.get(path) == MISSING and not os.path.lexists(path)}
    return gone if gone and UNSTABLE not in cache.inputs.values() else set()


def _result(warm: Warm, started: float, made: dict[str, Output], written: int,
            afterwards: Afterwards | None) -> BuildResult:
    from .build import BuildResult
    from .write import WriteResult

    count = len(warm.outputs)
    return BuildResult(tuple(made[path] for path in sorted(made)), warm.pages, time.perf_counter() - started,
                       WriteResult(written, ()), len(made), count - len(made), tuple(sorted(made)),
                       afterwards=afterwards, unchanged=not made, quick=True)


def _parse_again(warm: Warm, files: FileHashes, saved: list[str], hashes: dict[str, str]) \
        -> tuple[ParseCache, dict[str, ParsedSource], set[str]] | None:
    """The new parse of each saved file (in a parse cache, which keeps them), and the routes whose headings
    changed; None on an error, a draft's metadata changed, or a file saved again while it was read."""
    from .errors import ErrorList
    from .parsecache import ParseCache

    config = warm.site.config
    errors = ErrorList(config.root)
    parse_cache = ParseCache(config.cache_dir, files, old={})
    edited, headings = {}, set()
    for path in saved:
        old = warm.sources()[path]
        new = parse_cache.parse_source(old.file, config.language_codes, config.allow_raw_html_in_drafts, errors)
        if new is None or errors.errors or new.draft != old.draft:
            return None
        edited[path] = new
        if new.markdown.anchors != old.markdown.anchors:
            headings.update(warm.routes_of(path))
    if any(file_hash(path) != hashes[path] for path in saved):
        return None  # saved again while it was read: the full build finds out which version it has
    return parse_cache, edited, headings


def _links_hold(site: Site, edited: set[str], headings: set[str]) -> bool:
    from .errors import ErrorList
    from .model import check_edited_links

    errors = ErrorList(site.config.root)
    check_edited_links(site, edited, headings, errors)
    return not errors.errors


def _make_again(warm: Warm, site: Site, cache: Cache, todo: set[str]) \
        -> tuple[dict[str, Output], dict[str, Group]] | None:
    """The pages and groups (GROUP + name) in `todo`, made again as the full build makes them (pagegen.render_page,
    build.other_groups); None on a template error, or a group that makes other files than before."""
    from .build import other_groups
    from .errors import ErrorList
    from .pagegen import render_page
    from .sections import extra_context

    today, errors = warm.options.today, ErrorList(site.config.root)
    made: dict[str, Output] = {}
    context = lambda s, r, lang: extra_context(s, r, lang, today)  # noqa: E731
    for path in sorted(p for p in todo if not p.startswith(GROUP)):
        key, lang = warm.jobs()[path]
        output, _ = render_page(site, warm.env, today, site.route(key), lang, context)
        if output is None:  # a template error: the full build reports it
            return None
        made[path] = output
    groups = {}
    for name, make in other_groups(site, warm.env, today, errors):
        if GROUP + name in todo:
            with recording() as reads:
                outputs = make()
            paths = tuple(output.path for output in outputs)
            if errors.errors or paths != cache.groups[name].paths:
                return None
            old = cache.groups[name].reads
            groups[name] = Group(old if len(reads) == len(old) and reads.issuperset(old) else tuple(sorted(reads)),
                                 paths)
            made.update((output.path, output) for output in outputs)
    return made, groups


@dataclass
class _Edit:
    """A quick rebuild, made in memory: nothing is written until `finish`."""

    warm: Warm
    cache: Cache
    site: Site
    files: FileHashes
    inputs: Inputs
    saved: list[str]
    sources: dict[str, ParsedSource]  # the site's parses, by path (Warm.sources)
    parse_cache: ParseCache  # the new parses, as the parse cache keeps them
    changed: set[str]  # the input keys whose values changed
    made: dict[str, Output]  # the outputs made again, by path
    groups: dict[str, Group]  # the groups made again

    @classmethod
    def make(cls, warm: Warm, cache: Cache, files: FileHashes, saved: list[str],
             hashes: dict[str, str]) -> _Edit | None:
        from .model import with_sources

        parsed = _parse_again(warm, files, saved, hashes)
        if parsed is None:
            return None
        parse_cache, edited, headings = parsed
        keys = {key for path in saved for key in warm.routes_of(path)}
        site = with_sources(warm.site, {id(warm.sources()[path]): new for path, new in edited.items()}, keys)
        if not _links_hold(site, keys, headings):
            return None
        sources = {**warm.sources(), **edited}
        inputs = Inputs(site, warm.options.today, files, sources)
        if inputs.global_hash != cache.global_hash:
            return None
        changed = {key for path in saved for name in SOURCE_FIELDS
                   if (key := source_key(name, path)) in cache.inputs and inputs.value(key) != cache.inputs[key]}
        remade = _make_again(warm, site, cache, set().union(*(warm.readers(cache).get(key, ()) for key in changed)))
        if remade is None:
            return None
        made, groups = remade
        return cls(warm, cache, site, files, inputs, saved, sources, parse_cache, changed, made, groups)

    def finish(self, session: Session, kept: Kept, started: float) -> BuildResult | None:
        """Write the outputs whose bytes changed and keep the new record and model; None (nothing written) when the
        output folder is not as the last build left it, or there is no search index to keep stale for now."""
        from .build import saver
        from .session import Afterwards, PendingIndex
        from .stamp import before_now as stamp_now
        from .write import replace_files

        warm, cache, config = self.warm, self.cache, self.site.config
        hashes = {path: digest(output.data) for path, output in self.made.items()}
        new_bytes = [(path, self.made[path].data) for path in sorted(hashes)
                     if hashes[path] != cache.outputs[path].hash]
        records = dict(cache.outputs)
        for path, output in self.made.items():
            old = records[path]
            records[path] = Record(hashes[path], () if old.group is not None else tuple(sorted(output.reads)),
                                   old.group, old.stat)
        lines, at = warm.html_lines(cache)
        lines = list(lines)
        for path in self.made:
            if path in at:
                lines[at[path]] = f"{path}={records[path].hash}"
        html = digest("\n".join(lines))
        pending = None
        if config.search:
            if SEARCH not in cache.groups or HTML not in cache.inputs:
                return None  # no search index to keep for now: the full build makes one
            if cache.inputs[HTML] != html:
                pending = PendingIndex(config, html, warm.outputs)
        if not replace_files(new_bytes, config.output_dir):
            return None
        now = time.time_ns()  # the signatures of the files just written (too fresh to be trusted: None)
        for path, _ in new_bytes:
            records[path] = Record(records[path].hash, records[path].reads, records[path].group,
                                   output_signature(os.path.join(str(config.output_dir), path), now))
        record = Cache(cache.global_hash if self.inputs.global_is_stable() else UNSTABLE,
                       self._input_values(), records, {**cache.groups, **self.groups})
        parsed = self.parse_cache.replacing(kept.parsed, [warm.sources()[path].file for path in self.saved], warm.files,
                                            config.language_codes, config.allow_raw_html_in_drafts)
        readers = self._readers(warm.readers(cache), records)
        new = session.keep(config.cache_dir, record, parsed)
        new.warm = Warm(warm.options, self.site, warm.env, self.files, warm.outputs, warm.pages,
                        self.sources, warm._routes, warm._jobs, readers, (lines, at))
        files = self.files
        save = saver(warm.options, config, files, lambda: stamp_now(config, files), session, None, warm.pages,
                     len(warm.outputs))
        return _result(new.warm, started, self.made, len(new_bytes), Afterwards(new, pending, save))

    def _readers(self, readers: dict[str, set[str]], records: dict[str, Record]) -> dict[str, set[str]]:
        """`Warm.readers`, changed in place to fit the new record."""
        def move(reader: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
            if old == new:
                return
            old_keys, new_keys = set(old), set(new)
            for key in old_keys - new_keys:
                readers.get(key, set()).discard(reader)
            for key in new_keys - old_keys:
                readers.setdefault(key, set()).add(reader)

        for path in self.made:
            if records[path].group is None:
                move(path, self.cache.outputs[path].reads, records[path].reads)
        for name, group in self.groups.items():
            move(GROUP + name, self.cache.groups[name].reads, group.reads)
        return readers

    def _input_values(self) -> dict[str, str]:
        """The record's inputs: the last build's, with the values of the keys that changed and of those the
        outputs made again read for the first time."""
        values = dict(self.cache.inputs)
        keys = set(self.changed)
        keys.update(key for path, output in self.made.items() if self.cache.outputs[path].group is None
                    for key in output.reads if key not in values)
        keys.update(key for group in self.groups.values() for key in group.reads if key not in values)
        for key in keys:
            values[key] = self.inputs.value(key) if self.inputs.file_key_is_stable(key) else UNSTABLE
        return values
