"""Incremental builds by declaration: an output is made again only when something it declares it reads changed.

What a page reads is known before it renders, from its route and its section's declaration (site/routes.py):
its own sources (and any other its route names), the data files and UI strings its section declares, the
site's structure when it declares it, and, recorded by the Jinja environment when it rendered last time, its
templates. The outputs other than pages come in groups (render.extras.OtherOutputs) that declare the same
things. The config file, the build's options (`--today`, `--base-url`, `--out`) and the generator itself (its
code and the libraries that shape the output) are inputs of everything: when any of them changes, everything
is made again.

The record of the last build (`build.json` in the cache folder) holds, for each page and group (a *unit*), the
digest of its inputs, its templates and the files it made, and for every file of the output folder its digest
and the size and modification time it had once written. A unit is kept from the output folder only when its
inputs are those recorded and its files there are still the ones the last build wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from ..content.data import EVERY_FILE
from ..content.parse import ParsedSource
from ..render.pages import COMMON_STRINGS
from ..site.model import Site
from ..site.routes import EVERY_STRING, Declaration, Route

RECORD_FILE = "build.json"
# What a list page may show of another page: every field of a parse but its file and the Markdown itself (a new
# front-matter field is one of them without more ado)
_FRONT_MATTER = tuple(f.name for f in fields(ParsedSource) if f.name not in ("file", "markdown", "body", "revision"))
FORMAT = 2
_PACKAGE = Path(__file__).resolve().parents[1]
# Libraries whose version can change the output for the same input.
_LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml", "babel", "icalendar",
              "pagefind", "pagefind-bin-extended")


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


@cache
def generator_digest() -> str:
    """The generator's own code and the versions of the libraries that shape its output."""
    hasher = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        hasher.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            hasher.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            hasher.update(f"{name}=none\0".encode())
    return hasher.hexdigest()


class FileState(NamedTuple):  # (tuples: the record's JSON holds them as lists)
    digest: str
    size: int
    mtime_ns: int


class Unit(NamedTuple):
    """A page, or a group of other outputs: what it read and what it made."""

    inputs: str
    templates: tuple[tuple[str, str], ...]  # (name, digest) of each template it loaded
    paths: tuple[str, ...]


@dataclass(frozen=True)
class BuildRecord:
    """What the last build was made from and what it left in the output folder."""

    inputs: str  # the config, options and generator
    output_dir: str  # where it wrote
    units: dict[str, Unit] = field(default_factory=dict)  # by page path, or "group:NAME"
    files: dict[str, FileState] = field(default_factory=dict)  # every file of the output folder it wrote
    index_current: bool = True  # whether the files it did not make itself (the search index) are up to date

    def generated(self) -> tuple[str, ...]:
        """The files of the output folder that no page or group made: the search index."""
        made = {path for unit in self.units.values() for path in unit.paths}
        return tuple(sorted(path for path in self.files if path not in made))


class Inputs:
    """The digests of everything an output can declare, each made once per build."""

    def __init__(self, site: Site, files: dict[Path, str], today: date):
        self.site, self.today = site, today
        self.files = files  # every source, data file, the string catalog and the config, by path
        self._declared_by: dict[tuple, str] = {}  # by kind and name of declaration, and language

    def global_digest(self) -> str:
        """The digest of what every output reads: the config, the options and the generator."""
        config = self.site.config
        return digest(json.dumps([FORMAT, generator_digest(), self.files[config.path], config.base_url,
                                  str(config.output_dir), self.today.isoformat()]))

    def page(self, route: Route, lang: str) -> str:
        """The digest of what the page `route` in `lang` declares it reads, but its templates."""
        return digest(json.dumps([route.key, lang, self._sources(route, lang), self._declared(route.section, lang)]))

    def group(self, declaration: Declaration) -> str:
        """The digest of what a group of other outputs declares it reads (in every language)."""
        return digest(json.dumps([declaration.name, self._declared(declaration, None)]))

    def _declared(self, declaration: Declaration, lang: str | None) -> str:
        """The digest of what `declaration` reads in `lang`, the common UI strings too, made once for all its pages."""
        key = (type(declaration).__name__, declaration.name, lang)
        if key not in self._declared_by:
            strings = ("",) if EVERY_STRING in declaration.strings else COMMON_STRINGS + declaration.strings
            self._declared_by[key] = digest(json.dumps([
                self._data(declaration.data), self._strings(strings, lang if strings != ("",) else None),
                self._summaries[declaration.structure] if declaration.structure else ""]))
        return self._declared_by[key]

    def _data(self, names: tuple[str, ...]) -> list[str]:
        """The digests of the data files `names` (all of them, for EVERY_FILE), in that order."""
        if EVERY_FILE in names:
            names = tuple(schema.name for schema in self.site.data.schemas)
        paths = dict(self.site.data.files)
        return [self.files.get(paths[name], "") if name in paths else "absent" for name in names]

    def _sources(self, route: Route, lang: str) -> list[str]:
        """The page's own Markdown: the version shown in `lang`, which languages have one, and the revision of the
        original a translation is compared with; all versions of all the sources when the route shows more."""
        if route.also_reads:
            return [self._source(source) for source in (*route.versions.values(), *route.also_reads)]
        config = self.site.config
        shown = route.version_for(lang, config.language_codes)
        original = route.versions.get(config.default_language)
        return [self._source(shown) if shown is not None else "", ",".join(sorted(route.versions)),
                original.revision if original is not None else ""]

    def _source(self, source: ParsedSource) -> str:
        return f"{source.file.path}:{self.files[source.file.path]}"

    def _strings(self, prefixes: tuple[str, ...], lang: str | None) -> str:
        """The UI strings of those prefixes in `lang` and in the default language, which stands in for it (every
        language's, when `lang` is None)."""
        catalog, default = self.site.strings.catalog, self.site.config.default_language
        chosen = {key: catalog[key] if lang is None else [catalog[key].get(lang), catalog[key].get(default)]
                  for key in sorted(catalog) if key.startswith(prefixes)}
        return digest(json.dumps(chosen, sort_keys=True))

    @cached_property
    def _summaries(self) -> dict[str, str]:
        """The digest of each level, made in one pass: 'titles', the routes, their languages and files, and each
        source's front matter; 'sources', all of that and the sources' content."""
        titles, contents = [], []
        for route in self.site.routes:
            versions = sorted(route.versions.items())
            titles += [[route.key, lang, str(source.file.path), [repr(getattr(source, name)) for name in _FRONT_MATTER]]
                       for lang, source in versions] or [[route.key]]
            contents += [self.files[source.file.path] for _, source in versions]
        summary = digest(json.dumps(titles))
        return {"titles": summary, "sources": digest(json.dumps([summary, contents]))}


@dataclass(frozen=True)
class Made:
    """One output of a build: the digest of its bytes, None when it is the last build's file, kept. Its bytes are
    here only when they are kept in memory (`check`); a build writes them to its staging folder as they come."""

    path: str
    data: bytes | None
    unit: str  # the page's path, or "group:NAME"
    inputs: str | None = None
    templates: tuple[str, ...] = ()
    digest: str | None = None


class Plan:
    """Which pages and groups the last build's output still holds, and the record of this build."""

    def __init__(self, record: BuildRecord | None, inputs: Inputs):
        self.inputs, self.output_dir = inputs, inputs.site.config.output_dir
        templates_dir = inputs.site.config.templates_dir
        self.global_digest = inputs.global_digest()
        self.last = record if record is not None and record.inputs == self.global_digest else None
        # every template's digest, taken before anything renders (a template saved meanwhile is made again next time)
        self._templates = {path.relative_to(templates_dir).as_posix(): digest(path.read_bytes())
                           for path in sorted(templates_dir.rglob("*")) if path.is_file()}

    def kept(self, unit: str, inputs: str) -> list[Made] | None:
        """The files of `unit`, kept, when what it reads is what it read last time and they are still there."""
        old = self.last.units.get(unit) if self.last is not None else None
        if old is None or old.inputs != inputs:
            return None
        names = tuple(name for name, _ in old.templates)
        if self._digests(names) != old.templates:
            return None
        if not all(still_written(self.output_dir, path, self.last.files.get(path)) for path in old.paths):
            return None
        return [Made(path, None, unit, inputs, names) for path in old.paths]

    def last_index(self, made: list[Made]) -> tuple[tuple[str, ...], bool] | None:
        """The files the last build's before-swap step added (the search index), when they are still there, and
        whether they are current: made from the HTML outputs this build made (what that step reads), byte for byte."""
        if self.last is None:
            return None
        generated = self.last.generated()
        if not all(still_written(self.output_dir, path, self.last.files[path]) for path in generated):
            return None
        read = {m.path: m.digest for m in made if m.path.endswith(".html")}
        last_read = {path for unit in self.last.units.values() for path in unit.paths if path.endswith(".html")}
        current = self.last.index_current and read.keys() == last_read and all(
            made_digest in (None, self.last.files[path].digest) for path, made_digest in read.items())
        return generated, current

    def record(self, made: list[Made], generated: tuple[str, ...], index_current: bool = True) -> BuildRecord:
        """The record of this build, once its output is in place."""
        last = self.last.files if self.last is not None else {}
        units: dict[str, Unit] = {}
        files = {}
        for m in made:
            files[m.path] = file_state(self.output_dir, m.path, m.digest or last[m.path].digest)
            before = units.get(m.unit, Unit(m.inputs, (), ()))  # (a group's templates: those of all its files)
            templates = tuple(dict.fromkeys(before.templates + self._digests(m.templates)))
            units[m.unit] = Unit(m.inputs, templates, before.paths + (m.path,))
        for path in generated:
            kept = last.get(path)
            files[path] = file_state(self.output_dir, path, kept.digest if kept is not None else
                                     digest((self.output_dir / path).read_bytes()))
        return BuildRecord(self.global_digest, str(self.output_dir), units, files, index_current)

    def _digests(self, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """Each named template's digest, 'missing' for one that does not exist."""
        return tuple((name, self._templates.get(name, "missing")) for name in names)


def with_index(record: BuildRecord, output_dir: Path, index: tuple[str, ...]) -> BuildRecord:
    """The record once the search index was made again after it (`index`: its files now)."""
    stale = set(record.generated())
    files = {path: state for path, state in record.files.items() if path not in stale}
    files |= {path: file_state(output_dir, path, digest((output_dir / path).read_bytes())) for path in index}
    return replace(record, files=files, index_current=True)


def still_written(output_dir: Path, path: str, state: FileState | None) -> bool:
    """Whether the output folder's file at `path` is the one the last build wrote."""
    if state is None:
        return False
    try:  # (on strings: thousands of files a build)
        stat = os.stat(os.path.join(output_dir, path))
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (state.size, state.mtime_ns)


def file_state(output_dir: Path, path: str, data_digest: str) -> FileState:
    stat = os.stat(os.path.join(output_dir, path))
    return FileState(data_digest, stat.st_size, stat.st_mtime_ns)


def read_record(cache_dir: Path) -> BuildRecord | None:
    try:
        raw = json.loads((cache_dir / RECORD_FILE).read_text("utf-8"))
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            return None
        units = {key: Unit(inputs, tuple((name, value) for name, value in templates), tuple(paths))
                 for key, (inputs, templates, paths) in raw["units"].items()}
        files = {path: FileState(*state) for path, state in raw["files"].items()}
        return BuildRecord(raw["inputs"], raw["output_dir"], units, files, raw["index_current"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # missing or damaged: a clean build
        return None


def write_record(cache_dir: Path, record: BuildRecord) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    raw = {"format": FORMAT, "inputs": record.inputs, "output_dir": record.output_dir,
           "index_current": record.index_current, "units": record.units, "files": record.files}
    temporary = cache_dir / f".{RECORD_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(raw, separators=(",", ":")), "utf-8")
    os.replace(temporary, cache_dir / RECORD_FILE)
