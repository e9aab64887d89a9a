"""Markdown set-up: tables, footnotes, heading anchors, TOC, CJK-friendly emphasis, links.

Parsing happens once per source (`parse_markdown`) and already renders the HTML, split around the
opening tag of every link (a *slot*); rendering for an output page (`render_markdown`) only fills
the slots with the link's URL for that page, so the same parse shows in either language's tree,
and a template edit re-renders pages without parsing any Markdown again.

Under plain CommonMark, `**注意：**这是` or `这是**“引用”**的` stay literal asterisks: Chinese has no spaces between
words and uses full-width punctuation. Here a CJK character next to a delimiter run counts like whitespace for the
punctuation test (as in the CommonMark CJK-friendly amendment); Latin text keeps CommonMark's behaviour exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline.state_inline import Scanned, StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

EXPLICIT_ID = re.compile(r"\s*\{#([A-Za-z0-9][\w-]*)\}\s*$")


class Heading(NamedTuple):
    level: int
    id: str
    text: str


UNPLACED = 0  # the line and column of a link the fast back end left to be found when an error needs them


class LinkRef(NamedTuple):
    """A link as written in the source, with where it stands (or UNPLACED: parse.link_positions finds it)."""

    href: str
    line: int
    col: int
    kind: str  # "external", "source" (another .md), "anchor" (same page), "bad"
    target: str = ""  # for "source": the path part as written (relative .md path)
    anchor: str = ""  # the fragment, unquoted


SLOT = "\x00"  # marks a link's opening tag in rendered HTML; markdown-it turns NUL in input into U+FFFD


class LinkSlot(NamedTuple):
    """A link's opening tag, made per output page: its href as parsed (the key of `link_urls`) and title."""

    href: str
    title: str | None = None

    def tag(self, link_urls: dict[str, str]) -> str:
        href = link_urls.get(self.href, self.href)
        title = "" if self.title is None else f' title="{escapeHtml(self.title)}"'
        rel = ' rel="noopener"' if urlsplit(href).scheme in ("http", "https") else ""
        return f'<a href="{escapeHtml(href)}"{title}{rel}>'


@dataclass(frozen=True)
class ParsedMarkdown:
    html: tuple[str, ...]  # the rendered HTML, cut at each link's opening tag (one more piece than slots)
    slots: tuple[LinkSlot, ...]
    headings: tuple[Heading, ...]
    links: tuple[LinkRef, ...]
    allow_html: bool
    anchors: frozenset[str]  # heading ids and footnote ids: what `page.md#...` may point at

    @property
    def toc(self) -> tuple[Heading, ...]:
        return tuple(h for h in self.headings if h.level in (2, 3))


_CJK_RANGES = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F),
    (0x3130, 0x318F), (0x31A0, 0x31FF), (0x3200, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F),
    (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)


@lru_cache(maxsize=4096)  # asked for the characters around every delimiter run: few distinct ones
def is_cjk(char: str) -> bool:
    """Han, kana, hangul, and CJK or full-width punctuation."""
    code = ord(char)
    return code >= 0x1100 and (any(low <= code <= high for low, high in _CJK_RANGES)
                               or unicodedata.east_asian_width(char) in ("W", "F") and not char.isspace())


def delimiter_abilities(last: str, following: str, can_split_word: bool, cjk: bool = True) -> tuple[bool, bool]:
    """(can open, can close) of a delimiter run between the characters `last` and `following`: CommonMark's
    flanking rules (markdown-it's scanDelims), with the CJK relaxation when `cjk`."""
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(following)) or isPunctChar(following)
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(following))
    last_cjk, next_cjk = (is_cjk(last), is_cjk(following)) if cjk else (False, False)
    left_flanking = not next_space and (not next_punct or last_space or last_punct or last_cjk)
    right_flanking = not last_space and (not last_punct or next_space or next_punct or next_cjk)
    return (left_flanking and (can_split_word or not right_flanking or last_punct),
            right_flanking and (can_split_word or not left_flanking or next_punct))


class _CjkStateInline(StateInline):
    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:  # noqa: N802 (markdown-it's name)
        """markdown-it's scanDelims with the CJK relaxation of the flanking rules."""
        pos = start
        while pos < self.posMax and self.src[pos] == self.src[start]:
            pos += 1
        last = self.src[start - 1] if start > 0 else " "
        following = self.src[pos] if pos < self.posMax else " "
        return Scanned(*delimiter_abilities(last, following, canSplitWord), pos - start)


class _CjkParserInline(ParserInline):
    """markdown-it's inline parser with CJK-friendly emphasis delimiters."""

    def parse(self, src: str, md: MarkdownIt, env: Any, tokens: list[Token]) -> list[Token]:
        state = _CjkStateInline(src, md, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        return state.tokens


@lru_cache(maxsize=2)
def markdown_parser(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False, "xhtmlOut": False})
    md.validateLink = lambda url: True  # every link reaches classify_link, which reports bad ones
    md.inline.__class__ = _CjkParserInline
    md.enable(["table", "strikethrough"])
    footnote_plugin(md)
    md.core.ruler.push("attributes", _attributes)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("table_open", _render_table)
    md.add_render_rule("table_close", _render_table)
    return md


def slugify(text: str) -> str:
    """A stable heading id: letters of any script and digits, words joined by hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    words = re.findall(r"[^\W_]+", text)
    return "-".join(words)[:80].strip("-") or "section"


def _attributes(state) -> None:
    """Each heading's id (kept with its level and text in `env["headings"]`), and `scope="col"` on header cells."""
    used: set[str] = set()
    headings = state.env.setdefault("headings", [])
    for token, inline in zip(state.tokens, state.tokens[1:]):
        if token.type == "heading_open":
            explicit, text = _take_explicit_id(inline), _plain_text(inline)
            headings.append(Heading(int(token.tag[1]), unique_id(explicit or slugify(text), used), text))
            token.attrSet("id", headings[-1].id)
        elif token.type == "th_open":
            token.attrSet("scope", "col")


def unique_id(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... the first not in `used` (the ids the document has so far), added to it."""
    ident, n = base, 2
    while ident in used:
        ident, n = f"{base}-{n}", n + 1
    used.add(ident)
    return ident


def _take_explicit_id(inline: Token) -> str | None:
    """The `{#id}` that ends a heading, taken out of its text."""
    last = inline.children[-1] if inline.children else None
    match = EXPLICIT_ID.search(last.content) if last is not None and last.type == "text" else None
    if match is None:
        return None
    last.content = last.content[: match.start()]
    inline.content = EXPLICIT_ID.sub("", inline.content)
    return match.group(1)


def _plain_text(inline: Token) -> str:
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def parse_markdown(body: str, first_line: int, allow_html: bool = False) -> ParsedMarkdown:
    """Parse once: the HTML with link slots, headings with ids, and every link with its line and column."""
    md, env = markdown_parser(allow_html), {}
    tokens = md.parse(body, env)
    lines = body.split("\n")
    links = [link for token in tokens if token.type == "inline" and token.map
             for link in _links_in(token, lines, first_line)]
    slots: list[LinkSlot] = []
    html = md.renderer.render(tokens, md.options, {"slots": slots})
    headings = tuple(env["headings"])
    footnotes = {f"fn{token.meta['id'] + 1}" for token in tokens if token.type == "footnote_open"}
    anchors = frozenset(h.id for h in headings) | footnotes
    return ParsedMarkdown(tuple(html.split(SLOT)), tuple(slots), headings, tuple(links), allow_html, anchors)


def _links_in(inline: Token, lines: list[str], first_line: int):
    line_index, start = inline.map[0], 0  # (a link is looked for after the one before it on its line)
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line_index, start = line_index + 1, 0
        elif child.type in ("link_open", "image"):
            attr = "href" if child.type == "link_open" else "src"
            href = str(child.attrGet(attr) or "")
            source_line = lines[line_index] if line_index < len(lines) else ""
            # as written, or before markdown-it encoded it (#näo, #修订); else (an empty href) column 1
            at = next((found for written in (href, unquote(href)) if (found := source_line.find(written, start)) >= 0),
                      -1)
            start = at + 1 if at >= 0 else start
            yield classify_link(href, first_line + line_index, max(at, 0) + 1)


def classify_link(href: str, line: int, col: int) -> LinkRef:
    parts = urlsplit(href)  # (its scheme in lower case)
    if parts.scheme in ("http", "https", "mailto"):
        return LinkRef(href, line, col, "external")
    if parts.scheme or parts.netloc:
        return LinkRef(href, line, col, "bad")
    anchor = unquote(parts.fragment)
    if not parts.path:
        return LinkRef(href, line, col, "anchor", anchor=anchor)
    if parts.path.endswith(".md") and not parts.query:
        return LinkRef(href, line, col, "source", target=unquote(parts.path), anchor=anchor)
    return LinkRef(href, line, col, "bad")


def render_markdown(parsed: ParsedMarkdown, link_urls: dict[str, str]) -> str:
    """HTML for one output page; `link_urls` maps each href as parsed to its URL there."""
    pieces = [parsed.html[0]]
    for slot, piece in zip(parsed.slots, parsed.html[1:]):
        pieces += (slot.tag(link_urls), piece)
    return "".join(pieces)


def _render_link_open(self, tokens, idx, options, env):
    """A slot: the tag is made per page by `LinkSlot.tag`."""
    token = tokens[idx]
    title = token.attrGet("title")
    env["slots"].append(LinkSlot(str(token.attrGet("href") or ""), None if title is None else str(title)))
    return SLOT


def _render_table(self, tokens, idx, options, env):
    """A table in a wrapper that scrolls it sideways (focusable, so that it scrolls from the keyboard too)."""
    tag = self.renderToken(tokens, idx, options, env)
    return '<div class="table-scroll" tabindex="0">' + tag if tokens[idx].nesting == 1 else tag + "</div>\n"
