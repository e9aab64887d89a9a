"""Shared test set-up: markers for tests that need Chromium or the Nu HTML Checker, a session-wide
Chromium driven by Playwright, a static file server, and the option that rewrites the golden trees.

Browser tests are skipped with a notice when /usr/bin/chromium is absent; CI sets REQUIRE_BROWSER=1 so that
they fail instead of quietly skipping.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import copy_real_site

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
REAL_SITE_TODAY = "2020-10-01"
REAL_SITE_EXPERTS = 300
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-goldens", action="store_true", default=False,
                     help="rewrite tests/golden/<name>/ from the fixture sites instead of comparing with them")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "validator: runs the Nu HTML Checker (vnu.jar on Java); skipped with a "
                                       "notice when java or the jar is missing")


def browser_required() -> bool:
    """CI sets REQUIRE_BROWSER=1: a missing browser or checker is then a failure, not a skip."""
    return os.environ.get("REQUIRE_BROWSER") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip the test for `reason`, or fail it when REQUIRE_BROWSER=1."""
    if browser_required():
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser"):
        reason = _browser_missing()
        if reason:
            skip_or_fail(reason)
    if item.get_closest_marker("validator") and shutil.which("java") is None:
        skip_or_fail("java not found: the Nu HTML Checker needs it")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session; tests open their own contexts and pages."""
    reason = _browser_missing()
    if reason:
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's signature)
        pass


@pytest.fixture(scope="session")
def static_server():
    """A factory: static_server(directory) serves the folder on 127.0.0.1 (a free port) in a thread and returns
    its base URL, 'http://127.0.0.1:PORT/'. Every server is shut down at the end of the session."""
    servers: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []

    def serve(directory: Path | str) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, name=f"static-server-{directory}", daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class BuiltSite:
    output: Path  # the built site
    url: str  # its base URL on the local static server, ending with "/"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory, static_server) -> BuiltSite:
    """The project's own site (config, content, templates) with 300 SYNTHETIC experts, built once per session
    for 2020-10-01 and served locally. Its base URL is the local server's, so the absolute links of the 404
    pages and the canonical links resolve too."""
    from wtpfsite.commands.cli import main

    root = copy_real_site(tmp_path_factory.mktemp("real-site") / "site")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synthetic.py"), "experts", "--count",
                    str(REAL_SITE_EXPERTS), "--out", str(root / "content" / "data" / "experts.yaml")],
                   check=True, capture_output=True, timeout=120)
    output = root / "output"
    url = static_server(output)
    status = main(["build", "--config", str(root / "site_config.yaml"), "--out", str(output), "--today",
                   REAL_SITE_TODAY, "--base-url", url, "--quiet"])
    assert status == 0, f"building the real site failed with exit status {status}"
    return BuiltSite(output, url)
