"""Tests for wtpfsite.render.diff: section pairing, block alignment and inline redlines."""
from __future__ import annotations

import dataclasses

import pytest

from wtpfsite.render.diff import BlockChange, DraftChanges, SectionChange, diff_drafts


def section(changes: DraftChanges, title: str | None) -> SectionChange:
    """The one section whose new (or, if removed, old) title is ``title``."""
    found = [s for s in changes.sections
             if (s.new_title if s.status != "removed" else s.old_title) == title]
    assert len(found) == 1, found
    return found[0]


def summary(changes: DraftChanges) -> list[tuple[str, str | None, str | None]]:
    """(status, old title, new title) for each section, in page order."""
    return [(s.status, s.old_title, s.new_title) for s in changes.sections]


def test_english_word_level_redline() -> None:
    old = "## Scope\n\nThe quick brown fox jumps over the lazy dog.\n"
    new = "## Scope\n\nThe quick red fox leaped over the lazy dog.\n"
    changes = diff_drafts(old, new, "en")
    scope = section(changes, "Scope")
    assert scope.status == "changed" and not scope.renamed and not scope.moved
    assert scope.blocks == (BlockChange(
        "changed", "paragraph",
        "The quick <del>brown</del><ins>red</ins> fox <del>jumps</del><ins>leaped</ins>"
        " over the lazy dog."),)
    assert (changes.changed, changes.added, changes.removed) == (1, 0, 0)
    assert not changes.identical


def test_adjacent_word_changes_merge_and_whitespace_stays_outside() -> None:
    changes = diff_drafts("## A\n\nThe quick brown fox jumps.\n",
                          "## A\n\nThe slow red fox jumps high.\n", "en-GB")
    assert changes.sections[0].blocks[0].html == (
        "The <del>quick brown</del><ins>slow red</ins> fox jumps<ins> high</ins>.")


def test_chinese_character_level_redline() -> None:
    changes = diff_drafts("## 标题\n\n秘书长报告草案第二稿\n",
                          "## 标题\n\n秘书长报告草案第三稿\n", "zh")
    block = changes.sections[0].blocks[0]
    assert block == BlockChange("changed", "paragraph", "秘书长报告草案第<del>二</del><ins>三</ins>稿")


def test_chinese_keeps_ascii_runs_as_tokens() -> None:
    changes = diff_drafts("IEG第一次会议于2019年举行。\n", "IEG第二次会议于2020年举行。\n",
                          "zh-Hans-CN")
    assert changes.sections[0].blocks[0].html == (
        "IEG第<del>一</del><ins>二</ins>次会议于<del>2019</del><ins>2020</ins>年举行。")


@pytest.mark.parametrize("lang", ["zh-Hant", "ja", "ko-KR", "zh_TW"])
def test_cjk_languages_diff_by_character(lang: str) -> None:
    changes = diff_drafts("稿二\n", "稿三\n", lang)
    assert changes.sections[0].blocks[0].html == "稿<del>二</del><ins>三</ins>"


def test_section_added_in_new_position() -> None:
    old = "## One\n\nFirst.\n\n## Three\n\nThird.\n"
    new = "## One\n\nFirst.\n\n## Two\n\nSecond section text.\n\n## Three\n\nThird.\n"
    changes = diff_drafts(old, new, "en")
    assert summary(changes) == [("same", "One", "One"), ("added", None, "Two"),
                                ("same", "Three", "Three")]
    two = section(changes, "Two")
    assert two.anchor == "change-two"
    assert two.blocks == (BlockChange("added", "paragraph", "Second section text."),)
    assert (changes.changed, changes.added, changes.removed) == (0, 1, 0)


def test_section_removed_placed_where_it_was() -> None:
    old = "## One\n\nFirst.\n\n## Two\n\nSecond.\n\n## Three\n\nThird.\n"
    new = "## One\n\nFirst.\n\n## Three\n\nThird.\n"
    changes = diff_drafts(old, new, "en")
    assert summary(changes) == [("same", "One", "One"), ("removed", "Two", None),
                                ("same", "Three", "Three")]
    two = section(changes, "Two")
    assert two.anchor == "change-two"
    assert two.blocks == (BlockChange("removed", "paragraph", "Second."),)
    assert (changes.changed, changes.added, changes.removed) == (0, 0, 1)


def test_swapped_sections_one_is_moved() -> None:
    old = "## Alpha\n\nAlpha text.\n\n## Beta\n\nBeta text.\n"
    new = "## Beta\n\nBeta text.\n\n## Alpha\n\nAlpha text.\n"
    changes = diff_drafts(old, new, "en")
    assert summary(changes) == [("moved", "Beta", "Beta"), ("same", "Alpha", "Alpha")]
    assert [s.moved for s in changes.sections] == [True, False]
    assert changes.changed == 1 and not changes.identical


def test_moved_and_changed_section() -> None:
    old = "## A\n\nText a.\n\n## B\n\nText b.\n\n## C\n\nOld words in c.\n"
    new = "## C\n\nNew words in c.\n\n## A\n\nText a.\n\n## B\n\nText b.\n"
    changes = diff_drafts(old, new, "en")
    c = section(changes, "C")
    assert (c.status, c.moved, c.renamed) == ("changed", True, False)
    assert c.blocks[0].html == "<del>Old</del><ins>New</ins> words in c."
    assert [s.status for s in changes.sections[1:]] == ["same", "same"]


def test_heading_renamed_with_same_body() -> None:
    body = "\n\nComments on the draft are due by 23 December 2020 and are published online.\n"
    changes = diff_drafts("## Comments" + body, "## Comments and consultation" + body, "en")
    (renamed,) = changes.sections
    assert (renamed.status, renamed.renamed, renamed.moved) == ("changed", True, False)
    assert (renamed.old_title, renamed.new_title) == ("Comments", "Comments and consultation")
    assert renamed.anchor == "change-comments-and-consultation"
    assert [b.status for b in renamed.blocks] == ["same"]
    assert (changes.changed, changes.added, changes.removed) == (1, 0, 0)


def test_explicit_id_pairs_renamed_and_rewritten_section() -> None:
    old = "## Outline of opinions {#opinions}\n\nAn outline is attached.\n"
    new = "## Possible draft opinions {#opinions}\n\nThe full texts appear as an annex.\n"
    changes = diff_drafts(old, new, "en")
    (opinions,) = changes.sections
    assert opinions.status == "changed" and opinions.renamed
    assert (opinions.old_title, opinions.new_title) == ("Outline of opinions",
                                                        "Possible draft opinions")
    assert opinions.anchor == "change-opinions"
    # Without the ids the bodies are too different to pair: removed + added.
    plain = diff_drafts(old.replace(" {#opinions}", ""), new.replace(" {#opinions}", ""), "en")
    assert [s.status for s in plain.sections] == ["removed", "added"]


def test_explicit_id_beats_title_match() -> None:
    old = "## Dates {#a}\n\nOne.\n\n## Other {#b}\n\nTwo.\n"
    new = "## Other {#a}\n\nOne.\n\n## Dates {#b}\n\nTwo.\n"
    changes = diff_drafts(old, new, "en")
    assert summary(changes) == [("changed", "Dates", "Other"), ("changed", "Other", "Dates")]
    assert all(s.renamed and not s.moved for s in changes.sections)


def test_table_only_changed_row_is_redlined() -> None:
    table = "## Dates\n\n| Step | Date |\n|---|---|\n| Published | 1 April 2020 |\n"
    old = table + "| Comments due | 15 June 2020 |\n"
    new = table + "| Comments due | 23 June 2020 |\n"
    changes = diff_drafts(old, new, "en")
    assert changes.sections[0].blocks == (BlockChange(
        "changed", "table",
        '<table><thead><tr class="diff-row-same"><th>Step</th><th>Date</th></tr></thead><tbody>'
        '<tr class="diff-row-same"><td>Published</td><td>1 April 2020</td></tr>'
        '<tr class="diff-row-changed"><td>Comments due</td><td><del>15</del><ins>23</ins> June 2020</td></tr>'
        '</tbody></table>'),)


def test_table_row_added() -> None:
    old = "| K | V |\n|---|---|\n| a | 1 |\n"
    new = "| K | V |\n|---|---|\n| a | 1 |\n| b | 2 |\n"
    (block,) = diff_drafts(old, new, "en").sections[0].blocks
    assert block == BlockChange("changed", "table",
                                '<table><thead><tr class="diff-row-same"><th>K</th><th>V</th></tr></thead><tbody>'
                                '<tr class="diff-row-same"><td>a</td><td>1</td></tr>'
                                '<tr class="diff-row-added"><td><ins>b</ins></td><td><ins>2</ins></td></tr>'
                                '</tbody></table>')


def test_identical_drafts() -> None:
    text = "Intro.\n\n## A\n\nSome *text*.\n\n- item\n\n## B\n\n| x | y |\n|---|---|\n| 1 | 2 |\n"
    changes = diff_drafts(text, text, "en")
    assert changes.identical
    assert (changes.changed, changes.added, changes.removed) == (0, 0, 0)
    assert all(s.status == "same" and not s.moved and not s.renamed for s in changes.sections)
    assert all(b.status == "same" for s in changes.sections for b in s.blocks)


def test_reflowed_paragraph_is_same() -> None:
    changes = diff_drafts("## A\n\nOne two\nthree.\n", "## A\n\nOne two three.\n", "en")
    assert changes.identical


def test_empty_drafts() -> None:
    changes = diff_drafts("", "\n\n", "en")
    assert changes.sections == () and changes.identical


def test_hostile_input_is_escaped() -> None:
    old = "## A <b>x</b>\n\n<script>alert(1)</script>\n\nTom & \"Jerry\"\n"
    new = "## A <b>x</b>\n\n<script>alert(2)</script>\n\nTom & \"Jerry\"\n\n<img src=x onerror=y>\n"
    changes = diff_drafts(old, new, "en")
    (a,) = changes.sections
    assert a.new_title == "A <b>x</b>"  # titles are plain text; the page escapes them
    assert [b.html for b in a.blocks] == [
        "&lt;script&gt;alert(<del>1</del><ins>2</ins>)&lt;/script&gt;",
        "Tom &amp; &quot;Jerry&quot;",
        "&lt;img src=x onerror=y&gt;",
    ]
    for block in a.blocks:
        stripped = block.html.replace("<ins>", "").replace("</ins>", "")
        stripped = stripped.replace("<del>", "").replace("</del>", "")
        assert "<" not in stripped and ">" not in stripped


def test_preamble_section() -> None:
    old = "# Report\n\nOpening words.\n\n## A\n\nText.\n"
    new = "# Report\n\nOpening remarks.\n\n## A\n\nText.\n"
    changes = diff_drafts(old, new, "en")
    preamble = changes.sections[0]
    assert (preamble.status, preamble.anchor) == ("changed", "change-preamble")
    assert (preamble.old_title, preamble.new_title, preamble.renamed) == (None, None, False)
    assert preamble.blocks == (BlockChange("same", "heading", "Report"),
                               BlockChange("changed", "paragraph",
                                           "Opening <del>words</del><ins>remarks</ins>."))
    assert changes.sections[1].status == "same"


def test_preamble_added() -> None:
    changes = diff_drafts("## A\n\nText.\n", "Note first.\n\n## A\n\nText.\n", "en")
    assert summary(changes) == [("added", None, None), ("same", "A", "A")]
    assert changes.sections[0].anchor == "change-preamble"


def test_list_item_added() -> None:
    old = "## Steps\n\n- Publish the draft\n- Collect comments\n"
    new = "## Steps\n\n- Publish the draft\n- Collect comments\n- Hold the *fourth* meeting\n"
    changes = diff_drafts(old, new, "en")
    assert changes.sections[0].blocks == (BlockChange(
        "changed", "list",
        '<ul><li class="diff-item-same">Publish the draft</li><li class="diff-item-same">Collect comments</li>'
        '<li class="diff-item-added"><ins>Hold the fourth meeting</ins></li></ul>'),)


def test_list_with_continuation_and_nesting_is_one_block() -> None:
    text = "1. First item\n   continues here\n2. Second\n   - nested\n\n   still second\n\nAfter.\n"
    blocks = diff_drafts(text, text, "en").sections[0].blocks
    assert [(b.kind, b.html) for b in blocks] == [
        ("list", '<ol><li class="diff-item-same">First item continues here</li><li class="diff-item-same">Second'
                 '<ul><li class="diff-item-same">nested still second</li></ul></li></ol>'),
        ("paragraph", "After."),
    ]


def test_markdown_converted_to_plain_text() -> None:
    text = ("### Sub *heading* {#sub}\n\nSee **the** [timetable](timetable.md), "
            "__bold__ `code *x*` and ![a chart](c.png), snake_case_name, 2 \\* 3.\n")
    blocks = diff_drafts(text, text, "en").sections[0].blocks
    assert [(b.kind, b.html) for b in blocks] == [
        ("heading", "Sub heading"),
        ("paragraph", "See the timetable, bold code *x* and a chart, snake_case_name, 2 * 3."),
    ]


def test_code_block_kept_whole_and_hash_inside_not_a_section() -> None:
    old = "## A\n\n```\n## not a heading\nx = 1\n\ny = 2\n```\n"
    new = "## A\n\n```\n## not a heading\nx = 1\n\ny = 3\n```\n"
    changes = diff_drafts(old, new, "en")
    (a,) = changes.sections
    assert a.blocks == (BlockChange("changed", "code",
                                    "## not a heading\nx = 1\n\ny = <del>2</del><ins>3</ins>"),)


def test_dissimilar_block_replacement_is_removed_plus_added() -> None:
    changes = diff_drafts("## A\n\nKeep.\n\nCompletely different words.\n",
                          "## A\n\nKeep.\n\nNothing alike here at all.\n", "en")
    assert [(b.status, b.html) for b in changes.sections[0].blocks] == [
        ("same", "Keep."),
        ("removed", "Completely different words."),
        ("added", "Nothing alike here at all."),
    ]


def test_renamed_section_paired_by_similarity() -> None:
    body = "Besides the report, the process produces draft opinions for the forum."
    old = f"## Outline of opinions\n\n{body}\n"
    new = f"## Possible opinions\n\n{body} They are annexed.\n"
    (s,) = diff_drafts(old, new, "en").sections
    assert (s.status, s.renamed, s.old_title, s.new_title) == (
        "changed", True, "Outline of opinions", "Possible opinions")
    assert s.blocks[0].html == body + "<ins> They are annexed.</ins>"


def test_anchors_unique_and_heading_id_stripped() -> None:
    text = ("## Notes\n\nA.\n\n## Notes\n\nB.\n\n## Preamble\n\nC.\n\n## Key dates {#Key_dates}\n\n"
            "D.\n\n## The Secretary-General's *report*\n\nE.\n")
    changes = diff_drafts("", text, "en")
    assert [s.anchor for s in changes.sections] == [
        "change-notes", "change-notes-2", "change-preamble", "change-Key_dates",
        "change-the-secretary-general-s-report"]
    assert changes.sections[3].new_title == "Key dates"
    assert changes.sections[4].new_title == "The Secretary-General's report"
    assert changes.added == 5


def test_chinese_anchor_keeps_characters() -> None:
    changes = diff_drafts("", "## 重要日期\n\n内容。\n", "zh")
    assert changes.sections[0].anchor == "change-重要日期"


def test_results_are_frozen_and_deterministic() -> None:
    old = "## A\n\nx y z\n\n## B\n\none\n\n## C\n\ntwo\n"
    new = "## C\n\ntwo\n\n## A\n\nx q z\n\n## D\n\nthree\n"
    first, second = diff_drafts(old, new, "en"), diff_drafts(old, new, "en")
    assert first == second
    assert summary(first) == [("moved", "C", "C"), ("changed", "A", "A"),
                              ("removed", "B", None), ("added", None, "D")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.changed = 0  # type: ignore[misc]


def test_wrapped_chinese_paragraph_joined_without_space() -> None:
    blocks = diff_drafts("本稿以草案\n第二稿为基础，\nIEG\nmeeting。\n", "", "zh").sections[0].blocks
    assert blocks == (BlockChange("removed", "paragraph", "本稿以草案第二稿为基础，IEG meeting。"),)
