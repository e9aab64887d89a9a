"""Tests for wtpfsite.content.sources: finding sources, languages from file names, reading UTF-8 text."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import INDEX_EN, assert_build_fails, build_args, make_site, run_cli, tree_files
from wtpfsite.base.errors import ErrorList
from wtpfsite.content.sources import discover_sources, read_source_text, split_name

LANGS = ("en", "zh")


def read(tmp_path: Path, data: bytes):
    path = tmp_path / "f.md"
    path.write_bytes(data)
    errors = ErrorList(tmp_path)
    return read_source_text(path, errors), [e.format() for e in errors.errors]


def test_bom_and_line_endings_are_normalized(tmp_path):
    assert read(tmp_path, b"\xef\xbb\xbfa\r\nb\rc\n") == ("a\nb\nc\n", [])


@pytest.mark.parametrize("data, expected", [
    (b"---\ntitle: About\n---\nab\xffc\n", "f.md:4:3: not valid UTF-8: byte 0xff at offset 23 (save the file as UTF-8 in your editor)"),
    (b"\xef\xbb\xbf---\ntitle: About\n---\nab\xffc\n", "f.md:4:3: not valid UTF-8: byte 0xff at offset 26 (save the file as UTF-8 in your editor)"),
    (b"\xef\xbb\xbf\xc3(", "f.md:1:1: not valid UTF-8: byte 0xc3 at offset 3 (save the file as UTF-8 in your editor)"),
    (b"\xe4\xb8\xad\xe6\x96\x87\xfe", "f.md:1:3: not valid UTF-8: byte 0xfe at offset 6 (save the file as UTF-8 in your editor)"),  # 中文 then a bad byte
    (b"a\r\nb\xe4\xb8", "f.md:2:2: not valid UTF-8: byte 0xe4 at offset 4 (save the file as UTF-8 in your editor)"),  # truncated character at the end
])
def test_invalid_utf8_is_reported_with_line_column_and_byte_offset(tmp_path, data, expected):
    assert read(tmp_path, data) == (None, [expected])


def test_missing_file(tmp_path):
    errors = ErrorList(tmp_path)
    assert read_source_text(tmp_path / "gone.yaml", errors) is None
    assert [e.format() for e in errors.errors] == ["gone.yaml:1:1: file not found"]


@pytest.mark.parametrize("name, expected", [
    ("about.md", ("about", "en")),
    ("about.zh.md", ("about", "zh")),
    ("draft-3.en.md", ("draft-3", "en")),
])
def test_language_comes_from_the_file_name(tmp_path, name, expected):
    errors = ErrorList(tmp_path)
    assert split_name(tmp_path / name, LANGS, errors) == expected
    assert not errors


@pytest.mark.parametrize("name, message", [
    ("about.fr.md", "unknown language suffix 'fr' in 'about.fr.md' (the site's languages are en, zh)"),
    ("about.ZH.md", "'about.ZH.md' has an unreadable language suffix 'ZH'"),
    ("About.en.md", "file name 'About' must be lower-case letters, digits and single hyphens"),
    ("a..b.en.md", "file name 'a..b' must be lower-case letters, digits and single hyphens"),
    ("a b.md", "file name 'a b' must be lower-case letters, digits and single hyphens"),
    ("a\\b.en.md", "file name 'a\\b' must be lower-case letters, digits and single hyphens"),
    ("a\x01b.md", "file name 'a\x01b' must be lower-case letters, digits and single hyphens"),
    ("-a.md", "file name '-a' must be lower-case letters, digits and single hyphens"),
    ("a--b.md", "file name 'a--b' must be lower-case letters, digits and single hyphens"),
])
def test_bad_file_names_are_refused(tmp_path, name, message):
    errors = ErrorList(tmp_path)
    assert split_name(tmp_path / name, LANGS, errors) is None
    assert [e.format() for e in errors.errors] == [f"{name}:1:1: {message}"]


def test_discovery_is_sorted_and_finds_data_strings_and_templates(tmp_path):
    root = make_site(tmp_path, {
        "content/pages/b.zh.md": "x", "content/pages/a.md": "x", "content/drafts/draft-1.en.md": "x",
        "content/data/meetings.yaml": "x", "content/data/unknown.yaml": "x", "content/pages/notes.txt": "x",
    })
    errors = ErrorList(root)
    sources = discover_sources(root / "content", root / "templates", LANGS, errors)
    assert not errors
    assert [(s.section, s.name, s.lang) for s in sources.markdown] == [
        ("pages", "a", "en"), ("pages", "b", "zh"), ("pages", "index", "en"), ("drafts", "draft-1", "en")]
    assert sources.data == (("meetings", root / "content" / "data" / "meetings.yaml"),)
    assert sources.strings == root / "content" / "strings.yaml"
    assert root / "templates" / "base.html" in sources.templates


def test_markdown_files_are_found_as_glob_finds_them(tmp_path):
    """The folder's *.md entries, listed without Path.glob (slow on a large site), are those glob finds, in the
    order sorting the paths gives: hidden names, folders named *.md, links, upper case and names glob's sort
    and a plain sort of names could order differently."""
    from wtpfsite.content.sources import _markdown_files

    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("b.md", "a.zh.md", "a.md", ".hidden.md", "A.md", "a-b.md", "a_b.md", "z.MD", "x.md.txt",
                 "\u00e9.md", "10.md", "9.md"):
        (folder / name).write_text("x")
    (folder / "dir.md").mkdir()
    (folder / "link.md").symlink_to(folder / "b.md")
    (folder / "dangling.md").symlink_to(folder / "missing.md")
    assert _markdown_files(folder) == sorted(folder.glob("*.md"))
    assert _markdown_files(tmp_path / "none") == [] == sorted((tmp_path / "none").glob("*.md"))
    (tmp_path / "file").write_text("x")
    assert _markdown_files(tmp_path / "file") == []


def test_a_file_with_and_without_the_default_suffix_is_refused(tmp_path):
    assert_build_fails(tmp_path, {"content/pages/about.md": "---\ntitle: A\n---\n",
                                  "content/pages/about.en.md": "---\ntitle: B\n---\n"},
                       ["content/pages/about.md:1:1: 'about.md' and 'about.en.md' are both the en version of "
                        "pages/about"])


def test_unknown_language_suffix_fails_the_build(tmp_path):
    assert_build_fails(tmp_path, {"content/pages/about.fr.md": "---\ntitle: À propos\n---\n"},
                       ["content/pages/about.fr.md:1:1: unknown language suffix 'fr' in 'about.fr.md' "
                        "(the site's languages are en, zh)"])


def test_invalid_utf8_fails_the_build(tmp_path):
    assert_build_fails(tmp_path, {"content/pages/about.en.md": b"---\ntitle: About\n---\nCaf\xe9\n"},
                       ["content/pages/about.en.md:4:4: not valid UTF-8: byte 0xe9 at offset 24 (save the file as UTF-8 in your editor)"])


def test_invalid_utf8_in_data_fails_the_build(tmp_path):
    assert_build_fails(tmp_path, {"content/data/experts.yaml": b"experts:\n  - name: \xff\n    role: chair\n"},
                       ["content/data/experts.yaml:2:11: not valid UTF-8: byte 0xff at offset 19 (save the file as UTF-8 in your editor)"])


def test_bom_and_crlf_build_the_same_site_as_lf(tmp_path):
    about = "---\ntitle: About\ndescription: x\n---\nSee [home](index.md#outline).\n\n## Part\n\nText  \nmore.\n"
    meetings = "meetings:\n  - id: ieg-1\n    number: 1\n    dates: 2020-09-14/2020-09-16\n    status: held\n"
    files = {"content/pages/about.en.md": about, "content/data/meetings.yaml": meetings}
    plain = make_site(tmp_path, files, name="lf")

    def crlf(text: str) -> bytes:
        return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")

    windows = make_site(tmp_path, {name: crlf(text) for name, text in files.items()}
                        | {"content/pages/index.en.md": crlf(INDEX_EN),
                           "content/strings.yaml": crlf((plain / "content/strings.yaml").read_text("utf-8"))},
                        name="crlf")
    assert (windows / "content/pages/about.en.md").read_bytes().startswith(b"\xef\xbb\xbf---\r\n")
    for root in (plain, windows):
        code, _, err = run_cli(build_args(root, "--quiet"))
        assert (code, err) == (0, "")
    assert tree_files(windows / "output") == tree_files(plain / "output")


def test_error_paths_are_shown_relative_to_the_resolved_root_through_links(tmp_path):
    from wtpfsite.base.errors import ErrorList

    root = tmp_path / "site"
    (root / "content" / "pages").mkdir(parents=True)
    (root / "content" / "pages" / "a.en.md").write_text("x", "utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.en.md").write_text("x", "utf-8")
    (root / "linked").symlink_to(root / "content")  # a folder reached through a link
    (root / "content" / "pages" / "c.en.md").symlink_to(tmp_path / "elsewhere" / "b.en.md")  # a linked file
    (root / "outside").symlink_to(tmp_path / "elsewhere")
    errors = ErrorList(root)
    cases = [root / "content" / "pages" / "a.en.md", root / "linked" / "pages" / "a.en.md",
             root / "content" / "pages" / "missing.zh.md", root / "content" / "pages" / ".." / "pages" / "a.en.md",
             root / "content" / "pages" / "c.en.md", root / "outside" / "b.en.md", root / "content" / ".."]
    for path in cases:
        try:
            expected = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            expected = path.as_posix()
        assert errors.display_path(path) == expected, path
