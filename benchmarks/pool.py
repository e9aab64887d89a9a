#!/usr/bin/env python3
"""Pool the raw samples of several benchmark runs into one table (run.py's, with the medians of all samples).

    python benchmarks/pool.py benchmarks/work/results-DATE-HHMMSS.json [more of them ...]

On a shared machine the speed of one tool can move by half between runs taken minutes apart, so one run's ratio
says little. run.py keeps every sample of a run in benchmarks/work/results-DATE-HHMMSS.json; this prints run.py's
tables for all of them together: median and spread of wall time, median CPU time, the largest peak RSS, `× ours`
and the budget figures from the pooled medians. Only runs of the same corpus sizes and tools should be pooled.
A harness, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the harness: Sample)
from peers import ALL_TOOLS  # noqa: E402
from report import budget_figures, table  # noqa: E402


def pooled(paths: list[Path]) -> dict:
    """{(size, tool, case): [Sample, ...]} over every file."""
    results: dict = {}
    for path in paths:
        for key, samples in json.loads(path.read_text(encoding="utf-8")).items():
            size, tool, case = key.split("/")
            results.setdefault((int(size), tool, case), []).extend(run.Sample(**sample) for sample in samples)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="raw samples written by run.py (work/results-*.json)")
    args = parser.parse_args(argv)
    results = pooled(args.files)
    sizes = sorted({size for size, _, _ in results})
    tools = [tool for tool in ALL_TOOLS if any(t == tool for _, t, _ in results)]
    runs = {size: max(len(samples) for (s, _, _), samples in results.items() if s == size) for size in sizes}
    print(f"Pooled from {len(args.files)} files: " + ", ".join(f"{size} pages: up to {n} samples per tool and case"
                                                               for size, n in runs.items()) + "\n")
    print(table(results, sizes, tools), end="")
    figures = budget_figures(results, sizes, tools)
    if figures:
        print("\nBudget figures (pooled medians; see benchmarks/README.md)\n\n" + figures, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
