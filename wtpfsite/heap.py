"""Python's cycle collector and the build's large, long-lived heap.

A build makes hundreds of thousands of objects that live until it ends and form no cycles: the parses
read from the cache, the data files' records, the linked site. While they are made, every collection of
the oldest generation scans all of them again and finds nothing: at 2,000 pages that was more than half
the time of reading the parse cache, and a third of a command-line rebuild after a one-page edit. So:

- `cycle_collector_paused` around making them: garbage is still freed when its last reference goes,
  and cycles are collected after the pause;
- frozen once they are made (`keep=True`, or `freeze`): later collections (the render stage makes
  short-lived garbage) scan only what is new; the first collection after the pause would otherwise scan
  them all. Freezing also keeps forked workers (parallel.py) from writing to the pages they share with
  the parent, which a collection in the child would do (the use the gc module's documentation gives);
- `settle` after a watch-mode build: collect what the builds so far left, then freeze what is alive.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def cycle_collector_paused(keep: bool = False) -> Iterator[None]:
    """Pause the cycle collector while many objects that form no cycles are made; `keep`: they live as long as
    the build, so freeze them (and all else alive) when the pause ends. Nested pauses leave the collector to
    the outer one."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if keep:
                gc.freeze()
            gc.enable()


def freeze() -> None:
    """Move every object alive now out of the cycle collector's sight (still freed by reference counting)."""
    gc.freeze()


def in_forked_worker() -> None:
    """A worker forked during a pause (the parse workers start while the load stage runs) collects its own
    garbage all the same: the pause is for the parent's long-lived objects, not for what a worker makes and
    drops (without this, the parse workers at 10,000 pages grew by a third)."""
    gc.enable()


def settle() -> None:
    """Collect the garbage the builds so far left, then freeze what is alive (the kept caches, the modules, the
    compiled templates) out of the cycle collector's sight. The next build's collections then scan only what it
    makes: with a large site kept in memory, a full collection that happens to fall inside a build took a
    quarter of a second of a one-page rebuild. The full collection runs here, after the reload, instead; frozen
    objects are still freed by reference counting, and the next call collects any cycles among them."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
