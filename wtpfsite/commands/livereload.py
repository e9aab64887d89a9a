"""Live reload: one build at a time (`Coordinator`), its outcome pushed to the browsers by Server-Sent Events,
and the script every served page gets, which reloads it, swaps its stylesheets, or shows the build's errors."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ..base.errors import HELD_BACK, ContentErrors
from ..base.plural import counted
from ..pipeline.build import Progress

EVENTS_URL, STATUS_URL = "/__wtpfsite/events", "/__wtpfsite/status"
WAIT_SECONDS = 30.0  # longest a request waits for a running rebuild

# livereload.js, injected before </body> of every HTML response. __GENERATION__ and __SERVER__ (the build and the
# run of the server the page was served from) are filled in per page; the other placeholders are filled in here.
LIVE_RELOAD_JS = (Path(__file__).with_name("livereload.js").read_text("utf-8")
                  .replace("__EVENTS__", EVENTS_URL).replace("__HELD__", HELD_BACK).replace("__STATUS__", STATUS_URL))


@dataclass(frozen=True)
class State:
    seq: int = 0  # grows with every finished build; browsers ignore older news
    generation: int = 0  # grows with every successful build
    errors: tuple[str, ...] = ()
    css_only: bool = False  # the last successful build changed only stylesheets
    server: str = ""  # this run of the server: a page served by another (before a restart) reloads
    index: int = 0  # grows each time the search index is made again after a build: the search page reloads


def inject(html: bytes, state: State) -> bytes:
    """The page, served in `state`, with the live-reload script before its last </body> (or at the end)."""
    script = LIVE_RELOAD_JS.replace("__GENERATION__", str(state.generation)).replace("__SERVER__", state.server) \
        .replace("__INDEX__", str(state.index))
    script = f"<script>{script}</script>\n".encode()
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


class Coordinator:
    """Runs one build at a time, keeps its outcome, and wakes the requests waiting for it or for news of it."""

    def __init__(self, run_build: Callable[[Progress | None, frozenset[Path]], object],
                 css_only: Callable[[frozenset[Path]], bool], log: Callable[[str, bool], None],
                 after: Callable[[object], bool] | None = None):
        """`after(result)`: what to do once the browsers were told of a build that succeeded; True when it made
        the search index again (the browsers are told that too)."""
        self._run_build, self._css_only, self._log, self._after = run_build, css_only, log, after
        self._build_lock = threading.Lock()
        self._cond = threading.Condition()
        self._busy = self._closed = False
        self.state = State(server=f"{os.getpid()}-{time.time_ns()}")

    def wait_ready(self, timeout: float = WAIT_SECONDS) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy, timeout)

    def news(self, seq: int, timeout: float) -> State | None:
        """The state once it is newer than `seq`, or after `timeout` the same again; None once the server stops."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self.state.seq != seq, timeout)
            return None if self._closed else self.state

    def rebuild(self, changed: frozenset[Path] = frozenset(), progress: Progress | None = None) -> State:
        with self._build_lock:  # (so the only writer of `state`: its waiters see it when notified)
            with self._cond:
                self._busy = True
            started = time.perf_counter()
            try:
                result, errors = _attempt(self._run_build, progress, changed)  # (Ctrl-C in the first build: raised)
                old = self.state
                css = not errors and not old.errors and self._css_only(changed)
                self.state = state = (replace(old, seq=old.seq + 1, errors=errors) if errors else
                                      replace(old, seq=old.seq + 1, generation=old.generation + 1, errors=(),
                                              css_only=css))
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
            self._report(state, changed, time.perf_counter() - started)
            if self._after is not None and not errors:
                remade, problems = _attempt(self._after, result, bug="internal error after the build")
                for line in problems if not self._closed else ():  # (Ctrl-C also stops Pagefind: not a problem)
                    self._log(line, True)
                if remade:
                    with self._cond:
                        self.state = state = replace(self.state, seq=self.state.seq + 1, index=self.state.index + 1)
                        self._cond.notify_all()
        return state

    def _report(self, state: State, changed: frozenset[Path], seconds: float) -> None:
        for message in state.errors:
            self._log(message, True)
        if state.errors:
            count = len([line for line in state.errors if HELD_BACK not in line])
            self._log(f"{counted(count, 'error', 'errors')}; still serving the last good build", True)
        else:
            names = ", ".join(sorted(p.name for p in changed)[:3]) + (" ..." if len(changed) > 3 else "")
            self._log(f"built in {seconds:.2f} s" + (f" ({names})" if names else ""), False)

    def close(self) -> None:
        """Ends the browsers' event streams; what a build still running reports after it is not logged."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def _attempt(call: Callable[..., object], *args: object, bug: str = "internal error") -> tuple[object, tuple[str, ...]]:
    """`call(*args)` and no errors, or None and the lines of the errors it raised (a bug's too: serving goes on)."""
    try:
        return call(*args), ()
    except ContentErrors as exc:
        return None, tuple(exc.lines())
    except Exception as exc:  # a bug in the generator
        return None, (f"{bug}: {type(exc).__name__}: {exc}",)
