"""Rendering in worker processes gives exactly the output of a build in one process."""

from datetime import date

import pytest

from test_write import synthetic_site

from helpers import tree_files
from wtpfsite.build import BuildOptions, build
from wtpfsite.errors import ContentErrors
from wtpfsite.parallel import MIN_JOBS_PER_WORKER, in_workers, worker_count


def test_worker_count_is_one_for_small_builds_and_capped_by_the_request():
    assert worker_count(2, MIN_JOBS_PER_WORKER - 1) == 1
    assert worker_count(2, 10 * MIN_JOBS_PER_WORKER) == 2
    assert worker_count(1, 10 * MIN_JOBS_PER_WORKER) == 1
    assert worker_count(8, 3 * MIN_JOBS_PER_WORKER) == 3


def test_by_default_one_process_per_core_this_process_may_run_on(monkeypatch):
    """Not every core of the machine: `taskset -c 0 build.py build` or a container's cpuset allows fewer."""
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert worker_count(0, 100 * MIN_JOBS_PER_WORKER) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert worker_count(0, 100 * MIN_JOBS_PER_WORKER) == 3


def child_processes() -> set[int]:
    """This process's children, live or not yet waited for (Linux: /proc/PID/task/TID/children); other tests'
    (a browser, a server) may be among them."""
    import os
    from pathlib import Path

    return {int(pid) for task in Path(f"/proc/{os.getpid()}/task").iterdir()
            for pid in (task / "children").read_text().split()}


def wait_for(path, seconds: float = 60) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_every_job_runs_once_and_the_results_keep_the_jobs_order(processes):
    import os

    with in_workers(lambda i: (i, i * i, os.getpid()), 1000, processes) as results:
        squares = list(results)
    assert [(i, square) for i, square, _ in squares] == [(i, i * i) for i in range(1000)]
    if processes == 1:
        assert {pid for _, _, pid in squares} == {os.getpid()}


@pytest.mark.parametrize("count, processes", [(1, 2), (7, 2), (400, 2), (2014, 2), (10_000, 4), (10_000_000, 2)])
def test_chunks_cover_the_jobs_in_order_and_shrink_as_the_work_goes(count, processes):
    from wtpfsite.parallel import MAX_CHUNKS, MIN_CHUNK, chunked

    chunks = chunked(count, processes)
    assert [index for chunk in chunks for index in chunk] == list(range(count))
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)[:len(sizes) - 1] + sizes[-1:]  # (the last one: what is left)
    assert len(chunks) < MAX_CHUNKS
    if count >= 400:
        smallest = max(MIN_CHUNK, -(-count // MAX_CHUNKS))
        assert sizes[0] == count // (2 * processes) and len(chunks) < 25 * processes
        assert sizes[-2] == smallest and min(sizes[:-1]) == smallest  # the work ends in the smallest chunks


def test_this_process_takes_the_chunks_the_workers_have_not_taken():
    """The block's own work first, then this process's share: a worker slowed down leaves the rest to it."""
    import os
    import time

    parent = os.getpid()

    def job(i):
        if os.getpid() != parent:
            time.sleep(0.05)
        return os.getpid()

    with in_workers(job, 400, 2) as results:
        made_by = list(results)
    assert made_by.count(parent) >= 200


def test_a_worker_takes_jobs_while_the_block_works_meanwhile(tmp_path):
    import os

    parent, started = os.getpid(), tmp_path / "a worker started"

    def job(i):
        if os.getpid() != parent:
            started.touch()
        return os.getpid()

    with in_workers(job, 400, 2) as results:
        wait_for(started)  # the block's own work, meanwhile: until a worker has taken a chunk
        made_by = list(results)
    assert made_by[0] != parent  # the first chunk went to the worker


@pytest.mark.parametrize("where", ["here", "in a worker"])
def test_an_exception_raised_by_a_job_is_raised_where_the_results_are_read(tmp_path, where):
    import os
    import time

    parent, started = os.getpid(), tmp_path / "a worker started"

    def job(i):
        if os.getpid() == parent:
            if where == "here":
                raise ValueError(f"job {i} failed")
        else:
            started.touch()
            if where == "in a worker":
                raise ValueError(f"job {i} failed")
            time.sleep(0.05)  # (so that this process takes chunks too)
        return i

    before = child_processes()
    with pytest.raises(ValueError, match=r"job \d+ failed"):
        with in_workers(job, 400, 2) as results:
            if where == "in a worker":
                wait_for(started)
            list(results)
    assert child_processes() == before


def test_progress_counts_the_jobs_done_in_one_process_after_each_job():
    calls = []
    with in_workers(lambda i: i, 5, 1, calls.append) as results:
        assert calls == []  # nothing is done before the results are read
        assert list(results) == [0, 1, 2, 3, 4]
    assert calls == [1, 2, 3, 4, 5]


def test_progress_counts_the_workers_jobs_too(tmp_path):
    """After each job this process does, the count includes what the workers have done so far (their shared
    counters); it never goes back, and ends at the number of jobs."""
    import os
    import time

    parent, started = os.getpid(), tmp_path / "a worker did 30 jobs"

    def job(i):
        if os.getpid() != parent:
            if i == 30:
                started.touch()
            elif i > 30:
                time.sleep(0.02)  # (so that this process takes chunks too)
        return i

    calls = []
    with in_workers(job, 400, 2, calls.append) as results:
        wait_for(started)
        assert list(results) == list(range(400))
    assert len(calls) > 1 and calls == sorted(calls) and calls[-1] == 400
    assert calls[0] >= 1 + 30  # this process's first job, and the 30 the worker had done when the block went on


class OddError(Exception):
    """Pickles, but does not unpickle: it keeps only its message in `args`, and unpickling calls OddError(message)."""

    def __init__(self, a, b):
        super().__init__(f"odd {a} {b}")


@pytest.mark.parametrize("failure, reported", [
    ("dies", "without its results"),  # killed, or exited: no end frame
    ("raises what does not unpickle", "odd 1 2"),  # sent as the traceback's text instead
])
def test_a_worker_that_fails_without_its_results_is_reported_as_worker_failed(tmp_path, failure, reported):
    import os

    from wtpfsite.parallel import WorkerFailed

    parent, started = os.getpid(), tmp_path / "a worker started"

    def job(i):
        if os.getpid() != parent:
            started.touch()
            if failure == "dies":
                os._exit(3)
            raise OddError(1, 2)
        return i

    before = child_processes()
    with pytest.raises(WorkerFailed, match=reported):
        with in_workers(job, 400, 2) as results:
            wait_for(started)
            list(results)
    assert child_processes() == before


def test_a_worker_dying_during_a_build_is_an_internal_error_that_leaves_the_output_alone(tmp_path, monkeypatch):
    """Not a content error: the command line says it is a bug (exit 3), and output/ is the last build's."""
    import os

    from helpers import build_args, leftovers, run_cli
    from wtpfsite import pagegen

    site = synthetic_site(tmp_path / "site", 120)
    build(BuildOptions(site / "site_config.yaml", date(2020, 10, 1), workers=1))
    before, children = tree_files(site / "output"), child_processes()
    parent, real = os.getpid(), pagegen.render_page

    def render_page(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)  # as if the kernel had killed it
        return real(*args, **kwargs)

    monkeypatch.setattr(pagegen, "render_page", render_page)
    code, _, err = run_cli(build_args(site, "--no-cache", "--jobs", "2"))
    assert code == 3 and "internal error: WorkerFailed: worker process" in err, err
    assert tree_files(site / "output") == before and leftovers(site) == []
    assert child_processes() == children


def test_workers_forked_while_the_collector_is_paused_collect_their_own_garbage(tmp_path):
    import gc
    import os

    from wtpfsite.heap import cycle_collector_paused

    parent, started = os.getpid(), tmp_path / "a worker started"

    def job(i):
        if os.getpid() != parent:
            started.touch()
        return os.getpid(), gc.isenabled()

    with cycle_collector_paused():  # (the parse workers start while the load stage has it paused)
        with in_workers(job, 400, 2) as results:
            wait_for(started)
            made = list(results)
        assert not gc.isenabled()
    assert {enabled for pid, enabled in made if pid != parent} == {True}


def test_leaving_the_block_early_stops_the_workers():
    before = child_processes()
    with pytest.raises(RuntimeError):
        with in_workers(lambda i: i, 100_000, 2) as results:
            next(results)
            raise RuntimeError("the block failed")
    assert child_processes() == before


def test_a_parallel_build_is_byte_identical_to_a_single_process_build(tmp_path):
    site = synthetic_site(tmp_path / "site", 120)
    config = site / "site_config.yaml"
    single = build(BuildOptions(config, date(2020, 10, 1), tmp_path / "one", workers=1), incremental=False)
    parallel = build(BuildOptions(config, date(2020, 10, 1), tmp_path / "two", workers=2), incremental=False)
    assert single.rendered > 2 * MIN_JOBS_PER_WORKER  # enough pages for two workers
    assert tree_files(tmp_path / "one") == tree_files(tmp_path / "two")
    # what each page was made from (the incremental build's records) is the same too
    assert [(o.path, o.reads) for o in single.outputs] == [(o.path, o.reads) for o in parallel.outputs]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_templates_are_compiled_while_the_workers_parse_and_only_then(tmp_path, monkeypatch, workers):
    from wtpfsite import build as build_module
    from wtpfsite import pagegen

    site = synthetic_site(tmp_path / "site", 120)
    events = []
    real_compile, real_collect = pagegen.compile_templates, build_module._Parses.__call__
    before = child_processes()

    def compile_templates(env):
        events.append(("compile", len(child_processes() - before)))
        real_compile(env)

    monkeypatch.setattr(pagegen, "compile_templates", compile_templates)
    monkeypatch.setattr(build_module._Parses, "__call__", lambda self: events.append(("parses",)) or real_collect(self))
    build(BuildOptions(site / "site_config.yaml", date(2020, 10, 1), workers=workers), incremental=False)
    if workers == 1:  # no workers: the templates load as the pages ask for them
        assert events == [("parses",)]
    else:  # while the worker parses; and once more, finding them compiled, before the render worker is forked
        assert events[:2] == [("compile", 1), ("parses",)] and events[2:] == [("compile", 0)]


def test_template_errors_found_in_workers_are_all_reported(tmp_path):
    site = synthetic_site(tmp_path / "site", 120)
    template = site / "templates" / "page.html"
    template.write_text(template.read_text("utf-8").replace("{{ page.title }}", "{{ page.no_such_field }}", 1),
                        "utf-8")
    with pytest.raises(ContentErrors) as caught:
        build(BuildOptions(site / "site_config.yaml", date(2020, 10, 1), tmp_path / "out", workers=2),
              incremental=False)
    messages = {e.format() for e in caught.value.errors}
    assert any(m.startswith("templates/page.html:") and "no_such_field" in m for m in messages), messages
    assert not (tmp_path / "out").exists()


def test_content_errors_found_in_parse_workers_are_all_reported(tmp_path):
    site = synthetic_site(tmp_path / "site", 120)
    pages = site / "content" / "pages"
    for name in ("page-00003.en.md", "page-00057.zh.md"):  # one early, one late: different workers
        path = pages / name
        path.write_text(path.read_text("utf-8").replace("title:", "title: ''\nold_title:", 1), "utf-8")
    # and one that this process finds in the data files while the workers parse
    meetings = site / "content" / "data" / "meetings.yaml"
    meetings.write_text(meetings.read_text("utf-8") + "unexpected_key: 1\n", "utf-8")
    with pytest.raises(ContentErrors) as caught:
        build(BuildOptions(site / "site_config.yaml", date(2020, 10, 1), tmp_path / "out", workers=2),
              incremental=False)
    messages = sorted(e.format() for e in caught.value.errors)
    assert any(m.startswith("content/pages/page-00003.en.md:") for m in messages), messages
    assert any(m.startswith("content/pages/page-00057.zh.md:") for m in messages), messages
    assert any(m.startswith("content/data/meetings.yaml:") and "unexpected_key" in m for m in messages), messages
    assert not (tmp_path / "out").exists()


def test_parses_made_in_workers_are_kept_in_the_parse_cache(tmp_path, monkeypatch):
    import wtpfsite.pages
    import wtpfsite.parsecache

    site = synthetic_site(tmp_path / "site", 120)
    options = BuildOptions(site / "site_config.yaml", date(2020, 10, 1), tmp_path / "out", workers=2)
    first = build(options)
    assert first.rendered > 2 * MIN_JOBS_PER_WORKER

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(wtpfsite.pages, "parse_source", no_parsing)  # what build.py parses with
    monkeypatch.setattr(wtpfsite.parsecache, "parse_source", no_parsing)
    (site / "templates" / "base.html").write_text((site / "templates" / "base.html").read_text("utf-8") + "\n",
                                                  "utf-8")
    again = build(options)  # a template edit renders every page again, from the parses kept
    assert again.rendered > 2 * MIN_JOBS_PER_WORKER


def test_the_parse_workers_start_before_jinja_is_imported(tmp_path):
    """The parse workers need none of the templates' libraries: the build imports them (and compiles the
    templates) only once the workers parse, so they start sooner. Checked in a fresh interpreter, where nothing
    else imported Jinja first."""
    import subprocess
    import sys

    from helpers import ROOT

    site = synthetic_site(tmp_path / "site", 120)
    probe = """
import sys
from datetime import date
from pathlib import Path
import wtpfsite.parallel as parallel
from wtpfsite.build import BuildOptions, build
seen = []
started = parallel.in_workers
def in_workers(*args, **kwargs):
    seen.append("jinja2" in sys.modules)
    return started(*args, **kwargs)
parallel.in_workers = in_workers
build(BuildOptions(Path(sys.argv[1]), date(2020, 10, 1), workers=2), incremental=True)
print(seen)
"""
    done = subprocess.run([sys.executable, "-c", probe, str(site / "site_config.yaml")], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[False, True]"  # the parse workers, then the render workers


def test_a_build_after_an_edit_imports_neither_the_workers_nor_the_search_machinery(tmp_path):
    """A build that makes a few pages again forks no worker process and, on a site without search, starts no
    indexer: it does without importing subprocess and the search module (start-up time counts in every build
    after an edit). A full build of the same site in the same kind of process does fork, so the probe can tell.
    Checked in fresh interpreters, where nothing else imported them first."""
    import subprocess
    import sys

    from helpers import ROOT

    site = synthetic_site(tmp_path / "site", 120)
    probe = """
import sys
from datetime import date
from pathlib import Path
import os
forks, fork = [], os.fork
os.fork = lambda: forks.append(1) or fork()
from wtpfsite.build import BuildOptions, build
result = build(BuildOptions(Path(sys.argv[1]), date(2020, 10, 1), workers=2), incremental=True)
print(result.rendered, len(forks), *(name in sys.modules for name in ("subprocess", "wtpfsite.search")))
"""

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", probe, str(site / "site_config.yaml")], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        return done.stdout.split()

    full = run()
    assert int(full[0]) > 2 * MIN_JOBS_PER_WORKER and full[1] == "2"  # the parse worker and the render worker
    page = site / "content" / "pages" / "about.en.md"
    page.write_text(page.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    edited = run()
    assert 0 < int(edited[0]) < MIN_JOBS_PER_WORKER
    assert edited[1:] == ["0", "False", "False"]


def test_ctrl_c_during_a_parallel_build_stops_every_process_and_leaves_the_output_alone(tmp_path):
    """Ctrl-C in a terminal interrupts the whole foreground process group, the workers too: the build exits 130
    with its message, no worker outlives it, and the last build's output/ is as it was."""
    import os
    import signal
    import subprocess
    import time

    from pathlib import Path

    from helpers import PYTHON, ROOT, leftovers, tree_files

    site = synthetic_site(tmp_path / "site", 600)
    config = site / "site_config.yaml"
    build(BuildOptions(config, date(2020, 10, 1), workers=1))
    before = tree_files(site / "output")
    for _ in range(3):  # a build that ended before the signal came (this process was held up) is tried again
        # a group of its own, and Ctrl-C as in a terminal's foreground: not ignored, as it is in what a
        # non-interactive shell starts in the background (`make test &`), which this test may run in
        process = subprocess.Popen([PYTHON, str(ROOT / "build.py"), "build", "--config", str(config), "--today",
                                    "2020-10-01", "--no-cache", "--jobs", "2"], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        workers: set[int] = set()
        deadline = time.monotonic() + 60
        while not workers and process.poll() is None and time.monotonic() < deadline:
            try:
                workers = {int(pid) for task in (Path("/proc") / str(process.pid) / "task").iterdir()
                           for pid in (task / "children").read_text().split()}
            except OSError:  # (a thread ended while listed)
                pass
            time.sleep(0.002)
        assert workers, "the build forked no worker (or ended before one was seen)"
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
        if not (process.returncode == 0 and out.startswith("built ")):
            break
    assert process.returncode == 130, err
    assert err == "interrupted; output/ was left as it was\n", err
    assert tree_files(site / "output") == before and leftovers(site) == []
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers):  # (an orphan would be reaped by init at once)
        assert time.monotonic() < deadline, f"workers {workers} outlived the build"
        time.sleep(0.01)


def test_the_workers_hash_the_sources_they_parse_and_the_parses_are_keyed_by_what_they_read(tmp_path, monkeypatch):
    """A cold build hashes the Markdown sources as the workers read them (deps.FileHashes defers them): a source
    edited after the build took its snapshot of the other inputs, before a worker read it, is parsed, recorded and
    kept in the parse cache as it was read; the next build has nothing to do."""
    import wtpfsite.deps as deps

    site = synthetic_site(tmp_path / "site", 120)
    page = site / "content" / "pages" / "page-00007.en.md"
    original = deps.FileHashes.before_load.__func__
    snapshots = []

    def before_load(cls, config_path):
        snapshot = original(cls, config_path)
        assert snapshot.deferred(page.resolve()) and not snapshot.deferred((site / "site_config.yaml").resolve())
        page.write_text(page.read_text("utf-8") + "\nWritten once the build had started.\n", "utf-8")
        snapshots.append(snapshot)
        return snapshot

    monkeypatch.setattr(deps.FileHashes, "before_load", classmethod(before_load))
    options = BuildOptions(site / "site_config.yaml", date(2020, 10, 1), tmp_path / "out", workers=2)
    first = build(options)
    assert first.rendered > 2 * MIN_JOBS_PER_WORKER
    assert b"Written once the build had started." in (tmp_path / "out" / "en" / "page-00007" / "index.html") \
        .read_bytes()
    assert snapshots[0].get(page.resolve()) == deps.digest(page.read_bytes())
    monkeypatch.setattr(deps.FileHashes, "before_load", classmethod(original))
    again = build(options)
    assert (again.rendered, again.unchanged) == (0, True)
