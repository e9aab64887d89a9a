"""The Atom feed of each language: parsed with a real feed parser."""

import shutil
from datetime import date
from pathlib import Path

import feedparser
import pytest

from wtpfsite.pipeline.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, site / name)
    shutil.copy(ROOT / "site_config.yaml", site / "site_config.yaml")
    config = site / "site_config.yaml"
    text = config.read_text("utf-8")
    if "search:" not in text:
        config.write_text(text + "search: false\n", "utf-8")
    build(BuildOptions(config, date(2020, 10, 1)))
    return site / "output"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_feed_has_one_entry_per_released_draft_and_held_meeting(built, lang):
    feed = feedparser.parse((built / lang / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    ids = [entry.id for entry in feed.entries]
    drafts = [i for i in ids if ":draft-" in i]
    assert sorted(drafts) == [f"tag:wtpf-21.ieg,2019:draft-{n}" for n in (1, 2, 3)]
    assert sorted(i for i in ids if ":meeting-" in i) == [f"tag:wtpf-21.ieg,2019:meeting-ieg-{n}" for n in (1, 2, 3)]
    assert len(set(ids)) == len(ids)


def test_feed_entries_link_to_their_pages_and_carry_content_dates(built):
    feed = feedparser.parse((built / "zh" / "feed.xml").read_bytes())
    draft3 = next(e for e in feed.entries if e.id.endswith("draft-3"))
    assert draft3.link.endswith("/zh/drafts/draft-3/")
    assert draft3.updated.startswith("2020-04-01")
    assert "草案第三稿" in draft3.title or "第三稿" in draft3.title
    assert feed.feed.language == "zh" or feed.feed.get("language") in (None, "zh")


def test_feed_entries_are_newest_first(built):
    feed = feedparser.parse((built / "en" / "feed.xml").read_bytes())
    updated = [e.updated for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
