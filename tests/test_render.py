"""The template environment (wtpfsite/render.py): its context's short way of calling plain functions
(`FastCallContext`) gives what Jinja's own `Context.call` gives, for every kind of callable a template may call."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import DictLoader, pass_context, pass_environment, pass_eval_context
from jinja2.exceptions import UndefinedError
from jinja2.runtime import Context

from wtpfsite.errors import ErrorList
from wtpfsite.render import FastCallContext, RecordingEnvironment, make_environment, render_template, template_error


class Greeter:
    def __init__(self, greeting: str):
        self.greeting = greeting

    def hello(self, name: str, punctuation: str = "!") -> str:
        return f"{self.greeting}, {name}{punctuation}"

    @pass_context
    def from_context(self, context, key: str) -> str:
        return f"{self.greeting}: {context[key]}"

    def __call__(self, name: str) -> str:  # a callable object
        return f"{self.greeting} {name}"


@pass_context
def look_up(context, key):
    return context[key]


@pass_context
def loop_value(context, key):  # a pass_context function sees what a loop or block set (`_loop_vars`, `_block_vars`)
    return context.get(key, "none")


@pass_environment
def environment_name(environment, suffix):
    return type(environment).__name__ + suffix


@pass_eval_context
def escaping(eval_context):
    return str(eval_context.autoescape)


def stop():
    raise StopIteration


TEMPLATES = {
    "base.html": "[{% block body %}{% endblock %}]",
    "page.html": """{% extends "base.html" %}{% import "macros.html" as m with context %}{% block body %}
{{ plain("a") }} {{ plain("b", suffix="?") }} {{ greeter.hello("Ann") }} {{ greeter.hello("Bo", punctuation=".") }}
{{ greeter("Cy") }} {{ greeter.from_context("who") }} {{ look_up("who") }} {{ environment_name("!") }} {{ escaping() }}
{{ lam(2) }} {{ "x,y".split(",")|join("+") }} {{ max(3, 4) }} {{ (stop() is undefined)|string }}
{% for item in items %}{% set mark = item ~ "*" %}{{ plain(item) }}{{ loop_value("mark") }}
{{- greeter.hello(item) }}{% endfor %}
{% set seen = "block" %}{{ loop_value("seen") }} {{ m.shout("z") }}
{% call(tag) m.wrap(tag="i") %}{{ tag }}{{ plain("c") }}{% endcall %}
{% endblock %}""",
    "macros.html": "{% macro shout(word) %}{{ plain(word)|upper }}{% endmacro %}"
                   "{% macro wrap(tag='b') %}<{{ tag }}>{{ caller(tag) }}</{{ tag }}>{% endmacro %}",
}


def render(context_class) -> str:
    env = RecordingEnvironment(loader=DictLoader(TEMPLATES), autoescape=True)
    env.context_class = context_class
    context = {
        "plain": lambda value, suffix="": f"<{value}>{suffix}", "greeter": Greeter("Hi"), "look_up": look_up,
        "loop_value": loop_value, "environment_name": environment_name, "escaping": escaping, "lam": lambda n: n * 2,
        "max": max, "stop": stop, "items": ["p", "q"], "who": "Dee",
    }
    return env.get_template("page.html").render(context)


def test_the_fast_call_gives_what_jinjas_own_call_gives():
    fast, jinja = render(FastCallContext), render(Context)
    assert fast == jinja
    # and the callables were called as they want: with the context, the environment, the eval context
    assert "Hi: Dee Dee RecordingEnvironment! True" in fast
    assert "&lt;p&gt;p*Hi, p!&lt;q&gt;q*Hi, q!" in fast  # a plain function and a method inside a loop
    assert "True" in fast.split("\n")[3]  # a StopIteration is an undefined value, as in Jinja
    assert "block &lt;Z&gt;" in fast  # a macro, with the context
    assert "<i>i&lt;c&gt;</i>" in fast  # a macro with a caller


def test_the_build_environment_uses_the_fast_call(tmp_path):
    (tmp_path / "page.html").write_text("{{ t('x') }} {{ url('home') }}", "utf-8")
    env = make_environment(tmp_path)
    assert env.context_class is FastCallContext
    assert render_template(env, "page.html", {"t": lambda key: key.upper(), "url": lambda key: f"/{key}/"}).text \
        == "X /home/"


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
