"""`python build.py translated PATH...`: record in a translation's front matter that it matches its original,
changing only the line `translation_of: <revision>` (or adding it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..base.errors import ContentErrors, ErrorList, SiteError, UsageError
from ..base.yamlio import MarkedMap
from ..content.config import read_config
from ..content.frontmatter import split_front_matter
from ..content.parse import parse_source
from ..content.sources import discover_sources, read_source_text
from ..base.originals import save_original
from ..site.translations import FIELD, current_text, source_revision


@dataclass(frozen=True)
class Recorded:
    path: str  # the translation, as displayed
    original: str  # the original's file, as displayed
    original_lang: str
    previous: str | None  # the value the file had
    revision: str  # the value it has now
    changed: bool


def record_translations(config_path: Path, paths: list[Path]) -> list[Recorded]:
    """Write `translation_of: <revision of the original>` into each translation's front matter. Paths that are not
    translations are usage errors, found before anything is written."""
    config = read_config(config_path)
    errors = ErrorList(config.root)
    sources = discover_sources(config.content_dir, config.templates_dir, config.language_codes, errors)
    by_path = {f.path.resolve(): f for f in sources.markdown}
    default = config.default_language
    plans = []
    for path in paths:
        file = by_path.get(path.resolve())
        if file is None:
            raise UsageError(f"{path} is not a page or draft of the site (content/pages/NAME.LANG.md or "
                             f"content/drafts/draft-N.LANG.md under {errors.display_path(config.content_dir)}), "
                             f"nor a data file (content/data/meetings.yaml, ...)")
        if file.lang == default:
            other = next((code for code in config.language_codes if code != default), "LANG")
            raise UsageError(f"{path} is the {default} original, not a translation: give the path of a "
                             f"translation, such as {path.with_name(f'{file.name}.{other}.md')}")
        original = next((f for f in sources.markdown if f.key == file.key and f.lang == default), None)
        if original is None:
            raise UsageError(f"{path} has no {default} original ({file.name}.{default}.md) to record")
        plans.append((file, original))
    errors.raise_if_any()
    parsed = {original.path: parse_source(original, config.language_codes, config.allow_raw_html_in_drafts, errors)
              for _, original in plans}
    errors.raise_if_any()
    results = []
    for file, original in plans:
        current = source_revision(parsed[original.path])
        save_original(config.root, current, current_text(parsed[original.path]))  # for later diffs
        try:
            text = file.path.read_bytes().decode("utf-8")
            new_text, previous = set_front_matter_field(text, FIELD, current)
        except ValueError as exc:  # UnicodeDecodeError is one too
            message = "not valid UTF-8" if isinstance(exc, UnicodeDecodeError) else str(exc)
            raise ContentErrors([SiteError(errors.display_path(file.path), 1, 1, message)]) from None
        changed = new_text != text
        if changed:
            file.path.write_bytes(new_text.encode("utf-8"))
        results.append(Recorded(errors.display_path(file.path), errors.display_path(original.path), default,
                                previous, current, changed))
    return results


_FENCES = ("---", "...")


def set_front_matter_field(text: str, key: str, value: str) -> tuple[str, str | None]:
    """`text` with `key: value` in its front matter, and the value it had (None when absent).

    An existing top-level line `key: ...` keeps its spacing, comment and line ending; only the value
    changes. Otherwise a line is added just before the closing '---', with the line ending of the line
    before it. Raises ValueError when the text has no closed front matter."""
    parts = re.split(r"(\r\n|\n|\r)", text)  # the lines and their endings, alternately
    if parts[0].lstrip("\ufeff").rstrip() != "---":
        raise ValueError("missing front matter: the file must start with a line '---'")
    pattern = re.compile(rf"^({re.escape(key)}[ \t]*:)([ \t]*)(.*)$")
    scalar = yaml_scalar(value)
    for index in range(2, len(parts), 2):
        if parts[index].rstrip() in _FENCES:
            parts[index:index] = [f"{key}: {scalar}", parts[index - 1]]
            return "".join(parts), None
        match = pattern.match(parts[index])
        if match:
            head, space, rest = match.groups()
            token, tail = _split_value(rest)
            parts[index] = f"{head}{space or ' '}{scalar}{tail}"
            return "".join(parts), _unquote(token) if token else None
    raise ValueError("front matter is not closed: add a line '---' after it")


def _split_value(rest: str) -> tuple[str, str]:
    """' abc  # note' -> ('abc', '  # note'); quoted values stay whole."""
    if rest.startswith("#"):
        return "", " " + rest
    match = re.match(r"^('(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|[^\s#]*)(.*)$", rest)
    return match.group(1), match.group(2)


def _unquote(token: str) -> str:
    return token[1:-1] if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"" else token


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same text: plain when it can be, else quoted."""
    try:
        if value and yaml.safe_load(value) == value and "\n" not in value:
            return value
    except yaml.YAMLError:
        pass
    return "'" + value.replace("'", "''") + "'"


def front_matter_marks(path: Path) -> MarkedMap | None:
    """The marked front matter of a source file (for the places of its fields), or None."""
    errors = ErrorList(path.parent)
    text = read_source_text(path, errors)
    if text is None:
        return None
    meta = split_front_matter(text, path, errors).meta
    return meta if isinstance(meta, MarkedMap) else None
