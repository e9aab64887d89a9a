"""Tests for wtpfsite.content.data and wtpfsite.base.schema: typed records out of the YAML data files, every problem placed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from helpers import assert_build_fails, make_site
from wtpfsite.content.data import load_data
from wtpfsite.base.errors import ErrorList
from wtpfsite.base.text import Text

MEETING = "meetings:\n  - id: ieg-1\n    number: 1\n    dates: 2020-01-20\n    status: held\n"  # lines 1-5
MILESTONE = "milestones:\n  - id: m-1\n    date: 2020-01-01\n    kind: forum\n    title: T\n"
EXPERT = "experts:\n  - name: X\n    role: chair\n"
DOCUMENT = "documents:\n  - symbol: A/1\n    title: T\n    kind: report\n    languages: [en]\n"


def load(tmp_path: Path, files: dict[str, str]):
    root = make_site(tmp_path, {f"content/data/{name}.yaml": text for name, text in files.items()})
    errors = ErrorList(root)
    paths = tuple((name, root / "content" / "data" / f"{name}.yaml") for name in files)
    data = load_data(paths, ("en", "zh"), errors)
    return data, [e.format() for e in sorted(errors.errors)]


def test_valid_data_becomes_typed_records(tmp_path):
    data, errors = load(tmp_path, {
        "meetings": MEETING + "    venue: {en: Geneva, zh: 日内瓦}\n    summary: Plain for all\n",
        "timetable": MILESTONE + "    meeting: ieg-1\n    draft: 2\n",
        "experts": "updated: 2020-09-16\n" + EXPERT + "    category: academia\n",
        "documents": DOCUMENT + "    link: https://itu.int/a?b=1\n    date: 2020-01\n",
    })
    assert errors == []
    meeting = data.meetings[0]
    assert (meeting.id, meeting.number, meeting.dates.start, meeting.status) == ("ieg-1", 1, date(2020, 1, 20), "held")
    assert meeting.venue == Text.by_language({"en": "Geneva", "zh": "日内瓦"})
    assert meeting.summary.get("zh", "en").value == "Plain for all"
    milestone = data.milestones[0]
    assert (milestone.meeting.target, milestone.draft.target, milestone.draft.line) == ("ieg-1", 2, 7)
    assert data.experts[0].category == "academia" and data.header("experts", "updated").source == "2020-09-16"
    document = data.documents[0]
    assert (document.symbol, document.link, document.languages, document.date.precision) == (
        "A/1", "https://itu.int/a?b=1", ("en",), "month")


def test_a_data_file_with_no_records_says_so_and_an_empty_one_is_an_error(tmp_path):
    """An empty file is more often one emptied by mistake than a list of nothing: `meetings: []` says that."""
    data, errors = load(tmp_path, {"meetings": "meetings: []\n", "documents": "# nothing yet\ndocuments: []\n"})
    assert errors == [] and data.meetings == () and data.documents == ()
    data, errors = load(tmp_path, {"meetings": "", "documents": "# nothing yet\n"})
    assert errors == [
        "content/data/documents.yaml:1:1: documents.yaml is empty: write 'documents:' and its records, or delete the "
        "file",
        "content/data/meetings.yaml:1:1: meetings.yaml is empty: write 'meetings:' and its records, or delete the file"]


def test_text_falls_back_to_the_default_language_and_says_so():
    text = Text.by_language({"en": "Geneva"})
    assert text.get("zh", "en").value == "Geneva" and text.get("zh", "en").lang == "en"
    assert Text.plain("x").get("zh", "en").lang == "zh"


M = "content/data/meetings.yaml"
T = "content/data/timetable.yaml"
E = "content/data/experts.yaml"
D = "content/data/documents.yaml"


@pytest.mark.parametrize("name, text, expected", [
    # YAML problems
    ("meetings", "meetings:\n  - id: a\n   number: 1\n",
     [f"{M}:3:4: YAML syntax error: expected <block end>, but found '<block mapping start>'"
      " (check this line's indentation against the lines above)"]),
    ("meetings", MEETING.replace("    number: 1\n", "    number: 1\n    id: ieg-2\n"),
     [f"{M}:4:5: duplicate key 'id' (first defined on line 2)"]),
    # shapes and types
    ("meetings", "- a\n", [f"{M}:1:1: meetings.yaml must be a mapping, not a list"]),
    ("meetings", "meetings: x\n", [f"{M}:1:11: 'meetings' must be a list, not text"]),
    ("meetings", "meetings:\n  - x\n", [f"{M}:2:5: a meeting must be a mapping, not text"]),
    ("meetings", "meetngs: []\n", [f"{M}:1:1: unknown field 'meetngs' in meetings.yaml (did you mean 'meetings'?)"]),
    ("experts", EXPERT + "    country: NO\n",
     [f"{E}:4:14: 'country' must be text or a mapping by language, not true/false (YAML reads yes, no, on, off, true "
      f"and false as true/false: put the text in quotes ('NO'))"]),
    ("meetings", MEETING.replace("number: 1", "number: one"),
     [f"{M}:3:13: 'number' must be a whole number of at least 1"]),
    ("meetings", MEETING.replace("number: 1", "number: true"),
     [f"{M}:3:13: 'number' must be a whole number of at least 1"]),
    ("meetings", MEETING.replace("status: held", "status: hled"),
     [f"{M}:5:13: 'status' must be one of held, planned, postponed, cancelled, not 'hled' (did you mean 'held'?)"]),
    ("meetings", "meetings:\n  - id: ieg-1\n    number: 1\n",
     [f"{M}:2:5: a meeting is missing the required field 'dates'",
      f"{M}:2:5: a meeting is missing the required field 'status'"]),
    ("meetings", MEETING + "    venu: Geneva\n",
     [f"{M}:6:5: unknown field 'venu' in a meeting (did you mean 'venue'?)"]),
    ("meetings", MEETING + "    discussed: [x, 0]\n",
     [f"{M}:6:17: 'discussed' must list draft numbers such as 3",
      f"{M}:6:20: 'discussed' must list draft numbers such as 3"]),
    # text fields
    ("meetings", MEETING + "    venue: {en: Geneva, de: Genf}\n", [f"{M}:6:25: unknown language 'de' in 'venue'"]),
    ("meetings", MEETING + "    venue: {en: Geneva, Switzerland}\n",
     [f"{M}:6:25: unknown language 'Switzerland' in 'venue'"]),
    ("meetings", MEETING + "    venue: {en: \"\"}\n", [f"{M}:6:17: 'venue.en' must be non-empty text"]),
    ("meetings", MEETING + "    venue: \" \"\n", [f"{M}:6:12: 'venue' must not be empty"]),
    ("meetings", MEETING + "    venue:\n", [f"{M}:6:11: 'venue' must be text or a mapping by language, not nothing"]),
    ("meetings", MEETING + "    venue: [Geneva]\n",
     [f"{M}:6:12: 'venue' must be text or a mapping by language, not a list"]),
    # dates
    ("meetings", MEETING.replace("2020-01-20", "2020-02-30"),
     [f"{M}:4:12: 'dates': '2020-02-30' is not a real date (2020-02-30 does not exist)"]),
    ("meetings", MEETING.replace("2020-01-20", "2020-09-16/2020-09-14"),
     [f"{M}:4:12: 'dates': end (2020-09-14) is before start (2020-09-16)"]),
    ("meetings", MEETING.replace("2020-01-20", "[2020-01-20, 2020-01-21]"),
     [f"{M}:4:12: 'dates' must be a day such as 2020-09-14 or a range such as 2020-09-14/2020-09-16, not a list"]),
    ("experts", "updated: 2020-02-30\n" + EXPERT,
     [f"{E}:1:10: 'updated': '2020-02-30' is not a real date (2020-02-30 does not exist)"]),
    # duplicates
    ("meetings", MEETING + MEETING.replace("meetings:\n", "").replace("number: 1", "number: 2"),
     [f"{M}:6:9: duplicate meeting id 'ieg-1' (first on line 2)"]),
    ("meetings", MEETING + MEETING.replace("meetings:\n", "").replace("ieg-1", "ieg-2"),
     [f"{M}:7:13: duplicate meeting number '1' (first on line 3)"]),
    ("timetable", MILESTONE + MILESTONE.replace("milestones:\n", ""),
     [f"{T}:6:9: duplicate milestone id 'm-1' (first on line 2)"]),
    ("documents", DOCUMENT + DOCUMENT.replace("documents:\n", ""),
     [f"{D}:6:13: duplicate document symbol 'A/1' (first on line 2)"]),
    # choices in the other files
    ("experts", EXPERT.replace("chair", "chiar") + "    category: academic\n",
     [f"{E}:3:11: 'role' must be one of chair, vice-chair, member, not 'chiar' (did you mean 'chair'?)",
      f"{E}:4:15: 'category' must be one of member-state, sector-member, associate, academia, observer, "
      f"not 'academic' (did you mean 'academia'?)"]),
    ("timetable", MILESTONE.replace("kind: forum", "kind: meetin"),
     [f"{T}:4:11: 'kind' must be one of draft-release, comment-deadline, nomination-deadline, "
      f"consultation-deadline, meeting, final-report, forum, not 'meetin' (did you mean 'meeting'?)"]),
    ("documents", DOCUMENT.replace("languages: [en]", "languages: en"),
     [f"{D}:5:16: 'languages' must be a list, not text"]),
    ("documents", DOCUMENT.replace("languages: [en]", "languages: [en, 3]"),
     [f"{D}:5:21: 'languages' must list language codes such as en, zh, fr"]),
])
def test_data_problems_fail_the_build_at_their_place(tmp_path, name, text, expected):
    assert_build_fails(tmp_path, {f"content/data/{name}.yaml": text}, expected)


@pytest.mark.parametrize("ident", ["../x", "a/b", "a\\\\b", "..", "x\\n", "A", "a_b", "a--b", "-a", "ieg-1\\n", ""])
def test_ids_that_could_leave_their_folder_are_refused_by_the_identifier_rule(tmp_path, ident):
    shown = ident.replace("\\\\", "\\").replace("\\n", "\n")
    _, errors = load(tmp_path, {"meetings": MEETING.replace("id: ieg-1", f'id: "{ident}"')})
    assert errors == [f"{M}:2:9: 'id' must be lower-case letters, digits and single hyphens, not '{shown}'"]


@pytest.mark.parametrize("field, value, message", [
    ("id", '"ieg\\x01"', "'id' contains a control character (U+0001)"),
    ("venue", '"Gen\\x1beva"', "'venue' contains a control character (U+001B)"),
    ("venue", '{en: "Gen\\x0beva"}', "'venue.en' contains a control character (U+000B)"),
    ("summary", '"a\\x7fb"', "'summary' contains a control character (U+007F)"),
    ("venue", '{en: "Geneva\\x0b"}', "'venue.en' contains a control character (U+000B)"),  # though strip() drops it
    ("venue", '"Geneva\\x85"', "'venue' contains a control character (U+0085)"),
    ("venue", '{en: " \\x0b"}', "'venue.en' must be non-empty text"),
])
def test_control_characters_in_data_text_are_refused(tmp_path, field, value, message):
    text = MEETING.replace("id: ieg-1", f"id: {value}") if field == "id" else MEETING + f"    {field}: {value}\n"
    _, errors = load(tmp_path, {"meetings": text})
    assert len(errors) == 1 and errors[0].endswith(f": {message}"), errors


def test_tabs_and_newlines_are_text():
    from wtpfsite.base.schema import _control_character

    assert _control_character("a\tb\nc\r") is None
    assert _control_character("\x85") == "U+0085"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>",
                                  "vbscript:x", "//evil.example/", "/relative", "https://x.org/\\\"onclick=\\\"x",
                                  "https://a b", "ftp://x.org/"])
def test_document_links_must_be_http_or_mailto(tmp_path, link):
    shown = link.replace('\\"', '"')
    _, errors = load(tmp_path, {"documents": DOCUMENT + f'    link: "{link}"\n'})
    assert errors == [f"{D}:6:11: 'link' must be an http, https or mailto link, not '{shown}'"]


def test_references_to_missing_meetings(tmp_path):
    _, errors = load(tmp_path, {"meetings": MEETING, "timetable": MILESTONE + "    meeting: ieg-9\n",
                                "documents": DOCUMENT + "    meeting: ieg-2\n"})
    assert errors == [f"{D}:6:14: no meeting with id 'ieg-2' in meetings.yaml",
                      f"{T}:6:14: no meeting with id 'ieg-9' in meetings.yaml"]


def test_data_errors_fail_the_build_together_and_sorted(tmp_path):
    assert_build_fails(tmp_path, {
        "content/data/timetable.yaml": MILESTONE.replace("2020-01-01", "2020-02-30"),
        "content/data/meetings.yaml": MEETING.replace("id: ieg-1", "id: ../x") + "    venu: G\n",
        "content/data/documents.yaml": DOCUMENT + "    link: javascript:alert(1)\n",
    }, [
        f"{D}:6:11: 'link' must be an http, https or mailto link, not 'javascript:alert(1)'",
        f"{M}:2:9: 'id' must be lower-case letters, digits and single hyphens, not '../x'",
        f"{M}:6:5: unknown field 'venu' in a meeting (did you mean 'venue'?)",
        f"{T}:3:11: 'date': '2020-02-30' is not a real date (2020-02-30 does not exist)",
    ])


def test_a_data_file_with_a_yaml_error_fails_the_build(tmp_path):
    assert_build_fails(tmp_path, {"content/data/experts.yaml": "experts:\n  - name: [X\n    role: chair\n"},
                       [f"{E}:3:9: YAML syntax error: expected ',' or ']', but got ':'"])


def test_a_large_data_file_keeps_every_place_and_the_cycle_collector_as_it_was(tmp_path):
    import gc

    experts = "".join(f"  - name: {{en: Expert {n}, zh: 专家{n}}}\n    role: member\n    country: C{n}\n"
                      for n in range(2000))
    broken = "  - name: X\n    role: membr\n    name: Y\n"
    data, errors = load(tmp_path, {"experts": "updated: 2020-09\nexperts:\n" + experts + broken})
    assert len(data.experts) == 2000 and data.experts[1999].name.get("zh", "en").value == "专家1999"
    assert errors == [f"{E}:6004:11: 'role' must be one of chair, vice-chair, member, not 'membr' "
                      f"(did you mean 'member'?)",
                      f"{E}:6005:5: duplicate key 'name' (first defined on line 6003)"]
    assert gc.isenabled()
