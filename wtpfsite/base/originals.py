"""The store of originals by revision, `.wtpfsite-cache/originals/<revision>.txt` beside the site's config: the
text of an original when a translation recorded it (`build.py translated`), so that a translator of an
out-of-date translation can be shown what changed since, as a diff. A revision is a hash of the text, so its
file never changes once written; one recorded elsewhere is not in the store (the report says so).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

STORE = Path(".wtpfsite-cache") / "originals"


def _stored(root: Path, revision: str | None) -> Path | None:
    """The file of `revision` in the store of the site whose config is in `root`; None for what is no revision."""
    return root / STORE / f"{revision}.txt" if revision and re.fullmatch(r"[0-9a-f]{6,64}", revision) else None


def original_text(title: str, body: str) -> str:
    """What a revision is a hash of, as text: the title, a blank line and the body (see content.parse.revision)."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").strip("\n")
    return f"{title.strip()}\n\n{text}\n"


def save_original(root: Path, revision: str, text: str) -> None:
    """Keep `text` as revision `revision` (once: a revision's text never changes)."""
    path = _stored(root, revision)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_suffix(".tmp")
        staged.write_text(text, "utf-8", newline="\n")
        staged.replace(path)


def read_original(root: Path, revision: str | None) -> str | None:
    """The text of revision `revision`, or None when the store does not have it."""
    path = _stored(root, revision)
    try:
        return path.read_text("utf-8") if path is not None else None
    except (OSError, UnicodeDecodeError):
        return None


def text_diff(old: str, new: str, old_name: str, new_name: str) -> tuple[str, ...]:
    """The lines of a unified diff from `old` to `new` (a few lines of context), without line endings."""
    return tuple(line.rstrip("\n") for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name, n=2))
