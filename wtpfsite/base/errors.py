"""Content errors that carry the place they were found, and a collector for them.

Every problem an editor can fix is a `SiteError` with `path:line:col`. Stages collect
them in an `ErrorList` so that one run reports all of them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True, order=True)
class SiteError:
    path: str
    line: int
    col: int
    message: str
    hint: str | None = None

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ContentErrors(Exception):
    """Raised at the end of a stage that found errors; carries all of them, sorted."""

    def __init__(self, errors: Iterable[SiteError]):
        self.errors = tuple(sorted(set(errors)))
        super().__init__("\n".join(e.format() for e in self.errors))


class UsageError(Exception):
    """A command given arguments it cannot work with (exit status 2); the message says what to give."""


@dataclass
class ErrorList:
    """Collects errors of one run. `root` makes paths relative for display."""

    root: Path
    errors: list[SiteError] = field(default_factory=list)

    def display_path(self, path: Path | str) -> str:
        return _display_path(str(path), str(self.root))

    def add(self, path: Path | str, line: int, col: int, message: str, hint: str | None = None) -> None:
        self.errors.append(SiteError(self.display_path(path), line, col, message, hint))

    def extend(self, errors: Iterable[SiteError]) -> None:
        self.errors.extend(errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ContentErrors(self.errors)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, or None."""
    close = get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _display_path(path: str, root: str) -> str:
    """The path relative to `root` when it lies inside it (both resolved), else as given."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
