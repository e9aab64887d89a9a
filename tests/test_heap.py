"""Tests for wtpfsite.heap as a build uses it: the cycle collector is paused while the build reads its caches
and loads the site (many objects, kept, in no cycle), the loaded site is frozen out of its sight, and the
collector is left running for what comes after."""

from __future__ import annotations

import gc

import pytest

from helpers import make_site, options, page
from wtpfsite import build as build_module
from wtpfsite import deps, model, parsecache
from wtpfsite.build import build
from wtpfsite.errors import ContentErrors


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()  # (the builds below froze what the test process holds)


def test_a_build_loads_with_the_cycle_collector_paused_then_freezes_and_leaves_it_running(tmp_path, monkeypatch,
                                                                                       unfrozen):
    site = make_site(tmp_path, {"content/pages/about.en.md": page("About", "Text.\n")})
    build(options(site))  # (the caches the next build reads)
    (site / "content" / "pages" / "about.en.md").write_text(page("About", "Other text.\n"), "utf-8")
    seen: dict[str, list[bool]] = {}

    def spy(module, name):
        real = getattr(module, name)

        def call(*args, **kwargs):
            seen.setdefault(name, []).append(gc.isenabled())
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, call)

    spy(parsecache, "_read_shard")
    spy(deps, "_parse_cache")
    spy(model, "link_site")
    frozen = []
    real_render = build_module.render_site
    monkeypatch.setattr(build_module, "render_site",
                        lambda *a, **k: frozen.append(gc.get_freeze_count()) or real_render(*a, **k))
    gc.unfreeze()
    assert gc.isenabled()
    result = build(options(site))
    assert result.rendered > 0
    assert seen["_read_shard"] and not any(seen["_read_shard"])  # every shard read with the collector paused
    assert seen["_parse_cache"] == [False] and seen["link_site"] == [False]
    assert frozen and frozen[0] > 0  # the loaded site is out of the collector's sight while pages render
    assert gc.isenabled()  # and the collector runs again


def test_a_failed_load_leaves_the_cycle_collector_running(tmp_path):
    site = make_site(tmp_path, {"content/pages/about.en.md": "---\ntitle: [unclosed\n---\nText.\n"})
    with pytest.raises(ContentErrors):
        build(options(site))
    assert gc.isenabled()
