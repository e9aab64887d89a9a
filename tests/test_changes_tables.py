"""The changes page shows a changed table as a table and a list as a list, with the changes marked in their cells
and items (wtpfsite.render.diff), read back from the built HTML."""

from __future__ import annotations

from html.parser import HTMLParser

from helpers import build_args, draft, make_site, run_cli, tree_files
from wtpfsite.render.diff import diff_drafts

OLD = """## Key dates

| Step | Date |
|---|---|
| Published online | 1 November 2019 |
| Comments due | 23 December 2019 |
| Discussed at | second IEG meeting |

## Steps

- publish the draft
- collect comments
  - from members
- hold the meeting
"""

NEW = """## Key dates

| Step | Date |
|---|---|
| Published online | 1 April 2020 |
| Comments due | 15 June 2020 |
| Discussed at | third IEG meeting |
| Incorporates | second IEG meeting |

## Steps

- publish the draft
- collect comments
  - from members
  - from the public
1. hold the meeting
"""


class _Tree(HTMLParser):
    """The elements inside the `diff` block of a changes page, as (path of tags, text) for every text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.inside = 0
        self.texts: list[tuple[tuple[str, ...], str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta", "link", "input", "img"):
            return
        self.stack.append(tag)
        if tag == "div" and ("class", "diff") in attrs:
            self.inside = len(self.stack)

    def handle_endtag(self, tag):
        while self.stack:
            if self.inside == len(self.stack):
                self.inside = 0
            if self.stack.pop() == tag:
                break

    def handle_data(self, data):
        if self.inside and data.strip():
            self.texts.append((tuple(self.stack[self.inside:]), data.strip()))


def _changes_page(tmp_path) -> list[tuple[tuple[str, ...], str]]:
    root = make_site(tmp_path, {"content/drafts/draft-1.en.md": draft(1, OLD),
                                "content/drafts/draft-2.en.md": draft(2, NEW, released="2020-04-01")})
    code, out, err = run_cli(build_args(root))
    assert code == 0, err
    tree = _Tree()
    tree.feed(tree_files(root / "output")["en/drafts/draft-2/changes/index.html"].decode("utf-8"))
    return tree.texts


def _ends(path: tuple[str, ...], *tags: str) -> bool:
    return path[-len(tags):] == tags


def test_a_changed_table_is_a_table_with_its_changes_in_the_cells(tmp_path):
    texts = _changes_page(tmp_path)
    assert any(_ends(p, "table", "thead", "tr", "th") and t == "Step" for p, t in texts)
    assert any(_ends(p, "tbody", "tr", "td", "del") and t == "November 2019" for p, t in texts)
    assert any(_ends(p, "tbody", "tr", "td", "ins") and t == "April 2020" for p, t in texts)
    assert any(_ends(p, "tr", "td") and t == "Published online" for p, t in texts)
    assert any(_ends(p, "tr", "td", "ins") and t == "Incorporates" for p, t in texts)  # an added row
    assert not any("|" in t for p, t in texts), "no table is flattened into 'cell | cell' text"


def test_a_changed_list_is_a_list_with_its_changes_in_the_items(tmp_path):
    texts = _changes_page(tmp_path)
    assert any(_ends(p, "ul", "li") and t == "publish the draft" for p, t in texts)
    assert any(_ends(p, "ul", "li", "ul", "li") and t == "from members" for p, t in texts)
    assert any(_ends(p, "ul", "li", "ul", "li", "ins") and t == "from the public" for p, t in texts)
    # "1. hold the meeting" after the bullets starts an ordered list of its own (CommonMark), on the draft's page and
    # so here: a new list
    assert any(_ends(p, "ol", "li", "ins") and t == "hold the meeting" for p, t in texts)
    assert not any(t.startswith("•") for p, t in texts)


def test_table_blocks_carry_table_html():
    changes = diff_drafts(OLD, NEW, "en")
    blocks = [b for s in changes.sections for b in s.blocks if b.kind == "table"]
    assert len(blocks) == 1 and blocks[0].status == "changed"
    assert blocks[0].html.startswith("<table><thead><tr class=\"diff-row-same\"><th>Step</th><th>Date</th></tr>")
    assert '<td><del>23 December 2019</del><ins>15 June 2020</ins></td>' in blocks[0].html


def test_cells_are_escaped():
    old = "| a | b |\n|---|---|\n| <x> | 1 |\n"
    new = "| a | b |\n|---|---|\n| <x> | 2 & 3 |\n"
    html = diff_drafts(old, new, "en").sections[0].blocks[0].html
    assert "<td>&lt;x&gt;</td>" in html and "&amp;" in html and "<x>" not in html
