"""The store of originals by revision: the text (title and body) of an original as it was when a translation
recorded it, so that a translator of an out-of-date translation can be shown what changed since, as a diff.

It lives in the cache folder beside the site's config, `.wtpfsite-cache/originals/<revision>.txt`, one file per
revision (the revision is a hash of the text, so a file never changes once written). `build.py translated`
fills it. A revision recorded before the store existed, or on another machine, is not in it: the report then
says so, and the version history (`git log -p`) is where to look.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

STORE = Path(".wtpfsite-cache") / "originals"


def store_folder(root: Path) -> Path:
    """The store of the site whose config is in `root`."""
    return root / STORE


def original_text(title: str, body: str) -> str:
    """What a revision is a hash of, as text: the title, a blank line and the body (see content.parse.revision)."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").strip("\n")
    return f"{title.strip()}\n\n{text}\n"


def save_original(root: Path, revision: str, text: str) -> None:
    """Keep `text` as revision `revision` (once: a revision's text never changes)."""
    if not re.fullmatch(r"[0-9a-f]{6,64}", revision):
        return
    path = store_folder(root) / f"{revision}.txt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_suffix(".tmp")
        staged.write_text(text, "utf-8", newline="\n")
        staged.replace(path)


def read_original(root: Path, revision: str | None) -> str | None:
    """The text of revision `revision`, or None when the store does not have it."""
    if not revision or not re.fullmatch(r"[0-9a-f]{6,64}", revision):
        return None
    try:
        return (store_folder(root) / f"{revision}.txt").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def text_diff(old: str, new: str, old_name: str, new_name: str) -> tuple[str, ...]:
    """The lines of a unified diff from `old` to `new` (a few lines of context), without line endings."""
    return tuple(line.rstrip("\n") for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name, n=2))
