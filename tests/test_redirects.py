"""Cited URLs never break: a moved page keeps its old paths through `aliases` (a redirect page at each, and
`_redirects`), in a real browser and under a sub-path too; aliases that cannot be redirects are errors; and a URL
the last build published that the new one no longer serves is reported by `build` and `check`, and fails
`check --release`, until an alias covers it or content/data/retired.yaml retires it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import assert_build_fails, build_args, draft, make_site, run_cli, tree_files
from wtpfsite.publish.linkcheck import check_output_links

ABOUT = {"content/pages/about.en.md": "---\ntitle: About the group\n---\nAbout.\n",
         "content/pages/about.zh.md": "---\ntitle: 关于专家组\n---\n关于。\n"}
MOVED = {"content/pages/about.en.md": None, "content/pages/about.zh.md": None,
         "content/pages/ieg.en.md": "---\ntitle: About the group\naliases: [about/, old/about.html]\n---\nAbout.\n",
         "content/pages/ieg.zh.md": "---\ntitle: 关于专家组\n---\n关于。\n"}


def moved_site(tmp_path: Path, *extra: str) -> Path:
    """A site built with /about/, then built again with the page moved to /ieg/ and its old paths as aliases."""
    root = make_site(tmp_path, ABOUT)
    code, _, err = run_cli(build_args(root, "--quiet", *extra))
    assert code == 0, err
    root = make_site(tmp_path, MOVED)
    code, _, err = run_cli(build_args(root, "--quiet", *extra))
    assert (code, err) == (0, ""), err
    return root


def test_each_old_path_gets_a_redirect_page_in_every_language(tmp_path):
    output = moved_site(tmp_path) / "output"
    page = (output / "en" / "about" / "index.html").read_text("utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../ieg/">' in page
    assert '<link rel="canonical" href="https://example.org/site/en/ieg/">' in page
    assert '<a href="../ieg/">https://example.org/site/en/ieg/</a>' in page
    assert 'content="noindex"' in page and "data-pagefind-body" not in page
    file = (output / "zh" / "old" / "about.html").read_text("utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../ieg/">' in file and 'lang="zh"' in file


def test_redirects_are_left_out_of_the_sitemap_and_pass_the_link_check(tmp_path):
    root = moved_site(tmp_path)
    files = tree_files(root / "output")
    sitemap = files["sitemap.xml"].decode("utf-8")
    assert "/en/ieg/" in sitemap and "/about/" not in sitemap and "old/about" not in sitemap
    assert check_output_links(files) == []
    code, out, err = run_cli(["check", "--config", str(root / "site_config.yaml"), "--today", "2020-09-20"])
    assert (code, err) == (0, ""), err
    assert out.endswith(": no problems\n")


def test_the_redirects_file_uses_the_base_url_s_path(tmp_path):
    output = moved_site(tmp_path, "--base-url", "https://host.example/wtpf-21/") / "output"
    lines = (output / "_redirects").read_text("utf-8").splitlines()
    assert "/wtpf-21/en/about/ /wtpf-21/en/ieg/ 301" in lines
    assert "/wtpf-21/en/about /wtpf-21/en/ieg/ 301" in lines
    assert "/wtpf-21/zh/old/about.html /wtpf-21/zh/ieg/ 301" in lines
    assert all(re.fullmatch(r"/wtpf-21/\S+ /wtpf-21/\S+ 301", line) for line in lines)


def test_a_site_without_aliases_has_no_redirects_file(tmp_path):
    root = make_site(tmp_path, ABOUT)
    assert run_cli(build_args(root, "--quiet"))[0] == 0
    assert not (root / "output" / "_redirects").exists()


def test_drafts_meeting_and_document_records_take_aliases_too(tmp_path):
    root = make_site(tmp_path, {
        "content/drafts/draft-1.en.md": draft(1, aliases="[drafts/first/]"),
        "content/data/meetings.yaml": "meetings:\n  - id: ieg-4\n    number: 4\n    dates: 2021-01\n"
                                      "    status: planned\n    aliases: [meetings/fourth/]\n",
        "content/data/documents.yaml": "documents:\n  - symbol: A/1\n    title: A\n    kind: report\n"
                                       "    languages: [en]\n    aliases: [documents/a-1/]\n"})
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert code == 0, err
    assert 'url=../draft-1/"' in (root / "output/zh/drafts/first/index.html").read_text("utf-8")
    assert 'url=../ieg-4/"' in (root / "output/en/meetings/fourth/index.html").read_text("utf-8")
    assert 'url=../"' in (root / "output/zh/documents/a-1/index.html").read_text("utf-8")


def test_aliases_that_cannot_be_redirects_are_errors_at_their_place(tmp_path):
    assert_build_fails(tmp_path, {
        "content/pages/about.en.md": "---\ntitle: About\naliases: [ieg/, 'https://elsewhere.example/', "
                                     "'../up/', /en/old/, feed.xml, experts/]\n---\nBody\n",
        "content/pages/ieg.en.md": "---\ntitle: IEG\naliases: [ieg/]\n---\nBody\n",
        "content/pages/other.en.md": "---\ntitle: Other\naliases: [old/]\n---\nBody\n",
        "content/pages/more.en.md": "---\ntitle: More\naliases: [old]\n---\nBody\n",
    }, [
        "content/pages/about.en.md:3:11: alias 'ieg/' is the path of a page or file that exists (/en/ieg/) "
        "(remove the alias, or move that page first)",
        "content/pages/about.en.md:3:17: alias 'https://elsewhere.example/' points outside the site: write a path "
        "of this site such as about/ (letters, digits, '-', '_', '.' and '/')",
        "content/pages/about.en.md:3:47: alias '../up/' points outside the site: write a path of this site such "
        "as about/",
        "content/pages/about.en.md:3:57: alias '/en/old/' names the language tree 'en': write it without the "
        "language ('old/'), it applies in every language",
        "content/pages/about.en.md:3:67: alias 'feed.xml' is the path of a page or file that exists "
        "(/en/feed.xml/) (remove the alias, or move that page first)",
        "content/pages/about.en.md:3:77: alias 'experts/' is the path of a page or file that exists "
        "(/en/experts/) (remove the alias, or move that page first)",
        "content/pages/ieg.en.md:3:11: alias 'ieg/' is the path of a page or file that exists (/en/ieg/) "
        "(remove the alias, or move that page first)",
        "content/pages/other.en.md:3:11: alias 'old/' is also an alias of another page "
        "(content/pages/more.en.md:3:11) (an old path can lead to one page only)",
    ])


# ---------------------------------------------------------------------------------------- vanished URLs

LOST_EN = ("content/pages/about.en.md:1:1: /en/about/ was published, and this build no longer serves it (if its "
           "page moved, add 'aliases: [about/]' to the front matter or record of the page that has its content "
           "now; to give the URL up on purpose, add '- path: /en/about/' under 'retired:' in "
           "content/data/retired.yaml)")
LOST_ZH = LOST_EN.replace("about.en.md", "about.zh.md").replace("/en/about/", "/zh/about/")


def check_args(root: Path, *extra: str) -> list[str]:
    return ["check", "--config", str(root / "site_config.yaml"), "--today", "2020-09-20", *extra]


def test_the_first_build_reports_nothing(tmp_path):
    root = make_site(tmp_path, ABOUT)
    assert run_cli(check_args(root)) == (0, "checked 33 files: no problems\n", "")
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert (code, err) == (0, "")


def test_moving_a_page_without_an_alias_is_reported_by_build_and_check_and_fails_the_release(tmp_path):
    root = make_site(tmp_path, ABOUT)
    assert run_cli(build_args(root, "--quiet"))[0] == 0
    moved = {**MOVED, "content/pages/ieg.en.md": "---\ntitle: About the group\n---\nAbout.\n"}
    make_site(tmp_path, moved)
    summary = ("2 published URLs no longer served: add aliases or retire them (docs/editors-guide.md); "
               "check --release fails until then")
    code, _, err = run_cli(check_args(root))
    assert (code, err.splitlines()) == (0, [LOST_EN, LOST_ZH, summary])
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert (code, err.splitlines()) == (0, [LOST_EN, LOST_ZH, summary])
    # the next build still reports them: they stay in the record until they are settled
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert (code, err.splitlines()) == (0, [LOST_EN, LOST_ZH, summary])
    code, out, err = run_cli(check_args(root, "--release"))
    assert code == 1 and LOST_EN in err.splitlines() and LOST_ZH in err.splitlines() and out == ""


def test_an_alias_or_a_retired_entry_settles_a_vanished_url(tmp_path):
    root = make_site(tmp_path, ABOUT)
    assert run_cli(build_args(root, "--quiet"))[0] == 0
    make_site(tmp_path, {**MOVED, "content/pages/ieg.en.md": "---\ntitle: About\naliases: [about/]\n---\nA.\n"})
    assert run_cli(build_args(root, "--quiet")) == (0, "", "")
    # the alias goes: its URL was published too, so it is reported at the alias that made it
    make_site(tmp_path, {"content/pages/ieg.en.md": "---\ntitle: About\n---\nA.\n"})
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert code == 0 and err.startswith("content/pages/ieg.en.md:3:11: /en/about/ was published")
    make_site(tmp_path, {"content/data/retired.yaml": "retired:\n  - path: /en/about/\n    reason: merged\n"
                                                      "  - path: zh/about\n"})
    assert run_cli(build_args(root, "--quiet")) == (0, "", "")
    assert run_cli(build_args(root, "--quiet")) == (0, "", "")


def test_a_renamed_meeting_is_reported_at_its_record(tmp_path):
    meeting = "meetings:\n  - id: {id}\n    number: 1\n    dates: 2020-01-20\n    status: held\n"
    root = make_site(tmp_path, {"content/data/meetings.yaml": meeting.format(id="ieg-1")})
    assert run_cli(build_args(root, "--quiet"))[0] == 0
    make_site(tmp_path, {"content/data/meetings.yaml": meeting.format(id="ieg-one")})
    code, _, err = run_cli(build_args(root, "--quiet"))
    assert code == 0
    assert err.splitlines()[0].startswith("content/data/meetings.yaml:2:5: /en/meetings/ieg-1/ was published")
    assert "'aliases: [meetings/ieg-1/]'" in err.splitlines()[0]


# ------------------------------------------------------------------------------------ in a real browser

@pytest.mark.browser
@pytest.mark.parametrize("alias", ["en/about/", "zh/about", "en/old/about.html"])
def test_an_old_url_leads_to_the_page_in_a_browser_under_a_sub_path(tmp_path, browser, static_server, alias):
    host = tmp_path / "host"
    host.mkdir()
    url = static_server(host)
    root = make_site(tmp_path, ABOUT)
    args = ("--out", str(host / "wtpf-21"), "--base-url", url + "wtpf-21/")
    assert run_cli(build_args(root, "--quiet", *args))[0] == 0
    make_site(tmp_path, MOVED)
    assert run_cli(build_args(root, "--quiet", *args)) == (0, "", "")
    page = browser.new_page()
    try:
        page.goto(url + "wtpf-21/" + alias)
        lang = alias[:2]
        page.wait_for_url(url + f"wtpf-21/{lang}/ieg/", timeout=10_000)
        assert page.locator("h1").first.inner_text() == ("About the group" if lang == "en" else "关于专家组")
    finally:
        page.close()


def test_malformed_aliases_and_retired_entries_are_errors_at_their_place(tmp_path):
    assert_build_fails(tmp_path, {
        "content/pages/about.en.md": "---\ntitle: About\naliases: [3, '']\n---\nBody\n",
        "content/data/retired.yaml": "retired:\n  - path: https://elsewhere.example/page/\n  - reason: no path\n",
    }, [
        "content/data/retired.yaml:2:11: 'path' must be a path of this site such as /en/about/, not "
        "'https://elsewhere.example/page/'",
        "content/data/retired.yaml:3:5: a retired URL is missing the required field 'path'",
        "content/pages/about.en.md:3:11: 'aliases' must list former paths such as about/",
        "content/pages/about.en.md:3:14: 'aliases' must list former paths such as about/",
    ])


def test_a_language_taken_out_of_the_config_is_one_error_that_a_retired_folder_settles(tmp_path):
    """Trying a language, then taking it out: one error at the config's languages, not one per URL with aliases
    suggested; retiring the language's folder gives its URLs up."""
    root = make_site(tmp_path)
    config = root / "site_config.yaml"
    plain = config.read_text("utf-8")
    assert "  - code: zh" in plain
    config.write_text(plain.replace("  - code: zh", "  - code: fr\n    name: Français\n    locale: fr_FR\n  - code: zh",
                                    1), "utf-8")
    assert run_cli(build_args(root, "--quiet"))[0] == 0
    config.write_text(plain, "utf-8")
    code, _, err = run_cli(["check", "--release", "--config", str(config), "--today", "2020-10-01"])
    line = next(n for n, text in enumerate(plain.splitlines(), 1) if text.startswith("languages:"))
    lost = [text for text in err.splitlines() if "no longer" in text]
    assert code == 1 and len(lost) == 1, err
    assert re.fullmatch(rf"site_config\.yaml:{line}:1: the language 'fr' is no longer in the config, and the \d+ "
                        r"URLs the last build published under /fr/ are no longer served \(add the language back to "
                        r"serve them; to give them up on purpose \(a language only tried, or withdrawn\), add "
                        r"'- path: /fr/' under 'retired:' in content/data/retired.yaml\)", lost[0]), lost[0]
    (root / "content/data").mkdir(exist_ok=True)
    (root / "content/data/retired.yaml").write_text("retired:\n  - path: /fr/\n    reason: only tried\n", "utf-8")
    code, _, err = run_cli(["check", "--config", str(config), "--today", "2020-10-01"])
    assert code == 0 and "no longer" not in err, err
