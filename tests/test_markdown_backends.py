"""The two Markdown back ends give the same result (content/markdown.py, content/fastmd.py).

markdown-it-py is the reference; markdown-it-pyrs (fastmd.py) takes the documents it was shown to render alike.
For every Markdown file of the site, the test fixtures, a synthetic site, one document per feature the site uses
and generated documents, `parse_fast` (which picks the back end) must equal `parse_markdown`: the same HTML around
the same link slots, headings and ids, links and anchors (the fast back end leaves the links' lines and columns
unplaced, markdown.UNPLACED: they are the reference's, found when an error needs them). Tests also check that the
fast back end really was used where it should be, so a fast path that silently always fell back could not pass.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wtpfsite.base.errors import ErrorList
from wtpfsite.content import fastmd
from wtpfsite.content.fastmd import parse_fast
from wtpfsite.content.frontmatter import split_front_matter
from wtpfsite.content.markdown import UNPLACED, ParsedMarkdown, parse_markdown, render_markdown

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not fastmd.available(), reason="markdown-it-pyrs is not installed")


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    split = split_front_matter(text, path, ErrorList(path.parent))
    return split.body if split.meta is not None else text


def placed(made: ParsedMarkdown, reference: ParsedMarkdown) -> ParsedMarkdown:
    """`made` with its unplaced links given the places the reference found (as parse.link_positions does)."""
    assert len(made.links) == len(reference.links)
    links = tuple(link._replace(line=ref.line, col=ref.col) if link.line == UNPLACED else link
                  for link, ref in zip(made.links, reference.links))
    return replace(made, links=links)


def assert_same(body: str, allow_html: bool = False, first_line: int = 1) -> bool:
    """Both back ends agree on `body`; returns whether the fast one took it."""
    reference = parse_markdown(body, first_line, allow_html)
    fast = fastmd.parse(body, first_line, allow_html)
    if fast is not None:
        assert render_markdown(fast, {}) == render_markdown(reference, {})
        assert fast.slots == reference.slots
        assert fast.headings == reference.headings
        assert fast.anchors == reference.anchors
        assert placed(fast, reference) == reference
    assert placed(parse_fast(body, first_line, allow_html), reference) == reference
    return fast is not None


def _site_markdown() -> list[Path]:
    return sorted((ROOT / "content").rglob("*.md")) + sorted((ROOT / "tests" / "fixtures").rglob("*.md"))


@pytest.mark.parametrize("path", _site_markdown(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_markdown_file_of_the_site_parses_the_same_with_both(path):
    body = _body(path)
    assert assert_same(body, first_line=4), "the fast back end should take this file"
    assert not assert_same(body, allow_html=True, first_line=4)  # raw HTML: the reference's


def test_a_synthetic_site_parses_the_same_with_both(tmp_path):
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "scripts" / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    synthetic.write_site(tmp_path, pages=24, seed=7, experts=1, meetings=1, documents=1)
    files = sorted((tmp_path / "content").rglob("*.md"))
    assert len(files) > 30
    fast = {path.name for path in files if assert_same(_body(path))}
    assert {path.name for path in files if ".en." in path.name} <= fast
    assert len(fast) > 0.7 * len(files)  # the Chinese pages too, but for CJK emphasis it cannot vouch for


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
    assert_same(FEATURES[name], allow_html)


def test_all_features_in_one_document_render_the_same_with_both():
    for allow_html in (False, True):
        assert_same("\n\n".join(FEATURES.values()), allow_html, first_line=7)


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
    "[ref][r] [collapsed][] [r]\n\n[r]: https://itu.int/ref\n[collapsed]: about.md\n",  # link definitions
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
    assert_same(body)


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
def test_what_it_cannot_vouch_for_goes_to_the_reference(body):
    assert not assert_same(body)


@pytest.mark.parametrize("body", [
    "# A {#a}\n\n## A\n\n## A\n\n### `x < y` and [l](b.md \"t & u\") *e*\n\nSet\next\n---\n",
    "| L | C | R |\n|:--|:-:|--:|\n| [a](a.md) | `b` | **c** |\n\nText [x\ny](文件.md#节) here  \nand\\\nthere.\n",
    "1. one [a](a.md)\n2. two\n   - nested [b](b.md#s)\n\n- loose\n\n- list [c](#x)\n\n    code\n",
    # CJK emphasis it can vouch for
    "这是“**引用**”与（*注*）。[链接](a.md)\n\n## 标题（**引**）\n",
    # line feeds that are no line breaks before or in a link: the reference counts them for the links' lines (the
    # rendered path leaves the lines to it)
    "a `b\nc` [d](e.md)\n", "[a\nb](\nc.md)\n",
])
def test_it_takes_what_it_was_shown_to_render_as_the_reference(body):
    assert assert_same(body, first_line=3)


def test_every_odd_white_space_at_a_line_s_edge_goes_to_the_reference():
    """White space str.strip takes but space, tab and line ends: markdown-it-py strips it off a paragraph's, a
    heading's or a cell's text, the Rust parser keeps it."""
    white = sorted({chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()} - set(" \t\n\r"))
    assert len(white) > 20
    for char in white:
        assert fastmd.parse(f"{char}a line\n", 1) is None, repr(char)
    assert fastmd.parse("a\u3000line\n", 1) is not None  # inside a line: the same for both


def test_cjk_emphasis_check_finds_what_the_cjk_rule_changes():
    assert fastmd.cjk_emphasis_runs("（**注意**）") != []
    assert fastmd.cjk_emphasis_runs("**注意：**这是") != []
    assert fastmd.cjk_emphasis_runs("中文**强调**中文") == []  # CommonMark already opens and closes here
    assert fastmd.cjk_emphasis_runs("plain **ascii** text") == []
    assert fastmd.cjk_emphasis_runs("（\\**注意**）") != []


@pytest.mark.parametrize("body, taken", [
    ("| a | b |\n|---|---|\n| c | d |\n", True),
    ("Text\n\n| a |\n|---|\n| c |\n\n# After a blank line\n", True),
    ("Text\n| a |\n|---|\n| c |\n", False),  # no blank line before the header
    ("| a |\n|---|\n| c |\n# a heading right under a row\n", False),  # markdown-it-py ends the table there
    ("- a\n\n  | b |\n  |---|\n  | c |\n", False),  # in a list item
    ("| a |\n|---|\n\n| b |\n|---|\n| c |\n", True),  # two tables, each checked
    ("| a |\n|---|\n\nText\n| b |\n|---|\n", False),  # the second one's header under text
])
def test_tables_are_taken_only_where_both_parsers_read_them_alike(body, taken):
    assert assert_same(body) is taken


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
