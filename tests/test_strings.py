"""Tests for wtpfsite.content.strings (the UI string catalog) and how templates report strings they cannot have."""

from __future__ import annotations

import pytest

from helpers import ROOT, assert_build_fails, build_args, draft, make_site, run_cli
from wtpfsite.base.errors import ErrorList
from wtpfsite.content.strings import load_strings

STRINGS = (ROOT / "content" / "strings.yaml").read_text("utf-8")
HOME = "nav.home: {en: Home, zh: 首页}"
TEMPLATES = ROOT / "templates"


def strings_with(old: str, new: str) -> str:
    assert STRINGS.count(old) == 1, f"{old!r} is not (once) in content/strings.yaml"
    return STRINGS.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_real_catalog_is_complete_for_both_languages():
    errors = ErrorList(ROOT)
    strings = load_strings(ROOT / "content" / "strings.yaml", ("en", "zh"), errors)
    assert not errors, [e.format() for e in errors.errors]
    assert strings.get("nav.home", "zh") == "首页"
    assert strings.missing("en") == strings.missing("zh") == ()
    with pytest.raises(KeyError, match="no UI string 'nope' for language 'en' in strings.yaml"):
        strings.get("nope", "en")


@pytest.mark.parametrize("new, column, message", [
    ("nav.home: {zh: 首页}", 1, "string 'nav.home' is missing its 'en' text (the default language's, which stands "
     "in for languages without their own)"),
    ("nav.home: {en: Home, zh: 首页, fr: Accueil}", 30, "string 'nav.home' has unknown language 'fr'"),
    ("nav.home: {en: [Home], zh: 首页}", 16, "string 'nav.home' in 'en' must be text"),
    ("nav.home: Home", 11, "string 'nav.home' must map languages to texts"),
])
def test_catalog_problems_fail_the_build(tmp_path, new, column, message):
    line = line_of(STRINGS, HOME)
    assert_build_fails(tmp_path, {"content/strings.yaml": strings_with(HOME, new)},
                       [f"content/strings.yaml:{line}:{column}: {message}"])


def test_a_catalog_that_is_not_a_mapping(tmp_path):
    assert_build_fails(tmp_path, {"content/strings.yaml": "- a\n"},
                       ["content/strings.yaml:1:1: the string catalog must map each key to its texts by language"])


def test_a_missing_catalog(tmp_path):
    assert_build_fails(tmp_path, {"content/strings.yaml": None}, ["content/strings.yaml:1:1: file not found"])


def test_a_key_defined_twice(tmp_path):
    text = STRINGS.rstrip("\n") + "\n" + HOME + "\n"
    assert_build_fails(tmp_path, {"content/strings.yaml": text}, [
        f"content/strings.yaml:{text.count(chr(10))}:1: duplicate key 'nav.home' "
        f"(first defined on line {line_of(STRINGS, HOME)})"])


def test_a_template_asking_for_an_unknown_string_names_the_template_and_line(tmp_path):
    base = (TEMPLATES / "base.html").read_text("utf-8")
    assert base.count("t('a11y.skip')") == 1
    line = line_of(base, "t('a11y.skip')")
    assert_build_fails(tmp_path, {"templates/base.html": base.replace("t('a11y.skip')", "t('a11y.skipp')")}, [
        f"templates/base.html:{line}:1: template error: UI string 'a11y.skipp' is not in strings.yaml: correct the key, "
        f"or add it there with its 'en' text"])


def test_a_string_removed_from_the_catalog_is_reported_where_a_template_uses_it(tmp_path):
    macros = (TEMPLATES / "macros.html").read_text("utf-8")
    line = line_of(macros, "t('toc.title')")
    toc = next(entry for entry in STRINGS.splitlines() if entry.startswith("toc.title:"))
    assert_build_fails(tmp_path, {"content/strings.yaml": strings_with(toc + "\n", ""),
                                  "content/pages/about.en.md": "---\ntitle: A\n---\n## One\n\n## Two\n"}, [
        f"templates/macros.html:{line}:1: template error: UI string 'toc.title' is not in strings.yaml: correct the "
        f"key, or add it there with its 'en' text"])


def test_an_unknown_string_looked_up_directly_is_a_template_error_not_a_crash(tmp_path):
    root_index = (TEMPLATES / "root_index.html").read_text("utf-8")
    assert root_index.count("'root.enter'") == 1
    line = line_of(root_index, "'root.enter'")
    assert_build_fails(tmp_path, {"templates/root_index.html": root_index.replace("'root.enter'", "'root.entr'")},
                       [f"templates/root_index.html:{line}:1: template error: no UI string 'root.entr' for "
                        f"language 'en' in strings.yaml"])


def test_a_string_with_an_unknown_placeholder_is_a_template_error_not_a_crash(tmp_path):
    entry = next(e for e in STRINGS.splitlines() if e.startswith("draft.name:"))
    assert '"Draft {number}"' in entry
    broken = strings_with(entry, 'draft.name: {en: "Draft {numbr}"}')  # (a zh text would not match it: next test)
    root = make_site(tmp_path, {"content/strings.yaml": broken, "content/drafts/draft-1.en.md": draft(1)})
    code, _, stderr = run_cli(build_args(root))
    assert code == 1 and "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines[-1].endswith("; nothing was written")
    assert all(line.startswith("templates/") for line in lines[:-1])
    assert ("template error: UI string 'draft.name' for language 'en' has an unknown placeholder {numbr} "
            "(it can use {number})") in stderr


@pytest.mark.parametrize("zh, message", [
    ('"草案第{numbr:hanzi}稿"', "string 'draft.name': the placeholder {numbr} of its 'zh' text is not in its 'en' "
                               "text, which has {number}: one of them is misspelt"),
    ('"草案第{number}}稿"', "string 'draft.name' in 'zh': single '}' encountered in format string (a brace that is "
                           "text is written twice: {{ or }})"),
    ('"草案第{number|稿}"', "string 'draft.name' in 'zh': '{number|稿}' is not a placeholder such as {number} or "
                          "{days|one=day|other=days}"),
    ('"草案第{number:hanzi}稿"', None),  # a format, as the Chinese text of the real site has
    ('""', "string 'draft.name' in 'zh' is empty: leave 'zh' out, and readers see the 'en' text until it is "
           "translated"),
])
def test_a_translation_s_placeholders_are_checked_against_the_original_s(tmp_path, zh, message):
    """A slip in a translation's braces is found where it is written, not later in a template or a crash."""
    entry = next(e for e in STRINGS.splitlines() if e.startswith("draft.name:"))
    broken = strings_with(entry, f'draft.name: {{en: "Draft {{number}}", zh: {zh}}}')
    column = broken.splitlines()[line_of(broken, "draft.name:") - 1].index("zh: ") + 5
    files = {"content/strings.yaml": broken, "content/drafts/draft-1.en.md": draft(1)}
    if message is None:
        assert run_cli(build_args(make_site(tmp_path, files)))[0] == 0
    else:
        assert_build_fails(tmp_path, files, [f"content/strings.yaml:{line_of(broken, 'draft.name:')}:{column}: {message}"])


def test_a_ui_string_taken_out_of_the_catalog_is_reported_once_not_as_a_crash(tmp_path):
    """A section's page title is not in a template: it is reported at the catalog (the generator stopped with an
    internal error); a template's text where the template names it, once for every language."""
    line = line_of((TEMPLATES / "base.html").read_text("utf-8"), "t('a11y.skip')")
    broken = "\n".join(entry for entry in STRINGS.splitlines()
                       if not entry.startswith(("title.drafts:", "a11y.skip:"))) + "\n"
    assert_build_fails(tmp_path, {"content/strings.yaml": broken, "content/drafts/draft-1.en.md": draft(1)}, [
        "content/strings.yaml:1:1: UI string 'title.drafts' is not in strings.yaml: correct the key, or add it there "
        "with its 'en' text",
        f"templates/base.html:{line}:1: template error: UI string 'a11y.skip' is not in strings.yaml: correct the "
        f"key, or add it there with its 'en' text"])


def test_an_unknown_route_in_a_template_is_a_template_error(tmp_path):
    page = (TEMPLATES / "page.html").read_text("utf-8")
    line = line_of(page, "{% block content %}") + 1
    assert_build_fails(tmp_path, {
        "templates/page.html": page.replace("{% block content %}\n", "{% block content %}\n{{ url('nowhere') }}\n"),
        "content/pages/about.en.md": "---\ntitle: A\n---\n"},
        [f"templates/page.html:{line}:1: template error: no URL for route 'nowhere'"])  # same for both languages
