"""Watch mode's rebuild after a one-page edit, measured in-process: what `serve` does between noticing a save and
telling the browsers to reload, without the browser, the debounce or the HTTP server around it.

Copies the real site (and, with --synthetic, makes a SYNTHETIC site of --pages Markdown files with
scripts/synthetic.py, plus the real config, strings, templates and linked pages, search off, as reload_latency.py
does) into a temporary folder, builds it once keeping one `Caches` object in memory (`read_caches`, then
`build(..., caches=caches)`), as `serve` does, then --runs times appends a line to one page and rebuilds with the
same caches and `later=True`, as `serve` does. Prints the median and spread of the rebuild's wall and CPU time
(what the browsers wait for: not the search index or the parse cache's save, which `finish` does after, untimed),
and how many outputs each rebuild made again.

    .venv/bin/python benchmarks/serve_rebuild.py [--runs 7] [--synthetic [--pages 2000]]

Not a test: nothing is asserted. Numbers depend on the machine and on how busy it is.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from reload_latency import real_site, synthetic_site  # noqa: E402 (after the path set-up)

from wtpfsite.pipeline.build import BuildOptions, build, finish, read_caches  # noqa: E402

TODAY = date(2020, 10, 1)


def measure(site: Path, source: Path, runs: int) -> dict[str, list[float]]:
    options = BuildOptions(site / "site_config.yaml", TODAY)
    caches = read_caches(options)  # as `serve` starts: one Caches object for every build
    build(options, caches=caches)
    times: dict[str, list[float]] = {"wall": [], "cpu": [], "rendered": []}
    for run in range(runs):
        with source.open("a", encoding="utf-8") as file:
            file.write(f"\n\nA line added by serve_rebuild.py, run {run}.\n")
        wall, cpu = time.perf_counter(), time.process_time()
        result = build(options, caches=caches, later=True)  # as serve's: what the browsers wait for
        times["wall"].append(time.perf_counter() - wall)
        times["cpu"].append(time.process_time() - cpu)
        times["rendered"].append(result.rendered)
        finish(options, caches, result)  # the search index and the parse cache's save, after the reload
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--synthetic", action="store_true", help="also a SYNTHETIC site of --pages Markdown files")
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wtpfsite-serve-rebuild-") as folder:
        work = Path(folder)
        sites = [("real", *real_site(work)[:2])]
        if args.synthetic:
            sites.append((f"synthetic-{args.pages}", *synthetic_site(work, args.pages)[:2]))
        print("| site | runs | rebuild median s | min-max s | CPU median s | outputs made again, median |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, site, source in sites:
            times = measure(site, source, args.runs)
            wall = times["wall"]
            print(f"| {name} | {args.runs} | {statistics.median(wall):.3f} | {min(wall):.3f}-{max(wall):.3f} | "
                  f"{statistics.median(times['cpu']):.3f} | {statistics.median(times['rendered']):.0f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
