"""The report of benchmarks/run.py: the Markdown table of every case and tool, and the budget figures (ratios
against the peers of the same session), as printed and kept in benchmarks/work/results-*.md."""

from __future__ import annotations

import platform
import statistics
import subprocess

from peers import CASES, OURS

def summarize(values: list[float]) -> dict:
    q = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else [values[0]] * 3
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "q1": q[0], "q3": q[2]}


def table(results: dict, sizes: list[int], tools: list[str]) -> str:
    head = ("| pages | case | tool | median s | min–max s | IQR s | CPU s | pages/s | peak RSS MB | HTML pages "
            "| × ours |\n|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    rows = []
    for size in sizes:
        for case in CASES:
            ours = results.get((size, "ours", case))
            for tool in tools:
                samples = results.get((size, tool, case))
                if not samples:
                    continue
                t = summarize([s.seconds for s in samples])
                cpu = statistics.median(s.cpu for s in samples)
                rss = max(s.rss_mb for s in samples)
                html = samples[-1].html
                ratio = (f"{t['median'] / statistics.median(s.seconds for s in ours):.2f}"
                         if ours and tool != "ours" else "1" if tool == "ours" else "–")
                rows.append(f"| {size} | {case} | {tool} | {t['median']:.2f} | {t['min']:.2f}–{t['max']:.2f} "
                            f"| {t['q3'] - t['q1']:.2f} | {cpu:.2f} | {html / t['median']:.0f} | {rss:.0f} "
                            f"| {html} | {ratio} |")
    return head + "\n".join(rows) + "\n"


def budget_figures(results: dict, sizes: list[int], tools: list[str]) -> str:
    """The figures the synthetic-site budgets of benchmarks/README.md are about, for each size measured (the
    budgets themselves are for 2,000 and 10,000 pages): ratios against Hugo and against our own cold build, peak
    memory against Hugo's at 2,000 pages, and cold seconds per 1,000 pages against the 2,000-page figure (or the
    smallest size's) for the growth with pages."""
    def median(size: int, tool: str, case: str) -> float | None:
        samples = results.get((size, tool, case))
        return statistics.median(s.seconds for s in samples) if samples else None

    def peak(size: int, tool: str) -> float | None:
        values = [s.rss_mb for case in CASES for s in results.get((size, tool, case), [])]
        return max(values) if values else None

    hugo_peak = peak(2000, "hugo")
    rows = []
    for tool in [t for t in tools if t in OURS]:
        measured = [size for size in sizes if median(size, tool, "cold")]
        if not measured:
            continue
        reference = 2000 if 2000 in measured else measured[0]
        reference_per = median(reference, tool, "cold") / reference * 1000
        for size in measured:
            cold, page, hugo = (median(size, tool, "cold"), median(size, tool, "page"),
                                median(size, "hugo", "cold"))
            if hugo:
                rows.append((size, tool, "cold build / Hugo's cold build", f"{cold / hugo:.2f}",
                             "≤ 2.0 at 2,000 pages"))
            if page is not None:
                rows.append((size, tool, "build after a one-page edit / cold build", f"{page / cold:.2f}",
                             "≤ 0.25 at 2,000 pages"))
            hugo_mb = f"{hugo_peak:.0f} MB" if hugo_peak else "not measured"
            rows.append((size, tool, "peak RSS MB, largest of all cases", f"{peak(size, tool):.0f}",
                         f"below Hugo's at 2,000 pages ({hugo_mb}) at 10,000 pages"))
            per = cold / size * 1000
            growth = f"{per:.2f} ({per / reference_per:.2f}× the {reference:,}-page figure)"
            rows.append((size, tool, "cold s per 1,000 pages", growth,
                         "linear: about 1× the 2,000-page figure at 10,000"))
    if not rows:
        return ""
    head = "| pages | tool | measure | value | budget |\n|---:|---|---|---:|---|\n"
    return head + "\n".join(f"| {size} | {tool} | {measure} | {value} | {budget} |"
                             for size, tool, measure, value, budget in rows) + "\n"


def machine() -> dict:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    return {"nproc": sh("nproc"), "free -h": sh("free -h"),
            "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
            "kernel": platform.release(), "python": platform.python_version()}


def report(results: dict, sizes, tools, versions, argv, started, errors, loads) -> str:
    m = machine()
    lines = [
        f"# Build-speed benchmark, {started:%Y-%m-%d %H:%M}",
        "",
        "SYNTHETIC corpus from `scripts/synthetic.py` (5,000 experts, 200 meetings, 2,000 documents); "
        "see benchmarks/README.md for what each case means.",
        "",
        f"- command: `{' '.join(argv)}`",
        f"- machine: `nproc` = {m['nproc']}, CPU {m['cpu']}, Linux {m['kernel']}, Python {m['python']}",
        "- 1-minute load average before each build (other work on the machine): "
        + ", ".join(f"{size} pages: median {statistics.median(v):.1f}, max {max(v):.1f}"
                    for size, v in loads.items() if v),
        "- versions: " + "; ".join(f"{t}: {versions.get(t, '?')}" for t in tools),
        "",
        "```",
        m["free -h"],
        "```",
        "",
        "Wall time is the median over the runs; `× ours` is the tool's median time divided by ours (above 1: "
        "slower than ours). CPU s is user + system time of the build process and its children (Hugo uses "
        "every core). Peak RSS is the largest over the runs. pages/s = HTML pages written / median time; "
        "our build writes more pages than the others from the same corpus (meeting, expert, document, "
        "timetable and draft-change pages from the YAML data). `ours` uses the minimal theme "
        "(benchmarks/themes/ours/, the same shape as the others'); `ours-site` the site's own templates.",
        "",
        table(results, sizes, tools),
    ]
    figures = budget_figures(results, sizes, tools)
    if figures:
        lines += ["## Budget figures (medians of this session; see benchmarks/README.md)", "", figures]
    if errors:
        lines += ["## Problems", ""] + [f"- {e}" for e in errors] + [""]
    return "\n".join(lines)
