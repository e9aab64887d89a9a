"""The build stamp: a build with nothing changed since the last one returns at once, without loading the site.

After a successful build, `build.build` saves `stamp.json` in the cache folder. It says: a build of these
inputs, by this generator, with these options, leaves exactly this output folder. It holds the generator id,
the options that shape the output (`today`, a `--base-url` override), the site's folders as the config file
names them, the counts the command line reports, the entries of every folder (the config file; the content
folder; the templates folder with its static files; the output folder; the cache folder but the stamp), and
two digests of the stat signature (size, mtime_ns, ctime_ns, inode) of every file and folder in them: one of
the inputs, one of the output and cache folders. The next build (`check`) takes the same signatures with
os.lstat before it imports anything heavy; when everything matches, the output folder already holds what a
build would leave there, and the build says so and returns. Anything different, missing, unreadable or
malformed means an ordinary build. A folder reached through a symbolic link, or a special file, is never
stamped (a link to a file is followed, as the build follows it).

Why signatures are enough (on POSIX file systems): changing a file sets its mtime and ctime to the current time,
and ctime cannot be set back (os.utime sets it too); adding, removing or renaming an entry of a folder does the
same to the folder. So a file or folder whose timestamps are older than the moment its signature was taken
cannot change without changing its signature, and a folder's entries need not be read again while its signature
holds.

Racy timestamps (git's "racy git" problem): a change within the file system's timestamp granularity of that
moment (up to 2 s on some file systems) keeps the timestamps, and, for a file of the same size, the whole
signature. So whatever has an mtime or ctime not older than RACY_NS (2 s) before its signature was taken
(100 ms, RACY_FINE_NS, when the timestamp has a fraction of a second: the file system keeps them finely) is
not trusted by its signature alone: for such a file the stamp keeps its content hash (`deps.file_hash`) and
the check hashes it again; such a folder's entries are read again and compared. The inputs' signatures are
taken when the build starts, the output and cache folders' when the stamp is saved. An input's hash is the one
`deps.FileHashes` took before the build read the file; an output's is the one the build recorded in the build
cache, after it wrote the file or checked its bytes. A check that finds racy files and folders as recorded
and now old enough saves the stamp again with them trusted.

Edits during a build: the inputs' signatures are taken before the build reads them and again when the stamp is
saved; a build that saw an input change saves no stamp (and removes the last one).

The cache folder is compared by its entries' signatures only, and its entries are always read (the stamp's own
writes change the folder): the stamp does not vouch for the cache (the check reads none of it); it is compared
so that an ordinary build reports a damaged cache as before.

The generator: its id (`deps.generator_id`) hashes the package's sources and asks importlib.metadata, slow to
import, for the libraries' versions. So the stamp also keeps a key of what the id is made from: the interpreter,
sys.path with the signature of each of its folders (installing or removing a library adds or removes entries
there) and the signatures of the package's source files. When the key is the same, so is the id; when it is
not, or was racy, the check computes the id. A check that finds something changed hands the recorded id to the
build that follows when the key is the same (`deps.recall_generator_id`), which then does not compute it either.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, NamedTuple

if TYPE_CHECKING:
    from .build import BuildOptions
    from .config import SiteConfig
    from .deps import FileHashes

FORMAT = 1
STAMP_FILE = "stamp.json"
CACHE_DIR = ".wtpfsite-cache"  # beside the config file, as `config.SiteConfig.cache_dir`
RACY_NS = 2_000_000_000  # for timestamps in whole seconds (FAT has 2 s)
# for timestamps with a fraction of a second (ext4, XFS, Btrfs, APFS, NTFS, tmpfs): the kernel's clock for them
# moves in steps of a few milliseconds at most
RACY_FINE_NS = 100_000_000


def racy(newest: int, started_ns: int) -> bool:
    """Whether a file or folder changed at `newest` (its newer of mtime and ctime) may change again without
    changing its signature, for a signature taken at `started_ns`."""
    return newest >= started_ns - (RACY_NS if newest % 1_000_000_000 == 0 else RACY_FINE_NS)


def file_signature(info: os.stat_result) -> str:
    """A file's stat signature: what changes whenever its content can have changed (see above)."""
    return f"{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}"


FILE, FOLDER, LINK = "f", "d", "l"  # the kinds of entries in a folder's record


class Changed(Exception):
    """Something is not as the stamp records it (only `check` raises it)."""


class Untrusted(Exception):
    """Something the stamp cannot vouch for: a folder reached through a link, a special file."""


class Unchanged(NamedTuple):
    """What `check` found: nothing changed since the build that saved the stamp, which reported these counts."""
    output_dir: Path
    files: int
    pages_per_language: dict[str, int]


def stamp_path(config_path: Path) -> Path:
    return config_path.resolve().parent / CACHE_DIR / STAMP_FILE


# ----------------------------------------------------------------------------------------- signatures

Skip = Callable[[str], bool]
Folders = list[list[str]]  # [folder relative to the tree's root ("" or "a/b/"), its entries (kind + name, NUL-joined)]


class Signature:
    """The stat signatures of some files and folders: `lines`, one per entry in a fixed order (what the digest is
    made of), and, for the racy rule, the files and the folders with the newer of their mtime and ctime."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.files: list[tuple[str, int]] = []
        self.folders: list[tuple[str, int]] = []

    def digest(self) -> str:
        return hashlib.blake2b("\n".join(self.lines).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()

    def racy_files(self, started_ns: int) -> list[str]:
        return [path for path, newest in self.files if racy(newest, started_ns)]

    def racy_folders(self, started_ns: int) -> list[str]:
        return [path for path, newest in self.folders if racy(newest, started_ns)]

    def file(self, tag: str, path: str) -> None:
        """One file (a missing one too); a link is followed."""
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            self.lines.append(f"{tag}\0missing")
            return
        if not stat.S_ISREG(info.st_mode):
            raise Untrusted(path)
        self._file(f"{tag}\0", path, info)

    def folder(self, tag: str, path: str) -> None:
        """A folder's own signature, not its entries' (for sys.path)."""
        try:
            info = os.stat(path or ".")
        except OSError:
            self.lines.append(f"{tag}\0missing")
            return
        self._folder(f"{tag}\0", path, info)

    def _file(self, name: str, path: str, info: os.stat_result) -> None:
        self.lines.append(f"{name}\0{file_signature(info)}")
        self.files.append((path, max(info.st_mtime_ns, info.st_ctime_ns)))

    def _folder(self, name: str, path: str, info: os.stat_result) -> None:
        self.lines.append(f"{name}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}")
        self.folders.append((path, max(info.st_mtime_ns, info.st_ctime_ns)))

    # A tree: a folder and everything under it. `scan` reads every folder's entries and returns them as the
    # stamp records them; `replay` takes the signatures of the recorded entries again and reads only the
    # entries of the folders in `read` (True: all). Both add the same lines when nothing changed. A tree
    # whose folders' own signatures are left out (`own=False`) has its entries read every time.

    def scan(self, tag: str, root: str, skip: Skip | None = None, own: bool = True) -> Folders | None:
        """Every folder of the tree with its entries; None when the tree's root does not exist."""
        self.lines.append(f"{tag}\0{root}")
        try:
            info = os.lstat(root)
        except FileNotFoundError:
            self.lines.append("missing")
            return None
        folders: Folders = []
        self._scan(root, "", info, skip, own, folders)
        return folders

    def _scan(self, root: str, relative: str, info: os.stat_result, skip: Skip | None, own: bool,
              folders: Folders) -> None:
        path = root + "/" + relative
        if not stat.S_ISDIR(info.st_mode):
            raise Untrusted(path)
        if own:
            self._folder(relative, path, info)
        entries = _entries(path, skip)
        folders.append([relative, "\0".join(entries)])
        below = []
        for entry in entries:
            kind, name = entry[0], entry[1:]
            if kind == FOLDER:
                below.append(name)
            else:
                self._entry(relative, path + name, kind, name)
        for name in below:
            self._scan(root, relative + name + "/", os.lstat(path + name), skip, own, folders)

    def replay(self, tag: str, root: str, folders: Folders | None, read: set[str] | bool,
               skip: Skip | None = None, own: bool = True) -> None:
        """The signatures of the tree as `scan` recorded it; raises Changed where it finds another entry.
        (The loop over files is `_entry` and `_file` written out: it runs for every file of the site.)"""
        lines, files, lstat = self.lines, self.files, os.lstat
        lines.append(f"{tag}\0{root}")
        if folders is None:
            if os.path.lexists(root):
                raise Changed(root)
            lines.append("missing")
            return
        for relative, recorded in folders:
            path = root + "/" + relative
            info = lstat(path)
            if not stat.S_ISDIR(info.st_mode):
                raise Changed(path)
            if own:
                self._folder(relative, path, info)
            if (read is True or path in read) and "\0".join(_entries(path, skip)) != recorded:
                raise Changed(path)
            for entry in recorded.split("\0") if recorded else ():
                kind, name = entry[0], entry[1:]
                if kind == FOLDER:
                    continue
                file = path + name
                info = lstat(file)
                if kind != FILE or not stat.S_ISREG(info.st_mode):
                    self._entry(relative, file, kind, name)
                    continue
                mtime, ctime = info.st_mtime_ns, info.st_ctime_ns
                lines.append(f"{relative}{kind}{name}\0{file_signature(info)}")
                files.append((file, mtime if mtime > ctime else ctime))

    def _entry(self, relative: str, path: str, kind: str, name: str) -> None:
        info = os.lstat(path)
        if kind == LINK and stat.S_ISLNK(info.st_mode):
            info = os.stat(path)  # the file it points to: what a build reads
        elif kind == LINK or stat.S_ISLNK(info.st_mode):
            raise Changed(path)
        if not stat.S_ISREG(info.st_mode):
            raise Untrusted(path)
        self._file(relative + kind + name, path, info)


def _entries(folder: str, skip: Skip | None) -> list[str]:
    """A folder's entries, sorted by name, each as its kind and name."""
    entries = []
    with os.scandir(folder) as scan:
        for entry in scan:
            if skip is not None and skip(entry.name):
                continue
            if entry.is_symlink():
                if entry.is_dir():
                    raise Untrusted(entry.path)  # a folder through a link: the stamp cannot see it change
                kind = LINK
            else:
                kind = FOLDER if entry.is_dir(follow_symlinks=False) else FILE
            entries.append((entry.name, kind))
    return [kind + name for name, kind in sorted(entries)]


def _skip_in_cache(name: str) -> bool:
    """The stamp itself, and the temporary files of atomic writes (`.deps.json.123.tmp`)."""
    return name == STAMP_FILE or name.startswith(".")


def _skip_in_package(name: str) -> bool:
    """What `deps.generator_id` does not hash: all but *.py files (and folders that may hold some)."""
    return name == "__pycache__" or ("." in name and not name.endswith(".py"))


def generator_signature() -> Signature:
    """What `deps.generator_id` is made from (see the module's docstring)."""
    signature = Signature()
    signature.lines += [sys.version, sys.executable]
    for number, entry in enumerate(sys.path):
        signature.folder(f"sys.path {number} {entry}", entry)
    signature.scan("package", str(Path(__file__).resolve().parent), _skip_in_package)
    return signature


def generator_key(signature: Signature, started_ns: int) -> str | None:
    """The signature's digest, or None while a file or folder of it is racy for `started_ns`."""
    racy = signature.racy_files(started_ns) or signature.racy_folders(started_ns)
    return None if racy else signature.digest()


# ---------------------------------------------------------------------------------------------- save

class Before(NamedTuple):
    """The inputs' signatures, taken before the build reads them."""
    started_ns: int  # when the build started: what changed since RACY_NS before it is racy
    config_path: Path
    content_dir: Path
    templates_dir: Path
    output_dir: Path  # as the config file names it (--out may name another)
    inputs: Signature
    folders: dict[str, Folders | None]  # of the content and templates trees


def _scan_inputs(config_path: Path, content_dir: Path, templates_dir: Path) -> tuple[Signature, dict]:
    signature = Signature()
    signature.file("config", str(config_path))
    folders = {"content": signature.scan("content", str(content_dir)),
               "templates": signature.scan("templates", str(templates_dir))}
    return signature, folders


def before_build(started_ns: int, config: SiteConfig | None) -> Before | None:
    """The inputs' signatures at the start of the build, in the folders of the config `deps.FileHashes` read
    (None when it is unusable or the inputs cannot be stamped)."""
    if config is None:
        return None
    try:
        inputs, folders = _scan_inputs(config.path, config.content_dir, config.templates_dir)
    except (Untrusted, OSError):
        return None
    return Before(started_ns, config.path, config.content_dir, config.templates_dir, config.output_dir, inputs,
                  folders)


def before_now(config: SiteConfig, files: FileHashes) -> Before | None:
    """The inputs' signatures now, for a build that made its outputs from the contents `files` names (watch mode's
    quick rebuild, which reads only the saved files: quick.py), when every input has that content now; else None
    (the build cannot be stamped). `save` then checks, as for any build, that none changed since."""
    from .deps import file_hash

    before = before_build(time.time_ns(), config)
    if before is None or any(files.get(path) != file_hash(path) for path, _ in before.inputs.files):
        return None
    return before


def save(before: Before | None, options: BuildOptions, config: SiteConfig, files: FileHashes,
         outputs: Mapping[str, str], pages_per_language: dict[str, int], count: int) -> bool:
    """Save the stamp of the build that has just finished, or remove the last one when this build cannot be
    stamped. `config` is the one the build used, `files` the input hashes it took before it read them, `outputs`
    the hashes of the files it left in the output folder, by path; `count` is the number of outputs the command
    line reports."""
    path = stamp_path(options.config_path)
    document = _document(before, options, config, files, outputs, pages_per_language, count)
    if document is None or path.parent != config.cache_dir:
        path.unlink(missing_ok=True)
        return False
    _write(path, document)
    return True


def _document(before: Before | None, options: BuildOptions, config: SiteConfig, files: FileHashes,
              outputs: Mapping[str, str], pages_per_language: dict[str, int], count: int) -> dict | None:
    from .deps import MISSING, UNSTABLE, generator_id

    if before is None or (before.config_path, before.content_dir, before.templates_dir) != \
            (config.path, config.content_dir, config.templates_dir):
        return None  # the config file changed while the build ran
    if options.output_dir is None and config.output_dir != before.output_dir:
        return None
    try:
        inputs, _ = _scan_inputs(config.path, config.content_dir, config.templates_dir)
        # what the build produced is racy by when its signature is taken (now), not by when the build started
        scanned_ns = time.time_ns()
        produced = Signature()
        output_folders = produced.scan("output", str(config.output_dir))
        cache_folders = produced.scan("cache", str(config.cache_dir), _skip_in_cache, own=False)
    except (Untrusted, OSError):
        return None
    if inputs.lines != before.inputs.lines:
        return None  # an input changed while the build ran
    prefix = str(config.output_dir) + "/"
    in_output = {path: path[len(prefix):] for path, _ in produced.files if path.startswith(prefix)}
    if set(in_output.values()) != set(outputs):
        return None  # the output folder holds something this build did not record
    racy: dict[str, str] = {}
    for path in before.inputs.racy_files(before.started_ns):
        racy[path] = files.get(Path(path))  # as the build found it before it read it
        if racy[path] in (MISSING, UNSTABLE):
            return None
    for path in produced.racy_files(scanned_ns):
        if path in in_output:  # the cache's files are compared by signature only
            racy[path] = outputs[in_output[path]]
    racy_folders = before.inputs.racy_folders(before.started_ns) + produced.racy_folders(scanned_ns)
    return {
        "format": FORMAT,
        "generator": generator_id(),
        "generator_key": generator_key(generator_signature(), before.started_ns),
        "options": _options(options),
        "config": str(config.path),
        "content_dir": str(config.content_dir),
        "templates_dir": str(config.templates_dir),
        "config_output_dir": str(before.output_dir),
        "output_dir": str(config.output_dir),
        "files": count,
        "pages_per_language": pages_per_language,
        "started_ns": before.started_ns,
        "inputs": inputs.digest(),
        "outputs": produced.digest(),
        "racy_files": dict(sorted(racy.items())),
        "racy_folders": sorted(racy_folders),
        "folders": {**before.folders, "output": output_folders, "cache": cache_folders},
    }


def _options(options: BuildOptions) -> dict:
    """The options that shape the output (`workers` does not; the output folder is compared on its own)."""
    return {"today": options.today.isoformat(), "base_url": options.base_url}


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), "utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------- check

def check(options: BuildOptions) -> Unchanged | None:
    """Whether nothing changed since the build that saved the stamp (see the module's docstring): then what it
    reported, else None. Loads nothing of the site and imports nothing heavy."""
    started_ns = time.time_ns()
    path = stamp_path(options.config_path)
    document = _read(path)
    if document is None:
        return None
    unchanged = _check(document, options, path, started_ns)
    if unchanged is None:  # a build follows: it needs the generator id, which the stamp may vouch for
        try:
            same = document["generator_key"] == generator_signature().digest()
        except (Untrusted, OSError):
            same = False
        if same:
            from .deps import recall_generator_id

            recall_generator_id(document["generator"])
    return unchanged


class OutputState(NamedTuple):
    """The output folder as a build left it: the stat signature of every file and folder in it (kind, size,
    mtime, ctime, inode), the entries of the folders too recent for their signatures to be trusted (racy), and
    the content hashes of such files. Kept in memory by the build daemon, and compared entry by entry: at 10,000
    pages half the time of replaying a stamp's record (`Signature.replay`), which builds its lines and digest."""
    root: str
    entries: dict[str, tuple[int, int, int, int, int]]
    racy_folders: dict[str, list[str]]
    racy_files: dict[str, str]


def stat_key(info: os.stat_result) -> tuple[int, int, int, int, int]:
    """A file's or folder's stat signature (kind, size, mtime, ctime, inode), as a tuple to compare."""
    return stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def output_state(output_dir: Path, outputs: Mapping[str, str]) -> OutputState | None:
    """The output folder now, which the build that made `outputs` (their hashes, by path in the folder) has just
    left; None when it holds other files, or ones the state cannot vouch for (links, special files). What the
    build daemon checks before it trusts the output folder to be what its last build left (output_holds;
    daemon.py)."""
    scanned_ns = time.time_ns()
    root = str(output_dir)
    entries: dict[str, tuple[int, int, int, int, int]] = {}
    racy_folders: dict[str, list[str]] = {}
    racy_files: dict[str, str] = {}
    found: set[str] = set()
    try:
        folders = [(root, "", os.lstat(root))]
        for folder, relative, info in folders:  # (each folder's stat comes from its parent's listing)
            if not stat.S_ISDIR(info.st_mode):
                return None
            entries[folder] = stat_key(info)
            if racy(max(info.st_mtime_ns, info.st_ctime_ns), scanned_ns):
                racy_folders[folder] = sorted(os.listdir(folder))
            with os.scandir(folder) as scan:
                for entry in scan:
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(info.st_mode):
                        folders.append((entry.path, relative + entry.name + "/", info))
                        continue
                    name = relative + entry.name
                    if not stat.S_ISREG(info.st_mode) or name not in outputs:
                        return None
                    entries[entry.path] = stat_key(info)
                    found.add(name)
                    if racy(max(info.st_mtime_ns, info.st_ctime_ns), scanned_ns):
                        racy_files[entry.path] = outputs[name]
    except OSError:
        return None
    if len(found) != len(outputs):
        return None
    return OutputState(root, entries, racy_folders, racy_files)


def output_state_after(state: OutputState, written: list[str], outputs: Mapping[str, str]) -> OutputState | None:
    """`state`, which held when a build started, with the files it wrote since (`written`, by path in the output
    folder) and their folders taken again: what `output_state` would find, without passing over the whole folder
    after a build that wrote a few files (the daemon's quick rebuild). What changed anywhere else meanwhile is not
    taken in, so the next `output_holds` sees it. Racy entries of `state` that are old enough now are trusted by
    their signatures from here on. None when a written file is not a plain file."""
    scanned_ns = time.time_ns()
    entries = dict(state.entries)
    racy_files = {path: expected for path, expected in state.racy_files.items()
                  if racy(max(entries[path][2], entries[path][3]), scanned_ns)}
    racy_folders = {path: names for path, names in state.racy_folders.items()
                    if racy(max(entries[path][2], entries[path][3]), scanned_ns)}
    try:
        for name in written:
            path = os.path.join(state.root, name)
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or path not in entries:
                return None
            entries[path] = stat_key(info)
            racy_files.pop(path, None)
            if racy(max(info.st_mtime_ns, info.st_ctime_ns), scanned_ns):
                racy_files[path] = outputs[name]
            folder = os.path.dirname(path)
            info = os.lstat(folder)
            entries[folder] = stat_key(info)
            racy_folders.pop(folder, None)
            if racy(max(info.st_mtime_ns, info.st_ctime_ns), scanned_ns):
                racy_folders[folder] = sorted(os.listdir(folder))
    except OSError:
        return None
    return OutputState(state.root, entries, racy_folders, racy_files)


def output_holds(state: OutputState) -> bool:
    """Whether the output folder is still as `state` found it: every file and folder with the same signature
    (a folder whose entries changed has another mtime), the racy folders with the same entries and the racy
    files with the same content."""
    lstat = os.lstat
    try:
        for path, key in state.entries.items():
            if stat_key(lstat(path)) != key:
                return False
        if any(sorted(os.listdir(folder)) != names for folder, names in state.racy_folders.items()):
            return False
    except OSError:
        return False
    from .deps import file_hash

    return all(file_hash(Path(file)) == expected for file, expected in state.racy_files.items())


def _check(document: dict, options: BuildOptions, path: Path, started_ns: int) -> Unchanged | None:
    if document["options"] != _options(options):
        return None
    wanted_output = (str(options.output_dir.resolve()) if options.output_dir is not None
                     else document["config_output_dir"])
    if wanted_output != document["output_dir"] or document["config"] != str(options.config_path.resolve()):
        return None
    folders, racy_folders = document["folders"], set(document["racy_folders"])
    try:
        inputs = Signature()
        inputs.file("config", document["config"])
        inputs.replay("content", document["content_dir"], folders["content"], racy_folders)
        inputs.replay("templates", document["templates_dir"], folders["templates"], racy_folders)
        if inputs.digest() != document["inputs"]:
            return None
        produced = Signature()
        produced.replay("output", document["output_dir"], folders["output"], racy_folders)
        produced.replay("cache", str(path.parent), folders["cache"], True, _skip_in_cache, own=False)
        if produced.digest() != document["outputs"]:
            return None
        generator = generator_signature()
    except (Changed, Untrusted, OSError, ValueError, TypeError, IndexError):  # the last three: a malformed record
        return None
    if document["generator_key"] != generator.digest():
        from .deps import generator_id

        if generator_id() != document["generator"]:
            return None
    racy = document["racy_files"]
    if racy:
        from .deps import file_hash

        if any(file_hash(Path(file)) != expected for file, expected in racy.items()):
            return None
    _refresh(path, document, started_ns, inputs, produced, generator)
    return Unchanged(Path(document["output_dir"]), document["files"], document["pages_per_language"])


def _refresh(path: Path, document: dict, started_ns: int, inputs: Signature, produced: Signature,
             generator: Signature) -> None:
    """Save the stamp again with what was racy but is as recorded (checked) and old enough now (the signatures
    were taken after `started_ns`, the contents read after the signatures)."""
    racy_files = set(inputs.racy_files(started_ns)) | set(produced.racy_files(started_ns))
    racy_folders = set(inputs.racy_folders(started_ns)) | set(produced.racy_folders(started_ns))
    key = generator_key(generator, started_ns) or document["generator_key"]
    refreshed = document | {
        "generator_key": key,
        "racy_files": {file: expected for file, expected in document["racy_files"].items() if file in racy_files},
        "racy_folders": [folder for folder in document["racy_folders"] if folder in racy_folders],
    }
    if refreshed != document:
        try:
            _write(path, refreshed)
        except OSError:
            pass  # the next check is only slower


_FIELDS = {"format": int, "generator": str, "generator_key": (str, type(None)), "options": dict, "config": str,
           "content_dir": str, "templates_dir": str, "config_output_dir": str, "output_dir": str, "files": int,
           "pages_per_language": dict, "started_ns": int, "inputs": str, "outputs": str, "racy_files": dict,
           "racy_folders": list, "folders": dict}


def _read(path: Path) -> dict | None:
    """The stamp, when there is one and it is well-formed; else None (then the build is an ordinary one)."""
    try:
        document = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):  # missing, unreadable, not UTF-8 or not JSON
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    if any(not isinstance(document.get(name), kind) for name, kind in _FIELDS.items()):
        return None
    racy, pages, folders = document["racy_files"], document["pages_per_language"], document["folders"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in racy.items()) or \
            not all(isinstance(k, str) and isinstance(v, int) for k, v in pages.items()) or \
            not all(isinstance(f, str) for f in document["racy_folders"]) or \
            set(folders) != {"content", "templates", "output", "cache"} or \
            not all(v is None or isinstance(v, list) and all(isinstance(r, list) and len(r) == 2 and
                                                             all(isinstance(x, str) for x in r) for r in v)
                    for v in folders.values()):
        return None
    return document
