"""Tests for wtpfsite.content.markdown: emphasis, heading ids, TOC, footnotes, tables, links."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from wtpfsite.content.markdown import Heading, classify_link, is_cjk, parse_markdown, render_markdown, slugify


def html(source: str, allow_html: bool = False, link_urls: dict[str, str] | None = None) -> str:
    return render_markdown(parse_markdown(source, 1, allow_html), link_urls or {}).strip()


# ------------------------------------------------------------------------------------------- CJK emphasis

@pytest.mark.parametrize("source, expected", [
    ("（**注意**）", "<p>（<strong>注意</strong>）</p>"),
    ("**重要**，", "<p><strong>重要</strong>，</p>"),
    ("**注意：**这是", "<p><strong>注意：</strong>这是</p>"),
    ("这是**“引用”**的", "<p>这是<strong>“引用”</strong>的</p>"),
    ("这是*强调*的", "<p>这是<em>强调</em>的</p>"),
    ("中**文**字", "<p>中<strong>文</strong>字</p>"),
    ("**“引”**文", "<p><strong>“引”</strong>文</p>"),
    ("見て**「これ」**を", "<p>見て<strong>「これ」</strong>を</p>"),
])
def test_emphasis_next_to_cjk_punctuation_renders(source, expected):
    assert html(source) == expected


@pytest.mark.parametrize("source, expected", [
    ("a**b**c", "<p>a<strong>b</strong>c</p>"),
    ("**foo.**bar", "<p>**foo.**bar</p>"),
    ("__a__b", "<p>__a__b</p>"),
    ("a * b * c", "<p>a * b * c</p>"),
    ("**foo** bar", "<p><strong>foo</strong> bar</p>"),
    ("*(*foo*)*", "<p><em>(<em>foo</em>)</em></p>"),
    ('**"foo"**bar', '<p>**&quot;foo&quot;**bar</p>'),
])
def test_plain_commonmark_emphasis_is_unchanged(source, expected):
    assert html(source) == expected


_COMMONMARK = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False})


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab.,!?\"'()*_ \n", max_size=30))
def test_text_without_cjk_renders_exactly_as_commonmark(source):
    assert html(source) == _COMMONMARK.render(source).strip()


def test_what_counts_as_cjk():
    assert all(is_cjk(ch) for ch in "中文。，：（）「」가あア！")
    assert not any(is_cjk(ch) for ch in "a1.,:\"'() \u00e9")


# -------------------------------------------------------------------------------------------- headings

def test_heading_ids_keep_letters_of_any_script_and_explicit_ids_win():
    parsed = parse_markdown("# Title\n\n## 第三稿 概要\n\n## Outline {#outline-of-draft}\n\n## Hello, World!\n\n"
                            "## `code` and *em*\n\n## !!!\n\n## Ünïcödé Straße\n", 1)
    assert [(h.level, h.id, h.text) for h in parsed.headings] == [
        (1, "title", "Title"), (2, "第三稿-概要", "第三稿 概要"), (2, "outline-of-draft", "Outline"),
        (2, "hello-world", "Hello, World!"), (2, "code-and-em", "code and em"), (2, "section", "!!!"),
        (2, "ünïcödé-straße", "Ünïcödé Straße")]


def test_explicit_id_is_removed_from_the_heading_text():
    assert html("## Outline {#outline}") == '<h2 id="outline">Outline</h2>'


def test_duplicate_heading_ids_get_numbers():
    parsed = parse_markdown("## Notes\n\n## Notes\n\n### Notes\n\n## Other {#notes}\n", 1)
    assert [h.id for h in parsed.headings] == ["notes", "notes-2", "notes-3", "notes-4"]


def test_slugify():
    assert slugify("第三稿：概要") == "第三稿-概要"
    assert slugify("ＦＵＬＬ　ｗｉｄｔｈ") == "full-width"
    assert slugify("a_b c") == "a-b-c"
    assert slugify("？！") == "section"
    assert len(slugify("word " * 40)) <= 80


def test_toc_lists_levels_two_and_three_only():
    parsed = parse_markdown("# T\n\n## A\n\n### B\n\n#### C\n\n## D\n", 1)
    assert parsed.toc == (Heading(2, "a", "A"), Heading(3, "b", "B"), Heading(2, "d", "D"))


# ------------------------------------------------------------------------------- footnotes and tables

def test_footnotes_render_and_their_ids_are_anchors():
    parsed = parse_markdown("Text[^1] and[^note].\n\n[^1]: One.\n[^note]: Two.\n", 1)
    out = render_markdown(parsed, {})
    assert '<a href="#fn1" id="fnref1">[1]</a>' in out
    assert '<li id="fn2" class="footnote-item"><p>Two.' in out
    assert {"fn1", "fn2"} <= parsed.anchors


def test_tables_get_column_scope_and_a_scrolling_wrapper():
    out = html("| a | b |\n|---|:-:|\n| 1 | 2 |\n")
    assert out.startswith('<div class="table-scroll" tabindex="0"><table>')
    assert '<th scope="col">a</th>' in out
    assert '<th style="text-align:center" scope="col">b</th>' in out
    assert "<td>1</td>" in out and out.endswith("</table>\n</div>")


def test_strikethrough():
    assert html("~~gone~~") == "<p><s>gone</s></p>"


# ------------------------------------------------------------------------------------------ raw HTML

def test_raw_html_is_escaped_unless_allowed():
    assert html("<b>x</b>\n\n<script>alert(1)</script>") == (
        "<p>&lt;b&gt;x&lt;/b&gt;</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert html("<b>x</b>", allow_html=True) == "<p><b>x</b></p>"


# ----------------------------------------------------------------------------------------------- links

@pytest.mark.parametrize("href, kind, target, anchor", [
    ("https://itu.int/x", "external", "", ""),
    ("HTTP://itu.int", "external", "", ""),
    ("mailto:a@b.org", "external", "", ""),
    ("about.md", "source", "about.md", ""),
    ("../drafts/draft-3.md#outline", "source", "../drafts/draft-3.md", "outline"),
    ("about.md#%E7%AC%AC%E4%B8%89", "source", "about.md", "第三"),
    ("#notes", "anchor", "", "notes"),
    ("javascript:alert(1)", "bad", "", ""),
    ("JaVaScRiPt:alert(1)", "bad", "", ""),
    ("data:text/html,x", "bad", "", ""),
    ("vbscript:x", "bad", "", ""),
    ("file:///etc/passwd", "bad", "", ""),
    ("//evil.example/x", "bad", "", ""),
    ("about.html", "bad", "", ""),
    ("about.md?x=1", "bad", "", ""),
    ("", "anchor", "", ""),
])
def test_classify_link(href, kind, target, anchor):
    link = classify_link(href, 3, 4)
    assert (link.kind, link.target, link.anchor, link.line, link.col) == (kind, target, anchor, 3, 4)


def test_links_know_their_line_and_column():
    body = "Intro [a](a.md).\n\n| x | y |\n|---|---|\n| [b](b.md) | z |\n\n> [c](c.md#part)\n\n- item\n  ![i](i.png)\n"
    parsed = parse_markdown(body, 10)
    assert [(l.href, l.line, l.col, l.kind) for l in parsed.links] == [
        ("a.md", 10, 11, "source"), ("b.md", 14, 7, "source"), ("c.md#part", 16, 7, "source"),
        ("i.png", 19, 8, "bad")]


@pytest.mark.parametrize("source", [
    "<javascript:alert(1)>", "<data:text/html,x>", "[a](<javascript:alert(1)>)",
    "[a]: javascript:alert(1)\n\n[a]", "[x](java&#x73;cript:1)", "![i](data:image/png;base64,AAAA)",
])
def test_script_links_in_every_markdown_form_are_classified_bad(source):
    assert [link.kind for link in parse_markdown(source, 1).links] == ["bad"]


def test_autolinks_to_web_and_mail_are_external():
    assert [link.kind for link in parse_markdown("<https://itu.int/> <me@example.org>", 1).links] == [
        "external", "external"]


def test_rendering_rewrites_source_links_and_marks_external_ones():
    parsed = parse_markdown("[a](about.md#x) [b](https://itu.int/) [c](#y)", 1)
    out = render_markdown(parsed, {"about.md#x": "../about/#x", "#y": "#y"})
    assert out.strip() == ('<p><a href="../about/#x">a</a> <a href="https://itu.int/" rel="noopener">b</a> '
                           '<a href="#y">c</a></p>')
    # the parsed tokens are shared by both languages' pages and must not change
    again = render_markdown(parsed, {"about.md#x": "../../zh/about/#x"})
    assert '<a href="../../zh/about/#x">a</a>' in again


def test_link_hrefs_are_attribute_escaped():
    out = html('[a](#"onmouseover="x)')
    assert 'onmouseover="x"' not in out


def test_a_parse_survives_pickling_as_the_parse_cache_keeps_it():
    import pickle

    parsed = parse_markdown("# 第三稿概要\n\n见[第二稿](draft-2.md#概要)，以及 *强调* 和 [外部](https://example.org/)。\n", 1)
    assert pickle.loads(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)) == parsed
