"""The write stage: all outputs into a staging folder beside `output/`, swapped in at the end.

A failed or interrupted build never touches the published folder: staging folders are
siblings (same filesystem, so the swap is two renames) and stale ones are removed by the
next run. No output may leave the output folder, and no path may be written twice.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

STAGING_PREFIX = ".staging-"
RETIRED_PREFIX = ".retired-"


class UnsafeOutput(Exception):
    """An output path that would leave the output folder or is written twice (a bug)."""


@dataclass(frozen=True)
class WriteResult:
    written: int
    foreign: tuple[str, ...]  # files in the old output the generator did not make, now gone


def safe_relative(path: str) -> PurePosixPath:
    pure = PurePosixPath(path)
    if (not path or pure.is_absolute() or any(part in ("..", "", ".") for part in pure.parts)
            or "\\" in path or any(ord(ch) < 32 for ch in path)):
        raise UnsafeOutput(f"refusing to write '{path}': outside the output folder")
    return pure


def clean_stale(output_dir: Path) -> None:
    """Remove staging and retired folders left by an interrupted run."""
    parent = output_dir.parent
    if not parent.is_dir():
        return
    for prefix in (STAGING_PREFIX, RETIRED_PREFIX):
        for stale in parent.glob(f"{prefix}{output_dir.name}-*"):
            shutil.rmtree(stale, ignore_errors=True)


def write_outputs(outputs: list[tuple[str, bytes]], output_dir: Path, previous_files: frozenset[str]) -> WriteResult:
    """Write everything into staging, then swap it into place. `previous_files` are the files
    the last build made; anything else found in the old output is listed as foreign."""
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(output_dir)
    staging = output_dir.parent / f"{STAGING_PREFIX}{output_dir.name}-{os.getpid()}"
    staging.mkdir()
    try:
        seen: set[str] = set()
        for path, data in outputs:
            relative = safe_relative(path)
            if path in seen:
                raise UnsafeOutput(f"'{path}' would be written twice")
            seen.add(path)
            target = staging.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        foreign = _foreign_files(output_dir, seen, previous_files)
        _swap(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteResult(len(seen), foreign)


def _foreign_files(output_dir: Path, new: set[str], previous: frozenset[str]) -> tuple[str, ...]:
    if not output_dir.is_dir():
        return ()
    existing = {p.relative_to(output_dir).as_posix() for p in output_dir.rglob("*") if p.is_file()}
    return tuple(sorted(existing - new - previous))


def _swap(staging: Path, output_dir: Path) -> None:
    if output_dir.exists():
        retired = output_dir.parent / f"{RETIRED_PREFIX}{output_dir.name}-{os.getpid()}"
        output_dir.rename(retired)
        staging.rename(output_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(output_dir)
