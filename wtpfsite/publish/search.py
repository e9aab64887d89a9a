"""The search index: Pagefind run over the staged site (the `before_swap` step of `write.Staging.publish`), before
it is swapped into place.

Pagefind (`pagefind[extended]`, whose binary segments Chinese text) indexes what is inside `data-pagefind-body`
(templates/base.html) into one index per `<html lang>` in `pagefind/`. The search page loads
`pagefind/pagefind-ui.js`, which finds its index from its own URL, so it works under any base path. If the binary
cannot run, the build fails with a content error ("search index: ..."); `search: false` builds without search.
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

from ..base.errors import ContentErrors, ErrorList, SiteError
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


def index_site(config: SiteConfig, site_dir: Path, bundle: Path | None = None) -> None:
    """Index the site in `site_dir` into `bundle` (by default its `pagefind/` folder); ContentErrors when Pagefind
    cannot run or fails."""
    try:
        run_pagefind(pagefind_binary(), site_dir, bundle or site_dir / BUNDLE_DIR)
    except SearchUnavailable as exc:
        raise ContentErrors([SiteError(ErrorList(config.root).display_path(config.path), 1, 1,
                                       f"search index: {exc}", _HINT)]) from None


def run_pagefind(binary: Path, site_dir: Path, bundle: Path) -> None:
    """Run Pagefind; SearchUnavailable when it cannot run or fails. No PAGEFIND_* variable of the editor's machine
    may change the published index."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAGEFIND_")}
    command = [str(binary), "--site", ".", "--output-path", str(bundle.absolute()), "--quiet"]
    try:  # (subprocess.run kills Pagefind when it times out or the build is interrupted)
        process = subprocess.run(command, cwd=site_dir, env=env, capture_output=True, text=True,
                                 timeout=TIMEOUT_SECONDS)
    except OSError as exc:
        raise SearchUnavailable(f"cannot run Pagefind ({binary}): {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise SearchUnavailable(f"Pagefind did not finish within {TIMEOUT_SECONDS} s") from None
    if process.returncode != 0:
        output = (process.stderr.strip() or process.stdout.strip()).splitlines()[-5:]
        raise SearchUnavailable(f"Pagefind failed (exit status {process.returncode}): " + " / ".join(output))
    if not (bundle / "pagefind-ui.js").is_file():
        raise SearchUnavailable("Pagefind ran but wrote no search bundle")
    _stable_entry(bundle / "pagefind-entry.json")


def reindex(config: SiteConfig, site_dir: Path) -> tuple[str, ...]:
    """Index the site in `site_dir` again, beside it, and swap the new index in (watch mode); its files, relative
    to `site_dir`. ContentErrors as for `index_site` (the old index then stays). Its folders carry the staging
    prefix, so the next build removes what an interrupted run leaves (write.clean_stale)."""
    fresh = site_dir.parent / f"{STAGING_PREFIX}{site_dir.name}-index-{os.getpid()}"
    retired = site_dir.parent / f"{STAGING_PREFIX}{site_dir.name}-oldindex-{os.getpid()}"
    for leftover in (fresh, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        index_site(config, site_dir, fresh)
        files = files_under(fresh)
        current = site_dir / BUNDLE_DIR
        if current.exists():
            current.rename(retired)
        fresh.rename(current)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return tuple(sorted(f"{BUNDLE_DIR}/{path}" for path in files))


def _stable_entry(path: Path) -> None:
    """Sort the languages of Pagefind's entry file (listed in a random order) for byte-identical output."""
    try:
        entry = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchUnavailable(f"Pagefind wrote an unreadable {path.name}: {exc}") from None
    if isinstance(entry.get("languages"), dict):
        entry["languages"] = dict(sorted(entry["languages"].items()))
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
