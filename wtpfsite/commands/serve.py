"""Watch mode: build, serve the output folder, rebuild on changes, and reload the browsers.

    Watcher (watchfiles, 25-50 ms quiet) -> Coordinator.rebuild (one build at a time)
                                                            -> state pushed to browsers by Server-Sent Events
    DevServer: files from the output folder only, HTML with LIVE_RELOAD_JS injected (never on disk).

A failed build keeps the last good output; browsers show its errors in an overlay until a build succeeds.
Rebuilds are the incremental builds of `build`, with their caches kept in memory (pipeline.build.Caches).
Paths come from site_config.yaml at start-up: changing content_dir, templates_dir, output_dir, base_url (which
the preview points at itself) or the languages (their 404 pages) needs a restart.
"""

from __future__ import annotations

import errno
import json
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass, replace
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from watchfiles import watch

from ..base.errors import UsageError
from ..content.config import read_config
from ..pipeline.build import (CACHE_FOLDER, BuildOptions, BuildResult, Progress, build, check_output_folder, finish,
                              read_caches)
from ..publish.write import RETIRED_PREFIX, STAGING_PREFIX
from .livereload import EVENTS_URL, STATUS_URL, Coordinator, State, inject

# A burst of file events ends once a step this long passes without one, 25-50 ms after the last (watchfiles'
# step); an editor's save takes a few ms.
QUIET_SECONDS = 0.025
PING_SECONDS = 15.0
# editors' temporary, swap and backup files, which never change the site: file~, vim's .file.swp and 4913, sed -i's
# sedXXXXXX, Emacs' .#file and #file#, Kate's, JetBrains', LibreOffice's .~lock.file#, GNOME's .goutputstream-XXXXXX
_TEMPORARY = re.compile(r".*(~|\.sw[pxon]|\.tmp|\.bak|\.kate-swp|___jb_(tmp|old)___)|sed[A-Za-z0-9]{6}|4913|\.#.*|#.*#"
                        r"|\.~lock\..*|\.goutputstream-.*", re.S)
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".xml": "application/xml; charset=utf-8",
         ".ics": "text/calendar; charset=utf-8", ".json": "application/json", ".csv": "text/csv; charset=utf-8",
         ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg", ".ico": "image/x-icon",
         ".woff2": "font/woff2", ".pdf": "application/pdf"}
FALLBACK_404 = b"<!DOCTYPE html>\n<html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>\n"


@dataclass(frozen=True)
class SitePaths:
    config: Path
    content: Path
    templates: Path
    output: Path
    base_url: str = ""  # the published address, which the preview's pages point at the preview instead

    def relevant(self, path: Path) -> bool:
        """Whether a change at `path` can change the site (editor temp files and build leftovers cannot)."""
        if _TEMPORARY.fullmatch(path.name) or path.is_relative_to(self.output):
            return False
        if path == self.config:
            return True
        for folder in (self.content, self.templates):
            if folder in path.parents:
                inside = path.relative_to(folder).parts
                return not any(p.startswith((STAGING_PREFIX, RETIRED_PREFIX)) or p == CACHE_FOLDER
                               for p in inside)
        return False

    def css_only(self, changed: frozenset[Path]) -> bool:
        static = self.templates / "static"
        return bool(changed) and all(p.suffix == ".css" and static in p.parents for p in changed)


class Watcher:
    """Rebuilds on changes under the content and templates folders and to the config file. watchfiles (Rust's
    notify) collects a burst of changes until `quiet` seconds pass without a new one; editors' temporary files and
    build leftovers are left out (`SitePaths.relevant`)."""

    def __init__(self, paths: SitePaths, coordinator: Coordinator, quiet: float = QUIET_SECONDS):
        self.paths, self.coordinator, self.quiet = paths, coordinator, quiet
        self.stopped = threading.Event()
        folders = [p for p in (paths.content, paths.templates) if p.is_dir()]
        watched = [(folders, True)] if folders else []
        if not any(f in paths.config.parents for f in folders):  # else the config is already watched
            watched.append(([paths.config.parent], False))  # its folder: editors replace the file when saving
        self.threads = [threading.Thread(target=self._run, args=args, name="wtpfsite-watcher", daemon=True)
                        for args in watched]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _run(self, folders: list[Path], recursive: bool) -> None:
        for changes in watch(*folders, watch_filter=lambda _, path: self.paths.relevant(Path(path)),
                             step=round(self.quiet * 1000), stop_event=self.stopped, recursive=recursive):
            self.coordinator.rebuild(frozenset(Path(path) for _, path in changes))


def resolve_inside(root: Path, parts: list[str]) -> Path | None:
    """The existing file or folder `root/parts...`, or None when missing or (through symlinks) outside root."""
    if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts):
        return None
    root = root.resolve()
    try:
        real = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_relative_to(root) else None


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

    def log_message(self, format, *args) -> None:  # noqa: A002 (the standard library's signature)
        pass

    def do_GET(self) -> None:  # and HEAD, whose answer _send leaves the body out of
        url = urlsplit(self.path)
        coordinator = self.server.coordinator
        if url.path == EVENTS_URL:
            return self._events()
        if url.path == STATUS_URL:
            return self._send(200, json.dumps(asdict(coordinator.state)).encode(), TYPES[".json"])
        parts = [p for p in unquote(url.path).split("/") if p]
        coordinator.wait_ready()
        if not url.path.endswith("/") and (folder := resolve_inside(self.server.paths.output, parts)) is not None \
                and folder.is_dir():
            location = url.path + "/" + (f"?{url.query}" if url.query else "")  # or the page's relative links break
            return self._send(301, b"", TYPES[".txt"], Location=location)
        found = self._file(parts)
        if found is None:  # missing, or a rebuild swapped the output folder between finding and reading: once more
            coordinator.wait_ready()
            found = self._file(parts)
        status, (target, body) = (200, found) if found else (404, self._not_found(parts))
        ctype = TYPES.get(target.suffix.lower(), "application/octet-stream") if target else TYPES[".html"]
        if ctype == TYPES[".html"]:
            body = inject(self._on_preview(body), coordinator.state)
        self._send(status, body, ctype)

    do_HEAD = do_GET

    def _file(self, parts: list[str]) -> tuple[Path, bytes] | None:
        """The file at `parts` in the output folder (a folder's index.html) and its bytes; None when there is none."""
        target = resolve_inside(self.server.paths.output, parts)
        if target is not None and target.is_dir():
            target = resolve_inside(target, ["index.html"])
        try:
            return (target, target.read_bytes()) if target is not None else None
        except OSError:
            return None

    def _on_preview(self, html: bytes) -> bytes:
        """The page with its absolute links to the published site (the 404 pages', which work at any depth, and
        canonical links) pointed at this preview, so that every link and asset stays on the preview."""
        base = self.server.paths.base_url.encode()
        host = self.headers.get("Host") or ""
        if not re.fullmatch(r"[\w.:\[\]-]+", host):  # what the browser asked for, if it is only a host
            host = urlsplit(self.server.url).netloc
        return html.replace(base, f"http://{host}/".encode()) if base else html

    def _not_found(self, parts: list[str]) -> tuple[Path | None, bytes]:
        """The language tree's 404 page for /LANG/..., else the site's /404.html."""
        lang = [parts[0]] if parts and parts[0] in self.server.languages else []
        return self._file(lang + ["404.html"]) or self._file(["404.html"]) or (None, FALLBACK_404)

    def _send(self, status: int, body: bytes, ctype: str, **headers: str) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": ctype, "Content-Length": str(len(body)), "Cache-Control": "no-store",
                            **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-Sent Events: the current state at once, then every new one, and the same again every
        PING_SECONDS (it keeps the line open, and browsers ignore repeats)."""
        state: State | None = self.server.coordinator.state
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            while state is not None:
                self.wfile.write(f"data: {json.dumps(asdict(state))}\n\n".encode())
                state = self.server.coordinator.news(state.seq, PING_SECONDS)
        except OSError:  # the browser went away
            pass


def _log(quiet: bool, message: str, is_error: bool) -> None:
    if is_error or not quiet:
        print(message, file=sys.stderr if is_error else sys.stdout, flush=True)


def site_paths(options: BuildOptions) -> tuple[SitePaths, tuple[str, ...]]:
    """The watched and served folders, and the language codes; raises ContentErrors for a broken config and
    UsageError for an output folder a build must not replace."""
    config = read_config(options.config_path)
    output = options.output_dir.resolve() if options.output_dir is not None else config.output_dir
    check_output_folder(replace(config, output_dir=output))
    return (SitePaths(config.path, config.content_dir, config.templates_dir, output, config.base_url),
            config.language_codes)


def _stop_on_signals() -> Callable[[], None]:
    """Ctrl-C (SIGINT) and SIGTERM stop the server cleanly, also when SIGINT came ignored from the parent
    (a shell without job control starts background commands so, and Python then leaves it ignored).
    Returns what puts the previous handlers back. Only the main thread can set handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {number: signal.signal(number, signal.default_int_handler) for number in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)

    return restore


class WatchBuild:
    """Watch mode's build: `build`'s incremental build, with its caches kept in memory from one to the next. When a
    build changes pages, the search index is made again, and the parse cache saved, only after the browsers were
    told (`after`): a saved page shows without waiting for either, and search finds the previous text meanwhile."""

    def __init__(self, options: BuildOptions, log: Callable[[str, bool], None]):
        self.options, self.log, self.caches = options, log, read_caches(options)

    def __call__(self, progress: Progress | None, changed: frozenset[Path]) -> BuildResult:
        result = build(self.options, progress, caches=self.caches, later=True)
        for error in result.lost:  # a moved page shows at once; the old URL is the editor's to settle
            self.log(error.format(), True)
        return result

    def after(self, result: BuildResult) -> bool:
        """What `build` left to `finish`; True when it made the search index again."""
        started = time.perf_counter()
        finish(self.options, self.caches, result)
        if result.index_pending:
            self.log(f"search index made again in {time.perf_counter() - started:.2f} s", False)
        return result.index_pending


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000, quiet: bool = False,
          progress: Progress | None = None) -> int:
    """Build, serve on host:port and rebuild on changes until Ctrl-C; 0 when stopped that way. `progress`: the
    first build's. Raises UsageError when it cannot listen there."""
    paths, languages = site_paths(options)
    log = partial(_log, quiet)
    watch = WatchBuild(options, log)
    coordinator = Coordinator(watch, paths.css_only, log, watch.after)
    try:
        server = DevServer((host, port), paths, coordinator, languages)
    except OSError as exc:
        hint = "; another program (or another preview) uses this port: try --port 0, which picks a free one" \
            if exc.errno == errno.EADDRINUSE else ""
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from None
    watcher = Watcher(paths, coordinator)
    restore = _stop_on_signals()
    try:
        watcher.start()
        coordinator.rebuild(progress=progress)
        print(f"serving {server.url}", flush=True)
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        restore()
        coordinator.close()
        watcher.stop()
        server.server_close()
    if not quiet:
        print("stopped", flush=True)
    return 0
