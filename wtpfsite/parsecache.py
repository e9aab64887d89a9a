"""The parse cache: what the parse stage made of each Markdown source and of the data files, by the
files' content hashes, so that an incremental build does not parse unchanged files again.

Parsing is most of the load stage on a large site (the Markdown, and the data files, which a marked
YAML loader reads in Python). Kept per Markdown source: the front matter's values, the revision (and
a draft's body) and the whole `ParsedMarkdown` (its HTML with link slots, headings, links and anchors),
so neither an unchanged page nor a template edit parses Markdown again. Kept for the data: the whole
`SiteData`, under the hashes of all data files; and the whole string catalog (`Strings`).

Only a parse that reported no error is kept, and only for files whose hash did not change while the
build ran (`deps.FileHashes`: taken before anything was read, or of the bytes the parse read). The key also
holds the file's path and identity, the site's languages and the raw-HTML setting.

The entries are spread over SHARDS files (`parsed/NN.pickle`) by the file they come from, so a build that
parsed a few files again writes only the shards those files are in (a whole cache is 15 MB at 2,000 pages).
Shards written by different builds mix safely: every entry is looked up by its content's hash. Each shard is
stamped with the format and the generator version and carries a hash of its payload. It is a pickle, which is
trusted like the project's own files beside it; a shard that is damaged, or from another format or generator
version, is discarded with a notice, and the others are used.
"""

from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path
from typing import Callable

from .data import SiteData, load_data
from .deps import DIGEST_LENGTH, MISSING, UNSTABLE, FileHashes, content_hash, digest, file_hash, generator_id, \
    hexdigest
from .errors import ErrorList
from .heap import cycle_collector_paused
from .pages import ParsedSource, parse_source
from .sources import SourceFile
from .strings import Strings, load_strings

FORMAT = 7  # 6: ParsedMarkdown's HTML pickled as UTF-8 bytes (markdown.ParsedMarkdown.__reduce__); 7: SHA-256 digests
CACHE_FOLDER = "parsed"  # in the cache folder: the shards, NN.pickle
SHARDS = 32
LEGACY_FILE = "parsed.pickle"  # the whole cache in one file (formats 1 to 4): removed once shards are written


class ParseCache:
    def __init__(self, cache_dir: Path, files: FileHashes, read_old: bool = True, old: dict | None = None):
        """`old`: the last build's entries, kept in memory (session.py); else read from the cache folder when
        `read_old`."""
        self.cache_dir, self.files = cache_dir, files
        self.old: dict = {}
        self.new: dict = {}  # key -> (entry, the files it was made from)
        self.notice: str | None = None
        self._identities: dict[SourceFile, str] = {}
        if old is not None:
            self.old = old
        elif read_old:
            self.old, self.notice = _read(cache_dir)

    def _known(self, paths) -> bool:
        return all(self.files.get(path) not in (MISSING, UNSTABLE) for path in paths)

    def _source_key(self, file: SourceFile, languages: tuple[str, ...], allow_html_in_drafts: bool) -> tuple:
        identity = self._identities.get(file)
        if identity is None:  # (each file is asked about up to three times; repr of a dataclass is slow)
            identity = self._identities[file] = repr(file)
        return _source_key(identity, languages, allow_html_in_drafts, self.files.get(file.path))

    def holds(self, file: SourceFile, languages: tuple[str, ...], allow_html_in_drafts: bool) -> bool:
        """Whether the last build's parse of this file's content is here (with no parse kept at all, a file yet to
        be hashed is not hashed to say no: the parse that reads it hashes it, deps.FileHashes)."""
        if not self.old:
            return False
        return self._source_key(file, languages, allow_html_in_drafts) in self.old

    def add(self, file: SourceFile, languages: tuple[str, ...], allow_html_in_drafts: bool,
            parsed: ParsedSource | None, clean: bool) -> None:
        """Keep a parse made elsewhere (build.py parses in worker processes); `clean`: it found no error."""
        if parsed is not None and clean and self._known((file.path,)):
            self.new[self._source_key(file, languages, allow_html_in_drafts)] = (
                (parsed.title, parsed.description, parsed.translation_of, parsed.draft, parsed.body,
                 parsed.revision, parsed.markdown), (file.path,))

    def parse_source(self, file: SourceFile, languages: tuple[str, ...], allow_html_in_drafts: bool,
                     errors: ErrorList) -> ParsedSource | None:
        """`pages.parse_source`, or its result for the same file content from the last build."""
        key = self._source_key(file, languages, allow_html_in_drafts)
        entry = self.old.get(key)
        if entry is not None:
            self.new[key] = (entry, (file.path,))
            title, description, translation_of, draft, body, revision, markdown = entry
            return ParsedSource(file, title, description, translation_of, draft, markdown, body, revision)
        mine = ErrorList(errors.root)
        parsed = parse_source(file, languages, allow_html_in_drafts, mine)
        errors.extend(mine.errors)
        self.add(file, languages, allow_html_in_drafts, parsed, not mine.errors)
        return parsed

    def replacing(self, entries: dict, files: list[SourceFile], before: FileHashes, languages: tuple[str, ...],
                  allow_html_in_drafts: bool) -> dict:
        """`entries` (a build's, kept in memory: session.py) with this cache's parses in place of those of `files`
        as they were when `before` was taken."""
        kept = dict(entries)
        for file in files:
            kept.pop(_source_key(repr(file), languages, allow_html_in_drafts, before.get(file.path)), None)
        kept.update(self.entries())
        return kept

    def load_data(self, files: tuple[tuple[str, Path], ...], languages: tuple[str, ...],
                  errors: ErrorList) -> SiteData:
        """`data.load_data`, or its result for the same data files from the last build."""
        key = ("data", tuple((name, str(path), self.files.get(path)) for name, path in files), languages)
        return self._whole(key, tuple(path for _, path in files), SiteData,
                           lambda mine: load_data(files, languages, mine), errors)

    def load_strings(self, path: Path, languages: tuple[str, ...], errors: ErrorList) -> Strings:
        """`strings.load_strings`, or its result for the same catalog from the last build."""
        key = ("strings", str(path), self.files.get(path), languages)
        return self._whole(key, (path,), Strings, lambda mine: load_strings(path, languages, mine), errors)

    def _whole(self, key: tuple, paths: tuple[Path, ...], kind: type, make: Callable[[ErrorList], object],
               errors: ErrorList):
        """What `make` reads from `paths`, kept whole under `key` when it found no error."""
        entry = self.old.get(key)
        if isinstance(entry, kind):
            self.new[key] = (entry, paths)
            return entry
        mine = ErrorList(errors.root)
        made = make(mine)
        errors.extend(mine.errors)
        if not mine.errors and self._known(paths):
            self.new[key] = (made, paths)
        return made

    def entries(self) -> dict:
        """What this build parsed, but not the parses of files that changed since their hashes were taken (asked
        once the load stage is over: a parse of what was read is keyed by that content, so a later change of the
        file does not make it wrong)."""
        stable: Callable[[Path], bool] = lambda path: self.files.get(path) == file_hash(path)  # noqa: E731
        return {key: entry for key, (entry, paths) in self.new.items() if all(stable(p) for p in paths)}


def _source_key(identity: str, languages: tuple[str, ...], allow_html_in_drafts: bool, content: str) -> tuple:
    """The key of a Markdown source's parse: the file (`repr` of its SourceFile), the site's languages, the raw-HTML
    setting and the hash of its content."""
    return ("source", identity, languages, allow_html_in_drafts, content)


class _HashingWriter:
    """A file that hashes what is written to it (as `deps.digest` would hash it all at once)."""

    def __init__(self, file) -> None:
        self.file, self.hash = file, content_hash()

    def write(self, data) -> int:
        self.hash.update(data)
        return self.file.write(data)


BATCH = 64  # entries per pickle in the file


class _Reader:
    """A file over `data` from `start` on, for pickle.load: reading copies only what is read."""

    def __init__(self, data: bytes, start: int) -> None:
        self.data, self.at = data, start

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else min(self.at + size, len(self.data))
        chunk, self.at = self.data[self.at:end], end
        return chunk

    def readline(self) -> bytes:
        end = self.data.find(b"\n", self.at)
        return self.read(len(self.data) - self.at if end < 0 else end + 1 - self.at)

    def at_end(self) -> bool:
        return self.at >= len(self.data)


def shard(key: tuple) -> int:
    """The shard an entry is kept in: by the file it comes from (a Markdown source's identity), or its kind (the
    data, the strings), never by its content, so an edited file's new parse replaces its old one in one shard."""
    return zlib.crc32((key[1] if key[0] == "source" else key[0]).encode("utf-8")) % SHARDS


def _shard_path(cache_dir: Path, number: int) -> Path:
    return cache_dir / CACHE_FOLDER / f"{number:02d}.pickle"


def write(cache_dir: Path, entries: dict, on_disk: frozenset | None = None) -> None:
    """Write the shards whose entries are not the ones `on_disk` (the keys the cache folder holds, as read or last
    written; None: unknown, write them all), each atomically; remove those left empty."""
    wanted: list[list] = [[] for _ in range(SHARDS)]
    for key, entry in entries.items():
        wanted[shard(key)].append((key, entry))
    held: list[set] = [set() for _ in range(SHARDS)]
    for key in on_disk or ():
        held[shard(key)].add(key)
    (cache_dir / CACHE_FOLDER).mkdir(parents=True, exist_ok=True)
    for number, items in enumerate(wanted):
        path = _shard_path(cache_dir, number)
        if not items:
            path.unlink(missing_ok=True)  # (also when not known to be there: a build that read no cache)
        elif on_disk is None or {key for key, _ in items} != held[number]:
            _write_shard(path, items)
    (cache_dir / LEGACY_FILE).unlink(missing_ok=True)


def _write_shard(path: Path, items: list) -> None:
    """One shard, atomically. Its entries are pickled in batches streamed into the file: neither the file's bytes
    nor one pickler's memo of every object is ever held whole in memory. The header's payload hash is filled in
    at the end."""
    header = f"wtpfsite-parsed {FORMAT} {generator_id()} {{}}\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as file:
            file.write(header.format("0" * DIGEST_LENGTH).encode("utf-8"))
            writer = _HashingWriter(file)
            for start in range(0, len(items), BATCH):
                pickle.dump(items[start:start + BATCH], writer, protocol=pickle.HIGHEST_PROTOCOL)
            file.seek(0)
            file.write(header.format(hexdigest(writer.hash)).encode("utf-8"))  # the same length
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _read(cache_dir: Path) -> tuple[dict, str | None]:
    """The entries of the parse cache's shards, and why shards were discarded (None when none was)."""
    entries: dict = {}
    notices = []
    with cycle_collector_paused(keep=True):  # hundreds of thousands of objects, kept, in no cycle (heap.py)
        for number in range(SHARDS):
            found, notice = _read_shard(_shard_path(cache_dir, number))
            entries.update(found)
            if notice is not None:
                notices.append(notice)
    if not notices:
        return entries, None
    return entries, notices[0] + (f" (and {len(notices) - 1} more shards)" if len(notices) > 1 else "")


def _read_shard(path: Path) -> tuple[dict, str | None]:
    """The entries of one shard, or ({}, why it was discarded); ({}, None) when there is none."""
    name = f"{CACHE_FOLDER}/{path.name}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"cannot read {name}: {exc.strerror or exc}"
    end = raw.find(b"\n")
    header, payload = raw[:max(end, 0)], memoryview(raw)[end + 1:]  # a view: the payload is not copied
    parts = header.decode("utf-8", "replace").split(" ")
    if len(parts) != 4 or parts[0] != "wtpfsite-parsed":
        return {}, f"{name} is malformed"
    if parts[1] != str(FORMAT):
        return {}, f"{name} has format version {parts[1]!r}, this generator uses {FORMAT}"
    if parts[2] != generator_id():
        return {}, f"{name} was made by another version of the generator"
    if parts[3] != digest(payload):
        return {}, f"{name} is damaged"
    entries: dict = {}
    reader = _Reader(raw, end + 1)
    try:
        while not reader.at_end():
            batch = pickle.load(reader)
            if not isinstance(batch, list) or not all(isinstance(item, tuple) and len(item) == 2 for item in batch):
                return {}, f"{name} is malformed"
            entries.update(batch)
    except Exception:  # noqa: BLE001 (any failure to unpickle means: not usable)
        return {}, f"{name} cannot be read"
    return entries, None
