"""Finding the editor's files and reading them as text.

A Markdown source's language comes from its name: `about.zh.md` is Chinese, `about.md`
is in the default language. Data files and the string catalog have fixed names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import ErrorList
from ..base.schema import IDENTIFIER, LANGUAGE_CODE, DataFile
from .records import DATA_FILES

SECTIONS = ("pages", "drafts")


@dataclass(frozen=True, order=True)
class SourceFile:
    section: str  # "pages" or "drafts"
    name: str  # language-neutral name: "about", "draft-3"
    lang: str
    path: Path

    @property
    def key(self) -> str:
        return f"{self.section}/{self.name}"


@dataclass(frozen=True)
class Sources:
    markdown: tuple[SourceFile, ...]
    data: tuple[tuple[str, Path], ...]  # ("meetings", path) for each data file present
    strings: Path
    templates: tuple[Path, ...]


def read_source_text(path: Path, errors: ErrorList, data: bytes | None = None) -> str | None:
    """Read UTF-8 text; a byte-order mark and CRLF line endings are accepted. `data`: the file's bytes, when the
    caller has read them. A file that cannot be read or decoded is reported as one that does not parse: the
    errors that follow from it wait (base.errors.ContentErrors)."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            missing = isinstance(exc, FileNotFoundError)
            errors.add(path, 1, 1, "file not found" if missing else f"cannot read file: {exc.strerror}", syntax=True)
            return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        offset = exc.start + bom
        line = data[:offset].count(b"\n") + 1
        line_start = max(data.rfind(b"\n", 0, offset) + 1, bom)
        col = len(data[line_start:offset].decode("utf-8")) + 1  # in characters, like every other column
        errors.add(path, line, col, f"not valid UTF-8: byte 0x{data[offset]:02x} at offset {offset}",
                   "save the file as UTF-8 in your editor", syntax=True)
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_name(path: Path, languages: tuple[str, ...], errors: ErrorList) -> tuple[str, str] | None:
    """'about.zh.md' -> ('about', 'zh'); 'about.md' -> ('about', languages[0]), the default language."""
    stem = path.name[: -len(".md")]
    name, dot, suffix = stem.rpartition(".")
    if not dot:
        name, suffix = stem, languages[0]
    elif not LANGUAGE_CODE.match(suffix):
        errors.add(path, 1, 1, f"'{path.name}' has an unreadable language suffix '{suffix}'")
        return None
    elif suffix not in languages:
        errors.add(path, 1, 1, f"unknown language suffix '{suffix}' in '{path.name}' "
                   f"(the site's languages are {', '.join(languages)})")
        return None
    if not IDENTIFIER.match(name):
        errors.add(path, 1, 1, f"file name '{name}' must be lower-case letters, digits and single hyphens")
        return None
    return name, suffix


def discover_sources(content_dir: Path, templates_dir: Path, languages: tuple[str, ...], errors: ErrorList,
                     schemas: tuple[DataFile, ...] = DATA_FILES) -> Sources:
    """Every Markdown source, data file, the string catalog and the templates, in a stable order."""
    markdown: list[SourceFile] = []
    seen: dict[tuple[str, str, str], Path] = {}
    for section in SECTIONS:
        folder = content_dir / section
        for path in _markdown_files(folder):
            split = split_name(path, languages, errors)
            if split is None:
                continue
            source = SourceFile(section, split[0], split[1], path)
            identity = (section, source.name, source.lang)
            if identity in seen:
                errors.add(path, 1, 1, f"'{path.name}' and '{seen[identity].name}' are both "
                           f"the {source.lang} version of {source.key}")
                continue
            seen[identity] = path
            markdown.append(source)
    data = tuple((schema.name, content_dir / "data" / f"{schema.name}.yaml") for schema in schemas
                 if (content_dir / "data" / f"{schema.name}.yaml").is_file())
    templates = tuple(sorted(p for p in templates_dir.rglob("*") if p.is_file())) if templates_dir.is_dir() else ()
    return Sources(tuple(markdown), data, content_dir / "strings.yaml", templates)


def _markdown_files(folder: Path) -> list[Path]:
    """The files of `folder` named *.md, sorted by name."""
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries if entry.name.endswith(".md"))
    except (FileNotFoundError, NotADirectoryError, PermissionError):  # (glob finds nothing there either)
        return []
    return [folder / name for name in names]
