"""Watch mode's rebuild after a one-page edit, measured in-process: what `serve` does between noticing a save and
telling the browsers to reload, without the browser, the debounce or the HTTP server around it.

Copies the real site (and, with --synthetic, makes a SYNTHETIC site of --pages Markdown files with
scripts/synthetic.py, plus the real config, strings, templates and linked pages, as reload_latency.py does) into a
temporary folder, builds it once with a `session.Session` as `serve` does, then --runs times appends a line to one
page and rebuilds. Prints the median and spread of the rebuild's wall and CPU time, and of the work left for
after the reload (`session.Afterwards`: the search index and saving the caches).

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

from wtpfsite.build import BuildOptions, build  # noqa: E402
from wtpfsite.session import Session  # noqa: E402

TODAY = date(2020, 10, 1)


def measure(site: Path, source: Path, runs: int) -> dict[str, list[float]]:
    options = BuildOptions(site / "site_config.yaml", TODAY)
    session = Session()
    first = build(options, session=session)
    if first.afterwards is not None:
        first.afterwards.run()
    times: dict[str, list[float]] = {"wall": [], "cpu": [], "afterwards": []}
    for run in range(runs):
        with source.open("a", encoding="utf-8") as file:
            file.write(f"\n\nA line added by serve_rebuild.py, run {run}.\n")
        time.sleep(0.3)  # past the racy window (stamp.py): a real save is seen after the debounce
        wall, cpu = time.perf_counter(), time.process_time()
        result = build(options, session=session, changed=frozenset({source}))  # as serve's watcher names it
        times["wall"].append(time.perf_counter() - wall)
        times["cpu"].append(time.process_time() - cpu)
        after = time.perf_counter()
        if result.afterwards is not None:
            result.afterwards.run()
        times["afterwards"].append(time.perf_counter() - after)
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
        print("| site | runs | rebuild median s | min-max s | CPU median s | afterwards median s |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, site, source in sites:
            times = measure(site, source, args.runs)
            wall = times["wall"]
            print(f"| {name} | {args.runs} | {statistics.median(wall):.3f} | {min(wall):.3f}-{max(wall):.3f} | "
                  f"{statistics.median(times['cpu']):.3f} | {statistics.median(times['afterwards']):.3f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
