"""The search index: Pagefind run over the staged site, before it is swapped into place.

Pagefind (the `pagefind[extended]` package, whose binary segments Chinese text) reads every
HTML page, indexes what is inside `data-pagefind-body` (the <main> of content pages, see
templates/base.html) and writes one index per `<html lang>` into `pagefind/`. English words
match by stem, Chinese words inside running text through the extended binary's segmenter.
The search page (`/<lang>/search/`) loads `pagefind/pagefind-ui.js`, which finds its index
and the site's base path from its own URL, so the bundle works under any base path.

The index is made from the written files, so it runs on the staging folder (the hook of
`write.write_outputs`). If the binary cannot run, the build fails with a content error that
says so ("search index: ..."); `search: false` in site_config.yaml builds without search.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

try:
    from pagefind_bin_extended import get_executable
except ImportError:  # reported when a build needs the search index (pagefind_binary)
    get_executable = None

from ..base.errors import ErrorList
from ..content.config import SiteConfig
from .write import STAGING_PREFIX, files_under

BUNDLE_DIR = "pagefind"
# The files of the bundle that pages link to; `check` counts them as present.
UI_FILES = (f"{BUNDLE_DIR}/pagefind-ui.js", f"{BUNDLE_DIR}/pagefind-ui.css")
TIMEOUT_SECONDS = 600
_HINT = "install the pinned dependencies (make build), or set 'search: false' in site_config.yaml"


class SearchUnavailable(Exception):
    """The Pagefind binary is missing or failed."""


def pagefind_binary() -> Path:
    """The extended Pagefind binary shipped by the `pagefind-bin-extended` wheel."""
    if get_executable is None:
        raise SearchUnavailable("the package 'pagefind[extended]' is not installed")
    try:
        return get_executable()
    except FileNotFoundError as exc:
        raise SearchUnavailable(f"the Pagefind binary is missing: {exc}") from None


def index_site(config: SiteConfig, site_dir: Path) -> None:
    """Write the Pagefind bundle into `site_dir/pagefind/`; ContentErrors when it cannot."""
    try:
        run_pagefind(pagefind_binary(), site_dir)
    except SearchUnavailable as exc:
        errors = ErrorList(config.root)
        errors.add(config.path, 1, 1, f"search index: {exc}", _HINT)
        errors.raise_if_any()


def run_pagefind(binary: Path, site_dir: Path, bundle: Path | None = None) -> None:
    """Index the site in `site_dir` into `bundle` (by default its `pagefind/` folder); SearchUnavailable when it
    cannot run or fails."""
    # Run inside the site with no PAGEFIND_* variables: a pagefind.yml or environment of the
    # editor's machine must not change the published index.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAGEFIND_")}
    bundle = bundle if bundle is not None else site_dir / BUNDLE_DIR
    command = [str(binary), "--site", ".", "--output-path", str(bundle.absolute()), "--quiet"]
    try:
        process = subprocess.Popen(command, cwd=site_dir, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise SearchUnavailable(f"cannot run Pagefind ({binary}): {exc.strerror or exc}") from None
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise SearchUnavailable(f"Pagefind did not finish within {TIMEOUT_SECONDS} s") from None
    finally:
        if process.poll() is None:  # timed out or interrupted: not left running
            process.kill()
            process.communicate()
    if process.returncode != 0:
        output = (stderr.strip() or stdout.strip()).splitlines()[-5:]
        raise SearchUnavailable(f"Pagefind failed (exit status {process.returncode}): " + " / ".join(output))
    if not (bundle / "pagefind-ui.js").is_file():
        raise SearchUnavailable("Pagefind ran but wrote no search bundle")
    _stable_entry(bundle / "pagefind-entry.json")


def reindex(config: SiteConfig, site_dir: Path) -> tuple[str, ...]:
    """Make the search index of the site already in `site_dir` again, beside it, and put it in place of the old
    one (two renames); its files, relative to `site_dir`. ContentErrors when Pagefind cannot run, as for
    `index_site` (the old index then stays). For watch mode, after the browsers have reloaded; the folders it
    makes beside `site_dir` carry the staging prefix, so what an interrupted run leaves is removed by the next
    build (write.clean_stale)."""
    fresh = site_dir.parent / f"{STAGING_PREFIX}{site_dir.name}-index-{os.getpid()}"
    retired = site_dir.parent / f"{STAGING_PREFIX}{site_dir.name}-oldindex-{os.getpid()}"
    for leftover in (fresh, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        run_pagefind(pagefind_binary(), site_dir, fresh)
        files = files_under(fresh)
        current = site_dir / BUNDLE_DIR
        if current.exists():
            current.rename(retired)
        fresh.rename(current)
    except SearchUnavailable as exc:
        errors = ErrorList(config.root)
        errors.add(config.path, 1, 1, f"search index: {exc}", _HINT)
        errors.raise_if_any()
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return tuple(sorted(f"{BUNDLE_DIR}/{path}" for path in files))


def _stable_entry(path: Path) -> None:
    """Pagefind lists the languages of its entry file in a random order; sort them, so that
    the same input gives byte-identical output."""
    try:
        entry = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchUnavailable(f"Pagefind wrote an unreadable {path.name}: {exc}") from None
    if isinstance(entry.get("languages"), dict):
        entry["languages"] = dict(sorted(entry["languages"].items()))
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
