"""The parse cache: what the parse stage made of each Markdown source and data file, by the hash of the file's
bytes, so that an incremental build (and every rebuild in watch mode) parses only the files that changed.

It is kept in shards by the file an entry comes from, so that a build after an edit writes one shard again, not
the whole cache. They are pickles, trusted like the project's own files beside them; one that cannot be read, or
was written by another version of the generator, is ignored with a notice, never trusted. The key holds
what else shapes a parse: the file's section, name and language, the site's languages and the raw-HTML setting.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import zlib
from dataclasses import fields
from pathlib import Path

from ..content.parse import ParsedSource
from ..content.sources import SourceFile
from .incremental import generator_digest

CACHE_FOLDER = "parses"  # in the cache folder: SHARDS pickles, each entry in the shard of its file
SHARDS = 16
FORMAT = 2


class ParseCache:
    """Parses by the bytes they were made from: `old`, those of the last build; `new`, those of this one. A parse
    is of a Markdown source (a ParsedSource) or of the data file at a path (what `read_data_file` gives)."""

    def __init__(self, entries: dict | None = None, notice: str | None = None):
        self.old: dict = entries or {}
        self.new: dict = {}
        self.notice = notice

    def cached(self, source: SourceFile | Path, digest: str, languages: tuple[str, ...], allow_html: bool
               ) -> ParsedSource | tuple | None:
        """The parse of these bytes of `source` made before, if there is one (it is kept for the next build)."""
        key = _key(source, digest, languages, allow_html)
        stored = self.old.get(key)
        if stored is None:
            return None
        self.new[key] = stored
        return ParsedSource(source, *stored) if isinstance(source, SourceFile) else stored

    def keep(self, source: SourceFile | Path, digest: str, languages: tuple[str, ...], allow_html: bool,
             parsed: ParsedSource | tuple) -> None:
        """Keep a parse that reported no problem."""
        self.new[_key(source, digest, languages, allow_html)] = \
            _fields(parsed) if isinstance(parsed, ParsedSource) else parsed

    def next(self) -> ParseCache:
        """The cache the next build starts from: the parses of this one."""
        return ParseCache(self.new)


def _key(source: SourceFile | Path, digest: str, languages: tuple[str, ...], allow_html: bool) -> tuple:
    if isinstance(source, SourceFile):  # (its path too: the references it holds name its file)
        return digest, source.section, source.name, source.lang, languages, allow_html, str(source.path)
    return "data", source.stem, str(source), languages, digest


def _fields(parsed: ParsedSource) -> tuple:
    """A parse's fields after its file (the file is part of the key), every one of them, in their order."""
    return tuple(getattr(parsed, field.name) for field in fields(ParsedSource) if field.name != "file")


def _shard(key: tuple) -> int:
    """The shard of an entry: by the file it comes from (its name and language, or the data file's path)."""
    return zlib.crc32(repr(key[1:4]).encode("utf-8")) % SHARDS


def read_parse_cache(cache_dir: Path) -> ParseCache:
    """The parses the cache folder holds. They are a hundred thousand objects that make no garbage and live until
    the build ends (in watch mode, until it stops): the cyclic collector is paused while they load, else each of
    its full collections would walk them and everything imported before (a fifth of a one-page rebuild at 2,000
    pages), and they are frozen after (gc.freeze), out of the later collections' way."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        entries: dict = {}
        for number in range(SHARDS):
            path = cache_dir / CACHE_FOLDER / f"{number:02d}.pickle"
            try:
                with open(path, "rb") as file:
                    stored = pickle.load(file)
            except FileNotFoundError:
                continue
            except Exception as exc:  # noqa: BLE001 (any damage: the cache is only ever a saving)
                return ParseCache(notice=f"{CACHE_FOLDER}/{path.name} could not be read ({type(exc).__name__}); "
                                         f"parsing everything")
            if not isinstance(stored, dict) or stored.get("format") != (FORMAT, generator_digest()):
                return ParseCache(notice="the parse cache was written by another version; parsing everything")
            entries |= stored["entries"]
        return ParseCache(entries)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def write_parse_cache(cache_dir: Path, cache: ParseCache) -> None:
    """Save the parses of the last build: the shards whose entries are not those the cache folder holds."""
    if cache.new.keys() == cache.old.keys():  # the same parses as the cache folder holds
        return
    folder = cache_dir / CACHE_FOLDER
    if cache.notice is not None:  # what is there could not be used: none of it stays
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    old: list[set] = [set() for _ in range(SHARDS)]
    new: list[dict] = [{} for _ in range(SHARDS)]
    for key in cache.old:
        old[_shard(key)].add(key)
    for key, entry in cache.new.items():
        new[_shard(key)][key] = entry
    for number in range(SHARDS):
        if new[number].keys() == old[number] and (folder / f"{number:02d}.pickle").exists():
            continue
        temporary = folder / f".{number:02d}.{os.getpid()}"
        with open(temporary, "wb") as file:
            pickle.dump({"format": (FORMAT, generator_digest()), "entries": new[number]}, file,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{number:02d}.pickle")
