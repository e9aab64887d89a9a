"""Tests for wtpfsite.commands.cli: exit statuses, what is printed, and that output/ survives every failure."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from helpers import (ROOT, TODAY_ARG, build_args, leftovers, make_site, page, run_build_process, run_cli, tree_files,
                     with_previous_output)
from wtpfsite.commands import cli
from wtpfsite.render import pages as render_pages


def test_a_good_build_exits_0_and_says_what_it_built(tmp_path):
    root = make_site(tmp_path)
    code, out, err = run_cli(build_args(root))
    assert (code, err) == (0, "")
    assert re.match(r"built \d+ files \(\d+ en, \d+ zh pages\) in \d+\.\d\d s", out), out
    assert (root / "output" / "en" / "index.html").is_file()
    assert leftovers(root) == []


def test_quiet_prints_nothing(tmp_path):
    assert run_cli(build_args(make_site(tmp_path), "--quiet")) == (0, "", "")


@pytest.mark.parametrize("args, message", [
    (["bulid"], "invalid choice: 'bulid'"),
    (["build", "--nope"], "unrecognized arguments: --nope"),
    (["build", "--today", "2020-13-01"], "argument --today: '2020-13-01' is not a date such as 2020-09-14"),
    ([], "the following arguments are required: command"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    root = make_site(tmp_path)
    output = with_previous_output(root)
    before = tree_files(output)
    code, out, err = run_cli(args + (["--config", str(root / "site_config.yaml")] if args[:1] == ["build"] else []))
    assert code == 2
    assert message in err and "usage:" in err and "Traceback" not in err
    assert tree_files(output) == before


def test_a_missing_config_file_is_a_usage_error(tmp_path):
    assert run_cli(["build", "--config", str(tmp_path / "nope.yaml")]) == (
        2, "", f"build.py: error: no config file at {tmp_path / 'nope.yaml'}\n")


def test_help_exits_0():
    code, out, _ = run_cli(["--help"])
    assert code == 0 and "build" in out and "check" in out


def test_content_errors_exit_1_and_leave_output_alone(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.en.md": "---\ntitle: About\n---\n[x](missing.md)\n"})
    output = with_previous_output(root)
    before = tree_files(output)
    code, out, err = run_cli(build_args(root))
    assert (code, out) == (1, "")
    assert err == ("content/pages/about.en.md:4:5: link to 'missing.md': there is no such page\n"
                   "1 error; nothing was written\n")
    assert tree_files(output) == before


@pytest.fixture
def broken_pipeline(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(render_pages, "render_markdown", fail)


def test_an_internal_error_exits_3_with_a_short_report_and_no_traceback(tmp_path, broken_pipeline):
    root = make_site(tmp_path)
    output = with_previous_output(root)
    before = tree_files(output)
    code, out, err = run_cli(build_args(root))
    assert (code, out) == (3, "")
    assert err == ("internal error: RuntimeError: something broke\nThis is a bug in the generator; run again with "
                   "--debug for the traceback and report it.\n")
    assert tree_files(output) == before
    assert leftovers(root) == []


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_wherever_it_is_given(tmp_path, broken_pipeline, where):
    root = make_site(tmp_path)
    args = ["--debug", *build_args(root)] if where == "before" else build_args(root, "--debug")
    code, _, err = run_cli(args)
    assert code == 3
    assert err.startswith("Traceback (most recent call last):")
    assert 'raise RuntimeError("something broke")' in err
    assert err.endswith("run again with --debug for the traceback and report it.\n")


def test_an_internal_error_while_writing_leaves_output_alone(tmp_path, monkeypatch):
    root = make_site(tmp_path)
    output = with_previous_output(root)
    before = tree_files(output)
    rename = Path.rename

    def fail(self, target):
        if self.name.startswith(".staging-"):  # the staged site swapped in
            raise RuntimeError("swap failed")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", fail)
    code, _, err = run_cli(build_args(root))
    assert code == 3 and "internal error: RuntimeError: swap failed" in err
    assert tree_files(output) == before
    assert leftovers(root) == []


def test_interrupting_a_build_exits_130_and_leaves_output_alone(tmp_path, monkeypatch):
    root = make_site(tmp_path)
    output = with_previous_output(root)
    before = tree_files(output)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(render_pages, "render_markdown", interrupt)
    code, _, err = run_cli(build_args(root))
    assert code == 130 and err == "interrupted; output/ was left as it was\n"
    assert tree_files(output) == before


def test_check_writes_nothing(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.en.md": page("About", "[home](index.md#outline)\n")})
    code, out, err = run_cli(["check", "--config", str(root / "site_config.yaml"), "--today", TODAY_ARG])
    assert (code, err) == (0, "")
    assert out.startswith("checked ") and out.endswith(": no problems\n")
    assert not (root / "output").exists()


def test_check_reports_content_errors(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.en.md": page("About", "[x](#nowhere)\n")})
    code, out, err = run_cli(["check", "--config", str(root / "site_config.yaml"), "--today", TODAY_ARG])
    assert code == 1
    assert err.splitlines()[0] == "content/pages/about.en.md:4:5: link to '#nowhere': no heading with id 'nowhere' " \
                                  "in about.en.md"


def test_source_date_epoch_sets_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600300000")  # 2020-09-16 23:46 UTC, 2020-09-17 in Geneva
    assert cli.default_today() == date(2020, 9, 17)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    assert isinstance(cli.default_today(), date)


def test_build_py_passes_the_exit_status_on(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.en.md": "no front matter\n"})
    done = run_build_process(build_args(root), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("content/pages/about.en.md:1:1: missing front matter")
    assert run_build_process(["build", "--bogus"], cwd=tmp_path).returncode == 2
    assert (ROOT / "build.py").is_file()
