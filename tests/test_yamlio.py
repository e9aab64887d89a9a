"""Tests for wtpfsite.yamlio: marks, duplicate keys, dates kept as text, and every YAML problem as an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from wtpfsite.errors import ErrorList
from wtpfsite.yamlio import Mark, MarkedList, MarkedMap, load_yaml

ROOT = Path("/site")
PATH = ROOT / "content" / "data" / "meetings.yaml"


def load(text: str, line_offset: int = 0):
    errors = ErrorList(ROOT)
    value = load_yaml(text, PATH, errors, line_offset)
    return value, [e.format() for e in errors.errors]


def test_mappings_and_lists_remember_where_each_part_stood():
    value, errors = load("meetings:\n  - id: ieg-1\n    number: 1\n  - id: ieg-2\n")
    assert errors == []
    assert isinstance(value, MarkedMap) and value.mark == Mark(1, 1)
    assert value.key_marks["meetings"] == Mark(1, 1)
    items = value["meetings"]
    assert isinstance(items, MarkedList)
    assert items.item_marks == [Mark(2, 5), Mark(4, 5)]
    first = items[0]
    assert first.key_marks == {"id": Mark(2, 5), "number": Mark(3, 5)}
    assert first.value_marks == {"id": Mark(2, 9), "number": Mark(3, 13)}


def test_line_offset_shifts_every_mark_for_embedded_yaml():
    value, errors = load("title: About\nlist:\n  - a\n", line_offset=1)
    assert errors == []
    assert value.mark == Mark(2, 1)
    assert value.key_marks["title"] == Mark(2, 1)
    assert value.value_marks["list"] == Mark(4, 3)
    assert value["list"].item_marks == [Mark(4, 5)]


def test_dates_stay_text_so_that_dates_py_can_report_impossible_ones():
    value, errors = load("a: 2020-02-30\nb: 2020-09-14\nc: 2020-09-14/2020-09-16\n")
    assert errors == []
    assert value == {"a": "2020-02-30", "b": "2020-09-14", "c": "2020-09-14/2020-09-16"}


def test_plain_scalars_keep_yaml_types():
    value, errors = load("a: yes\nb: 1.5\nc: null\nd: 3\ne: text\n")
    assert errors == []
    assert value == {"a": True, "b": 1.5, "c": None, "d": 3, "e": "text"}


def test_duplicate_keys_are_errors_with_both_lines():
    value, errors = load("id: ieg-1\nnumber: 1\nid: ieg-2\n")
    assert errors == ["content/data/meetings.yaml:3:1: duplicate key 'id' (first defined on line 1)"]
    assert value["id"] == "ieg-1"


def test_duplicate_keys_in_nested_mappings_and_front_matter_offsets():
    _, errors = load("title:\n  en: A\n  en: B\n", line_offset=1)
    assert errors == ["content/data/meetings.yaml:4:3: duplicate key 'en' (first defined on line 3)"]


def test_keys_that_differ_only_in_type_are_still_duplicates():
    _, errors = load("1: a\n'1': b\n")
    assert errors == ["content/data/meetings.yaml:2:1: duplicate key '1' (first defined on line 1)"]


@pytest.mark.parametrize("text, expected", [
    ("meetings:\n  - id: a\n   number: 1\n",
     "content/data/meetings.yaml:3:4: YAML syntax error: expected <block end>, but found '<block mapping start>'"),
    ("title: [unclosed\n",
     "content/data/meetings.yaml:2:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
    ("\t- x\n", "content/data/meetings.yaml:1:1: YAML syntax error: found character '\\t' that cannot start any token"),
    ("--- a\n--- b\n", "content/data/meetings.yaml:2:1: YAML syntax error: but found another document"),
    ("a: b: c\n", "content/data/meetings.yaml:1:5: YAML syntax error: mapping values are not allowed here"),
])
def test_syntax_errors_have_line_and_column(text, expected):
    value, errors = load(text)
    assert value is None
    assert errors == [expected]


def test_syntax_error_in_front_matter_counts_the_opening_fence():
    _, errors = load("title: About\ndescription: [x\n", line_offset=1)
    assert errors == ["content/data/meetings.yaml:4:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"]


def test_aliases_of_collections_are_refused():
    value, errors = load("a: &x [1]\nb: *x\n")
    assert errors == ["content/data/meetings.yaml:1:4: YAML aliases of mappings or lists (*name) are not supported"]
    assert value["b"] is None


def test_keys_must_be_plain_values():
    _, errors = load("? [a]\n: 1\n")
    assert errors == ["content/data/meetings.yaml:1:3: a key must be a plain value"]


@pytest.mark.parametrize("text, expected", [
    ("a: !!int abc\n", "content/data/meetings.yaml:1:4: 'abc' cannot be read as int"),
    ("a: !!float x\n", "content/data/meetings.yaml:1:4: 'x' cannot be read as float"),
    ("a: !!timestamp x\n", "content/data/meetings.yaml:1:4: 'x' cannot be read as timestamp"),
    ("a: !!timestamp 2020-02-30\n", "content/data/meetings.yaml:1:4: '2020-02-30' cannot be read as timestamp"),
    ("a: !!bool maybe\n", "content/data/meetings.yaml:1:4: 'maybe' cannot be read as bool"),
    ("a: !!int\n", "content/data/meetings.yaml:1:4: '' cannot be read as int"),
])
def test_explicit_tags_that_cannot_be_read_are_errors_not_crashes(text, expected):
    value, errors = load(text)
    assert errors == [expected]
    assert value == {"a": None}


def test_python_tags_are_refused():
    value, errors = load("a: !!python/object/apply:os.system true\n")
    assert value is None
    assert errors == ["content/data/meetings.yaml:1:4: YAML syntax error: could not determine a constructor "
                      "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"]


def test_empty_document_is_none_without_errors():
    assert load("") == (None, [])
    assert load("# only a comment\n") == (None, [])


def test_paths_are_shown_relative_to_the_root():
    errors = ErrorList(ROOT)
    load_yaml("a: 1\na: 2\n", Path("/elsewhere/x.yaml"), errors)
    assert errors.errors[0].path == "/elsewhere/x.yaml"
