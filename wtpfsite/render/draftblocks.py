"""Markdown drafts cut for comparison: sections at `##` headings, each a run of blocks (paragraphs, lists,
tables, code) with their readable text and a normalised key to align them by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Block:
    kind: str
    text: str  # plain readable text, not escaped
    key: str  # normalised text used to align blocks


@dataclass(frozen=True)
class Section:
    title: str | None  # None for the preamble
    ident: str | None  # explicit {#id}, if any
    blocks: tuple[Block, ...]

    @property
    def body(self) -> str:
        """Plain text of the whole section body."""
        return "\n\n".join(b.text for b in self.blocks)


_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_ID_RE = re.compile(r"\s*\{#([A-Za-z0-9][\w-]*)\}\s*$")  # as in wtpfsite.markdown
_ITEM_RE = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*)|$)")
_HR_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_CODE_SPAN_RE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_MARKUP_SUBS = (
    (re.compile(r"!\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"\[([^\]]+)\](?:\((?:[^()]|\([^)]*\))*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"), r"\1"),
    (re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*"), r"\1"),
    (re.compile(r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
)
_ESCAPED_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PRIVATE = 0xE000  # escaped punctuation is parked in the private-use area
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK_RE = re.compile(f"(?<=[{_CJK}])\n|\n(?=[{_CJK}])")


def _strip_markup(text: str) -> str:
    """Remove links, images and emphasis markers from non-code inline text."""
    text = _ESCAPED_RE.sub(lambda m: chr(_PRIVATE + ord(m.group(1))), text)
    for _ in range(3):  # nested emphasis such as ***x*** or **_x_**
        for pattern, repl in _MARKUP_SUBS:
            text = pattern.sub(repl, text)
    return re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - _PRIVATE), text)


def _inline_plain(text: str) -> str:
    """Convert inline Markdown to readable plain text (code spans kept verbatim)."""
    out, pos = [], 0
    for m in _CODE_SPAN_RE.finditer(text):
        out += [_strip_markup(text[pos:m.start()]), m.group(2).strip()]
        pos = m.end()
    out.append(_strip_markup(text[pos:]))
    return "".join(out).strip()


def _soft_join(lines: list[str]) -> str:
    """Join wrapped lines with a space, or with nothing next to a CJK character."""
    return _CJK_BREAK_RE.sub("", "\n".join(lines)).replace("\n", " ")


def _parse_title(line: str) -> tuple[str, str | None]:
    """The plain title and the explicit ``{#id}`` of a heading line."""
    raw = _HEADING_RE.match(line).group(2) or ""
    m = _ID_RE.search(raw)
    return (_inline_plain(raw[:m.start()]), m.group(1)) if m else (_inline_plain(raw), None)


def _closes(fence: str, line: str) -> bool:
    """Whether ``line`` closes a code fence opened with ``fence``."""
    s = line.strip()
    return s.startswith(fence) and set(s) == {fence[0]}


def _starts_block(line: str) -> bool:
    """Whether a line starts a new block (and so interrupts a paragraph)."""
    return bool(_FENCE_RE.match(line) or _HEADING_RE.match(line) or _HR_RE.match(line)
                or _ITEM_RE.match(line) or line.lstrip().startswith("|"))


def _run_end(lines: list[str], j: int, keep: Callable[[str], bool]) -> int:
    """Index of the first line from ``j`` on for which ``keep`` is false."""
    return next((k for k in range(j, len(lines)) if not keep(lines[k])), len(lines))


def _list_end(lines: list[str], i: int) -> int:
    """Index just past the list starting at line ``i`` (items, continuations)."""
    j = i + 1
    while j < len(lines):
        k = _run_end(lines, j, lambda ln: not ln.strip())  # skip blank lines
        nxt = lines[k] if k < len(lines) else ""
        continues = _ITEM_RE.match(nxt) or nxt[:1] in (" ", "\t")
        if not (continues or (k == j and not _starts_block(nxt))):
            return j
        j = k + 1
    return j


def _scan_block(lines: list[str], i: int) -> tuple[str, int]:
    """Kind and end index of the block starting at non-blank line ``i``."""
    line = lines[i]
    fence = _FENCE_RE.match(line)
    if fence:
        end = _run_end(lines, i + 1, lambda ln: not _closes(fence.group(1), ln))
        return "code", min(end + 1, len(lines))
    if _HEADING_RE.match(line):
        return "heading", i + 1
    if _HR_RE.match(line):
        return "other", i + 1
    if line.lstrip().startswith("|"):
        return "table", _run_end(lines, i, lambda ln: ln.lstrip().startswith("|"))
    if _ITEM_RE.match(line):
        return "list", _list_end(lines, i)
    j = _run_end(lines, i + 1, lambda ln: bool(ln.strip()) and not _starts_block(ln))
    return ("other" if line.lstrip()[:1] in ("<", ">") else "paragraph"), j


def _list_text(lines: list[str]) -> str:
    """Plain text of a list: one item a line, bullets as '• ', nesting indented."""
    items: list[list[str]] = []
    indents: list[int] = []
    for line in filter(str.strip, lines):
        m = _ITEM_RE.match(line)
        if not m:
            items[-1][1] += "\n" + line.strip()
            continue
        width = len(m.group(1).expandtabs(4))
        while indents and indents[-1] > width:
            indents.pop()
        if not indents or indents[-1] < width:
            indents.append(width)
        bullet = "•" if m.group(2) in "-*+" else m.group(2)
        items.append(["  " * (len(indents) - 1) + bullet + " ", m.group(3) or ""])
    return "\n".join(prefix + _inline_plain(_soft_join([text])) for prefix, text in items)


def _table_text(lines: list[str]) -> str:
    """Plain text of a table: one row a line, cells joined by ' | '."""
    rows = []
    for line in lines:
        if _TABLE_SEP_RE.match(line):
            continue
        inner = re.sub(r"(?<!\\)\|\s*$", "", line.strip()[1:])
        cells = re.split(r"(?<!\\)\|", inner)
        rows.append(" | ".join(_inline_plain(c.replace("\\|", "|")) for c in cells))
    return "\n".join(rows)


def _make_block(kind: str, lines: list[str]) -> Block:
    """Build a block with its plain text and alignment key."""
    if kind == "code":
        end = len(lines) - 1 if len(lines) > 1 and _closes(
            _FENCE_RE.match(lines[0]).group(1), lines[-1]) else len(lines)
        text = "\n".join(line.rstrip() for line in lines[1:end])
    elif kind == "heading":
        text = _parse_title(lines[0])[0]
    elif kind == "list":
        text = _list_text(lines)
    elif kind == "table":
        text = _table_text(lines)
    else:
        unquoted = [re.sub(r"^ {0,3}(?:> ?)+", "", line).strip() for line in lines]
        text = _inline_plain(_soft_join(unquoted))
    key = text if kind == "code" else "\n".join(" ".join(t.split()) for t in text.split("\n"))
    return Block(kind, text, kind + "\0" + key)


def _split_blocks(lines: list[str]) -> tuple[Block, ...]:
    """Split a section body into blocks."""
    blocks, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        kind, j = _scan_block(lines, i)
        blocks.append(_make_block(kind, lines[i:j]))
        i = j
    return tuple(blocks)


def split_sections(markdown: str) -> list[Section]:
    """Split a Markdown body at level-2 ATX headings (outside code fences)."""
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts, fence = [], None
    for k, line in enumerate(lines):
        if fence:
            fence = None if _closes(fence, line) else fence
        elif _FENCE_RE.match(line):
            fence = _FENCE_RE.match(line).group(1)
        elif (m := _HEADING_RE.match(line)) and len(m.group(1)) == 2:
            starts.append(k)
    sections = []
    for h, end in zip([-1] + starts, starts + [len(lines)]):
        body = lines[h + 1:end]
        if h < 0 and not any(line.strip() for line in body):
            continue  # no preamble
        title, ident = (None, None) if h < 0 else _parse_title(lines[h])
        sections.append(Section(title, ident, _split_blocks(body)))
    return sections
