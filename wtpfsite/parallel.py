"""Rendering pages on several cores: worker processes forked from the build.

The parent has the whole linked `Site` in memory; forked workers inherit it (copy on write)
instead of receiving it pickled, render the jobs they are given, and send back only the
outputs; meanwhile the parent does what is its own (it reads the data files while the workers
parse the Markdown, and makes the outputs other than pages while they render). Results come back
in job order, so the output is byte-identical to a build in one process (tests/test_parallel.py).
Forking is only safe in a single-threaded process: watch mode, which runs a server and a file
watcher, renders in one process.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from .heap import freeze, in_forked_worker

Result = TypeVar("Result")

# The job function handed to forked workers. Set by the parent only for the duration of one
# `in_workers` block (workers read the copy they inherited); never used for anything else.
_job: Callable[[int], object] | None = None

MIN_JOBS_PER_WORKER = 50  # below this, starting workers costs more than it saves


def worker_count(requested: int, jobs: int) -> int:
    """How many processes to use: `requested` (0 = one per core), fewer for small builds."""
    wanted = requested if requested > 0 else (os.cpu_count() or 1)
    count = max(1, min(wanted, jobs // MIN_JOBS_PER_WORKER))
    if count == 1:
        return 1
    import multiprocessing  # here: a build with too few jobs for workers (after an edit) does without it

    return count if "fork" in multiprocessing.get_all_start_methods() else 1


@contextmanager
def in_workers(job: Callable[[int], Result], count: int, processes: int) -> Iterator[Iterator[Result]]:
    """`job(0) … job(count - 1)`, computed in `processes` forked workers, which start at once: the block can do
    other work in this process while they run, then read the results (in job order). Leaving the block stops
    the workers, finished or not. With one process the jobs run here, one by one as the results are read."""
    global _job
    if processes <= 1:
        yield (job(index) for index in range(count))
        return
    _job = job
    freeze()  # the workers' cycle collections then leave the pages they share with this process alone (heap.py)
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=in_forked_worker) as pool:
            yield pool.imap(_run, range(count), chunksize=max(1, count // (processes * 16)))
    finally:
        _job = None


def _run(index: int):
    return _job(index)
