r"""The fast Markdown back end: markdown-it-pyrs (markdown-it in Rust) parses, this module renders.

markdown-it-pyrs parses about ten times faster than markdown-it-py, but it renders its own HTML and
has no CJK-friendly emphasis, so it is used for its syntax tree only: `parse` walks the tree and
makes the same `ParsedMarkdown` as the reference back end (`markdown.parse_markdown_reference`),
byte for byte. The walk mirrors what the reference's renderer does with its token stream (the
line-feed rules of `RendererHTML.renderToken`, hidden paragraphs in tight lists, the table, link
and heading rules of markdown.py), and the line and column of each link are found the way
`markdown._links_in` finds them.

`parse` returns None, and the caller uses the reference, for a document this back end cannot
render exactly:

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
- constructs where the two parsers were found to differ (by the generated documents of the test):
  a list marker alone on its line; a table in a list or quote, without a blank line before it,
  with a row that markdown-it-py reads as the start of another block, or with its delimiter row
  under a line that starts another block; a last line without a line feed; a code fence left
  open; `~~~` inside a line; a code span of spaces only;
- NUL or carriage-return characters, any node this walk does not know, and any input the Rust
  parser panics on (markdown-it 0.6.0 does on some unbalanced backticks).

tests/test_markdown_backends.py renders every Markdown file of the site, the test fixtures, a
synthetic corpus and one document per feature with both back ends and requires the same result.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from markdown_it.common.utils import escapeHtml, isMdAsciiPunct, isPunctChar, isWhiteSpace, unescapeAll

from .cjk import is_cjk
from .markdown import (EXPLICIT_ID, SLOT, Heading, LinkRef, LinkSlot, ParsedMarkdown, classify_link,
                       headings_and_links, markdown_parser, slugify)

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
# the schemes markdown-it's validateLink refuses, also with an escaped colon; matched in lower case
_REFUSED_SCHEME = re.compile(r"(?:script|data|file)(?::|\\:|&colon;)")
_DELIMITER_RUN = re.compile(r"\*+|_+|~+")  # markdown-it scans strikethrough's `~~` the same way
# a line markdown-it-py ends a table at (its terminator rules), where the Rust parser may read a row
_MAY_END_TABLE = re.compile(r" {0,3}(?:[*+\->#`~<_=]|\d)| {4}")
# an empty list item (a marker alone on its line): whether it interrupts a paragraph, the two parsers differ
_BARE_MARKER = re.compile(r"^[ \t>]*(?:[*+-]|\d{1,9}[.)])[ \t]*$", re.MULTILINE)
# three or more tildes inside a line (not a code fence): strikethrough runs the two split differently
_LONG_TILDES = re.compile(r"^(?! {0,3}~~~).*?~~~", re.MULTILINE)
# a table's delimiter row under a line that starts another block (`> a | b`): markdown-it-py tries
# tables first, the Rust parser the other block
_TABLE_UNDER_BLOCK = re.compile(r"^ {0,3}(?:[*+\->#`~<_=]|\d| {4}).*\n[ \t|:-]*-[ \t|:-]*$", re.MULTILINE)
_DEFINITION = re.compile(r"\]:")  # maybe a link reference definition
_INLINE = frozenset({"text", "text_special", "softbreak", "hardbreak", "strong", "em", "strikethrough",
                     "code_inline", "link", "autolink", "image", "html_inline"})


class _Unsupported(Exception):
    """A node this walk does not render like the reference: the reference parses the document."""


@lru_cache(maxsize=2)
def _parser(allow_html: bool):
    md = markdown_it_pyrs.MarkdownIt("zero")
    md.enable_many(_BLOCK_RULES + _INLINE_RULES + (_HTML_RULES if allow_html else []))
    return md


def available() -> bool:
    return markdown_it_pyrs is not None


def parse(body: str, first_line: int, allow_html: bool = False) -> ParsedMarkdown | None:
    """`ParsedMarkdown` for `body` through markdown-it-pyrs, or None when only the reference can."""
    if markdown_it_pyrs is None or any(text in body for text in _NEEDS_REFERENCE):
        return None
    if body and not body.endswith("\n"):  # the last line of a code block without its line feed: they differ
        return None
    if (_REFUSED_SCHEME.search(body.lower()) or _BARE_MARKER.search(body) or _LONG_TILDES.search(body)
            or ("|" in body and _TABLE_UNDER_BLOCK.search(body))):
        return None
    runs = cjk_emphasis_runs(body)
    if runs and _DEFINITION.search(body):
        return None
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
    for match in _DELIMITER_RUN.finditer(text):
        start, end = match.span()
        marker = text[start]
        last = text[start - 1] if start else " "
        following = text[end] if end < len(text) else " "
        if (_cjk_rule_changes(marker, last, following)
                or (last == "\\" and _cjk_rule_changes(marker, marker, following))):
            found.append(start)
    return found


@lru_cache(maxsize=8192)  # few distinct (marker, neighbour, neighbour) triples in a text
def _cjk_rule_changes(marker: str, last: str, following: str) -> bool:
    if not (is_cjk(last) or is_cjk(following)):
        return False
    return _abilities(marker, last, following, True) != _abilities(marker, last, following, False)


# ------------------------------------------------------------------------------------------ the walk

class _Walk:
    """One document: the tree -> the reference renderer's flat token stream -> HTML with link slots."""

    def __init__(self, body: str, first_line: int, allow_html: bool, cjk_lines: dict[int, set[str]]):
        self.body, self.first_line, self.allow_html = body, first_line, allow_html
        self.cjk_lines = cjk_lines  # lines (0-based) with delimiter runs the CJK rule may parse differently
        self.lines = body.split("\n")
        self.encoded = encoded = body.encode("utf-8")
        self.line_starts = [0] + [m.end() for m in re.finditer(b"\n", encoded)]
        md = markdown_parser(allow_html)
        self.normalize_link, self.normalize_text = md.normalizeLink, md.normalizeLinkText
        # the flat stream: (kind, nesting, tag, attrs, hidden, html); kind "tag" renders as renderToken does
        self.stream: list[tuple] = []
        self.slots: list[LinkSlot] = []
        self.headings: list[Heading] = []
        self.links: list[LinkRef] = []
        self.used_ids: set[str] = set()

    def run(self, root) -> ParsedMarkdown:
        for node in root.children:
            name = node.name
            if name in _INLINE:
                raise _Unsupported(name)
            first, last = self.line_range(node) if self.cjk_lines else (0, -1)
            markers = {m for line, found in self.cjk_lines.items() if first <= line <= last for m in found}
            if markers and not (markers == {"*"} and self.cjk_rule_agrees(node)):
                self.reference_block(first, last)
            else:
                self.block(node, name, top=True)
        html = self.render_stream()
        anchors = frozenset(h.id for h in self.headings)
        return ParsedMarkdown(tuple(html.split(SLOT)), tuple(self.slots), tuple(self.headings), tuple(self.links),
                              self.allow_html, anchors)

    # ---------------------------------------------------------------------------------- blocks

    def tag(self, nesting: int, tag: str, attrs: str = "", hidden: bool = False) -> None:
        self.stream.append(("tag", nesting, tag, attrs, hidden, ""))

    def raw(self, html: str, kind: str = "raw") -> None:
        self.stream.append((kind, 0, "", "", False, html))

    def line_of(self, node) -> int:
        srcmap = node.srcmap
        if srcmap is None:
            raise _Unsupported("no source position")
        return bisect.bisect_right(self.line_starts, srcmap[0]) - 1

    def line_range(self, node) -> tuple[int, int]:
        """The first and last line (0-based) of a block."""
        srcmap = node.srcmap
        if srcmap is None:
            raise _Unsupported("no source position")
        return (bisect.bisect_right(self.line_starts, srcmap[0]) - 1,
                bisect.bisect_right(self.line_starts, max(srcmap[0], srcmap[1] - 1)) - 1)

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
        raw = self.encoded
        stack = [(child, 0) for child in block.children]
        while stack:
            node, depth = stack.pop()
            name = node.name
            if name == "text" and "*" in node.meta["content"]:
                return False
            if name in ("em", "strong") and node.meta.get("marker") == "*":
                if depth:
                    return False
                start, end = node.srcmap or (0, 0)
                size = 1 if name == "em" else 2
                run = b"*" * size
                if (raw[start:start + size] != run or raw[start + size:start + size + 1] == b"*"
                        or (start and raw[start - 1:start] in (b"*", b"\\")) or raw[end - size:end] != run
                        or raw[end:end + 1] == b"*" or raw[end - size - 1:end - size] == b"*"):
                    return False
                depth += 1
            stack.extend((child, depth) for child in node.children)
        return True

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

    def blocks(self, nodes, in_item: bool) -> None:
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

    def hidden_paragraph(self, nodes) -> None:
        self.tag(1, "p", hidden=True)
        self.inline(nodes, self.line_of(nodes[0]))
        self.tag(-1, "p", hidden=True)

    def block(self, node, name: str, top: bool) -> None:
        if name == "paragraph":
            self.tag(1, "p")
            self.inline(node.children, self.line_of(node))
            self.tag(-1, "p")
        elif name in ("heading", "lheading"):
            self.heading(node)
        elif name in ("bullet_list", "ordered_list"):
            tag, attrs = "ul", ""
            if name == "ordered_list":
                tag, start = "ol", node.meta.get("start", 1)
                attrs = f' start="{start}"' if start != 1 else ""
            self.tag(1, tag, attrs)
            for item in node.children:
                if item.name != "list_item":
                    raise _Unsupported(item.name)
                self.tag(1, "li")
                self.blocks(item.children, in_item=True)
                self.tag(-1, "li")
            self.tag(-1, tag)
        elif name == "blockquote":
            self.tag(1, "blockquote")
            self.blocks(node.children, in_item=False)
            self.tag(-1, "blockquote")
        elif name == "hr":
            self.tag(0, "hr")
        elif name == "code_block":
            self.raw("<pre><code>" + escapeHtml(node.meta["content"]) + "</code></pre>\n")
        elif name == "fence":
            self.fence(node)
        elif name == "html_block" and self.allow_html:
            self.raw(node.meta["content"])
        elif name == "table":
            first = self.line_of(node)
            if not top or (first and self.lines[first - 1].strip()):
                # lazy lines and ends of tables in lists and quotes, tables right after other text: they differ
                raise _Unsupported("a table in a list or quote, or without a blank line before it")
            self.table(node)
        elif name == "definition":
            pass  # a link reference definition renders nothing
        else:
            raise _Unsupported(name)

    def fence(self, node) -> None:
        meta = node.meta
        first, last = self.line_range(node)
        closing = self.lines[last].strip()
        marker = meta["marker"]
        if first == last or not closing.startswith(marker * meta["marker_len"]) or closing.strip(marker):
            raise _Unsupported("a code fence left open: the two parsers end it differently")
        info = unescapeAll(meta.get("info") or "").strip()
        attrs = f' class="language-{escapeHtml(info.split(maxsplit=1)[0])}"' if info else ""
        self.raw(f"<pre><code{attrs}>" + escapeHtml(meta["content"]) + "</code></pre>\n")

    def heading(self, node) -> None:
        level = node.meta["level"]
        children = list(node.children)
        explicit = None
        tail = len(children)
        while tail and children[tail - 1].name in ("text", "text_special"):
            tail -= 1
        trailing = "".join(child.meta["content"] for child in children[tail:])
        match = EXPLICIT_ID.search(trailing) if tail < len(children) else None
        if match:
            explicit = match.group(1)
            trailing = trailing[: match.start()]
        base = explicit or slugify(_plain_text(children[:tail], trailing, self.normalize_text))
        ident, n = base, 2
        while ident in self.used_ids:
            ident, n = f"{base}-{n}", n + 1
        self.used_ids.add(ident)
        self.headings.append(Heading(level, ident, _plain_text(children[:tail], trailing, self.normalize_text)))
        self.tag(1, f"h{level}", f' id="{escapeHtml(ident)}"')
        self.inline(children[:tail], self.line_of(node), escapeHtml(trailing))
        self.tag(-1, f"h{level}")

    def table(self, node) -> None:
        aligns = node.meta.get("alignments") or []
        styles = [f' style="text-align:{a}"' if a in ("left", "center", "right") else "" for a in aligns]
        self.tag(1, "table")
        for part in node.children:
            if part.name not in ("thead", "tbody"):
                raise _Unsupported(part.name)
            self.tag(1, part.name)
            cell_tag = "th" if part.name == "thead" else "td"
            for row in part.children:
                if cell_tag == "td" and _MAY_END_TABLE.match(self.lines[self.line_of(row)]):
                    raise _Unsupported("a row that markdown-it-py would read as the start of another block")
                self.tag(1, "tr")
                for index, cell in enumerate(row.children):
                    style = styles[index] if index < len(styles) else ""
                    self.tag(1, cell_tag, style + (' scope="col"' if cell_tag == "th" else ""))
                    self.inline(cell.children, self.line_of(cell))
                    self.tag(-1, cell_tag)
                self.tag(-1, "tr")
            self.tag(-1, part.name)
        self.tag(-1, "table")

    def render_stream(self) -> str:
        """The reference's `RendererHTML.render` over the flat stream (renderToken's line feeds)."""
        stream, out = self.stream, []
        for index, (kind, nesting, tag, attrs, hidden, html) in enumerate(stream):
            if kind != "tag":
                out.append(html)
                continue
            if hidden:
                continue
            result = "\n" if nesting != -1 and index and stream[index - 1][4] else ""
            result += ("</" if nesting == -1 else "<") + tag + attrs
            need_lf = True
            if nesting == 1 and index + 1 < len(stream):
                after = stream[index + 1]
                if after[0] == "inline" or after[4] or (after[1] == -1 and after[2] == tag):
                    need_lf = False
            result += ">\n" if need_lf else ">"
            if tag == "table":
                result = '<div class="table-scroll" tabindex="0">' + result if nesting == 1 else result + "</div>\n"
            out.append(result)
        return "".join(out)

    # ---------------------------------------------------------------------------------- inline

    def inline(self, nodes, line_index: int, suffix: str = "") -> None:
        self.line_index = line_index
        out: list[str] = []
        for node in nodes:
            self.inline_node(node, out)
        out.append(suffix)
        self.raw("".join(out), "inline")

    def note_link(self, href: str) -> None:
        line = self.lines[self.line_index] if self.line_index < len(self.lines) else ""
        col = line.find(href) + 1 if href and href in line else 1
        self.links.append(classify_link(href, self.first_line + self.line_index, col))

    def inline_node(self, node, out: list[str]) -> None:
        name = node.name
        if name in ("text", "text_special"):
            out.append(escapeHtml(node.meta["content"]))
        elif name == "softbreak":
            self.line_index += 1
            out.append("\n")
        elif name == "hardbreak":
            self.line_index += 1
            out.append("<br>\n")
        elif name in ("strong", "em", "strikethrough"):
            tag = {"strong": "strong", "em": "em", "strikethrough": "s"}[name]
            out.append(f"<{tag}>")
            for child in node.children:
                self.inline_node(child, out)
            out.append(f"</{tag}>")
        elif name == "code_inline":
            code = "".join(c.meta["content"] for c in node.children)
            if not code.strip(" "):  # a code span of spaces only: markdown-it-py keeps them all, the Rust one not
                raise _Unsupported("a code span of spaces")
            out.append("<code>" + escapeHtml(code) + "</code>")
        elif name == "link":
            meta = node.meta
            href = self.normalize_link(meta["url"])
            self.note_link(href)
            self.slots.append(LinkSlot(href, meta.get("title")))
            out.append(SLOT)
            for child in node.children:
                self.inline_node(child, out)
            out.append("</a>")
        elif name == "autolink":
            out.append(self.autolink(node))
        elif name == "image":
            out.append(self.image(node))
        elif name == "html_inline" and self.allow_html:
            out.append(node.meta["content"])
        else:
            raise _Unsupported(name)

    def autolink(self, node) -> str:
        url = node.meta["url"]
        raw = _autolink_raw(node)
        email = url.startswith("mailto:") and not raw.lower().startswith("mailto:")
        href = self.normalize_link("mailto:" + raw if email else raw)
        self.note_link(href)
        self.slots.append(LinkSlot(href))
        return SLOT + escapeHtml(self.normalize_text(raw)) + "</a>"

    def image(self, node) -> str:
        meta = node.meta
        src = self.normalize_link(meta["url"])
        self.note_link(src)
        title = meta.get("title")
        alt = _text(node.children, self.normalize_text, "\n", images=True)
        title_attr = "" if title is None else f' title="{escapeHtml(title)}"'
        return f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{title_attr}>'


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
    return (_text(nodes, link_text, " ", images=False) + trailing).strip()


def _autolink_raw(node) -> str:
    raw = "".join(child.meta.get("markup", "") for child in node.children)
    if not raw:
        raise _Unsupported("autolink without text")
    return raw


