"""A language is one line of config: the six-language fixture (tests/fixtures/six/) builds with everything not
translated borrowed from English, marked with its `lang` (and `dir` in Arabic pages), listed by the translation
report, refused by `check --release`; Arabic pages read right to left; the real site takes Arabic and French."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from helpers import copy_real_site, run_cli
from wtpfsite.content.config import Language
from wtpfsite.pipeline.build import BuildOptions, load_site, render_site
from wtpfsite.render.environment import make_environment

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2020-10-01"
CODES = ("en", "zh", "ar", "fr", "ru", "es")


def copy_six(tmp_path: Path) -> Path:
    """A copy of the fixture that keeps its place relative to the real templates (../../../templates)."""
    copy = tmp_path / "tests" / "fixtures" / "six"
    shutil.copytree(ROOT / "tests" / "fixtures" / "six", copy, ignore=shutil.ignore_patterns("output", ".wtpf*"))
    if not (tmp_path / "templates").exists():
        (tmp_path / "templates").symlink_to(ROOT / "templates", target_is_directory=True)
    return copy


def six_args(site: Path, command: str, *extra: str) -> list[str]:
    return [command, "--config", str(site / "site_config.yaml"), "--today", TODAY, *extra]


@pytest.fixture(scope="module")
def six(tmp_path_factory) -> Path:
    """The fixture, built; returns its output folder."""
    site = copy_six(tmp_path_factory.mktemp("six"))
    code, out, err = run_cli(six_args(site, "build", "--quiet"))
    assert code == 0, err
    return site / "output"


def page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text("utf-8")


def main_part(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_every_language_gets_a_tree_with_its_lang_and_direction(six):
    for code in CODES:
        html = page(six, code)
        direction = "rtl" if code == "ar" else "ltr"
        assert f'<html lang="{code}" dir="{direction}">' in html


def test_search_results_speak_a_languages_own_texts_else_pagefinds(tmp_path):
    """The line that sums up the results comes from the catalog where a language has a text of its own; where it
    has none, Pagefind's own translation stays, not the borrowed English."""
    config = copy_six(tmp_path) / "site_config.yaml"
    config.write_text(config.read_text("utf-8").replace("search: false", "search: true"), "utf-8")
    site = load_site(BuildOptions(config, date.fromisoformat(TODAY))).site
    pages = {made.path: made.data.decode("utf-8") for made in
             render_site(site, make_environment(site.config.templates_dir), date.fromisoformat(TODAY))}

    def texts(code: str) -> dict[str, str]:
        return json.loads(re.search(r"translations: (\{.*\}),", pages[f"{code}/search/index.html"])[1])

    assert texts("zh")["many_results"] == "找到[COUNT]个“[SEARCH_TERM]”的相关结果"
    assert texts("en")["zero_results"] == "No results for [SEARCH_TERM]"
    assert texts("fr") == texts("ar") == {}


def test_direction_comes_from_cldr_not_a_list():
    assert [Language(code, code, code).dir for code in ("ar", "he", "fa", "ur", "fr", "ru", "zh_Hans_CN")] == \
        ["rtl", "rtl", "rtl", "rtl", "ltr", "ltr", "ltr"]


def test_a_translated_page_is_not_marked_as_borrowed(six):
    main = main_part(page(six, "fr"))
    assert "Texte provisoire pour les tests" in main
    assert 'class="notice"' not in main and '<div class="prose">' in main


def test_an_untranslated_page_is_borrowed_with_lang_dir_and_the_notice(six):
    main = main_part(page(six, "ar/about"))
    assert ('<p class="notice" role="note" data-pagefind-ignore><span lang="en" dir="ltr">This page is not yet available in '
            '<bdi>Arabic</bdi>; it is shown in <bdi>English</bdi>.</span></p>') in main  # (names in the notice's language)
    assert '<h1><span lang="en" dir="ltr">About the fixture group</span></h1>' in main
    assert '<div class="prose" lang="en" dir="ltr">' in main
    french = main_part(page(six, "fr/about"))
    assert '<div class="prose" lang="en">' in french  # same direction: no dir
    assert '<h1><span lang="en">About the fixture group</span></h1>' in french


def test_untranslated_ui_strings_are_borrowed_with_their_lang(six):
    html = page(six, "ar/meetings")
    assert '<a class="skip-link" href="#main">تخطي إلى المحتوى (نص مؤقت)</a>' in html  # its own text
    assert '<span lang="en" dir="ltr">About the IEG</span>' in html  # borrowed
    assert re.search(r'<a href="\.\./"[^>]*>الصفحة الرئيسية \(نص مؤقت\)</a>', html)
    assert "<title>Meetings of the Informal Expert Group · Six-language fixture site</title>" in html
    assert not re.search(r'="[^"]*<span', html), "a borrowed string's mark-up ended up in an attribute"


def test_untranslated_data_texts_are_borrowed_with_their_lang(six):
    html = page(six, "ar/meetings")
    assert '<span lang="en" dir="ltr">the cluster of Council working group meetings</span>' in html
    assert "سبتمبر 2019" in html  # dates come from Babel in the reader's locale
    assert "septembre 2019" in page(six, "fr/meetings")


def test_feeds_and_calendars_have_plain_text_in_every_language(six):
    for code in CODES:
        feed = (six / code / "feed.xml").read_text("utf-8")
        calendar = (six / code / "calendar.ics").read_text("utf-8")
        assert "<span" not in feed and "<span" not in calendar
        assert f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{code}">' in feed
        assert f"URL:https://six.example.org/ieg/{code}/timetable/" in calendar
    assert "<title>المسودة الأولى (نص مؤقت)</title>" in (six / "ar" / "feed.xml").read_text("utf-8")


def test_switcher_hreflang_and_sitemap_take_every_language(six):
    home = page(six, "en")
    for code in CODES:
        assert f'<link rel="alternate" hreflang="{code}" href="https://six.example.org/ieg/{code}/">' in home
        assert f'hreflang="{code}" lang="{code}"' in home or f'aria-current="page" lang="{code}"' in home
    about = page(six, "en/about")  # only English and Chinese versions: alternates for those two
    assert re.findall(r'<link rel="alternate" hreflang="(\w+)"', about) == ["en", "zh"]
    sitemap = (six / "sitemap.xml").read_text("utf-8")
    for code in CODES:
        assert f"<loc>https://six.example.org/ieg/{code}/</loc>" in sitemap


def test_the_report_lists_every_gap(tmp_path):
    site = copy_six(tmp_path)
    code, out, err = run_cli(six_args(site, "check", "--translations"))
    assert code == 1
    lines = out.splitlines()
    assert next(line for line in lines if line.startswith("ar ")).startswith("ar (translated from en): 2 of 5 pages and drafts, 3 missing, 0 out of date, "
                               "22 data texts missing, ")
    strings = (site / "content" / "strings.yaml").read_text("utf-8").splitlines()
    about_line = next(n for n, line in enumerate(strings, 1) if line.startswith("nav.about:"))
    assert (f"content/strings.yaml:{about_line}:1: missing translation: UI string 'nav.about' has no ar text "
            f"(readers of ar see the en text)") in lines
    assert not [line for line in lines if "'nav.home' has no" in line]  # translated in every language
    gaps = {c: sum(1 for line in lines if "UI string" in line and f" has no {c} text" in line) for c in CODES}
    keys = sum(1 for line in strings if re.match(r"^[a-z0-9_.-]+: \{", line))
    assert gaps == {"en": 0, "zh": 0, "ar": keys - 2, "fr": keys - 2, "ru": keys - 2, "es": keys - 2}
    assert "content/pages/process.en.md:1:1: missing translation: there is no ar version " \
           "(content/pages/process.ar.md)" in lines


def test_the_report_page_lists_ui_string_gaps(six):
    html = page(six, "ar/translations")
    assert "<code>nav.about</code>" in html and "<code>nav.home</code>" not in html


def test_check_release_fails_on_any_gap_in_a_published_language(tmp_path):
    site = copy_six(tmp_path)
    code, out, err = run_cli(six_args(site, "check", "--release"))
    assert code == 1
    assert "UI string 'nav.about' has no fr text" in err + out
    assert "Traceback" not in err


def test_the_real_site_builds_with_arabic_and_french_added(tmp_path):
    site = copy_real_site(tmp_path / "site")
    config = site / "site_config.yaml"
    text = config.read_text("utf-8")
    added = ("  - code: ar\n    name: العربية\n    locale: ar\n"
             "  - code: fr\n    name: Français\n    locale: fr_FR\n")
    config.write_text(text.replace("    locale: zh_Hans_CN\n", "    locale: zh_Hans_CN\n" + added), "utf-8")
    code, out, err = run_cli(["build", "--config", str(config), "--today", TODAY])
    assert code == 0, err
    output = site / "output"
    assert '<html lang="ar" dir="rtl"' in page(output, "ar")
    assert '<html lang="fr" dir="ltr"' in page(output, "fr")
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert {"ar", "fr", "en", "zh"} <= set(entry["languages"])  # one search index per language


def test_root_pages_show_each_language_in_its_own_words(six):
    for name in ("index.html", "404.html"):
        html = (six / name).read_text("utf-8")
        assert '<section lang="zh" dir="ltr">' in html and '<section lang="ar"' not in html
        assert re.search(r'<a href="[^"]*ar/" hreflang="ar" lang="ar" dir="rtl">العربية</a>', html)


def test_release_check_points_at_the_version_a_draft_without_a_default_one_takes_its_dates_from(tmp_path):
    """A draft with no English version takes its dates from the first language of the config that has one
    (Chinese here, before Arabic), and the release check names that file with that file's line."""
    site = copy_six(tmp_path)
    drafts = site / "content" / "drafts"
    (drafts / "draft-3.zh.md").write_text("---\nnumber: 3\ntitle: 草案第三稿\nreleased: 2020-09-01\nstatus: planned\n"
                                          "---\n占位正文。\n", "utf-8")
    (drafts / "draft-3.ar.md").write_text("---\ntitle: placeholder\nnumber: 3\nstatus: planned\n\n"
                                          "released: 2020-09-01\n---\nplaceholder text\n", "utf-8")
    code, _, err = run_cli(six_args(site, "check", "--release"))
    assert code == 1
    assert ("content/drafts/draft-3.zh.md:4:11: past release date but still planned: draft 3 was to be released on "
            "2020-09-01") in err
    assert "draft-3.ar.md:4:11" not in err
