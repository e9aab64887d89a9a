"""Watch mode's builds: what one process keeps between them, and what each leaves until the browsers have reloaded.

A build from the command line reads the build cache and the parse cache from disk, saves them again (deps.py,
parsecache.py), stamps the output (stamp.py) and runs Pagefind before it returns. On a large site that reading
and saving is most of a one-page rebuild, and on the real site Pagefind is. In watch mode:

- the process keeps the last build's cache record and parses in memory (`Session`), so the next build reads
  neither from disk, and the model of the site the last successful build made (`Kept.warm`), from which a save
  of Markdown pages is rebuilt without loading the site again (quick.py);
- a build that must make the search index again leaves the last index in place for the moment (the cache goes
  on recording which HTML it was made from: deps.Plan.stale_index);
- what is left (`Afterwards`): the new index, then the saving of both caches and of the stamp. It runs once the
  browsers have been told to reload, and stops early when a file changes meanwhile (the next build leaves its
  own).

Each thing saved is what a command-line build would have saved. A save that never happens (a change came first,
the server stopped) only means the next command-line build does more work: the caches on disk are older, never
wrong, because every record is checked against the files it names. The same holds for one kept in memory when
another process changed the output meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .heap import settle

if TYPE_CHECKING:
    from .build import BuildOptions
    from .config import SiteConfig
    from .deps import Cache
    from .quick import Warm

Cancelled = Callable[[], bool]


@dataclass
class Kept:
    """The last build's record, as it would have saved them."""
    cache: Cache
    parsed: dict  # the parse cache's entries (parsecache.ParseCache.entries)
    warm: Warm | None = None  # the build's model, for a quick rebuild after it (quick.py)


@dataclass
class Session:
    """What one watch-mode process keeps between its builds of one site, by cache folder."""
    _kept: dict[Path, Kept] = field(default_factory=dict)
    _saved_parses: dict[Path, frozenset] = field(default_factory=dict)  # keys of the parses last written

    def kept(self, cache_dir: Path) -> Kept | None:
        return self._kept.get(cache_dir)

    def keep(self, cache_dir: Path, cache: Cache, parsed: dict) -> Kept:
        kept = self._kept[cache_dir] = Kept(cache, parsed)
        return kept

    def warm_for(self, options: BuildOptions) -> Kept | None:
        """The record of the last build, when it kept its model for a quick rebuild with these options."""
        for kept in self._kept.values():
            if kept.warm is not None and kept.warm.options == options:
                return kept
        return None

    def has_model(self) -> bool:
        """Whether a quick rebuild could start from a kept model (`warm_for`, for the options it was made with)."""
        return any(kept.warm is not None for kept in self._kept.values())

    def forget_warm(self) -> None:
        for kept in self._kept.values():
            kept.warm = None

    def saved_parses(self, cache_dir: Path) -> frozenset | None:
        """The keys of the parses this session last wrote to the cache folder (None: none yet)."""
        return self._saved_parses.get(cache_dir)

    def parses_saved(self, cache_dir: Path, keys: frozenset) -> None:
        self._saved_parses[cache_dir] = keys


@dataclass(frozen=True)
class PendingIndex:
    """The search index a watch-mode build left to make: the output folder holds the new pages and the last
    index, which the cache still records as made from the HTML it was made from."""
    config: SiteConfig
    html: str  # the digest of the HTML outputs now in the output folder (deps.Plan.html_digest)
    outputs: tuple[str, ...]  # every output of the build, for the manifest


@dataclass
class Afterwards:
    """What a watch-mode build left to do once the browsers have been told to reload (see the module)."""
    kept: Kept
    index: PendingIndex | None
    save: Callable[[Kept, bool], None]  # writes the caches (and, when the bool says so, the stamp)
    indexed: bool = field(default=False, init=False)
    saved: bool = field(default=False, init=False)

    def run(self, cancelled: Cancelled = lambda: False) -> bool:
        """Make the index (when one is pending), then save; False when `cancelled()` turned true first (what is
        left is then for `finish`). ContentErrors when Pagefind cannot run (nothing is saved: the next build
        leaves the same work)."""
        if self.index is not None and not self.indexed:
            if not self._index(cancelled):
                return False
        if cancelled():
            return False
        self.finish()
        self.prepare_next()
        return True

    def prepare_next(self) -> None:
        """Make what the next build reads of this one's model (so the first quick rebuild finds it made), then
        settle the heap."""
        if self.kept.warm is not None:
            self.kept.warm.prepare(self.kept.cache)
        settle()

    def make_index(self) -> None:
        """Make the pending index now, not after a reload: the build daemon answers once the output is what a
        command-line build leaves (daemon.py). ContentErrors when Pagefind cannot run."""
        if self.index is not None and not self.indexed:
            self._index(lambda: False)

    def finish(self) -> None:
        """Save what the build kept in memory, without making a pending index (when the server stops)."""
        if not self.saved:
            self.save(self.kept, self.index is None or self.indexed)  # stamped once the index is current
            self.saved = True

    def finish_or_report(self, log: Callable[[str, bool], None]) -> bool:
        """`finish`, a failure reported to `log` instead of raised (a process that is stopping, or saving apart:
        the next build's save saves it all); whether it saved."""
        try:
            self.finish()
        except Exception as exc:  # noqa: BLE001 (reported; the caches on disk are only older)
            log(f"could not save the build caches: {type(exc).__name__}: {exc}", True)
            return False
        return True

    def _index(self, cancelled: Cancelled) -> bool:
        from .build import MANIFEST, write_manifest
        from .deps import with_index
        from .search import reindex

        config = self.index.config
        files = reindex(config, config.output_dir, cancelled)
        if files is None:
            return False
        self.kept.cache = with_index(self.kept.cache, config.output_dir, self.index.html, files)
        write_manifest(config.cache_dir / MANIFEST, list(self.index.outputs) + list(files))
        self.indexed = True
        return True
