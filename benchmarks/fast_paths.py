#!/usr/bin/env python3
"""What each fast path of the build gains, measured on and off in one session (pipeline.build.FastPaths).

On a SYNTHETIC site of --pages Markdown files (scripts/synthetic.py; search off, as the budgets it serves), it
times, in this process and interleaved over --runs rounds:

    cold   a clean build, with no output folder and no cache folder (as run.py's): with every fast path, with none (pipeline.build.CORE), and with all but
           one, for each of `run` (parsing and rendering on every core) and `markdown` (the Rust back end)
    page   a build after appending a sentence to one page: with every fast path, and without `update` (the
           in-place update of the output folder)

each in a fresh process, as the command line builds, and prints the medians, and what each fast path saves as a share of the budget it serves (the cold build for `run` and `markdown`, the one-page build for `update`). A fast path stays only where it saves 25% or more.

    .venv/bin/python benchmarks/fast_paths.py [--pages 2000] [--runs 5] [--site DIR]

`--site DIR` measures an existing site instead (run.py's `ours` tree, benchmarks/work/sites-2000/ours, after a
run of run.py: the minimal theme of the budgets), whose copy it edits.

Not a test: nothing is asserted. Numbers depend on the machine and on how busy it is.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wtpfsite.content.markdown import parse_markdown  # noqa: E402
from wtpfsite.pipeline.build import CORE, FastPaths, one_by_one  # noqa: E402

ALL = FastPaths()
PATHS = {"all": ALL, "none (CORE)": CORE, "all but run": replace(ALL, run=one_by_one),
         "all but markdown": replace(ALL, markdown=parse_markdown), "all but update": replace(ALL, update=None)}
COLD = ("all", "none (CORE)", "all but run", "all but markdown")
PAGE = ("all", "all but update")


def synthetic_site(folder: Path, pages: int) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synthetic.py"), "site", str(folder), "--pages",
                    str(pages)], check=True, capture_output=True)
    shutil.copy2(ROOT / "site_config.yaml", folder / "site_config.yaml")
    with (folder / "site_config.yaml").open("a", encoding="utf-8") as config:
        config.write("search: false\n")
    shutil.copy2(ROOT / "content" / "strings.yaml", folder / "content" / "strings.yaml")
    shutil.copytree(ROOT / "templates", folder / "templates")
    for name in ("index", "about", "consultation", "process"):
        for page in (ROOT / "content" / "pages").glob(f"{name}.*.md"):
            shutil.copy2(page, folder / "content" / "pages" / page.name)
    return folder


# One build in a fresh process: argv = config path, incremental (0 or 1), the fast paths' name
_BUILD = """
import sys, time
from datetime import date
from pathlib import Path
sys.path.insert(0, {benchmarks!r})
started = time.perf_counter()
from fast_paths import PATHS
from wtpfsite.pipeline.build import BuildOptions, build
build(BuildOptions(Path(sys.argv[1]), date(2020, 10, 1)), incremental=sys.argv[2] == "1", fast=PATHS[sys.argv[3]])
print(time.perf_counter() - started)
"""


def timed(config: Path, incremental: bool, paths: str) -> float:
    """Seconds of one build in a fresh process, imports included (as the command line's, but Python's start)."""
    done = subprocess.run([sys.executable, "-c", _BUILD.format(benchmarks=str(ROOT / "benchmarks")), str(config),
                           "1" if incremental else "0", paths], check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, default=None)
    args = parser.parse_args()
    work = ROOT / "benchmarks" / "work" / "fast-paths"
    if args.site is None:
        site = synthetic_site(work, args.pages)
    else:
        shutil.rmtree(work, ignore_errors=True)
        site = Path(shutil.copytree(args.site, work, ignore=shutil.ignore_patterns("output", ".wtpfsite-cache")))
    config = site / "site_config.yaml"
    edited = sorted((site / "content" / "pages").glob("page-*.en.md"))[0]
    samples: dict[str, list[float]] = {f"cold, {name}": [] for name in COLD} | {f"page, {name}": [] for name in PAGE}
    timed(config, False, "all")  # warm-up: the file system cache, the compiled templates
    for run in range(args.runs):
        for name in COLD:
            for folder in (site / "output", site / ".wtpfsite-cache"):  # as run.py's cold build
                shutil.rmtree(folder, ignore_errors=True)
            samples[f"cold, {name}"].append(timed(config, False, name))
        for name in PAGE:
            timed(config, True, "all")
            edited.write_text(edited.read_text("utf-8") + f"\nOne more sentence, {run} {name}.\n", "utf-8")
            samples[f"page, {name}"].append(timed(config, True, name))
        print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"\n{args.site or f'{args.pages} synthetic pages'}, {args.runs} runs, medians in seconds\n")
    print("| build | fast paths | median s |\n|---|---|---:|")
    for name, value in median.items():
        case, paths = name.split(", ", 1)
        print(f"| {case} | {paths} | {value:.2f} |")
    print("\n| fast path | saves | of the budget it serves |\n|---|---:|---|")
    for path, case in (("run", "cold"), ("markdown", "cold"), ("update", "page")):
        without, with_all = median[f"{case}, all but {path}"], median[f"{case}, all"]
        print(f"| `{path}` | {(without - with_all) / without:.0%} | {case} build: {without:.2f} -> {with_all:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
