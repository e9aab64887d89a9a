r"""The fast Markdown back end: markdown-it-pyrs (markdown-it in Rust) parses, and `parse` makes the same
`ParsedMarkdown` as the reference back end (`markdown.parse_markdown_reference`), byte for byte, in one of
two ways.

- The rendered path (`_rendered`), for most documents: markdown-it-pyrs renders the HTML itself, and
  regular expressions over that HTML put in what markdown.py adds (heading ids, link slots, the tables'
  wrapper and header scopes). It leaves the links unplaced (markdown.UNPLACED): their lines and columns
  matter only for an error about a link, and then the reference finds them (pages.link_positions). It
  takes only documents made of constructs it was shown to render as the reference does (section "the
  rendered path" below lists what it leaves to the walk); it costs a third of the walk.
- The walk over markdown-it-pyrs's syntax tree (`_Walk`), for the rest: it mirrors what the reference's
  renderer does with its token stream (the line-feed rules of `RendererHTML.renderToken`, hidden
  paragraphs in tight lists, the table, link and heading rules of markdown.py), and finds the line and
  column of each link the way `markdown._links_in` finds them. It also handles CJK-friendly emphasis,
  which the Rust parser does not know, block by block (below).

`parse` returns None, and the caller uses the reference, for a document neither way can render
exactly:

- an emphasis or strikethrough delimiter run (`*`, `_`, `~`) whose opening or closing ability the
  CJK-friendly rule (cjk.py) changes, which the Rust parser does not know, unless the pairs
  CommonMark made are provably the ones the CJK rule makes (`_Walk.cjk_rule_agrees`: the common
  `“**引用**”`, `（*注*）`, `**注意：**这是`): then only the top-level blocks (a paragraph, a
  list, a table...) that hold such a run are parsed by the reference, on their own, and the rest
  by the Rust parser; the whole document when it has link reference definitions (`[label]: url`),
  which a block parsed on its own would not see;
- footnotes (`[^1]`, `^[...]`): the two number and render them differently;
- a link scheme the Rust parser validates (`javascript:`, `vbscript:`, `file:`, `data:`, also with
  `\:` or `&colon;`) or any numeric character reference (`&#x73;` could spell one): the reference
  accepts every link and reports bad ones itself (markdown.classify_link);
- constructs where the two parsers were found to differ (by generated documents):
  a list marker alone on its line; a table in a list or quote, without a blank line before it,
  with a row that markdown-it-py reads as the start of another block, with its delimiter row
  under a line that starts another block (also in a quote), with a pipe in only one of the two
  (`a|` over `--`, `a` over `|-`) or a colon and no pipe (`a` over `:-`), or with an escaped pipe
  before a pipe (`\||`); a last line without a line feed; a code fence left open; `~~~` inside a
  line; a code span of spaces only; a backtick left in text (markdown-it 0.6.0 misses some code
  spans); a lazy line of a blockquote that starts with white space; a link destination with white
  space at an end (`< b>`), or in `<>` right before its title; a link title over several lines;
  a line starting with an empty title (`""`) under a link reference definition; in a document with link
  reference definitions, a `](` that starts no inline link (`[a](` at a line's end) or a `][` that starts no
  full reference link (`[a][b [c](d)]`); white space other
  than spaces and tabs (a no-break or an ideographic space) at the start or end of a line; with
  raw HTML, a declaration in lower case (`<!doctype html>`);
- NUL or carriage-return characters, any node this walk does not know, and any input the Rust
  parser panics on (markdown-it 0.6.0 does on some unbalanced backticks).

tests/test_markdown_backends.py renders every Markdown file of the site, the test fixtures, a
synthetic corpus, one document per feature and generated documents with both back ends, the fast one by
each of its two ways, and requires the same result.

Speed: at 2,000 synthetic pages, the walk took 2.4 s of CPU, the rendered path 1.2 s when it rendered with
source positions (markdown-it-pyrs's `sourcepos` plugin, for the links' lines: 0.35 s of rendering, against
0.18 s without, and 0.04 s to take the positions out again), 0.7 s since it leaves the lines to the reference.
Making the tree's Python objects costs as much as rendering, and the walk over them twice that. The walk renders straight
into one list of strings (no token stream rendered a second time), checks what `cjk_rule_agrees`
checks while it renders (no second walk), reads a text node's `meta` only for its content, works
out a link's line only when there is a link, and caches what is a pure function of a URL or of a
heading's text. The checks on the raw text use patterns `re` scans fast (a literal first character).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache
from itertools import islice
from urllib.parse import unquote

from markdown_it.common.utils import escapeHtml, isMdAsciiPunct, isPunctChar, isWhiteSpace, unescapeAll

from .cjk import is_cjk
from .markdown import (EXPLICIT_ID, SLOT, UNPLACED, Heading, LinkRef, LinkSlot, ParsedMarkdown, classify_link,
                       headings_and_links, markdown_parser, slugify, unique_id)

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover (a platform without the wheel: the reference does everything)
    markdown_it_pyrs = None

_BLOCK_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference"]
_INLINE_RULES = ["autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline",
                 "table", "strikethrough"]
_HTML_RULES = ["html_block", "html_inline"]

# footnotes, NUL and CR, numeric character references (`&#x73;` could spell a scheme)
_NEEDS_REFERENCE = ("[^", "^[", "\x00", "\r", "&#")
# the schemes markdown-it's validateLink refuses, also with an escaped colon; matched in lower case.
# One pattern per word: `re` finds a pattern that starts with a literal string much faster than an
# alternation (`(?:script|data|file)...`), and any of the three matching is the same as that one matching
_REFUSED_SCHEMES = tuple(re.compile(word + r"(?::|\\:|&colon;)") for word in ("script", "data", "file"))
# a run of one marker (`\*+|_+|~+`, written with a back reference, which `re` scans for faster);
# markdown-it scans strikethrough's `~~` the same way
_DELIMITER_RUN = re.compile(r"([*_~])\1*")
# a line markdown-it-py ends a table at (its terminator rules), where the Rust parser may read a row
_MAY_END_TABLE = re.compile(r" {0,3}(?:[*+\->#`~<_=]|\d)| {4}")
# The line patterns below start with a literal line feed instead of `^` (with re.MULTILINE), which
# `re` scans for fast, and are searched in "\n" + body, where every line of the body, the first too,
# follows a line feed: a line of the body matches `^X` exactly when "\n" + that line matches `\nX`.
# Possessive `*+` where what follows can only be a character the repeat cannot take (`[^\n|]*+` before
# `|` or a line feed) matches what `*` matches, without trying to give characters back.
#
# an empty list item (a marker alone on its line): whether it interrupts a paragraph, the two parsers differ
_BARE_MARKER = re.compile(r"\n[ \t>]*(?:[*+-]|\d{1,9}[.)])[ \t]*$", re.MULTILINE)
# three or more tildes inside a line (not a code fence): strikethrough runs the two split differently
_LONG_TILDES = re.compile(r"\n(?! {0,3}~~~).*?~~~")
# a table's delimiter row under a line that starts another block (`> a | b`): markdown-it-py tries
# tables first, the Rust parser the other block; also in a quote (`>> a | b` over `> -|-`)
_TABLE_UNDER_BLOCK = re.compile(r"\n {0,3}(?:[*+\->#`~<_=]|\d| {4})[^\n]*+\n(?:[ \t]*>)*[ \t|:-]*-[ \t|:-]*$",
                                re.MULTILINE)
# a line that may be a table's delimiter row (`-`, `:`, `|`, spaces; a `-`): see _delimiter_rows_differ
_DELIMITER_ROW = re.compile(r"\n([ \t:|-]*-[ \t:|-]*)$", re.MULTILINE)
# a link destination in `<>` right before its title (`[a](<b>"t")`): markdown-it-py wants space between
_ANGLE_DESTINATION_TITLE = re.compile(r"\]\([ \t]*\n?[ \t]*<[^\n]*>[\"'(]")
_DEFINITION = re.compile(r"\]:")  # maybe a link reference definition
_FULL_REFERENCE_TAIL = re.compile(r"\]\[[^\[\]]*\]")  # `][label]`, the rest of a full reference link
# the rest of a well-formed inline link after its text: `](destination "title")`, on one line
_INLINE_LINK_TAIL = re.compile(r"""\]\((?:<[^<>\n]*>|[^\s()<>]*)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\)""")
# a line that starts with an empty title (`""`, `''`, `()`) and goes on: under a link reference
# definition, markdown-it-py reads both lines as a paragraph, the Rust parser a definition and a paragraph
_EMPTY_TITLE_LINE = re.compile(r"\n[ \t>]*(?:\"\"|''|\(\))[ \t]*[^ \t\n]")
# what str.isspace() takes for white space but space, tab, line feed (and carriage return: refused above),
# among them the no-break and the ideographic space: markdown-it-py strips them off a paragraph's, a
# heading's or a cell's text (str.strip), the Rust parser keeps them
_ODD_SPACES = "\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ODD_SPACE = re.compile(f"[{_ODD_SPACES}]")
# one at the start or end of a line (past block markers: `> `, `- `, `# `, `1. `) or next to a table's pipe
_ODD_SPACE_AT_EDGE = re.compile(rf"\n[ \t>*+\-#\d.)|]*[{_ODD_SPACES}]|[{_ODD_SPACES}][ \t#|=*\-]*\n"
                                rf"|\|[ \t]*[{_ODD_SPACES}]|[{_ODD_SPACES}][ \t]*\|")
# raw HTML: a declaration in lower case (`<!doctype html>`), which markdown-it 0.6.0 does not know
_LOWER_CASE_DECLARATION = re.compile(r"<![a-z]")
# a blockquote's `>` marker at the start of a line (after what it consumes: up to 3 spaces, one after it)
_QUOTE_MARKER = re.compile(r" {0,3}> ?")
_INLINE = frozenset({"text", "text_special", "softbreak", "hardbreak", "strong", "em", "strikethrough",
                     "code_inline", "link", "autolink", "image", "html_inline"})
_TEXT = frozenset({"text", "text_special"})
_EMPHASIS_TAGS = {"strong": ("<strong>", "</strong>"), "em": ("<em>", "</em>"), "strikethrough": ("<s>", "</s>")}


# markdown-it 0.6.0 caches where it saw backtick runs, and the cache is wrong in some cases (after it
# scanned a link's text, for one): it then leaves as text a code span markdown-it-py finds (`[`a`` `b``
# is `[<code>a`` </code>b``). Such a cache can only make it skip an opening run, which then stays text,
# so a backtick left in text goes to the reference.
_BACKTICK_IN_TEXT = "a backtick left in text"


class _Unsupported(Exception):
    """A node this walk does not render like the reference: the reference parses the document."""


class _StarsDisagree(Exception):
    """What `_Walk.cjk_rule_agrees` rejects, found while rendering a block: the reference parses the block."""


@lru_cache(maxsize=2)
def _parser(allow_html: bool):
    md = markdown_it_pyrs.MarkdownIt("zero")
    md.enable_many(_BLOCK_RULES + _INLINE_RULES + (_HTML_RULES if allow_html else []))
    return md


@lru_cache(maxsize=2)
def _normalizers(allow_html: bool) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """The reference's normalizeLink and normalizeLinkText, cached: pure functions of the URL (mdurl's
    parse, encode and decode, punycode), and the same few URLs come back in page after page."""
    md = markdown_parser(allow_html)
    return lru_cache(maxsize=8192)(md.normalizeLink), lru_cache(maxsize=8192)(md.normalizeLinkText)


def available() -> bool:
    return markdown_it_pyrs is not None


def parse(body: str, first_line: int, allow_html: bool = False, rendered: bool = True) -> ParsedMarkdown | None:
    """`ParsedMarkdown` for `body` through markdown-it-pyrs, or None when only the reference can: by the rendered
    path (below) when it takes the document, else by the walk over the tree. `rendered=False`: by the walk
    (tests hold both to the reference)."""
    special = _SPECIAL_TEXT.search(body) is not None  # (one scan for the texts of both lists, found in few)
    if markdown_it_pyrs is None or _needs_reference(body, allow_html, special):
        return None
    runs = cjk_emphasis_runs(body)
    if runs and _DEFINITION.search(body):
        return None
    if rendered and not allow_html:
        made = _rendered(body, runs, special)
        if made is not None:
            return made
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)] if runs else []
    cjk_lines: dict[int, set[str]] = {}  # line -> the markers of its runs that the CJK rule may change
    for run in runs:
        cjk_lines.setdefault(bisect.bisect_right(line_starts, run) - 1, set()).add(body[run])
    try:
        tree = _parser(allow_html).tree(body)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 (a panic in the Rust parser is a pyo3 PanicException, a BaseException)
        return None
    try:
        return _Walk(body, first_line, allow_html, cjk_lines).run(tree)
    except _Unsupported:
        return None


def _needs_reference(body: str, allow_html: bool, special: bool = True) -> bool:
    """Whether the raw text alone shows that the two parsers may differ (the module's docstring lists how)."""
    if special and any(text in body for text in _NEEDS_REFERENCE):
        return True
    if allow_html and _LOWER_CASE_DECLARATION.search(body):
        return True
    if body and not body.endswith("\n"):  # the last line of a code block without its line feed: they differ
        return True
    if ":" in body:  # (each way of writing a scheme's colon has one: most documents need no lower-case copy)
        lowered = body.lower()
        if any(scheme.search(lowered) for scheme in _REFUSED_SCHEMES):
            return True
    lines = "\n" + body  # for the line patterns (above)
    return bool(_BARE_MARKER.search(lines) or ("~~~" in body and _LONG_TILDES.search(lines))
                or ("|" in body and (_TABLE_UNDER_BLOCK.search(lines)
                                     or "\\||" in body))  # an escaped pipe before a pipe: cells split differently
                or (("|" in body or ":" in body) and _delimiter_rows_differ(lines))
                or ("](" in body and _ANGLE_DESTINATION_TITLE.search(body))
                or ("]:" in body and (_EMPTY_TITLE_LINE.search(lines) or _reference_links_differ(body)))
                or (_has_odd_space(body) and _ODD_SPACE_AT_EDGE.search(lines)))


def _reference_links_differ(body: str) -> bool:
    """Whether, in a document with link reference definitions, a link's text may be followed by what starts no
    inline link (`[a](` at a line's end, `[a](b c)`) or no full reference link (`[a][b [c](d)]`, brackets in
    the label): the Rust parser then reads `[a]` as a reference link, markdown-it-py as text."""
    return (body.count("](") != len(_INLINE_LINK_TAIL.findall(body))
            or ("][" in body and body.count("][") != len(_FULL_REFERENCE_TAIL.findall(body))))


def _delimiter_rows_differ(lines: str) -> bool:
    """Whether a table's delimiter row and the line above it may make a table for one parser only, in
    "\\n" + body: markdown-it-py reads a table when both have a pipe, the Rust parser also when the row
    has one or a colon (`a` over `|-` or `:-`), and not when only the line above has one (`a|` over `--`:
    a setext heading)."""
    for match in _DELIMITER_ROW.finditer(lines):
        start = match.start()
        if start == 0:  # the first line: none above it
            continue
        above, row = lines[lines.rfind("\n", 0, start) + 1:start], match[1]
        if ("|" in above) != ("|" in row) or ("|" not in above and ":" in row):
            return True
    return False


def _has_odd_space(body: str) -> bool:
    """Whether `body` has any of _ODD_SPACES (`in` scans ASCII text far faster than `re`)."""
    if body.isascii():
        return any(char in body for char in "\x0b\x0c\x1c\x1d\x1e\x1f")
    return _ODD_SPACE.search(body) is not None


# ------------------------------------------------------------------------------ CJK-friendly emphasis

def _punct(char: str) -> bool:
    return isMdAsciiPunct(ord(char)) or isPunctChar(char)


def _abilities(marker: str, last: str, following: str, cjk: bool) -> tuple[bool, bool]:
    """(can open, can close) of a delimiter run between `last` and `following` (cjk.scan_delims_cjk)."""
    last_punct, next_punct = _punct(last), _punct(following)
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(following))
    last_cjk, next_cjk = (is_cjk(last), is_cjk(following)) if cjk else (False, False)
    left = not next_space and (not next_punct or last_space or last_punct or last_cjk)
    right = not last_space and (not last_punct or next_space or next_punct or next_cjk)
    if marker != "_":  # `*` and `~` may open or close inside a word
        return left, right
    return left and (not right or last_punct), right and (not left or next_punct)


def cjk_emphasis_runs(text: str) -> list[int]:
    """Where the delimiter runs of `text` start whose parse the CJK-friendly rule could change.

    Checked on the raw text, which is safe: inside a paragraph, the characters next to a run are the
    same as in the inline text markdown-it scans, and where they are not (a line's start or end, a
    table cell's edge) the inline text has whitespace there, which the CJK rule never changes. A run
    that an escaped marker splits (`\\**`) is also checked with the marker itself before it."""
    found: list[int] = []
    if text.isascii():
        return found
    changes, size = _cjk_rule_changes, len(text)
    for match in _DELIMITER_RUN.finditer(text):
        start, end = match.span()
        marker = match[1]
        last = text[start - 1] if start else " "
        following = text[end] if end < size else " "
        if changes(marker, last, following) or (last == "\\" and changes(marker, marker, following)):
            found.append(start)
    return found


@lru_cache(maxsize=8192)  # few distinct (marker, neighbour, neighbour) triples in a text
def _cjk_rule_changes(marker: str, last: str, following: str) -> bool:
    if not (is_cjk(last) or is_cjk(following)):
        return False
    return _abilities(marker, last, following, True) != _abilities(marker, last, following, False)


# ------------------------------------------------------------------------------------------ the walk

def _start(node) -> int:
    """The byte offset where `node` starts in the body."""
    srcmap = node.srcmap
    if srcmap is None:
        raise _Unsupported("no source position")
    return srcmap[0]


def _inline_start(nodes: Sequence) -> int:
    """The byte offset where inline nodes start (its line is their first). Not an emphasis's srcmap: the
    Rust parser's is off by the text's indent when its closing run leaves a star (`- *[a](b)**`); its first
    child starts on the same line (a run before a line feed does not open)."""
    node = nodes[0]
    while node.name in _EMPHASIS_TAGS and node.children:
        node = node.children[0]
    return _start(node)


def _opens_with_line_feed(children: Sequence, in_item: bool) -> bool:
    """renderToken's line feed after an opening block tag, from the block's children: none when the next
    token is the closing tag (no child renders a token: a link reference definition renders none) or
    the hidden paragraph a tight list item's inline nodes make."""
    for child in children:
        if child.name != "definition":
            return not (in_item and child.name in _INLINE)
    return False


class _Walk:
    """One document: the tree -> the HTML the reference's renderer makes of its tokens, with link slots.

    The reference renders block tokens with `RendererHTML.renderToken`, whose line feeds depend on the
    tokens next to each one; here they follow from the tree: `open_tag` is told whether a line feed
    follows (`_opens_with_line_feed`), and `after_hidden` remembers a hidden paragraph just closed."""

    def __init__(self, body: str, first_line: int, allow_html: bool, cjk_lines: dict[int, set[str]]):
        self.body, self.first_line, self.allow_html = body, first_line, allow_html
        self.cjk_lines = cjk_lines  # lines (0-based) with delimiter runs the CJK rule may parse differently
        self.cjk_line_numbers = sorted(cjk_lines)
        self.lines = body.split("\n")
        self.normalize_link, self.normalize_text = _normalizers(allow_html)
        self.out: list[str] = []  # the HTML, piece by piece
        self.after_hidden = False  # the last token was a hidden paragraph's closing one
        self.slots: list[LinkSlot] = []
        self.headings: list[Heading] = []
        self.links: list[LinkRef] = []
        self.used_ids: set[str] = set()
        self.inline_start = 0  # the byte offset of the inline content being rendered (its first line's)
        self.breaks = 0  # line breaks so far in it: its links' lines
        # rendering a block with `*` runs the CJK rule may change, and checking cjk_rule_agrees on the way
        self.checking = False
        self.star_depth = 0  # while checking: the `*` emphases around the node being rendered
        self.quote_depth = 0  # the blockquotes around the block being rendered
        self.blocks_by_name: dict[str, Callable] = {
            "paragraph": self.paragraph, "heading": self.heading, "lheading": self.heading,
            "bullet_list": self.list, "ordered_list": self.list, "blockquote": self.blockquote,
            "hr": self.hr, "code_block": self.code_block, "fence": self.fence, "html_block": self.html_block,
            "table": self.table, "definition": self.definition,
        }
        self.inline_by_name: dict[str, Callable] = {
            "hardbreak": self.hardbreak, "strong": self.emphasis, "em": self.emphasis,
            "strikethrough": self.emphasis, "code_inline": self.code_inline, "link": self.link,
            "autolink": self.autolink, "image": self.image, "html_inline": self.html_inline,
        }

    @cached_property
    def encoded(self) -> bytes:
        return self.body.encode("utf-8")

    def run(self, root) -> ParsedMarkdown:
        for node in root.children:
            name = node.name
            if name in _INLINE:
                raise _Unsupported(name)
            if self.cjk_lines:
                first, last = self.line_range(node)
                markers = self.cjk_markers(first, last)
                if markers:
                    if not (markers == {"*"} and self.checked_block(node, name)):
                        if name == "table":  # the reference reads these lines as a table: is it one in the document?
                            self.check_table(node, top=True)
                        self.reference_block(first, last)
                    continue
            self.block(node, name, top=True)
        html = "".join(self.out)
        anchors = frozenset(h.id for h in self.headings)
        return ParsedMarkdown(tuple(html.split(SLOT)), tuple(self.slots), tuple(self.headings), tuple(self.links),
                              self.allow_html, anchors)

    # ---------------------------------------------------------------------------------- blocks

    def open_tag(self, tag: str, attrs: str = "", line_feed: bool = True) -> None:
        """renderToken of an opening (or a self-closing) block tag: a line feed before it when it follows
        a hidden paragraph, and one after it unless the next token is inline, hidden or its closing tag."""
        self.out.append(("\n<" if self.after_hidden else "<") + tag + attrs + (">\n" if line_feed else ">"))
        self.after_hidden = False

    def close_tag(self, tag: str) -> None:
        """renderToken of a closing block tag: never a line feed before it, always one after it."""
        self.out.append("</" + tag + ">\n")
        self.after_hidden = False

    def raw(self, html: str) -> None:
        """What a render rule makes (a code block, raw HTML): no line feed added before or after it."""
        self.out.append(html)
        self.after_hidden = False

    @cached_property
    def line_starts(self) -> list[int]:
        """The byte offset of each line (srcmap counts bytes)."""
        return [0] + [m.end() for m in re.finditer(b"\n", self.encoded)]

    def line_of(self, offset: int) -> int:
        """The line (0-based) of a byte offset."""
        return bisect.bisect_right(self.line_starts, offset) - 1

    def line_range(self, node) -> tuple[int, int]:
        """The first and last line (0-based) of a block."""
        srcmap = node.srcmap
        if srcmap is None:
            raise _Unsupported("no source position")
        return self.line_of(srcmap[0]), self.line_of(max(srcmap[0], srcmap[1] - 1))

    def cjk_markers(self, first: int, last: int) -> set[str]:
        """The markers of the runs on lines `first` to `last` whose parse the CJK rule may change."""
        numbers = self.cjk_line_numbers
        found: set[str] = set()
        for index in range(bisect.bisect_left(numbers, first), bisect.bisect_right(numbers, last)):
            found |= self.cjk_lines[numbers[index]]
        return found

    def cjk_rule_agrees(self, block) -> bool:
        """Whether CommonMark's emphasis, as the Rust parser applied it to this block, is also what the
        CJK-friendly rule makes of it, where that rule changes what some `*` runs may do.

        The rule only adds abilities to `*` runs (to open, to close). Markdown-it matches each closing
        run, left to right, with the nearest earlier run that may open and is not used up (skipping
        pairs whose lengths add up to a multiple of 3 when one of them may both open and close). If,
        under CommonMark, every `*` run was matched (no `*` is left in the text), each run is one end
        of one emphasis of its own length (so no pair adds up to 3 or 6), and no `*` emphasis lies
        inside another, then at every step the runs still open before a closing run are the same
        under both rules, and a run that gains the ability to close finds none before it: the same
        pairs are made. Anything else goes to the reference."""
        return self.star_pairs_hold(block.children, inside=False)

    def star_pairs_hold(self, nodes: Sequence, inside: bool) -> bool:
        """cjk_rule_agrees for `nodes` and all below them; `inside`: within a `*` emphasis."""
        for node in nodes:
            name = node.name
            if name == "text":
                if "*" in node.meta["content"]:
                    return False
            elif name in ("em", "strong") and node.meta.get("marker") == "*":
                if inside or not self.whole_runs(node, 1 if name == "em" else 2):
                    return False
                if not self.star_pairs_hold(node.children, inside=True):
                    return False
                continue
            children = node.children
            if children and not self.star_pairs_hold(children, inside):
                return False
        return True

    def checked_block(self, node, name: str) -> bool:
        """Render a top-level block if cjk_rule_agrees(node), else render nothing and return False.

        The check is made while rendering, not by a walk of its own: the text nodes and the `*`
        emphases it looks at are the ones the rendering visits (inline_nodes, emphasis), and where the
        rendering does not go below a node (a code span, an image's description, a code block...)
        `check_below` checks what is there. Text, line break and raw HTML nodes have no children
        (markdown-it makes them leaves), so the check sees every node cjk_rule_agrees would. When the
        rendering stops on something this walk does not support, the check decides what the
        reference parses: the block, if it fails, as when it was made first, else the document."""
        marks = len(self.out), len(self.slots), len(self.links), len(self.headings)
        self.checking = True
        try:
            self.block(node, name, top=True)
            return True
        except _StarsDisagree:
            pass
        except _Unsupported:
            if self.cjk_rule_agrees(node):
                raise
        finally:  # what they are between top-level blocks, also when the rendering stopped inside one
            self.checking, self.star_depth, self.quote_depth = False, 0, 0
        out, slots, links, headings = marks
        del self.out[out:], self.slots[slots:], self.links[links:]
        for heading in self.headings[headings:]:
            self.used_ids.discard(heading.id)  # each one was new to used_ids
        del self.headings[headings:]
        self.after_hidden = False  # what it was: a top-level block ends with a closing tag or a code block
        return False

    def check_below(self, nodes: Sequence) -> None:
        """While checking, cjk_rule_agrees on nodes the rendering does not go through."""
        if not self.star_pairs_hold(nodes, inside=self.star_depth > 0):
            raise _StarsDisagree

    def whole_runs(self, node, size: int) -> bool:
        """Whether a `*` emphasis's delimiters are whole runs of `size` stars each, the only ones there."""
        raw = self.encoded
        start, end = node.srcmap or (0, 0)
        run = b"*" * size
        return not (raw[start:start + size] != run or raw[start + size:start + size + 1] == b"*"
                    or (start and raw[start - 1:start] in (b"*", b"\\")) or raw[end - size:end] != run
                    or raw[end:end + 1] == b"*" or raw[end - size - 1:end - size] == b"*")

    def reference_block(self, first: int, last: int) -> None:
        """A top-level block parsed and rendered by the reference, on its own (its lines alone make the
        same block); heading ids continue the document's, links keep their lines in the file."""
        lines = self.lines[first:last + 1]
        text = "\n".join(lines) + "\n"
        if not any(line.strip() for line in self.lines[last + 1:]):
            text = "\n".join(self.lines[first:])  # the last block: to the end (an open code fence holds blank lines)
        md = markdown_parser(self.allow_html)
        tokens = md.parse(text, {"heading_ids": self.used_ids})
        headings, links = headings_and_links(tokens, lines, self.first_line + first)
        self.headings.extend(headings)
        self.links.extend(links)
        self.raw(md.renderer.render(tokens, md.options, {"slots": self.slots}))

    def block(self, node, name: str, top: bool) -> None:
        render = self.blocks_by_name.get(name)
        if render is None:
            raise _Unsupported(name)
        render(node, top)

    def blocks(self, nodes: Sequence, in_item: bool) -> None:
        pending: list = []  # inline nodes directly in a list item: a tight list's hidden paragraph
        for node in nodes:
            name = node.name
            if name in _INLINE:
                if not in_item:
                    raise _Unsupported(name)
                pending.append(node)
                continue
            if pending:
                self.hidden_paragraph(pending)
                pending = []
            self.block(node, name, top=False)
        if pending:
            self.hidden_paragraph(pending)

    def hidden_paragraph(self, nodes: list) -> None:
        """A tight list item's paragraph: its tags hidden, only its inline content rendered."""
        self.inline(nodes, _inline_start(nodes))
        self.after_hidden = True

    def paragraph(self, node, top: bool) -> None:
        if self.quote_depth:
            self.check_lazy_lines(node)
        self.open_tag("p", line_feed=False)  # the inline token follows
        self.inline(node.children, _start(node))
        self.close_tag("p")

    def list(self, node, top: bool) -> None:
        tag, attrs = "ul", ""
        if node.name == "ordered_list":
            tag, start = "ol", node.meta.get("start", 1)
            attrs = f' start="{start}"' if start != 1 else ""
        items = node.children
        self.open_tag(tag, attrs, line_feed=bool(items))
        for item in items:
            if item.name != "list_item":
                raise _Unsupported(item.name)
            if self.quote_depth:
                self.check_lazy_lines(item)  # its hidden paragraphs' lines, and more
            children = item.children
            self.open_tag("li", line_feed=_opens_with_line_feed(children, in_item=True))
            self.blocks(children, in_item=True)
            self.close_tag("li")
        self.close_tag(tag)

    def blockquote(self, node, top: bool) -> None:
        children = node.children
        self.open_tag("blockquote", line_feed=_opens_with_line_feed(children, in_item=False))
        self.quote_depth += 1
        self.blocks(children, in_item=False)
        self.quote_depth -= 1
        self.close_tag("blockquote")

    def check_lazy_lines(self, node) -> None:
        """Raise _Unsupported for a lazy line in a blockquote (one without all its `>` markers: a paragraph's
        continuation) that starts with white space: markdown-it-py keeps that space in code spans and raw
        HTML (`> `a` then `  b``), the Rust parser drops it. A line after the block's first one that lacks
        a marker, where a list's indent stands for it, counts as lazy too: more goes to the reference."""
        first, last = self.line_range(node)
        for line in self.lines[first + 1:last + 1]:
            for _ in range(self.quote_depth):
                marker = _QUOTE_MARKER.match(line)
                if marker is None:
                    if line[:1] in (" ", "\t"):
                        raise _Unsupported("a lazy line in a blockquote that starts with white space")
                    break
                line = line[marker.end():]

    def hr(self, node, top: bool) -> None:
        if self.checking:
            self.check_below(node.children)
        self.open_tag("hr")  # self-closing: renderToken ends it with a line feed

    def code_block(self, node, top: bool) -> None:
        if self.checking:
            self.check_below(node.children)
        self.raw("<pre><code>" + escapeHtml(node.meta["content"]) + "</code></pre>\n")

    def html_block(self, node, top: bool) -> None:
        if self.checking:
            self.check_below(node.children)
        if not self.allow_html:
            raise _Unsupported("html_block")
        self.raw(node.meta["content"])

    def definition(self, node, top: bool) -> None:  # a link reference definition renders nothing
        if self.checking:
            self.check_below(node.children)

    def fence(self, node, top: bool) -> None:
        if self.checking:
            self.check_below(node.children)
        meta = node.meta
        first, last = self.line_range(node)
        closing = self.lines[last].strip()
        marker = meta["marker"]
        if first == last or not closing.startswith(marker * meta["marker_len"]) or closing.strip(marker):
            raise _Unsupported("a code fence left open: the two parsers end it differently")
        info = unescapeAll(meta.get("info") or "").strip()
        attrs = f' class="language-{escapeHtml(info.split(maxsplit=1)[0])}"' if info else ""
        self.raw(f"<pre><code{attrs}>" + escapeHtml(meta["content"]) + "</code></pre>\n")

    def heading(self, node, top: bool) -> None:
        level = node.meta["level"]
        children = list(node.children)
        explicit = None
        tail = len(children)
        while tail and children[tail - 1].name in _TEXT:
            tail -= 1
        texts = [child.meta["content"] for child in children[tail:]]
        trailing = "".join(texts)
        if "`" in trailing and any(child.name == "text" and "`" in text for child, text in zip(children[tail:], texts)):
            raise _Unsupported(_BACKTICK_IN_TEXT)
        match = EXPLICIT_ID.search(trailing) if tail < len(children) else None
        if match:
            explicit = match.group(1)
            trailing = trailing[: match.start()]
        if self.checking:
            self.check_below(children[tail:])  # the text after the last other node: not rendered by inline_nodes
        text = _plain_text(children[:tail], trailing, self.normalize_text)
        ident = unique_id(explicit or _slug(text), self.used_ids)
        self.headings.append(Heading(level, ident, text))
        self.open_tag(f"h{level}", f' id="{escapeHtml(ident)}"', line_feed=False)  # the inline token follows
        self.inline(children[:tail], _start(node))
        self.out.append(escapeHtml(trailing))
        self.close_tag(f"h{level}")

    def check_table(self, node, top: bool) -> None:
        """Raise _Unsupported where markdown-it-py may not read the table the Rust parser read: lazy lines
        and ends of tables in lists and quotes, tables right after other text, rows that start other blocks.
        Also for a table the reference parses on its own (reference_block), which would read it as a table
        all the same: the lines before it were not there."""
        first = self.line_of(_start(node))
        if not top or (first and self.lines[first - 1].strip()):
            raise _Unsupported("a table in a list or quote, or without a blank line before it")
        for part in node.children:
            if part.name == "tbody":
                for row in part.children:
                    if _MAY_END_TABLE.match(self.lines[self.line_of(_start(row))]):
                        raise _Unsupported("a row that markdown-it-py would read as the start of another block")

    def table(self, node, top: bool) -> None:
        self.check_table(node, top)
        aligns = node.meta.get("alignments") or []
        styles = [f' style="text-align:{a}"' if a in ("left", "center", "right") else "" for a in aligns]
        parts = node.children
        self.out.append('<div class="table-scroll" tabindex="0">')  # markdown._render_table_open
        self.open_tag("table", line_feed=bool(parts))
        for part in parts:
            if part.name not in ("thead", "tbody"):
                raise _Unsupported(part.name)
            rows = part.children
            self.open_tag(part.name, line_feed=bool(rows))
            cell_tag = "th" if part.name == "thead" else "td"
            for row in rows:
                cells = row.children
                self.open_tag("tr", line_feed=bool(cells))
                for index, cell in enumerate(cells):
                    style = styles[index] if index < len(styles) else ""
                    # markdown._render_th_open adds scope; the inline token follows
                    self.open_tag(cell_tag, style + (' scope="col"' if cell_tag == "th" else ""), line_feed=False)
                    self.inline(cell.children, _start(cell))
                    self.close_tag(cell_tag)
                self.close_tag("tr")
            self.close_tag(part.name)
        self.close_tag("table")
        self.out.append("</div>\n")  # markdown._render_table_close

    # ---------------------------------------------------------------------------------- inline

    def inline(self, nodes: Sequence, start: int) -> None:
        """An inline token's content; `start`: the byte offset of its first line (its links' lines count from it)."""
        self.inline_start, self.breaks = start, 0
        self.inline_nodes(nodes)

    def inline_nodes(self, nodes: Sequence) -> None:
        append, checking = self.out.append, self.checking
        for node in nodes:
            name = node.name
            if name == "text":  # most nodes: here rather than through inline_by_name
                content = node.meta["content"]
                if "`" in content:
                    raise _Unsupported(_BACKTICK_IN_TEXT)
                if checking and "*" in content:
                    raise _StarsDisagree  # a `*` run CommonMark left unmatched
                append(_escape(content))
            elif name == "text_special":
                append(_escape(node.meta["content"]))
            elif name == "softbreak":
                self.breaks += 1
                append("\n")
            else:
                render = self.inline_by_name.get(name)
                if render is None:
                    raise _Unsupported(name)
                render(node)

    def hardbreak(self, node) -> None:
        self.breaks += 1
        self.out.append("<br>\n")

    def emphasis(self, node) -> None:
        name = node.name
        opening, closing = _EMPHASIS_TAGS[name]
        if self.checking and name in ("em", "strong") and node.meta.get("marker") == "*":
            if self.star_depth or not self.whole_runs(node, 1 if name == "em" else 2):
                raise _StarsDisagree  # inside another `*` emphasis, or its runs not whole ones
            self.out.append(opening)
            self.star_depth += 1
            self.inline_nodes(node.children)
            self.star_depth -= 1
        else:
            self.out.append(opening)
            self.inline_nodes(node.children)
        self.out.append(closing)

    def code_inline(self, node) -> None:
        children = node.children
        if self.checking:
            self.check_below(children)
        code = "".join(c.meta["content"] for c in children)
        if not code.strip(" "):  # a code span of spaces only: markdown-it-py keeps them all, the Rust one not
            raise _Unsupported("a code span of spaces")
        self.out.append("<code>" + escapeHtml(code) + "</code>")

    def html_inline(self, node) -> None:  # a leaf, like text
        if not self.allow_html:
            raise _Unsupported("html_inline")
        self.out.append(node.meta["content"])

    def note_link(self, href: str) -> None:
        """The link's line and column as markdown._links_in finds them."""
        line_index = self.line_of(self.inline_start) + self.breaks
        line = self.lines[line_index] if line_index < len(self.lines) else ""
        col = line.find(href) + 1 if href and href in line else 1
        self.links.append(classify_link(href, self.first_line + line_index, col))

    def link(self, node) -> None:
        meta = node.meta
        href = self.normalize_link(_url(meta))
        self.note_link(href)
        self.slots.append(LinkSlot(href, _title(meta)))
        self.out.append(SLOT)
        self.inline_nodes(node.children)
        self.out.append("</a>")

    def autolink(self, node) -> None:
        if self.checking:
            self.check_below(node.children)
        url = node.meta["url"]
        raw = _autolink_raw(node)
        email = url.startswith("mailto:") and not raw.lower().startswith("mailto:")
        href = self.normalize_link("mailto:" + raw if email else raw)
        self.note_link(href)
        self.slots.append(LinkSlot(href))
        self.out.append(SLOT + escapeHtml(self.normalize_text(raw)) + "</a>")

    def image(self, node) -> None:
        if self.checking:
            self.check_below(node.children)  # its description: the alt text
        meta = node.meta
        src = self.normalize_link(_url(meta))
        self.note_link(src)
        title = _title(meta)
        alt = _text(node.children, self.normalize_text, "\n", images=True)
        if "`" in alt:  # code spans' and raw HTML's too, to keep it simple
            raise _Unsupported(_BACKTICK_IN_TEXT)
        title_attr = "" if title is None else f' title="{escapeHtml(title)}"'
        self.out.append(f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{title_attr}>')


def _url(meta: dict) -> str:
    """A link's or image's destination, as the Rust parser normalized it (percent-encoded). One with white
    space at an end (`< b>`, a no-break space) goes to the reference: markdown-it-py's normalizeLink
    strips it (mdurl.parse), the Rust parser encodes it."""
    url = meta["url"]
    decoded = unquote(url)
    if decoded[:1].isspace() or decoded[-1:].isspace():
        raise _Unsupported("a destination with white space at an end")
    return url


def _title(meta: dict) -> str | None:
    """A link's or image's title; one over several lines goes to the reference: the two parsers keep
    different white space at the start of its lines (of a link reference definition's, of one in a quote)."""
    title = meta.get("title")
    if title is not None and "\n" in title:
        raise _Unsupported("a title over several lines")
    return title


def _escape(text: str) -> str:
    """markdown-it's escapeHtml, which replaces these four characters only: not called when there are none."""
    if "&" in text or "<" in text or ">" in text or '"' in text:
        return escapeHtml(text)
    return text


@lru_cache(maxsize=8192)  # a pure function of the heading's text, and the same headings recur across pages
def _slug(text: str) -> str:
    return slugify(text)


def _text(nodes, link_text, breaks: str, images: bool) -> str:
    """The text of inline nodes, as the reference gathers it from its flat tokens: text and code; line breaks
    as `breaks`; an autolink's text as `link_text` (markdown-it's normalizeLinkText) makes it; with `images`,
    image descriptions and raw HTML too (RendererHTML.renderInlineAsText, for `alt`), else neither
    (markdown._plain_text, for heading ids)."""
    parts: list[str] = []

    def walk(items) -> None:
        for node in items:
            name = node.name
            if name in ("text", "text_special") or (images and name == "html_inline"):
                parts.append(node.meta["content"])
            elif name == "code_inline":
                parts.append("".join(c.meta["content"] for c in node.children))
            elif name in ("softbreak", "hardbreak"):
                parts.append(breaks)
            elif name == "autolink":
                parts.append(link_text(_autolink_raw(node)))
            elif name in ("strong", "em", "strikethrough", "link") or (images and name == "image"):
                walk(node.children)

    walk(nodes)
    return "".join(parts)


def _plain_text(nodes, trailing: str, link_text) -> str:
    """markdown._plain_text of a heading (its explicit id taken off the `trailing` text)."""
    if not nodes:  # most headings: text only
        return trailing.strip()
    return (_text(nodes, link_text, " ", images=False) + trailing).strip()


def _autolink_raw(node) -> str:
    raw = "".join(child.meta.get("markup", "") for child in node.children)
    if not raw:
        raise _Unsupported("autolink without text")
    return raw


# ---------------------------------------------------------------------------- the rendered path

# The rendered path: markdown-it-pyrs renders the document itself, and this module puts in what markdown.py adds
# to the reference's HTML: heading ids, link slots, the table's wrapper and header scopes. Rendering in Rust and a
# few regular expressions over the HTML cost about a third of the walk over the tree. The links' lines and
# columns are left unplaced (LinkRef.line 0): they are needed only for an error about a link, and then the
# reference finds them (pages.link_positions). The path takes only documents made of what it was shown to
# render as the reference does; anything else goes to the walk (`_rendered` returns None): raw HTML
# (`allow_html`), the constructs of _WALK_ONLY_TEXT, _QUOTE_LINE and _ANGLE_TAG, runs of `_` or `~` the
# CJK-friendly rule may change, and what `_rendered` checks in the HTML and, for tables, in the text.

# An image, a code fence (the walk checks how it ends), a blockquote (the walk checks its lazy lines), an
# autolink or raw HTML text (the walk normalizes an autolink's text as the reference does)
_WALK_ONLY_TEXT = ("![", "```", "~~~")
# any text of _NEEDS_REFERENCE or _WALK_ONLY_TEXT: one scan of a document that has none (most), not eight
_SPECIAL_TEXT = re.compile("|".join(re.escape(text) for text in _NEEDS_REFERENCE + _WALK_ONLY_TEXT))
_QUOTE_LINE = re.compile(r"^[ \t*+\-\d.)]*>", re.MULTILINE)  # (also after list markers: `- > a`)
_ANGLE_TAG = re.compile(r"<[A-Za-z/!?]")
_LINK_TAG = re.compile(r'<a href="([^"]*)"(?: title="([^"]*)")?>')
_CODE_SPAN = re.compile(r"<code>([^<]*)</code>")
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_HEADER_CELL = re.compile(r'<th( style="[^"]*")?>')
_CODE = re.compile(r"<code[^>]*>.*?</code>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_EMPHASIS_TAG = re.compile(r"<(/?)(?:em|strong)>")
_LIST_MARKER = re.compile(r"[ \t>]|[*+-][ \t]|\d{1,9}[.)][ \t]")
# a link, heading or header cell left as markdown-it-pyrs made it (none should be)
_UNMARKED = re.compile(r'<a |<h[1-6]>|<th(?: style="[^"]*")?>')


class _Declined(Exception):
    """What the rendered path does not take: the walk parses the document."""


def _unescape(text: str) -> str:
    """The inverse of markdown-it's escapeHtml (which replaces four characters)."""
    if "&" not in text:
        return text
    return text.replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def _rendered(body: str, runs: list[int], special: bool = True) -> ParsedMarkdown | None:
    """`ParsedMarkdown` for `body` by the rendered path (above), or None: the walk's to parse. `special`: whether
    `body` may hold a text of _WALK_ONLY_TEXT (False: `parse` found none)."""
    if (special and any(text in body for text in _WALK_ONLY_TEXT)) or ("<" in body and _ANGLE_TAG.search(body)) \
            or (">" in body and _QUOTE_LINE.search(body)) or any(body[run] != "*" for run in runs):
        return None
    try:
        html = _parser(False).render(body, xhtml=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 (a panic in the Rust parser: then the walk, which sees it too, decides)
        return None
    try:
        return _Rendered(body, html).result(runs)
    except _Declined:
        return None


@lru_cache(maxsize=8192)  # a pure function of the href: pages link to the same pages, and the objects are immutable
def _unplaced(href: str) -> LinkRef:
    return classify_link(href, UNPLACED, UNPLACED)


def _tables_agree(body: str, tables: int) -> bool:
    """Whether the reference reads the `tables` tables of `body` as the Rust parser does, from the text: at the top
    level, after a blank line, and no line of a table that markdown-it-py would read as the start of another block
    (the walk's check_table). Each line with a pipe that may be a delimiter row counts as a table's, its header the
    line above it, its rows the lines after it up to a blank line: a check of more than the tables, never less."""
    lines = body.split("\n")
    found = row = counted = 0
    for match in _DELIMITER_ROW.finditer("\n" + body):
        if "|" not in match[1]:
            continue  # (a table's delimiter row has a pipe, as its header does: _delimiter_rows_differ)
        # the delimiter row's line: the line feeds before it ("\n" + body shifts the text by one), counted on
        row, counted = row + body.count("\n", counted, match.start()), match.start()
        if row == 0:
            continue  # no line above it: no table
        header = row - 1
        if _LIST_MARKER.match(lines[header]) or (header and lines[header - 1].strip()):
            return False
        for line in islice(lines, row + 1, None):
            if not line.strip():
                break
            if _MAY_END_TABLE.match(line):
                return False
        found += 1
    return found >= tables


class _Rendered:
    """One document rendered by markdown-it-pyrs, made into the reference's HTML and ParsedMarkdown."""

    def __init__(self, body: str, html: str):
        self.body, self.html = body, html
        self.slots: list[LinkSlot] = []
        self.links: list[LinkRef] = []
        self.headings: list[Heading] = []
        self.used_ids: set[str] = set()
        self.normalize_link = _normalizers(False)[0]

    def result(self, runs: list[int]) -> ParsedMarkdown:
        html = self.html
        if "<code" in html:
            self.check_code_spans(html)
        if "<a " in html:
            html = _LINK_TAG.sub(self.link, html)
        if "<h" in html:
            html = _HEADING.sub(self.heading, html)
        if "<table" in html:
            html = self.tables(html)
        if _UNMARKED.search(html):
            raise _Declined
        if "`" in html or runs:
            text = _CODE.sub("", html)  # the HTML but its code
            if "`" in text:
                raise _Declined  # a backtick left in text (markdown-it 0.6.0 misses some code spans)
            if runs:
                self.check_stars(html, text)
        anchors = frozenset(h.id for h in self.headings)
        return ParsedMarkdown(tuple(html.split(SLOT)), tuple(self.slots), tuple(self.headings), tuple(self.links),
                              False, anchors)

    def check_code_spans(self, html: str) -> None:
        """A code span of spaces only (markdown-it-py keeps them all, the Rust one not)."""
        for match in _CODE_SPAN.finditer(html):
            if not match[1].strip(" "):
                raise _Declined

    def link(self, match: re.Match) -> str:
        """A link's opening tag -> its slot, and the link, unplaced (its line and column: when needed)."""
        url, title = _unescape(match[1]), match[2]
        decoded = unquote(url)
        if decoded[:1].isspace() or decoded[-1:].isspace():
            raise _Declined  # as the walk's _url
        href = self.normalize_link(url)  # as the walk does, on the URL the Rust parser normalized
        if title is not None:
            title = _unescape(title)
            if "\n" in title:
                raise _Declined  # the two parsers keep different white space in a title over several lines
        self.links.append(_unplaced(href))
        self.slots.append(LinkSlot(href, title))
        return SLOT

    def heading(self, match: re.Match) -> str:
        """A heading with its id (markdown._heading_ids), an explicit `{#id}` at its end taken off."""
        level, inner = match[1], match[2]
        explicit = EXPLICIT_ID.search(inner) if "{#" in inner else None
        if explicit:
            if "\n" in inner[explicit.start():]:
                raise _Declined  # after a line break: the reference keeps the break
            inner = inner[:explicit.start()]
        if "<" in inner or "&" in inner or "\n" in inner or SLOT in inner:
            text = _unescape(_TAG.sub("", inner.replace("<br>\n", " ").replace("\n", " ").replace(SLOT, ""))).strip()
        else:  # (most headings: plain text)
            text = inner.strip()
        ident = unique_id(explicit.group(1) if explicit else _slug(text), self.used_ids)
        self.headings.append(Heading(int(level), ident, text))
        return f'<h{level} id="{_escape(ident)}">{inner}</h{level}>'

    def tables(self, html: str) -> str:
        """Tables as markdown.py renders them (a scrolling wrapper, header cells with scope), for a document whose
        tables the reference reads as the Rust parser does (`_tables_agree`)."""
        if not _tables_agree(self.body, html.count("<table>")):
            raise _Declined
        html = html.replace("<table>", '<div class="table-scroll" tabindex="0"><table>')
        html = html.replace("</table>\n", "</table>\n</div>\n")
        return _HEADER_CELL.sub(lambda m: f'<th{m[1] or ""} scope="col">', html)

    def check_stars(self, html: str, text: str) -> None:
        """The walk's cjk_rule_agrees, made stricter: no `*` left in text (`text`: the HTML but its code), no
        emphasis inside another or right after one (a run the two shared)."""
        if "*" in text and "*" in _TAG.sub("", text):
            raise _Declined
        depth = 0
        last = None
        for tag in _EMPHASIS_TAG.finditer(html):
            if tag[1]:
                depth -= 1
                last = tag.end()
            else:
                if depth or last == tag.start():
                    raise _Declined
                depth += 1
