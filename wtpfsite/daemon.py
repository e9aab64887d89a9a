"""The build daemon: a process that keeps one site loaded and makes the builds its `build` commands ask for.

A command-line build after a one-page edit of a large site spends most of its time starting Python, importing
the generator and reading its caches back (benchmarks/README.md). `python build.py daemon` starts a process that
keeps, between builds, what watch mode keeps (session.py: the build cache, the parses, the linked model). While
it runs, `python build.py build` with the same config file sends it its options and prints what it answers, so a
save of some Markdown sources is rebuilt as watch mode rebuilds it (quick.py), without loading the site again.

What the command prints, its exit status, the output folder (byte for byte), the caches and the stamp are what
the command would have made itself; only the time differs, and the summary line says who built. Content errors
are reported the same way, and the daemon goes on running.

How it knows what changed, without a file watcher: each build starts with a scan of the stat signatures (size,
mtime, ctime and inode: stamp.stat_key) of the files deps.FileHashes covers: the config file and every
file under the content and templates folders. The files whose signature differs from the last scan's, that
appeared or went, and those that were racy at the last scan (stamp.racy: changed too shortly before it for their
signature to be trusted), are the files the build is told changed. The scan is taken before the build reads
anything, so a save during a build is seen by the next.

What it checks before it trusts what it keeps:
- the code: the generator signature (stamp.generator_signature: the interpreter, sys.path, the package's source
  files) of the command must be the daemon's. When the package's sources changed since the daemon started, it
  declines and stops; when the command runs another interpreter or sys.path, it declines;
- the output folder, before a quick rebuild (which writes only the files it made again): it must be as the
  daemon's last build left it (stamp.output_state, taken after each build, and stamp.output_holds: every file's
  and folder's stat signature, and the entries and contents of those too recent for their signatures).
  Otherwise the kept model is dropped and a full incremental build follows, from the kept caches, which are
  checked against the files as in any build.

A command that the daemon declines, or that finds it gone mid-build, builds in its own process (and says why,
unless --quiet). `--no-cache` and `--no-daemon` builds never ask it.

The socket: a Unix socket in a folder only the user may use ($XDG_RUNTIME_DIR, else $TMPDIR, else /tmp; then
`wtpfsite-UID/`), named by a hash of the config file's path. The daemon answers only processes of its own user
(SO_PEERCRED, where the system has it). One request per connection, in JSON lines: the command's options; the
answers are what it prints, as it goes, then its exit status.

One build at a time: a command that asks while a build runs waits its turn. What a build leaves to do after it
(saving the caches and the stamp: session.Afterwards; loading the site after a build the stamp answered, so that
the next edit is a quick rebuild) waits until no command has come for QUIET_SECONDS, and the saving runs in a
forked process: builds asked one after another are not held up by it. A build asked before then, with nothing
changed, is answered from the daemon's own scan and output state, as the stamp would answer it. The daemon stops
on Ctrl-C or SIGTERM and on `build.py daemon --stop` (saving first), after --idle-minutes without a request,
when its socket is removed, and when the generator's code changed.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TextIO

from .client import PROTOCOL, Unsafe, connect, socket_path
from .errors import UsageError

if TYPE_CHECKING:
    from .build import BuildOptions, BuildResult
    from .quick import Warm
    from .session import Afterwards
    from .stamp import OutputState

CHECK_SECONDS = 2.0  # how often a waiting daemon looks at the clock and at its socket
QUIET_SECONDS = 0.5  # without a command for this long after a build, the daemon saves what it left
REQUEST_SECONDS = 10.0  # for a command to send its request once connected
BY_DAEMON = " (by the build daemon)"
_PRELOAD = ("build", "quick", "session", "deps", "stamp", "parsecache", "pages", "markdown", "fastmd", "data",
            "model", "render", "pagegen", "sections", "extras", "translations", "write", "calendar", "feeds")


# ------------------------------------------------------------------------------------------------ the daemon

@dataclass(frozen=True)
class _Scan:
    """The inputs' stat signatures (stamp.stat_key) at one time, and which were racy then."""
    signatures: dict[str, tuple[int, int, int, int, int]]
    racy: frozenset[str]

    @classmethod
    def take(cls, config_path: Path) -> _Scan | None:
        """None when the config file is unusable (the build reports why)."""
        from .config import load_config
        from .deps import files_under
        from .errors import ErrorList
        from .stamp import RACY_NS, racy, stat_key

        config = load_config(config_path, ErrorList(config_path.parent))
        if config is None:
            return None
        started_ns = time.time_ns()
        recent = started_ns - RACY_NS  # (older than this: not racy by either rule of stamp.racy)
        signatures, racy_files = {}, set()
        paths = [str(config.path)]
        for root in (config.content_dir, config.templates_dir):
            paths.extend(files_under(str(root)))
        for path in paths:
            try:
                info = os.stat(path)
            except OSError:
                continue
            signatures[path] = stat_key(info)
            newest = max(info.st_mtime_ns, info.st_ctime_ns)
            if newest >= recent and racy(newest, started_ns):
                racy_files.add(path)
        return cls(signatures, frozenset(racy_files))

    def changed_since(self, before: _Scan) -> frozenset[Path]:
        old, new = before.signatures, self.signatures
        paths = set(before.racy)
        if old != new:  # (compared in C: mostly one file differs, if any)
            paths.update(path for path in old.keys() | new.keys() if old.get(path) != new.get(path))
        return frozenset(Path(path) for path in paths)


class _Answer:
    """A text stream whose writes go to the command as messages (`name`: out or err). A command that went away
    does not stop the build."""

    def __init__(self, connection: socket.socket, name: str) -> None:
        self.connection, self.name = connection, name
        self.gone = False

    def send(self, message: dict) -> None:
        if self.gone:
            return
        try:
            self.connection.sendall(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
        except OSError:
            self.gone = True

    def write(self, text: str) -> int:
        if text:
            self.send({self.name: text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class Daemon:
    """The resident builder of one site (see the module's docstring)."""

    def __init__(self, config_path: Path, log: Callable[[str, bool], None]) -> None:
        import importlib

        from .deps import compute_generator_id
        from .session import Session
        from .stamp import generator_key, generator_signature

        self.config_path = config_path.resolve()
        self.log = log
        for name in _PRELOAD:  # what a build imports: imported once, and the code the generator id is made from
            importlib.import_module(f"{__package__}.{name}")
        self.session: Session = Session()
        self._generator = compute_generator_id()
        self._trusted_key = generator_key(generator_signature(), time.time_ns())  # None: racy
        self._scan: _Scan | None = None
        self._options: BuildOptions | None = None  # of the last build
        self._output: OutputState | None = None  # the output folder as the last build left it
        self._afterwards: Afterwards | None = None
        self._warm_up: BuildOptions | None = None
        self._saving: tuple[int, Afterwards] | None = None  # the process saving apart, and what it saves
        self.stale = self.stopping = False

    # ---------------------------------------------------------------------------------------- one request

    def serve(self, connection: socket.socket) -> None:
        """Answer one connection (what the build left is for `when_quiet`)."""
        if not _same_user(connection):
            return
        connection.settimeout(REQUEST_SECONDS)
        try:
            with connection.makefile("rb") as lines:
                request = json.loads(lines.readline())
        except (OSError, ValueError):
            return
        connection.settimeout(None)
        out, err = _Answer(connection, "out"), _Answer(connection, "err")
        if not isinstance(request, dict) or request.get("protocol") != PROTOCOL:
            out.send({"declined": "it speaks another protocol (another version of the generator)"})
            return
        if request.get("op") == "stop":
            self.stopping = True
            self.finish()
            return  # the command sees the connection close once what the daemon kept is saved
        why = self._declines(request)
        options = _options(request, self.config_path) if why is None else None
        if options is None:
            out.send({"declined": why or "the request is malformed"})
            return
        status = self._build(options, request, out, err)
        out.send({"exit": status})
        connection.close()
        if self._output is None:  # the build may have changed it
            self._output = self._output_state()

    def _declines(self, request: dict) -> str | None:
        from .stamp import Untrusted, generator_key, generator_signature

        try:
            signature = generator_signature()
        except (Untrusted, OSError):
            return "it cannot tell whether the generator changed"
        mine = signature.digest()
        if mine != self._trusted_key:
            from .deps import compute_generator_id

            if compute_generator_id() != self._generator:
                self.stale = True
                return "the generator's code changed since it started (it stops now: start it again)"
            self._trusted_key = generator_key(signature, time.time_ns())
        if request.get("generator") != mine:
            return "the command runs another Python, or another copy of the generator, than the daemon"
        if isinstance(request.get("config"), str) and Path(request["config"]) != self.config_path:
            return f"it builds the site of {self.config_path}"
        return None

    def _build(self, options: BuildOptions, request: dict, out: _Answer, err: _Answer) -> int:
        from .cli import guarded, progress_printer, report_build

        quiet = request["quiet"]

        def run() -> int:
            started = time.perf_counter()
            result = self._make(options, progress_printer(quiet, err, request["terminal"]))
            result = replace(result, seconds=time.perf_counter() - started)
            report_build(result, quiet, out, err, BY_DAEMON)
            self._log_build(result)
            return 0

        status = guarded("build", request["debug"], run, err)
        if status == 130:  # Ctrl-C or SIGTERM in the daemon, during the build
            self.stopping = True
        elif status:
            self.log(f"build failed (exit status {status}); see the command's messages", True)
        return status

    def _make(self, options: BuildOptions, progress) -> BuildResult:
        """The build, as the command line makes it, from what the daemon keeps."""
        from .build import build
        from .stamp import output_holds
        from .write import finish_removals

        scan, before = _Scan.take(options.config_path), self._scan
        self._scan = scan
        seen = scan is not None and before is not None  # what changed since the last build is known
        changed = scan.changed_since(before) if seen else frozenset()
        kept = self.session.warm_for(options)
        if kept is not None and (self._output is None or not output_holds(self._output)):
            self.session.forget_warm()  # the output folder is not as the last build left it: no quick rebuild
            kept = None
        if kept is not None and seen and not changed:
            return self._unchanged(kept.warm)
        held, self._output = self._output if kept is not None else None, None  # (None: taken again after the build)
        self._warm_up = None
        result = build(options, progress, session=self.session, changed=changed)
        if result.afterwards is not None:
            self._afterwards = result.afterwards  # supersedes one put off (session.py)
            result.afterwards.make_index()  # the command returns once the output is complete
        finish_removals()  # and the output folder a full build replaced is gone, as when the command returns
        if result.unchanged and self.session.warm_for(options) is None:
            self._warm_up = options
        self._options = options
        if held is not None and result.quick and (result.afterwards is None or result.afterwards.index is None):
            self._output = self._output_after(held, result)  # (a new search index: the whole folder again)
        return result

    def _output_after(self, held: OutputState, result: BuildResult) -> OutputState | None:
        """The output state after a quick rebuild, from the one that held before it and the files it made."""
        from .stamp import output_state_after

        kept = self.session.warm_for(self._options)
        if kept is None:
            return None
        return output_state_after(held, [output.path for output in result.outputs],
                                  kept.cache.output_hashes())

    def _unchanged(self, warm: Warm) -> BuildResult:
        """Nothing changed since the last build, which kept its model for these options, and the output folder is
        as it left it: what the build stamp would answer (stamp.check), known without it (the last build's stamp
        may not be saved yet)."""
        from .build import unchanged_result

        return unchanged_result(warm.site.config.output_dir, warm.pages, len(warm.outputs), time.perf_counter())

    def has_work(self) -> bool:
        """Whether the last build left something for `when_quiet`."""
        return self._afterwards is not None or self._warm_up is not None

    def when_quiet(self) -> None:
        """What the last build left, once no command has come for a while: save its caches and stamp; load the
        site after a build the stamp answered. Put off while commands come one after another: a later build's save
        supersedes an earlier one's, as in watch mode (session.py), and the caches on disk are only older until
        then, never wrong."""
        from .build import build

        try:
            if self._afterwards is not None:
                afterwards, self._afterwards = self._afterwards, None
                self._save_apart(afterwards)
            if self._warm_up is not None:
                options, self._warm_up = self._warm_up, None
                result = build(options, session=self.session, use_stamp=False)
                self._output = self._output_state()
                if result.afterwards is not None:
                    self._save_apart(result.afterwards)
        except Exception as exc:  # noqa: BLE001 (a content error or a bug: the next build reports it again)
            self._afterwards = self._warm_up = None
            self.log(f"after the build: {type(exc).__name__}: {exc}", True)

    def _save_apart(self, afterwards: Afterwards) -> None:
        """Save the caches and the stamp in a forked process, which has the daemon's memory as it is now: on a
        large site saving takes a second or more (the parse cache's shards, the build cache, the stamp's scans),
        and the daemon answers the next command meanwhile. Saves run one at a time, in order. What the next build
        writes meanwhile (the output folder) the stamp sees as changed, and the next save stamps it."""
        from .write import finish_removals

        self.reap(wait=True)
        finish_removals()  # no thread of this process runs while it forks
        afterwards.prepare_next()  # (the heap settled before the fork: the child's reads touch fewer pages)
        pid = os.fork()
        if pid == 0:  # the child: save, then leave without running anything of the parent's, whatever happens
            status = 1
            try:
                os.nice(10)  # the daemon's next build, and the command waiting for it, come first
                status = 0 if afterwards.finish_or_report(self.log) else 1
            finally:
                os._exit(status)
        self._saving = (pid, afterwards)

    def reap(self, wait: bool = False) -> None:
        """Take note of the save running apart, when it has ended (`wait`: wait until it has)."""
        if self._saving is None:
            return
        pid, afterwards = self._saving
        done, status = os.waitpid(pid, 0 if wait else os.WNOHANG)
        if done == 0:
            return
        self._saving = None
        if os.waitstatus_to_exitcode(status) == 0:
            afterwards.saved = True
            warm = afterwards.kept.warm
            if warm is not None:  # as the save records it in the child (build.saver)
                self.session.parses_saved(warm.site.config.cache_dir, frozenset(afterwards.kept.parsed))

    def _output_state(self) -> OutputState | None:
        """The output folder as the last build left it, when it kept its model (for a quick rebuild next)."""
        from .stamp import output_state

        kept = self.session.warm_for(self._options) if self._options is not None else None
        if kept is None:
            return None
        return output_state(kept.warm.site.config.output_dir, kept.cache.output_hashes())

    def finish(self) -> None:
        """Save what the last build left, if that was cut short (the daemon is stopping)."""
        self.reap(wait=True)
        if self._afterwards is not None:
            self._afterwards.finish_or_report(self.log)
            self._afterwards = None

    def _log_build(self, result: BuildResult) -> None:
        how = "nothing changed" if result.unchanged else "quick rebuild" if result.quick else "build"
        self.log(f"{how}: rendered {result.rendered}, reused {result.reused} in {result.seconds:.3f} s", False)


_FIELDS = {"config": str, "today": str, "out": (str, type(None)), "base_url": (str, type(None)), "jobs": int,
           "quiet": bool, "debug": bool, "terminal": bool}


def _options(request: dict, config_path: Path) -> BuildOptions | None:
    """The build options a well-formed request asks for; None when it is malformed."""
    from .build import BuildOptions

    if any(not isinstance(request.get(name), kind) for name, kind in _FIELDS.items()):
        return None
    try:
        today = date.fromisoformat(request["today"])
    except ValueError:
        return None
    out = Path(request["out"]) if request["out"] is not None else None
    return BuildOptions(config_path, today, out, request["base_url"], request["jobs"])


def _same_user(connection: socket.socket) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # the socket's folder is the user's own (see socket_path)
    import struct

    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


# ------------------------------------------------------------------------------------------------ running it

def run_daemon(config_path: Path, idle_seconds: float, quiet: bool, out: TextIO, err: TextIO) -> int:
    """`build.py daemon`: serve the site's builds until stopped (see the module's docstring)."""
    import signal

    if not hasattr(socket, "AF_UNIX"):
        raise UsageError("the build daemon needs Unix sockets, which this system does not have")
    if idle_seconds < 0:
        raise UsageError("--idle-minutes must be 0 (never stop) or more")

    def log(message: str, error: bool) -> None:
        if error or not quiet:
            print(f"[{time.strftime('%H:%M:%S')}] {message}", file=err if error else out, flush=True)

    try:
        path = socket_path(config_path, create=True)
    except (Unsafe, OSError) as exc:
        raise UsageError(f"no place for the daemon's socket: {exc}") from None
    daemon = Daemon(config_path, log)
    listener = _listen(path)
    identity = os.stat(path).st_ino

    def terminate(*_) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    log(f"build daemon of {daemon.config_path} ready: `build.py build` of this config is built here; "
        f"stop it with Ctrl-C or `build.py daemon --stop`", False)
    try:
        _loop(daemon, listener, path, identity, idle_seconds, log)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        daemon.finish()
        listener.close()
        if _is(path, identity):
            os.unlink(path)
    log("build daemon stopped", False)
    return 0


def _listen(path: str) -> socket.socket:
    if os.path.lexists(path):
        try:
            connect(path).close()
        except OSError:  # left by a daemon that was killed
            os.unlink(path)
        else:
            raise UsageError("a build daemon already runs for this site (stop it with `build.py daemon --stop`)")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)  # the socket is the user's only from the start
    try:
        listener.bind(path)
    finally:
        os.umask(mask)
    listener.listen(16)
    return listener


def _is(path: str, identity: int) -> bool:
    try:
        return os.lstat(path).st_ino == identity
    except OSError:
        return False


def _loop(daemon: Daemon, listener: socket.socket, path: str, identity: int, idle_seconds: float,
          log: Callable[[str, bool], None]) -> None:
    last = time.monotonic()
    while True:
        listener.settimeout(QUIET_SECONDS if daemon.has_work() else CHECK_SECONDS)
        try:
            connection, _ = listener.accept()
        except socket.timeout:
            daemon.reap()
            if daemon.has_work():
                daemon.when_quiet()
            elif idle_seconds and time.monotonic() - last > idle_seconds:
                log(f"no build for {idle_seconds / 60:g} minutes: stopping", False)
                return
            elif not _is(path, identity):
                log(f"its socket {path} was removed: stopping", False)
                return
            continue
        with connection:
            try:
                daemon.serve(connection)
            except Exception as exc:  # noqa: BLE001 (a bug in the daemon: the command builds itself; go on)
                log(f"internal error: {type(exc).__name__}: {exc}", True)
        last = time.monotonic()
        if daemon.stale:
            log("the generator's code changed since the daemon started: stopping (start it again)", True)
            return
        if daemon.stopping:
            log("asked to stop", False)
            return
