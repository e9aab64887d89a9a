"""The write stage: all outputs into a staging folder beside `output/`, swapped in at the end; or, for an
incremental build that changed few outputs, only those files replaced in place (`update_in_place`).
A build writes each output into its staging folder as soon as it is rendered (`Staging`), so it never holds
the whole site in memory; the write stage then completes that folder, or renames its files into place.

A failed build never touches the published folder (content and template errors are all found
before anything is written). A staged build that is interrupted leaves it as it was: staging
folders are siblings (same filesystem, so the swap is two renames) and stale ones are removed
by the next run. An interrupted in-place update leaves every file whole, old or new, and the next
build finishes the job (the build cache is saved only after writing, so the files it replaced no
longer match their records). No output may leave the output folder, and no path may be written
twice. A `before_swap` step (the search index) may add files to the staging folder; an exception
from it fails the write like any other.

An output the caller knows to be byte-identical to the published file of the same path (an
incremental build took it from there) is hard-linked into staging instead of written: a published
file is never written to (outputs are only ever replaced, by the swap or by a rename over them),
so sharing its inode is safe, and a rebuild after a one-page edit does not write the whole site again.

After a swap, the build removes the retired output folder in a thread while it saves its caches
(`remove_old_later`, `finish_removals`): removing thousands of files takes a while.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

STAGING_PREFIX = ".staging-"
RETIRED_PREFIX = ".retired-"
TEMPORARY_PREFIX = ".wtpfsite-new-"  # a file being replaced in place (update_in_place)


class UnsafeOutput(Exception):
    """An output path that would leave the output folder or is written twice (a bug)."""


_UNSAFE_CHARACTER = re.compile(r"[\x00-\x1f\\]")  # control characters and backslashes


@dataclass(frozen=True)
class WriteResult:
    written: int
    foreign: tuple[str, ...]  # files in the old output the generator did not make, now gone
    generated: tuple[str, ...] = ()  # files the before_swap step added (the search bundle)
    # whether the files already published (kept from the last build) were left where they were, untouched: not
    # linked or copied into a new folder swapped in (which gives them another ctime, or another inode)
    kept_in_place: bool = True


def safe_parts(path: str) -> list[str]:
    """The parts of a site-relative output path; raises UnsafeOutput for one that could leave the output folder
    or alias another. Checked as written: PurePosixPath drops "." and empty parts, and "./x" would alias "x"."""
    parts = path.split("/")
    if not path or "" in parts or "." in parts or ".." in parts or _UNSAFE_CHARACTER.search(path):
        raise UnsafeOutput(f"refusing to write '{path}': outside the output folder")
    return parts  # (a path starting with "/" has an empty first part)


def clean_stale(output_dir: Path) -> None:
    """Remove staging and retired folders left by an interrupted run. A run stopped between
    the two renames of the swap left no output folder: its retired one is put back first."""
    parent = output_dir.parent
    if not parent.is_dir():
        return
    retired = [p for p in parent.glob(f"{RETIRED_PREFIX}{output_dir.name}-*") if p not in _removing]
    if retired and not output_dir.exists():
        max(retired, key=lambda p: p.stat().st_ctime).rename(output_dir)
    for prefix in (STAGING_PREFIX, RETIRED_PREFIX):
        for stale in parent.glob(f"{prefix}{output_dir.name}-*"):
            if stale not in _removing and not _owner_alive(stale.name.rsplit("-", 1)[-1]):
                _remove(stale)


def _remove(folder: Path) -> None:
    import shutil  # here, not at the top: a build with nothing changed (stamp.py) seldom needs it

    shutil.rmtree(folder, ignore_errors=True)


_removing: dict[Path, threading.Thread] = {}  # retired output folders this process is removing (_swap)
_retired_numbers = itertools.count()  # a new name for each (a watch-mode session swaps many times)


def _remove_in_background(folder: Path) -> None:
    """Remove a folder in a thread (removing a whole retired site takes a while; the build goes on meanwhile).
    `finish_removals` waits for them. Should the process end first, the next run's clean_stale removes it."""
    def run() -> None:
        _remove(folder)
        _removing.pop(folder, None)

    thread = threading.Thread(target=run, name=f"remove {folder.name}")
    _removing[folder] = thread
    thread.start()


def finish_removals() -> None:
    """Wait until the retired output folders this process is removing are gone."""
    for thread in list(_removing.values()):
        thread.join()


def _owner_alive(pid_text: str) -> bool:
    """Whether the process that named a staging folder still runs (then it is not stale)."""
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_all(fd: int, data: bytes) -> None:
    """All of `data` to the file descriptor (os.write may write less than it is given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class Staging:
    """The staging folder of one build, beside the output folder: outputs are written into it as they are made
    (`put`, also from forked workers), so the build never holds every output in memory. `write_outputs` then
    completes and swaps it in, or `update_in_place` renames its files into the output folder; `remove` when
    the build fails (the published folder is never touched before the write stage)."""

    def __init__(self, output_dir: Path):
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(output_dir)
        self.folder = output_dir.parent / f"{STAGING_PREFIX}{output_dir.name}-{os.getpid()}"
        self.folder.mkdir()
        self._root = str(self.folder)
        self._made = {""}  # the folders this process has made in it (a forked worker keeps its own copy)

    def put(self, path: str, data: bytes) -> None:
        """Write one output. A build calls this for every output it makes: so with strings and `os` calls, not
        Path objects (open() would also ask whether the file is a terminal), and each folder made once (most
        pages are an index.html in a folder of their own)."""
        safe_parts(path)
        folder = path.rpartition("/")[0]
        if folder not in self._made:
            os.makedirs(os.path.join(self._root, folder), exist_ok=True)  # (a worker may have made it too)
            self._made.add(folder)
        fd = os.open(os.path.join(self._root, path), _NEW_FILE, 0o666)
        try:
            write_all(fd, data)
        finally:
            os.close(fd)

    def remove(self) -> None:
        _remove(self.folder)


def write_outputs(outputs: list[tuple[str, bytes | None]], output_dir: Path, previous_files: frozenset[str],
                  before_swap: Callable[[Path], None] | None = None,
                  published: frozenset[str] = frozenset(), staging: Staging | None = None,
                  remove_old_later: bool = False) -> WriteResult:
    """Write everything into staging, run `before_swap(staging)`, then swap it into place.
    `previous_files` are the files the last build made; anything else found in the old output
    is listed as foreign. `published`: outputs whose bytes are those of the file at the same path
    in `output_dir` (linked, not written, when the file system allows; copied otherwise); their data
    may be None. With `staging`, outputs whose data is None and that are not published are already
    in it (Staging.put). `remove_old_later`: the old output folder is removed in a thread, which
    `finish_removals` waits for (else before this returns)."""
    if staging is None:
        staging = Staging(output_dir)
    staging_folder = staging.folder
    try:
        seen: set[str] = set()
        made: set[tuple[str, ...]] = set()  # folders already made in staging
        for path, data in outputs:
            relative = safe_parts(path)
            if path in seen:
                raise UnsafeOutput(f"'{path}' would be written twice")
            seen.add(path)
            if data is None and path not in published:
                continue  # already in staging
            target = staging_folder.joinpath(*relative)
            folder = tuple(relative[:-1])
            if folder not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(folder)
            if path not in published or not _link(output_dir.joinpath(*relative), target):
                if data is None:  # the published file's bytes, not read by the build: copy them
                    import shutil

                    shutil.copyfile(output_dir.joinpath(*relative), target)
                else:
                    target.write_bytes(data)
        generated: tuple[str, ...] = ()
        if before_swap is not None:
            before_swap(staging_folder)
            generated = tuple(sorted(_files(staging_folder) - seen))
        foreign = _foreign_files(output_dir, seen | set(generated), previous_files)
        _swap(staging_folder, output_dir, remove_old_later)
    except BaseException:
        staging.remove()
        raise
    return WriteResult(len(seen), foreign, generated, kept_in_place=False)


def update_in_place(outputs: list[tuple[str, bytes | None]], output_dir: Path, previous_files: frozenset[str],
                    published: frozenset[str], kept: frozenset[str] = frozenset(),
                    staging: Staging | None = None) -> WriteResult | None:
    """Bring the output folder to exactly these outputs (plus `kept`, files already there that stay: the
    search index) by replacing only the files that changed, each atomically (written beside, then renamed
    over), and removing what no longer belongs. For an incremental build that changed a few outputs: a
    staging folder would make (and the swap remove) one folder per page. `published` outputs are already
    there, byte for byte (their data may be None); others whose data is None are in `staging` and are renamed
    into place from there (still one atomic replacement per file). Returns None, having changed nothing, when
    the folder is not plainly the last build's (a published output missing, a folder or link where a file
    goes): then write_outputs does it. Paths are checked before anything is written."""
    if not output_dir.is_dir() or output_dir.is_symlink():
        return None
    seen: dict[str, tuple[list[str], bytes | None]] = {}
    for path, data in outputs:
        relative = safe_parts(path)
        if path in seen:
            raise UnsafeOutput(f"'{path}' would be written twice")
        seen[path] = (relative, data)
    files, links, folders = _listing(output_dir)
    parts = [relative for relative, _ in seen.values()] + [safe_parts(path) for path in kept]
    wanted_folders = {"/".join(p[:n]) for p in parts for n in range(1, len(p))}
    if wanted_folders & (files | links) or not kept <= files:
        return None  # a file or link where a folder goes, or the search index is not all there
    for path in seen:
        if path in folders or path in links or (path in published and path not in files):
            return None
    for path, (relative, data) in seen.items():
        if path in published:
            continue
        target = output_dir.joinpath(*relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            if staging is None:
                raise ValueError(f"no bytes for '{path}', which is not in the output folder")  # a bug
            os.replace(staging.folder.joinpath(*relative), target)
            continue
        _replace(target, data)
    keep = set(seen) | kept
    foreign = tuple(sorted(p for p in files | links if p not in keep and p not in previous_files
                           and not PurePosixPath(p).name.startswith(TEMPORARY_PREFIX)))
    for path in sorted((files | links) - keep):
        (output_dir / path).unlink(missing_ok=True)
    for folder in sorted(folders - wanted_folders, key=lambda f: -f.count("/")):
        try:
            (output_dir / folder).rmdir()
        except OSError:  # not empty: it holds something wanted
            pass
    return WriteResult(len(seen), foreign, tuple(sorted(kept)))


def replace_files(outputs: list[tuple[str, bytes]], output_dir: Path) -> bool:
    """Replace these files of the output folder, each atomically; False, having changed nothing, unless each is
    there now as a plain file (the watch mode's quick rebuild, quick.py, which changes no other file)."""
    targets = []
    for path, data in outputs:
        parts = safe_parts(path)
        try:  # no link on the way: the folders and the file are the ones the last build made
            if not all(stat.S_ISDIR(os.lstat(output_dir.joinpath(*parts[:n])).st_mode) for n in range(len(parts))) \
                    or not stat.S_ISREG(os.lstat(output_dir.joinpath(*parts)).st_mode):
                return False
        except OSError:
            return False
        targets.append((output_dir.joinpath(*parts), data))
    for target, data in targets:
        _replace(target, data)
    return True


def _replace(target: Path, data: bytes) -> None:
    """Write the file beside its target, then rename it over the target."""
    temporary = target.with_name(f"{TEMPORARY_PREFIX}{target.name}.{os.getpid()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _listing(folder: Path) -> tuple[set[str], set[str], set[str]]:
    """The files, links (and other non-folders) and folders under `folder`, relative, not following links."""
    files: set[str] = set()
    links: set[str] = set()
    folders: set[str] = set()
    pending = [(str(folder), "")]
    while pending:
        top, prefix = pending.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:  # gone or unreadable: as os.walk, listed as empty
            continue
        for entry in entries:
            relative = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.add(relative)
                pending.append((entry.path, relative + "/"))
            elif entry.is_file(follow_symlinks=False):
                files.add(relative)
            else:
                links.add(relative)
    return files, links, folders


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except OSError:  # no hard links here (another file system, a FAT drive), or the file is gone
        return False
    return True


def _files(folder: Path) -> set[str]:
    """Every file under `folder` (links too, not followed), as POSIX paths relative to it."""
    files, links, _ = _listing(folder)
    return files | links


def _foreign_files(output_dir: Path, new: set[str], previous: frozenset[str]) -> tuple[str, ...]:
    if not output_dir.is_dir():
        return ()
    return tuple(sorted(_files(output_dir) - new - previous))


def _swap(staging: Path, output_dir: Path, remove_old_later: bool) -> None:
    if output_dir.exists():
        retired = output_dir.parent / f"{RETIRED_PREFIX}{output_dir.name}-{next(_retired_numbers)}-{os.getpid()}"
        output_dir.rename(retired)
        try:
            staging.rename(output_dir)
        except BaseException:
            retired.rename(output_dir)
            raise
        (_remove_in_background if remove_old_later else _remove)(retired)
    else:
        staging.rename(output_dir)
