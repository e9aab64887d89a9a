"""Tests for wtpfsite.content.frontmatter and the front-matter checks of wtpfsite.content.parse."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import assert_build_fails, draft
from wtpfsite.base.errors import ErrorList
from wtpfsite.content.frontmatter import split_front_matter

ABOUT = "content/pages/about.en.md"


def split(text: str):
    errors = ErrorList(Path("/site"))
    result = split_front_matter(text, Path("/site/content/pages/about.en.md"), errors)
    return result, [e.format() for e in errors.errors]


def test_split_gives_meta_body_and_the_body_first_line():
    result, errors = split("---\ntitle: About\ndescription: d\n---\nBody\nmore\n")
    assert errors == []
    assert result.meta == {"title": "About", "description": "d"}
    assert result.meta.key_marks["description"].line == 3
    assert result.body == "Body\nmore\n"
    assert result.body_first_line == 5


def test_the_yaml_end_marker_also_closes_front_matter():
    result, errors = split("---\ntitle: About\n...\nBody\n")
    assert errors == [] and result.meta == {"title": "About"} and result.body == "Body\n"


def test_front_matter_that_is_not_closed():
    result, errors = split("---\ntitle: About\nBody\n")
    assert result.meta is None
    assert errors == ["content/pages/about.en.md:1:1: front matter is not closed: add a line '---' after it"]


def test_empty_front_matter_is_an_empty_mapping_so_that_missing_fields_are_reported():
    result, errors = split("---\n---\nBody\n")
    assert errors == []
    assert result.meta == {} and result.meta.mark.line == 2


@pytest.mark.parametrize("text, expected", [
    ("---\ntitle: [unclosed\n---\nBody\n",
     ["content/pages/about.en.md:2:17: YAML syntax error: expected ',' or ']', but got '<stream end>'"]),
    ("---\ntitle: About\n  bad: indent\n---\n",
     ["content/pages/about.en.md:3:6: YAML syntax error: mapping values are not allowed here"
      " (check this line's indentation against the lines above)"]),
    ("Just text, no front matter\n",
     ["content/pages/about.en.md:1:1: missing front matter: the file must start with a line '---' "
      "(add '---', 'title: ...' and '---' at the top)"]),
    ("\n---\ntitle: About\n---\n",
     ["content/pages/about.en.md:1:1: missing front matter: the file must start with a line '---' "
      "(add '---', 'title: ...' and '---' at the top)"]),
    ("---\ntitle: About\ndescriptoin: An about page\n---\nBody\n",
     ["content/pages/about.en.md:3:1: unknown field 'descriptoin' in front matter (did you mean 'description'?)"]),
    ("---\ntitel: About\n---\nBody\n",  # (only the cause: that 'title' is missing follows from it)
     ["content/pages/about.en.md:2:1: unknown field 'titel' in front matter (did you mean 'title'?)"]),
    ("---\ndescription: No title\n---\nBody\n",
     ["content/pages/about.en.md:2:1: front matter is missing the required field 'title'"]),
    ("---\n---\nBody\n",
     ["content/pages/about.en.md:2:1: front matter is missing the required field 'title'"]),
    ("---\n# only a comment\n---\nBody\n",
     ["content/pages/about.en.md:2:1: front matter is missing the required field 'title'"]),
    ("---\ntitle: \"  \"\n---\nBody\n",
     ["content/pages/about.en.md:2:8: 'title' must not be empty"]),
    ("---\ntitle: \"Draft \\x01 one\"\n---\nBody\n",
     ["content/pages/about.en.md:2:8: 'title' contains a control character (U+0001)"]),
    ("---\ntitle: A\ndescription: \"\\e[31mred\"\n---\nBody\n",
     ["content/pages/about.en.md:3:14: 'description' contains a control character (U+001B)"]),
    ("---\ntitle: [a, b]\n---\nBody\n",
     ["content/pages/about.en.md:2:8: 'title' must be text, not a list"]),
    ("---\ntitle:\n---\nBody\n",
     ["content/pages/about.en.md:2:7: 'title' must be text, not nothing"]),
    ("---\n- title\n---\nBody\n",
     ["content/pages/about.en.md:2:1: front matter must be a mapping, not a list"]),
    ("---\ntitle: A\ntitle: B\n---\nBody\n",
     ["content/pages/about.en.md:3:1: duplicate key 'title' (first defined on line 2)"]),
    ("---\r\ntitle: A\r\ntitle: B\r\n---\r\nBody\r\n",
     ["content/pages/about.en.md:3:1: duplicate key 'title' (first defined on line 2)"]),
    ("---\ntitle: About\nnumber: 3\n---\nBody\n",
     ["content/pages/about.en.md:3:1: unknown field 'number' in front matter"]),
])
def test_bad_front_matter_fails_the_build_with_its_place(tmp_path, text, expected):
    assert_build_fails(tmp_path, {ABOUT: text}, expected)


@pytest.mark.parametrize("text, expected", [
    ("---\ntitle: Draft\nnumber: 1\nreleased: 2020-01-10\n---\n",
     ["content/drafts/draft-1.en.md:2:1: front matter is missing the required field 'status'"]),
    ("---\ntitle: Draft\nnumber: 1\nreleased: 2020-01-10\nstatus: relased\n---\n",
     ["content/drafts/draft-1.en.md:5:9: 'status' must be one of released, planned, not 'relased' "
      "(did you mean 'released'?)"]),
    (draft(1, released="2020-02-30"),
     ["content/drafts/draft-1.en.md:4:11: 'released': '2020-02-30' is not a real date (2020-02-30 does not exist)"]),
    (draft(1, comments_due="2020-01-01"),
     ["content/drafts/draft-1.en.md:6:15: 'comments_due' (2020-01-01) is before 'released' (2020-01-10)"]),
    (draft(1, comments_du="2020-03-01"),
     ["content/drafts/draft-1.en.md:6:1: unknown field 'comments_du' in front matter "
      "(did you mean 'comments_due'?)"]),
    (draft(2),
     ["content/drafts/draft-1.en.md:2:1: a draft with number 2 must be named 'draft-2', not 'draft-1'"]),
    (draft(1).replace("number: 1", "number: 0"),
     ["content/drafts/draft-1.en.md:3:9: 'number' must be a whole number of at least 1"]),
    (draft(1, incorporates="../x"),
     ["content/drafts/draft-1.en.md:6:15: 'incorporates' must be lower-case letters, digits and single hyphens, "
      "not '../x'"]),
])
def test_bad_draft_front_matter(tmp_path, text, expected):
    assert_build_fails(tmp_path, {"content/drafts/draft-1.en.md": text}, expected)


def test_translations_of_a_draft_must_agree_on_dates_and_status(tmp_path):
    assert_build_fails(tmp_path, {"content/drafts/draft-1.en.md": draft(1),
                                  "content/drafts/draft-1.zh.md": draft(1, status="planned", released="2020-01-11")}, [
        "content/drafts/draft-1.zh.md:4:11: 'released' differs from the en version (draft-1.en.md: 2020-01-10)",
        "content/drafts/draft-1.zh.md:5:9: 'status' differs from the en version (draft-1.en.md: released)"])


def test_translations_of_a_draft_must_agree_on_its_number(tmp_path):
    assert_build_fails(tmp_path, {"content/drafts/draft-1.en.md": draft(1),
                                  "content/drafts/draft-1.zh.md": draft(1).replace("number: 1", "number: 2")}, [
        "content/drafts/draft-1.zh.md:3:9: 'number' differs from the en version (draft-1.en.md: 1)"])


def test_all_front_matter_errors_of_all_files_come_together_sorted(tmp_path):
    assert_build_fails(tmp_path, {
        "content/pages/zeta.en.md": "---\ntitle: Z\nsummary: x\n---\n",
        "content/pages/alpha.en.md": "no front matter\n",
        "content/pages/beta.zh.md": "---\ntitle: B\n---\n[x](nowhere.md)\n",
        "content/data/meetings.yaml": "meetings:\n  - id: ieg-1\n    number: 1\n    dates: 2020-02-30\n"
                                      "    status: held\n",
    }, [  # (first the page that could not be read at all: what names it would wait for it)
        "content/pages/alpha.en.md:1:1: missing front matter: the file must start with a line '---' "
        "(add '---', 'title: ...' and '---' at the top)",
        "content/data/meetings.yaml:4:12: 'dates': '2020-02-30' is not a real date (2020-02-30 does not exist)",
        "content/pages/beta.zh.md:4:5: link to 'nowhere.md': there is no such page",
        "content/pages/zeta.en.md:3:1: unknown field 'summary' in front matter",
    ])


def _split_by_lines(text: str):
    """The front matter split as the whole text's lines make it (what split_front_matter did before it looked at
    the front matter's lines only): (the YAML text, or None, the body, its first line)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    return None, "", len(lines) + 1


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["---", "--- ", "...", "title: T", "a: 1", "", " ", "body", "----", "x---"]),
                max_size=8).map("\n".join))
def test_the_front_matter_is_split_where_the_lines_say(text):
    import wtpfsite.content.frontmatter as frontmatter

    seen = []
    original = frontmatter.load_yaml
    frontmatter.load_yaml = lambda meta_text, *args, **kwargs: seen.append(meta_text) or original(meta_text, *args,
                                                                                                   **kwargs)
    try:
        split = split_front_matter(text, Path("p.md"), ErrorList(Path(".")))
    finally:
        frontmatter.load_yaml = original
    meta_text, body, first_line = _split_by_lines(text)
    assert (seen[0] if seen else None, split.body, split.body_first_line) == (meta_text, body, first_line)
