"""Incremental builds (wtpfsite/deps.py): after an edit only the outputs made from what changed are
rendered again, the rest is taken from the last build, and the output is byte-identical to a clean build.

Every test works on a copy of tests/fixtures/basic/ with its own copy of the templates (so they can be edited)
and compares the incremental output with a clean build (`incremental=False`) of the same files into another
folder.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import FIXTURE_TODAY as TODAY, FixtureSite, run_cli, tree_files
from wtpfsite.build import BuildOptions, BuildResult, build
from wtpfsite.deps import CACHE_FILE
from wtpfsite import deps, parsecache
from wtpfsite.errors import ContentErrors
from wtpfsite.session import Session


class Site(FixtureSite):
    """A copy of the fixture in `folder/site`; clean builds of it go to `folder/clean`."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.clean_output = folder / "clean"
        self.cache = self.root / ".wtpfsite-cache" / CACHE_FILE

    def build(self, incremental: bool = True) -> BuildResult:
        return build(BuildOptions(self.config, TODAY), incremental=incremental)

    def clean_build(self) -> dict[str, bytes]:
        """A clean build of the same files into another folder. The build cache beside the config is put back
        as it was afterwards, so that the incremental builds only ever see their own."""
        folder = self.cache.parent
        saved = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        try:
            build(BuildOptions(self.config, TODAY, output_dir=self.clean_output), incremental=False)
        finally:
            shutil.rmtree(folder)
            folder.mkdir()
            for name, data in saved.items():
                (folder / name).write_bytes(data)
        return tree_files(self.clean_output)

    def assert_same_as_clean(self, clean: dict[str, bytes] | None = None) -> None:
        expected, actual = clean if clean is not None else self.clean_build(), tree_files(self.output)
        different = sorted(p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p))
        assert not different, f"the incremental output differs from a clean build in: {different}"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path)
    first = site.build()
    assert first.reused == 0 and first.rendered == len(first.outputs)
    return site


def rendered(result: BuildResult) -> set[str]:
    return set(result.rendered_paths)


def translations(result: BuildResult) -> set[str]:
    """The translators' status pages: they show every page's revision, so any page edit re-renders them."""
    return {o.path for o in result.outputs if o.path.endswith("/translations/index.html")}


def test_a_build_with_nothing_changed_renders_nothing(site):
    before = tree_files(site.output)
    result = site.build()  # the build stamp says nothing changed (tests/test_stamp.py)
    assert result.unchanged and (result.rendered, result.reused) == (0, len(before))
    assert result.rendered_paths == ()
    assert tree_files(site.output) == before
    (site.cache.parent / "stamp.json").unlink()  # without it, every output is found current (deps.Plan)
    result = site.build()
    assert not result.unchanged and (result.rendered, result.reused) == (0, len(result.outputs)) == (0, len(before))
    assert result.rendered_paths == ()
    assert tree_files(site.output) == before


def test_an_unchanged_output_folder_is_left_alone_unless_it_holds_something_else(site):
    inode = site.output.stat().st_ino
    assert site.build().written.written == 0 and site.output.stat().st_ino == inode  # not even swapped
    (site.output / "notes.txt").write_text("mine", "utf-8")
    result = site.build()
    assert result.written.foreign == ("notes.txt",) and not (site.output / "notes.txt").exists()
    (site.output / "en" / "empty").mkdir()
    assert site.build().written.written > 0 and not (site.output / "en" / "empty").exists()
    assert site.build().written.written == 0
    site.assert_same_as_clean()


def test_an_edited_page_re_renders_only_the_pages_made_from_it(site):
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more paragraph.\n")
    result = site.build()
    # the Chinese page is a translation of it: it says whether the translation is out of date
    assert rendered(result) == {"en/about/index.html", "zh/about/index.html"} | translations(result)
    assert result.reused == len(result.outputs) - result.rendered
    assert b"One more paragraph." in site.path("output/en/about/index.html").read_bytes()
    site.assert_same_as_clean()

    site.edit("content/pages/about.zh.md", lambda text: text + "\n又一段。\n")
    assert rendered(site.build()) == {"zh/about/index.html"}  # translations compare only the original's text
    site.assert_same_as_clean()


def test_the_front_matter_of_unchanged_files_is_not_compared_again(site, monkeypatch):
    """What a page shows of another (its title, description, ...) is compared with the last build's only for the
    files whose content changed: an unchanged file parses the same. Nor is each route's signature, when the
    site's structure, which is made of them all, is the same. A title edit is still seen."""
    computed: list[str] = []
    compute = deps.Inputs._compute
    monkeypatch.setattr(deps.Inputs, "_compute", lambda self, key: computed.append(key) or compute(self, key))
    edited = "content/drafts/draft-2.en.md"
    site.edit(edited, lambda text: text + "\nAnother paragraph.\n")
    site.build()
    fields = {tuple(key.split(":", 2)[1:]) for key in computed if key.startswith("s:") and not key.startswith("s:body:")}
    assert fields and {Path(path) for _, path in fields} == {site.path(edited).resolve()}
    assert deps.STRUCTURE in computed and not [key for key in computed if key.startswith("r:")]
    site.assert_same_as_clean()

    site.edit(edited, lambda text: text.replace("title: Second draft of the fixture report", "title: Revised"))
    assert {"en/feed.xml", "en/drafts/draft-2/index.html"} <= rendered(site.build())
    assert b"Revised" in site.path("output/en/feed.xml").read_bytes()
    site.assert_same_as_clean()


def test_a_page_shown_in_another_language_follows_its_source(site):
    # process has no Chinese version: the zh tree shows the English one
    site.edit("content/pages/process.en.md", lambda text: text + "\nA new step.\n")
    result = site.build()
    assert {"en/process/index.html", "zh/process/index.html"} <= rendered(result)
    assert b"A new step." in site.path("output/zh/process/index.html").read_bytes()
    site.assert_same_as_clean()


def test_a_template_edit_re_renders_all_the_pages_that_load_it_and_nothing_else(site):
    site.edit("templates/experts.html", lambda text: text.replace("{% block content %}",
                                                                  "{% block content %}<!-- edited -->", 1))
    assert rendered(site.build()) == {"en/experts/index.html", "zh/experts/index.html"}
    site.assert_same_as_clean()

    site.edit("templates/base.html", lambda text: text.replace("</footer>", "<!-- footer -->\n</footer>", 1))
    result = site.build()
    pages = {o.path for o in result.outputs if o.path.startswith(("en/", "zh/")) and o.path.endswith(".html")}
    assert rendered(result) == pages  # every page extends base.html; feeds, sitemap, static files do not
    site.assert_same_as_clean()


def test_creating_a_template_that_was_missing_re_renders_the_pages_that_looked_for_it(site):
    site.edit("templates/page.html", lambda text: text.replace(
        "{% block content %}", '{% block content %}{% include "page-note.html" ignore missing %}', 1))
    site.build()
    site.path("templates/page-note.html").write_text("<p>A note on every page.</p>\n", "utf-8")
    result = site.build()
    assert rendered(result) == {"en/about/index.html", "zh/about/index.html", "en/process/index.html",
                                "zh/process/index.html"}
    assert b"A note on every page." in site.path("output/en/about/index.html").read_bytes()
    site.assert_same_as_clean()


def test_a_data_edit_re_renders_the_pages_that_show_that_data(site):
    site.edit("content/data/experts.yaml", lambda text: text.replace("Alba Exampleton", "Alba Examplesen"))
    result = site.build()
    assert {"en/experts/index.html", "zh/experts/index.html", "data/experts.csv", "data/experts.json"} \
        <= rendered(result)
    assert not rendered(result) & {"en/about/index.html", "en/drafts/draft-1/index.html", "en/meetings/index.html"}
    site.assert_same_as_clean()

    site.edit("content/data/meetings.yaml", lambda text: text.replace("The first meeting discussed",
                                                                      "The first meeting of the group discussed"))
    result = site.build()
    assert {"en/meetings/index.html", "en/meetings/ieg-1/index.html", "zh/meetings/ieg-1/index.html"} \
        <= rendered(result)
    assert not rendered(result) & {"en/about/index.html", "en/experts/index.html"}
    site.assert_same_as_clean()


def test_a_title_change_re_renders_the_lists_that_show_it(site):
    # drafts.html shows no titles yet: make it list them, the way an editor might
    site.edit("templates/drafts.html", lambda text: text.replace(
        "{% block content %}", "{% block content %}<ul class=\"titles\">{% for d in drafts %}<li>"
        "{{ d.versions[lang].title if lang in d.versions else '' }}</li>{% endfor %}</ul>", 1))
    assert rendered(site.build()) == {"en/drafts/index.html", "zh/drafts/index.html"}

    site.edit("content/drafts/draft-2.en.md", lambda text: text.replace(
        "title: Second draft of the fixture report", "title: Second draft, revised title"))
    result = site.build()
    assert {"en/drafts/index.html",  # lists it
            "en/feed.xml", "zh/feed.xml",  # feed entries carry the title (zh falls back to it where needed)
            "en/drafts/draft-2/index.html", "zh/drafts/draft-2/index.html"} <= rendered(result)
    assert b"Second draft, revised title" in site.path("output/en/drafts/index.html").read_bytes()
    assert not rendered(result) & {"en/about/index.html", "en/experts/index.html", "en/drafts/draft-1/index.html"}
    site.assert_same_as_clean()

    # the body alone does not change the lists
    site.edit("content/drafts/draft-2.en.md", lambda text: text + "\nAnother paragraph.\n")
    result = site.build()
    assert "en/drafts/draft-2/index.html" in rendered(result)
    assert not rendered(result) & {"en/drafts/index.html", "en/feed.xml"}
    site.assert_same_as_clean()


def test_a_deleted_source_s_outputs_disappear(site):
    site.path("content/pages/extra.en.md").write_text("---\ntitle: Extra\n---\nAn extra page.\n", "utf-8")
    site.build()
    assert site.path("output/en/extra/index.html").is_file() and site.path("output/zh/extra/index.html").is_file()
    site.assert_same_as_clean()

    site.path("content/pages/extra.en.md").unlink()
    result = site.build()
    assert not site.path("output/en/extra").exists() and not site.path("output/zh/extra").exists()
    assert "sitemap.xml" in rendered(result) and b"/extra/" not in site.path("output/sitemap.xml").read_bytes()
    assert "en/extra/index.html" not in json.loads(site.cache.read_text("utf-8"))["outputs"]
    site.assert_same_as_clean()


def test_an_output_missing_or_changed_by_hand_is_made_again(site):
    site.path("output/en/about/index.html").unlink()
    site.path("output/en/experts/index.html").write_text("changed by hand", "utf-8")
    site.path("output/sitemap.xml").write_bytes(site.path("output/sitemap.xml").read_bytes() + b" ")
    result = site.build()
    assert {"en/about/index.html", "en/experts/index.html", "sitemap.xml"} <= rendered(result)
    assert not rendered(result) & {"zh/about/index.html", "en/drafts/index.html"}
    site.assert_same_as_clean()


@pytest.mark.parametrize("content, notice", [
    ("{ not json", "is not valid JSON"),
    ('{"format": 999}', "format version 999"),
    (f'{{"format": {deps.FORMAT}, "generator": "0.0.1+old"}}', "another version of the generator"),
    ("[1, 2, 3]", "is malformed"),
])
def test_a_corrupt_or_foreign_cache_is_discarded_with_a_notice(site, content, notice):
    site.cache.write_text(content, "utf-8")
    result = site.build()
    assert notice in result.cache_notice
    assert (result.rendered, result.reused) == (len(result.outputs), 0)
    site.assert_same_as_clean()
    assert site.build().cache_notice is None  # the build wrote a good one


def test_a_cache_with_a_wrong_record_is_discarded(site):
    document = json.loads(site.cache.read_text("utf-8"))
    document["outputs"]["en/about/index.html"]["reads"] = ["t:nowhere.html"]  # a key with no recorded hash
    site.cache.write_text(json.dumps(document), "utf-8")
    result = site.build()
    assert "is malformed" in result.cache_notice and result.reused == 0
    document = json.loads(site.cache.read_text("utf-8"))
    document["outputs"]["en/about/index.html"]["hash"] = "0" * 32  # well-formed, but not what output/ holds
    document["outputs"]["en/about/index.html"]["stat"] = None  # (a recorded stat signature would be trusted)
    site.cache.write_text(json.dumps(document), "utf-8")
    result = site.build()
    assert result.cache_notice is None and rendered(result) == {"en/about/index.html"}
    site.assert_same_as_clean()


def test_invalid_content_changes_nothing_and_the_fix_builds_incrementally(site):
    before, cache = tree_files(site.output), site.cache.read_bytes()
    site.edit("content/pages/about.en.md", lambda text: text.replace("[home page](index.md)", "[home](nowhere.md)"))
    with pytest.raises(ContentErrors):
        site.build()
    assert tree_files(site.output) == before and site.cache.read_bytes() == cache
    site.edit("content/pages/about.en.md", lambda text: text.replace("[home](nowhere.md)", "[home](index.md)"))
    result = site.build()
    assert {"en/about/index.html", "zh/about/index.html"} <= rendered(result) and result.reused > 30
    site.assert_same_as_clean()


def test_a_file_changed_while_the_build_reads_it_is_not_trusted_next_time(site):
    site.edit("content/pages/about.en.md", lambda text: text + "\nFirst edit.\n")

    def edit_during_rendering(done: int, total: int) -> None:  # after the parse, before the cache is saved
        if done == 1:
            site.edit("content/pages/about.en.md", lambda text: text + "\nSecond edit.\n")

    build(BuildOptions(site.config, TODAY), edit_during_rendering)
    assert b"Second edit." not in site.path("output/en/about/index.html").read_bytes()
    result = site.build()
    assert "en/about/index.html" in rendered(result)
    assert b"Second edit." in site.path("output/en/about/index.html").read_bytes()
    site.assert_same_as_clean()


def test_unchanged_files_are_not_parsed_again(site, monkeypatch):
    import wtpfsite.parsecache as parsecache

    parsed, loaded, catalogs = [], [], []
    parse_source, load_data, load_strings = parsecache.parse_source, parsecache.load_data, parsecache.load_strings
    monkeypatch.setattr(parsecache, "parse_source", lambda file, *a: parsed.append(file.path.name) or
                        parse_source(file, *a))
    monkeypatch.setattr(parsecache, "load_data", lambda *a: loaded.append(1) or load_data(*a))
    monkeypatch.setattr(parsecache, "load_strings", lambda *a: catalogs.append(1) or load_strings(*a))
    site.build()
    assert parsed == [] and loaded == [] and catalogs == []
    for name in ("about.en.md", "about.zh.md"):  # the zh tree shows about.zh.md: it needs the footnote too
        site.edit(f"content/pages/{name}", lambda text: text + "\nA footnote.[^n]\n\n[^n]: The note.\n")
    site.edit("content/pages/process.en.md", lambda text: text + "\nSee [the note](about.md#fn1).\n")
    site.build()
    assert sorted(parsed) == ["about.en.md", "about.zh.md", "process.en.md"] and loaded == []
    site.edit("content/data/timetable.yaml", lambda text: text.replace("First draft published", "Draft 1 out"))
    site.build()
    assert len(parsed) == 3 and loaded == [1] and catalogs == []
    site.edit("content/strings.yaml", lambda text: text.replace("nav.home: {en: Home,", "nav.home: {en: Start,"))
    site.build()
    assert catalogs == [1] and ">Start<" in site.path("output/en/about/index.html").read_text("utf-8")
    site.assert_same_as_clean()
    catalogs.clear()  # (the clean build read it too)
    site.edit("content/strings.yaml",
              lambda text: text.replace("nav.home: {en: Start, zh: 首页}", "nav.home: {en: Start}"))
    with pytest.raises(ContentErrors, match=r"strings\.yaml:\d+:\d+: .*zh"):  # a catalog with errors is not kept
        site.build()
    with pytest.raises(ContentErrors, match=r"strings\.yaml:\d+:\d+: .*zh"):
        site.build()
    assert catalogs == [1, 1]
    site.edit("content/strings.yaml",
              lambda text: text.replace("nav.home: {en: Start}", "nav.home: {en: Start, zh: 首页}"))
    # the parse cache's anchors (heading and footnote ids) still check links
    site.edit("content/pages/process.en.md", lambda text: text.replace("about.md#fn1", "about.md#fn2"))
    with pytest.raises(ContentErrors, match="no heading with id 'fn2'"):
        site.build()


@pytest.mark.parametrize("damage, notice", [
    (lambda data: data[:-10], "is damaged"),
    (lambda data: b"garbage", "is malformed"),
    (lambda data: data.replace(f"wtpfsite-parsed {parsecache.FORMAT} ".encode(), b"wtpfsite-parsed 9 ", 1),
     "has format version '9'"),
])
def test_a_damaged_parse_cache_shard_is_discarded_with_a_notice(site, damage, notice, monkeypatch):
    shards = sorted((site.cache.parent / parsecache.CACHE_FOLDER).glob("*.pickle"))
    assert len(shards) > 1
    path = next(p for p in shards if any(key[0] == "source" for key in parsecache._read_shard(p)[0]))
    path.write_bytes(damage(path.read_bytes()))
    parses = []
    parse_source = parsecache.parse_source
    monkeypatch.setattr(parsecache, "parse_source", lambda *args: parses.append(args[0].path) or parse_source(*args))
    result = site.build()
    assert result.cache_notice.startswith(f"{parsecache.CACHE_FOLDER}/{path.name} {notice}")
    assert result.rendered == 0  # the outputs' records still hold
    assert parses and len(parses) < len(list(site.root.glob("content/**/*.md")))  # only that shard's files again
    assert parsecache._read(site.cache.parent)[1] is None  # the shard was written again
    site.assert_same_as_clean()


def test_the_templates_are_those_of_the_config_the_site_was_loaded_with(site, monkeypatch):
    """The build compiles the templates of the config it read first while the workers parse; should the config
    name another templates folder by the time the site is loaded, the pages use that one."""
    shutil.copytree(site.path("templates"), site.path("templates2"))
    site.edit("templates2/base.html", lambda text: text + "<!-- the second templates folder -->\n")
    original = deps.FileHashes.before_load.__func__

    def before_load(cls, config_path):
        snapshot = original(cls, config_path)
        site.edit("site_config.yaml",
                  lambda text: text.replace("templates_dir: templates", "templates_dir: templates2"))
        return snapshot

    monkeypatch.setattr(deps.FileHashes, "before_load", classmethod(before_load))
    site.edit("content/pages/about.en.md", lambda text: text + "\nAn edit: no answer from the build stamp.\n")
    site.build()
    assert b"<!-- the second templates folder -->" in site.path("output/en/about/index.html").read_bytes()


def test_the_parses_are_kept_when_the_pages_then_fail_to_render(site, monkeypatch):
    """The command line writes the parse cache while the pages render: a template error after the load stage
    costs the next build no parsing."""
    site.edit("content/pages/about.en.md", lambda text: text + "\nAn edit before a template error.\n")
    site.edit("templates/page.html", lambda text: text.replace("{{ page.title }}", "{{ page.no_such_field }}", 1))
    with pytest.raises(ContentErrors, match="page.html"):
        site.build()
    site.edit("templates/page.html", lambda text: text.replace("{{ page.no_such_field }}", "{{ page.title }}", 1))
    parses = []
    parse_source = parsecache.parse_source
    monkeypatch.setattr(parsecache, "parse_source", lambda *args: parses.append(args[0].path) or parse_source(*args))
    site.build()
    assert parses == []
    assert b"An edit before a template error." in site.path("output/en/about/index.html").read_bytes()
    site.assert_same_as_clean()


def test_a_build_writes_only_the_parse_cache_shards_whose_files_changed(site):
    folder = site.cache.parent / parsecache.CACHE_FOLDER
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert len(before) > 3 and not (site.cache.parent / parsecache.LEGACY_FILE).exists()
    (site.cache.parent / parsecache.LEGACY_FILE).write_bytes(b"wtpfsite-parsed 4 ...")  # an older generator's
    time.sleep(0.01)
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more line.\n")
    site.build()
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert after.keys() == before.keys()
    changed = {name for name in after if after[name] != before[name]}
    assert len(changed) == 1  # the shard of about.en.md, holding its new parse instead of the old one
    assert not (site.cache.parent / parsecache.LEGACY_FILE).exists()
    entries, notice = parsecache._read(site.cache.parent)
    assert notice is None and sum(1 for key in entries if "about.en.md" in str(key[1])) == 1
    site.assert_same_as_clean()


def test_the_search_index_is_made_again_only_when_some_html_changed(tmp_path, monkeypatch):
    import wtpfsite.search

    site = Site(tmp_path)
    site.edit("site_config.yaml", lambda text: text.replace("search: false", "search: true"))
    runs = []
    index_site = wtpfsite.search.index_site
    monkeypatch.setattr(wtpfsite.search, "index_site", lambda *args: runs.append(1) or index_site(*args))
    site.build()
    bundle = {p: data for p, data in tree_files(site.output).items() if p.startswith("pagefind/")}
    assert len(runs) == 1 and "pagefind/pagefind-ui.js" in bundle
    assert site.build().rendered == 0 and len(runs) == 1  # nothing changed: the last index is kept
    assert {p: data for p, data in tree_files(site.output).items() if p.startswith("pagefind/")} == bundle
    site.assert_same_as_clean()
    runs.clear()

    site.path("output/pagefind/pagefind-entry.json").write_text("{}", "utf-8")  # changed by hand: made again
    site.build()
    assert len(runs) == 1
    site.edit("content/pages/about.en.md", lambda text: text + "\nSearchable words.\n")
    site.build()
    assert len(runs) == 2
    site.assert_same_as_clean()


def _search_site(tmp_path, monkeypatch) -> tuple[Site, list[int]]:
    """A site with search on, built once; and the list that counts Pagefind runs from then on."""
    import wtpfsite.search

    site = Site(tmp_path)
    site.edit("site_config.yaml", lambda text: text.replace("search: false", "search: true"))
    site.build()
    runs = []
    run_pagefind = wtpfsite.search.run_pagefind
    monkeypatch.setattr(wtpfsite.search, "run_pagefind", lambda *args: runs.append(1) or run_pagefind(*args))
    return site, runs


def _index(site: Site) -> dict[str, bytes]:
    return {p: data for p, data in tree_files(site.output).items() if p.startswith("pagefind/")}


def _deferred(site: Site, session: Session | None = None) -> BuildResult:
    """A watch-mode build (a new session, unless given one)."""
    return build(BuildOptions(site.config, TODAY), session=session or Session())


def test_a_watch_mode_rebuild_keeps_the_last_index_and_makes_it_again_afterwards(tmp_path, monkeypatch):
    site, runs = _search_site(tmp_path, monkeypatch)
    old = _index(site)
    site.edit("content/pages/about.en.md", lambda text: text + "\nSearchable words.\n")
    result = _deferred(site)
    assert runs == [] and result.afterwards.index is not None
    assert "Searchable words." in site.path("output/en/about/index.html").read_text("utf-8")  # the page is new
    assert _index(site) == old  # the index is the last one, for now
    assert result.afterwards.run() is True and len(runs) == 1
    site.assert_same_as_clean()  # index and all
    runs.clear()  # (the clean build ran Pagefind too)
    assert site.build().rendered == 0 and runs == []  # the cache records the index made afterwards
    assert site.build().unchanged


def test_an_index_left_stale_is_never_taken_for_current(tmp_path, monkeypatch):
    site, runs = _search_site(tmp_path, monkeypatch)
    site.edit("content/pages/about.en.md", lambda text: text + "\nSearchable words.\n")
    assert _deferred(site).afterwards.index is not None
    assert _deferred(site).afterwards.index is not None and runs == []  # another watch-mode build: still stale
    result = site.build()  # the command line, the pending index never made (nor the caches saved): made here
    assert not result.unchanged and len(runs) == 1
    site.assert_same_as_clean()


def test_a_pending_index_stops_when_a_file_changes_and_leaves_the_last_one(tmp_path, monkeypatch):
    site, runs = _search_site(tmp_path, monkeypatch)
    old = _index(site)
    site.edit("content/pages/about.en.md", lambda text: text + "\nSearchable words.\n")
    afterwards = _deferred(site).afterwards
    assert afterwards.run(cancelled=lambda: True) is False
    assert _index(site) == old
    assert not list(site.root.glob(".staging-*"))  # the half-made index is gone
    assert _deferred(site).afterwards.index is not None  # and the next rebuild leaves one again
    site.build()
    site.assert_same_as_clean()


def test_a_template_edit_in_watch_mode_stages_the_site_with_the_last_index(tmp_path, monkeypatch):
    site, runs = _search_site(tmp_path, monkeypatch)
    old = _index(site)
    site.edit("templates/base.html", lambda text: text.replace("</body>", "<!-- edited --></body>"))
    result = _deferred(site)
    assert result.rendered > len(result.outputs) // 2  # more than in-place updates take: staged and swapped
    assert _index(site) == old and runs == []
    assert result.afterwards.run() is True
    site.assert_same_as_clean()


def test_a_watch_mode_build_with_no_index_yet_makes_it_at_once(tmp_path):
    site = Site(tmp_path)
    site.edit("site_config.yaml", lambda text: text.replace("search: false", "search: true"))
    result = _deferred(site)
    assert result.afterwards.index is None and "pagefind/pagefind-ui.js" in _index(site)
    site.assert_same_as_clean()


def test_watch_mode_builds_keep_the_caches_in_memory_and_save_them_after(tmp_path, monkeypatch):
    site = Site(tmp_path)
    session = Session()
    first = _deferred(site, session)  # reads what is on disk (nothing here), like any build
    assert first.rendered == len(first.outputs) and not site.cache.exists()  # nothing saved yet
    assert first.afterwards.run() is True and site.cache.exists()
    saved = {p.name: p.read_bytes() for p in site.cache.parent.iterdir() if p.is_file()}
    assert {"deps.json", "stamp.json"} <= saved.keys() and any((site.cache.parent / "parsed").iterdir())

    def no_reading(*args):
        raise AssertionError("a watch-mode build read a cache from disk")

    monkeypatch.setattr(deps, "load_cache", no_reading)
    monkeypatch.setattr(parsecache, "_read", no_reading)
    parses = []
    parse_source = parsecache.parse_source
    monkeypatch.setattr(parsecache, "parse_source", lambda *args: parses.append(args[0].path) or parse_source(*args))
    site.edit("content/pages/about.en.md", lambda text: text + "\nEdited while serving.\n")
    second = _deferred(site, session)
    assert [p.name for p in parses] == ["about.en.md"]  # only the edited file is parsed again
    assert rendered(second) >= {"en/about/index.html"} and len(rendered(second)) < len(second.outputs)
    assert {p.name: p.read_bytes() for p in site.cache.parent.iterdir() if p.is_file()}["deps.json"] == \
        saved["deps.json"]  # not saved yet
    second.afterwards.finish()  # what a stopping server does
    monkeypatch.undo()
    site.assert_same_as_clean()
    assert site.build().rendered == 0  # the command line finds the caches the watch-mode build saved


def test_the_command_line_reports_counts_and_no_cache_makes_everything_again(site):
    args = ["build", "--config", str(site.config), "--today", TODAY.isoformat()]
    code, out, err = run_cli(args)
    assert code == 0 and err == ""
    count = len(tree_files(site.output))
    assert out.endswith(f": rendered 0, reused {count}\n")
    code, out, err = run_cli(args + ["--no-cache"])
    assert code == 0 and out.endswith(f": rendered {count}, reused 0\n")
    site.cache.write_text("garbage", "utf-8")
    code, out, err = run_cli(args)
    assert code == 0 and err == f"build cache discarded: {CACHE_FILE} is not valid JSON\n"
    code, out, err = run_cli(args + ["--quiet"])
    assert code == 0 and out == "" and err == ""


# ------------------------------------------------------------------------------------ the property test

PAGES = ("content/pages/about.en.md", "content/pages/about.zh.md", "content/pages/index.en.md",
         "content/pages/index.zh.md", "content/pages/process.en.md", "content/drafts/draft-1.en.md",
         "content/drafts/draft-2.zh.md")
DATA_MARKERS = (("content/data/experts.yaml", "Exampleton"), ("content/data/meetings.yaml", "The first meeting"),
                ("content/data/timetable.yaml", "First draft published"),
                ("content/data/documents.yaml", "Comments on the first draft"))
TEMPLATES = ("page.html", "experts.html", "drafts.html", "draft.html", "home.html", "meeting.html", "base.html")

page_names = st.sampled_from(PAGES)
words = st.sampled_from(["alpha", "beta", "gamma", "delta", "第三稿", "概要"])
actions = st.one_of(
    st.tuples(st.just("append"), page_names, words),
    st.tuples(st.just("title"), page_names, words),
    st.tuples(st.just("data"), st.sampled_from(DATA_MARKERS), words),
    st.tuples(st.just("template"), st.sampled_from(TEMPLATES), words),
    st.tuples(st.just("rename"), page_names, words),
    st.tuples(st.just("delete"), page_names, words),
    st.tuples(st.just("add"), st.sampled_from(["en", "zh"]), words),
)


def apply(root: Path, action: tuple) -> None:
    """One editor's change; it may make the content invalid (a link to a deleted page, a draft renamed...)."""
    kind, target, word = action
    if kind == "data":
        path, marker = root / target[0], target[1]
        path.write_text(path.read_text("utf-8").replace(marker, f"{marker} {word}", 1), "utf-8")
        return
    if kind == "template":
        path = root / "templates" / target
        path.write_text(path.read_text("utf-8").replace("{% block content %}",
                                                        f"{{% block content %}}<!-- {word} -->", 1), "utf-8")
        return
    if kind == "add":
        folder = root / "content" / "pages"
        number = len(list(folder.glob("*.md")))
        (folder / f"new-{number}.{target}.md").write_text(f"---\ntitle: New {word}\n---\nA new page: {word}.\n\n"
                                                          f"## {word.title()}\n\nSee [about](about.md).\n", "utf-8")
        return
    path = root / target
    if not path.exists():  # renamed or deleted by an earlier step
        return
    if kind == "append":
        path.write_text(path.read_text("utf-8") + f"\n{word} appended.\n", "utf-8")
    elif kind == "title":
        path.write_text(re.sub(r"(?m)^title: .*$", f"title: Title {word}", path.read_text("utf-8"), count=1), "utf-8")
    elif kind == "rename":
        name, lang, _ = path.name.split(".")
        path.rename(path.with_name(f"{name}-{word.encode('utf-8').hex()[:6]}.{lang}.md"))
    elif kind == "delete":
        path.unlink()


def built_or_error(run):
    try:
        return run()
    except ContentErrors:
        return "errors"


class PristineSite:
    """One fixture copy built once, restored to that state (content, templates, output and cache, in the same
    place, so the cache's paths hold) before each example."""

    def __init__(self, folder: Path):
        self.site = Site(folder)
        self.site.build()
        self.saved = folder / "pristine"
        for name in ("content", "templates", "output", ".wtpfsite-cache"):
            shutil.copytree(self.site.root / name, self.saved / name)

    def restore(self) -> Site:
        for name in ("content", "templates", "output", ".wtpfsite-cache"):
            shutil.rmtree(self.site.root / name, ignore_errors=True)
            shutil.copytree(self.saved / name, self.site.root / name)
        return self.site


@pytest.fixture(scope="module")
def pristine():
    with tempfile.TemporaryDirectory() as folder:
        yield PristineSite(Path(folder))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(actions, min_size=1, max_size=3))
@example(steps=[("data", marker, "alpha") for marker in DATA_MARKERS])  # each data file, every time
@example(steps=[("add", "zh", "beta"), ("title", "content/drafts/draft-1.en.md", "gamma"),
                ("rename", "content/pages/about.zh.md", "delta"), ("delete", "content/pages/index.en.md", "alpha")])
def test_incremental_builds_match_clean_builds_after_any_edits(pristine, steps):
    site = pristine.restore()
    for step in steps:
        apply(site.root, step)
        before = tree_files(site.output)
        incremental = built_or_error(site.build)
        clean = built_or_error(site.clean_build)
        assert (incremental == "errors") == (clean == "errors"), \
            f"after {step}: only the {'incremental' if incremental == 'errors' else 'clean'} build failed"
        if incremental == "errors":
            assert tree_files(site.output) == before, f"a failed build changed the output (after {step})"
        else:
            site.assert_same_as_clean(clean)


def test_compiled_templates_are_kept_in_the_cache_for_the_next_build(tmp_path, monkeypatch):
    from jinja2 import Environment

    from wtpfsite import render

    site = Site(tmp_path)
    site.build()
    folder = site.cache.parent / "templates"
    assert any(folder.glob("*.code"))  # the first build wrote them
    render._COMPILED.clear()  # as in a new process
    compiled = []
    original = Environment.compile
    monkeypatch.setattr(Environment, "compile", lambda self, *a, **k: compiled.append(a) or original(self, *a, **k))
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more line.\n")
    site.build()
    assert compiled == []  # read back, not compiled
    site.edit("templates/base.html", lambda text: text + "\n")
    site.build()
    assert len(compiled) == 1  # only the edited one
    for code in folder.glob("*.code"):
        code.write_bytes(b"damaged")
    render._COMPILED.clear()
    site.edit("content/pages/about.en.md", lambda text: text + "\nAnd another.\n")
    site.build()
    site.assert_same_as_clean()


def test_unchanged_outputs_are_known_by_their_stat_signature_and_not_read(site, monkeypatch):
    from wtpfsite import stamp

    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)  # every file old enough to be trusted by its signature
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    site.build(incremental=False)
    records = json.loads(site.cache.read_text("utf-8"))["outputs"]
    assert [path for path, record in records.items() if not record["stat"]] == []
    read = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or original(self))
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more line.\n")
    result = site.build()
    assert result.reused > 30
    assert not [p for p in read if site.output in p.parents]  # no published output was read
    assert all(o.data is None for o in result.outputs if o.path not in rendered(result))
    site.assert_same_as_clean()


def test_outputs_left_in_place_keep_their_signature_and_are_not_looked_at_again(site, monkeypatch):
    """An output found unchanged by its recorded signature, and left where it was (an edit's rebuild replaces the
    changed files in place), keeps that signature in the new record: the build looks at each once. After a
    rebuild that swaps a new folder in, where the kept files are linked (their ctime changes when the old folder
    goes, after the record is taken), the next build finds them unchanged by their bytes, and does not make them
    again (it did, before the record left their signatures out)."""
    from wtpfsite import stamp

    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)  # every file old enough to be trusted by its signature
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    site.build(incremental=False)
    looked_at: list[str] = []
    signature = deps.output_signature
    monkeypatch.setattr(deps, "output_signature", lambda path, now: looked_at.append(str(path)) or signature(path, now))

    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more line.\n")
    result = site.build()
    assert result.written.kept_in_place and result.reused > 30
    assert sorted(looked_at) == sorted(set(looked_at))  # each output once (its reuse), the ones made again after
    records = json.loads(site.cache.read_text("utf-8"))["outputs"]
    assert all(records[path]["stat"] == signature(site.output / path, None) for path in records)
    site.assert_same_as_clean()

    site.edit("templates/base.html", lambda text: text.replace("</body>", "<!-- edited -->\n</body>"))
    swapped = site.build()
    assert not swapped.written.kept_in_place and swapped.reused > 0
    records = json.loads(site.cache.read_text("utf-8"))["outputs"]
    kept = {o.path for o in swapped.outputs if o.path not in swapped.rendered_paths}
    assert {path for path, record in records.items() if record["stat"] is None} == kept
    site.edit("content/pages/about.en.md", lambda text: text + "\nAnd another.\n")
    again = site.build()
    assert rendered(again) == {"en/about/index.html", "zh/about/index.html"} | translations(again)
    site.assert_same_as_clean()


def test_the_next_build_reads_only_the_inputs_whose_stat_signature_changed(site, monkeypatch):
    """The input hashes a build took are kept with their stat signatures (deps.save_hashes): a build in a new
    process (here: the hashes this one knows forgotten) reads the inputs whose signature changed, and no other."""
    import os

    from wtpfsite import stamp

    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)  # every file old enough to be trusted by its signature
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    site.build()
    kept = json.loads((site.cache.parent / deps.HASHES_FILE).read_text("utf-8"))["files"]
    inputs = [str(p.resolve()) for p in site.path("content").rglob("*") if p.is_file()]
    assert set(inputs) <= set(kept)
    edited = site.path("content/pages/about.en.md")
    same_size = site.path("content/pages/process.en.md")  # changed, its size and mtime kept: its ctime tells
    info = same_size.stat()
    data = bytearray(same_size.read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    same_size.write_bytes(bytes(data))
    os.utime(same_size, ns=(info.st_atime_ns, info.st_mtime_ns))
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more line.\n")
    hashed = []  # the files deps.file_hash reads
    monkeypatch.setattr(deps, "open", lambda path, mode: hashed.append(Path(path)) or open(path, mode), raising=False)
    monkeypatch.setattr(deps, "_KNOWN", {})  # a new process
    monkeypatch.setattr(deps, "_RECALLED", set())
    result = site.build()
    assert sorted(p for p in hashed if site.path("content") in p.parents) == sorted([edited, same_size])
    assert {"en/about/index.html", "en/process/index.html"} <= set(rendered(result))
    assert b"One more line." in site.path("output/en/about/index.html").read_bytes()
    site.assert_same_as_clean()


@pytest.mark.parametrize("content", ["", "not json", '{"format": 1, "files": []}', '{"format": 1, "files": {"a": 1}}',
                                     '{"format": 99, "files": {}}', '[1]'])
def test_a_missing_or_malformed_hashes_file_means_hashing_every_input(site, monkeypatch, content):
    site.build()
    (site.cache.parent / deps.HASHES_FILE).write_text(content, "utf-8")
    monkeypatch.setattr(deps, "_KNOWN", {})
    monkeypatch.setattr(deps, "_RECALLED", set())
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more line.\n")
    result = site.build()
    assert "en/about/index.html" in rendered(result)
    assert json.loads((site.cache.parent / deps.HASHES_FILE).read_text("utf-8"))["format"] == deps.HASHES_FORMAT
    site.assert_same_as_clean()


def test_a_process_takes_the_kept_hashes_once(site, monkeypatch):
    """Watch mode builds again and again: the hashes file is read by the first build only (what the process
    hashed after that is in memory)."""
    site.build()
    monkeypatch.setattr(deps, "_RECALLED", set())
    read = []
    original = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: read.append(self.name) or original(self, *a, **k))
    for number in range(3):
        site.edit("content/pages/about.en.md", lambda text: text + f"\nEdit {number}.\n")
        site.build()
    assert read.count(deps.HASHES_FILE) == 1 + 3  # one recall; each save compares the file with what it writes


def test_an_output_edited_with_its_size_and_mtime_kept_is_made_again(site, monkeypatch):
    import os

    from wtpfsite import stamp

    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    site.build(incremental=False)
    target = site.output / "zh" / "about" / "index.html"
    info, data = target.stat(), bytearray(target.read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    target.write_bytes(bytes(data))
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))  # the ctime changes all the same
    result = site.build()
    assert "zh/about/index.html" in rendered(result)
    site.assert_same_as_clean()


def test_outputs_are_copied_when_they_cannot_be_linked(site, monkeypatch):
    from wtpfsite import write

    site.build()
    monkeypatch.setattr(write, "_link", lambda source, target: False)  # a file system without hard links
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more line.\n")
    result = site.build()
    assert result.reused > 30
    site.assert_same_as_clean()


def test_a_remembered_result_notes_the_reads_of_the_call_that_made_it():
    calls = []

    @deps.remember_last
    def summary(data, name):
        calls.append(name)
        deps.note(f"d:{name}")
        return [name, len(data)]

    data = (1, 2, 3)
    with deps.recording() as first:
        made = summary(data, "meetings")
    with deps.recording() as second:
        again = summary(data, "meet" + "ings")  # an equal string: the same call
    assert again is made and calls == ["meetings"] and first == second == {"d:meetings"}
    with deps.recording() as third:
        summary([1, 2, 3], "meetings")  # another object, however equal: called again
    assert calls == ["meetings", "meetings"] and third == {"d:meetings"}
    summary(data, "experts")
    assert calls[-1] == "experts"


def test_results_remembered_per_item_are_kept_for_the_items_of_the_last_round():
    calls = []

    @deps.remember_each
    def problems(route, lang):
        calls.append(route[0])
        deps.note(f"s:title:{route[0]}")
        return (route[0], lang)

    first, second = ("a",), ("b",)
    problems.new_round()
    assert [problems(first, "en"), problems(second, "en")] == [("a", "en"), ("b", "en")]
    problems.new_round()
    with deps.recording() as reads:
        problems(first, "en")  # remembered from the last round
    assert calls == ["a", "b"] and reads == {"s:title:a"}
    problems(first, "zh")  # other values: called again
    problems.new_round()
    problems(second, "en")  # not asked for in the last round: forgotten
    assert calls == ["a", "b", "a", "b"]
    problems(tuple(["a"]), "zh")  # an equal item that is another object: called again
    assert calls[-1] == "a" and len(calls) == 5


def test_file_hashes_defer_the_markdown_sources_to_the_parse_that_reads_them(tmp_path, monkeypatch):
    """deps.FileHashes: the Markdown files under the content folder it has no hash of wait for `take` (the read a
    parse made) or for the first question about them; every other input is hashed at once."""
    from wtpfsite import stamp

    monkeypatch.setattr(deps, "_KNOWN", {})
    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)  # every file old enough to be trusted by its signature
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    content, templates = tmp_path / "content", tmp_path / "templates"
    (content / "pages").mkdir(parents=True)
    templates.mkdir()
    for name, text in (("pages/a.md", "a"), ("pages/b.md", "b"), ("pages/c.md", "c"), ("pages/d.md", "d"),
                       ("strings.yaml", "s"), ("notes.txt", "n")):
        (content / name).write_text(text, "utf-8")
    (templates / "x.md").write_text("a template folder's .md: not a source", "utf-8")
    page = {name: str((content / "pages" / f"{name}.md").resolve()) for name in "abcd"}
    deps.file_hash(page["d"])  # hashed before: known by its signature, not deferred
    hashes = deps.FileHashes((content, templates), defer_under=content)
    assert [hashes.deferred(page[name]) for name in "abcd"] == [True, True, True, False]
    assert not any(hashes.deferred(p) for p in (content / "strings.yaml", content / "notes.txt", templates / "x.md"))

    hashes.take(deps.read_hashed(page["a"]))  # a parse's read
    assert not hashes.deferred(page["a"]) and hashes.get(page["a"]) == deps.digest(b"a")
    assert deps.file_hash(page["a"]) == deps.digest(b"a")
    assert hashes.get(page["b"]) == deps.digest(b"b") and not hashes.deferred(page["b"])  # asked first: hashed now
    (content / "pages" / "b.md").write_text("b, changed after the build hashed it", "utf-8")
    hashes.take(deps.read_hashed(page["b"]))  # a parse that read other bytes than were hashed
    assert hashes.get(page["b"]) == deps.UNSTABLE
    assert dict(hashes.items())[page["c"]] == deps.digest(b"c")  # all of them, once listed
    assert not hashes.deferred(page["c"])
    (content / "pages" / "e.md").write_text("new", "utf-8")
    assert hashes.get(content / "pages" / "e.md") == deps.MISSING  # not there when the snapshot was taken


def test_a_file_read_and_hashed_in_one_go(tmp_path, monkeypatch):
    from wtpfsite import stamp

    path = tmp_path / "f.md"
    path.write_bytes(b"text")
    read = deps.read_hashed(path)
    assert (read.path, read.data, read.hash) == (str(path), b"text", deps.digest(b"text"))
    assert read.signature is None  # just written: its signature cannot be trusted yet (stamp.racy)
    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    assert deps.read_hashed(path).signature == stamp.file_signature(path.stat())
    assert deps.read_hashed(tmp_path / "none.md").hash == deps.MISSING
    assert deps.read_hashed(tmp_path).hash == deps.MISSING  # a folder, as file_hash says of it
