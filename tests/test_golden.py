"""Golden tests: build each fixture site in tests/fixtures/<name>/ and compare the output tree with
tests/golden/<name>/, file list and bytes.

The fixtures use the real templates, so an intended template change shows up here: regenerate with
`.venv/bin/python -m pytest tests/test_golden.py --regen-goldens` and review the golden diff before committing.
Regenerating also refreshes the fixture's copy of content/strings.yaml, which new template strings need.
Every file is compared byte for byte, except those under static/: they are verbatim copies of templates/static/,
so only their presence is checked.
"""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest

from wtpfsite.commands.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden"
TODAY = "2020-10-01"
TEXT_SUFFIXES = (".html", ".xml", ".json", ".csv", ".txt", ".ics")  # shown as a unified diff when they differ
SHOWN_DIFFS = 3
SHOWN_LINES = 120


def build_fixture(name: str, tmp_path: Path, regenerating: bool = False) -> Path:
    """Build a copy of the fixture (so nothing is written beside the original) and return the output folder.
    The copy keeps its place relative to the templates: ../../../templates points at the real ones.
    Regenerating refreshes the fixture's copy of the site's string catalog first."""
    if regenerating:
        shutil.copyfile(ROOT / "content" / "strings.yaml", FIXTURES / name / "content" / "strings.yaml")
    copy = tmp_path / "tests" / "fixtures" / name
    shutil.copytree(FIXTURES / name, copy, ignore=shutil.ignore_patterns("output", ".wtpfsite-cache"))
    (tmp_path / "templates").symlink_to(ROOT / "templates", target_is_directory=True)
    out = tmp_path / "out"
    status = main(["build", "--config", str(copy / "site_config.yaml"), "--out", str(out), "--today", TODAY,
                   "--quiet"])
    assert status == 0, (f"building the fixture '{name}' failed with exit status {status} (errors above); if the "
                         f"templates use a new UI string, --regen-goldens refreshes the fixture's strings.yaml")
    return out


def tree_files(root: Path) -> dict[str, Path]:
    """Every file under root by its posix path, static/ left out."""
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*"))
            if p.is_file() and not p.relative_to(root).as_posix().startswith("static/")}


def unified_diff(expected: Path, actual: Path, name: str) -> str:
    old = expected.read_text("utf-8", errors="replace").splitlines(keepends=True)
    new = actual.read_text("utf-8", errors="replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(old, new, f"golden/{name}", f"built/{name}"))
    if len(lines) > SHOWN_LINES:
        lines = lines[:SHOWN_LINES] + [f"... {len(lines) - SHOWN_LINES} more diff lines\n"]
    return "".join(lines)


def compare_trees(expected_root: Path, actual_root: Path) -> list[str]:
    """Problems found, each a readable paragraph; empty when the trees match."""
    expected, actual = tree_files(expected_root), tree_files(actual_root)
    problems = []
    missing, extra = sorted(expected.keys() - actual.keys()), sorted(actual.keys() - expected.keys())
    if missing:
        problems.append("files in the golden tree that the build no longer writes:\n  " + "\n  ".join(missing))
    if extra:
        problems.append("files the build writes that the golden tree lacks:\n  " + "\n  ".join(extra))
    differing = [name for name in sorted(expected.keys() & actual.keys())
                 if expected[name].read_bytes() != actual[name].read_bytes()]
    if differing:
        problems.append(f"{len(differing)} file(s) differ: " + ", ".join(differing))
        shown = [name for name in differing if name.endswith(TEXT_SUFFIXES)][:SHOWN_DIFFS]
        problems += [unified_diff(expected[name], actual[name], name) for name in shown]
    return problems


def regenerate(built: Path, golden: Path) -> None:
    if golden.exists():
        shutil.rmtree(golden)
    for name, path in tree_files(built).items():
        target = golden / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


@pytest.fixture(scope="module")
def basic_site(tmp_path_factory, request) -> Path:
    return build_fixture("basic", tmp_path_factory.mktemp("golden-basic"), request.config.getoption("--regen-goldens"))


def test_basic_site_matches_golden_tree(basic_site, request):
    golden = GOLDEN / "basic"
    if request.config.getoption("--regen-goldens"):
        regenerate(basic_site, golden)
        pytest.skip(f"rewrote {golden.relative_to(ROOT)}: review and commit the diff")
    assert golden.is_dir(), f"no golden tree at {golden}: run pytest {__file__} --regen-goldens"
    problems = compare_trees(golden, basic_site)
    assert not problems, "the build differs from the golden tree (if intended, rerun with --regen-goldens):\n\n" \
        + "\n\n".join(problems)


def test_basic_site_copies_every_static_file(basic_site):
    static = ROOT / "templates" / "static"
    expected = sorted(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file())
    built = sorted(p.relative_to(basic_site / "static").as_posix()
                   for p in (basic_site / "static").rglob("*") if p.is_file())
    assert built == expected


# The golden tree is only as good as what it holds: these checks keep a regenerated tree honest about the
# features the fixture exists to cover.

def golden_text(path: str) -> str:
    return (GOLDEN / "basic" / path).read_text("utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", ["", "about/", "process/", "drafts/", "drafts/draft-1/", "drafts/draft-2/",
                                  "drafts/draft-2/changes/", "drafts/latest/", "meetings/", "meetings/ieg-1/",
                                  "meetings/ieg-2/", "experts/", "timetable/", "documents/"])
def test_golden_tree_has_every_page_type(lang, path):
    assert (GOLDEN / "basic" / lang / path / "index.html").is_file()


def test_golden_untranslated_page_is_shown_from_english_with_a_notice():
    page = golden_text("zh/process/index.html")
    assert "本页尚无<bdi>中文</bdi>版本，以下为<bdi>英语</bdi>原文。" in page  # (names in the notice's language)
    assert '<div class="prose" lang="en">' in page
    assert "本页尚无" not in golden_text("zh/about/index.html")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_timetable_marks_one_next_item_and_month_precision(lang):
    page = golden_text(f"{lang}/timetable/index.html")
    assert page.count('class="milestone ') == 8
    assert len(re.findall(r'class="milestone milestone-[a-z-]+ state-next"', page)) == 1
    assert 'id="ieg-2-meeting" class="milestone milestone-meeting state-next"' in page
    assert 'id="draft-2-comments" class="milestone milestone-comment-deadline state-current"' in page
    assert '<time datetime="2019-09" data-start="2019-09-01" data-end="2019-09-30">' in page
    assert '<span class="period" data-start="2020-01-01" data-end="2020-02-29">' in page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_changes_page_has_content(lang):
    page = golden_text(f"{lang}/drafts/draft-2/changes/index.html")
    assert "<ins>" in page and "<del>" in page
    assert "diff-section diff-added" in page and "diff-section diff-removed" in page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_cross_links_are_relative_with_anchors(lang):
    home = golden_text(f"{lang}/index.html")
    assert 'href="drafts/draft-2/#scope"' in home and 'href="about/#mandate"' in home
    assert 'href="#members"' in golden_text(f"{lang}/about/index.html")


# a space after full-width punctuation (before text or an inline element), or before a full-width parenthesis
_CHINESE_SPACE = re.compile(r"[。，；：！？](?: +(?!</)|[ \n]+(?=<(?:a|span|bdi|code|strong|em)\b))|[^\s] +(?:<span[^>]*>)?（")


def test_golden_chinese_pages_put_no_space_around_full_width_punctuation():
    """Chinese sets no space after 。，；：！？ or before （ (one there comes from joining two strings in a template)."""
    for page in sorted((GOLDEN / "basic" / "zh").rglob("*.html")):
        match = _CHINESE_SPACE.search(page.read_text("utf-8"))
        assert match is None, (page.relative_to(GOLDEN), match and match.group())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_contents_box_lists_the_sections_the_template_adds(lang):
    page = golden_text(f"{lang}/drafts/draft-2/index.html")
    toc = page[page.index('<nav class="toc"'):page.index("</nav>", page.index('<nav class="toc"'))]
    assert toc.rstrip().endswith('<li class="toc-level-2"><a href="#received">'
                                 + ("Comments and contributions received" if lang == "en" else "收到的评论和文稿")
                                 + "</a></li>\n  </ol>")
    assert 'id="received"' in page
