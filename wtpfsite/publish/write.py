"""The write stage: each output into a staging folder beside `output/` as it is made, swapped in at the end.

A failed build never touches the published folder (its staging folder is removed; content and template errors
are all found before the swap). An interrupted build leaves it as it was: staging folders are siblings (same
file system, so the swap is two renames) and stale ones are removed by the next run. No output may leave the
output folder, and no path may be written twice. A `before_swap` step (the search index) may add files to the
staging folder; an exception from it fails the write like any other. An output that an incremental build kept
from the last build (its data is None) is copied from the published folder.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

STAGING_PREFIX = ".staging-"
RETIRED_PREFIX = ".retired-"

_UNSAFE_CHARACTER = re.compile(r"[\x00-\x1f\\]")  # control characters and backslashes


class UnsafeOutput(Exception):
    """An output path that would leave the output folder or is written twice (a bug)."""


@dataclass(frozen=True)
class WriteResult:
    written: int
    foreign: tuple[str, ...]  # files in the old output the generator did not make, now gone
    generated: tuple[str, ...] = ()  # files the before_swap step added (the search bundle)


def safe_parts(path: str) -> list[str]:
    """The parts of a site-relative output path; raises UnsafeOutput for one that could leave the output folder
    or alias another. Checked as written: PurePosixPath drops "." and empty parts, and "./x" would alias "x"."""
    parts = path.split("/")
    if not path or "" in parts or "." in parts or ".." in parts or _UNSAFE_CHARACTER.search(path):
        raise UnsafeOutput(f"refusing to write '{path}': outside the output folder")
    return parts  # (a path starting with "/" has an empty first part)


def output_folder_problem(output_dir: Path, sources: dict[str, Path]) -> str | None:
    """Why the site must not replace `output_dir`, or None. A build replaces the whole folder, so it must not hold
    or lie inside the site's own files and folders (`sources`, by what they are: "the content folder"...), hold a
    git repository, be a file, or hold files that no build of this generator made (every build makes index.html)."""
    for what, folder in sources.items():
        if output_dir == folder or output_dir in folder.parents:
            return f"it holds {what} ({folder})"
        if folder in output_dir.parents:
            return f"it is inside {what} ({folder})"
    if output_dir.exists() and not output_dir.is_dir():
        return "it is not a folder"
    if (output_dir / ".git").exists():
        return "it holds a git repository"
    if output_dir.is_dir() and not (output_dir / "index.html").is_file():  # (a build's folder: not walked)
        others = sorted(files_under(output_dir))
        if others:
            return f"it holds files that no build made ({', '.join(others[:3])}{', ...' if len(others) > 3 else ''})"
    return None


def clean_stale(output_dir: Path) -> None:
    """Remove staging and retired folders left by an interrupted run. A run stopped between the two renames of the
    swap left no output folder: its retired one is put back first."""
    parent = output_dir.parent
    retired = list(parent.glob(f"{RETIRED_PREFIX}{output_dir.name}-*"))
    if retired and not output_dir.exists():
        max(retired, key=lambda p: p.stat().st_ctime).rename(output_dir)
    for prefix in (STAGING_PREFIX, RETIRED_PREFIX):
        for stale in parent.glob(f"{prefix}{output_dir.name}-*"):
            if not _owner_alive(stale.name.rsplit("-", 1)[-1]):
                shutil.rmtree(stale, ignore_errors=True)


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


class Staging:
    """A staging folder beside the output folder, filled output by output as they are made (`put`, from any
    process), then swapped into place (`publish`) or removed (`discard`). Stale folders are removed first."""

    def __init__(self, output_dir: Path):
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(output_dir)  # (this process's own too, which a build it interrupted left)
        self.output_dir = output_dir
        self.folder = output_dir.parent / f"{STAGING_PREFIX}{output_dir.name}-{os.getpid()}"
        self.folder.mkdir()

    def put(self, path: str, data: bytes | None) -> None:
        """Write one output; None is the file at the same path in the output folder, copied. A path written
        before raises UnsafeOutput (the file is made exclusively: so too when two processes write it)."""
        target = self.folder.joinpath(*safe_parts(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(target, "xb") as file:
                file.write(data if data is not None else (self.output_dir / path).read_bytes())
        except FileExistsError:
            raise UnsafeOutput(f"'{path}' would be written twice") from None

    def publish(self, paths: list[str], previous_files: frozenset[str],
                before_swap: Callable[[Path], None] | None = None) -> WriteResult:
        """Run `before_swap(staging)`, then swap the staging folder (holding `paths`) into place. Files of the old
        output that are not in `previous_files`, those the last build made, are listed as foreign."""
        try:
            generated: tuple[str, ...] = ()
            if before_swap is not None:
                before_swap(self.folder)
                generated = tuple(sorted(files_under(self.folder) - set(paths)))
            foreign = tuple(sorted(files_under(self.output_dir) - set(paths) - set(generated) - previous_files))
            _swap(self.folder, self.output_dir)
        except BaseException:
            self.discard()
            raise
        return WriteResult(len(paths), foreign, generated)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def files_under(folder: Path) -> set[str]:
    """Every file under `folder` (links too, not followed), as POSIX paths relative to it; none when it is missing
    or no folder."""
    found: set[str] = set()
    folders = [("", os.fspath(folder))]
    while folders:
        prefix, path = folders.pop()
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((f"{prefix}{entry.name}/", entry.path))
                    else:
                        found.add(prefix + entry.name)
        except OSError:  # gone meanwhile, or not a folder: nothing under it
            continue
    return found


def _swap(staging: Path, output_dir: Path) -> None:
    if output_dir.exists():
        retired = output_dir.parent / f"{RETIRED_PREFIX}{output_dir.name}-{os.getpid()}"
        output_dir.rename(retired)
        try:
            staging.rename(output_dir)
        except BaseException:
            retired.rename(output_dir)
            raise
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(output_dir)
