"""Updating the output folder in place: the write stage's fast path for a rebuild that changed a few files.

Copying a whole site into the staging folder to change one page makes and removes a folder per page (0.75 s at
2,000 pages, most of a one-page rebuild). When the output folder is still the last build's and no search index
has to be made, the pipeline asks `update_in_place` instead: each changed file, staged beside the output folder
as it was made (write.Staging), is renamed over its target (a reader or a host never sees half a file), and the
files no longer made are removed. An interrupted update leaves every file whole, old or new; the build record
is saved only after it, so the next build finds the files that differ from their record and makes them again.
The core runs without this module: the staged swap (write.py) does everything it does.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .write import Staging, WriteResult, files_under, safe_parts

SHARE = 4  # in place only when at most one output in this many changed


def update_in_place(staging: Staging, outputs: list[str], changed: list[str], previous: frozenset[str],
                    kept: tuple[str, ...] = ()) -> WriteResult | None:
    """Bring the output folder to exactly `outputs` (and `kept`: files of the last build that stay, the search
    index): the `changed` ones, in `staging`, replace theirs, the others are there already; `staging` is removed.
    None, having changed nothing, when more than one output in SHARE changed or the folder is not plainly the
    last build's (a folder, or a link, where a file goes)."""
    output_dir = staging.output_dir
    if len(changed) * SHARE > len(outputs) or not output_dir.is_dir() or output_dir.is_symlink():
        return None
    if not all(_plain_path(output_dir, safe_parts(path)) for path in changed):
        return None
    for path in changed:
        target = output_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging.folder / path, target)
    staging.discard()
    gone = sorted(files_under(output_dir) - set(outputs) - set(kept))
    for path in gone:
        (output_dir / path).unlink()
        _remove_empty_folders(output_dir, (output_dir / path).parent)
    return WriteResult(len(changed), tuple(path for path in gone if path not in previous), kept)


def _plain_path(output_dir: Path, parts: list[str]) -> bool:
    """Whether every folder on the way to the file is a real folder (or missing) and the file a regular one (or
    missing): nothing written through a link."""
    for count in range(1, len(parts) + 1):
        try:
            mode = os.lstat(output_dir.joinpath(*parts[:count])).st_mode
        except FileNotFoundError:
            return True
        if not (stat.S_ISDIR(mode) if count < len(parts) else stat.S_ISREG(mode)):
            return False
    return True


def _remove_empty_folders(output_dir: Path, folder: Path) -> None:
    """Remove `folder` and the folders above it, inside the output folder, while they are empty."""
    while folder != output_dir and output_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty
            return
        folder = folder.parent
