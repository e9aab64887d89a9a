"""Fuzzing the editor's inputs: front matter, data YAML and Markdown bodies.

Whatever the text, a build either succeeds or raises ContentErrors whose every error reads `path:line:col: message`
with a path relative to the site; never another exception, and nothing is written outside output/ (and the
build's own cache folder).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import files_outside, make_site, options
from wtpfsite.pipeline.build import build
from wtpfsite.base.errors import ContentErrors

# FUZZ_EXAMPLES=2000 for a long hunt; the default keeps each test to about 20 s on a quiet machine
SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
ERROR_LINE = re.compile(r"^(?!/)(?!\.\./)[^\n:]+:[1-9]\d*:[1-9]\d*: \S")
CACHE = ".wtpfsite-cache"

YAML_CHARS = "abcz019 :-,[]{}#&*!|>'\"%@`?\\\n\t中文"
YAML_FRAGMENTS = ["title: ", "description: ", "translation_of: ", "number: ", "released: ", "status: ",
                  "comments_due: ", "incorporates: ", "documents: ", "2020-02-30", "2020-09-14/2020-09-16",
                  "2020-01/2020-02", "0000-01", "&a ", "*a", "!!int ", "!!binary ", "!!timestamp ",
                  "!!python/object:os.system ", "---", "...", "\ufeff", "\r", "\x00", "\x1b", "\u2028",
                  "{en: x, zh: y}",
                  "[1, 2]", "~", "null", "yes", "1e400", "-1", "99999999999999999999", "'", '"', "\n  ", "\n- ",
                  "? ", "<<: ", "\\x00", "javascript:alert(1)", "<script>", "../x", "ieg-1"]
DATA_FRAGMENTS = ["meetings:\n", "  - id: ieg-1\n", "  - id: ../x\n", "    number: 1\n", "    number: x\n",
                  "    dates: 2020-09-14/2020-09-16\n", "    dates: 2020-02-30\n", "    status: held\n",
                  "    status: ", "    venue: {en: Geneva, zh: 日内瓦}\n", "    venue:\n", "    summary: ",
                  "    discussed: [1]\n", "    produced: [", "    id: ieg-1\n", "    link: javascript:x\n",
                  "  - ", "\n", "    ", ": ", "&a ", "*a", "!!int x", "[", "]", "{", "}", "#", "中文", "'", '"',
                  "\t", "\ufeff", "\r\n", "\x85", "\ud7ff", "---\n", "...\n"]
MARKDOWN_FRAGMENTS = ["[x](", "about.md", "index.md", "../drafts/draft-1.md", "#outline", "#", ")", "](",
                      "[", "]", "**", "*", "_", "`", "```", "\n", "\n\n", "## ", "# ", "{#id}", "{#", "}",
                      "中文", "（**注意**）", "<script>alert(1)</script>", "<div onclick=x>", "javascript:alert(1)",
                      "<javascript:x>", "<https://itu.int>", "data:", "|", "|---|", "[^1]", "[^1]: note",
                      "> ", "- ", "1. ", "    ", "\t", "&amp;", "&#0;", "\\", "~~", "---", "![i](", "<", ">",
                      "[r]: ", "\r", "\x00", "\u200b", "<!--", "-->", "\ufeff"]


def text_from(fragments: list[str], characters: str) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(fragments), st.text(alphabet=characters, max_size=6))
    return st.lists(piece, max_size=25).map("".join)


FRONT_MATTER = text_from(YAML_FRAGMENTS, YAML_CHARS)
DATA = text_from(DATA_FRAGMENTS, YAML_CHARS)
MARKDOWN = text_from(MARKDOWN_FRAGMENTS, "ab中 .,:!*_#[]()<>`\n")


class FuzzSite:
    """One site per test; each example rewrites one file, builds, and checks what happened."""

    def __init__(self, folder: Path, files: dict[str, str] | None = None):
        shutil.rmtree(folder, ignore_errors=True)
        self.root = make_site(folder.parent, files or {}, name=folder.name)

    def build_with(self, relative: str, text: str | bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        before = files_outside(self.root) - self._cache()
        try:
            build(options(self.root))
        except ContentErrors as exc:
            assert exc.errors, "ContentErrors without errors"
            for error in exc.errors:
                line = error.format()
                assert ERROR_LINE.match(line), line
                assert line.startswith(f"{error.path}:{error.line}:{error.col}: ")
                assert not Path(error.path).is_absolute() and ".." not in Path(error.path).parts, line
        after = files_outside(self.root) - self._cache()
        assert after == before, sorted(after ^ before)

    def _cache(self) -> set[str]:
        return {name for name in files_outside(self.root) if name == CACHE or name.startswith(CACHE + "/")}


@SETTINGS
@given(meta=FRONT_MATTER)
def test_fuzzed_front_matter(tmp_path_factory, meta):
    site = _site(tmp_path_factory, "front-matter")
    site.build_with("content/pages/about.en.md", f"---\n{meta}\n---\nBody [home](index.md).\n")
    site.build_with("content/drafts/draft-1.en.md", f"---\n{meta}\n---\n## Part\n")


@SETTINGS
@given(text=DATA, name=st.sampled_from(["meetings", "timetable", "experts", "documents"]))
def test_fuzzed_data_yaml(tmp_path_factory, text, name):
    site = _site(tmp_path_factory, "data")
    site.build_with(f"content/data/{name}.yaml", text)


@SETTINGS
@given(body=MARKDOWN, section=st.sampled_from(["pages/about.en.md", "pages/about.zh.md", "drafts/draft-1.en.md"]))
def test_fuzzed_markdown_bodies(tmp_path_factory, body, section):
    site = _site(tmp_path_factory, "markdown")
    meta = "title: T\nnumber: 1\nreleased: 2020-01-01\nstatus: released" if section.startswith("drafts") else "title: T"
    site.build_with(f"content/{section}", f"---\n{meta}\n---\n{body}")


@SETTINGS
@given(data=st.binary(max_size=40))
def test_fuzzed_bytes_in_a_source(tmp_path_factory, data):
    site = _site(tmp_path_factory, "bytes")
    site.build_with("content/pages/about.en.md", b"---\ntitle: T\n---\n" + data)
    site.build_with("content/data/experts.yaml", data)


_SITES: dict[str, FuzzSite] = {}


def _site(tmp_path_factory, name: str) -> FuzzSite:
    """The test's site, made on its first example (hypothesis cannot use function-scoped fixtures)."""
    if name not in _SITES:
        _SITES[name] = FuzzSite(tmp_path_factory.mktemp("fuzz") / name, {
            "content/drafts/draft-1.en.md": "---\ntitle: D\nnumber: 1\nreleased: 2020-01-01\nstatus: released\n"
                                            "---\n## Part\n",
        })
    return _SITES[name]
