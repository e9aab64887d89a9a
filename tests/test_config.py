"""Tests for wtpfsite.content.config: site_config.yaml -> SiteConfig, and every problem with its place."""

from __future__ import annotations

import pytest

from helpers import CONFIG, SEARCH_IS_AN_OPTION, assert_build_fails, make_site, run_cli, build_args
from wtpfsite.content.config import load_config
from wtpfsite.base.errors import ErrorList


def load(tmp_path, text: str):
    root = make_site(tmp_path, {"site_config.yaml": text})
    errors = ErrorList(root)
    config = load_config(root / "site_config.yaml", errors)
    return root, config, [e.format() for e in sorted(errors.errors)]


def test_the_fixture_config_loads(tmp_path):
    root, config, errors = load(tmp_path, CONFIG)
    assert errors == []
    assert config.language_codes == ("en", "zh")
    assert config.default_language == "en"
    assert config.language("zh").locale == "zh_Hans_CN"
    assert config.base_url == "https://example.org/site/"
    assert [entry.target for entry in config.navigation] == ["home"]
    assert config.allow_raw_html_in_drafts is False
    if SEARCH_IS_AN_OPTION:
        assert config.search is False


def test_paths_are_relative_to_the_config_file_not_the_working_directory(tmp_path, monkeypatch):
    text = CONFIG + "content_dir: src\noutput_dir: ../public\n"
    root, config, errors = load(tmp_path, text)
    assert errors == []
    monkeypatch.chdir(tmp_path)
    assert config.root == root
    assert config.content_dir == root / "src"
    assert config.templates_dir == root / "templates"
    assert config.output_dir == tmp_path / "public"


def test_base_url_gets_a_trailing_slash(tmp_path):
    _, config, errors = load(tmp_path, CONFIG.replace("https://example.org/site/", "https://example.org/site"))
    assert errors == []
    assert config.base_url == "https://example.org/site/"


@pytest.mark.parametrize("change, expected", [
    (("", "titel: x\n"),
     ["site_config.yaml:1:1: unknown field 'titel' in site_config.yaml (did you mean 'title'?)"]),
    (("", "output: public\n"),
     ["site_config.yaml:1:1: unknown field 'output' in site_config.yaml (did you mean 'output_dir'?)"]),
    (("navigation:\n  - home\n", "navigation: home\n"),
     ["site_config.yaml:10:13: 'navigation' must be a list, not text"]),
    (("", "allow_raw_html_in_drafts: sometimes\n"),
     ["site_config.yaml:1:27: 'allow_raw_html_in_drafts' must be true or false"]),
    (("", "timezone: Europe/Zurich\n"),
     ["site_config.yaml:1:1: unknown field 'timezone' in site_config.yaml"]),
    (("code: zh", "code: ZH"),
     ["site_config.yaml:1:24: unknown language 'zh' in 'title'",
      "site_config.yaml:6:11: 'ZH' is not a BCP 47 language code such as 'en' or 'zh'"]),
    (("code: zh", "code: zh_CN"),
     ["site_config.yaml:1:24: unknown language 'zh' in 'title'",
      "site_config.yaml:6:11: 'zh_CN' is not a BCP 47 language code such as 'en' or 'zh'"]),
    (("zh_Hans_CN", "xx_YY"),  # (zh is listed: its title is not an unknown language's)
     ["site_config.yaml:8:13: unknown locale 'xx_YY' (try 'en_GB' or 'zh_Hans_CN')"]),
    (("code: zh", "code: en"),
     ["site_config.yaml:1:24: unknown language 'zh' in 'title'",
      "site_config.yaml:6:11: language 'en' is listed twice"]),
    (("    locale: en_GB\n", ""),
     ["site_config.yaml:3:5: a language is missing the required field 'locale'"]),
    (("https://example.org/site/", "example.org"),
     ["site_config.yaml:9:11: 'base_url' must be an absolute http(s) URL, not 'example.org'"]),
    (("https://example.org/site/", "javascript:alert(1)//"),
     ["site_config.yaml:9:11: 'base_url' must be an absolute http(s) URL, not 'javascript:alert(1)//'"]),
    (("base_url: https://example.org/site/\n", ""),
     ["site_config.yaml:1:1: site_config.yaml is missing the required field 'base_url'"]),
    (("title: {en: Test site, zh: 测试网站}", "title: {en: Test site, fr: Site}"),
     ["site_config.yaml:1:24: unknown language 'fr' in 'title'"]),
    (("  - home\n", "  - Home Page\n"),
     ["site_config.yaml:11:5: a navigation entry must be a section name or a page name, such as 'about'"]),
])
def test_config_problems_fail_the_build_at_their_place(tmp_path, change, expected):
    old, new = change
    text = new + CONFIG if old == "" else CONFIG.replace(old, new)
    assert text != CONFIG
    assert_build_fails(tmp_path, {"site_config.yaml": text}, expected)


def test_a_config_that_is_not_a_mapping(tmp_path):
    _, config, errors = load(tmp_path, "- en\n- zh\n")
    assert config is None
    assert errors == ["site_config.yaml:1:1: site_config.yaml must be a mapping, not a list"]


def test_no_languages(tmp_path):
    text = CONFIG.replace("""languages:
  - code: en
    name: English
    locale: en_GB
  - code: zh
    name: 中文
    locale: zh_Hans_CN
""", "languages: []\n")
    _, config, errors = load(tmp_path, text)
    assert config is None
    assert "site_config.yaml:2:12: 'languages' must list at least one language" in errors


def test_unknown_config_key_fails_the_build_and_keeps_output(tmp_path):
    assert_build_fails(tmp_path, {"site_config.yaml": "titel: x\n" + CONFIG},
                       ["site_config.yaml:1:1: unknown field 'titel' in site_config.yaml (did you mean 'title'?)"])


def test_config_yaml_syntax_error_fails_the_build(tmp_path):
    assert_build_fails(tmp_path, {"site_config.yaml": CONFIG.replace("  - home\n", "  - home\n - x: [\n")},
                       ["site_config.yaml:12:2: YAML syntax error: expected <block end>, "
                        "but found '<block sequence start>'"
                        " (check this line's indentation against the lines above)"])


def test_navigation_entries_must_name_pages_and_have_labels(tmp_path):
    """An entry that names no page is that error alone (its missing label follows from it), with the closest name."""
    assert_build_fails(tmp_path, {"site_config.yaml": CONFIG.replace("  - home\n", "  - home\n  - abuot\n  - extra\n"),
                                  "content/pages/about.en.md": "---\ntitle: About\n---\nAbout.\n",
                                  "content/pages/extra.en.md": "---\ntitle: Extra\n---\nMore.\n"}, [
        "site_config.yaml:12:5: navigation entry 'abuot' names no page (did you mean 'about'?)",
        "site_config.yaml:13:5: navigation entry 'extra' has no label: add 'nav.extra' to strings.yaml",
    ])


def test_errors_are_shown_relative_to_the_config_folder_from_any_working_directory(tmp_path):
    root = make_site(tmp_path, {"content/pages/about.en.md": "no front matter\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, _, err = run_cli(build_args(root), cwd=elsewhere)
    assert code == 1
    assert err.splitlines()[0].startswith("content/pages/about.en.md:1:1: missing front matter")
    code, _, err = run_cli(["build", "--config", "site/site_config.yaml", "--today", "2020-09-20"], cwd=tmp_path)
    assert code == 1
    assert err.splitlines()[0].startswith("content/pages/about.en.md:1:1: missing front matter")
