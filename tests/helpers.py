"""Test helpers: a throwaway-site factory, ways to run the command line, and tree comparison.

Not a conftest.py on purpose (that one holds the shared browser fixtures): tests import what they need from here.

    root = make_site(tmp_path, {"content/pages/about.en.md": "---\ntitle: About\n---\nBody\n"})
    code, out, err = run_cli(["build", "--config", str(root / "site_config.yaml"), "--today", "2020-09-20"])
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from wtpfsite.pipeline.build import BuildOptions, load_site, render_site
from wtpfsite.render.environment import make_environment
from wtpfsite.content.config import SiteConfig
from wtpfsite.base.errors import ContentErrors

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TODAY = date(2020, 9, 20)
TODAY_ARG = TODAY.isoformat()

SEARCH_IS_AN_OPTION = "search" in SiteConfig.__dataclass_fields__

CONFIG = """\
title: {en: Test site, zh: 测试网站}
languages:
  - code: en
    name: English
    locale: en_GB
  - code: zh
    name: 中文
    locale: zh_Hans_CN
base_url: https://example.org/site/
navigation:
  - home
""" + ("search: false\n" if SEARCH_IS_AN_OPTION else "")

INDEX_EN = """\
---
title: Home
description: The home page of a test site.
---
Welcome.

## Outline

Text.
"""


def page(title: str = "A page", body: str = "Body text.\n", **fields: str) -> str:
    """The text of a Markdown source with front matter (values are written as given)."""
    lines = ["---", f"title: {title}"] + [f"{key}: {value}" for key, value in fields.items()] + ["---"]
    return "\n".join(lines) + "\n" + body


def draft(number: int, body: str = "Draft text.\n", status: str = "released", released: str = "2020-01-10",
          **fields: str) -> str:
    return page(f"Draft {number}", body, number=str(number), released=released, status=status, **fields)


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write `{relative path: text}` under root; bytes are written as they are, None deletes the file."""
    for relative, text in files.items():
        path = root / relative
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")


def make_site(tmp_path: Path, files: dict[str, str | bytes | None] | None = None, name: str = "site") -> Path:
    """A minimal valid site in tmp_path/name (en + zh, the real strings and templates, one home page),
    overlaid with `files`. Returns the site's folder (where site_config.yaml is)."""
    root = tmp_path / name
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "templates", root / "templates", dirs_exist_ok=True)
    (root / "content" / "pages").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "content" / "strings.yaml", root / "content" / "strings.yaml")
    write_files(root, {"site_config.yaml": CONFIG, "content/pages/index.en.md": INDEX_EN})
    write_files(root, files or {})
    return root


def copy_real_site(target: Path) -> Path:
    """A copy of the project's own site (config, content, templates) in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "site_config.yaml", target / "site_config.yaml")
    shutil.copytree(ROOT / "content", target / "content")
    shutil.copytree(ROOT / "templates", target / "templates")
    return target


def options(root: Path, today: date = TODAY, **kwargs) -> BuildOptions:
    return BuildOptions(root / "site_config.yaml", today, **kwargs)


def content_errors(root: Path, today: date = TODAY) -> list[str]:
    """The formatted errors a build of the site reports (load and render, nothing written); [] if none."""
    try:
        site = load_site(options(root, today)).site
        render_site(site, make_environment(site.config.templates_dir), today)
    except ContentErrors as exc:
        return [error.format() for error in exc.errors]
    return []


def run_cli(args: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    """wtpfsite.commands.cli.main(args) in this process: (exit status, stdout, stderr)."""
    from wtpfsite.commands.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(previous)
    return code, out.getvalue(), err.getvalue()


def build_args(root: Path, *extra: str) -> list[str]:
    return ["build", "--config", str(root / "site_config.yaml"), "--today", TODAY_ARG, *extra]


def run_build_process(args: list[str], cwd: Path, env: dict[str, str] | None = None,
                      timeout: float = 300) -> subprocess.CompletedProcess:
    """`python build.py ARGS` as a separate process."""
    full_env = os.environ | {"PYTHONPATH": str(ROOT)} | (env or {})
    return subprocess.run([PYTHON, str(ROOT / "build.py"), *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def tree_files(folder: Path) -> dict[str, bytes]:
    """Every file under folder by its relative POSIX path, with its bytes."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tree_hash(folder: Path) -> str:
    """One digest of a folder's file names and contents."""
    digest = hashlib.sha256()
    for name, data in tree_files(folder).items():
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def files_outside(root: Path, excluded: str = "output") -> set[str]:
    """Every path (files and folders) under root, except those inside root/excluded."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.relative_to(root).parts[0] != excluded}


_BASELINE: dict[str, bytes] = {}


def baseline_output() -> dict[str, bytes]:
    """The output tree of the minimal site (built once per test process)."""
    if not _BASELINE:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            root = make_site(Path(folder))
            code, _, err = run_cli(build_args(root, "--quiet"))
            assert code == 0, err
            _BASELINE.update(tree_files(root / "output"))
    return _BASELINE


def with_previous_output(root: Path) -> Path:
    """Put a previous build's output/ into the site (a copy of the minimal site's); returns its path."""
    output = root / "output"
    for name, data in baseline_output().items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_bytes(data)
    return output


def leftovers(root: Path) -> list[str]:
    """Staging or retired folders left beside output/."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".staging-", ".retired-")))


def assert_build_fails(tmp_path: Path, files: dict[str, str | bytes | None], expected: list[str]) -> str:
    """Build a minimal site overlaid with `files` through the command line, over a previous output/:
    exit status 1, exactly the `expected` error lines (then the count), no traceback, and output/
    byte-for-byte as it was. Returns stderr."""
    root = make_site(tmp_path, files)
    output = with_previous_output(root)
    before = tree_files(output)
    code, out, err = run_cli(build_args(root))
    assert "Traceback" not in err, err
    count = len(expected)
    wanted = expected + [f"{count} error{'s' if count != 1 else ''}; nothing was written"]
    assert err.splitlines() == wanted, "stderr was:\n" + err + "\nexpected:\n" + "\n".join(wanted)
    assert code == 1, code
    assert out == "", out
    assert tree_files(output) == before, "output/ changed"
    assert leftovers(root) == [], leftovers(root)
    return err


FIXTURE = ROOT / "tests" / "fixtures" / "basic"
FIXTURE_TODAY = date(2020, 10, 1)


class FixtureSite:
    """A copy of tests/fixtures/basic in `folder/site`, with its own copy of the templates and of the real string
    catalog (which fits them), so that tests can edit any of its files."""

    def __init__(self, folder: Path):
        import re

        self.folder = folder
        self.root = folder / "site"
        shutil.copytree(FIXTURE, self.root, ignore=shutil.ignore_patterns("output", ".wtpfsite-cache"))
        shutil.copytree(ROOT / "templates", self.root / "templates")
        shutil.copyfile(ROOT / "content" / "strings.yaml", self.root / "content" / "strings.yaml")
        self.config = self.root / "site_config.yaml"
        self.edit("site_config.yaml", lambda text: re.sub(r"(?m)^templates_dir: .*$", "templates_dir: templates",
                                                          text))
        self.output = self.root / "output"
        self._copies = 0

    def path(self, relative: str) -> Path:
        return self.root / relative

    def edit(self, relative: str, change) -> None:
        path = self.path(relative)
        text = path.read_text("utf-8")
        new = change(text)
        assert new != text, f"the edit of {relative} changed nothing"
        path.write_text(new, "utf-8")

    def options(self, **changes) -> BuildOptions:
        return BuildOptions(self.config, changes.pop("today", FIXTURE_TODAY), **changes)

    def built_copy(self, **changes) -> dict[str, bytes]:
        """The output of a clean build of a copy of the site's inputs (with the same options), made in a folder of
        its own: nothing of the site's own output or caches is touched."""
        from wtpfsite.pipeline.build import build

        self._copies += 1
        copy = self.folder / f"clean-{self._copies}"
        shutil.copytree(self.root, copy, ignore=shutil.ignore_patterns("output", ".wtpfsite-cache"))
        changes.pop("output_dir", None)
        build(BuildOptions(copy / "site_config.yaml", changes.pop("today", FIXTURE_TODAY), **changes),
              incremental=False)
        return tree_files(copy / "output")
