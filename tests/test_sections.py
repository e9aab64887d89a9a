"""Sections (wtpfsite/site/routes.py, render/sections.py): a kind of page is one declaration, and a page reads
nothing its section does not declare. The second half adds a data-backed page type the way docs/architecture.md
says, from a schema, a section, a template and strings alone."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from helpers import FIXTURE_TODAY as TODAY, FixtureSite
from wtpfsite.base.schema import DataFile, Reader
from wtpfsite.base.text import Text
from wtpfsite.content.data import UndeclaredData
from wtpfsite.content.records import DATA_FILES
from wtpfsite.pipeline.build import BuildOptions, load_site, render_site
from wtpfsite.render.environment import make_environment
from wtpfsite.render.pages import Output, render_page
from wtpfsite.render.sections import SECTIONS
from wtpfsite.site.routes import Section, UndeclaredRead


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    site = FixtureSite(tmp_path_factory.mktemp("sections"))
    loaded = load_site(BuildOptions(site.config, TODAY)).site
    return loaded, make_environment(loaded.config.templates_dir)


def render_as(fixture, key: str, lang: str = "en", **declaration):
    """The page `key` rendered with its section's declaration changed."""
    site, env = fixture
    route = site.route(key)
    return render_page(site, env, TODAY, replace(route, section=replace(route.section, **declaration)), lang)


def test_every_page_of_the_fixture_renders_within_its_declaration(fixture):
    site, env = fixture
    made = render_site(site, env, TODAY)
    assert len([m for m in made if m.path.endswith(".html")]) > 20


def test_a_page_that_reads_a_data_file_it_does_not_declare_is_stopped(fixture):
    with pytest.raises(UndeclaredData, match="data file 'experts' is read but not declared"):
        render_as(fixture, "experts", data=())
    with pytest.raises(UndeclaredData, match="data file 'documents'"):
        render_as(fixture, "meeting/ieg-1", data=("meetings",))


def test_a_page_that_reads_other_pages_without_declaring_the_structure_is_stopped(fixture):
    with pytest.raises(UndeclaredRead, match="section 'drafts' reads other pages"):
        render_as(fixture, "drafts", structure="")


def test_a_page_that_uses_a_string_its_section_does_not_declare_is_a_template_error(fixture):
    error = render_as(fixture, "experts", strings=())
    assert not isinstance(error, Output)
    assert "UI string 'experts." in error.message and "is used but not declared" in error.message
    assert error.path.endswith("experts.html")


def test_each_section_is_declared_once_and_its_path_is_its_own():
    names = [section.name for section in SECTIONS]
    assert len(names) == len(set(names))
    paths = [section.path for section in SECTIONS]
    assert len(paths) == len(set(paths))
    with pytest.raises(ValueError, match="structure must be one of"):
        Section("x", "x/", "x.html", structure="everything")


# ------------------------------------------------------------------------------- a new data-backed page type

@dataclass(frozen=True)
class Opinion:
    id: str
    title: Text


OPINIONS = DataFile("opinions", "opinions", "an opinion", {"id": Reader.identifier, "title": Reader.text}, 2, Opinion,
                    unique=("id",), label=lambda opinion, index, default: f"opinion '{opinion.id}'")


def _opinions(site, name, lang, today):
    return {"opinions": site.data.of("opinions")}


OPINIONS_PAGE = Section("opinions", "opinions/", "opinions.html", _opinions, data=("opinions",),
                        strings=("opinions.",))


def test_a_new_data_backed_page_type_is_a_schema_a_section_a_template_and_strings(tmp_path):
    site = FixtureSite(tmp_path)
    site.path("content/data/opinions.yaml").write_text(
        "opinions:\n  - id: op-1\n    title: {en: A possible draft opinion, zh: 意见草案}\n", "utf-8")
    site.path("templates/opinions.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ page.title }}</h1><p>{{ t("opinions.intro") }}</p>'
        '<ul>{% for opinion in opinions %}<li id="{{ opinion.id }}">{{ text(opinion.title) }}</li>{% endfor %}'
        '</ul>{% endblock %}', "utf-8")
    site.edit("content/strings.yaml", lambda text: text + "title.opinions: {en: Opinions, zh: 意见}\n"
              "opinions.intro: {en: Possible draft opinions., zh: 可能的意见草案。}\n"
              "nav.opinions: {en: Opinions, zh: 意见}\n")
    site.edit("site_config.yaml", lambda text: text + "  - opinions\n")
    loaded = load_site(BuildOptions(site.config, TODAY), sections=SECTIONS + (OPINIONS_PAGE,),
                       schemas=DATA_FILES + (OPINIONS,)).site
    made = {m.path: m.data for m in render_site(loaded, make_environment(loaded.config.templates_dir), TODAY)}
    english, chinese = made["en/opinions/index.html"].decode(), made["zh/opinions/index.html"].decode()
    assert '<li id="op-1">A possible draft opinion</li>' in english and "<h1>Opinions</h1>" in english
    assert '<li id="op-1">意见草案</li>' in chinese
    assert '<a href="./" aria-current="page">Opinions</a>' in english  # in the navigation, current
    assert b"/en/opinions/" in made["sitemap.xml"]
