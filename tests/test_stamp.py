"""The build stamp (wtpfsite/stamp.py): a build with nothing changed since the last one returns without loading
the site; any change to an input, to the output or cache folder, to the generator or to the options that shape
the output makes it an ordinary build, whose output is byte-identical to a clean build's.

Every test works on a copy of tests/fixtures/basic/ with its own copy of the templates (so they can be edited).
Clean builds for comparison are made from another copy of the same files, so they touch nothing of the site's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

import wtpfsite.build
from helpers import FIXTURE_TODAY as TODAY, FixtureSite, run_cli, tree_files
from wtpfsite import deps, stamp
from wtpfsite.build import BuildResult, build, check
from wtpfsite.errors import ContentErrors


class Site(FixtureSite):
    """A copy of the fixture in `folder/site`."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.stamp = self.root / ".wtpfsite-cache" / stamp.STAMP_FILE

    def build(self, **changes) -> BuildResult:
        return build(self.options(**changes))

    def clean_build(self, **changes) -> dict[str, bytes]:
        return self.built_copy(**changes)

    def assert_same_as_clean(self, output: Path | None = None, **changes) -> None:
        expected, actual = self.clean_build(**changes), tree_files(output or self.output)
        different = sorted(p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p))
        assert not different, f"the output differs from a clean build in: {different}"

    def document(self) -> dict:
        return json.loads(self.stamp.read_text("utf-8"))


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path)
    first = site.build()
    assert not first.unchanged and first.rendered == len(first.outputs)
    assert site.stamp.is_file()
    return site


@pytest.fixture
def loads(monkeypatch) -> list[int]:
    """Counts the builds that load the site (every build but one the stamp answers)."""
    calls: list[int] = []
    load_site = wtpfsite.build.load_site
    monkeypatch.setattr(wtpfsite.build, "load_site", lambda *args, **kwargs: calls.append(1) or
                        load_site(*args, **kwargs))
    return calls


@pytest.fixture
def no_load(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("the build loaded the site")

    monkeypatch.setattr(wtpfsite.build, "load_site", fail)


def assert_unchanged(site: Site, **changes) -> BuildResult:
    """A build that the stamp answers: nothing loaded, nothing written, the counts of the last build."""
    before, inode = tree_files(site.output), site.output.stat().st_ino
    load_site = wtpfsite.build.load_site

    def fail(*args, **kwargs):
        raise AssertionError("the build loaded the site")

    wtpfsite.build.load_site = fail
    try:
        result = site.build(**changes)
    finally:
        wtpfsite.build.load_site = load_site
    assert result.unchanged and result.outputs == () and result.rendered == 0 and result.rendered_paths == ()
    assert result.reused == len(before) and result.written.written == 0  # the fixture has no search index
    assert tree_files(site.output) == before and site.output.stat().st_ino == inode
    return result


def assert_full_build(site: Site, loads: list[int], **changes) -> BuildResult:
    """An ordinary build whose output is a clean build's; the build after it is answered by the stamp."""
    count = len(loads)
    result = site.build(**changes)
    assert not result.unchanged and len(loads) == count + 1
    site.assert_same_as_clean(changes.get("output_dir"), **changes)
    assert_unchanged(site, **changes)
    return result


# ------------------------------------------------------------------------------------------ no change

def test_a_build_with_nothing_changed_loads_nothing(site, no_load):
    first = site.document()
    result = assert_unchanged(site)
    assert result.pages_per_language == {"en": first["pages_per_language"]["en"],
                                         "zh": first["pages_per_language"]["zh"]}
    assert result.reused == first["files"] == len(tree_files(site.output))
    assert_unchanged(site)


def test_the_counts_are_those_of_the_last_build(site, loads):
    site.stamp.unlink()
    ordinary = site.build()  # deps.Plan finds every output current
    assert not ordinary.unchanged and ordinary.rendered == 0
    answered = assert_unchanged(site)
    assert (answered.pages_per_language, answered.reused) == (ordinary.pages_per_language, ordinary.reused)


def test_the_command_line_reports_the_same_line_either_way(site):
    args = ["build", "--config", str(site.config), "--today", TODAY.isoformat()]
    code, answered, err = run_cli(args)
    assert code == 0 and err == ""
    site.stamp.unlink()
    code, ordinary, err = run_cli(args)
    assert code == 0 and err == ""
    seconds = re.compile(r" in \d+\.\d\d s:")
    assert seconds.sub(" in _ s:", answered) == seconds.sub(" in _ s:", ordinary)
    assert answered.endswith(f": rendered 0, reused {len(tree_files(site.output))}\n")


def test_no_cache_and_check_always_load_the_site(site, loads):
    args = ["build", "--config", str(site.config), "--today", TODAY.isoformat(), "--quiet"]
    assert run_cli(args + ["--no-cache"])[0] == 0 and len(loads) == 1
    assert build(site.options(), incremental=False).rendered > 0 and len(loads) == 2
    check(site.options())
    assert len(loads) == 3
    assert run_cli(args)[0] == 0 and len(loads) == 3  # a clean build saves the stamp too


# ------------------------------------------------------------------------------------- input changes

def add_page(site: Site) -> None:
    site.path("content/pages/extra.en.md").write_text("---\ntitle: Extra\n---\nAn extra page.\n", "utf-8")


CHANGES = {
    "a page edited": lambda site: site.edit("content/pages/about.en.md", lambda t: t + "\nOne more paragraph.\n"),
    "a page added": add_page,
    "a draft edited": lambda site: site.edit("content/drafts/draft-2.en.md", lambda t: t + "\nMore.\n"),
    "a data file edited": lambda site: site.edit("content/data/experts.yaml",
                                                 lambda t: t.replace("Alba Exampleton", "Alba Examplesen")),
    "the strings edited": lambda site: site.edit("content/strings.yaml", lambda t: t.replace("Experts", "Expertise")),
    "a template edited": lambda site: site.edit("templates/base.html",
                                                lambda t: t.replace("</footer>", "<!-- footer -->\n</footer>", 1)),
    "a template added": lambda site: site.path("templates/unused.html").write_text("<p>unused</p>\n", "utf-8"),
    "a static file edited": lambda site: site.edit("templates/static/site.css", lambda t: t + "\n/* more */\n"),
    "a static file added": lambda site: site.path("templates/static/notes.txt").write_text("notes\n", "utf-8"),
    "a static folder added": lambda site: (site.path("templates/static/img").mkdir(),
                                           site.path("templates/static/img/dot.svg").write_text("<svg/>", "utf-8")),
    "the config edited": lambda site: site.edit("site_config.yaml", lambda t: t.replace("Basic fixture site",
                                                                                         "Basic fixture")),
    "a page touched": lambda site: os.utime(site.path("content/pages/about.en.md")),
    "an empty folder added": lambda site: site.path("content/pages/later").mkdir(),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_changed_input_makes_an_ordinary_build(site, loads, change):
    change(site)
    assert_full_build(site, loads)


REMOVALS = {
    "a page": ("content/pages/extra.en.md", add_page),
    "a template": ("templates/unused.html", CHANGES["a template added"]),
    "a static file": ("templates/static/notes.txt", CHANGES["a static file added"]),
    "a static folder": ("templates/static/img", CHANGES["a static folder added"]),
}


@pytest.mark.parametrize("path, add", REMOVALS.values(), ids=REMOVALS.keys())
def test_a_removed_input_makes_an_ordinary_build(site, loads, path, add):
    add(site)
    assert_full_build(site, loads)
    target = site.path(path)
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    assert_full_build(site, loads)


def test_a_same_size_edit_in_the_racy_window_with_the_mtime_put_back_is_seen(site, loads):
    # an editor saves twice within a second, or a tool restores the mtime: size and mtime are as recorded
    path = site.path("content/pages/about.en.md")
    info = path.stat()
    assert str(path) in site.document()["racy_files"]  # copied (ctime) less than 2 s before the build started
    path.write_text(path.read_text("utf-8").replace("advises on", "reports on"), "utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)
    assert_full_build(site, loads)
    assert b"reports on" in site.path("output/en/about/index.html").read_bytes()


def test_a_racy_file_is_hashed_even_when_its_whole_signature_is_as_recorded(site, loads):
    # A change within the file system's timestamp granularity can leave ctime as it was too; this cannot be
    # made to happen on purpose, so the stamp is made to record the signatures found after the edit.
    path = site.path("content/pages/about.en.md")
    document = site.document()
    assert str(path) in document["racy_files"]  # written less than 2 s before the build started
    path.write_text(path.read_text("utf-8").replace("advises on", "reports on"), "utf-8")
    signature = stamp.Signature()
    signature.file("config", document["config"])
    for tree in ("content", "templates"):
        signature.replay(tree, document[f"{tree}_dir"], document["folders"][tree], set(document["racy_folders"]))
    site.stamp.write_text(json.dumps(document | {"inputs": signature.digest()}), "utf-8")
    assert_full_build(site, loads)
    assert b"reports on" in site.path("output/en/about/index.html").read_bytes()


def test_an_input_changed_during_the_build_leaves_no_stamp(site, loads):
    site.edit("content/pages/about.en.md", lambda text: text + "\nFirst edit.\n")

    def edit_during_rendering(done: int, total: int) -> None:
        if done == 1:
            site.edit("content/pages/about.en.md", lambda text: text + "\nSecond edit.\n")

    build(site.options(), edit_during_rendering)
    assert not site.stamp.exists()
    assert_full_build(site, loads)
    assert b"Second edit." in site.path("output/en/about/index.html").read_bytes()


def test_invalid_content_is_reported_every_time_and_the_fix_builds(site, loads):
    site.edit("content/pages/about.en.md", lambda text: text.replace("[home page](index.md)", "[home](nowhere.md)"))
    for _ in range(2):
        with pytest.raises(ContentErrors):
            site.build()
    site.edit("content/pages/about.en.md", lambda text: text.replace("[home](nowhere.md)", "[home page](index.md)"))
    assert_full_build(site, loads)


# ------------------------------------------------------------------------------------ output changes

def flip_a_byte(path: Path) -> None:
    """Change a byte of a file, keeping its size and mtime."""
    info, data = path.stat(), bytearray(path.read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


OUTPUT_CHANGES = {
    "a file removed": lambda site: site.path("output/en/about/index.html").unlink(),
    "a file edited": lambda site: flip_a_byte(site.path("output/sitemap.xml")),
    "a file added": lambda site: site.path("output/notes.txt").write_text("mine", "utf-8"),
    "a folder added": lambda site: site.path("output/en/empty").mkdir(),
    "the folder removed": lambda site: shutil.rmtree(site.output),
}


@pytest.mark.parametrize("change", OUTPUT_CHANGES.values(), ids=OUTPUT_CHANGES.keys())
def test_a_changed_output_folder_makes_an_ordinary_build(site, loads, change):
    change(site)
    assert_full_build(site, loads)


def test_an_output_edited_after_it_is_trusted_is_seen(site, loads, monkeypatch):
    monkeypatch.setattr(stamp, "RACY_NS", 0)  # every file is old enough to be trusted by its signature
    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)
    assert_unchanged(site)  # ... which this check records
    assert site.document()["racy_files"] == {}
    flip_a_byte(site.path("output/en/experts/index.html"))  # ctime changes all the same
    assert_full_build(site, loads)


def test_a_damaged_build_cache_is_still_reported(site):
    (site.stamp.parent / deps.CACHE_FILE).write_text("{ not json", "utf-8")
    result = site.build()
    assert not result.unchanged and "is not valid JSON" in result.cache_notice


# ----------------------------------------------------------------------------------------- options

@pytest.mark.parametrize("changes", [{"today": date(2020, 9, 1)}, {"base_url": "https://example.net/other/"}],
                         ids=["today", "base url"])
def test_other_options_make_an_ordinary_build(site, loads, changes):
    assert_full_build(site, loads, **changes)
    assert_full_build(site, loads)  # and back


def test_another_output_folder_makes_an_ordinary_build(site, loads, tmp_path):
    assert_full_build(site, loads, output_dir=tmp_path / "elsewhere")
    count = len(loads)
    assert site.build().unchanged is False and len(loads) == count + 1  # the stamp is of the last build's folder
    assert_unchanged(site)


def test_workers_do_not_matter(site, no_load):
    assert site.build(workers=2).unchanged


# ------------------------------------------------------------------------------------ the stamp itself

@pytest.mark.parametrize("damage", [
    lambda text: "{ not json",
    lambda text: text[: len(text) // 2],
    lambda text: "[1, 2, 3]",
    lambda text: text.replace('"format":1', '"format":999'),
    lambda text: text.replace('"files":', '"files":"many","was":'),
    lambda text: json.dumps(json.loads(text) | {"folders": {"content": [[1, 2]], "templates": None, "output": None,
                                                            "cache": None}}),
    lambda text: json.dumps(json.loads(text) | {"inputs": "0" * 32}),
], ids=["not json", "truncated", "not an object", "other format", "wrong type", "wrong folders", "wrong digest"])
def test_a_damaged_stamp_is_ignored(site, loads, damage):
    site.stamp.write_text(damage(site.stamp.read_text("utf-8")), "utf-8")
    assert_full_build(site, loads)


def test_files_a_build_wrote_are_hashed_until_they_are_old_enough(site, monkeypatch):
    monkeypatch.setattr(stamp, "RACY_NS", 3600 * 10**9)  # a file system whose clock moves in hours
    monkeypatch.setattr(stamp, "RACY_FINE_NS", 3600 * 10**9)
    wtpfsite.build.build(site.options(), incremental=False)
    document = site.document()
    written = {str(p) for p in site.output.rglob("*") if p.is_file()}
    assert written <= set(document["racy_files"])  # written less than an hour before the stamp was saved
    assert str(site.output) + "/" in document["racy_folders"]
    assert_unchanged(site)  # hashes them: they are still racy
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)
    assert_unchanged(site)  # hashes them once more, and saves the stamp with them trusted
    assert site.document()["racy_files"] == {} and site.document()["racy_folders"] == []

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed")

    monkeypatch.setattr(deps, "file_hash", no_hashing)
    assert_unchanged(site)


def test_another_generator_makes_an_ordinary_build(site, loads, monkeypatch):
    def another(name: str) -> stamp.Signature:
        signature = stamp.Signature()
        signature.lines.append(name)
        return signature

    monkeypatch.setattr(stamp, "generator_signature", lambda: another("a library upgraded"))
    assert_unchanged(site)  # another key, but the same generator id: the stamp keeps the new key
    assert site.document()["generator_key"] == another("a library upgraded").digest()
    monkeypatch.setattr(stamp, "generator_signature", lambda: another("another library upgraded"))
    monkeypatch.setattr(deps, "generator_id", lambda: "0.0.1+other")
    assert site.build().unchanged is False and len(loads) == 1


def test_a_build_after_an_edit_takes_the_generator_id_the_stamp_vouches_for(site, monkeypatch):
    """Computing the id imports importlib.metadata (60 ms of every command-line build): when the key of what it is
    made from is the one the stamp recorded, the build takes the recorded id; when not, it computes it."""
    def must_not_compute():
        raise AssertionError("the generator id was computed")

    site.build()
    site.edit("content/pages/about.en.md", lambda text: text + "\nEdited.\n")
    monkeypatch.setattr(deps, "_generator", None)  # a new process
    monkeypatch.setattr(deps, "compute_generator_id", must_not_compute)
    assert stamp.check(site.options()) is None  # the edit: a build follows
    assert deps.generator_id() == site.document()["generator"]
    result = site.build()
    assert result.rendered >= 1 and site.document()["generator"] == deps.generator_id()

    recorded = site.document()
    site.stamp.write_text(json.dumps(recorded | {"generator_key": "0" * 32}), "utf-8")  # as if a library changed
    site.edit("content/pages/about.en.md", lambda text: text + "\nEdited again.\n")
    monkeypatch.setattr(deps, "_generator", None)
    computed = []
    monkeypatch.setattr(deps, "compute_generator_id", lambda: computed.append(1) or recorded["generator"])
    assert stamp.check(site.options()) is None
    assert deps._generator is None and deps.generator_id() == recorded["generator"] and computed == [1]


def test_a_folder_reached_through_a_link_is_never_stamped(site, loads, tmp_path):
    data = site.path("content/data")
    shutil.move(data, tmp_path / "data")
    data.symlink_to(tmp_path / "data", target_is_directory=True)
    site.build()
    assert not site.stamp.exists()
    site.build()
    assert len(loads) == 2


def test_watch_mode_rebuilds_see_every_edit(site):
    from wtpfsite.serve import Coordinator, site_paths

    paths, _ = site_paths(site.options())
    coordinator = Coordinator(lambda progress, changed: build(site.options(), progress), paths,
                              lambda message, error: None)
    path = site.path("content/pages/about.en.md")
    text = path.read_text("utf-8")
    for word in ("alpha", "gamma", "delta", "kappa"):  # the same size: only the bytes and the timestamps change
        path.write_text(text.replace("advises on", f"advises {word} on"), "utf-8")
        state = coordinator.rebuild(frozenset({path}))
        assert state.errors == ()
        assert f"advises {word} on".encode() in site.path("output/en/about/index.html").read_bytes()
    site.assert_same_as_clean()


def test_how_long_a_timestamp_stays_racy_depends_on_its_precision():
    started = 1_700_000_010_000_000_000
    assert stamp.racy(started - 1_000_000_000, started)  # whole seconds (FAT, some network file systems): 2 s
    assert not stamp.racy(started - 3_000_000_000, started)
    assert stamp.racy(started - 50_000_123, started)  # finer (ext4, XFS, APFS, tmpfs): 100 ms
    assert not stamp.racy(started - 150_000_123, started)


def test_outputs_are_racy_by_when_the_stamp_is_saved_not_when_the_build_started(site, monkeypatch):
    import time

    from wtpfsite import deps

    monkeypatch.setattr(stamp, "RACY_NS", 10**9)
    monkeypatch.setattr(stamp, "RACY_FINE_NS", 10**9)
    save_cache = deps.save_cache
    monkeypatch.setattr(deps, "save_cache", lambda *args: time.sleep(1.5) or save_cache(*args))  # after writing
    wtpfsite.build.build(site.options(), incremental=False)
    racy = site.document()["racy_files"]
    assert not any(path.startswith(str(site.output)) for path in racy)  # written 1.5 s before the stamp was made
