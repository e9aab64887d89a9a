"""The template environment (wtpfsite/render/environment.py): the templates a page loads are recorded, errors
point at the template's line, and a page may use only the UI strings its section declares."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import TemplateError
from jinja2.exceptions import UndefinedError

from wtpfsite.base.errors import ErrorList
from wtpfsite.content.strings import Strings
from wtpfsite.render.environment import Localizer, make_environment, render_template, template_error


def test_every_template_a_page_loads_is_recorded_including_missing_ones(tmp_path):
    (tmp_path / "base.html").write_text("<body>{% block content %}{% endblock %}</body>", "utf-8")
    (tmp_path / "macros.html").write_text("{% macro hello() %}hi{% endmacro %}", "utf-8")
    (tmp_path / "page.html").write_text('{% extends "base.html" %}{% import "macros.html" as m %}'
                                        '{% block content %}{{ m.hello() }}'
                                        '{% include ["extra.html", "macros.html"] ignore missing %}'
                                        '{% endblock %}', "utf-8")
    rendered = render_template(make_environment(tmp_path), "page.html", {})
    assert rendered.text == "<body>hi</body>"
    assert set(rendered.templates) == {"page.html", "base.html", "macros.html", "extra.html"}


def test_compiled_templates_are_kept_in_the_cache_folder(tmp_path):
    (tmp_path / "page.html").write_text("{{ 1 + 1 }}", "utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    assert render_template(make_environment(tmp_path, cache), "page.html", {}).text == "2"
    assert list(cache.iterdir())
    assert render_template(make_environment(tmp_path, cache), "page.html", {}).text == "2"


def test_a_page_may_use_only_the_strings_its_section_declares(tmp_path):
    strings = Strings(tmp_path / "strings.yaml", {"nav.home": {"en": "Home"}, "meeting.title": {"en": "Meeting"}})
    allowed = Localizer("en", "en", "en_GB", strings, ("nav.",))
    assert allowed.t("nav.home") == "Home"
    with pytest.raises(TemplateError, match="UI string 'meeting.title' is used but not declared"):
        allowed.t("meeting.title")
    assert Localizer("en", "en", "en_GB", strings).t("meeting.title") == "Meeting"


def test_an_error_in_a_called_function_is_reported_at_the_template_line(tmp_path):
    (tmp_path / "page.html").write_text("line one\n{{ t('missing') }}\n", "utf-8")
    env = make_environment(tmp_path)

    def t(key):
        raise KeyError(f"no UI string '{key}'")

    errors = ErrorList(tmp_path)
    with pytest.raises(Exception) as caught:
        render_template(env, "page.html", {"t": t})
    template_error(caught.value, tmp_path, "page.html", errors)
    assert [(Path(e.path).name, e.line) for e in errors.errors] == [("page.html", 2)]
    assert "no UI string 'missing'" in errors.errors[0].message


def test_an_undefined_function_is_still_an_error(tmp_path):
    (tmp_path / "page.html").write_text("{{ nothing('x') }}", "utf-8")
    with pytest.raises(UndefinedError):
        render_template(make_environment(tmp_path), "page.html", {})
