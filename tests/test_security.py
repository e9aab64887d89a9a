"""Hostile text everywhere an editor can write it: the build either refuses it (links) or every output escapes it.

Every HTML file is parsed (html.parser, not grepped): the only <script> elements allowed are the site's own
static/site.js and the known inline scripts of the root chooser and the drafts/latest page, and no element may
have an event-handler attribute or a script URL.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from helpers import CONFIG, assert_build_fails, build_args, draft, make_site, run_cli, tree_files

HOSTILE = ['<script>alert(1)</script>', '"onmouseover="x', "javascript:alert(1)", "'><img src=x onerror=alert(2)>",
           "</title><script>alert(3)</script>", "&lt;script&gt;"]
ALL = " ".join(HOSTILE)
Q = json.dumps(ALL)  # a YAML double-quoted scalar

INLINE_SCRIPT_PAGES = ("index.html", "en/drafts/latest/index.html", "zh/drafts/latest/index.html")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "data")


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str | None, int]] = []  # (src, line)
        self.handlers: list[tuple[str, str, int]] = []
        self.script_urls: list[tuple[str, str, int]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        names = dict(attrs)
        if tag == "script":
            self.scripts.append((names.get("src"), line))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, line))
            if name in URL_ATTRIBUTES and value and "".join(value.split()).lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.script_urls.append((tag, value, line))

    def handle_data(self, data):
        self.text.append(data)


def audit(path: str, data: bytes) -> _Audit:
    parser = _Audit()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def hostile_files(link: str | None = None) -> dict[str, str]:
    document = (f"documents:\n  - symbol: {Q}\n    title: {Q}\n    source: {{en: {Q}, zh: {Q}}}\n"
                f"    date: 2020-01-05\n    kind: report\n    draft: 1\n    meeting: ieg-1\n    languages: [en, zh]\n")
    if link:
        document += f"    link: {json.dumps(link)}\n"
    body = (f"Body {ALL}\n\n## {ALL}\n\n<div onclick=\"x\">raw</div>\n\n<script>alert(4)</script>\n\n"
            f"| {ALL.replace('|', '/')} |\n|---|\n| x |\n\n[text {ALL.replace('[', '(').replace(']', ')')}](#body)\n\n"
            f"## Body {{#body}}\n\n`<script>alert(5)</script>`\n")
    config = CONFIG.replace("title: {en: Test site, zh: 测试网站}", f"title: {{en: {Q}, zh: {Q}}}")
    config = config.replace("name: English", f"name: {Q}")
    return {
        "site_config.yaml": config,
        "content/pages/index.en.md": f"---\ntitle: {Q}\ndescription: {Q}\n---\n{body}",
        "content/pages/index.zh.md": f"---\ntitle: {Q}\n---\n{body}",
        "content/pages/about.en.md": f"---\ntitle: {Q}\ndescription: {Q}\n---\n{body}",
        "content/drafts/draft-1.en.md": f"---\ntitle: {Q}\ndescription: {Q}\nnumber: 1\nreleased: 2020-01-01\n"
                                        f"status: released\ncomments_due: 2020-12-01\n---\n{body}",
        "content/drafts/draft-2.en.md": f"---\ntitle: {Q}\nnumber: 2\nreleased: 2020-02-01\nstatus: released\n"
                                        f"incorporates: ieg-1\n---\n{body}\n\nMore {ALL}\n",
        "content/drafts/draft-2.zh.md": f"---\ntitle: {Q}\nnumber: 2\nreleased: 2020-02-01\nstatus: released\n---\n"
                                        f"{body}",
        "content/data/meetings.yaml": f"meetings:\n  - id: ieg-1\n    number: 1\n    dates: 2020-01-20\n"
                                      f"    status: held\n    venue: {Q}\n    held_with: {{en: {Q}, zh: {Q}}}\n"
                                      f"    summary: {{en: {Q}}}\n    discussed: [1]\n    produced: [2]\n",
        "content/data/timetable.yaml": f"milestones:\n  - id: m-1\n    date: 2020-01-01\n    kind: meeting\n"
                                       f"    title: {Q}\n    note: {{zh: {Q}}}\n    draft: 1\n    meeting: ieg-1\n"
                                       f"  - id: m-2\n    date: 2020-12-01\n    kind: consultation-deadline\n"
                                       f"    title: {Q}\n"
                                       + "".join(f"  - id: d-{n}\n    date: {day}\n    kind: {kind}\n    title: {Q}\n"
                                                 f"    draft: {draft}\n" for n, day, kind, draft in (
                                                     (1, "2020-01-01", "draft-release", 1),
                                                     (2, "2020-02-01", "draft-release", 2),
                                                     (3, "2020-12-01", "comment-deadline", 1))),
        "content/data/experts.yaml": f"updated: 2020-09-16\nexperts:\n  - name: {Q}\n    role: chair\n"
                                     f"    category: academia\n    country: {Q}\n    organization: {{en: {Q}}}\n",
        "content/data/documents.yaml": document,
    }


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory):
    root = make_site(tmp_path_factory.mktemp("hostile"), hostile_files())
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert (code, err) == (0, "")
    return tree_files(root / "output")


def test_every_html_page_escapes_hostile_text(hostile_output):
    pages = {path: data for path, data in hostile_output.items() if path.endswith(".html")}
    assert len(pages) > 20
    for path, data in pages.items():
        found = audit(path, data)
        assert found.handlers == [], (path, found.handlers)
        assert found.script_urls == [], (path, found.script_urls)
        for src, line in found.scripts:
            if src is None:
                assert path in INLINE_SCRIPT_PAGES, f"{path}:{line}: an inline <script>"
            else:
                assert src.endswith(("static/site.js", "pagefind/pagefind-ui.js")), f"{path}:{line}: <script src={src}>"


def test_hostile_text_is_shown_as_text(hostile_output):
    for path in ("en/index.html", "en/about/index.html", "en/drafts/draft-1/index.html", "en/meetings/ieg-1/index.html",
                 "en/timetable/index.html", "en/experts/index.html", "en/documents/index.html",
                 "zh/meetings/ieg-1/index.html", "en/drafts/draft-2/changes/index.html"):
        text = "".join(audit(path, hostile_output[path]).text)
        assert "<script>alert(1)</script>" in text, path  # shown to the reader, as characters
    about = hostile_output["en/about/index.html"].decode("utf-8")
    assert "&lt;div onclick=&quot;x&quot;&gt;raw&lt;/div&gt;" in about
    assert "<title>" + ALL.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in about.replace(
        "&#34;", '"').replace("&#39;", "'").replace("&quot;", '"')


def test_feeds_and_sitemap_stay_well_formed_xml(hostile_output):
    for path in ("en/feed.xml", "zh/feed.xml", "sitemap.xml"):
        ElementTree.fromstring(hostile_output[path])  # raises on broken XML
    feed = ElementTree.fromstring(hostile_output["en/feed.xml"])
    titles = [element.text for element in feed.iter() if element.tag.endswith("title")]
    assert any(title and "<script>alert(1)</script>" in title for title in titles)


def test_machine_readable_exports_keep_the_text_as_it_is(hostile_output):
    experts = json.loads(hostile_output["data/experts.json"])
    assert experts["experts"][0]["name_en"] == ALL


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                  " javascript:alert(1)", "vbscript:msgbox(1)"])
def test_script_links_in_data_are_refused(tmp_path, link):
    text = "documents:\n  - symbol: A\n    title: T\n    kind: report\n    languages: [en]\n" \
           f"    link: {json.dumps(link)}\n"
    assert_build_fails(tmp_path, {"content/data/documents.yaml": text}, [
        f"content/data/documents.yaml:6:11: 'link' must be an http, https or mailto link, not '{link}'"])


@pytest.mark.parametrize("markdown, col, href", [
    ("[x](javascript:alert(1))", 5, "javascript:alert(1)"),
    ("[x](JAVASCRIPT:alert(1))", 5, "JAVASCRIPT:alert(1)"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", 5, "data:text/html;base64,PHNjcmlwdD4="),
    ("![x](data:image/svg+xml,<svg/onload=alert(1)>)", 6, "data:image/svg+xml,<svg/onload=alert(1)>"),
    ("<javascript:alert(1)>", 2, "javascript:alert(1)"),
    ("[x][r]\n\n[r]: javascript:alert(1)", 1, "javascript:alert(1)"),
])
def test_script_links_in_markdown_are_refused(tmp_path, markdown, col, href):
    assert_build_fails(tmp_path, {"content/pages/about.en.md": f"---\ntitle: About\n---\n{markdown}\n"}, [
        f"content/pages/about.en.md:4:{col}: link to '{href}' is not allowed: link to another source file "
        f"(page.md), a #heading, or an http(s) or mailto address"])


def raw_html_site(tmp_path, allow: bool):
    body = "<b>bold</b>\n\n<script>alert(1)</script>\n"
    config = CONFIG + f"allow_raw_html_in_drafts: {'true' if allow else 'false'}\n"
    root = make_site(tmp_path, {"site_config.yaml": config, "content/drafts/draft-1.en.md": draft(1, body),
                                "content/pages/about.en.md": f"---\ntitle: About\n---\n{body}"},
                     name=f"raw-{allow}")
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert (code, err) == (0, "")
    return tree_files(root / "output")


def test_raw_html_in_markdown_is_escaped_by_default(tmp_path):
    output = raw_html_site(tmp_path, allow=False)
    for path in ("en/about/index.html", "en/drafts/draft-1/index.html"):
        html = output[path].decode("utf-8")
        assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
        assert [src for src, _ in audit(path, output[path]).scripts if src is None] == []


def test_raw_html_is_allowed_only_in_drafts_and_only_when_configured(tmp_path):
    output = raw_html_site(tmp_path, allow=True)
    assert "<b>bold</b>" in output["en/drafts/draft-1/index.html"].decode("utf-8")
    about = output["en/about/index.html"].decode("utf-8")
    assert "&lt;b&gt;bold&lt;/b&gt;" in about and "<b>bold</b>" not in about
    assert [src for src, _ in audit("about", output["en/about/index.html"]).scripts if src is None] == []
