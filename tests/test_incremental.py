"""Incremental builds (wtpfsite/pipeline/incremental.py): after an edit only the pages whose declared inputs
changed are rendered again, the rest is kept from the last build, and the output is byte-identical to a clean
build, for `build` and for watch mode's rebuild alike.

Every test works on a copy of tests/fixtures/basic/ with its own copy of the templates (so they can be edited)
and compares the incremental output with a clean build (`incremental=False`) of the same files elsewhere.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import FIXTURE_TODAY as TODAY, FixtureSite, leftovers, run_cli, tree_files
from wtpfsite.base.errors import ContentErrors
from wtpfsite.commands.livereload import Coordinator
from wtpfsite.commands.serve import WatchBuild
from wtpfsite.pipeline.build import BuildOptions, BuildResult, build

PAGES_OF_EVERY_LANGUAGE = ("en/", "zh/")


class Site(FixtureSite):
    """A copy of the fixture in `folder/site`; clean builds of it go to `folder/clean`."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.clean_output = folder / "clean"
        self.cache = self.root / ".wtpfsite-cache"

    def build(self, incremental: bool = True) -> BuildResult:
        return build(BuildOptions(self.config, TODAY), incremental=incremental)

    def clean_build(self) -> dict[str, bytes]:
        """A clean build of a copy of the same files, elsewhere: nothing of this site's output or caches is used."""
        copy = self.folder / "clean-site"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(self.root, copy, ignore=shutil.ignore_patterns("output", ".wtpfsite-cache"))
        build(BuildOptions(copy / "site_config.yaml", TODAY, output_dir=self.clean_output), incremental=False)
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


def pages(result: BuildResult) -> set[str]:
    """The pages the build rendered (the other outputs are made by every build)."""
    return {path for path in result.rendered_paths if path.startswith(PAGES_OF_EVERY_LANGUAGE)
            and path.endswith(".html")}


def report(result: BuildResult) -> set[str]:
    """The translators' status pages: they show every page's revision, so any page edit renders them again."""
    return {path for path in result.rendered_paths if path.endswith("/translations/index.html")}


def test_a_build_with_nothing_changed_renders_no_page(site):
    before = tree_files(site.output)
    result = site.build()
    assert (result.rendered, result.reused) == (0, len(result.outputs))
    assert result.written.written == 0  # the output folder is left as it was
    assert tree_files(site.output) == before


def test_an_edited_page_re_renders_only_the_pages_made_from_it(site):
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more paragraph.\n")
    result = site.build()
    # the Chinese page is a translation of it: it says whether the translation is out of date
    assert pages(result) == {"en/about/index.html", "zh/about/index.html"} | report(result)
    assert b"One more paragraph." in site.path("output/en/about/index.html").read_bytes()
    site.assert_same_as_clean()

    site.edit("content/pages/about.zh.md", lambda text: text + "\n又一段。\n")
    assert pages(site.build()) == {"zh/about/index.html"} | report(result)
    site.assert_same_as_clean()


def test_a_page_shown_in_another_language_follows_its_source(site):
    site.edit("content/pages/process.en.md", lambda text: text + "\nA new step.\n")
    result = site.build()
    assert {"en/process/index.html", "zh/process/index.html"} <= pages(result)
    assert b"A new step." in site.path("output/zh/process/index.html").read_bytes()
    site.assert_same_as_clean()


def test_a_template_edit_re_renders_the_pages_that_load_it_and_nothing_else(site):
    site.edit("templates/experts.html", lambda text: text.replace("{% block content %}",
                                                                  "{% block content %}<!-- edited -->", 1))
    assert pages(site.build()) == {"en/experts/index.html", "zh/experts/index.html"}
    site.assert_same_as_clean()

    site.edit("templates/base.html", lambda text: text.replace("</footer>", "<!-- footer -->\n</footer>", 1))
    result = site.build()
    every_page = {path for path in result.outputs if path.startswith(PAGES_OF_EVERY_LANGUAGE) and path.endswith(".html")}
    # every page extends base.html (the redirect pages of the fixture's moved page are no pages)
    assert pages(result) == every_page - {"en/group/index.html", "zh/group/index.html"}
    site.assert_same_as_clean()


def test_creating_a_template_that_was_missing_re_renders_the_pages_that_looked_for_it(site):
    site.edit("templates/page.html", lambda text: text.replace(
        "{% block content %}", '{% block content %}{% include "page-note.html" ignore missing %}', 1))
    site.build()
    site.path("templates/page-note.html").write_text("<p>A note on every page.</p>\n", "utf-8")
    result = site.build()
    assert pages(result) == {"en/about/index.html", "zh/about/index.html", "en/process/index.html",
                             "zh/process/index.html"}
    assert b"A note on every page." in site.path("output/en/about/index.html").read_bytes()
    site.assert_same_as_clean()


def test_a_data_edit_re_renders_the_pages_of_the_sections_that_declare_it(site):
    site.edit("content/data/experts.yaml", lambda text: text.replace("Alba Exampleton", "Alba Examplesen"))
    result = site.build()
    assert pages(result) == {"en/experts/index.html", "zh/experts/index.html"} | report(result)
    assert b"Examplesen" in site.path("output/data/experts.csv").read_bytes()
    site.assert_same_as_clean()

    site.edit("content/data/meetings.yaml", lambda text: text.replace("The first meeting discussed",
                                                                      "The first meeting of the group discussed"))
    result = site.build()
    assert {"en/meetings/index.html", "en/meetings/ieg-1/index.html", "zh/meetings/ieg-1/index.html"} \
        <= pages(result)
    # (Markdown pages declare meetings.yaml: a postponed meeting changes which deadline on them is next)
    assert "en/about/index.html" in pages(result) and "en/experts/index.html" not in pages(result)
    site.assert_same_as_clean()

    site.edit("content/data/documents.yaml", lambda text: text.replace("Comments on the first draft",
                                                                       "Comments on draft 1"))
    result = site.build()
    assert "en/documents/index.html" in pages(result)
    assert not pages(result) & {"en/about/index.html", "en/experts/index.html", "en/timetable/index.html"}
    site.assert_same_as_clean()


def test_a_string_edit_re_renders_the_pages_whose_sections_declare_it(site):
    site.edit("content/strings.yaml", lambda text: text.replace("zh: 尚未列出专家。", "zh: 目前尚未列出专家。"))
    result = site.build()
    assert pages(result) - report(result) == {"zh/experts/index.html"}  # (the reports read every string)
    site.assert_same_as_clean()


def test_a_string_s_translation_removed_re_renders_the_translation_reports(site):
    """The report lists the UI strings every language lacks: it reads the whole catalog, in every language."""
    site.edit("content/strings.yaml", lambda text: text.replace(", zh: 尚未列出专家。", ""))
    assert report(site.build()) == {"en/translations/index.html", "zh/translations/index.html"}
    site.assert_same_as_clean()


def test_a_title_change_re_renders_the_pages_that_show_other_pages(site):
    site.edit("content/drafts/draft-2.en.md", lambda text: text.replace(
        "title: Second draft of the fixture report", "title: Second draft, revised title"))
    result = site.build()
    assert {"en/drafts/index.html", "en/drafts/draft-2/index.html", "zh/drafts/draft-2/index.html",
            "en/drafts/draft-1/index.html"} <= pages(result)  # draft 1 links to the next draft by its title
    assert not pages(result) & {"en/about/index.html", "en/experts/index.html"}
    site.assert_same_as_clean()

    # the body alone does not change the lists
    site.edit("content/drafts/draft-2.en.md", lambda text: text + "\nAnother paragraph.\n")
    result = site.build()
    assert "en/drafts/draft-2/index.html" in pages(result)
    assert not pages(result) & {"en/drafts/index.html", "en/drafts/draft-1/index.html"}
    site.assert_same_as_clean()


def test_a_deleted_source_s_outputs_disappear(site):
    site.path("content/pages/extra.en.md").write_text("---\ntitle: Extra\n---\nAn extra page.\n", "utf-8")
    site.build()
    assert site.path("output/en/extra/index.html").is_file() and site.path("output/zh/extra/index.html").is_file()
    site.path("content/pages/extra.en.md").unlink()
    site.build()
    assert not site.path("output/en/extra").exists() and not site.path("output/zh/extra").exists()
    assert b"/extra/" not in site.path("output/sitemap.xml").read_bytes()
    site.assert_same_as_clean()


def test_an_output_missing_or_changed_by_hand_is_made_again(site):
    site.path("output/en/about/index.html").unlink()
    site.path("output/en/experts/index.html").write_text("changed by hand", "utf-8")
    result = site.build()
    assert pages(result) == {"en/about/index.html", "en/experts/index.html"}
    site.assert_same_as_clean()


@pytest.mark.parametrize("damage", ["{ not json", '{"format": 999}', "[1, 2, 3]", ""])
def test_a_damaged_build_record_means_a_clean_build(site, damage):
    (site.cache / "build.json").write_text(damage, "utf-8")
    result = site.build()
    assert result.reused == 0
    site.assert_same_as_clean()


def test_a_damaged_parse_cache_is_ignored_with_a_notice(site):
    for shard in (site.cache / "parses").iterdir():
        shard.write_bytes(b"not a pickle")
    site.edit("content/pages/about.en.md", lambda text: text + "\nMore.\n")
    result = site.build()
    assert "could not be read" in result.cache_notice
    site.assert_same_as_clean()
    assert site.build().cache_notice is None  # the build wrote a good one


def test_invalid_content_changes_nothing_and_the_fix_builds_incrementally(site):
    before = tree_files(site.output)
    site.edit("content/pages/about.en.md", lambda text: text.replace("[home page](index.md)", "[home](nowhere.md)"))
    with pytest.raises(ContentErrors):
        site.build()
    assert tree_files(site.output) == before
    site.edit("content/pages/about.en.md", lambda text: text.replace("[home](nowhere.md)", "[home](index.md)"))
    result = site.build()
    assert {"en/about/index.html", "zh/about/index.html"} <= pages(result) and result.reused > 20
    site.assert_same_as_clean()


def test_a_template_error_anywhere_publishes_nothing_and_every_error_is_reported(site):
    """Pages are written to the staging folder as they are rendered (by worker processes, for this many pages):
    a page that fails among them still leaves the output folder as it was, and every failure is reported."""
    for number in range(150):
        site.path(f"content/pages/extra-{number}.en.md").write_text(
            f"---\ntitle: Extra page {number}\ndescription: One of many.\n---\nText {number}.\n", "utf-8")
    site.build()
    before = tree_files(site.output)
    for template in ("experts.html", "meetings.html"):
        site.edit(f"templates/{template}", lambda text: text.replace("{% block content %}",
                                                                     "{% block content %}{{ no_such() }}", 1))
    with pytest.raises(ContentErrors) as failed:
        site.build(incremental=False)  # (every page rendered)
    assert sorted(error.path for error in failed.value.errors) == ["templates/experts.html",
                                                                    "templates/meetings.html"]
    assert tree_files(site.output) == before
    assert leftovers(site.root) == []


def test_the_command_line_reports_counts_and_no_cache_makes_everything_again(site):
    args = ["build", "--config", str(site.config), "--today", TODAY.isoformat()]
    code, out, _ = run_cli(args)
    assert code == 0 and re.search(r"rendered \d+, reused [1-9]\d*$", out.strip()), out
    code, out, _ = run_cli([*args, "--no-cache"])
    assert code == 0 and out.strip().endswith("reused 0"), out


# ------------------------------------------------------------------------------ the property, two ways

def test_an_alias_added_or_removed_remakes_the_redirects_and_no_page(site):
    site.edit("content/pages/process.en.md", lambda text: text.replace("---\n", "---\naliases: [steps/]\n", 1))
    result = site.build()
    assert {"en/steps/index.html", "zh/steps/index.html", "_redirects"} <= set(result.rendered_paths)
    assert "/ieg/en/steps/ /ieg/en/process/ 301" in site.path("output/_redirects").read_text("utf-8")
    site.assert_same_as_clean()
    site.edit("content/pages/process.en.md", lambda text: text.replace("aliases: [steps/]\n", ""))
    result = site.build()
    assert not site.path("output/en/steps").exists() and site.path("output/en/group/index.html").is_file()
    assert "steps" not in site.path("output/_redirects").read_text("utf-8")
    assert {error.message.split(" ")[0] for error in result.lost} == {"/en/steps/", "/zh/steps/"}
    site.assert_same_as_clean()


PAGE_FILES = ("content/pages/about.en.md", "content/pages/about.zh.md", "content/pages/index.en.md",
              "content/pages/index.zh.md", "content/pages/process.en.md", "content/drafts/draft-1.en.md",
              "content/drafts/draft-2.zh.md")
DATA_MARKERS = (("content/data/experts.yaml", "Exampleton"), ("content/data/meetings.yaml", "The first meeting"),
                ("content/data/timetable.yaml", "First draft published"),
                ("content/data/documents.yaml", "Comments on the first draft"))
TEMPLATES = ("page.html", "experts.html", "drafts.html", "draft.html", "home.html", "meeting.html", "base.html")
STRING_KEYS = ("experts.", "meeting.", "draft.", "nav.", "home.")

words = st.sampled_from(["alpha", "beta", "gamma", "delta", "第三稿", "概要"])
actions = st.one_of(
    st.tuples(st.just("append"), st.sampled_from(PAGE_FILES), words),
    st.tuples(st.just("title"), st.sampled_from(PAGE_FILES), words),
    st.tuples(st.just("data"), st.sampled_from(DATA_MARKERS), words),
    st.tuples(st.just("string"), st.sampled_from(STRING_KEYS), words),
    st.tuples(st.just("template"), st.sampled_from(TEMPLATES), words),
    st.tuples(st.just("static"), st.sampled_from(["site.css", "site.js"]), words),
    st.tuples(st.just("rename"), st.sampled_from(PAGE_FILES), words),
    st.tuples(st.just("delete"), st.sampled_from(PAGE_FILES), words),
    st.tuples(st.just("add"), st.sampled_from(["en", "zh"]), words),
)


def apply(root: Path, action: tuple) -> None:
    """One editor's change; it may make the content invalid (a link to a deleted page, a draft renamed...)."""
    kind, target, word = action
    if kind == "data":
        path, marker = root / target[0], target[1]
        path.write_text(path.read_text("utf-8").replace(marker, f"{marker} {word}", 1), "utf-8")
    elif kind == "string":
        path = root / "content" / "strings.yaml"
        path.write_text(re.sub(rf"(?m)^({re.escape(target)}[\w.]+: {{en: )(?![\"'])", rf"\g<1>{word} ",
                               path.read_text("utf-8"), count=1), "utf-8")
    elif kind == "template":
        path = root / "templates" / target
        path.write_text(path.read_text("utf-8").replace("{% block content %}",
                                                        f"{{% block content %}}<!-- {word} -->", 1), "utf-8")
    elif kind == "static":
        path = root / "templates" / "static" / target
        path.write_text(path.read_text("utf-8") + f"\n/* {word} */\n", "utf-8")
    elif kind == "add":
        folder = root / "content" / "pages"
        number = len(list(folder.glob("*.md")))
        (folder / f"new-{number}.{target}.md").write_text(f"---\ntitle: New {word}\n---\nA new page: {word}.\n\n"
                                                          f"## {word.title()}\n\nSee [about](about.md).\n", "utf-8")
    elif (root / target).exists():  # (not renamed or deleted by an earlier step)
        path = root / target
        if kind == "append":
            path.write_text(path.read_text("utf-8") + f"\n{word} appended.\n", "utf-8")
        elif kind == "title":
            path.write_text(re.sub(r"(?m)^title: .*$", f"title: Title {word}", path.read_text("utf-8"), count=1),
                            "utf-8")
        elif kind == "rename":
            name, lang, _ = path.name.split(".")
            path.rename(path.with_name(f"{name}-{word.encode('utf-8').hex()[:6]}.{lang}.md"))
        elif kind == "delete":
            path.unlink()


class PristineSite:
    """One fixture copy built once, restored to that state (content, templates, output and caches, in the same
    place, so that the caches' paths hold) before each example."""

    SAVED = ("content", "templates", "output", ".wtpfsite-cache")

    def __init__(self, folder: Path):
        self.site = Site(folder)
        self.site.build()
        self.saved = folder / "pristine"
        for name in self.SAVED:
            shutil.copytree(self.site.root / name, self.saved / name)

    def restore(self) -> Site:
        for name in self.SAVED:
            shutil.rmtree(self.site.root / name, ignore_errors=True)
            shutil.copytree(self.saved / name, self.site.root / name)
        return self.site


@pytest.fixture(scope="module")
def pristine():
    with tempfile.TemporaryDirectory() as folder:
        yield PristineSite(Path(folder))


def command_line(site: Site):
    """`build`: each build reads the caches the last one left in the cache folder."""
    return lambda: site.build()


def watch_mode(site: Site):
    """`serve`'s rebuild, through its coordinator: the caches stay in memory from one build to the next."""
    log = lambda message, is_error: None  # noqa: E731
    watch = WatchBuild(BuildOptions(site.config, TODAY), log)
    coordinator = Coordinator(watch, lambda changed: False, log, watch.after)

    def rebuild() -> str | None:
        state = coordinator.rebuild()
        return "errors" if state.errors else None

    return rebuild


def built_or_error(run):
    try:
        return run()
    except ContentErrors:
        return "errors"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(steps=st.lists(actions, min_size=1, max_size=3))
@example(steps=[("data", marker, "alpha") for marker in DATA_MARKERS])  # each data file, every time
@example(steps=[("static", "site.css", "beta"), ("string", "nav.", "gamma")])
@example(steps=[("add", "zh", "beta"), ("title", "content/drafts/draft-1.en.md", "gamma"),
                ("rename", "content/pages/about.zh.md", "delta"), ("delete", "content/pages/index.en.md", "alpha")])
@pytest.mark.parametrize("builder", [command_line, watch_mode])
def test_incremental_builds_match_clean_builds_after_any_edits(pristine, builder, steps):
    site = pristine.restore()
    run = builder(site)
    run()
    for step in steps:
        apply(site.root, step)
        before = tree_files(site.output)
        incremental = built_or_error(run)
        clean = built_or_error(site.clean_build)
        assert (incremental == "errors") == (clean == "errors"), \
            f"after {step}: only the {'incremental' if incremental == 'errors' else 'clean'} build failed"
        if incremental == "errors":
            assert tree_files(site.output) == before, f"a failed build changed the output (after {step})"
        else:
            site.assert_same_as_clean(clean)


def test_the_core_alone_builds_the_same_site_as_with_its_fast_paths(tmp_path):
    """Without the fast paths (pipeline.build.CORE: one process, the reference Markdown back end, the staged
    write), a build makes the same files, clean and incremental."""
    from wtpfsite.pipeline.build import CORE

    site = Site(tmp_path)
    result = build(BuildOptions(site.config, TODAY), incremental=False, fast=CORE)
    assert result.rendered == len(result.outputs)
    site.assert_same_as_clean()
    site.edit("content/pages/about.en.md", lambda text: text + "\nOne more paragraph.\n")
    assert pages(build(BuildOptions(site.config, TODAY), fast=CORE)) >= {"en/about/index.html"}
    site.assert_same_as_clean()


def test_a_site_moved_to_another_folder_reports_its_files_where_they_are_now(tmp_path):
    """The parse cache is kept beside the config and moves with it; a parse names its file (the references in a
    draft's front matter do), so one made in the old folder is not used in the new."""
    import shutil

    from helpers import copy_real_site

    old = copy_real_site(tmp_path / "old")
    assert run_cli(["build", "--config", str(old / "site_config.yaml"), "--quiet"])[0] == 0
    new = tmp_path / "new"
    shutil.move(old, new)
    meetings = new / "content" / "data" / "meetings.yaml"
    meetings.write_text(meetings.read_text("utf-8").replace("id: ieg-2", "id: ieg-two"), "utf-8")
    code, _, err = run_cli(["build", "--config", str(new / "site_config.yaml"), "--quiet"])
    assert code == 1 and str(old) not in err and "content/drafts/draft-3.en.md:" in err, err
