"""Rendering pages on several cores: worker processes forked from the build.

The parent has the whole linked `Site` in memory; forked workers inherit it (copy on write)
instead of receiving it pickled, render the jobs they are given, and send back only the
outputs. Results come back in job order, so the output is byte-identical to a build in one
process (tests/test_parallel.py). Forking is only safe in a single-threaded process: watch
mode, which runs a server and a file watcher, renders in one process.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Iterator, TypeVar

Result = TypeVar("Result")

# The job function handed to forked workers. Set by the parent only for the duration of one
# `map_in_workers` call (workers read the copy they inherited); never used for anything else.
_job: Callable[[int], object] | None = None

MIN_JOBS_PER_WORKER = 50  # below this, starting workers costs more than it saves


def worker_count(requested: int, jobs: int) -> int:
    """How many processes to use: `requested` (0 = one per core), fewer for small builds."""
    wanted = requested if requested > 0 else (os.cpu_count() or 1)
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(wanted, jobs // MIN_JOBS_PER_WORKER))


def map_in_workers(job: Callable[[int], Result], count: int, processes: int) -> Iterator[Result]:
    """`job(0) … job(count - 1)`, in order, computed in `processes` forked workers."""
    global _job
    if processes <= 1:
        yield from (job(index) for index in range(count))
        return
    _job = job
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes) as pool:
            yield from pool.imap(_run, range(count), chunksize=max(1, count // (processes * 16)))
    finally:
        _job = None


def _run(index: int):
    return _job(index)

