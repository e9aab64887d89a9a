"""Watch mode's quick rebuild (wtpfsite/quick.py): after a save of Markdown sources that leaves the site's routes as
they were, the rebuild starts from the model the last build kept and makes only the outputs whose inputs changed;
its output is a clean build's, byte for byte. Anything else is left to the full build, which reports the errors.

Each test works on a copy of tests/fixtures/basic/ (helpers.FixtureSite) built with a session, as `serve` builds
it, and names the files it saved, as serve's watcher does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import TODAY, FixtureSite, copy_real_site, tree_files
from test_incremental import actions, apply, built_or_error
from wtpfsite.build import BuildOptions, BuildResult, build
from wtpfsite.errors import ContentErrors
from wtpfsite.session import Session

ABOUT, ABOUT_ZH, PROCESS, DRAFT_2 = ("content/pages/about.en.md", "content/pages/about.zh.md",
                                     "content/pages/process.en.md", "content/drafts/draft-2.en.md")


class Watched(FixtureSite):
    """The fixture, built as `serve` builds it: with a session, and told which files changed."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.session = Session()
        first = self.rebuild()
        assert not first.quick and first.rendered == len(tree_files(self.output))

    def rebuild(self, *changed: str) -> BuildResult:
        result = build(self.options(), session=self.session, changed=frozenset(self.path(c) for c in changed))
        if result.afterwards is not None:
            result.afterwards.run()
        return result

    def save(self, relative: str, change) -> BuildResult:
        self.edit(relative, change)
        return self.rebuild(relative)

    def assert_clean(self) -> None:
        expected, actual = self.built_copy(), tree_files(self.output)
        different = sorted(p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p))
        assert not different, f"the output differs from a clean build in: {different}"


@pytest.fixture
def site(tmp_path) -> Watched:
    return Watched(tmp_path)


def test_a_saved_page_is_made_again_from_the_kept_model(site):
    result = site.save(ABOUT, lambda text: text.replace("advises on the drafting", "advises on every draft"))
    assert result.quick and not result.unchanged
    # the page in both trees (the Chinese one links to it in its switcher, but shows its own body): its own page
    # and the report of outdated translations, whose revision of the original changed
    assert "en/about/index.html" in result.rendered_paths
    assert result.rendered < 8, result.rendered_paths
    assert result.reused + result.rendered == len(tree_files(site.output)) > 40
    assert "advises on every draft" in (site.output / "en" / "about" / "index.html").read_text("utf-8")
    site.assert_clean()


@pytest.mark.parametrize("relative, change", [
    (ABOUT, lambda text: text.replace("title: About the fixture group", "title: About the invented group")),
    (ABOUT, lambda text: text.replace("description: An invented", "description: A made-up")),
    (ABOUT_ZH, lambda text: text.replace("title: 关于示例专家组", "title: 关于虚构的专家组")),
    (ABOUT, lambda text: text + "\n## A new section {#new}\n\nMore text.\n"),  # new heading
    (PROCESS, lambda text: text.replace("The report goes to the forum.", "The report goes to the **forum**.")),
    (DRAFT_2, lambda text: text + "\nA sentence added to the second draft.\n"),  # and its "changes" page
])
def test_every_kind_of_markdown_edit_gives_a_clean_build(site, relative, change):
    assert site.save(relative, change).quick
    site.assert_clean()


def test_saves_in_a_row_and_a_command_line_build_after_them(site):
    for n in range(3):
        assert site.save(ABOUT, lambda text: text + f"\nSentence {n}.\n").quick
        assert site.save(ABOUT_ZH, lambda text: text + f"\n句子{n}。\n").quick
    both = [ABOUT, PROCESS]
    for relative in both:
        site.edit(relative, lambda text: text + "\nSaved together.\n")
    assert site.rebuild(*both).quick
    site.assert_clean()
    # the stamp and record the quick rebuilds saved are right: the command line finds nothing to do, by the
    # stamp, and without it (the build record) renders nothing
    assert build(site.options()).unchanged
    result = build(site.options(), use_stamp=False)
    assert result.rendered == 0 and not result.quick
    site.assert_clean()


def test_an_editors_temporary_file_that_came_and_went_changes_nothing(site):
    temporary = site.path("content/pages/.about.en.md.kate-swp")  # written, then renamed over the page
    temporary.write_text(site.path(ABOUT).read_text("utf-8") + "\nSaved through a temporary file.\n", "utf-8")
    temporary.rename(site.path(ABOUT))
    assert site.rebuild(ABOUT, str(temporary.relative_to(site.root))).quick
    site.assert_clean()


def test_a_file_saved_as_it_was_changes_nothing(site):
    site.path(ABOUT).write_text(site.path(ABOUT).read_text("utf-8"), "utf-8")
    result = site.rebuild(ABOUT)
    assert result.quick and result.unchanged and result.rendered == 0
    assert site.save(ABOUT, lambda text: text + "\nAfter that.\n").quick  # the model was kept


def _write(relative: str, text: str):
    return lambda site: site.path(relative).write_text(text, "utf-8")


def _append(relative: str, text: str):
    return lambda site: site.edit(relative, lambda old: old + text)


def _comments_due(site):
    for relative in (DRAFT_2, DRAFT_2.replace(".en.", ".zh.")):
        site.edit(relative, lambda text: text.replace("comments_due: 2020-10-05", "comments_due: 2020-10-06"))


@pytest.mark.parametrize("relative, change", [
    ((DRAFT_2, DRAFT_2.replace(".en.", ".zh.")), _comments_due),
    ("templates/page.html", _append("templates/page.html", "\n")),
    ("content/data/meetings.yaml", _append("content/data/meetings.yaml", "\n# a comment\n")),
    ("content/strings.yaml", _append("content/strings.yaml", "\n# a comment\n")),
    ("site_config.yaml", _append("site_config.yaml", "\n# a comment\n")),
    ("content/pages/new.en.md", _write("content/pages/new.en.md", "---\ntitle: New\n---\nNew page.\n")),
    (ABOUT_ZH, lambda site: site.path(ABOUT_ZH).unlink()),
    ("templates/static/site.css", lambda site: site.path("templates/static/site.css").unlink()),
], ids=["draft metadata", "template", "data", "strings", "config", "new page", "deleted page", "deleted file"])
def test_other_changes_get_the_full_build(site, relative, change):
    change(site)
    assert not site.rebuild(*(relative if isinstance(relative, tuple) else (relative,))).quick
    site.assert_clean()
    assert site.save(ABOUT, lambda text: text + "\nThen a page.\n").quick  # the full build kept its model
    site.assert_clean()


def test_an_error_in_a_saved_page_is_reported_by_the_full_build_and_loses_nothing(site):
    published = tree_files(site.output)
    site.edit(ABOUT, lambda text: text.replace("[home page](index.md)", "[home page](nowhere.md)"))
    with pytest.raises(ContentErrors) as caught:
        site.rebuild(ABOUT)
    assert [e.format() for e in caught.value.errors] == [
        "content/pages/about.en.md:18:25: link to 'nowhere.md': there is no such page"]
    assert tree_files(site.output) == published
    # the next save, of another page, may not start from the model of before the error: the full build again
    with pytest.raises(ContentErrors):
        site.save(PROCESS, lambda text: text + "\nMore.\n")
    site.edit(ABOUT, lambda text: text.replace("(nowhere.md)", "(index.md)"))
    assert not site.rebuild(ABOUT).quick
    site.assert_clean()
    assert site.save(ABOUT, lambda text: text + "\nFine again.\n").quick


def test_a_heading_other_pages_link_to_cannot_go_unnoticed(site):
    # process.en.md links to about.md#members
    site.edit(ABOUT, lambda text: text.replace("## Members {#members}", "## Members {#people}"))
    with pytest.raises(ContentErrors) as caught:
        site.rebuild(ABOUT)
    assert any(e.path == "content/pages/process.en.md" and "no heading with id 'members'" in e.message
               for e in caught.value.errors), caught.value.errors


def test_a_front_matter_error_is_reported_at_its_place(site):
    site.edit(ABOUT, lambda text: text.replace("title: About the fixture group", "title: [unclosed"))
    with pytest.raises(ContentErrors) as caught:
        site.rebuild(ABOUT)
    assert [e.format() for e in caught.value.errors] == [
        "content/pages/about.en.md:3:12: YAML syntax error: expected ',' or ']', but got ':'"]


def test_the_search_index_of_the_real_site_is_made_again_after_a_quick_rebuild(tmp_path):
    site = copy_real_site(tmp_path / "site")
    options = BuildOptions(site / "site_config.yaml", TODAY)
    session = Session()
    first = build(options, session=session)
    first.afterwards.run()
    source = site / "content" / "pages" / "about.en.md"
    source.write_text(source.read_text("utf-8") + "\nA sentence to find: quickly.\n", "utf-8")
    result = build(options, session=session, changed=frozenset({source}))
    assert result.quick and result.afterwards.index is not None  # the last index stands in for a moment
    assert result.afterwards.run()
    clean = copy_real_site(tmp_path / "clean")
    (clean / "content" / "pages" / "about.en.md").write_text(source.read_text("utf-8"), "utf-8")
    build(BuildOptions(clean / "site_config.yaml", TODAY), incremental=False)
    assert tree_files(site / "output") == tree_files(clean / "output")
    assert build(options).unchanged  # and the command line finds it stamped, the new index too
    assert build(options, use_stamp=False).rendered == 0



def test_serve_loads_the_site_when_the_build_stamp_answered_its_first_build(tmp_path):
    from wtpfsite.serve import Coordinator, site_paths

    site = FixtureSite(tmp_path)
    build(site.options())  # a command-line build: stamped
    session, logs = Session(), []
    run = lambda progress, changed: build(site.options(), progress, session=session, changed=changed)  # noqa: E731
    coordinator = Coordinator(run, site_paths(site.options())[0], lambda message, error: logs.append(message))
    assert coordinator.rebuild().errors == () and not session.has_model()  # the stamp answered: nothing loaded
    warm_up = lambda: build(site.options(), session=session, use_stamp=False)  # noqa: E731 (as serve does)
    coordinator.note_change()
    coordinator.warm_up(warm_up)
    assert not session.has_model()  # a file changed: the rebuild that follows keeps a model
    coordinator.rebuild()
    session.forget_warm()
    published = tree_files(site.output)
    coordinator.warm_up(warm_up)
    assert session.has_model() and tree_files(site.output) == published
    site.edit(ABOUT, lambda text: text + "\nSaved after the warm-up.\n")
    assert build(site.options(), session=session, changed=frozenset({site.path(ABOUT)})).quick


def test_the_parses_kept_for_the_next_build_are_those_of_the_saved_content(site):
    from wtpfsite.deps import file_hash

    site.save(ABOUT, lambda text: text + "\nKept.\n")
    site.save(ABOUT, lambda text: text + "\nKept again.\n")
    kept = next(iter(site.session._kept.values()))
    about = [key for key in kept.parsed if key[0] == "source" and "about.en.md" in key[1]]
    assert [key[-1] for key in about] == [file_hash(site.path(ABOUT))]


# ------------------------------------------------------------------------------------ the property test

def _inputs(site: FixtureSite) -> dict[str, bytes]:
    return {f"{name}/{path}": data for name in ("content", "templates")
            for path, data in tree_files(site.root / name).items()}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(actions, min_size=1, max_size=4))
@example(steps=[("append", "content/pages/about.en.md", "alpha"), ("title", "content/pages/process.en.md", "beta"),
                ("append", "content/drafts/draft-2.zh.md", "第三稿")])
@example(steps=[("append", "content/pages/about.en.md", "alpha"), ("delete", "content/pages/index.en.md", "beta"),
                ("append", "content/pages/about.zh.md", "gamma"), ("add", "en", "delta")])
def test_watch_mode_builds_match_clean_builds_after_any_edits(tmp_path_factory, steps):
    """The same editors' changes as tests/test_incremental.py's property test, each followed by the build serve
    makes, told the paths that changed: quick or full, its output is a clean build's, and a failed one changes
    nothing."""
    site = Watched(tmp_path_factory.mktemp("watched"))
    last_ok = True
    for step in steps:
        before = _inputs(site)
        apply(site.root, step)
        after = _inputs(site)
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        published = tree_files(site.output)
        built = built_or_error(lambda: site.rebuild(*changed))
        clean = built_or_error(site.built_copy)
        assert (built == "errors") == (clean == "errors"), f"after {step}: only one of the builds failed"
        if built == "errors":
            assert tree_files(site.output) == published, f"a failed build changed the output (after {step})"
        else:
            assert tree_files(site.output) == clean, f"after {step} ({'quick' if built.quick else 'full'})"
            # an edit of a page's text after a good build is the quick rebuild's to make
            assert built.quick or not (last_ok and step[0] in ("append", "title") and changed), step
        last_ok = built != "errors"


def test_no_stamp_after_a_quick_rebuild_when_an_input_is_not_what_the_site_was_made_from(site):
    site.edit(ABOUT, lambda text: text + "\nSaved.\n")
    result = build(site.options(), session=site.session, changed=frozenset({site.path(ABOUT)}))
    assert result.quick
    site.edit(PROCESS, lambda text: text + "\nSaved before the stamp, not yet built.\n")
    result.afterwards.run()
    assert not (site.root / ".wtpfsite-cache" / "stamp.json").exists()
    assert not build(site.options()).unchanged  # the command line sees the change
    site.assert_clean()
