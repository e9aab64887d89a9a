r"""The fast Markdown back end: markdown-it-pyrs (markdown-it in Rust, ten times faster) renders a document, and
regular expressions over its HTML put in what markdown.py adds to the reference's: heading ids, link slots, the
tables' wrapper and header scopes. `parse` gives the reference's `ParsedMarkdown` byte for byte, or None, and
then markdown.py parses the document itself. The core runs without this module (and without the wheel).

It takes only documents made of constructs shown to render alike (`_declined` and `_Rendered` say what it
declines, and why: footnotes, raw HTML, images, code fences, link definitions, quotes, emphasis the CJK-friendly
rule changes unless it pairs alike, and the constructs where generated documents showed the two parsers differ).
The links' lines and columns are left unplaced (markdown.UNPLACED) until an error needs them (parse.link_positions).
tests/test_markdown_backends.py holds the two back ends to one result on every Markdown file of the site and of
the fixtures, a synthetic site, one document per feature and generated documents.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape  # (exact inverse of escapeHtml here: each "&" in the HTML made starts one of its escapes)
from itertools import islice
from urllib.parse import unquote

from markdown_it.common.utils import escapeHtml

from .markdown import (EXPLICIT_ID, SLOT, UNPLACED, Heading, LinkRef, LinkSlot, ParsedMarkdown, classify_link,
                       delimiter_abilities, is_cjk, markdown_parser, parse_markdown, slugify, unique_id)

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover (a platform without the wheel: the reference does everything)
    markdown_it_pyrs = None

_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
          "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table",
          "strikethrough"]
# footnotes, NUL and CR, numeric references, images, code fences, link definitions (see the module's docstring)
_SPECIAL_TEXT = re.compile("|".join(map(re.escape, ("[^", "^[", "\x00", "\r", "&#", "![", "```", "~~~", "]:"))))
_REFUSED_SCHEMES = tuple(re.compile(word + r"(?::|\\:|&colon;)") for word in ("script", "data", "file"))
_DELIMITER_RUN = re.compile(r"([*_~])\1*")
_MAY_END_TABLE = re.compile(r" {0,3}(?:[*+\->#`~<_=]|\d)| {4}")
# The line patterns below are searched in "\n" + body: a line of the body matches `^X` when "\n" + it matches `\nX`.
_BARE_MARKER = re.compile(r"\n[ \t>]*(?:[*+-]|\d{1,9}[.)])[ \t]*$", re.MULTILINE)
_TABLE_UNDER_BLOCK = re.compile(r"\n {0,3}(?:[*+\->#`~<_=]|\d| {4})[^\n]*+\n(?:[ \t]*>)*[ \t|:-]*-[ \t|:-]*$",
                                re.MULTILINE)
_DELIMITER_ROW = re.compile(r"\n([ \t:|-]*-[ \t:|-]*)$", re.MULTILINE)
_ANGLE_DESTINATION_TITLE = re.compile(r"\]\([ \t]*\n?[ \t]*<[^\n]*>[\"'(]")
_ODD_SPACES = "\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ODD_SPACE = re.compile(f"[{_ODD_SPACES}]")
_ODD_SPACE_AT_EDGE = re.compile(rf"\n[ \t>*+\-#\d.)|]*[{_ODD_SPACES}]|[{_ODD_SPACES}][ \t#|=*\-]*\n"
                                rf"|\|[ \t]*[{_ODD_SPACES}]|[{_ODD_SPACES}][ \t]*\|")
_QUOTE_LINE = re.compile(r"^[ \t*+\-\d.)]*>", re.MULTILINE)  # (also after list markers: `- > a`)
_ANGLE_TAG = re.compile(r"<[A-Za-z/!?]")
# in the HTML markdown-it-pyrs made
_LINK_TAG = re.compile(r'<a href="([^"]*)"(?: title="([^"]*)")?>')
_CODE_SPAN = re.compile(r"<code>([^<]*)</code>")
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_HEADER_CELL = re.compile(r'<th( style="[^"]*")?>')
_CODE = re.compile(r"<code[^>]*>.*?</code>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_EMPHASIS_TAG = re.compile(r"<(/?)(?:em|strong)>")
_LIST_MARKER = re.compile(r"[ \t>]|[*+-][ \t]|\d{1,9}[.)][ \t]")
_UNMARKED = re.compile(r'<a |<h[1-6]>|<th(?: style="[^"]*")?>')  # a tag left as markdown-it-pyrs made it


class _Declined(Exception):
    """What this back end does not take: the reference parses the document."""


def available() -> bool:
    return markdown_it_pyrs is not None


@lru_cache(maxsize=1)
def _parser():
    md = markdown_it_pyrs.MarkdownIt("zero")
    md.enable_many(_RULES)
    return md


@lru_cache(maxsize=8192)  # the reference's normalizeLink: a pure function, and the same URLs come back
def _normalize_link(url: str) -> str:
    return markdown_parser(False).normalizeLink(url)


def parse(body: str, first_line: int, allow_html: bool = False) -> ParsedMarkdown | None:
    """The reference's ParsedMarkdown of `body`, or None when only the reference can make it."""
    if markdown_it_pyrs is None or allow_html or _declined(body):
        return None
    runs = cjk_emphasis_runs(body)
    if any(body[run] != "*" for run in runs):
        return None
    try:
        html = _parser().render(body, xhtml=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 (a panic in the Rust parser is a pyo3 PanicException)
        return None
    try:
        return _Rendered(body, html).result(runs)
    except _Declined:
        return None


def _declined(body: str) -> bool:
    """Whether the raw text shows a construct this back end leaves to the reference: footnotes, NUL, CR, numeric
    references (`&#x73;` could spell a link scheme), images, code fences, link reference definitions (where the two
    read `[a]`, `[a](` or `[a][b]` differently), raw HTML, quotes, link schemes the Rust parser refuses, a last line
    without a line feed; and where the two were found to differ: a list marker alone on its line, a table's
    delimiter row under another block or with a pipe on one side only, an escaped pipe before a pipe, a destination
    in `<>` right before its title, white space other than spaces and tabs at a line's edge."""
    if _SPECIAL_TEXT.search(body) or (body and not body.endswith("\n")):
        return True
    if ("<" in body and _ANGLE_TAG.search(body)) or (">" in body and _QUOTE_LINE.search(body)):
        return True
    if ":" in body and any(scheme.search(body.lower()) for scheme in _REFUSED_SCHEMES):
        return True
    lines = "\n" + body
    return bool(_BARE_MARKER.search(lines) or ("|" in body and (_TABLE_UNDER_BLOCK.search(lines) or "\\||" in body))
                or (("|" in body or ":" in body) and _delimiter_rows_differ(lines))
                or ("](" in body and _ANGLE_DESTINATION_TITLE.search(body))
                or (_ODD_SPACE.search(body) is not None and _ODD_SPACE_AT_EDGE.search(lines)))


def _delimiter_rows_differ(lines: str) -> bool:
    """Whether a table's delimiter row and the line above it make a table for one parser only: markdown-it-py
    reads one when both have a pipe, the Rust parser also when the row has one or a colon."""
    for match in _DELIMITER_ROW.finditer(lines):
        start = match.start()
        if start == 0:
            continue
        above, row = lines[lines.rfind("\n", 0, start) + 1:start], match[1]
        if ("|" in above) != ("|" in row) or ("|" not in above and ":" in row):
            return True
    return False


def _tables_agree(body: str, tables: int) -> bool:
    """Whether markdown-it-py reads the `tables` tables of `body` as the Rust parser does: at the top level, after
    a blank line, and no line of one that markdown-it-py would read as the start of another block."""
    lines = body.split("\n")
    found = row = counted = 0
    for match in _DELIMITER_ROW.finditer("\n" + body):
        if "|" not in match[1]:
            continue
        row, counted = row + body.count("\n", counted, match.start()), match.start()
        if row == 0:
            continue
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


def cjk_emphasis_runs(text: str) -> list[int]:
    """Where the delimiter runs of `text` start whose parse the CJK-friendly rule could change (checked on the raw
    text: where a run's neighbours there are not those of the inline text, the inline text has white space, which
    the rule never changes). A run that an escaped marker splits is also checked with the marker before it."""
    if text.isascii():
        return []
    found, size = [], len(text)
    for match in _DELIMITER_RUN.finditer(text):
        start, end = match.span()
        marker, last = match[1], text[start - 1] if start else " "
        following = text[end] if end < size else " "
        if _cjk_rule_changes(marker, last, following) or (last == "\\" and _cjk_rule_changes(marker, marker,
                                                                                              following)):
            found.append(start)
    return found


@lru_cache(maxsize=8192)
def _cjk_rule_changes(marker: str, last: str, following: str) -> bool:
    if not (is_cjk(last) or is_cjk(following)):
        return False
    split = marker != "_"  # `*` and `~` may open or close inside a word
    return delimiter_abilities(last, following, split) != delimiter_abilities(last, following, split, cjk=False)


@lru_cache(maxsize=8192)
def _unplaced(href: str) -> LinkRef:
    return classify_link(href, UNPLACED, UNPLACED)


class _Rendered:
    """One document rendered by markdown-it-pyrs, made into the reference's HTML and ParsedMarkdown."""

    def __init__(self, body: str, html: str):
        self.body, self.html = body, html
        self.slots: list[LinkSlot] = []
        self.links: list[LinkRef] = []
        self.headings: list[Heading] = []
        self.used_ids: set[str] = set()

    def result(self, runs: list[int]) -> ParsedMarkdown:
        html = self.html
        if "<code" in html:
            for match in _CODE_SPAN.finditer(html):
                if not match[1].strip(" "):
                    raise _Declined  # a code span of spaces only: markdown-it-py keeps them all, the Rust one not
        if "<a " in html:
            html = _LINK_TAG.sub(self.link, html)
        if "<h" in html:
            html = _HEADING.sub(self.heading, html)
        if "<table" in html:
            if not _tables_agree(self.body, html.count("<table>")):
                raise _Declined
            html = html.replace("<table>", '<div class="table-scroll" tabindex="0"><table>')
            html = html.replace("</table>\n", "</table>\n</div>\n")
            html = _HEADER_CELL.sub(lambda m: f'<th{m[1] or ""} scope="col">', html)
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

    def link(self, match: re.Match) -> str:
        """A link's opening tag -> its slot, and the link, unplaced."""
        url, title = unescape(match[1]), match[2]
        decoded = unquote(url)
        if decoded[:1].isspace() or decoded[-1:].isspace():
            raise _Declined
        href = _normalize_link(url)  # as the reference does, on the URL the Rust parser normalized
        if title is not None:
            title = unescape(title)
            if "\n" in title:
                raise _Declined  # the two keep different white space in a title over several lines
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
            text = unescape(_TAG.sub("", inner.replace("<br>\n", " ").replace("\n", " ").replace(SLOT, ""))).strip()
        else:
            text = inner.strip()
        ident = unique_id(explicit.group(1) if explicit else slugify(text), self.used_ids)
        self.headings.append(Heading(int(level), ident, text))
        return f'<h{level} id="{escapeHtml(ident)}">{inner}</h{level}>'

    def check_stars(self, html: str, text: str) -> None:
        """The `*` runs the CJK rule could change pair as CommonMark paired them: no `*` left in text, no emphasis
        inside another or right after one."""
        if "*" in text and "*" in _TAG.sub("", text):
            raise _Declined
        depth, last = 0, None
        for tag in _EMPHASIS_TAG.finditer(html):
            if tag[1]:
                depth, last = depth - 1, tag.end()
            else:
                if depth or last == tag.start():
                    raise _Declined
                depth += 1


def parse_fast(body: str, first_line: int, allow_html: bool = False) -> ParsedMarkdown:
    """`markdown.parse_markdown`, by this back end when it takes the document: what the parse stage is given to
    parse with (`parse.parse_source`'s `markdown`)."""
    return parse(body, first_line, allow_html) or parse_markdown(body, first_line, allow_html)
