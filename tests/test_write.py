"""Tests for wtpfsite.write: staging beside output/, the swap, stale folders, refusal of unsafe paths,
and the command line's report of files in output/ that the generator did not make."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_args, leftovers, make_site, page, run_cli, tree_files
from wtpfsite import write
from wtpfsite.write import UnsafeOutput, clean_stale, safe_parts, write_outputs

OUTPUTS = [("index.html", b"root"), ("en/index.html", b"en"), ("en/about/index.html", b"about")]


def old_output(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    (output / "en").mkdir(parents=True)
    (output / "en" / "index.html").write_bytes(b"old en")
    (output / "index.html").write_bytes(b"old root")
    return output


# ------------------------------------------------------------------------------------------- safe paths

@pytest.mark.parametrize("path", ["index.html", "en/about/index.html", "static/site.css", "zh/会议/index.html",
                                  "a..b/c", ".well-known/x"])
def test_safe_parts_accepts_plain_relative_paths(path):
    assert "/".join(safe_parts(path)) == path and "" not in safe_parts(path)


@pytest.mark.parametrize("path", ["../x", "en/../../x", "..", "/abs", "/etc/passwd", "a\\b", "..\\x", "",
                                  ".", "./x", "a//b", "a/./b", "en/", "a\x00b", "a\nb", "a\x1fb", "\tx"])
def test_safe_parts_refuses_paths_that_could_leave_the_output_folder(path):
    with pytest.raises(UnsafeOutput, match="outside the output folder"):
        safe_parts(path)


# -------------------------------------------------------------------------------------- staging and swap

def test_outputs_known_to_be_published_are_linked_not_written(tmp_path):
    output = old_output(tmp_path)
    outputs = [("index.html", b"new root"), ("en/index.html", b"old en")]
    before = (output / "en" / "index.html").stat().st_ino
    write_outputs(outputs, output, frozenset(), published=frozenset({"en/index.html"}))
    assert tree_files(output) == dict(outputs)
    assert (output / "en" / "index.html").stat().st_ino == before  # the same file, linked into the new output
    assert leftovers(tmp_path) == []


def test_the_old_output_can_be_removed_in_a_thread_that_clean_stale_leaves_alone(tmp_path, monkeypatch):
    output = old_output(tmp_path)
    for n in range(50):  # enough files that the removal is still running when the swap returns
        (output / "en" / f"old-{n}").mkdir()
        (output / "en" / f"old-{n}" / "index.html").write_bytes(b"old")
    removed = []
    original = write._remove

    def remove(folder: Path) -> None:
        if folder.name.startswith(".retired-"):
            assert clean_stale(output) is None and folder.is_dir()  # not removed under the thread's feet
            removed.append(folder.name)
        original(folder)

    monkeypatch.setattr(write, "_remove", remove)
    write_outputs(OUTPUTS, output, frozenset(), remove_old_later=True)
    assert tree_files(output) == dict(OUTPUTS)
    write.finish_removals()
    assert len(removed) == 1 and leftovers(tmp_path) == [] and not write._removing
    write_outputs(OUTPUTS, output, frozenset(), remove_old_later=True)  # a second swap by the same process
    write.finish_removals()
    assert len(set(removed)) == 2 and leftovers(tmp_path) == []


def test_a_failed_write_leaves_published_files_that_were_linked_intact(tmp_path):
    output = old_output(tmp_path)

    def fail(staging: Path) -> None:
        (staging / "en" / "index.html").unlink()  # what the staging folder does cannot reach the output
        raise RuntimeError("indexer failed")

    with pytest.raises(RuntimeError):
        write_outputs([("en/index.html", b"old en")], output, frozenset(), fail, published=frozenset({"en/index.html"}))
    assert tree_files(output) == {"index.html": b"old root", "en/index.html": b"old en"}
    assert leftovers(tmp_path) == []


def test_a_published_output_that_is_gone_is_written(tmp_path):
    output = old_output(tmp_path)
    (output / "en" / "index.html").unlink()
    write_outputs([("en/index.html", b"old en")], output, frozenset(), published=frozenset({"en/index.html"}))
    assert tree_files(output) == {"en/index.html": b"old en"}


def test_outputs_are_staged_beside_output_and_swapped_in(tmp_path):
    output = old_output(tmp_path)
    seen = {}

    def before_swap(staging: Path) -> None:
        seen["staging"] = staging
        seen["staged"] = tree_files(staging)
        seen["published"] = tree_files(output)

    result = write_outputs(OUTPUTS, output, frozenset({"index.html", "en/index.html"}), before_swap)
    staging = seen["staging"]
    assert staging.parent == output.parent and staging.name.startswith(".staging-output-")
    assert seen["staged"] == dict(OUTPUTS)
    assert seen["published"] == {"index.html": b"old root", "en/index.html": b"old en"}  # untouched until the swap
    assert tree_files(output) == dict(OUTPUTS)
    assert result.written == 3 and result.foreign == ()
    assert leftovers(tmp_path) == []


def test_first_write_creates_the_output_folder_and_its_parents(tmp_path):
    output = tmp_path / "deep" / "public"
    write_outputs(OUTPUTS, output, frozenset())
    assert tree_files(output) == dict(OUTPUTS)


@pytest.mark.parametrize("bad", [[("../escape.html", b"x")], [("/tmp/abs.html", b"x")],
                                 [("a\\b.html", b"x")], [("en/index.html", b"1"), ("en/index.html", b"2")]])
def test_an_unsafe_or_repeated_path_fails_the_write_and_leaves_output_alone(tmp_path, bad):
    output = old_output(tmp_path)
    before = tree_files(output)
    with pytest.raises(UnsafeOutput):
        write_outputs(OUTPUTS + bad, output, frozenset())
    assert tree_files(output) == before
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "escape.html").exists()


def test_an_exception_before_the_swap_leaves_output_alone(tmp_path):
    output = old_output(tmp_path)
    before = tree_files(output)

    def fail(staging: Path) -> None:
        raise RuntimeError("indexing failed")

    with pytest.raises(RuntimeError, match="indexing failed"):
        write_outputs(OUTPUTS, output, frozenset(), fail)
    assert tree_files(output) == before
    assert leftovers(tmp_path) == []


def test_a_failing_second_rename_puts_the_old_output_back(tmp_path, monkeypatch):
    output = old_output(tmp_path)
    before = tree_files(output)
    real_rename = Path.rename

    def rename(self: Path, target):
        if self.name.startswith(write.STAGING_PREFIX):
            raise OSError("disk trouble")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError, match="disk trouble"):
        write_outputs(OUTPUTS, output, frozenset())
    monkeypatch.undo()
    assert tree_files(output) == before
    assert leftovers(tmp_path) == []


def test_stale_staging_and_retired_folders_are_removed_by_the_next_write(tmp_path):
    output = old_output(tmp_path)
    for name in (".staging-output-99999999", ".staging-output-x", ".retired-output-99999998"):  # no such pids
        (tmp_path / name / "en").mkdir(parents=True)
        (tmp_path / name / "en" / "index.html").write_bytes(b"stale")
    (tmp_path / ".staging-other-1").mkdir()  # another output folder's: not ours to remove
    write_outputs(OUTPUTS, output, frozenset())
    assert leftovers(tmp_path) == [".staging-other-1"]
    assert tree_files(output) == dict(OUTPUTS)


def test_the_staging_folder_of_a_build_still_running_is_left_alone(tmp_path):
    import os

    output = old_output(tmp_path)
    running = tmp_path / f".staging-output-{os.getppid()}"  # a live process that is not this one
    running.mkdir()
    write_outputs(OUTPUTS, output, frozenset())
    assert running.is_dir()


def test_a_run_killed_between_the_two_renames_gets_its_output_back(tmp_path):
    # the old output was renamed to .retired-*, the staging folder not yet renamed to output/
    retired = tmp_path / ".retired-output-99999998"
    (retired / "en").mkdir(parents=True)
    (retired / "en" / "index.html").write_bytes(b"published")
    (tmp_path / ".staging-output-99999999").mkdir()
    clean_stale(tmp_path / "output")
    assert tree_files(tmp_path / "output") == {"en/index.html": b"published"}
    assert leftovers(tmp_path) == []


def test_foreign_files_are_listed_unless_the_previous_build_made_them(tmp_path):
    output = old_output(tmp_path)
    (output / "stray.txt").write_bytes(b"x")
    (output / "en" / "old-page").mkdir()
    (output / "en" / "old-page" / "index.html").write_bytes(b"x")
    result = write_outputs(OUTPUTS, output, frozenset({"en/old-page/index.html"}))
    assert result.foreign == ("stray.txt",)
    assert tree_files(output) == dict(OUTPUTS)


# ------------------------------------------------------------------------------------- the command line

def test_the_cli_reports_files_it_did_not_make_and_removes_them(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.en.md": page("About")})
    assert run_cli(build_args(root, "--quiet"))[0] == 0
    (root / "output" / "notes.txt").write_text("mine", "utf-8")
    (root / "output" / "en" / "extra").mkdir()
    (root / "output" / "en" / "extra" / "x.html").write_text("mine", "utf-8")
    (root / "content" / "pages" / "about.en.md").unlink()  # a page the last build made: not foreign
    code, out, err = run_cli(build_args(root))
    assert code == 0
    assert err == ("removed 2 file(s) from the output folder that the generator did not make: "
                   "en/extra/x.html, notes.txt\n")
    assert out.startswith("built ")
    files = tree_files(root / "output")
    assert "notes.txt" not in files and "en/extra/x.html" not in files and "en/about/index.html" not in files


def test_quiet_builds_do_not_report_foreign_files(tmp_path):
    root = make_site(tmp_path)
    assert run_cli(build_args(root, "--quiet"))[0] == 0
    (root / "output" / "notes.txt").write_text("mine", "utf-8")
    assert run_cli(build_args(root, "--quiet")) == (0, "", "")
    assert not (root / "output" / "notes.txt").exists()


def test_a_build_writes_its_output_where_out_says_and_nowhere_else(tmp_path):
    root = make_site(tmp_path)
    before = {p for p in tmp_path.rglob("*")}
    target = tmp_path / "public"
    assert run_cli(build_args(root, "--quiet", "--out", str(target)))[0] == 0
    new = {p for p in tmp_path.rglob("*")} - before
    assert new, "nothing was written"
    assert all(target in p.parents or p == target or root / ".wtpfsite-cache" in (p, *p.parents) for p in new), \
        sorted(str(p) for p in new if target not in p.parents)
    assert not (root / "output").exists()


# ------------------------------------------------------------------------------------------ the kill test

def synthetic_site(folder: Path, pages: int) -> Path:
    """A site of `pages` synthetic pages with the real config (without search), strings, templates and pages."""
    import shutil
    import subprocess

    from helpers import PYTHON, ROOT, SEARCH_IS_AN_OPTION

    subprocess.run([PYTHON, str(ROOT / "scripts" / "synthetic.py"), "site", str(folder), "--pages", str(pages),
                    "--experts", "100", "--meetings", "12", "--documents", "100"], check=True, capture_output=True)
    config = (ROOT / "site_config.yaml").read_text("utf-8")
    (folder / "site_config.yaml").write_text(config + ("search: false\n" if SEARCH_IS_AN_OPTION else ""), "utf-8")
    shutil.copyfile(ROOT / "content" / "strings.yaml", folder / "content" / "strings.yaml")
    shutil.copytree(ROOT / "templates", folder / "templates")
    for source in (ROOT / "content" / "pages").glob("*.md"):
        shutil.copyfile(source, folder / "content" / "pages" / source.name)
    return folder


def test_a_build_killed_while_writing_leaves_output_intact_and_the_next_build_cleans_up(tmp_path):
    import os
    import signal
    import subprocess
    import time

    from helpers import PYTHON, ROOT, TODAY_ARG, tree_hash, with_previous_output

    root = synthetic_site(tmp_path / "big", pages=300)
    output = with_previous_output(root)  # a previous build's output/ (of a smaller site: only its bytes matter)
    before = tree_hash(output)
    args = [PYTHON, str(ROOT / "build.py"), "build", "--today", TODAY_ARG, "--quiet"]
    process = subprocess.Popen(args, cwd=root, start_new_session=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=os.environ | {"PYTHONPATH": str(ROOT)})
    staging: list[Path] = []
    deadline = time.monotonic() + 300
    try:
        while process.poll() is None and time.monotonic() < deadline:
            staging = [p for p in root.iterdir() if p.name.startswith(".staging-")]
            if staging:
                os.killpg(process.pid, signal.SIGKILL)  # our own child's group, mid-write
                break
            time.sleep(0.002)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
    assert staging, f"the build ended (status {process.returncode}) before a staging folder appeared: {err!r}"
    assert process.returncode == -signal.SIGKILL
    assert any(p.exists() for p in staging), "killed after the swap: the site is too small for this test"
    assert tree_hash(output) == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".retired-")] == []

    done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=300,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert leftovers(root) == []
    assert tree_hash(output) != before
    assert (output / "en" / "index.html").is_file() and (output / "zh" / "index.html").is_file()


# ------------------------------------------------------------------------------------------ in place

def test_update_in_place_replaces_only_what_changed_and_removes_what_no_longer_belongs(tmp_path):
    output = old_output(tmp_path)
    (output / "en" / "gone").mkdir()
    (output / "en" / "gone" / "index.html").write_bytes(b"made last time")
    (output / "notes.txt").write_bytes(b"someone's")
    kept_inode = (output / "en" / "index.html").stat().st_ino
    outputs = [("index.html", b"new root"), ("en/index.html", None), ("en/about/index.html", b"about")]
    result = write.update_in_place(outputs, output, frozenset({"index.html", "en/index.html", "en/gone/index.html"}),
                                   published=frozenset({"en/index.html"}))
    assert tree_files(output) == {"index.html": b"new root", "en/index.html": b"old en",
                                  "en/about/index.html": b"about"}
    assert (output / "en" / "index.html").stat().st_ino == kept_inode  # not touched
    assert not (output / "en" / "gone").exists()  # emptied folders go too
    assert result.written == 3 and result.foreign == ("notes.txt",)
    assert leftovers(tmp_path) == [] and not list(output.rglob(".wtpfsite-new-*"))


@pytest.mark.parametrize("arrange", [
    lambda output: (output / "en" / "about" / "index.html").mkdir(parents=True),  # a folder where a file goes
    lambda output: (output / "en" / "index.html").unlink(),  # a published output is missing
    lambda output: (output / "en" / "about").write_bytes(b"x"),  # a file where a folder goes
], ids=["folder for a file", "published file missing", "file for a folder"])
def test_update_in_place_declines_a_folder_that_is_not_plainly_the_last_build(tmp_path, arrange):
    output = old_output(tmp_path)
    arrange(output)
    before = sorted(p.relative_to(output).as_posix() for p in output.rglob("*"))
    outputs = [("en/index.html", None), ("en/about/index.html", b"about")]
    assert write.update_in_place(outputs, output, frozenset(), published=frozenset({"en/index.html"})) is None
    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*")) == before


def test_update_in_place_refuses_unsafe_paths_before_writing_anything(tmp_path):
    output = old_output(tmp_path)
    before = tree_files(output)
    with pytest.raises(UnsafeOutput):
        write.update_in_place([("index.html", b"new"), ("../escape.html", b"x")], output, frozenset(), frozenset())
    assert tree_files(output) == before and not (tmp_path / "escape.html").exists()


def test_a_rebuild_that_changed_few_outputs_updates_in_place_and_one_that_changed_many_stages(tmp_path, monkeypatch):
    from helpers import options

    from wtpfsite.build import build

    site = make_site(tmp_path, {"content/pages/about.en.md": page("About", "Text.\n")})
    build(options(site))
    swaps = []
    original = write._swap
    monkeypatch.setattr(write, "_swap",
                        lambda staging, output, later: swaps.append(1) or original(staging, output, later))
    (site / "content" / "pages" / "about.en.md").write_text(page("About", "Other text.\n"), "utf-8")
    result = build(options(site))
    assert 0 < result.rendered * 4 <= len(result.outputs) and swaps == []  # in place
    base = site / "templates" / "base.html"
    base.write_text(base.read_text("utf-8") + "\n<!-- edited -->\n", "utf-8")
    build(options(site))
    assert swaps == [1]  # every page changed: staged and swapped


# ------------------------------------------------------------------------------- outputs staged as made

def test_staging_refuses_unsafe_paths_and_writes_nothing_outside(tmp_path):
    output = tmp_path / "site" / "output"
    staging = write.Staging(output)
    try:
        for bad in ("../escape.html", "/abs.html", "en/../../escape.html"):
            with pytest.raises(UnsafeOutput):
                staging.put(bad, b"x")
        staging.put("en/ok/index.html", b"ok")
        assert (staging.folder / "en" / "ok" / "index.html").read_bytes() == b"ok"
    finally:
        staging.remove()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["site"]


def test_a_build_keeps_no_output_in_memory_and_a_failing_one_leaves_no_staging(tmp_path, monkeypatch):
    from helpers import assert_build_fails, draft, options

    from wtpfsite.build import build

    files = {"content/drafts/draft-1.en.md": draft(1), "content/drafts/draft-1.zh.md": draft(1)}
    root = make_site(tmp_path, files)
    result = build(options(root), incremental=False)
    assert result.outputs and all(o.data is None and o.digest for o in result.outputs)  # all written as made
    assert leftovers(root) == []
    # pages render before drafts: a draft template failing at render time comes after pages were staged
    bad = (root / "templates" / "draft.html").read_text("utf-8").replace("{% block content %}",
                                                                      "{% block content %}{{ nothing() }}", 1)
    assert bad != (root / "templates" / "draft.html").read_text("utf-8")
    staged_when_removed = []
    remove = write.Staging.remove
    monkeypatch.setattr(write.Staging, "remove", lambda self: staged_when_removed.append(
        sum(1 for p in self.folder.rglob("*") if p.is_file())) or remove(self))
    assert_build_fails(tmp_path / "failing", {**files, "templates/draft.html": bad},
                       ["templates/draft.html:2:1: template error: 'nothing' is undefined"])
    assert staged_when_removed[-1] > 0  # the failing build had written pages there: all removed
