"""The parse cache: what the parse stage made of each Markdown source and data file, by the hash of the file's
bytes, so that an incremental build (and every rebuild in watch mode) parses only the files that changed.

It is one pickle in the cache folder, trusted like the project's own files beside it; one that cannot be read,
or was written by another version of the generator, is ignored with a notice, never trusted. The key holds
what else shapes a parse: the file's section, name and language, the site's languages and the raw-HTML setting.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from ..base.errors import ErrorList
from ..content.data import read_data_file
from ..content.datafile import DataFile
from ..content.parse import ParsedSource
from ..content.sources import SourceFile
from .incremental import generator_digest

CACHE_FILE = "parses.pickle"
FORMAT = 1


class ParseCache:
    """Parses by the bytes they were made from: `old`, those of the last build; `new`, those of this one."""

    def __init__(self, entries: dict | None = None, notice: str | None = None):
        self.old: dict = entries or {}
        self.new: dict = {}
        self.notice = notice

    def cached(self, file: SourceFile, digest: str, languages: tuple[str, ...], allow_html: bool
               ) -> ParsedSource | None:
        """The parse of these bytes of `file` made before, if there is one (it is kept for the next build)."""
        key = _key(file, digest, languages, allow_html)
        fields = self.old.get(key)
        if fields is None:
            return None
        self.new[key] = fields
        return ParsedSource(file, *fields)

    def keep(self, file: SourceFile, digest: str, languages: tuple[str, ...], allow_html: bool,
             parsed: ParsedSource) -> None:
        """Keep a parse that reported no problem."""
        self.new[_key(file, digest, languages, allow_html)] = _fields(parsed)

    def data_file(self, schema: DataFile, path: Path, languages: tuple[str, ...], errors: ErrorList,
                  data: bytes, digest: str) -> tuple[tuple, dict]:
        """`read_data_file`, or what it gave for the same bytes last time."""
        key = ("data", digest, schema.name, str(path), languages)
        read = self.old.get(key)
        if read is None:
            mine = ErrorList(errors.root)
            read = read_data_file(schema, path, languages, mine, data)
            errors.extend(mine.errors)
            if mine.errors:
                return read
        self.new[key] = read
        return read

    @property
    def changed(self) -> bool:
        return self.new.keys() != self.old.keys()

    def next(self) -> ParseCache:
        """The cache the next build starts from: the parses of this one."""
        return ParseCache(self.new)


def _key(file: SourceFile, digest: str, languages: tuple[str, ...], allow_html: bool) -> tuple:
    return digest, file.section, file.name, file.lang, languages, allow_html


def _fields(parsed: ParsedSource) -> tuple:
    """A parse's fields after its file (the file is part of the key)."""
    return (parsed.title, parsed.description, parsed.translation_of, parsed.draft, parsed.markdown, parsed.body,
            parsed.revision)


def read_parse_cache(cache_dir: Path) -> ParseCache:
    path = cache_dir / CACHE_FILE
    try:
        with open(path, "rb") as file:
            stored = pickle.load(file)
    except FileNotFoundError:
        return ParseCache()
    except Exception as exc:  # noqa: BLE001 (any damage: the cache is only ever a saving)
        return ParseCache(notice=f"{path.name} could not be read ({type(exc).__name__}); parsing everything")
    if not isinstance(stored, dict) or stored.get("format") != (FORMAT, generator_digest()):
        return ParseCache(notice=f"{path.name} was written by another version; parsing everything")
    return ParseCache(stored["entries"])


def write_parse_cache(cache_dir: Path, cache: ParseCache) -> None:
    """Save the parses of the last build, unless the cache folder holds them already."""
    if not cache.changed:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cache_dir / f".{CACHE_FILE}.{os.getpid()}"
    with open(temporary, "wb") as file:
        pickle.dump({"format": (FORMAT, generator_digest()), "entries": cache.new}, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, cache_dir / CACHE_FILE)
