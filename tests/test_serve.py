"""Watch mode (wtpfsite/commands/serve.py, livereload.py): the server, the watcher, the rebuild coordinator, live reload.

Unit tests run the server in a thread over a hand-made output folder and a fake build. The process test and
the browser tests run `build.py serve --port 0` in a subprocess on a copy of the real site.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import copy_real_site, run_cli, tree_files
from helpers import options as helper_options

from wtpfsite.base.errors import ContentErrors, SiteError
from wtpfsite.commands.livereload import EVENTS_URL, Coordinator, State, inject
from wtpfsite.commands.serve import DevServer, SitePaths, WatchBuild, Watcher, resolve_inside

ROOT = Path(__file__).resolve().parents[1]
MARK = b'new EventSource("/__wtpfsite/events")'  # a line of the injected script
WAIT = 20.0  # generous: tests must pass on a busy 2-core machine


def wait_until(predicate, timeout: float = WAIT, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s")


# ------------------------------------------------------------------------------------- in-process server

class FakeBuild:
    """Stands in for wtpfsite.pipeline.build.build: counts calls, can fail or block."""

    def __init__(self):
        self.calls = 0
        self.fail: Exception | None = None
        self.gate: threading.Event | None = None

    def __call__(self, progress=None, changed=frozenset()):
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(WAIT)
        if self.fail is not None:
            raise self.fail


@pytest.fixture
def fake_site(tmp_path):
    site = tmp_path / "site"
    output = site / "output"
    files = {
        "index.html": "<!DOCTYPE html><html><body><p>root chooser</p></body></html>",
        "404.html": "<!DOCTYPE html><html><body><h1>Site 404 page</h1></body></html>",
        "en/404.html": "<!DOCTYPE html><html><body><h1>English 404 page</h1></body></html>",
        "en/index.html": "<!DOCTYPE html><html><body><p>english home</p></BODY></html>",
        "en/about/index.html": "<!DOCTYPE html><html><body><p>about</p></body></html>",
        "en/calendar.ics": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "en/feed.xml": "<feed/>", "static/site.css": "body{}", "static/site.js": "1;",
        "static/favicon.svg": "<svg/>", "data/experts.json": "[]", "data/experts.csv": "name\n",
    }
    for name, text in files.items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(text, "utf-8")
    (tmp_path / "secret.txt").write_text("TOP SECRET", "utf-8")
    (output / "secret-link.txt").symlink_to(tmp_path / "secret.txt")
    (output / "outside").symlink_to(tmp_path)
    for folder in ("content/pages", "content/data", "templates/static"):
        (site / folder).mkdir(parents=True)
    (site / "site_config.yaml").write_text("title: test\n", "utf-8")
    return SitePaths(site / "site_config.yaml", site / "content", site / "templates", output)


@pytest.fixture
def server(fake_site):
    """(server, coordinator, fake build) on 127.0.0.1, a free port, in a thread."""
    fake = FakeBuild()
    coordinator = Coordinator(fake, fake_site.css_only, lambda message, is_error: None)
    dev = DevServer(("127.0.0.1", 0), fake_site, coordinator, ("en", "zh"))
    thread = threading.Thread(target=dev.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield dev, coordinator, fake
    coordinator.close()
    dev.shutdown()
    dev.server_close()
    thread.join(5)


def raw_get(dev: DevServer, target: str) -> tuple[int, dict[str, str], bytes]:
    """A request sent byte for byte as given (no client-side normalisation of '..' or '%2e')."""
    with socket.create_connection(dev.server_address[:2], timeout=WAIT) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/en/../../secret.txt",
    "/en/%2e%2e/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt", "/..%5csecret.txt", "../secret.txt",
    "//" + "/etc/passwd", "/secret-link.txt", "/outside/secret.txt", "/en/about/%00", "/en/./about/",
])
def test_path_traversal_is_rejected(server, target):
    dev, _, _ = server
    status, _, body = raw_get(dev, target)
    assert status == 404
    assert b"TOP SECRET" not in body and b"root:" not in body
    assert b"Site 404 page" in body or b"English 404 page" in body


def test_path_traversal_with_http_client(server):
    dev, _, _ = server
    for target in ("/../secret.txt", "/%2e%2e/secret.txt"):
        connection = http.client.HTTPConnection(*dev.server_address[:2], timeout=WAIT)
        connection.request("GET", target)
        response = connection.getresponse()
        assert response.status == 404 and b"TOP SECRET" not in response.read()
        connection.close()


def test_resolve_inside(fake_site):
    output = fake_site.output
    assert resolve_inside(output, ["en", "about"]) == (output / "en" / "about").resolve()
    assert resolve_inside(output, []) == output.resolve()
    for parts in (["..", "secret.txt"], ["secret-link.txt"], ["outside", "secret.txt"], ["missing"], ["a\\b"]):
        assert resolve_inside(output, parts) is None


def test_missing_files_get_the_sites_404_page(server):
    dev, _, _ = server
    status, headers, body = raw_get(dev, "/no/such/page/")
    assert status == 404 and b"Site 404 page" in body and headers["content-type"].startswith("text/html")
    status, _, body = raw_get(dev, "/en/no-such-page/")
    assert status == 404 and b"English 404 page" in body
    status, _, body = raw_get(dev, "/zh/no-such-page/")  # no zh/404.html in this output: the site's
    assert status == 404 and b"Site 404 page" in body
    assert MARK in body  # the overlay must work on 404 pages too


def test_script_injected_in_served_html_only(server, fake_site):
    dev, _, _ = server
    for target, name in (("/en/", "en/index.html"), ("/en/about/", "en/about/index.html"), ("/", "index.html")):
        status, headers, body = raw_get(dev, target)
        on_disk = (fake_site.output / name).read_bytes()
        assert status == 200 and MARK in body and MARK not in on_disk
        assert body.index(MARK) < body.lower().rindex(b"</body>")
        assert body.replace(body[body.index(b"<script>(function"):body.lower().rindex(b"</body>")], b"") == on_disk
        assert int(headers["content-length"]) == len(body)
    _, _, css = raw_get(dev, "/static/site.css")
    assert css == b"body{}"


def test_inject_without_body_tag():
    assert inject(b"<p>x</p>", State(generation=3)).startswith(b"<p>x</p><script>")
    assert b'var generation = 3, server = "7-1",' in inject(b"<body></body>", State(generation=3, server="7-1"))


def test_content_types_and_no_store(server):
    dev, _, _ = server
    expected = {"/en/": "text/html", "/static/site.css": "text/css", "/static/site.js": "text/javascript",
                "/static/favicon.svg": "image/svg+xml", "/en/feed.xml": "application/xml",
                "/en/calendar.ics": "text/calendar", "/data/experts.json": "application/json",
                "/data/experts.csv": "text/csv"}
    for target, ctype in expected.items():
        status, headers, _ = raw_get(dev, target)
        assert status == 200 and headers["content-type"].split(";")[0] == ctype, target
        assert headers["cache-control"] == "no-store"


def test_directory_without_slash_redirects(server):
    dev, _, _ = server
    status, headers, _ = raw_get(dev, "/en/about?x=1")
    assert status == 301 and headers["location"] == "/en/about/?x=1"


def test_requests_wait_for_a_running_rebuild(server):
    dev, coordinator, fake = server
    fake.gate = threading.Event()
    builder = threading.Thread(target=coordinator.rebuild)
    builder.start()
    wait_until(lambda: fake.calls == 1)
    answers: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: answers.put(raw_get(dev, "/en/")), daemon=True).start()
    with pytest.raises(queue.Empty):
        answers.get(timeout=0.5)  # still building: the request waits
    status, _, _ = raw_get(dev, "/__wtpfsite/status")  # except the status, which never waits
    assert status == 200
    fake.gate.set()
    status, _, body = answers.get(timeout=WAIT)
    assert status == 200 and b"var generation = 1," in body
    builder.join(WAIT)


def test_status_and_events_report_errors_and_recovery(server):
    dev, coordinator, fake = server
    connection = http.client.HTTPConnection(*dev.server_address[:2], timeout=WAIT)
    connection.request("GET", EVENTS_URL)
    events = connection.getresponse()
    assert events.getheader("content-type") == "text/event-stream"

    def next_event() -> dict:
        while not (line := events.fp.readline()).startswith(b"data: "):
            pass
        return json.loads(line[6:])

    assert next_event()["generation"] == 0
    fake.fail = ContentErrors([SiteError("content/data/meetings.yaml", 4, 7, "bad <thing> & more")])
    coordinator.rebuild()
    state = next_event()
    assert state["errors"] == ["content/data/meetings.yaml:4:7: bad <thing> & more"] and state["generation"] == 0
    status = json.loads(raw_get(dev, "/__wtpfsite/status")[2])
    assert status["errors"] == state["errors"]
    fake.fail = RuntimeError("boom")
    coordinator.rebuild()
    assert next_event()["errors"] == ["internal error: RuntimeError: boom"]
    fake.fail = None
    coordinator.rebuild()
    state = next_event()
    assert state["errors"] == [] and state["generation"] == 1 and state["css_only"] is False
    connection.close()


def test_css_only_changes(fake_site):
    css = fake_site.templates / "static" / "site.css"
    assert fake_site.css_only(frozenset({css}))
    assert not fake_site.css_only(frozenset({css, fake_site.templates / "static" / "site.js"}))
    assert not fake_site.css_only(frozenset({fake_site.content / "pages" / "x.css"}))
    assert not fake_site.css_only(frozenset())
    coordinator = Coordinator(FakeBuild(), fake_site.css_only, lambda message, is_error: None)
    assert coordinator.rebuild(frozenset({css})).css_only


def test_relevant_paths(fake_site):
    relevant = fake_site.relevant
    assert relevant(fake_site.config)
    assert relevant(fake_site.content / "pages" / "about.en.md")
    assert relevant(fake_site.templates / "static" / "site.css")
    for ignored in (fake_site.output / "en" / "index.html", fake_site.content / "pages" / "about.en.md~",
                    fake_site.content / "pages" / ".about.en.md.swp", fake_site.content / "pages" / "4913",
                    fake_site.content / "pages" / ".goutputstream-Q2XTZ2", fake_site.content / "pages" / ".#a.en.md",
                    fake_site.content / "pages" / "about.en.md___jb_tmp___",
                    fake_site.content / ".staging-output-1" / "x.html", fake_site.content / ".wtpfsite-cache" / "m",
                    fake_site.templates / ".retired-output-9" / "a.css", fake_site.config.parent / "README.md",
                    fake_site.config.parent / ".wtpfsite-cache" / "manifest.json"):
        assert not relevant(ignored), ignored


# ------------------------------------------------------------------------------------- debouncing

def test_debounce_collapses_a_burst_into_one_call(fake_site):
    calls: list[frozenset[Path]] = []
    coordinator = Coordinator(lambda progress, changed: calls.append(changed), fake_site.css_only,
                              lambda message, is_error: None)
    watcher = Watcher(fake_site, coordinator, quiet=0.3)
    watcher.start()
    pages = fake_site.content / "pages"
    try:
        time.sleep(0.2)
        for i in range(20):
            (pages / f"{i % 5}.md").write_text(str(i), "utf-8")
            time.sleep(0.01)
        wait_until(lambda: calls)
        time.sleep(0.6)
        assert calls == [frozenset(pages / f"{i}.md" for i in range(5))]
        (pages / "later.md").write_text("later", "utf-8")  # a later burst is a second call
        wait_until(lambda: len(calls) == 2)
        assert calls[1] == {pages / "later.md"}
    finally:
        watcher.stop()


def test_watcher_burst_of_saves_is_one_rebuild(fake_site):
    fake = FakeBuild()
    coordinator = Coordinator(fake, fake_site.css_only, lambda message, is_error: None)
    watcher = Watcher(fake_site, coordinator, quiet=0.3)
    watcher.start()
    try:
        time.sleep(0.2)
        pages = fake_site.content / "pages"
        for i in range(10):  # a "save all" in an editor, with its temp files
            (pages / f"p{i}.en.md").write_text(f"page {i}", "utf-8")
            (pages / f"p{i}.en.md~").write_text("backup", "utf-8")
        wait_until(lambda: fake.calls >= 1)
        assert coordinator.wait_ready(WAIT)
        time.sleep(0.8)
        assert fake.calls == 1
        # editor temp files, build leftovers and the output folder alone never trigger a build
        (pages / "4913").write_text("", "utf-8")
        (pages / ".p1.en.md.swp").write_text("", "utf-8")
        (fake_site.output / "en" / "new.html").write_text("", "utf-8")
        (fake_site.config.parent / ".staging-output-1").mkdir()
        (fake_site.config.parent / ".wtpfsite-cache").mkdir()
        (fake_site.config.parent / ".wtpfsite-cache" / "manifest.json").write_text("{}", "utf-8")
        time.sleep(1.0)
        assert fake.calls == 1 and coordinator.wait_ready(0)
        fake_site.config.write_text("title: changed\n", "utf-8")  # the config file does
        wait_until(lambda: fake.calls == 2)
    finally:
        watcher.stop()


# ------------------------------------------------------------------------------------- search index later

def _watch(site: Path, logs: list) -> Coordinator:
    """A coordinator running watch mode's build, as `serve` does, on a copy of the real site (search on)."""
    log = lambda message, is_error: logs.append((message, is_error))  # noqa: E731
    watch = WatchBuild(helper_options(site), log)
    return Coordinator(watch, lambda changed: False, log, watch.after)


def test_a_rebuild_tells_the_browsers_before_it_makes_the_search_index(tmp_path, monkeypatch):
    import wtpfsite.publish.search
    from wtpfsite.pipeline.build import build

    logs: list = []
    coordinator = _watch(copy_real_site(tmp_path / "site"), logs)
    assert coordinator.rebuild().errors == ()
    sent_before_pagefind = []
    run_pagefind = wtpfsite.publish.search.run_pagefind

    def spy(*args, **kwargs):
        sent_before_pagefind.append(coordinator.state.seq)
        return run_pagefind(*args, **kwargs)

    monkeypatch.setattr(wtpfsite.publish.search, "run_pagefind", spy)
    source = tmp_path / "site" / "content" / "pages" / "about.en.md"
    source.write_text(source.read_text("utf-8") + "\nA sentence to find.\n", "utf-8")
    state = coordinator.rebuild(frozenset({source}))
    assert state.errors == () and sent_before_pagefind == [2]  # the new state went out first
    assert (state.seq, state.index) == (3, 1)  # then that of the new index, which the search page reloads for
    assert any(message.startswith("search index made again") for message, _ in logs), logs
    # the output is a clean build's of the same files, index and all, and the index is recorded as made
    clean = copy_real_site(tmp_path / "clean")
    (clean / "content" / "pages" / "about.en.md").write_text(source.read_text("utf-8"), "utf-8")
    build(helper_options(clean), incremental=False)
    assert tree_files(tmp_path / "site" / "output") == tree_files(clean / "output")
    sent_before_pagefind.clear()
    build(helper_options(tmp_path / "site"))
    assert sent_before_pagefind == []


def test_a_search_index_that_cannot_be_made_after_a_rebuild_is_reported_and_the_last_one_kept(tmp_path,
                                                                                             monkeypatch):
    import wtpfsite.publish.search
    from wtpfsite.pipeline.build import build

    logs: list = []
    site = copy_real_site(tmp_path / "site")
    coordinator = _watch(site, logs)
    assert coordinator.rebuild().errors == ()
    index = {p: d for p, d in tree_files(site / "output").items() if p.startswith("pagefind/")}
    failing = tmp_path / "failing-pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n", "utf-8")
    failing.chmod(0o755)
    monkeypatch.setattr(wtpfsite.publish.search, "pagefind_binary", lambda: failing)
    source = site / "content" / "pages" / "about.en.md"
    source.write_text(source.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    state = coordinator.rebuild(frozenset({source}))
    assert state.errors == ()  # the pages were built and the browsers told; only the index failed
    assert "One more sentence." in (site / "output" / "en" / "about" / "index.html").read_text("utf-8")
    errors = [message for message, is_error in logs if is_error]
    assert any(re.fullmatch(r"site_config\.yaml:1:1: search index: Pagefind failed \(exit status 3\): "
                            r"Error: something broke.*", m, re.S) for m in errors), errors
    assert "Traceback" not in "\n".join(errors)
    assert {p: d for p, d in tree_files(site / "output").items() if p.startswith("pagefind/")} == index
    assert not list(site.glob(".staging-*"))
    monkeypatch.undo()  # Pagefind works again: the next build knows the index is stale and makes it
    build(helper_options(site))
    assert {p: d for p, d in tree_files(site / "output").items() if p.startswith("pagefind/")} != index


def test_pages_added_and_deleted_in_watch_mode_leave_a_clean_build_s_output_index_and_all(tmp_path):
    from wtpfsite.pipeline.build import build

    logs: list = []
    site = copy_real_site(tmp_path / "site")
    coordinator = _watch(site, logs)
    assert coordinator.rebuild().errors == ()
    scratch = site / "content" / "pages" / "scratch.en.md"
    scratch.write_text("---\ntitle: Scratch page\n---\nA scratch page.\n", "utf-8")
    assert coordinator.rebuild(frozenset({scratch})).errors == ()
    assert (site / "output" / "en" / "scratch" / "index.html").is_file()
    scratch.unlink()
    assert coordinator.rebuild(frozenset({scratch})).errors == ()
    assert not (site / "output" / "en" / "scratch").exists()
    clean = copy_real_site(tmp_path / "clean")
    build(helper_options(clean), incremental=False)
    assert tree_files(site / "output") == tree_files(clean / "output")
    # a page tried in the preview only was never published: nothing to retire
    assert not [message for message, is_error in logs if is_error], logs
    assert run_cli(["check", "--config", str(site / "site_config.yaml"), "--release", "--today", "2020-10-01"])[0] == 0


def test_a_published_page_deleted_in_the_preview_is_reported_there(tmp_path):
    """What `build` published and the preview no longer serves is reported at once, and the preview builds on."""
    from wtpfsite.pipeline.build import build

    logs: list = []
    site = copy_real_site(tmp_path / "site")
    scratch = site / "content" / "pages" / "scratch.en.md"
    scratch.write_text("---\ntitle: Scratch page\n---\nA scratch page.\n", "utf-8")
    build(helper_options(site))
    coordinator = _watch(site, logs)
    scratch.unlink()
    assert coordinator.rebuild(frozenset({scratch})).errors == ()
    errors = [message for message, is_error in logs if is_error]
    assert len(errors) == 2 and all(re.match(r"content/pages/scratch\.en\.md:1:1: /(en|zh)/scratch/ was published",
                                             message) for message in errors), logs


# ------------------------------------------------------------------------------------- real process

class ServeProcess:
    """`build.py serve --port 0` on a copy of the real site; stdout and stderr collected in `lines`."""

    def __init__(self, site: Path, preexec_fn=None, port: int = 0):
        self.site = site
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--config", str(site / "site_config.yaml"),
             "--port", str(port), "--today", "2020-10-01"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=preexec_fn)
        threading.Thread(target=self._read, daemon=True).start()
        try:
            found = wait_until(lambda: next((m for line in self.lines
                                             if (m := re.match(r"serving (http://\S+/)", line))), None) or
                               self.proc.poll() is not None, timeout=60)
            if found is True:
                raise AssertionError("serve exited:\n" + self.output)
            self.url = found.group(1)
        except BaseException:
            self.stop()
            raise

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + "__wtpfsite/status", timeout=WAIT) as response:
            return json.loads(response.read())

    def wait_generation(self, above: int) -> dict:
        return wait_until(lambda: (s := self.status())["generation"] > above and s)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


@pytest.fixture
def live(tmp_path):
    process = ServeProcess(copy_real_site(tmp_path / "site"))
    yield process
    process.stop()


def test_serve_process_builds_serves_and_stops_on_ctrl_c(live):
    assert live.url.startswith("http://127.0.0.1:")
    state = live.status()
    assert state["errors"] == [], live.output
    with urllib.request.urlopen(live.url + "en/about/", timeout=WAIT) as response:
        served = response.read()
    on_disk = (live.site / "output" / "en" / "about" / "index.html").read_bytes()
    assert MARK in served and MARK not in on_disk
    assert not any(MARK in p.read_bytes() for p in (live.site / "output").rglob("*.html"))
    assert live.stop() == 0, live.output
    assert "Traceback" not in live.output


def test_serve_stops_cleanly_on_sigint_even_when_started_with_it_ignored_and_on_sigterm(tmp_path):
    # a shell without job control starts background commands with SIGINT ignored
    ignoring = ServeProcess(copy_real_site(tmp_path / "a"), lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert ignoring.stop() == 0, ignoring.output
    assert ignoring.lines[-1] == "stopped"
    terminated = ServeProcess(copy_real_site(tmp_path / "b"))
    terminated.proc.send_signal(signal.SIGTERM)
    assert terminated.proc.wait(15) == 0, terminated.output
    assert "Traceback" not in terminated.output


# ------------------------------------------------------------------------------------- browser

def open_page(browser, url: str, context=None):
    """A page at `url`, in `context` or a new one that never leaves this machine (the 404 pages link the
    production host; tests never wait for the network)."""
    if context is None:
        context = browser.new_context(viewport={"width": 900, "height": 500})
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(WAIT * 1000)
    page.goto(url)
    return context, page


def save_line(site: Path, text: str) -> None:
    """An editor's save: `text` appended, on a line of its own, to the About page's English source."""
    source = site / "content" / "pages" / "about.en.md"
    source.write_text(source.read_text("utf-8") + f"\n{text}\n", "utf-8")


@pytest.mark.browser
def test_browser_markdown_edit_reloads_and_keeps_scroll(browser, live):
    context, page = open_page(browser, live.url + "en/about/")
    try:
        page.evaluate("window.scrollTo(0, 300); window.__beforeEdit = true")
        page.wait_for_function("window.scrollY === 300")
        save_line(live.site, "Live reload says hello.")
        page.get_by_text("Live reload says hello.").wait_for()
        assert page.evaluate("window.__beforeEdit === undefined")  # a real reload
        page.wait_for_function("window.scrollY === 300")  # at the same place
    finally:
        context.close()


@pytest.mark.browser
def test_browser_every_tab_of_the_preview_loads_and_reloads(browser, live):
    """A browser opens six connections to a host: the tabs share one event stream, so the seventh still loads."""
    context, first = open_page(browser, live.url + "en/about/")
    try:
        pages = [first] + [open_page(browser, live.url + "en/about/", context)[1] for _ in range(7)]
        save_line(live.site, "Every tab says hello.")
        for page in pages:
            page.get_by_text("Every tab says hello.").wait_for()
    finally:
        context.close()


@pytest.mark.browser
def test_browser_the_search_page_finds_what_was_saved_once_the_index_is_made_again(browser, live):
    """The search index is made again after the pages show: the open search page then reloads, and finds it."""
    context, page = open_page(browser, live.url + "en/search/?q=zorblax")
    try:
        page.get_by_text("No results for zorblax").wait_for()
        save_line(live.site, "A zorblax is not a word.")
        page.locator(".pagefind-ui__result-link").first.wait_for()
        assert page.locator(".pagefind-ui__result-link").first.get_attribute("href").endswith("/en/about/")
    finally:
        context.close()


@pytest.mark.browser
def test_browser_a_tab_follows_the_preview_when_it_is_started_again(browser, tmp_path):
    """The builds of a preview started again count from the start: the open tab still reloads on a save."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = copy_real_site(tmp_path / "site")
    first = ServeProcess(site, port=port)
    try:
        context, page = open_page(browser, first.url + "en/about/")
        for number in range(5):  # the first run's count goes well ahead of the second's
            save_line(site, f"Save {number}.")
            page.get_by_text(f"Save {number}.").wait_for()
        assert first.stop() == 0
        second = ServeProcess(site, port=port)
        try:
            save_line(site, "After the restart.")
            page.get_by_text("After the restart.").wait_for()
        finally:
            second.stop()
            context.close()
    finally:
        first.stop()


@pytest.mark.browser
def test_browser_css_edit_swaps_stylesheet_without_navigation(browser, live):
    context, page = open_page(browser, live.url + "en/")
    try:
        navigations = []
        page.on("framenavigated", lambda frame: navigations.append(frame.url))
        page.evaluate("window.__beforeEdit = 'still here'")
        before = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert before != "rgb(1, 2, 3)"
        css = live.site / "templates" / "static" / "site.css"
        css.write_text(css.read_text("utf-8") + "\nbody { background-color: rgb(1, 2, 3); }\n", "utf-8")
        page.wait_for_function("getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'")
        assert page.evaluate("window.__beforeEdit") == "still here"
        assert navigations == []
        assert live.status()["css_only"] is True
    finally:
        context.close()


@pytest.mark.browser
def test_browser_error_overlay_and_recovery(browser, live):
    context, page = open_page(browser, live.url + "en/meetings/")
    try:
        page.evaluate("window.__beforeError = true")
        meetings = live.site / "content" / "data" / "meetings.yaml"
        good = meetings.read_text("utf-8")
        meetings.write_text(good + "\n  - id: [unclosed\n    <b>: {\n", "utf-8")
        overlay = page.locator("#wtpfsite-error-overlay")
        overlay.wait_for()
        assert overlay.get_attribute("role") == "alert"
        assert re.search(r"meetings\.yaml:\d+:\d+: ", overlay.inner_text())
        assert page.evaluate("getComputedStyle(document.getElementById('wtpfsite-error-overlay')).position") \
            == "fixed"
        assert page.evaluate("window.__beforeError") is True  # an error does not reload the page
        assert re.search(r"meetings\.yaml:\d+:\d+: ", "\n".join(live.status()["errors"]))
        assert re.search(r"meetings\.yaml:\d+:\d+: ", live.output)  # printed in the terminal too
        # a page opened while the error persists shows the overlay at once; the last good build is served
        response = page.goto(live.url + "en/about/")
        assert response.status == 200
        overlay.wait_for()
        page.evaluate("window.__beforeFix = true")
        meetings.write_text(good, "utf-8")
        overlay.wait_for(state="detached")
        page.wait_for_function("window.__beforeFix === undefined")  # reloaded
        page.locator("main h1").wait_for()
        assert live.status()["errors"] == []
        assert live.proc.poll() is None
    finally:
        context.close()


@pytest.mark.browser
def test_browser_deleted_page_gives_404(browser, live):
    pages = live.site / "content" / "pages"
    generation = live.status()["generation"]
    (pages / "scratch.en.md").write_text("---\ntitle: Scratch page\ndescription: A page for a test.\n---\n"
                                         "A scratch page.\n", "utf-8")
    generation = live.wait_generation(generation)["generation"]
    context, page = open_page(browser, live.url + "en/scratch/")
    try:
        assert page.locator("main").inner_text().count("A scratch page.") == 1
        site_404 = (live.site / "output" / "en" / "404.html").read_text("utf-8")
        title = html.unescape(re.search(r"<h1>(.*?)</h1>", site_404).group(1))
        (pages / "scratch.en.md").unlink()
        live.wait_generation(generation)
        # the open page reloads itself into the 404 page; then a fresh visit gets status 404
        page.wait_for_function("(t) => document.querySelector('h1') && document.querySelector('h1').textContent === t",
                               arg=title)
        response = page.goto(live.url + "en/scratch/")
        assert response.status == 404
        assert page.locator("h1").first.inner_text() == title
        assert page.title() == html.unescape(re.search(r"<title>(.*?)</title>", site_404).group(1))
    finally:
        context.close()
