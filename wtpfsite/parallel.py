"""Parsing and rendering on several cores: this process and worker processes forked from it share the jobs.

The parent has the whole linked `Site` in memory; forked workers inherit it (copy on write) instead of
receiving it pickled. The jobs are cut into chunks, and each process takes the next chunk when it is free
(a pipe holds the chunks' numbers: a read of one number is atomic), so the work spreads itself: the parent
first does what is its own (it reads the data files while the others parse the Markdown, and makes the
outputs other than pages while they render), then takes chunks until none is left. Each worker sends back,
once, what its chunks made; the results are handed out in job order, so the output is byte-identical to a
build in one process (tests/test_parallel.py).

No `multiprocessing.Pool`: its helper threads in the parent took the interpreter's lock from the parent's
own work, a third process competed for two cores, and every result crossed a pipe, the parent's share
too. Forking is only safe in a single-threaded process: watch mode, which runs a server and a file
watcher, works in one process.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
import traceback
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from .heap import freeze, in_forked_worker
from .write import write_all

Result = TypeVar("Result")

MIN_JOBS_PER_WORKER = 50  # below this, starting workers costs more than it saves
SHARE = 2  # a chunk is the jobs left divided by SHARE × the processes: fewer and fewer, down to MIN_CHUNK
MIN_CHUNK = 4  # jobs: each chunk costs a read from the queue and a pickle
MAX_CHUNKS = 4096  # (their numbers must fit in a pipe's buffer: fewer than 2 × MAX_CHUNKS chunks, 4 bytes each)
_CHUNK = struct.Struct("=I")  # a chunk's number in the pipe


def worker_count(requested: int, jobs: int) -> int:
    """How many processes to use, this one included: `requested` (0 = one per core this process may run on),
    fewer for small builds."""
    wanted = requested if requested > 0 else _usable_cores()
    count = max(1, min(wanted, jobs // MIN_JOBS_PER_WORKER))
    return count if count > 1 and hasattr(os, "fork") else 1


def _usable_cores() -> int:
    """The cores this process may run on (`taskset`, a container's cpuset), else all the machine has."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # (macOS has no sched_getaffinity)
        return os.cpu_count() or 1


class WorkerFailed(RuntimeError):
    """A worker process ended without its results (killed, or its results could not be sent)."""


@contextmanager
def in_workers(job: Callable[[int], Result], count: int, processes: int,
               progress: Callable[[int], None] | None = None) -> Iterator[Iterator[Result]]:
    """`job(0) … job(count - 1)`, computed by this process and `processes - 1` forked workers, which start at
    once: the block can do other work in this process while they run, then read the results (in job order);
    reading the first one makes this process take its share of what is left. An exception a job raises is
    raised where the results are read. Leaving the block stops the workers, finished or not. With one process
    the jobs run here, one by one as the results are read. `progress` is told how many jobs are done after each
    job this process does (with what the workers have done so far, which each keeps in a counter shared with
    this process), and once all results are in."""
    if processes <= 1:
        yield _one_by_one(job, count, progress)
        return
    chunks = chunked(count, processes)
    queue = _chunk_queue(len(chunks))
    counters = mmap.mmap(-1, _COUNTER.size * (processes - 1))  # anonymous and shared: the workers' jobs done
    freeze()  # the workers' cycle collections then leave the pages they share with this process alone (heap.py)
    workers: list[tuple[int, int]] = []  # (pid, read end of its results pipe)
    try:
        for number in range(processes - 1):
            workers.append(_fork(job, chunks, queue, counters, number))
        yield _results(job, chunks, queue, workers, _Progress(progress, counters, processes - 1, count))
    finally:
        os.close(queue)
        counters.close()
        for pid, pipe in workers:
            os.close(pipe)
            try:
                os.kill(pid, signal.SIGKILL)  # (a worker that finished has exited, or waits to: harmless)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)


def chunked(count: int, processes: int) -> list[range]:
    """The jobs in chunks that get smaller as the work goes (guided self-scheduling): large ones first, few reads
    and pickles, and small ones at the end, so that the processes finish together (with chunks of one size, the
    last process to finish did on average half a chunk alone)."""
    chunks, start = [], 0
    minimum = max(MIN_CHUNK, -(-count // MAX_CHUNKS))
    while start < count:
        size = max(minimum, (count - start) // (SHARE * processes))
        chunks.append(range(start, min(start + size, count)))
        start += size
    return chunks


def _chunk_queue(count: int) -> int:
    """The read end of a pipe holding the numbers 0 … count - 1, its write end closed: a read at the end gives
    nothing. (`count` is below 2 × MAX_CHUNKS: the numbers fit in the pipe's buffer, 64 KiB on Linux.)"""
    read, write = os.pipe()
    write_all(write, b"".join(_CHUNK.pack(n) for n in range(count)))
    os.close(write)
    return read


def _take(queue: int) -> int | None:
    """The next chunk's number, or None when they are all taken."""
    data = os.read(queue, _CHUNK.size)  # all were written before any read: a read gets one whole number
    return _CHUNK.unpack(data)[0] if data else None


def _one_by_one(job: Callable[[int], Result], count: int, progress: Callable[[int], None] | None) \
        -> Iterator[Result]:
    for index in range(count):
        result = job(index)
        if progress is not None:
            progress(index + 1)
        yield result


_COUNTER = struct.Struct("=Q")  # a worker's count of jobs done, in the shared counters (one per worker)


class _Progress:
    """What `in_workers` tells its `progress`: the jobs done by this process and, from the shared counters, by
    the workers. (A counter is read while its worker may write it: eight aligned bytes, and only a count.)"""

    def __init__(self, progress: Callable[[int], None] | None, counters: mmap.mmap, workers: int, count: int):
        self.progress, self.counters, self.workers, self.count = progress, counters, workers, count
        self.here = 0

    def job_done(self) -> None:
        self.here += 1
        if self.progress is not None:
            there = sum(_COUNTER.unpack_from(self.counters, _COUNTER.size * n)[0] for n in range(self.workers))
            self.progress(min(self.here + there, self.count))

    def all_done(self) -> None:
        if self.progress is not None:
            self.progress(self.count)


def _run_chunks(job: Callable[[int], Result], chunks: list[range], queue: int, job_done: Callable[[], None],
                keep: Callable[[list[Result]], object] = lambda results: results) -> dict[int, object]:
    """Run the chunks this process takes from `queue`: each one's results, as `keep` keeps them, by number.
    `job_done` is called after each job."""
    done = {}
    while (chunk := _take(queue)) is not None:
        results = []
        for index in chunks[chunk]:
            results.append(job(index))
            job_done()
        done[chunk] = keep(results)
    return done


_FRAME = struct.Struct("=IQ")  # a chunk's number and the length of its pickled results (then the results)
_FAILED = 0xFFFFFFFF  # the chunk number of a frame carrying the exception that stopped the worker
_END = 0xFFFFFFFE  # the chunk number of the empty frame after the last (a worker that died sends none)


def _fork(job: Callable[[int], Result], chunks: list[range], queue: int, counters: mmap.mmap,
          number: int) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    # the worker: it never returns from here. Each chunk's results are pickled as soon as they are made (only the
    # bytes are kept, smaller than the objects), and sent at the end, one frame per chunk.
    status = 1
    try:
        os.close(read)
        in_forked_worker()
        jobs_done = 0

        def count() -> None:
            nonlocal jobs_done
            jobs_done += 1
            _COUNTER.pack_into(counters, _COUNTER.size * number, jobs_done)

        try:
            done = _run_chunks(job, chunks, queue, count,
                               lambda results: pickle.dumps(results, pickle.HIGHEST_PROTOCOL))
        except BaseException as exc:  # noqa: B036 (sent to the parent, which raises it)
            done = {_FAILED: _pickled_failure(exc)}
        for chunk, payload in done.items():
            write_all(write, _FRAME.pack(chunk, len(payload)))
            write_all(write, payload)
        write_all(write, _FRAME.pack(_END, 0))
        status = 0
    finally:
        os._exit(status)  # no clean-up of the parent's: its buffers, atexit functions and temporary files


def _pickled_failure(exc: BaseException) -> bytes:
    """The exception, pickled for the parent to raise; its text in a WorkerFailed when it would not come back
    whole (an exception class whose constructor takes other arguments than it keeps does not unpickle)."""
    try:
        payload = pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
        pickle.loads(payload)
        return payload
    except Exception:  # noqa: BLE001
        return pickle.dumps(WorkerFailed("".join(traceback.format_exception(exc))))


def _results(job: Callable[[int], Result], chunks: list[range], queue: int, workers: list[tuple[int, int]],
             progress: _Progress) -> Iterator[Result]:
    done = _run_chunks(job, chunks, queue, progress.job_done)  # this process's share: the chunks left
    for pid, pipe in workers:
        done.update(_received(pid, pipe))
    progress.all_done()
    for chunk in range(len(chunks)):
        yield from done[chunk]


def _received(pid: int, pipe: int) -> dict[int, list]:
    """The results a worker sent, by chunk number; raises what stopped it."""
    done = {}
    while True:
        chunk, size = _FRAME.unpack(_read_exactly(pipe, _FRAME.size, pid))
        if chunk == _END:
            return done
        results = pickle.loads(_read_exactly(pipe, size, pid))
        if chunk == _FAILED:
            raise results
        done[chunk] = results


def _read_exactly(pipe: int, size: int, pid: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = os.readv(pipe, [view[got:]])
        if n == 0:
            raise WorkerFailed(f"worker process {pid} ended without its results")
        got += n
    return buffer
