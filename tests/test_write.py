"""Tests for wtpfsite.publish.write: staging beside output/, the swap, stale folders, refusal of unsafe paths,
and the command line's report of files in output/ that the generator did not make."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_args, leftovers, make_site, page, run_cli, tree_files, write_files
from wtpfsite.publish.write import STAGING_PREFIX, Staging, UnsafeOutput, clean_stale, safe_parts

OUTPUTS = [("index.html", b"root"), ("en/index.html", b"en"), ("en/about/index.html", b"about")]


def old_output(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    (output / "en").mkdir(parents=True)
    (output / "en" / "index.html").write_bytes(b"old en")
    (output / "index.html").write_bytes(b"old root")
    return output


def write_outputs(outputs, output_dir, previous_files, before_swap=None):
    """Every output staged, then published, as a build does (an error discards the staging folder)."""
    staging = Staging(output_dir)
    try:
        for path, data in outputs:
            staging.put(path, data)
    except BaseException:
        staging.discard()
        raise
    return staging.publish([path for path, _ in outputs], previous_files, before_swap)


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

def test_an_output_without_data_is_copied_from_the_published_folder(tmp_path):
    output = old_output(tmp_path)
    write_outputs([("en/index.html", None), ("index.html", b"new root")], output, frozenset())
    assert tree_files(output) == {"en/index.html": b"old en", "index.html": b"new root"}
    assert leftovers(tmp_path) == []


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
        if self.name.startswith(STAGING_PREFIX):
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
    # (retired on purpose, so that nothing but the foreign files is reported)
    write_files(root, {"content/data/retired.yaml": "retired:\n  - path: /en/about/\n  - path: /zh/about/\n"})
    code, out, err = run_cli(build_args(root))
    assert code == 0
    assert err == ("removed 2 files from the output folder that the generator did not make: "
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


# ------------------------------------------------------------------------- folders a build must not replace

@pytest.mark.parametrize("out, problem", [
    (".", "it holds the config file"),
    ("content", "it holds the content folder"),
    ("templates/static/site", "it is inside the templates folder"),
    ("..", "it holds the config file"),
])
def test_a_build_refuses_an_output_folder_that_holds_or_lies_in_the_sources(tmp_path, out, problem):
    root = make_site(tmp_path)
    before = tree_files(tmp_path)
    code, stdout, err = run_cli(build_args(root, "--out", str(root / out)))
    assert code == 2 and stdout == ""
    assert err.startswith(f"build.py build: error: refusing to build into {(root / out).resolve()}: {problem}")
    assert err.endswith("build into an empty folder or one an earlier build made (--out DIR, or output_dir in "
                        "site_config.yaml)\n")
    assert tree_files(tmp_path) == before  # nothing written, nothing removed


def test_a_build_refuses_a_folder_of_other_files_a_git_repository_or_a_file(tmp_path):
    root = make_site(tmp_path)
    write_files(tmp_path, {"docs/guide.md": "an editor's notes\n", "repo/.git/HEAD": "ref: refs/heads/main\n",
                           "notes.txt": "a file\n"})
    before = tree_files(tmp_path)
    for out, problem in (("docs", "it holds files that no build made (guide.md)"),
                         ("repo", "it holds a git repository"), ("notes.txt", "it is not a folder")):
        code, _, err = run_cli(build_args(root, "--out", str(tmp_path / out)))
        assert (code, err.split(": ", 3)[-1].split(";")[0]) == (2, problem), err
    code, _, err = run_cli(build_args(root, "--out", str(tmp_path / "notes.txt" / "site")))
    assert code == 2 and "cannot write into" in err and "Error" not in err and "internal" not in err
    assert tree_files(tmp_path) == before


def test_a_build_replaces_a_folder_an_earlier_build_made_and_lists_what_it_did_not_make(tmp_path):
    root = make_site(tmp_path)
    out = tmp_path / "site-out"
    assert run_cli(build_args(root, "--out", str(out)))[0] == 0
    (out / "CNAME").write_text("example.org\n", "utf-8")
    code, _, err = run_cli(build_args(root, "--out", str(out), "--no-cache"))
    assert code == 0 and "removed 1 file from the output folder that the generator did not make: CNAME" in err
