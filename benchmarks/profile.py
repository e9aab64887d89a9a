#!/usr/bin/env python3
"""Profile one cold build of our generator on the SYNTHETIC corpus with pyinstrument (a sampling profiler).

    python benchmarks/profile.py [--pages 2000] [--interval 0.001] [--top 15] [--tool ours|ours-site]

pyinstrument is installed, pinned, into benchmarks/work/venv-profile (not into the project's .venv); the build
itself runs under the project's .venv/bin/python with that venv's site-packages added to PYTHONPATH (same
Python 3.11 interpreter, so its compiled extension loads). The corpus and a snapshot of the generator go to
benchmarks/work/profile-PAGES/, apart from run.py's folders, so both can run without touching each other.

Writes benchmarks/work/profile-PAGES.html (pyinstrument's interactive view), profile-PAGES.txt (call tree) and
prints two Markdown tables: functions by self time and by inclusive time (each function counted once per stack,
so recursion is not double-counted).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the harness: corpus, snapshot, venv helpers)

PIN = "pyinstrument==5.1.3"

DRIVER = r"""
import json, sys, time
from pathlib import Path
from pyinstrument import Profiler
from wtpfsite.commands.cli import main

config, today, out, interval = sys.argv[1], sys.argv[2], Path(sys.argv[3]), float(sys.argv[4])
profiler = Profiler(interval=interval)
started = time.perf_counter()
profiler.start()
code = main(["build", "--config", config, "--today", today, "--quiet"])
profiler.stop()
wall = time.perf_counter() - started
out.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")
out.with_suffix(".txt").write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")

root = profiler.last_session.root_frame()
selfs, inclusive = {}, {}

def key(frame):
    name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
    return f"{name} ({frame.file_path_short}:{frame.line_no})"

def walk(frame, on_stack):
    if frame.is_synthetic:
        return
    k = key(frame)
    children = [c for c in frame.children if not c.is_synthetic]
    selfs[k] = selfs.get(k, 0.0) + frame.time - sum(c.time for c in children)
    if k not in on_stack:
        inclusive[k] = inclusive.get(k, 0.0) + frame.time
    for child in children:
        walk(child, on_stack | {k})

walk(root, frozenset())
json.dump({"exit": code, "wall": wall, "sampled": root.time, "self": selfs, "inclusive": inclusive},
          open(out.with_suffix(".json"), "w"))
"""


def ensure_profiler() -> Path:
    venv = run.WORK / "venv-profile"
    stamp = venv / ".pins"
    if not (stamp.is_file() and stamp.read_text().strip() == PIN):
        run.log(f"installing {PIN} into {venv}")
        subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", PIN], check=True)
        stamp.write_text(PIN)
    return next(venv.glob("lib/python*/site-packages"))


def table(values: dict, total: float, top: int, title: str) -> str:
    rows = sorted(values.items(), key=lambda kv: -kv[1])[:top]
    lines = [f"| # | {title} | s | % of build |", "|---:|---|---:|---:|"]
    lines += [f"| {i} | `{name}` | {sec:.2f} | {100 * sec / total:.1f} |" for i, (name, sec) in enumerate(rows, 1)]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Profile one cold build of our generator (pyinstrument).")
    p.add_argument("--pages", type=int, default=2000)
    p.add_argument("--interval", type=float, default=0.001, help="sampling interval in seconds")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--src", type=Path, default=None,
                   help="profile this snapshot made by run.py (e.g. benchmarks/work/ours-src) instead of a fresh "
                        "snapshot of the work tree")
    p.add_argument("--tool", choices=("ours", "ours-site"), default="ours",
                   help="the templates: the minimal theme run.py's `ours` uses, or the site's own (`ours-site`)")
    args = p.parse_args(argv)
    site_packages = ensure_profiler()
    base = run.WORK / f"profile-{args.pages}"
    src = base / "ours-src"
    if args.src:
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(args.src.resolve(), src, ignore=shutil.ignore_patterns("__pycache__"))
        run.restore_template_edits(src)
    else:
        run.snapshot_ours(src)
    site = run.make_corpus(args.pages, src, base / "site", args.tool)
    for cache in (site / "output", site / ".wtpfsite-cache"):
        run.discard(cache)
    python = run.ROOT / ".venv" / "bin" / "python"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(site_packages)])}
    out = run.WORK / f"profile-{args.pages}"
    run.log(f"profiling a cold build of {args.pages} pages")
    subprocess.run([str(python), "-c", DRIVER, str(site / "site_config.yaml"), run.TODAY, str(out),
                    str(args.interval)], env=env, check=True, cwd=src)
    data = json.loads(out.with_suffix(".json").read_text())
    total = data["sampled"]
    print(f"Cold build of {args.pages} pages under pyinstrument: exit {data['exit']}, {data['wall']:.1f} s wall, "
          f"{total:.1f} s sampled; 1-minute load average now {os.getloadavg()[0]:.1f}.\n")
    print(table(data["self"], total, args.top, "function (self time)"), end="\n\n")
    wrappers = ("main (wtpfsite/commands/cli", "_run (wtpfsite/commands/cli", "build (wtpfsite/pipeline/build")
    ours = {k: v for k, v in data["inclusive"].items()
            if ("wtpfsite/" in k or ".html" in k) and not k.startswith(wrappers)}
    print(table(ours, total, args.top, "project function or template (inclusive time)"))
    print(f"\nFull views: {out.with_suffix('.html')} and {out.with_suffix('.txt')}")
    run.empty_trash()
    return 0


if __name__ == "__main__":
    sys.exit(main())
