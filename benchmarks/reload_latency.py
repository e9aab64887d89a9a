"""Watch-mode reload latency: from saving a Markdown file to the browser showing the new text.

Starts `build.py serve --port 0` on a copy of the real site (with its search index) and, with --synthetic, on a
SYNTHETIC site of --pages Markdown files made by scripts/synthetic.py (search off: `search: false`), opens the
edited page in headless Chromium (Playwright, /usr/bin/chromium), then --runs times appends a unique line to the
page's source and waits until the page shows it. The latency of a run ends when the reloaded page's DOM was ready
(`performance.timing.domContentLoadedEventEnd`, on the same clock as the save), not when Playwright's polling,
which waits up to 0.5 s between looks, noticed the text. Prints one row per site: median and spread of the
end-to-end latency, and the server's own build time.

    .venv/bin/python benchmarks/reload_latency.py [--runs 10] [--synthetic [--pages 2000] [--synthetic-runs N]]

Not a test: nothing is asserted. Numbers depend on the machine and on how busy it is.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TODAY = "2020-10-01"


def copy_site_files(target: Path, pages: list[str]) -> None:
    """site_config.yaml, templates/, content/strings.yaml and the named real pages into `target`."""
    (target / "content" / "pages").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "site_config.yaml", target / "site_config.yaml")
    shutil.copytree(ROOT / "templates", target / "templates", dirs_exist_ok=True)
    shutil.copy2(ROOT / "content" / "strings.yaml", target / "content" / "strings.yaml")
    for pattern in pages:
        for page in (ROOT / "content" / "pages").glob(pattern):
            shutil.copy2(page, target / "content" / "pages" / page.name)


def real_site(work: Path) -> tuple[Path, Path, str]:
    """(site folder, the source to edit, its URL path) for a copy of the project's own site."""
    site = work / "real"
    shutil.copytree(ROOT / "content", site / "content")
    copy_site_files(site, [])
    return site, site / "content" / "pages" / "about.en.md", "en/about/"


def synthetic_site(work: Path, pages: int) -> tuple[Path, Path, str]:
    """A SYNTHETIC site: scripts/synthetic.py content, plus the real config (with `search: false`: the budgets for
    the synthetic site are without the search index), strings, templates and the real pages the navigation and
    the home page link to (index, about, consultation, process)."""
    site = work / "synthetic"
    subprocess.run([str(PYTHON), str(ROOT / "scripts" / "synthetic.py"), "site", str(site), "--pages", str(pages)],
                   check=True)
    copy_site_files(site, [f"{name}.*.md" for name in ("index", "about", "consultation", "process")])
    with (site / "site_config.yaml").open("a", encoding="utf-8") as config:
        config.write("search: false\n")
    source = sorted((site / "content" / "pages").glob("page-*.en.md"))[0]
    return site, source, f"en/{source.name.removesuffix('.en.md')}/"


class Server:
    """`build.py serve --port 0` in a subprocess; its output lines are collected in `lines`."""

    def __init__(self, site: Path, timeout: float):
        self.lines: list[str] = []
        self.proc = subprocess.Popen([str(PYTHON), str(ROOT / "build.py"), "serve", "--config",
                                      str(site / "site_config.yaml"), "--port", "0", "--today", TODAY],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=lambda: self.lines.extend(line.rstrip() for line in self.proc.stdout),
                         daemon=True).start()
        deadline = time.monotonic() + timeout
        while not (match := next((re.match(r"serving (http://\S+/)", l) for l in self.lines if "serving" in l), None)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit("serve did not start:\n" + "\n".join(self.lines))
            time.sleep(0.05)
        self.url = match.group(1)

    def build_times(self) -> list[float]:
        return [float(m.group(1)) for line in list(self.lines) if (m := re.match(r"built in ([\d.]+) s", line))]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def measure(browser, site: Path, source: Path, url_path: str, runs: int, timeout: float) -> dict:
    started = time.perf_counter()
    server = Server(site, timeout)
    first_build = time.perf_counter() - started
    context = browser.new_context()
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    latencies, builds = [], []
    try:
        page.goto(server.url + url_path)
        original = source.read_text("utf-8")
        for run in range(runs):
            marker = f"Latency probe {run} {time.time_ns()}"
            before = len(server.build_times())
            source.write_text(f"{original}\n\n{marker}\n", "utf-8")
            saved, saved_epoch = time.perf_counter(), time.time()
            page.get_by_text(marker, exact=True).wait_for(timeout=timeout * 1000)
            waited = time.perf_counter() - saved
            # When the reloaded page had its content: Playwright polls at growing intervals (up to 0.5 s), so the
            # moment it saw the text can come well after the browser showed it.
            shown = page.evaluate("performance.timing.domContentLoadedEventEnd") / 1000 - saved_epoch
            latencies.append(shown if 0 < shown < waited else waited)
            page.wait_for_load_state("load")
            deadline = time.monotonic() + 5
            while len(server.build_times()) <= before and time.monotonic() < deadline:
                time.sleep(0.01)
            builds.extend(server.build_times()[before:before + 1])
            time.sleep(0.3)  # let the page settle so that runs do not overlap
        source.write_text(original, "utf-8")
    finally:
        context.close()
        server.stop()
    pages = sum(1 for _ in (site / "content").rglob("*.md"))
    return {"pages": pages, "first": first_build, "latencies": latencies, "builds": builds}


def quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="edits per site (default 10)")
    parser.add_argument("--synthetic", action="store_true", help="also measure a synthetic site")
    parser.add_argument("--pages", type=int, default=2000, help="Markdown files of the synthetic site")
    parser.add_argument("--synthetic-runs", type=int, default=None, help="edits of the synthetic site (--runs)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for a build or a reload")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print where it is")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="wtpfsite-reload-"))
    try:
        sites = [("real", args.runs, *real_site(work))]
        if args.synthetic:
            runs = args.synthetic_runs or args.runs
            sites.append((f"synthetic-{args.pages}", runs, *synthetic_site(work, args.pages)))
        results = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name, runs, site, source, url_path in sites:
                    print(f"{name}: serving, then {runs} edits of {source.relative_to(site)} ...", flush=True)
                    results[name] = measure(browser, site, source, url_path, runs, args.timeout)
            finally:
                browser.close()
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print("\nsave -> new content in the browser (seconds)")
    header = f"{'site':<16} {'md files':>8} {'runs':>4} {'median':>7} {'p25':>7} {'p75':>7} {'min':>7} {'max':>7}" \
             f" {'build med':>9} {'first build':>11}"
    print(header + "\n" + "-" * len(header))
    for name, r in results.items():
        lat, builds = r["latencies"], r["builds"]
        p25, p75 = quartiles(lat)
        build_median = f"{statistics.median(builds):9.2f}" if builds else f"{'-':>9}"
        print(f"{name:<16} {r['pages']:>8} {len(lat):>4} {statistics.median(lat):7.2f} {p25:7.2f} {p75:7.2f} "
              f"{min(lat):7.2f} {max(lat):7.2f} {build_median} {r['first']:11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
