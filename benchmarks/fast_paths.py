#!/usr/bin/env python3
"""What each fast path of the build gains, measured on and off in one session (pipeline.build.FastPaths).

On a SYNTHETIC site of --pages Markdown files (scripts/synthetic.py; search off, as the budgets it serves), it
times, in this process and interleaved over --runs rounds:

    cold   a clean build (`--no-cache`): with every fast path, with none (pipeline.build.CORE), and with all but
           one, for each of `run` (parsing and rendering on every core) and `markdown` (the Rust back end)
    page   a build after appending a sentence to one page: with every fast path, and without `update` (the
           in-place update of the output folder)

and prints the medians, and what each fast path saves as a share of the budget it serves (the cold build for
`run` and `markdown`, the one-page build for `update`). A fast path stays only where it saves 25% or more.

    .venv/bin/python benchmarks/fast_paths.py [--pages 2000] [--runs 5]

Not a test: nothing is asserted. Numbers depend on the machine and on how busy it is.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wtpfsite.content.markdown import parse_markdown  # noqa: E402
from wtpfsite.pipeline.build import CORE, BuildOptions, FastPaths, build, one_by_one  # noqa: E402

TODAY = date(2020, 10, 1)
ALL = FastPaths()
COLD = {"all": ALL, "none (CORE)": CORE, "all but run": replace(ALL, run=one_by_one),
        "all but markdown": replace(ALL, markdown=parse_markdown)}
PAGE = {"all": ALL, "all but update": replace(ALL, update=None)}


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


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    site = synthetic_site(ROOT / "benchmarks" / "work" / "fast-paths", args.pages)
    options = BuildOptions(site / "site_config.yaml", TODAY)
    edited = sorted((site / "content" / "pages").glob("page-*.en.md"))[0]
    samples: dict[str, list[float]] = {f"cold, {name}": [] for name in COLD} | {f"page, {name}": [] for name in PAGE}
    build(options, incremental=False)  # warm-up: the file system cache, the compiled templates
    for run in range(args.runs):
        for name, fast in COLD.items():
            samples[f"cold, {name}"].append(timed(lambda: build(options, incremental=False, fast=fast)))
        for name, fast in PAGE.items():
            build(options)
            edited.write_text(edited.read_text("utf-8") + f"\nOne more sentence, {run} {name}.\n", "utf-8")
            samples[f"page, {name}"].append(timed(lambda: build(options, fast=fast)))
        print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"\n{args.pages} synthetic pages, {args.runs} runs, medians in seconds (in-process: no start-up)\n")
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
