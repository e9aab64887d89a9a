"""Web standards: axe-core finds no WCAG 2.1 A/AA violation on any kind of page in either language, and the
Nu HTML Checker (vnu) finds no error in any HTML file of the built site.

The checkers come from the npm registry through npm, once, into .checkers/ (git-ignored), pinned below. They
are skipped with a notice when npm, java or Chromium is missing, and fail instead under REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
AXE_VERSION = "4.14.1"
VNU_VERSION = "26.9.27"
CHECKERS = ROOT / ".checkers"
AXE_JS = CHECKERS / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = CHECKERS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
GOLDEN_BASIC = ROOT / "tests" / "golden" / "basic"

# One page of every kind, by its path under /<lang>/.
PAGE_KINDS = {
    "home": "",
    "page": "about/",
    "drafts": "drafts/",
    "draft": "drafts/draft-3/",
    "changes": "drafts/draft-3/changes/",
    "drafts-latest": "drafts/latest/",
    "meetings": "meetings/",
    "meeting": "meetings/ieg-3/",
    "experts": "experts/",
    "timetable": "timetable/",
    "documents": "documents/",
    "404": "404.html",
}


def installed_version(package: str) -> str | None:
    try:
        return json.loads((CHECKERS / "node_modules" / package / "package.json").read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


@dataclass(frozen=True)
class Checkers:
    axe: Path | None
    vnu: Path | None
    problem: str  # why one is missing


@pytest.fixture(scope="session")
def checkers() -> Checkers:
    """axe-core and vnu-jar at the pinned versions, installed with npm into .checkers/ when not there yet."""
    wanted = {"axe-core": AXE_VERSION, "vnu-jar": VNU_VERSION}
    problem = ""
    CHECKERS.mkdir(exist_ok=True)
    with open(CHECKERS / ".lock", "w") as lock:  # (make test runs two workers: one installs, the other waits)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if any(installed_version(name) != version for name, version in wanted.items()):
            problem = _install(wanted)
    return Checkers(AXE_JS if AXE_JS.is_file() else None, VNU_JAR if VNU_JAR.is_file() else None,
                    problem or "the checkers are missing from .checkers/")


def _install(wanted: dict[str, str]) -> str:
    """Install the checkers into .checkers/ with npm; what went wrong, or ""."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found: it installs axe-core and vnu-jar into .checkers/"
    result = subprocess.run([npm, "install", "--prefix", str(CHECKERS), "--no-audit", "--no-fund", "--loglevel=error",
                             *(f"{n}@{v}" for n, v in wanted.items())], capture_output=True, text=True, timeout=600)
    return f"npm could not install the checkers: {result.stderr.strip()[-2000:]}" if result.returncode else ""


# -------------------------------------------------------------------------------------------------- axe

def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.append("      " + node.get("failureSummary", "").replace("\n", "\n      "))
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe_page(browser, checkers):
    """A page to load site pages into; axe is injected after each load."""
    if checkers.axe is None:
        skip_or_fail(checkers.problem)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def run_axe(page, axe_js: Path) -> list[dict]:
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                     resultTypes: ['violations']})""", WCAG_TAGS)
    return result["violations"]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_wcag_violations(axe_page, checkers, real_site, kind, lang):
    axe_page.goto(real_site.url + f"{lang}/{PAGE_KINDS[kind]}")
    if kind == "drafts-latest":  # it sends the reader on to the latest draft: check where it lands
        axe_page.wait_for_url(lambda url: "/drafts/draft-" in url)
        axe_page.wait_for_load_state()
    violations = run_axe(axe_page, checkers.axe)
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {axe_page.url}:\n" + format_violations(violations)


@pytest.mark.browser
@pytest.mark.parametrize("path", ["index.html", "404.html"])
def test_no_wcag_violations_on_root_pages(axe_page, checkers, real_site, path):
    """The language chooser and the root 404 page. The chooser moves on at once when scripts run, so it is
    checked as readers without JavaScript see it: its script is served switched off."""
    url = real_site.url + path
    if path == "index.html":
        html = (real_site.output / path).read_text("utf-8").replace("<script>", '<script type="text/plain">')
        axe_page.route(url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))
    try:
        axe_page.goto(url)
        violations = run_axe(axe_page, checkers.axe)
    finally:
        axe_page.unroute(url)
    assert not violations, f"axe found WCAG 2.1 A/AA violations on /{path}:\n" + format_violations(violations)


# -------------------------------------------------------------------------------------------------- vnu

def shorten(url: str, folders: list[Path]) -> str:
    for folder in folders:
        url = url.replace(folder.as_uri(), folder.name if folder == GOLDEN_BASIC else "site")
    return url


@pytest.mark.validator
def test_every_html_file_is_valid(checkers, real_site):
    if checkers.vnu is None:
        skip_or_fail(checkers.problem)
    folders = [real_site.output, GOLDEN_BASIC]  # the golden tree has what the real site lacks (a borrowed page)
    result = subprocess.run([shutil.which("java") or "java", "-jar", str(checkers.vnu), "--errors-only",
                             "--skip-non-html", "--format", "json", *map(str, folders)],
                            capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except ValueError:
        pytest.fail(f"vnu did not report in JSON (exit status {result.returncode}):\n{result.stderr[-3000:]}")
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    checked = sum(len(list(folder.rglob("*.html"))) for folder in folders)
    assert checked > 60
    report = "\n".join(f"{shorten(m.get('url', ''), folders)}:{m.get('lastLine', '?')}: {m['message']}"
                       for m in errors[:50])
    assert not errors, f"vnu found {len(errors)} error(s) in {checked} HTML files:\n{report}"
