"""Content errors with the place they were found (`path:line:col`), and the `ErrorList` that collects a run's."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import lru_cache
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True, order=True)
class SiteError:
    path: str
    line: int
    col: int
    message: str
    hint: str | None = None
    syntax: bool = False  # a file that does not parse: nothing in it could be read
    follows_from: str | None = None  # the file (display path) whose contents this error is about, when unread

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


HELD_BACK = " held back until "  # in the line that counts the errors held back (not an error itself)


class ContentErrors(Exception):
    """Raised at the end of a stage that found errors; carries all of them, sorted, syntax errors first. An error
    that `follows_from` a file that does not parse is held back (it would go once the file parses, and many of
    them would hide the one that matters): `held` counts them by file."""

    def __init__(self, errors: Iterable[SiteError]):
        unique = set(errors)
        unparsed = {error.path for error in unique if error.syntax}
        held = [error for error in unique if error.follows_from in unparsed]
        self.errors = tuple(sorted(unique - set(held), key=lambda e: (not e.syntax, e)))
        self.held = dict(sorted(Counter(error.follows_from for error in held).items()))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """Every error shown, then how many were held back for each file that does not parse."""
        return [error.format() for error in self.errors] + [
            f"{count} more error{'s' if count != 1 else ''}{HELD_BACK}{Path(path).name} parses"
            for path, count in self.held.items()]


class UsageError(Exception):
    """A command given arguments it cannot work with (exit status 2); the message says what to give."""


@dataclass
class ErrorList:
    """Collects errors of one run. `root` makes paths relative for display."""

    root: Path
    errors: list[SiteError] = field(default_factory=list)

    def display_path(self, path: Path | str) -> str:
        return _display_path(str(path), str(self.root))

    def add(self, path: Path | str, line: int, col: int, message: str, hint: str | None = None,
            syntax: bool = False, follows_from: Path | str | None = None) -> None:
        about = self.display_path(follows_from) if follows_from is not None else None
        self.errors.append(SiteError(self.display_path(path), line, col, message, hint, syntax, about))

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


@lru_cache(maxsize=1 << 14)  # the translation report and the published-URL check name thousands of paths
def _display_path(path: str, root: str) -> str:
    """The path relative to `root` when it lies inside it (both resolved), else as given. A file's folder is
    resolved once for all the files in it: resolving walks every part of a path."""
    name = os.path.basename(path)
    if name in ("", ".", "..") or os.path.islink(path):
        resolved = os.path.realpath(path)
    else:
        resolved = os.path.join(_resolved_folder(os.path.dirname(path) or "."), name)
    folder = _resolved_folder(root)
    if resolved == folder:
        return "."
    prefix = folder.rstrip(os.sep) + os.sep
    return resolved[len(prefix):].replace(os.sep, "/") if resolved.startswith(prefix) else Path(path).as_posix()


@lru_cache(maxsize=1024)
def _resolved_folder(folder: str) -> str:
    return os.path.realpath(folder)
