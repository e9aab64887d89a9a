"""Dependency tracking and the build cache: incremental builds that render only what changed.

What an output was made from is recorded as a side effect of making it (the way Lektor does it),
so a template that starts to show something new is tracked without anyone updating a rule:

- `render.RecordingEnvironment` notes every template a page loads, also one that was missing;
- `data.SiteData` notes which data file's records were read (`d:meetings`, ...), `model.Draft`
  notes its attached documents (`d:documents`);
- `pages.ParsedSource` notes which of a source's fields were read: its body (`s:body:PATH`, the
  file's bytes) or only its title, description, translation_of or draft metadata (`s:title:PATH`,
  ... the field's value, so a page listing other pages' titles is not re-rendered when their
  bodies change);
- `model.Site` notes a read of the route or draft list (`structure`: every route, with its
  template, languages and files, and every draft's metadata); the page's own route is noted as
  `r:KEY` (its template, languages and files: the language switcher);
- `extras.static_files` notes the static folder (`static`).

Anything new that hands a render data read from the inputs must note it the same way; in particular a
lookup cached on `Site` (a `cached_property`) notes its key itself, since the cache bypasses the reads.

The config file, the string catalog, the base URL, `today` and the generator itself (its version,
its source files and the versions of the libraries that shape the output) are inputs of every
output (the global hash). A record is trusted only when every input it names has the same hash
now; an output is taken from the output folder (its bytes are not even read: the write stage links the
file) only when the file is the recorded one: by the stat signature (size, mtime, ctime, inode) the
last build recorded after writing it, or, when that was too fresh to be trusted (stamp.racy), by the
hash of its bytes.
Outputs made in groups (extras, translations) are re-made together when any input of the group
changed. Files are hashed before the build reads them (a cold build's Markdown sources as the parse reads
them: FileHashes) and again when the cache is saved; an input that changed during the build is saved as
unstable, so the next build makes its outputs again.

The files the before-swap step adds (the search index, made from the HTML outputs only) are copied
from the last build when every HTML output is byte-identical to the last build's. When the output
folder already holds exactly the files the build would write, it is left as it is (no staging, no
swap). Parses of unchanged files come from `parsecache.py`. A build with nothing changed at all does
not get this far: the build stamp (`stamp.py`) answers it before the site is loaded.

The cache (`.wtpfsite-cache/deps.json`) is JSON; one that cannot be read, is malformed or was made
by another format or generator version is discarded with a notice, never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from . import __version__

if TYPE_CHECKING:
    from .model import Site
    from .pagegen import Output
    from .pages import ParsedSource

FORMAT = 3  # 3: SHA-256 digests (`digest`)
CACHE_FILE = "deps.json"
MISSING = "missing"  # the hash of a file that does not exist
UNSTABLE = "unstable"  # an input that changed while the build read it: never equal to a real hash
STRUCTURE = "structure"
SOURCE_FIELDS = ("body", "title", "description", "translation_of", "draft")  # s:FIELD:PATH keys (pages.py)
STATIC = "static"
SEARCH = "search"  # the group of files the before-swap step (the search index) adds to the output
HTML = "html"  # what that step reads: every HTML output, by path and hash
# Libraries whose version can change the output for the same input.
_LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "markdown-it-pyrs", "mdit-py-plugins", "pyyaml", "babel",
              "pagefind", "pagefind-bin-extended")

# ------------------------------------------------------------------------------------------- recording

_reads: ContextVar[set[str] | None] = ContextVar("dependency_reads", default=None)


def current_reads() -> set[str] | None:
    """The set the reads of the output being made go to; None when nothing records."""
    return _reads.get()


def note(key: str) -> None:
    reads = _reads.get()
    if reads is not None:
        reads.add(key)


@contextmanager
def recording() -> Iterator[set[str]]:
    """Collect the input keys read inside the block (an enclosing block gets them too)."""
    reads: set[str] = set()
    outer = _reads.get()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)
        if outer is not None:
            outer |= reads


def remember_last(function):
    """`function`, remembering its last result: called again with the same arguments (the same objects, or equal
    strings and tuples), it returns that result and notes the input keys the call that made it read (they are the
    caller's inputs too). For a function of the immutable model that costs a large site's rebuild time although
    its arguments seldom change: watch mode's quick rebuilds (quick.py) keep the model's unchanged parts."""
    last: tuple | None = None

    def same(a, b) -> bool:
        return a is b or (type(a) in (str, tuple) and type(b) is type(a) and a == b)

    @functools.wraps(function)
    def remembering(*args):
        nonlocal last
        if last is not None and len(last[0]) == len(args) and all(map(same, last[0], args)):
            _replay(last[2])
            return last[1]
        with recording() as reads:
            result = function(*args)
        last = (args, result, frozenset(reads))
        return result

    return remembering


def remember_each(function):
    """`function(item, *values)` of an immutable `item` and plain values, remembering its result for each item
    of this round of calls and the last (`.new_round()` starts one): called again with the same item (the same
    object) and equal values, it returns that result and notes the input keys the call that made it read. For
    the part of a whole-site summary that comes from one route: a quick rebuild (quick.py) keeps the routes
    that did not change. (The entries hold their items, so an id is never that of another item.)"""
    rounds: list[dict[int, tuple]] = [{}, {}]  # this round's, the last one's: id(item) -> (item, values, result, reads)

    @functools.wraps(function)
    def remembering(item, *values):
        entry = rounds[0].get(id(item)) or rounds[1].get(id(item))
        if entry is not None and entry[0] is item and entry[1] == values:
            _replay(entry[3])
        else:
            with recording() as reads:
                result = function(item, *values)
            entry = (item, values, result, frozenset(reads))
        rounds[0][id(item)] = entry
        return entry[2]

    def new_round() -> None:
        rounds[1], rounds[0] = rounds[0], {}

    remembering.new_round = new_round
    return remembering


def _replay(keys: frozenset[str]) -> None:
    reads = _reads.get()
    if reads is not None:
        reads |= keys


def template_key(name: str) -> str:
    return "t:" + name


def data_key(name: str) -> str:
    return "d:" + name


def source_key(field_name: str, path: Path | str) -> str:
    return f"s:{field_name}:{path}"


def route_key(key: str) -> str:
    return "r:" + key


# ------------------------------------------------------------------------------------------ hashing

DIGEST_LENGTH = 32  # hex digits (128 bits) of a digest


def content_hash(data: bytes = b""):
    """A new hash object of the kind `digest` uses, fed `data` (more with its update(); parsecache.py hashes what it
    writes as it writes it); `hexdigest` gives its digest.

    SHA-256, cut to 128 bits: it tells contents apart, with no adversary in view (an editor's own files and the
    build's outputs). Chosen over BLAKE2b for speed where it counts: the processors this runs on (x86-64 since
    about 2017-2019, ARMv8) compute SHA-256 in hardware, which OpenSSL, behind hashlib, uses; on the benchmark
    machine it hashes 20 MB in 11 ms against BLAKE2b's 24 ms. A build hashes every input it reads, every output
    it makes and its parse cache: 56 MB in a cold build of the 2,000-page benchmark site."""
    return hashlib.sha256(data)


def hexdigest(content: hashlib._Hash) -> str:
    """The digest of what a `content_hash` object was fed, as `digest` gives it."""
    return content.hexdigest()[:DIGEST_LENGTH]


def digest(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hexdigest(content_hash(data))


_KNOWN: dict[str, tuple[str, str]] = {}  # path -> (stat signature, content hash) of files hashed in this process
HASHES_FILE = "hashes.json"  # in the cache folder: the inputs' entries of _KNOWN, for the next build (save_hashes)
HASHES_FORMAT = 2  # 2: SHA-256 digests (`digest`)


def file_hash(path: Path | str) -> str:
    """The hash of the file's content; MISSING when there is no file. A file this process has hashed before (or
    the last build: recall_hashes) is not read again while its stat signature is the same, unless it had changed
    too recently for its signature to be trusted (stamp.racy): within one build each input is checked up to three
    times, watch mode builds again and again in the same process, and a build after an edit reads the edited
    files only."""
    known = _known_hash(path)
    if known is not None:
        return known
    read = read_hashed(path)
    remember(read)
    return read.hash


def _known_hash(path: Path | str) -> str | None:
    """The file's hash as this process knows it, while its stat signature is the one it was hashed at; None when
    the file must be read (or cannot be stat'ed: reading it says how)."""
    from .stamp import file_signature

    try:
        known = _KNOWN.get(os.fspath(path))
        return known[1] if known is not None and known[0] == file_signature(os.stat(path)) else None
    except OSError:
        return None


@dataclass(frozen=True)
class HashedRead:
    """A file's bytes and their hash, from one read (`read_hashed`)."""

    path: str
    data: bytes | None  # None when the file could not be read
    hash: str  # its digest, MISSING or UNSTABLE
    signature: str | None  # its stat signature before the read, when it can be trusted to change with the content


def read_hashed(path: Path | str) -> HashedRead:
    """Read the file and hash what was read: for a parse that hashes the bytes it parses (build.py's workers), and
    `file_hash`."""
    from .stamp import file_signature, racy

    key = os.fspath(path)
    try:
        info = os.stat(key)
        with open(key, "rb") as file:
            data = file.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return HashedRead(key, None, MISSING, None)
    except OSError:
        return HashedRead(key, None, UNSTABLE, None)
    # read after the stat: a change in between gave the file a new signature, which no later stat will match
    trusted = not racy(max(info.st_mtime_ns, info.st_ctime_ns), time.time_ns())
    return HashedRead(key, data, digest(data), file_signature(info) if trusted else None)


def remember(read: HashedRead) -> None:
    """Keep the hash of a read whose signature can be trusted, for `file_hash` (in the process that calls this:
    a worker's reads are remembered by the build's process, from its results)."""
    if read.signature is not None:
        _KNOWN[read.path] = (read.signature, read.hash)


def save_hashes(cache_dir: Path, files: FileHashes) -> None:
    """Keep the content hashes of this build's inputs with the stat signatures they were taken at, for the next
    build's `recall_hashes`: only those `file_hash` trusts in this process (not racy when they were taken) and that
    are the ones the build used. A build after a one-page edit then reads the one file, not all of them."""
    known = {path: list(_KNOWN[path]) for path, found in sorted(files.items())
             if path in _KNOWN and _KNOWN[path][1] == found}
    _replace_text(cache_dir / HASHES_FILE,
                  json.dumps({"format": HASHES_FORMAT, "files": known}, ensure_ascii=False, separators=(",", ":")))


_RECALLED: set[Path] = set()  # the cache folders whose kept hashes this process took (recall_hashes)


def recall_hashes(cache_dir: Path) -> None:
    """Take the hashes the last build kept (save_hashes) as hashed in this process: `file_hash` uses one while the
    file's stat signature is the one it was taken at, which no change to the file keeps (stamp.py says why).
    A missing or malformed file is no more than a build that hashes every input. Once per cache folder and
    process: after that, what this process hashed is in _KNOWN already (watch mode builds again and again)."""
    if cache_dir in _RECALLED:
        return
    _RECALLED.add(cache_dir)
    try:
        document = json.loads((cache_dir / HASHES_FILE).read_text("utf-8"))
        if document.get("format") != HASHES_FORMAT:
            return
        entries = document["files"].items()
        recalled = {path: (signature, found) for path, (signature, found) in entries
                    if isinstance(path, str) and isinstance(signature, str) and isinstance(found, str)}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):  # (ValueError: also a bad UTF-8 or JSON)
        return
    for path, entry in recalled.items():
        _KNOWN.setdefault(path, entry)


_generator: str | None = None  # generator_id, once known in this process


def generator_id() -> str:
    """The package version, a hash of the package's source files and the libraries' versions (computed once per
    process, unless the build stamp vouched for it: recall_generator_id)."""
    global _generator
    if _generator is None:
        _generator = compute_generator_id()
    return _generator


def recall_generator_id(recorded: str) -> None:
    """Take the id the last build recorded, without computing it: for stamp.check, when what the id is made from
    has the same signature as then (the same trust as a build with nothing changed puts in it)."""
    global _generator
    if _generator is None:
        _generator = recorded


def compute_generator_id() -> str:
    from importlib import metadata  # slow to import: a build with nothing changed does without it (stamp.py)

    package = Path(__file__).resolve().parent
    parts = [__version__]
    for path in sorted(package.rglob("*.py")):
        parts.append(f"{path.relative_to(package).as_posix()}={file_hash(path)}")
    for name in _LIBRARIES:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} absent")
    return f"{__version__}+{digest(chr(10).join(parts))}"


class FileHashes:
    """Content hashes of the input files, taken before the build reads them: every file under the
    content and templates folders, and the config file. A file under those folders that was not
    there then counts as missing (it did not exist when the build started).

    Deferred: the Markdown files under the content folder that this process has no hash of (a cold build's
    sources). The parse hashes the bytes it reads (`read_hashed`) and gives the hash here (`take`): the same
    promise, a parse keyed by the content it was made from, without reading every source twice, once here before
    the workers start and again in them. A deferred file that anything asks about first is hashed then."""

    def __init__(self, roots: tuple[Path, ...] = (), files: tuple[Path, ...] = (), config=None,
                 defer_under: Path | None = None):
        self.config = config  # the SiteConfig read to find the folders (None when it is unusable)
        self.roots = tuple(root.resolve() for root in roots)
        self._prefixes = tuple(os.path.join(str(root), "") for root in self.roots)
        # by the path as a string: hashing and comparing Path objects is most of a large site's dependency checks
        self._hashes: dict[str, str] = {}
        self._deferred: set[str] = set()
        deferred = os.path.join(str(defer_under.resolve()), "") if defer_under is not None else None
        for root in self.roots:
            for path in files_under(str(root)) if root.is_dir() else ():
                if deferred is not None and path.endswith(".md") and path.startswith(deferred):
                    known = _known_hash(path)
                    if known is None:
                        self._deferred.add(path)
                        continue
                    self._hashes[path] = known
                else:
                    self._hashes[path] = file_hash(path)
        for path in files:
            self._hashes[str(path.resolve())] = file_hash(path)

    @classmethod
    def before_load(cls, config_path: Path) -> FileHashes:
        """Snapshot the inputs of the site whose config is at `config_path` (nothing when the config is
        unusable: the build then stops with its errors)."""
        from .config import load_config
        from .errors import ErrorList

        config = load_config(config_path, ErrorList(config_path.resolve().parent))
        if config is None:
            return cls(files=(config_path,))
        recall_hashes(config.cache_dir)
        return cls((config.content_dir, config.templates_dir), (config_path,), config, config.content_dir)

    def deferred(self, path: Path | str) -> bool:
        """Whether the file is still to be hashed (by the parse that reads it, or when asked about)."""
        return os.fspath(path) in self._deferred

    def take(self, read: HashedRead) -> None:
        """The hash of a deferred file, from the read a parse made of it. A file hashed meanwhile that the parse
        read other bytes of changed while the build ran: unstable, then."""
        remember(read)
        if read.path in self._deferred:
            self._deferred.discard(read.path)
            self._hashes[read.path] = read.hash
        elif self._hashes.get(read.path, read.hash) != read.hash:
            self._hashes[read.path] = UNSTABLE

    def updated(self, hashes: dict[str, str]) -> FileHashes:
        """These hashes (by absolute path) in place of the ones taken: for a rebuild told which files changed since
        (quick.py)."""
        self._hash_deferred()
        new = object.__new__(FileHashes)
        new.config, new.roots, new._prefixes = self.config, self.roots, self._prefixes
        new._hashes = {**self._hashes, **hashes}
        new._deferred = set()
        return new

    def items(self) -> Iterator[tuple[str, str]]:
        """The hashes taken (and any asked for since), by absolute path."""
        self._hash_deferred()
        return iter(self._hashes.items())

    def _hash_deferred(self) -> None:
        for path in sorted(self._deferred):
            self._hashes[path] = file_hash(path)
        self._deferred.clear()

    def get(self, path: Path | str) -> str:
        key = os.fspath(path)
        known = self._hashes.get(key)
        if known is not None:
            return known
        if not os.path.isabs(key):
            return self.get(Path(key).resolve())
        if key in self._deferred:
            self._deferred.discard(key)
        elif key.startswith(self._prefixes):
            return MISSING
        self._hashes[key] = file_hash(Path(key))  # deferred, or outside the snapshot (not expected): hashed now
        return self._hashes[key]


def files_under(folder: str) -> Iterator[str]:
    """The files under `folder`, as Path.rglob("*") and Path.is_file find them (links to files too, nothing
    through a link to a folder), as strings: Path objects are most of the time of listing a large site."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except PermissionError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from files_under(entry.path)
        elif entry.is_file():
            yield entry.path


# ------------------------------------------------------------------------------------------- inputs

class Inputs:
    """The current hash of each input key, for one site and build date (computed once per key)."""

    def __init__(self, site: Site, today: date, files: FileHashes, sources: dict[str, ParsedSource] | None = None):
        """`sources`: the site's parses by their files' paths, when the caller has them (quick.py)."""
        self.site, self.files = site, files
        config = site.config
        self._routes = {r.key: r for r in object.__getattribute__(site, "routes")}
        self._sources = sources if sources is not None else {
            str(object.__getattribute__(v, "file").path): v for r in self._routes.values() for v in r.versions.values()}
        self._values: dict[str, str] = {}
        self.global_hash = digest(json.dumps([
            files.get(config.path), files.get(site.strings.path), config.base_url, today.isoformat(),
            [str(config.content_dir), str(config.templates_dir)]]))

    def value(self, key: str) -> str:
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = self._compute(key)
        return found

    def assume(self, key: str, value: str) -> None:
        """Take `value` as the key's without computing it (Plan._changed_inputs knows it is unchanged)."""
        self._values.setdefault(key, value)

    def _compute(self, key: str) -> str:
        config = self.site.config
        if key == STRUCTURE:
            return digest(structure_summary(self.site))
        if key == STATIC:
            return static_hash(config.templates_dir / "static", self.files.get)
        kind, _, rest = key.partition(":")
        if kind == "t":
            return self.files.get(config.templates_dir / rest)
        if kind == "d":
            return self.files.get(config.content_dir / "data" / f"{rest}.yaml")
        if kind == "r":
            return digest(route_signature(self._routes[rest])) if rest in self._routes else MISSING
        if kind == "s":
            field_name, _, path = rest.partition(":")
            if field_name == "body":
                return self.files.get(path)
            source = self._sources.get(path)
            if source is None or field_name not in SOURCE_FIELDS:
                return MISSING
            return digest(repr(object.__getattribute__(source, field_name)))
        return UNSTABLE  # a key this version does not know: never clean

    def file_key_is_stable(self, key: str) -> bool:
        """Whether a file the key stands for still has the hash it had before the build read it."""
        kind, _, rest = key.partition(":")
        config = self.site.config
        if kind == "t":
            path = config.templates_dir / rest
        elif kind == "d":
            path = config.content_dir / "data" / f"{rest}.yaml"
        elif kind == "s" and rest.startswith("body:"):
            path = rest[len("body:"):]  # an absolute path, as source_key wrote it
        elif key == STATIC:
            return self.value(key) == static_hash(config.templates_dir / "static", file_hash)
        else:
            return True  # values taken from the parsed site: exactly what was used
        return self.files.get(path) == file_hash(path)

    def global_is_stable(self) -> bool:
        config = self.site.config
        return all(self.files.get(p) == file_hash(p) for p in (config.path, self.site.strings.path))


def static_hash(static: Path, hasher: Callable[[Path], str]) -> str:
    """The static folder: its file names and contents."""
    files = sorted(p for p in static.rglob("*") if p.is_file()) if static.is_dir() else []
    return digest("\n".join(f"{p.relative_to(static).as_posix()}={hasher(p)}" for p in files))


def route_signature(route) -> str:
    """What a page shows of its own route: template, languages (switcher, hreflang) and files."""
    versions = sorted((lang, str(object.__getattribute__(v, "file").path)) for lang, v in route.versions.items())
    return repr((route.key, route.template, route.has_all_languages, versions))


def structure_summary(site: Site) -> str:
    """Every route and every draft's metadata: what lists, navigation and the sitemap show."""
    routes = object.__getattribute__(site, "routes")
    drafts = object.__getattribute__(site, "drafts")
    lines = [route_signature(route) for route in routes]
    lines += [repr((d.number, d.meta)) for d in drafts]
    return "\n".join(lines)


# -------------------------------------------------------------------------------------------- cache

@dataclass(frozen=True)
class Record:
    hash: str  # of the output's bytes
    reads: tuple[str, ...]  # input keys (empty for outputs of a group: the group has them)
    group: str | None = None
    # the published file's stat signature when the build cache was saved (output_signature), or None
    # when it was too fresh to be trusted (stamp.racy): then its bytes are hashed to know it is unchanged
    stat: str | None = None


@dataclass(frozen=True)
class Group:
    reads: tuple[str, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Cache:
    global_hash: str
    inputs: dict[str, str]
    outputs: dict[str, Record]
    groups: dict[str, Group] = field(default_factory=dict)

    def output_hashes(self) -> dict[str, str]:
        """Each output's content hash, by its path in the output folder."""
        return {path: record.hash for path, record in self.outputs.items()}


class MalformedCache(Exception):
    pass


def load_cache(cache_dir: Path) -> tuple[Cache | None, str | None]:
    """The cache of the last build, or (None, why it was discarded); (None, None) when there is none."""
    path = cache_dir / CACHE_FILE
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read {path.name}: {exc}"
    from .heap import cycle_collector_paused

    with cycle_collector_paused(keep=True):  # the records: many objects, kept, in no cycle (heap.py)
        return _cache_from(text, path.name)


def _cache_from(text: str, name: str) -> tuple[Cache | None, str | None]:
    try:
        raw = json.loads(text)
    except ValueError:
        return None, f"{name} is not valid JSON"
    if not isinstance(raw, dict) or "format" not in raw:
        return None, f"{name} is malformed"
    if raw["format"] != FORMAT:
        return None, f"{name} has format version {raw['format']!r}, this generator uses {FORMAT}"
    if raw.get("generator") != generator_id():
        return None, f"{name} was made by another version of the generator"
    try:
        return _parse_cache(raw), None
    except MalformedCache as exc:
        return None, f"{name} is malformed ({exc})"


def _strings(value, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedCache(f"{what} must be a list of strings")
    return tuple(value)


def _safe_path(path: str) -> str:
    from .write import UnsafeOutput, safe_parts

    try:
        safe_parts(path)
    except UnsafeOutput:
        raise MalformedCache(f"output path {path!r}") from None
    return path


def _parse_cache(raw: dict) -> Cache:
    global_hash, inputs, outputs, groups = (raw.get(k) for k in ("global", "inputs", "outputs", "groups"))
    if not isinstance(global_hash, str):
        raise MalformedCache("no global hash")
    if not isinstance(inputs, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in inputs.items()):
        raise MalformedCache("'inputs' must map keys to hashes")
    if not isinstance(outputs, dict) or not isinstance(groups, dict):
        raise MalformedCache("'outputs' and 'groups' must be objects")
    records = {}
    for path, value in outputs.items():
        if not isinstance(value, dict) or not isinstance(value.get("hash"), str):
            raise MalformedCache(f"record of {path!r}")
        group = value.get("group")
        if group is not None and not isinstance(group, str):
            raise MalformedCache(f"group of {path!r}")
        reads = _strings(value.get("reads", []), f"reads of {path!r}")
        if any(key not in inputs for key in reads):
            raise MalformedCache(f"an input of {path!r} has no hash")
        signature = value.get("stat")
        if signature is not None and not isinstance(signature, str):
            raise MalformedCache(f"stat of {path!r}")
        records[_safe_path(path)] = Record(value["hash"], reads, group, signature)
    parsed_groups = {}
    for name, value in groups.items():
        if not isinstance(value, dict):
            raise MalformedCache(f"group {name!r}")
        reads, paths = _strings(value.get("reads"), f"reads of {name!r}"), _strings(value.get("paths"), name)
        if any(key not in inputs for key in reads) or any(records.get(p, Record("", ())).group != name
                                                           for p in paths):
            raise MalformedCache(f"group {name!r} does not match its outputs")
        parsed_groups[name] = Group(reads, paths)
    return Cache(global_hash, inputs, records, parsed_groups)


def save_cache(cache_dir: Path, cache: Cache) -> None:
    """Write the cache atomically (_replace_text)."""
    document = {
        "format": FORMAT,
        "generator": generator_id(),
        "global": cache.global_hash,
        "inputs": dict(sorted(cache.inputs.items())),
        "outputs": {path: {"hash": r.hash, "reads": list(r.reads), "group": r.group, "stat": r.stat}
                    for path, r in sorted(cache.outputs.items())},
        "groups": {name: {"reads": list(g.reads), "paths": list(g.paths)} for name, g in sorted(cache.groups.items())},
    }
    _replace_text(cache_dir / CACHE_FILE, json.dumps(document, ensure_ascii=False, separators=(",", ":")))


def _replace_text(path: Path, text: str) -> None:
    """Write a file of the cache folder atomically (a temporary file renamed over the old one), unless it already
    holds `text`."""
    try:
        if path.read_text("utf-8") == text:
            return  # nothing changed since the last build
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, "utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def output_signature(path: Path | str, now_ns: int | None) -> str | None:
    """A published file's stat signature (size, mtime, ctime, inode), or None when it is missing or, with
    `now_ns`, changed too recently to be trusted by it (see stamp.py on racy timestamps)."""
    from .stamp import file_signature, racy

    try:
        info = os.stat(path)
    except OSError:
        return None
    if now_ns is not None and racy(max(info.st_mtime_ns, info.st_ctime_ns), now_ns):
        return None
    return file_signature(info)


def _index_records(output_dir: Path, paths, now_ns: int) -> dict[str, Record]:
    return {path: Record(file_hash(output_dir / path), (), SEARCH, output_signature(output_dir / path, now_ns))
            for path in paths}


def with_index(cache: Cache, output_dir: Path, html: str, paths: tuple[str, ...]) -> Cache:
    """The record `cache`, saying that the search index in the output folder is now `paths`, made (after its build:
    session.Afterwards) from the HTML whose digest is `html` (Plan.html_digest)."""
    old = cache.groups.get(SEARCH)
    outputs = {path: r for path, r in cache.outputs.items() if old is None or path not in old.paths}
    outputs.update(_index_records(output_dir, paths, time.time_ns()))
    return replace(cache, inputs={**cache.inputs, HTML: html}, outputs=outputs,
                   groups={**cache.groups, SEARCH: Group((HTML,), tuple(paths))})


def discard_cache(cache_dir: Path) -> None:
    (cache_dir / CACHE_FILE).unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------- plan

class Plan:
    """Which outputs of this build can be taken from the last one. The render stage asks it for each
    page (`reuse`) and each group of other outputs (`group`); `cache()` is the record of this build."""

    def __init__(self, cache: Cache | None, inputs: Inputs, output_dir: Path):
        self.inputs, self.output_dir = inputs, output_dir
        self._output = str(output_dir)  # joined as strings: this is done for every output of the site
        self.old = cache if cache is not None and cache.global_hash == inputs.global_hash else None
        self.reused: dict[str, Record] = {}
        self.groups: dict[str, Group] = {}
        self._hashes: dict[str, str] = {}  # of this build's outputs, by path
        self._html: str | None = None
        self._index: list[tuple[str, bytes]] | None = None
        self._stale: Group | None = None  # the last search index, kept stale for now (stale_index)
        self._changed: frozenset[str] | None = None  # the last build's inputs that are not the same now
        self._verified: set[str] = set()  # outputs found unchanged by their recorded stat signature (_unchanged)
        self.search_reused = False

    def _clean(self, reads: tuple[str, ...]) -> bool:
        """Whether none of these inputs changed (every key read is one of the last build's inputs: _parse_cache)."""
        if self._changed is None:  # each input's value computed once, then a set operation per output
            self._changed = self._changed_inputs()
        return self._changed.isdisjoint(reads)

    def _changed_inputs(self) -> frozenset[str]:
        """The last build's inputs whose values are not the same now. Two kinds are not computed again when what
        they are made from is known to be the same:
        - a front-matter field of a source whose file has the content it had then (by its recorded `s:body` key):
          the same content parses the same under the same global hash (Plan.old), which covers what else a parse
          depends on (the config: the languages, the raw-HTML setting);
        - a route's signature (`r:KEY`), when the site's structure is the recorded one: its summary is made of
          every route's signature (structure_summary)."""
        value, recorded = self.inputs.value, self.old.inputs
        same_structure = STRUCTURE in recorded and value(STRUCTURE) == recorded[STRUCTURE]
        changed = set()
        for key, old in recorded.items():
            if key.startswith("s:") and not key.startswith("s:body:"):
                body = source_key("body", key.split(":", 2)[2])
                if recorded.get(body, UNSTABLE) not in (UNSTABLE, MISSING) and value(body) == recorded[body]:
                    self.inputs.assume(key, old)
                    continue
            elif same_structure and key.startswith("r:") and old != MISSING:
                self.inputs.assume(key, old)
                continue
            if value(key) != old:
                changed.add(key)
        return frozenset(changed)

    def _published(self, path: str, record: Record) -> bytes | None:
        """The output's bytes from the output folder, when they are the recorded ones."""
        try:
            data = (self.output_dir / path).read_bytes()
        except OSError:
            return None
        return data if digest(data) == record.hash else None

    def _unchanged(self, path: str, record: Record) -> bool:
        """Whether the published file is the one the last build recorded: by its stat signature when that
        was recorded (no reading), else by the hash of its bytes."""
        if record.stat is not None:
            if output_signature(os.path.join(self._output, path), None) != record.stat:
                return False
            self._verified.add(path)
            return True
        return self._published(path, record) is not None

    def reuse(self, path: str) -> Output | None:
        """The page at `path` as the last build made it, when nothing it was made from changed."""
        from .pagegen import Output

        record = self.old.outputs.get(path) if self.old is not None else None
        if record is None or record.group is not None or not self._clean(record.reads):
            return None
        if not self._unchanged(path, record):
            return None
        self.reused[path] = record
        return Output(path, None, reads=frozenset(record.reads))  # the bytes stay in the output folder

    def group(self, name: str, make: Callable[[], list[Output]]) -> list[Output]:
        """The outputs of a group: the last build's when nothing the group read changed, else made again."""
        from .pagegen import Output

        old = self.old.groups.get(name) if self.old is not None else None
        if old is not None and self._clean(old.reads):
            if all(self._unchanged(path, self.old.outputs[path]) for path in old.paths):
                self.reused.update((path, self.old.outputs[path]) for path in old.paths)
                self.groups[name] = old
                return [Output(path, None) for path in old.paths]  # the bytes stay in the output folder
        with recording() as reads:
            outputs = make()
        self.groups[name] = Group(tuple(sorted(reads)), tuple(o.path for o in outputs))
        return outputs

    def _hash(self, output: Output) -> str:
        found = self._hashes.get(output.path)
        if found is None:
            kept = self.reused.get(output.path)
            found = self._hashes[output.path] = (kept.hash if kept is not None else output.digest
                                                 if output.digest is not None else digest(output.data))
        return found

    def _kept_index(self, outputs: tuple[Output, ...]) -> list[tuple[str, bytes]] | None:
        """The files the before-swap step (the search index) added last time, from the output folder, when
        every HTML output is byte-identical to the last build's (the index is made from them and nothing
        else) and those files are still as it wrote them; else None."""
        if self._html is None:
            self._html = digest("\n".join(f"{o.path}={self._hash(o)}" for o in outputs if o.path.endswith(".html")))
            old = self.old.groups.get(SEARCH) if self.old is not None else None
            if old is not None and self.old.inputs.get(HTML) == self._html and not {o.path for o in outputs} & \
                    set(old.paths):
                kept = [(path, self._published(path, self.old.outputs[path])) for path in old.paths]
                self._index = kept if all(data is not None for _, data in kept) else None
        return self._index

    def search_kept(self, outputs: tuple[Output, ...]) -> frozenset[str] | None:
        """The search index files of the last build, when they stay as they are (`_kept_index`); else None."""
        kept = self._kept_index(outputs)
        return None if kept is None else frozenset(path for path, _ in kept)

    def stale_index(self, outputs: tuple[Output, ...]) -> frozenset[str] | None:
        """When the search index must be made again (`_kept_index` is None) but the last one is still in the output
        folder as it was written: its files. A watch-mode rebuild keeps them, stale, and makes the index again after
        the browsers have reloaded (session.Afterwards). The cache goes on saying which HTML that index was made
        from, so nothing ever takes it for current. None when there is no such index."""
        if self.old is None or self._kept_index(outputs) is not None:
            return None
        old = self.old.groups.get(SEARCH)
        if old is None or HTML not in self.old.inputs or {o.path for o in outputs} & set(old.paths):
            return None
        # only there, not checked byte for byte: it is kept for a moment, recorded as it was (Plan.cache), and
        # whatever reads it later checks it (_kept_index); hashing every file of it on each rebuild would not pay
        if not all((self.output_dir / path).is_file() for path in old.paths):
            return None
        self._stale = old
        return frozenset(old.paths)

    @property
    def html_digest(self) -> str | None:
        """What the search index is made from: every HTML output of this build, by path and hash (once
        `_kept_index` has run)."""
        return self._html

    def before_swap(self, step: Callable[[Path], None], outputs: tuple[Output, ...]) -> Callable[[Path], None]:
        """The before-swap step that adds files to the staging folder (the search index), or a copy of the
        files it added last time when nothing it reads changed (`_kept_index`)."""
        kept = self._kept_index(outputs)

        def run(staging: Path) -> None:
            if kept is None:
                step(staging)
                return
            for path, data in kept:
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            self.search_reused = True

        return run

    def output_is_current(self, outputs: tuple[Output, ...], search: bool) -> tuple[str, ...] | None:
        """When the output folder already holds exactly what writing this build would leave there (every
        output kept from the last build, byte for byte; the search index too, when the site has one; and no
        other file, folder or link), the files of the search index; else None: then the build writes."""
        if len(self.reused) != len(outputs):
            return None
        index = self._kept_index(outputs) if search else []
        if index is None:
            return None
        wanted: set[str] = set()
        for path in [o.path for o in outputs] + [path for path, _ in index]:
            parts = path.split("/")
            wanted.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))
        found = set()
        for item in self.output_dir.rglob("*") if self.output_dir.is_dir() else ():
            if item.is_symlink() or not (item.is_file() or item.is_dir()):
                return None
            found.add(item.relative_to(self.output_dir).as_posix())
        return tuple(path for path, _ in index) if found == wanted else None

    def cache(self, outputs: tuple[Output, ...], added: tuple[str, ...] = (), kept_in_place: bool = False) -> Cache:
        """The record of this build; `added` are the files the before-swap step added, now in the output
        folder. Inputs that changed while the build ran are saved as unstable.

        `kept_in_place` (write.WriteResult): the outputs taken from the last build are the files that were there.
        Those found unchanged by their recorded signature keep it, without another stat (should one change
        since, it no longer matches, and the next build makes it again). Else they were linked into a new folder
        swapped in, and the old folder's removal, which may still be going on, changes their ctime after this:
        recorded without a signature, the next build checks them by their bytes (and records their signature)."""
        grouped = {path: name for name, group in self.groups.items() for path in group.paths}
        records = {}
        now = time.time_ns()  # the signatures are taken now; what changed just before is not trusted by them
        for output in outputs:
            if output.path in self.reused:
                kept = self.reused[output.path]
                signature = None if not kept_in_place else kept.stat if output.path in self._verified else \
                    output_signature(os.path.join(self._output, output.path), now)
                records[output.path] = Record(kept.hash, kept.reads, kept.group, signature)
                continue
            signature = output_signature(os.path.join(self._output, output.path), now)
            if output.path in grouped:
                records[output.path] = Record(self._hash(output), (), grouped[output.path], signature)
            else:
                records[output.path] = Record(self._hash(output), tuple(sorted(output.reads)), None, signature)
        groups = dict(self.groups)
        keys = {key for r in records.values() for key in r.reads} | {k for g in groups.values() for k in g.reads}
        inputs = {key: self.inputs.value(key) if self.inputs.file_key_is_stable(key) else UNSTABLE
                  for key in sorted(keys)}
        if self._stale is not None:  # the last index, kept as it was: still the index of the HTML it was made from
            for path in self._stale.paths:
                records[path] = self.old.outputs[path]  # as recorded: its files were not checked (stale_index)
            groups[SEARCH] = self._stale
            inputs[HTML] = self.old.inputs[HTML]
        elif added and self._html is not None:
            records.update(_index_records(self.output_dir, added, now))
            groups[SEARCH] = Group((HTML,), tuple(added))
            inputs[HTML] = self._html
        global_hash = self.inputs.global_hash if self.inputs.global_is_stable() else UNSTABLE
        return Cache(global_hash, inputs, records, groups)
