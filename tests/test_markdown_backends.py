"""The two Markdown back ends give the same result (markdown.py, fastmd.py).

markdown-it-py is the reference; markdown-it-pyrs (fastmd.py) parses most documents. For every
Markdown file of the site, the test fixtures, a synthetic site, one document per feature the site
uses and generated documents, `parse_markdown` (which picks the back end) must equal
`parse_markdown_reference`: the same HTML around the same link slots, headings and ids, links with
their lines and columns, and anchors. (The rendered path leaves the links unplaced, markdown.UNPLACED: their
places are the reference's, found when an error needs them; the walk places them itself.) Tests also check that the fast back end really was used
where it should be, so a fast path that silently always fell back could not pass.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wtpfsite import fastmd
from wtpfsite.errors import ErrorList
from wtpfsite.frontmatter import split_front_matter
from wtpfsite.markdown import UNPLACED, ParsedMarkdown, parse_markdown, parse_markdown_reference, render_markdown

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not fastmd.available(), reason="markdown-it-pyrs is not installed")


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    split = split_front_matter(text, path, ErrorList(path.parent))
    return split.body if split.meta is not None else text


def placed(made: ParsedMarkdown, reference: ParsedMarkdown) -> ParsedMarkdown:
    """`made` with its unplaced links given the places the reference found (as pages.link_positions does)."""
    from dataclasses import replace

    assert len(made.links) == len(reference.links)
    links = tuple(replace(link, line=ref.line, col=ref.col) if link.line == UNPLACED else link
                  for link, ref in zip(made.links, reference.links))
    return replace(made, links=links)


def assert_same(body: str, allow_html: bool = False, first_line: int = 1) -> bool:
    """Both back ends agree on `body`, the fast one by either of its ways (the rendered path, which `parse` tries
    first, and the walk over the tree, which places every link itself); returns whether the fast one parsed (part
    of) it."""
    reference = parse_markdown_reference(body, first_line, allow_html)
    fast = fastmd.parse(body, first_line, allow_html)
    walked = fastmd.parse(body, first_line, allow_html, rendered=False)
    assert walked is None or all(link.line != UNPLACED for link in walked.links)
    for made in (fast, walked):
        if made is not None:
            assert render_markdown(made, {}) == render_markdown(reference, {})
            assert made.slots == reference.slots
            assert made.headings == reference.headings
            assert placed(made, reference).links == reference.links
            assert made.anchors == reference.anchors
            assert placed(made, reference) == reference
    assert placed(parse_markdown(body, first_line, allow_html), reference) == reference
    return fast is not None


def rendered_path_takes(body: str) -> bool:
    """Whether the fast back end's rendered path takes `body` (fastmd.parse asks it after its own checks)."""
    return fastmd._rendered(body, fastmd.cjk_emphasis_runs(body)) is not None


def _site_markdown() -> list[Path]:
    return sorted((ROOT / "content").rglob("*.md")) + sorted((ROOT / "tests" / "fixtures").rglob("*.md"))


@pytest.mark.parametrize("path", _site_markdown(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_markdown_file_of_the_site_parses_the_same_with_both(path):
    body = _body(path)
    for allow_html in (False, True):
        assert assert_same(body, allow_html, first_line=4), "the fast back end should take this file"
    assert rendered_path_takes(body), "its rendered path should take this file"


def test_a_synthetic_site_parses_the_same_with_both(tmp_path):
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "scripts" / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    synthetic.write_site(tmp_path, pages=24, seed=7, experts=1, meetings=1, documents=1)
    files = sorted((tmp_path / "content").rglob("*.md"))
    assert len(files) > 30
    fast = {path.name for path in files if assert_same(_body(path))}
    assert {path.name for path in files if ".en." in path.name} <= fast
    # Chinese pages too, their CJK emphasis going to the reference block by block; but a page with CJK
    # emphasis in most paragraphs goes to the reference whole (fastmd.parse)
    assert any(".zh." in name for name in fast)
    # the rendered path takes all but a few Chinese pages, whose CJK emphasis it cannot vouch for
    rendered = [path for path in files if rendered_path_takes(_body(path))]
    assert {path.name for path in files if ".en." in path.name} <= {path.name for path in rendered}
    assert len(rendered) > 0.7 * len(files)


# One document per Markdown feature the site uses (docs/content-model.md), each checked alone and all together.
FEATURES = {
    "headings": "# Title\n\n## 第三稿 概要\n\n## Outline {#outline-of-draft}\n\n## Hello, World!\n\n## Hello, World!\n\n"
                "### `code` and [a link](about.md) in a heading\n\nSetext heading\n---\n\nOther\n===\n\n#\n\n"
                "## Escaped \\{#not-an-id}\n\n## Trailing hashes ##\n\n## A *b* {#c-d}\n",
    "emphasis": "*em* _em_ **strong** __strong__ ***both*** ~~struck~~ a*b*c a_b_c **foo.**bar *(*foo*)* "
                "a * b * c\n",
    "cjk emphasis": "（**注意**）这是**“引用”**的。\n\n**注意：**这是一段话，见[关于](about.md)。\n\n"
                    "## 标题**“引”**文\n\n- 第一**“项”**\n- 第二项\n\n| 列 |\n|---|\n| **“格”**子 |\n\n"
                    "> 引用**“文字”**的\n\n这是普通的*强调*和 **bold** text.\n\n"
                    + "没有强调的段落。\n\n" * 20,  # mostly without: the fast back end, block by block
    "code": "Inline `code <b>` and ``a ` b``.\n\n    indented <code>\n    block\n\n```python title\nx = 1 < 2\n```\n\n"
            "~~~\nplain & fence\n~~~\n\n```\nno info\n```\n",
    "lists": "- a\n- b\n  - nested\n  - list\n- c\n\n1. one\n2. two\n\n3. three starts at three\n4. four\n\n"
             "- loose\n\n- list\n\n  with two paragraphs\n\n* star\n+ plus\n\n- [ ] not a task list\n",
    "blocks": "> quote\n> continued\n\n> nested\n>> deeper\n\n---\n\n***\n\nA paragraph\nwith a soft break\n"
              "and a hard one  \nhere and\\\nhere.\n",
    "tables": "| Left | Centre | Right | None |\n|:-----|:------:|------:|------|\n"
              "| a | **b** | `c` | [d](about.md) |\n"
              "| \\| pipe | | x | |\n\n| Only head |\n|---|\n\n| 表头 | 说明 |\n|---|---|\n| 中文 | 内容 |\n",
    "links": "[page](about.md) [anchor](about.md#part) [here](#outline) [ext](https://itu.int/a?b=c&d=e \"T & t\") "
             "<https://itu.int/x> <someone@example.org> [中文](文件.md) [spaces](<a b.md>) [bad](ftp://x) "
             "[ref][r] [collapsed][] ![image](pic.png \"Title\")\n"
             "![alt *x* &amp; `y` <https://itu.int/i>](a.png) [q](about.md?x=1)\n"
             "Second line [l2](about.md#x) and `[no](link.md)`.\n\n[r]: https://itu.int/ref\n[collapsed]: about.md\n",
    "entities": "&amp; &copy; &lt;tag&gt; &quot; \\* \\_ \\\\ \\[ \\` &nbsp;x &unknown; <not html>\n",
    "html": "<div class=\"x\">\n*raw*\n</div>\n\nInline <span>html</span> and <!-- comment -->.\n\n<b>bold</b>\n",
    "blank": "",
    "whitespace": "   \n\n  \t\n",
}


@pytest.mark.parametrize("name", sorted(FEATURES))
@pytest.mark.parametrize("allow_html", [False, True])
def test_each_markdown_feature_renders_the_same_with_both(name, allow_html):
    body = FEATURES[name]
    assert assert_same(body, allow_html)


def test_all_features_in_one_document_render_the_same_with_both():
    without_cjk = [body for name, body in FEATURES.items() if name != "cjk emphasis"]
    for allow_html in (False, True):
        assert assert_same("\n\n".join(without_cjk), allow_html, first_line=7)
        # CJK emphasis and link reference definitions in one document: the reference parses it whole
        assert not assert_same("\n\n".join(FEATURES.values()), allow_html, first_line=7)


@pytest.mark.parametrize("body", [
    "Text[^1].\n\n[^1]: A footnote.\n",
    "Inline^[note] footnote.\n",
    "[x](javascript:alert(1))\n",
    "[x](java&#x73;cript:1)\n",
    "[x](JavaScript\\:1)\n",
    "<data:text/html,x>\n",
    "line\r\nwith CR\n",
    "- a\n- \n", "no line feed at the end", "a ~~~ b\n", "`    `\n", "> a\n|---|---|\n", "text\n| a |\n|---|\n",
    "```\nleft open\n",
    "（**注意**）\n\n[r]: https://itu.int/\n",  # CJK emphasis and a link definition: the whole document
    # found to differ by longer runs of generated documents
    "[`a`` `b`\n", "```)``\\`\n``x`>`\n",  # code spans markdown-it 0.6.0 misses: a backtick left in text
    "> `a\nb\n  c`\n", "- > `a\n   b`\n", "> > `a\n>  b`\n",  # a lazy line of a quote starting with a space
    '[r]: /u "x\n  y"\n\n[a][r]\n',  # a title over several lines
    "[a](< b>)\n", "![a](< >)\n", "[a](b\u00a0)\n",  # a destination with white space at an end
    # white space markdown-it-py strips off a paragraph, a heading, a cell (str.strip), the Rust parser not
    "\u3000\u3000段落的开头缩进两格。\n", "a\u00a0\n", "# \u3000a\n", "| a |\n|---|\n| b\u3000|\n",
    '[r]: u\n"" b\n',  # an empty title and more under a link definition
    ">>|)\n>-|-\n",  # a table's delimiter row in a quote
    ")|\n--\n", "a\n|-\n",  # a pipe in the delimiter row or in the line above, not both: the two differ
    "a\n:-\n",  # a colon and no pipes: a table for the Rust parser only
    "\\|||\n-|\n", "||\n|---|\n\\||>\n",  # an escaped pipe before a pipe: cells split differently
    "[a](<b>'t')\n",  # no space between a destination in `<>` and the title: a link for the Rust parser only
    ">）\na||\n-|-\n**注*（\n",  # the same table for the reference, on its own, as a block with CJK emphasis
    # with a link reference definition, what starts no inline or full reference link: `[g]` is a link for the
    # Rust parser only
    "[g](\n\n[g]: h.md\n", "[g](a b)\n\n[g]: h.md\n", "[g][a [b](#x)]\n\n[g]: h.md\n",
])
def test_what_only_the_reference_can_parse_goes_to_it(body):
    assert fastmd.parse(body, 1) is None
    assert parse_markdown(body, 1) == parse_markdown_reference(body, 1)


@pytest.mark.parametrize("body", [
    "![a](b.png) [c](d.md)\n",  # an image: line breaks in its description do not count for the links' lines
    "```\ncode\n```\n\n~~~\nmore\n~~~\n",  # code fences: the walk checks how they end
    "> a [b](c.md)\n", "- > a\n",  # a blockquote, also in a list item: the walk checks its lazy lines
    "<https://itu.int> and <a@b.org>\n",  # autolinks: their text normalized as the reference does
    "Title\n{#x}\n===\n",  # an explicit id after a line break: the reference keeps the break
    "- a\n\n  | b |\n  |---|\n  | c |\n",  # a table in a list item
    "注意~~“删除”~~的\n",  # a `~` run the CJK rule may change (only `*` runs are vouched for)
    "（**注意**）\n\n（*注*意*）\n",  # a `*` left in text
    "（*注 **“意”** 了*）的\n",  # emphasis inside emphasis
    "（**注**）**“意”**的\n\n好**a***b*\n",  # emphasis right after emphasis: one run shared
])
def test_the_rendered_path_leaves_to_the_walk_what_it_cannot_vouch_for(body):
    assert not rendered_path_takes(body)
    assert_same(body)


@pytest.mark.parametrize("body", [
    "# A {#a}\n\n## A\n\n## A\n\n### `x < y` and [l](b.md \"t & u\") *e*\n\nSet\next\n---\n",
    "| L | C | R |\n|:--|:-:|--:|\n| [a](a.md) | `b` | **c** |\n\nText [x\ny](文件.md#节) here  \nand\\\nthere.\n",
    "1. one [a](a.md)\n2. two\n   - nested [b](b.md#s)\n\n- loose\n\n- list [c](#x)\n\n    code\n",
    # CJK emphasis it can vouch for
    "这是“**引用**”与（*注*）。[链接](a.md)\n\n## 标题（**引**）\n",
    "[ref][r] [collapsed][] [r]\n\n[r]: https://itu.int/ref\n[collapsed]: about.md\n",
    # line feeds that are no line breaks before or in a link: the reference counts them for the links' lines (the
    # rendered path leaves the lines to it)
    "a `b\nc` [d](e.md)\n", "[a\nb](\nc.md)\n",
])
def test_the_rendered_path_takes_what_it_was_shown_to_render_as_the_reference(body):
    assert rendered_path_takes(body)
    assert fastmd.parse(body, 3) == fastmd._rendered(body, fastmd.cjk_emphasis_runs(body))
    assert assert_same(body, first_line=3)


@pytest.mark.parametrize("pattern", ["_LINK_TAG", "_HEADING", "_HEADER_CELL"])
def test_the_rendered_path_declines_a_document_it_left_part_of_unmarked(monkeypatch, pattern):
    """Should markdown-it-pyrs render a link, heading or header cell otherwise than the patterns expect, the
    rendered path would leave it as it is: it declines the document instead."""
    body = "## A\n\n[a](b.md)\n\n| x |\n|---|\n| y |\n"
    assert rendered_path_takes(body)
    monkeypatch.setattr(fastmd, pattern, re.compile("(?!)"))  # matches nothing
    assert not rendered_path_takes(body)
    assert assert_same(body)  # the walk takes it


def test_odd_spaces_are_the_white_space_str_strip_takes_but_space_tab_and_line_ends():
    white = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()} - set(" \t\n\r")
    assert white == {chr(code) for code in range(sys.maxunicode + 1) if fastmd._ODD_SPACE.match(chr(code))}


def test_raw_html_declarations_in_lower_case_go_to_the_reference():
    for body in ("<!doctype html>\n", "a <!x> b\n"):  # markdown-it 0.6.0 knows `<!` with a capital only
        assert fastmd.parse(body, 1, allow_html=True) is None
        assert parse_markdown(body, 1, allow_html=True) == parse_markdown_reference(body, 1, allow_html=True)
    assert assert_same("<!DOCTYPE html>\n", allow_html=True)


@pytest.mark.parametrize("body", [
    "*）\n1. *[]()**\n",  # the Rust parser's srcmap of that emphasis is a line off: not taken for the link's line
    "1. -\n     [a](b.md)\n",  # an item's text on the line after its marker
])
def test_links_in_tight_list_items_keep_their_lines(body):
    assert assert_same(body)


def test_cjk_emphasis_check_finds_what_the_cjk_rule_changes():
    assert fastmd.cjk_emphasis_runs("（**注意**）") != []
    assert fastmd.cjk_emphasis_runs("**注意：**这是") != []
    assert fastmd.cjk_emphasis_runs("中文**强调**中文") == []  # CommonMark already opens and closes here
    assert fastmd.cjk_emphasis_runs("plain **ascii** text") == []
    assert fastmd.cjk_emphasis_runs("（\\**注意**）") != []


@pytest.mark.parametrize("body, blocks_for_the_reference", [
    ("这是“**引用**”与（*注*）。\n\n## 标题（**引**）\n", 0),  # what CommonMark pairs holds
    ("**注意：**这是\n\n好。\n", 1),  # CommonMark leaves this `**` as text, the CJK rule closes
    ("（*注 **“意”** 了*）的\n\n没有强调。\n", 1),  # emphasis inside emphasis: that paragraph only
    ("（**注意**）\n\n（*注*意*）\n", 1),  # a `*` left over
    ("注意~~“删除”~~的\n\n好。\n", 1),  # only `*` runs are taken on trust
])
def test_cjk_emphasis_is_trusted_to_the_fast_back_end_only_where_provably_the_same(
        monkeypatch, body, blocks_for_the_reference):
    assert fastmd.cjk_emphasis_runs(body)
    calls = []
    original = fastmd._Walk.reference_block
    monkeypatch.setattr(fastmd._Walk, "reference_block",
                        lambda self, *lines: calls.append(lines) or original(self, *lines))
    assert assert_same(body)
    assert len(set(calls)) == blocks_for_the_reference


_PIECES = st.sampled_from([
    "*", "**", "_", "__", "~~", "`", "[", "]", "(", ")", "[a](about.md)", "[b](#x)", "<https://itu.int>", "!",
    "\n", "\n\n", "  \n", "- ", "1. ", "> ", "# ", "## ", "| a | b |\n|---|---|\n| c | d |\n", "    ", "```\n",
    "\\", "&amp;", "a", "b c", "中文", "（", "）", "“", "”", "：", "，", "。", "注意", " ", ".", ",", "{#id}", "<b>",
    "`c`", "[d](x.md \"t\")", "[e](文件.md#节)", "%20", "[g]: h.md\n", "[g]", "\n===\n", "'", '"', "&lt;",
])


@settings(max_examples=int(os.environ.get("BACKEND_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map(lambda pieces: "".join(pieces) + "\n"), st.booleans())
def test_generated_documents_parse_the_same_with_both(body, allow_html):
    assert_same(body, allow_html)


@pytest.mark.parametrize("body, tables, agree", [
    ("| a | b |\n|---|---|\n| c | d |\n", 1, True),
    ("Text\n\n| a |\n|---|\n| c |\n\n# After a blank line\n", 1, True),
    ("Text\n| a |\n|---|\n| c |\n", 1, False),  # no blank line before the header
    ("| a |\n|---|\n| c |\n# a heading right under a row\n", 1, False),  # markdown-it-py ends the table there
    ("- a\n\n  | b |\n  |---|\n  | c |\n", 1, False),  # in a list item
    ("| a |\n|---|\n\n| b |\n|---|\n| c |\n\n> | x |\n", 2, True),  # two tables, each checked
    ("| a |\n|---|\n\nText\n| b |\n|---|\n", 2, False),  # the second one's header under text
    ("a\n---\n", 1, False),  # a setext underline is no delimiter row: fewer found than the HTML's tables
])
def test_the_rendered_path_checks_its_tables_on_the_text(body, tables, agree):
    assert fastmd._tables_agree(body, tables) is agree
