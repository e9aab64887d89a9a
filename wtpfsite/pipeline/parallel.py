"""Parsing and rendering on every core: `in_processes(job, count)` gives what `[job(i) for i in range(count)]`
gives, with the jobs run by forked worker processes (concurrent.futures).

The pipeline runs without this module: `load_site` and `render_site` take how to run their jobs, one by one
unless told otherwise. The workers are forked after the jobs' function is made, so they inherit all it uses
(the loaded site, the compiled templates) and only the results travel back, pickled, in order. Jobs go out in
chunks, a few per process, so that the processes finish together. Below `MIN_JOBS` jobs, or with one core, it
runs them here: starting processes would cost more than it saves.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")
MIN_JOBS = 100
CHUNKS_PER_PROCESS = 8

_job: Callable[[int], object] | None = None  # set in each worker by the pool's initializer


def in_processes(job: Callable[[int], T], count: int) -> Iterator[T]:
    """job(0), ..., job(count - 1), in that order, made on every core this process may use. The workers start at
    once: the caller can do other work before it asks for the results."""
    processes = min(len(os.sched_getaffinity(0)), count)
    if processes < 2 or count < MIN_JOBS:
        return (job(index) for index in range(count))
    size = max(1, count // (processes * CHUNKS_PER_PROCESS))
    context = multiprocessing.get_context("fork")  # the workers inherit the job's data, nothing is pickled to them
    pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_take, initargs=(job,))
    gc.freeze()  # the inherited objects out of the collector's sight: it would copy every page it touches
    try:
        results = pool.map(_run, range(count), chunksize=size)  # (submits every chunk now: the workers start)
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    finally:
        gc.unfreeze()
    return _collect(pool, results)


def _collect(pool: ProcessPoolExecutor, results: Iterator) -> Iterator:
    try:
        yield from results
    finally:
        pool.shutdown(cancel_futures=True)


def _take(job: Callable[[int], object]) -> None:
    global _job
    _job = job


def _run(index: int) -> object:
    return _job(index)
