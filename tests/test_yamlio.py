"""Tests for wtpfsite.base.yamlio: marks, duplicate keys, dates kept as text, and every YAML problem as an error."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import pytest

from wtpfsite.base.errors import ErrorList
from wtpfsite.base.yamlio import Mark, MarkedList, MarkedMap, load_yaml

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
     "content/data/meetings.yaml:3:4: YAML syntax error: expected <block end>, but found '<block mapping start>'"
     " (check this line's indentation against the lines above)"),
    ("title: [unclosed\n",
     "content/data/meetings.yaml:2:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
    ("\t- x\n", "content/data/meetings.yaml:1:1: YAML syntax error: found character '\\t' that cannot start any token"
     " (YAML indents with spaces: replace the tab with spaces)"),
    ("--- a\n--- b\n", "content/data/meetings.yaml:2:1: YAML syntax error: but found another document"),
    ("a: b: c\n", "content/data/meetings.yaml:1:5: YAML syntax error: mapping values are not allowed here"
     " (a value with ': ' in it goes in quotes: a: \"b: c\")"),
    ("a:\n  b: 1\n   c: 2\n", "content/data/meetings.yaml:3:5: YAML syntax error: mapping values are not allowed "
     "here (check this line's indentation against the lines above)"),
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


def test_marks_inside_nested_lists_and_mappings():
    text = "meetings:\n  - id: a\n    venue: {en: G, zh: 日内瓦}\n    discussed: [1, 2]\n  - - x\n    - {y: 1}\n"
    value, errors = load(text)
    assert errors == []
    first, second = value["meetings"]
    assert first.value_marks == {"id": Mark(2, 9), "venue": Mark(3, 12), "discussed": Mark(4, 16)}
    assert first["venue"].key_marks == {"en": Mark(3, 13), "zh": Mark(3, 20)}
    assert first["venue"].value_marks == {"en": Mark(3, 17), "zh": Mark(3, 24)}
    assert first["discussed"].mark == Mark(4, 16) and first["discussed"].item_marks == [Mark(4, 17), Mark(4, 20)]
    assert second.mark == Mark(5, 5) and second.item_marks == [Mark(5, 7), Mark(6, 7)]
    assert second[1].key_marks == {"y": Mark(6, 8)} and second[1].value_marks == {"y": Mark(6, 11)}


def test_errors_deep_inside_keep_their_place_and_all_are_reported():
    text = "a:\n  - b:\n      c: 1\n      c: 2\n  - {d: 1, d: 2}\ne: 1\ne: 2\n"
    _, errors = load(text)
    assert errors == ["content/data/meetings.yaml:4:7: duplicate key 'c' (first defined on line 3)",
                      "content/data/meetings.yaml:5:12: duplicate key 'd' (first defined on line 5)",
                      "content/data/meetings.yaml:7:1: duplicate key 'e' (first defined on line 6)"]


def test_what_a_duplicate_or_refused_key_holds_is_neither_kept_nor_checked():
    value, errors = load("a: 1\na: {b: 1, b: 2}\n? [k]\n: {c: 1, c: 2}\nz: 3\n")
    assert errors == ["content/data/meetings.yaml:2:1: duplicate key 'a' (first defined on line 1)",
                      "content/data/meetings.yaml:3:3: a key must be a plain value"]
    assert value == {"a": 1, "z": 3} and value.value_marks == {"a": Mark(1, 4), "z": Mark(5, 4)}


def test_a_mapping_used_as_a_key_is_still_checked():
    _, errors = load("? {x: 1, x: 2}\n: 1\n")
    assert errors == ["content/data/meetings.yaml:1:10: duplicate key 'x' (first defined on line 1)",
                      "content/data/meetings.yaml:1:3: a key must be a plain value"]


def test_keys_of_every_plain_type_become_text():
    value, errors = load("1: a\n1.5: b\ntrue: c\nnull: d\n")
    assert errors == ["content/data/meetings.yaml:4:1: a key must be a plain value"]
    assert value == {"1": "a", "1.5": "b", "True": "c"}


def test_quoted_and_block_scalars_stay_text():
    value, errors = load("a: '1'\nb: \"yes\"\nc: |\n  null\nd: >-\n  3\ne: ''\nf:\n")
    assert errors == []
    assert value == {"a": "1", "b": "yes", "c": "null\n", "d": "3", "e": "", "f": None}


def test_aliases_of_plain_values_are_their_values_where_the_anchor_stood():
    value, errors = load("a: &x 12\nb: *x\nc: !!str 5\n")
    assert errors == []
    assert value == {"a": 12, "b": 12, "c": "5"}
    assert value.value_marks == {"a": Mark(1, 4), "b": Mark(1, 4), "c": Mark(3, 4)}


@pytest.mark.parametrize("text, expected", [
    ("a: 0x_\n", "content/data/meetings.yaml:1:4: '0x_' cannot be read as int"),
    ("<<: 1\n", "content/data/meetings.yaml:1:1: YAML syntax error: could not determine a constructor for the tag "
                "'tag:yaml.org,2002:merge'"),
])
def test_plain_values_that_cannot_be_read_are_reported_as_before(text, expected):
    _, errors = load(text)
    assert errors == [expected]


def test_errors_found_before_a_syntax_error_are_not_reported():
    value, errors = load("a: 1\na: 2\nb: [\n")
    assert value is None
    assert errors == ["content/data/meetings.yaml:4:1: YAML syntax error: expected the node content, "
                      "but found '<stream end>'"]


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x\n", "a: !!str 1\n", "!!map {a: 1}\n"])
def test_tags_anchors_and_aliases_of_plain_values_are_read(text):
    value, errors = load(text)
    assert errors == [] and isinstance(value, MarkedMap)


def test_deep_nesting_is_read_with_its_marks():
    text = "{a: " * 200 + "1" + "}" * 200 + "\n"
    value, errors = load(text)
    assert errors == [] and value.value_marks == {"a": Mark(1, 5)} and value["a"].mark == Mark(1, 5)


def test_marked_values_survive_pickle_and_compare_like_before():
    value, _ = load("a:\n  - {b: 1}\n")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(value, protocol=protocol))
        assert copy == value and copy["a"].item_marks == [Mark(2, 5)] and copy["a"][0].value_marks == {"b": Mark(2, 9)}
    assert Mark(2, 5) == Mark(2, 5) and hash(Mark(2, 5)) == hash(Mark(2, 5)) and Mark(2, 5) != Mark(5, 2)
    assert (Mark(2, 5).line, Mark(2, 5).col) == (2, 5) and repr(Mark(2, 5)) == "Mark(line=2, col=5)"


def shape(value):
    """Everything a marked value holds, marks included, in a form that compares exactly (NaN too)."""
    if isinstance(value, MarkedMap):
        return ("map", value.mark, [(key, value.key_marks[key], value.value_marks[key], shape(item))
                                    for key, item in value.items()])
    if isinstance(value, MarkedList):
        return ("list", value.mark, list(zip(value.item_marks, map(shape, value))))
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


def test_a_value_with_a_colon_and_a_space_is_told_to_go_in_quotes(tmp_path):
    errors = ErrorList(tmp_path)
    assert load_yaml("title: Note: About the group\n", tmp_path / "f.yaml", errors) is None
    assert [e.format() for e in errors.errors] == [
        "f.yaml:1:12: YAML syntax error: mapping values are not allowed here (a value with ': ' in it goes in "
        "quotes: title: \"Note: About the group\")"]
