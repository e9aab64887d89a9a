"""Tests for wtpfsite.site.model and wtpfsite.base.urls: routes, links between sources, anchors, cross-references."""

from __future__ import annotations

import pytest

from helpers import CONFIG, ROOT, assert_build_fails, build_args, content_errors, draft, make_site, options, page, run_cli
from wtpfsite.pipeline.build import load_site
from wtpfsite.base.urls import output_file, relative_from

ABOUT = "content/pages/about.en.md"
MEETING = "meetings:\n  - id: ieg-1\n    number: 1\n    dates: 2020-01-20\n    status: held\n"


# ------------------------------------------------------------------------------------------------ URLs

@pytest.mark.parametrize("key, lang, path", [
    ("home", "en", "en/"), ("page/about", "zh", "zh/about/"), ("draft/3", "en", "en/drafts/draft-3/"),
    ("changes/3", "en", "en/drafts/draft-3/changes/"), ("drafts", "en", "en/drafts/"),
    ("drafts-latest", "zh", "zh/drafts/latest/"), ("meetings", "en", "en/meetings/"),
    ("meeting/ieg-3", "zh", "zh/meetings/ieg-3/"), ("experts", "en", "en/experts/"),
    ("timetable", "en", "en/timetable/"), ("documents", "en", "en/documents/"), ("404", "en", "en/404.html"),
    ("feed", "zh", "zh/feed.xml"),
])
def test_route_paths(real_site, key, lang, path):
    assert real_site.path(key, lang) == path


def test_unknown_route_is_a_key_error(real_site):
    with pytest.raises(KeyError):
        real_site.path("nowhere", "en")


@pytest.fixture(scope="module")
def real_site():
    return load_site(options(ROOT)).site


@pytest.mark.parametrize("target, base, expected", [
    ("en/about/", "en/", "about/"),
    ("en/", "en/about/", "../"),
    ("en/about/", "en/about/", "./"),
    ("en/about/#x", "en/about/", "./#x"),
    ("en/drafts/draft-3/#第三", "en/about/", "../drafts/draft-3/#第三"),
    ("static/site.css", "en/drafts/draft-3/", "../../../static/site.css"),
    ("zh/", "en/about/", "../../zh/"),
    ("", "en/", "../"),
    ("en/", "", "en/"),
    ("", "index.html", "./"),
    ("en/drafts/draft-3/", "index.html", "en/drafts/draft-3/"),
    ("feed.xml", "en/", "../feed.xml"),
    ("en/feed.xml", "en/404.html", "feed.xml"),
    ("en/about/", "en/drafts/draft-3/changes/", "../../../about/"),
])
def test_relative_url(target, base, expected):
    assert relative_from(base)(target) == expected


def test_relative_paths_are_posixpaths_relpath_for_any_path():
    """urls._relpath skips posixpath.relpath's normalising where it changes nothing; for every path it gives the
    same result, `.`, `..` and doubled slashes included."""
    import posixpath
    import random

    from wtpfsite.base.urls import _relpath

    parts = ["en", "zh", "about", "drafts", "draft-3", "static", "a.css", ".", "..", "", "x y", "第三"]
    rng = random.Random(6)
    for _ in range(20000):
        target = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 5)))
        start = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 5)))
        assert _relpath(target, start) == posixpath.relpath("/" + target, "/" + start), (target, start)


def test_relative_urls_from_a_page_are_posixpaths_for_any_path():
    """urls.relative_from splits the page's folder once; for every pair it gives the relative URL posixpath.relpath
    makes, for pages and files, fragments, `.`, `..` and doubled slashes."""
    import posixpath
    import random

    def expected(target: str, base: str) -> str:
        folder = base if base.endswith("/") or base == "" else posixpath.dirname(base) + "/"
        target_dir, _, fragment = target.partition("#")
        rel = posixpath.relpath("/" + target_dir, "/" + folder)
        if target_dir == "" or target_dir.endswith("/"):
            rel = "./" if rel == "." else rel + "/"
        return rel + ("#" + fragment if fragment else "")

    parts = ["en", "zh", "about", "drafts", "draft-3", "static", "a.css", "404.html", ".", "..", "", "第三"]
    rng = random.Random(7)
    for _ in range(400):
        base = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4))) + rng.choice(["", "/"])
        relative = relative_from(base)
        for _ in range(50):
            target = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4))) + rng.choice(["", "/", "/#x"])
            assert relative(target) == expected(target, base), (target, base)


def test_output_file():
    assert output_file("en/about/") == "en/about/index.html"
    assert output_file("") == "index.html"
    assert output_file("en/404.html") == "en/404.html"


# --------------------------------------------------------------------------------------- links in Markdown

def test_links_and_anchors_that_exist_build_and_render_relative(tmp_path):
    root = make_site(tmp_path, {
        ABOUT: page("About", "[home](index.md#outline) [draft](../drafts/draft-1.md#scope) [self](#part) "
                             "[note][^1] [out](https://itu.int/)\n\n## Part\n\n[^1]: A note, see [up](#fn1).\n"),
        "content/drafts/draft-1.en.md": draft(1, "## Scope {#scope}\n\n[about](../pages/about.md)\n"),
    })
    assert content_errors(root) == []
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert (code, err) == (0, "")
    html = (root / "output/en/about/index.html").read_text("utf-8")
    assert '<a href="../#outline">home</a>' in html
    assert '<a href="../drafts/draft-1/#scope">draft</a>' in html
    assert '<a href="#part">self</a>' in html
    assert '<a href="https://itu.int/" rel="noopener">out</a>' in html
    zh = (root / "output/zh/about/index.html").read_text("utf-8")  # the English page shown in the zh tree
    assert '<a href="../#outline">home</a>' in zh and '<a href="../drafts/draft-1/#scope">draft</a>' in zh


@pytest.mark.parametrize("body, expected", [
    ("See [x](nothere.md).\n", [f"{ABOUT}:4:9: link to 'nothere.md': there is no such page"]),
    ("See [x](../drafts/draft-9.md).\n", [f"{ABOUT}:4:9: link to '../drafts/draft-9.md': there is no such page"]),
    ("See [x](../../site_config.md).\n", [f"{ABOUT}:4:9: link to '../../site_config.md': there is no such page"]),
    ("See [x](../data/meetings.md).\n", [f"{ABOUT}:4:9: link to '../data/meetings.md': there is no such page"]),
    ("See [x](index.md#nowhere).\n",
     [f"{ABOUT}:4:9: link to 'index.md#nowhere': no heading with id 'nowhere' in index.en.md"]),
    ("See [x](#self).\n", [f"{ABOUT}:4:9: link to '#self': no heading with id 'self' in about.en.md"]),
    ("See [x](#fn1).\n", [f"{ABOUT}:4:9: link to '#fn1': no heading with id 'fn1' in about.en.md"]),
    ("Line one\nand [x](a.md) then [y](b.md#z)\n", [f"{ABOUT}:5:9: link to 'a.md': there is no such page",
                                                    f"{ABOUT}:5:24: link to 'b.md': there is no such page"]),
    ("See [a](#näo) and [b](#修订) and [b](#修订).\n",  # each where it stands, as written, and every one of them
     [f"{ABOUT}:4:9: link to '#näo': no heading with id 'näo' in about.en.md",
      f"{ABOUT}:4:23: link to '#修订': no heading with id '修订' in about.en.md",
      f"{ABOUT}:4:36: link to '#修订': no heading with id '修订' in about.en.md"]),
    ("[x](page.html)\n", [f"{ABOUT}:4:5: link to 'page.html' is not allowed: link to another source file "
                          f"(page.md), a #heading, or an http(s) or mailto address"]),
])
def test_broken_links_fail_the_build(tmp_path, body, expected):
    assert_build_fails(tmp_path, {ABOUT: page("About", body)}, expected)


def test_a_page_that_cannot_be_read_holds_back_the_links_and_navigation_naming_it(tmp_path):
    """Its own errors first: the links to it and the navigation entry naming it would go once it reads."""
    config = CONFIG.replace("  - home\n", "  - home\n  - about\n")
    root = make_site(tmp_path, {"site_config.yaml": config, ABOUT: "---\ndescription: no title\n---\nText.\n",
                                "content/pages/index.en.md": page("Home", "See [x](about.md).\n")})
    code, _, err = run_cli(build_args(root))
    assert (code, err.splitlines()) == (1, [f"{ABOUT}:2:1: front matter is missing the required field 'title'",
                                            "2 more errors held back until about.en.md parses",
                                            "1 error; nothing was written"])


def test_anchors_are_checked_against_the_page_each_language_tree_shows(tmp_path):
    # the zh tree shows about.en.md (no zh version); its link to index.md#outline reaches index.zh.md there
    assert_build_fails(tmp_path, {ABOUT: page("About", "[x](index.md#outline)\n"),
                                  "content/pages/index.zh.md": page("首页", "## 概要\n")},
                       [f"{ABOUT}:4:5: link to 'index.md#outline': no heading with id 'outline' in index.zh.md"])


def test_a_chinese_heading_can_be_linked_by_its_id(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.zh.md": page("关于", "## 第三稿 概要\n\n[上](#第三稿-概要)\n"),
                                ABOUT: page("About", "[zh](about.md#outline)\n\n## Outline\n")})
    assert content_errors(root) == []


# ------------------------------------------------------------------------------------ cross-references

@pytest.mark.parametrize("files, expected", [
    ({"content/data/meetings.yaml": MEETING + "    discussed: [7]\n"},
     ["content/data/meetings.yaml:6:17: no draft number 7 in content/drafts"]),
    ({"content/data/timetable.yaml": "milestones:\n  - id: m\n    date: 2020-01-01\n    kind: forum\n"
                                     "    title: T\n    draft: 9\n"},
     ["content/data/timetable.yaml:6:12: no draft number 9 in content/drafts"]),
    ({"content/data/documents.yaml": "documents:\n  - symbol: A\n    title: T\n    kind: report\n"
                                     "    languages: [en]\n    draft: 2\n"},
     ["content/data/documents.yaml:6:12: no draft number 2 in content/drafts"]),
    ({"content/drafts/draft-1.en.md": draft(1, incorporates="ieg-4", documents="[X/1]")},
     ["content/drafts/draft-1.en.md:6:15: no meeting with id 'ieg-4' in meetings.yaml",
      "content/drafts/draft-1.en.md:7:13: no document 'X/1' in documents.yaml"]),
    ({"content/data/timetable.yaml": "milestones:\n  - id: m\n    date: 2020-01-01\n    kind: forum\n"
                                     "    title: T\n    meeting: ieg-9\n"},
     ["content/data/timetable.yaml:6:14: no meeting with id 'ieg-9' in meetings.yaml"]),
])
def test_references_to_missing_drafts_meetings_and_documents(tmp_path, files, expected):
    assert_build_fails(tmp_path, files, expected)


def test_references_that_exist_link_the_site_together(tmp_path):
    root = make_site(tmp_path, {
        "content/data/meetings.yaml": MEETING + "    discussed: [1]\n    produced: [2]\n",
        "content/data/documents.yaml": "documents:\n  - symbol: C/1\n    title: T\n    kind: comment\n"
                                       "    languages: [en]\n    draft: 1\n  - symbol: C/2\n    title: U\n"
                                       "    kind: report\n    languages: [en]\n",
        "content/drafts/draft-1.en.md": draft(1),
        "content/drafts/draft-2.en.md": draft(2, released="2020-02-10", incorporates="ieg-1", documents="[C/2]"),
    })
    site = load_site(options(root)).site
    assert [d.number for d in site.drafts] == [1, 2]
    assert [doc.symbol for doc in site.draft_documents(site.draft(1))] == ["C/1"]
    assert [doc.symbol for doc in site.draft_documents(site.draft(2))] == ["C/2"]
    assert site.latest_draft.number == 2
    keys = {route.key for route in site.routes}
    assert {"draft/1", "draft/2", "changes/2", "drafts-latest", "meeting/ieg-1"} <= keys
    assert "changes/1" not in keys


def test_the_documents_page_groups_documents_without_a_symbol_by_their_own_draft(tmp_path):
    root = make_site(tmp_path, {
        "content/data/documents.yaml": "documents:\n  - title: Of draft 1\n    kind: comment\n    draft: 1\n"
                                       "  - title: Of no draft\n    kind: report\n",
        "content/drafts/draft-1.en.md": draft(1),
    })
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert (code, err) == (0, "")
    html = (root / "output/en/documents/index.html").read_text("utf-8")
    other = html[html.index('id="docs-other"'):]
    assert "Of no draft" in other and "Of draft 1" not in other


# ------------------------------------------------------------------------------------------- collisions

@pytest.mark.parametrize("name", ["drafts", "meetings", "experts", "timetable", "documents"])
def test_a_page_named_like_a_section_is_refused(tmp_path, name):
    assert_build_fails(tmp_path, {f"content/pages/{name}.en.md": page(name.title())}, [
        f"content/pages/{name}.en.md:1:1: 'en/{name}/' would be written twice (by page/{name} and {name}) "
        f"(rename the page)"])


def test_a_page_named_like_a_section_only_in_another_language_is_refused_too(tmp_path):
    assert_build_fails(tmp_path, {"content/pages/drafts.zh.md": page("草案")}, [
        "content/pages/drafts.zh.md:1:1: 'en/drafts/' would be written twice (by page/drafts and drafts) "
        "(rename the page)"])


def test_there_must_be_a_home_page(tmp_path):
    assert_build_fails(tmp_path, {"content/pages/index.en.md": None, ABOUT: page("About")},
                       ["content/pages:1:1: there is no home page: add pages/index.md",
                        "site_config.yaml:11:5: navigation entry 'home' names no page"])


def test_the_places_of_links_the_fast_back_end_left_unplaced_are_the_references(tmp_path):
    """The fast back end leaves a link's line and column to be found when an error needs them (UNPLACED):
    parse.link_positions reads the file again and asks the reference; a file that no longer holds those links
    gives none."""
    from wtpfsite.base.errors import ErrorList
    from wtpfsite.content.fastmd import available, parse_fast
    from wtpfsite.content.markdown import UNPLACED
    from wtpfsite.content.parse import link_positions, parse_source
    from wtpfsite.content.sources import SourceFile

    path = tmp_path / "about.en.md"
    path.write_text("---\ntitle: About\n---\n\nSee [x](a.md)\nand [y](b.md#z), [z](ü.md).\n", "utf-8")
    parsed = parse_source(SourceFile("pages", "about", "en", path), ("en",), False, ErrorList(tmp_path),
                          markdown=parse_fast)
    if available():
        assert all(link.line == UNPLACED for link in parsed.markdown.links)
    assert link_positions(parsed) == [(5, 9), (6, 9), (6, 22)]  # (ü.md too: markdown-it writes it %C3%BC.md)
    path.write_text("---\ntitle: About\n---\n\nNo links now.\n", "utf-8")
    assert link_positions(parsed) is None
