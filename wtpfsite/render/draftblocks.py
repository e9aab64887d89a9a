"""Markdown drafts cut for comparison: sections at `##` headings, each a run of blocks (paragraphs, lists,
tables, code) with their readable text and a normalised key to align them by. The blocks are those markdown-it
finds, with the parser the draft's own page is rendered with (content/markdown.py), so both read the draft alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from markdown_it.token import Token

from ..content.markdown import EXPLICIT_ID, markdown_parser


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


_KINDS = {"paragraph_open": "paragraph", "bullet_list_open": "list", "ordered_list_open": "list",
          "table_open": "table", "fence": "code", "code_block": "code", "heading_open": "heading"}  # else "other"
_LIST_DEPTH = {"bullet_list_open": 1, "ordered_list_open": 1, "bullet_list_close": -1, "ordered_list_close": -1}
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK_RE = re.compile(f"(?<=[{_CJK}])\n|\n(?=[{_CJK}])")
_CLOSING_HASHES_RE = re.compile(r"[ \t]+#+[ \t]*$")


def _soft_join(text: str) -> str:
    """Wrapped lines joined with a space, or with nothing next to a CJK character."""
    return _CJK_BREAK_RE.sub("", "\n".join(line.strip() for line in text.strip().split("\n"))).replace("\n", " ")


def _plain(inline: Token) -> str:
    """Readable text of inline Markdown: link texts, image descriptions, code verbatim, no emphasis markers."""
    parts = []
    for child in inline.children or []:
        if child.type == "image":
            parts.append(_plain(child))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "footnote_ref":
            parts.append(f"[^{child.meta['label']}]")
        else:  # text, code and raw HTML as written; the markers' tokens have no content
            parts.append(child.content)
    return _soft_join("".join(parts))


def _list_text(tokens: list[Token]) -> str:
    """A list, one item a line: a '• ' or '1. ' marker, two spaces of indent a level; an item's later paragraphs
    (and code) join the line of the item before them."""
    items: list[list[str]] = []  # [marker and indent, text]
    depth = -1
    for token in tokens:
        depth += _LIST_DEPTH.get(token.type, 0)
        if token.type == "list_item_open":
            items.append(["  " * depth + (token.info + token.markup if token.info else "•") + " ", ""])
        elif token.type in ("inline", "fence", "code_block"):
            text = _plain(token) if token.type == "inline" else token.content
            items[-1][1] += "\n" + text if items[-1][1] else text
    return "\n".join(marker + _soft_join(text) for marker, text in items)


def _table_text(tokens: list[Token]) -> str:
    """A table, one row a line (the header first), its cells joined by ' | '."""
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append(_plain(token))
    return "\n".join(" | ".join(cells) for cells in rows)


def _block(tokens: list[Token], lines: list[str]) -> Block:
    """A block with its plain text and alignment key."""
    first = tokens[0]
    kind = _KINDS.get(first.type, "other")
    if kind == "code":
        text = "\n".join(line.rstrip() for line in first.content.removesuffix("\n").split("\n"))
    elif kind == "list":
        text = _list_text(tokens)
    elif kind == "table":
        text = _table_text(tokens)
    else:  # its inline texts (a blockquote's paragraphs in one), else its source (a rule, raw HTML)
        inlines = [_plain(token) for token in tokens if token.type == "inline"]
        text = " ".join(inlines) if inlines else _soft_join("\n".join(lines[first.map[0]:first.map[1]]))
    key = text if kind == "code" else "\n".join(" ".join(t.split()) for t in text.split("\n"))
    return Block(kind, text, kind + "\0" + key)


def _top_level(tokens: list[Token]) -> Iterator[list[Token]]:
    """The tokens of each top-level block, from its opening token to its closing one."""
    group: list[Token] = []
    depth = 0
    for token in tokens:
        group.append(token)
        depth += token.nesting
        if depth == 0:
            yield group
            group = []


def _explicit_id(heading: Token, lines: list[str]) -> str | None:
    """A heading's `{#id}` as written (markdown-it's parse has taken it out of the heading's text)."""
    line = lines[heading.map[1] - 1 if heading.markup.startswith("#") else heading.map[1] - 2]  # ATX or setext
    match = EXPLICIT_ID.search(_CLOSING_HASHES_RE.sub("", line))
    return match.group(1) if match else None


def split_sections(markdown: str) -> list[Section]:
    """Split a Markdown body at its level-2 headings (not those in lists or quotes); the preamble, when something
    comes before the first of them."""
    lines = re.split(r"\r\n?|\n", markdown)
    sections = []
    title, ident, blocks = None, None, []
    for tokens in _top_level(markdown_parser(True).parse(markdown)):
        if tokens[0].type == "heading_open" and tokens[0].tag == "h2":
            sections.append(Section(title, ident, tuple(blocks)))
            title, ident, blocks = _plain(tokens[1]), _explicit_id(tokens[0], lines), []
        else:
            blocks.append(_block(tokens, lines))
    sections.append(Section(title, ident, tuple(blocks)))
    return [s for s in sections if s.title is not None or s.blocks]
