"""Watch mode: build, serve the output folder, rebuild on changes, and reload the browsers.

    Watcher (watchdog) -> Debouncer (~50 ms quiet) -> Coordinator.rebuild (one build at a time)
                                                            -> state pushed to browsers by Server-Sent Events
    DevServer: files from the output folder only, HTML with LIVE_RELOAD_JS injected (never on disk).

A failed build keeps the last good output; browsers show its errors in an overlay until a build succeeds.
Builds keep their caches in memory (session.Session); a rebuild that changes HTML keeps the last search index
for a moment. The new index, and saving the caches, come once the browsers have been told to reload
(session.Afterwards), so a saved page shows without waiting for either.
Paths come from site_config.yaml at start-up: changing content_dir, templates_dir or output_dir needs a restart.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .build import BuildOptions, Progress, build
from .config import load_config
from .errors import ContentErrors, ErrorList
from .session import Session
from .write import RETIRED_PREFIX, STAGING_PREFIX

EVENTS_URL, STATUS_URL = "/__wtpfsite/events", "/__wtpfsite/status"
QUIET_SECONDS = 0.05  # a burst of file events ends after this long without one (an editor's save: a few ms)
WAIT_SECONDS = 30.0  # longest a request waits for a running rebuild
PING_SECONDS = 15.0
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", "___jb_tmp___", "___jb_old___")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".xml": "application/xml; charset=utf-8",
         ".ics": "text/calendar; charset=utf-8", ".json": "application/json", ".csv": "text/csv; charset=utf-8",
         ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg", ".ico": "image/x-icon",
         ".woff2": "font/woff2", ".pdf": "application/pdf"}
FALLBACK_404 = b"<!DOCTYPE html>\n<html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>\n"

# Injected before </body> of every HTML response. __GENERATION__ is the build the page was served from.
LIVE_RELOAD_JS = """(function () {
  "use strict";
  var generation = __GENERATION__, seq = -1, hadErrors = false, KEY = "wtpfsite-scroll:" + location.pathname;
  function restoreScroll() {
    var saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
    if (saved) window.scrollTo(saved[0], saved[1]);
  }
  if (document.readyState === "complete") restoreScroll(); else window.addEventListener("load", restoreScroll);
  function reload() {
    sessionStorage.setItem(KEY, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }
  function swapStylesheets() {  // same-origin stylesheets only; the page itself stays
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("wtpfsite", String(Date.now()));
      link.href = url.href;
    });
  }
  function showErrors(messages) {  // textContent: messages are never parsed as HTML
    var overlay = document.getElementById("wtpfsite-error-overlay");
    if (overlay) overlay.remove();
    if (!messages.length) return;
    overlay = document.createElement("div");
    overlay.id = "wtpfsite-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;" +
      "background:rgba(60,0,0,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
    var title = overlay.appendChild(document.createElement("p"));
    var list = overlay.appendChild(document.createElement("ul"));
    title.textContent = "The build failed; the site shows the last good build until these are fixed:";
    messages.forEach(function (message) { list.appendChild(document.createElement("li")).textContent = message; });
    document.body.appendChild(overlay);
  }
  function apply(state) {
    if (state.seq <= seq) return;  // older news (the status answer and the event stream race)
    seq = state.seq;
    if (state.errors.length) { hadErrors = true; showErrors(state.errors); }
    else if (state.generation === generation) showErrors([]);
    else if (state.css_only && !hadErrors && state.generation === generation + 1) {
      generation = state.generation;
      swapStylesheets();
    } else reload();
  }
  new EventSource("__EVENTS__").onmessage = function (event) { apply(JSON.parse(event.data)); };
  fetch("__STATUS__", {cache: "no-store"}).then(function (r) { return r.json(); }).then(apply, function () {});
})();
""".replace("__EVENTS__", EVENTS_URL).replace("__STATUS__", STATUS_URL)


def inject(html: bytes, generation: int) -> bytes:
    """The page with the live-reload script before its last </body> (or at the end)."""
    script = f"<script>{LIVE_RELOAD_JS.replace('__GENERATION__', str(generation))}</script>\n".encode()
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


@dataclass(frozen=True)
class SitePaths:
    config: Path
    content: Path
    templates: Path
    output: Path

    def relevant(self, path: Path) -> bool:
        """Whether a change at `path` can change the site (editor temp files and build leftovers cannot)."""
        name = path.name
        if name.endswith(IGNORED_SUFFIXES) or name == "4913" or name.startswith((".#", ".goutputstream-")):
            return False
        if path == self.output or self.output in path.parents:
            return False
        if path == self.config:
            return True
        for folder in (self.content, self.templates):
            if folder in path.parents:
                inside = path.relative_to(folder).parts
                return not any(p.startswith((STAGING_PREFIX, RETIRED_PREFIX)) or p == ".wtpfsite-cache"
                               for p in inside)
        return False

    def css_only(self, changed: frozenset[Path]) -> bool:
        static = self.templates / "static"
        return bool(changed) and all(p.suffix == ".css" and static in p.parents for p in changed)


@dataclass(frozen=True)
class State:
    seq: int = 0  # grows with every finished build; browsers ignore older news
    generation: int = 0  # grows with every successful build
    errors: tuple[str, ...] = ()
    css_only: bool = False  # the last successful build changed only stylesheets


class Coordinator:
    """Runs one build at a time, keeps its outcome, wakes waiting requests and tells subscribed browsers."""

    def __init__(self, run_build: Callable[[Progress | None, frozenset[Path]], object], paths: SitePaths,
                 log: Callable[[str, bool], None]):
        self._run_build, self._paths, self._log = run_build, paths, log
        self._build_lock = threading.Lock()
        self._cond = threading.Condition()
        self._busy = self._dirty = False
        self._clients: set[queue.Queue] = set()
        self._unfinished = None  # the last build's session.Afterwards, when not all done
        self._stopping = False
        self.state = State()

    def note_change(self) -> None:
        """A relevant file changed: requests wait until the rebuild that follows has finished."""
        with self._cond:
            self._dirty = True

    def wait_ready(self, timeout: float = WAIT_SECONDS) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not (self._busy or self._dirty), timeout)

    def rebuild(self, changed: frozenset[Path] = frozenset(), progress: Progress | None = None) -> State:
        with self._build_lock:
            with self._cond:
                self._busy, self._dirty = True, False
            started, errors, result = time.perf_counter(), (), None
            try:
                result = self._run_build(progress, changed)
            except ContentErrors as exc:
                errors = tuple(error.format() for error in exc.errors)
            except Exception as exc:  # a bug in the generator: report it, keep serving
                errors = (f"internal error: {type(exc).__name__}: {exc}",)
            except BaseException:  # Ctrl-C during the first build
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
                raise
            with self._cond:
                old = self.state
                if errors:
                    self.state = replace(old, seq=old.seq + 1, errors=errors)
                else:
                    css = not old.errors and self._paths.css_only(changed)
                    self.state = State(old.seq + 1, old.generation + 1, (), css)
                self._busy = False
                self._cond.notify_all()
                state = self.state
                for client in self._clients:
                    client.put(state)
            self._report(state, changed, time.perf_counter() - started)
            afterwards = getattr(result, "afterwards", None) if not errors else None
            if afterwards is not None:
                self._unfinished = afterwards
                self._afterwards(afterwards)
        return state

    def _afterwards(self, afterwards) -> None:
        """What the build left until the browsers reload (session.Afterwards): the search index, when it left the
        last one in place, and saving its caches; given up when a file changes meanwhile (the rebuild that follows
        leaves its own)."""
        started = time.perf_counter()
        try:
            done = afterwards.run(cancelled=lambda: self._dirty or self._stopping)
        except ContentErrors as exc:
            for error in exc.errors:
                self._log(error.format(), True)
            self._log("the search index keeps the last good build's pages", True)
            return
        except Exception as exc:  # a bug in the generator: report it, keep serving
            self._log(f"internal error after the build: {type(exc).__name__}: {exc}", True)
            return
        if done:
            self._unfinished = None
        if afterwards.indexed:
            self._log(f"search index made again in {time.perf_counter() - started:.2f} s", False)

    def warm_up(self, run_build: Callable[[], object]) -> None:
        """Run `run_build`, a build that only loads the site to keep its model for quick rebuilds (quick.py), unless
        a file has changed (the rebuild that follows keeps one) or the server is stopping. Page requests do not
        wait for it, browsers are not told about it and its errors are left for the next rebuild to report: it
        changes nothing (a change it would find is a change whose rebuild follows)."""
        with self._build_lock:
            if self._dirty or self._stopping:
                return
            try:
                result = run_build()
            except Exception:  # noqa: BLE001 (a content error: the rebuild after the next change reports it)
                return
            afterwards = getattr(result, "afterwards", None)
            if afterwards is not None:
                self._unfinished = afterwards
                self._afterwards(afterwards)

    def finish(self) -> None:
        """Save what the last build kept in memory, if that was left undone (when the server stops; a search index
        being made is given up)."""
        self._stopping = True
        with self._build_lock:
            if self._unfinished is not None:
                self._unfinished.finish_or_report(self._log)  # (stopping: reported, the stop not hidden)
                self._unfinished = None

    def _report(self, state: State, changed: frozenset[Path], seconds: float) -> None:
        for message in state.errors:
            self._log(message, True)
        if state.errors:
            self._log(f"{len(state.errors)} error(s); still serving the last good build", True)
        else:
            names = ", ".join(sorted(p.name for p in changed)[:3]) + (" ..." if len(changed) > 3 else "")
            self._log(f"built in {seconds:.2f} s" + (f" ({names})" if names else ""), False)

    def subscribe(self) -> queue.Queue:
        """A queue that gets every new state, and None when the server stops."""
        client: queue.Queue = queue.Queue()
        with self._cond:
            self._clients.add(client)
        return client

    def unsubscribe(self, client: queue.Queue) -> None:
        with self._cond:
            self._clients.discard(client)

    def close(self) -> None:
        with self._cond:
            for client in self._clients:
                client.put(None)


class Debouncer:
    """Collects paths and calls `action(paths)` once no new path has arrived for `quiet` seconds."""

    def __init__(self, action: Callable[[frozenset[Path]], object], quiet: float = QUIET_SECONDS):
        self._action, self._quiet = action, quiet
        self._cond = threading.Condition()
        self._paths: set[Path] = set()
        self._deadline = 0.0
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="wtpfsite-debouncer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def push(self, path: Path) -> None:
        with self._cond:
            self._paths.add(path)
            self._deadline = time.monotonic() + self._quiet
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._paths or time.monotonic() < self._deadline):
                    self._cond.wait(max(self._deadline - time.monotonic(), 0.001) if self._paths else None)
                if self._stopped:
                    return
                paths, self._paths = frozenset(self._paths), set()
            self._action(paths)


class Watcher(FileSystemEventHandler):
    """watchdog events under the content and templates folders and on the config file -> debounced rebuilds."""

    KINDS = ("created", "deleted", "modified", "moved")  # not opened/closed: the build itself opens every file

    def __init__(self, paths: SitePaths, coordinator: Coordinator, quiet: float = QUIET_SECONDS):
        self.paths, self.coordinator = paths, coordinator
        self.debouncer = Debouncer(coordinator.rebuild, quiet)
        self.observer = Observer()

    def start(self) -> None:
        folders = [p for p in (self.paths.content, self.paths.templates) if p.is_dir()]
        for folder in folders:
            self.observer.schedule(self, str(folder), recursive=True)
        if not any(f in self.paths.config.parents for f in folders):  # else the config is already watched
            self.observer.schedule(self, str(self.paths.config.parent), recursive=False)
        self.debouncer.start()
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout=5)
        self.debouncer.stop()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in self.KINDS or (event.is_directory and event.event_type == "modified"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(os.fsdecode(raw)) if raw else None
            if path is not None and self.paths.relevant(path):
                self.coordinator.note_change()
                self.debouncer.push(path)


def resolve_inside(root: Path, parts: list[str]) -> Path | None:
    """The existing file or folder `root/parts...`, or None when missing or (through symlinks) outside root."""
    if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts):
        return None
    root = root.resolve()
    try:
        real = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real == root or root in real.parents else None


class DevServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], paths: SitePaths, coordinator: Coordinator,
                 languages: tuple[str, ...]):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.paths, self.coordinator, self.languages = paths, coordinator, languages
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # browsers drop connections all the time
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: DevServer

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format, *args) -> None:  # noqa: A002 (the standard library's signature)
        pass

    def _respond(self, head: bool) -> None:
        url = urlsplit(self.path)
        coordinator = self.server.coordinator
        if url.path == EVENTS_URL:
            return self._events()
        if url.path == STATUS_URL:
            return self._send(200, json.dumps(asdict(coordinator.state)).encode(), TYPES[".json"], head)
        parts = [p for p in unquote(url.path).split("/") if p]
        for _ in range(2):
            coordinator.wait_ready()
            target = resolve_inside(self.server.paths.output, parts)
            if target is not None and target.is_dir():
                if not url.path.endswith("/"):  # /en/about -> /en/about/, or the page's relative links break
                    location = url.path + "/" + (f"?{url.query}" if url.query else "")
                    return self._send(301, b"", TYPES[".txt"], head, {"Location": location})
                target = resolve_inside(target, ["index.html"])
            if target is None or not target.is_file():
                status, (target, body) = 404, self._not_found(parts)
                break
            try:
                status, body = 200, target.read_bytes()
                break
            except OSError:  # a rebuild swapped the folder between finding and reading: look once more
                status, (target, body) = 404, self._not_found(parts)
        ctype = TYPES.get(target.suffix.lower(), "application/octet-stream") if target else TYPES[".html"]
        if ctype == TYPES[".html"]:
            body = inject(body, coordinator.state.generation)
        self._send(status, body, ctype, head)

    def _not_found(self, parts: list[str]) -> tuple[Path | None, bytes]:
        """The language tree's 404 page for /LANG/..., else the site's /404.html."""
        lang = [parts[0]] if parts and parts[0] in self.server.languages else []
        for candidate in (lang + ["404.html"], ["404.html"]):
            try:
                page = resolve_inside(self.server.paths.output, candidate)
                return page, page.read_bytes()  # type: ignore[union-attr]
            except (OSError, AttributeError):
                continue
        return None, FALLBACK_404

    def _send(self, status: int, body: bytes, ctype: str, head: bool, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": ctype, "Content-Length": str(len(body)), "Cache-Control": "no-store",
                            **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-Sent Events: the current state at once, then every new one."""
        client = self.server.coordinator.subscribe()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            state: State | None = self.server.coordinator.state
            while state is not None:
                self.wfile.write(f"data: {json.dumps(asdict(state))}\n\n".encode())
                try:
                    state = client.get(timeout=PING_SECONDS)
                except queue.Empty:  # say it again: keeps the line open, and browsers ignore repeats
                    state = self.server.coordinator.state
        except OSError:  # the browser went away
            pass
        finally:
            self.server.coordinator.unsubscribe(client)


def _log(quiet: bool) -> Callable[[str, bool], None]:
    def log(message: str, is_error: bool) -> None:
        if is_error or not quiet:
            print(message, file=sys.stderr if is_error else sys.stdout, flush=True)
    return log


def _progress(quiet: bool) -> Progress | None:
    if quiet or not sys.stderr.isatty():
        return None
    return lambda done, total: print(f"\rrendering {done}/{total} pages", end="\n" if done == total else "",
                                     file=sys.stderr, flush=True)


def site_paths(options: BuildOptions) -> tuple[SitePaths, tuple[str, ...]]:
    """The watched and served folders, and the language codes; raises ContentErrors for a broken config."""
    errors = ErrorList(options.config_path.resolve().parent)
    config = load_config(options.config_path, errors)
    errors.raise_if_any()
    output = options.output_dir.resolve() if options.output_dir is not None else config.output_dir
    return SitePaths(config.path, config.content_dir, config.templates_dir, output), config.language_codes


def _stop_on_signals() -> Callable[[], None]:
    """Ctrl-C (SIGINT) and SIGTERM stop the server cleanly, also when SIGINT came ignored from the parent
    (a shell without job control starts background commands so, and Python then leaves it ignored).
    Returns what puts the previous handlers back. Only the main thread can set handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)

    return restore


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000, quiet: bool = False) -> int:
    """Build, serve on host:port and rebuild on changes until Ctrl-C; 0 when stopped that way."""
    paths, languages = site_paths(options)
    session = Session()
    coordinator = Coordinator(lambda progress, changed: build(options, progress, session=session, changed=changed),
                              paths, _log(quiet))
    try:
        server = DevServer((host, port), paths, coordinator, languages)
    except OSError as exc:
        print(f"build.py: error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    watcher = Watcher(paths, coordinator)
    restore = _stop_on_signals()
    try:
        watcher.start()
        coordinator.rebuild(progress=_progress(quiet))
        print(f"serving {server.url}", flush=True)
        if not session.has_model():  # the build stamp said nothing changed: load the site while the editor reads
            threading.Thread(target=coordinator.warm_up, name="wtpfsite-warm-up", daemon=True,
                             args=(lambda: build(options, session=session, use_stamp=False),)).start()
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        restore()
        watcher.stop()
        coordinator.finish()
        coordinator.close()
        server.server_close()
    if not quiet:
        print("stopped", flush=True)
    return 0
