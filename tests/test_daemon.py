"""The build daemon (wtpfsite/daemon.py): `build.py daemon` keeps a site loaded, and `build.py build` of that site
has it make the build. What the command prints, its exit status and the output folder must be the command's own
build's, whatever changed in between, and whoever changed it; what the daemon cannot vouch for it declines, and
the command builds itself.

Every test runs the real processes: the daemon and each command as `python build.py ...`, with a socket folder of
their own (XDG_RUNTIME_DIR), so that they never meet a daemon of the developer's.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import FIXTURE_TODAY, PYTHON, ROOT, FixtureSite, tree_files
from test_incremental import DATA_MARKERS, actions, apply

pytestmark = pytest.mark.skipif(not hasattr(__import__("socket"), "AF_UNIX"), reason="needs Unix sockets")

BY = " (by the build daemon)\n"
ABOUT = "content/pages/about.en.md"




class Running:
    """`build.py daemon` for a site, as a process of its own; its messages go to a file."""

    def __init__(self, config: Path, env: dict[str, str], *extra: str, source: Path = ROOT):
        self.config, self.env, self.source = config, env, source
        self.log = config.parent.parent / f"daemon-{time.time_ns()}.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([PYTHON, str(source / "build.py"), "daemon", "--config", str(config),
                                             *extra], env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        self.wait_for("ready")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            assert self.process.poll() is None or text in self.text(), f"the daemon exited:\n{self.text()}"
            assert time.monotonic() < deadline, f"no {text!r} from the daemon:\n{self.text()}"
            time.sleep(0.02)

    def text(self) -> str:
        return self.log.read_text("utf-8")

    def lines(self, word: str) -> list[str]:
        return [line for line in self.text().splitlines() if word in line]

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        return self.text()


class Site(FixtureSite):
    """The fixture, with a daemon and the commands that ask it."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        # the sockets' folder: short enough for a socket's path, which a pytest folder may not be
        self.runtime = Path(tempfile.mkdtemp(prefix="wtpf-", dir="/tmp"))
        self.env = os.environ | {"PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(self.runtime)}
        self.daemon: Running | None = None

    def sockets(self) -> list[Path]:
        return sorted(self.runtime.rglob("*.sock"))

    def close(self) -> None:
        if self.daemon is not None:
            self.daemon.stop()
        shutil.rmtree(self.runtime, ignore_errors=True)

    def start(self, *extra: str) -> Running:
        self.daemon = Running(self.config, self.env, *extra)
        return self.daemon

    def command(self, *extra: str, env: dict | None = None, source: Path = ROOT) -> subprocess.CompletedProcess:
        return subprocess.run([PYTHON, str(source / "build.py"), "build", "--config", str(self.config),
                               "--today", FIXTURE_TODAY.isoformat(), *extra], env=env or self.env,
                              capture_output=True, text=True, timeout=300)

    def stop_daemon(self) -> subprocess.CompletedProcess:
        return subprocess.run([PYTHON, str(ROOT / "build.py"), "daemon", "--stop", "--config", str(self.config)],
                              env=self.env, capture_output=True, text=True, timeout=60)

    def clean_command(self) -> tuple[subprocess.CompletedProcess, dict[str, bytes]]:
        """A build of a copy of the site's inputs by a command of its own, and its output."""
        copy = self.folder / "clean"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(self.root, copy, ignore=shutil.ignore_patterns("output", ".wtpfsite-cache"))
        result = subprocess.run([PYTHON, str(ROOT / "build.py"), "build", "--config", str(copy / "site_config.yaml"),
                                 "--today", FIXTURE_TODAY.isoformat(), "--no-daemon"], env=self.env,
                                capture_output=True, text=True, timeout=300)
        return result, tree_files(copy / "output")

    def assert_clean(self) -> None:
        expected, actual = self.built_copy(), tree_files(self.output)
        different = sorted(p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p))
        assert not different, f"the output differs from a clean build in: {different}"


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def counts(result: subprocess.CompletedProcess) -> str:
    """What the summary line says but the time and who built."""
    return result.stdout.split(" in ")[0] + result.stdout.split(" s:")[1].replace(BY, "\n")


def test_the_daemon_makes_the_commands_build_and_a_saved_page_quickly(site, tmp_path):
    twin = Site(tmp_path / "twin")  # the same site and edit, built by commands of their own
    daemon = site.start()
    first, own = site.command(), twin.command()
    assert first.returncode == 0 and first.stderr == ""
    assert first.stdout.startswith("built ") and first.stdout.endswith(BY)
    assert counts(first) == counts(own)
    site.assert_clean()
    edit = lambda text: text.replace("advises on the drafting", "advises on every draft")  # noqa: E731
    site.edit(ABOUT, edit)
    twin.edit(ABOUT, edit)
    saved, own = site.command(), twin.command()
    assert saved.returncode == 0 and saved.stdout.endswith(BY) and counts(saved) == counts(own)
    assert len(daemon.lines("quick rebuild")) == 1
    site.assert_clean()
    nothing = site.command("--quiet")
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, "", "")
    assert len(daemon.lines("nothing changed")) == 1
    # what the daemon saved (caches, stamp) is what the command would have: the next build of its own finds
    # nothing to do, and says so as the daemon did, but for who built
    site.stop_daemon()
    daemon.process.wait(timeout=60)
    assert "asked to stop" in daemon.text()
    own = site.command()
    assert own.returncode == 0 and own.stderr == ""
    twin.close()
    total = saved.stdout.split()[1]
    assert own.stdout.split(" in ")[0] == saved.stdout.split(" in ")[0]
    assert own.stdout.endswith(f": rendered 0, reused {total}\n")


def test_the_caches_are_saved_once_no_command_comes_and_serve_the_commands_own_builds(site):
    """The save runs apart (a forked process) half a second after the last command; a daemon killed after it has
    lost nothing: the command's own build finds its stamp and caches."""
    daemon = site.start()
    assert site.command().returncode == 0
    site.edit(ABOUT, lambda text: text + "\nOne more line.\n")
    saved = site.command()
    assert saved.returncode == 0 and daemon.lines("quick rebuild")
    stamp = site.root / ".wtpfsite-cache" / "stamp.json"
    deadline = time.monotonic() + 30
    while not (stamp.exists() and stamp.stat().st_mtime > site.path(ABOUT).stat().st_mtime):
        assert time.monotonic() < deadline, "no stamp saved after the quick rebuild"
        time.sleep(0.05)
    time.sleep(0.2)  # (the stamp is the save's last file)
    daemon.process.kill()
    daemon.process.wait(timeout=60)
    own = site.command()
    total = saved.stdout.split()[1]
    assert own.returncode == 0 and own.stdout.endswith(f": rendered 0, reused {total}\n")
    site.assert_clean()


def test_content_errors_are_reported_as_the_command_reports_them_and_the_daemon_goes_on(site):
    daemon = site.start()
    assert site.command().returncode == 0
    before = tree_files(site.output)
    site.edit(ABOUT, lambda text: text + "\nSee [the plan](plan.md) and [more](../nowhere.md).\n")
    asked, own = site.command(), site.command("--no-daemon")
    assert asked.returncode == own.returncode == 1
    assert asked.stdout == own.stdout == ""
    assert asked.stderr == own.stderr and asked.stderr.count("there is no such page") == 2
    assert asked.stderr.startswith("content/pages/about.en.md:")
    assert tree_files(site.output) == before  # nothing written
    site.edit(ABOUT, lambda text: text.replace("[the plan](plan.md)", "the plan").replace("[more](../nowhere.md)",
                                                                                           "more"))
    fixed = site.command()
    assert fixed.returncode == 0 and fixed.stdout.endswith(BY)
    assert daemon.process.poll() is None
    site.assert_clean()


def test_an_output_folder_changed_by_another_hand_is_made_whole_again(site):
    site.start()
    assert site.command().returncode == 0
    pages = sorted(site.output.rglob("*.html"))
    pages[0].unlink()
    pages[1].write_text("changed by hand", "utf-8")
    site.edit(ABOUT, lambda text: text + "\nOne more line.\n")  # a save a quick rebuild would take
    assert site.command().returncode == 0
    assert site.daemon.lines("quick rebuild") == []
    site.assert_clean()
    # and by a build of the command's own, in between
    site.edit(ABOUT, lambda text: text + "\nAnd another.\n")
    assert site.command("--no-daemon").returncode == 0
    shutil.rmtree(site.output / "zh")
    site.edit(ABOUT, lambda text: text + "\nAnd a third.\n")
    assert site.command().returncode == 0
    site.assert_clean()


def test_saves_in_quick_succession_are_all_seen(site):
    daemon = site.start()
    assert site.command().returncode == 0
    for n in range(6):  # each build asked for at once after the save, while the daemon may still be saving
        site.edit(ABOUT, lambda text: text + f"\nLine {n}.\n")
        assert site.command().returncode == 0
    site.assert_clean()
    assert len(daemon.lines("quick rebuild")) >= 1


def test_other_changes_get_the_full_build(site):
    daemon = site.start()
    assert site.command().returncode == 0
    for change in (lambda: site.edit("templates/page.html", lambda t: t.replace("{% block content %}",
                                                                                "{% block content %}<!-- x -->")),
                   lambda: site.edit(DATA_MARKERS[0][0], lambda t: t.replace(DATA_MARKERS[0][1],
                                                                             DATA_MARKERS[0][1] + " Jr")),
                   lambda: (site.path("content/pages/new.en.md")
                            .write_text("---\ntitle: New\n---\nA new page.\n", "utf-8")),
                   lambda: site.path("content/pages/new.en.md").unlink(),
                   lambda: site.edit("site_config.yaml", lambda t: t.replace("base_url:", "base_url: ", 1))):
        change()
        result = site.command()
        assert result.returncode == 0 and result.stdout.endswith(BY), result.stderr
        site.assert_clean()
    assert daemon.lines("quick rebuild") == []


def test_other_options_are_built_as_asked(site, tmp_path):
    site.start()
    assert site.command().returncode == 0
    other = tmp_path / "elsewhere"
    result = site.command("--out", str(other), "--base-url", "https://example.net/wtpf/")
    assert result.returncode == 0 and result.stdout.endswith(BY)
    assert tree_files(other) == site.built_copy(base_url="https://example.net/wtpf/")
    assert site.command("--today", "2021-01-01").returncode == 0
    assert tree_files(site.output) == site.built_copy(today=FIXTURE_TODAY.replace(year=2021, month=1, day=1))


def test_a_command_of_another_python_path_is_declined_and_builds_itself(site, tmp_path):
    site.start()
    other = site.env | {"PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    result = site.command(env=other)
    assert result.returncode == 0 and not result.stdout.endswith(BY)
    assert result.stderr.startswith("build daemon: declined: the command runs another Python")
    assert result.stderr.endswith("; building in this process\n")
    quiet = site.command("--quiet", env=other)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    site.assert_clean()


def test_a_daemon_whose_generator_changed_declines_and_stops(site, tmp_path):
    source = tmp_path / "generator"
    source.mkdir()
    shutil.copy2(ROOT / "build.py", source / "build.py")
    shutil.copytree(ROOT / "wtpfsite", source / "wtpfsite", ignore=shutil.ignore_patterns("__pycache__"))
    env = site.env | {"PYTHONPATH": str(source)}
    site.daemon = daemon = Running(site.config, env, source=source)
    assert site.command(env=env, source=source).stdout.endswith(BY)
    with open(source / "wtpfsite" / "urls.py", "a", encoding="utf-8") as module:
        module.write("\n# an edit of the generator\n")
    result = site.command(env=env, source=source)
    assert result.returncode == 0 and not result.stdout.endswith(BY)
    assert "build daemon: declined: the generator's code changed since it started" in result.stderr
    assert daemon.process.wait(timeout=60) == 0
    assert "start it again" in daemon.text()
    site.assert_clean()


def test_without_a_daemon_the_command_builds_itself_silently(site):
    assert site.command().stderr == ""
    daemon = site.start()
    assert len(site.sockets()) == 1
    stop = site.stop_daemon()
    assert stop.returncode == 0 and stop.stdout == f"stopped the build daemon of {site.config}\n"
    assert daemon.process.wait(timeout=60) == 0
    assert site.sockets() == []
    result = site.command()
    assert result.returncode == 0 and result.stderr == "" and not result.stdout.endswith(BY)
    again = site.stop_daemon()
    assert again.returncode == 0 and again.stdout == f"no build daemon runs for {site.config}\n"


def test_a_killed_daemons_socket_is_passed_over_and_replaced(site):
    daemon = site.start()
    daemon.process.kill()
    daemon.process.wait(timeout=60)
    sockets = site.sockets()
    assert len(sockets) == 1  # left behind
    result = site.command()
    assert result.returncode == 0 and result.stderr == "" and not result.stdout.endswith(BY)
    site.start()
    assert site.command().stdout.endswith(BY)


def test_one_daemon_per_site(site):
    site.start()
    second = subprocess.run([PYTHON, str(ROOT / "build.py"), "daemon", "--config", str(site.config)], env=site.env,
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert second.stderr == ("build.py daemon: error: a build daemon already runs for this site (stop it with "
                             "`build.py daemon --stop`)\n")
    assert site.command().stdout.endswith(BY)  # the first one still answers


def test_a_socket_folder_others_may_enter_is_not_used(site):
    folder = site.runtime / f"wtpfsite-{os.getuid()}"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    refused = subprocess.run([PYTHON, str(ROOT / "build.py"), "daemon", "--config", str(site.config)],
                             env=site.env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert refused.stderr == (f"build.py daemon: error: no place for the daemon's socket: {folder} is not a folder "
                              f"that only you may use\n")
    result = site.command()
    assert result.returncode == 0 and result.stderr == ""


def test_a_negative_idle_time_is_a_usage_error(site):
    result = subprocess.run([PYTHON, str(ROOT / "build.py"), "daemon", "--config", str(site.config),
                             "--idle-minutes", "-1"], env=site.env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (2, "build.py daemon: error: --idle-minutes must be 0 (never stop) "
                                                     "or more\n")
    assert site.sockets() == []


def test_an_idle_daemon_stops_and_sigterm_stops_one(site):
    idle = site.start("--idle-minutes", "0.01")
    assert len(site.sockets()) == 1
    assert idle.process.wait(timeout=30) == 0
    assert "no build for 0.01 minutes: stopping" in idle.text()
    assert site.sockets() == []
    daemon = site.start()
    assert site.command().returncode == 0 and len(site.sockets()) == 1
    daemon.process.send_signal(signal.SIGTERM)
    assert daemon.process.wait(timeout=60) == 0
    assert daemon.text().rstrip().endswith("build daemon stopped")
    assert site.sockets() == []


def test_malformed_requests_are_declined_and_the_daemon_goes_on(site, monkeypatch):
    import json

    from wtpfsite.client import connect, socket_path

    site.start()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(site.runtime))
    path = socket_path(site.config)
    answers = []
    for raw in (b"not json\n", b"[1, 2]\n", b'{"protocol": 99, "op": "build"}\n', b'{"protocol": 1, "op": "x"}\n',
                b'{"protocol": 1, "op": "build", "today": "2020-13-45", "jobs": "many"}\n', b""):
        with connect(path) as connection:
            connection.sendall(raw)
            connection.shutdown(1)
            answers.append(connection.makefile("rb").read())
    assert answers[0] == answers[-1] == b""  # not a request: nothing said
    for answer in answers[1:-1]:
        assert list(json.loads(answer)) == ["declined"], answer
    assert site.command().stdout.endswith(BY)


def test_a_daemon_that_goes_away_before_it_answers_leaves_the_command_to_build(site, monkeypatch):
    """A stand-in for a daemon that dies mid-build: it reads the request, says a line, and closes."""
    import socket
    import threading

    from wtpfsite.client import socket_path

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(site.runtime))
    path = socket_path(site.config, create=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def answer_and_die() -> None:
        connection, _ = listener.accept()
        with connection, connection.makefile("rb") as request:
            request.readline()
            connection.sendall(b'{"err": "rendering 1/9 pages"}\n')

    thread = threading.Thread(target=answer_and_die)
    thread.start()
    try:
        result = site.command()
    finally:
        thread.join(timeout=60)
        listener.close()
    assert result.returncode == 0
    assert result.stderr == ("rendering 1/9 pages\n"  # its line ended before the command's note
                             "build daemon: it stopped before it answered; building in this process\n")
    assert result.stdout.startswith("built ") and not result.stdout.endswith(BY)
    site.assert_clean()


def test_a_process_of_another_user_is_not_answered(site):
    """The socket is the user's only (mode 0600, in a folder of mode 0700)."""
    site.start()
    folder = site.runtime / f"wtpfsite-{os.getuid()}"
    (sock,) = folder.glob("*.sock")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert sock.stat().st_mode & 0o777 == 0o600


# ------------------------------------------------------------------------------------ the property test

class Pristine:
    """One fixture copy with a daemon, built once; put back to that state before each example (the daemon sees
    that as any other change)."""

    def __init__(self, folder: Path):
        self.site = Site(folder)
        self.site.start()
        assert self.site.command().returncode == 0
        self.saved = folder / "pristine"
        for name in ("content", "templates"):
            shutil.copytree(self.site.root / name, self.saved / name)

    def restore(self) -> Site:
        for name in ("content", "templates"):
            shutil.rmtree(self.site.root / name)
            shutil.copytree(self.saved / name, self.site.root / name)
        return self.site


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    pristine = Pristine(tmp_path_factory.mktemp("daemon"))
    yield pristine
    pristine.site.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(steps=st.lists(actions, min_size=1, max_size=3))
@example(steps=[("append", "content/pages/about.en.md", "alpha"), ("append", "content/pages/about.zh.md", "beta"),
                ("title", "content/pages/process.en.md", "gamma")])
@example(steps=[("rename", "content/pages/about.zh.md", "delta"), ("delete", "content/pages/index.en.md", "alpha")])
def test_builds_asked_of_the_daemon_match_clean_builds_after_any_edits(pristine, steps):
    site = pristine.restore()
    for step in steps:
        apply(site.root, step)
        before = tree_files(site.output)
        asked = site.command()
        clean, expected = site.clean_command()
        assert asked.returncode == clean.returncode, f"after {step}: {asked.stderr}{clean.stderr}"
        if asked.returncode:
            assert asked.stderr == clean.stderr
            assert tree_files(site.output) == before, f"a failed build changed the output (after {step})"
        else:
            assert asked.stdout.endswith(BY)
            actual = tree_files(site.output)
            different = sorted(p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p))
            assert not different, f"after {step}, the output differs from a clean build in: {different}"


# ------------------------------------------------------------------------------------ the parts

def test_a_file_racy_at_the_last_scan_is_looked_at_again(tmp_path):
    from wtpfsite.daemon import _Scan

    before = _Scan({"/a": (8, 1, 1, 1, 1), "/b": (8, 2, 2, 2, 2), "/gone": (8, 3, 3, 3, 3)}, frozenset({"/b"}))
    now = _Scan({"/a": (8, 1, 1, 1, 1), "/b": (8, 2, 2, 2, 2), "/new": (8, 4, 4, 4, 4)}, frozenset())
    assert now.changed_since(before) == {Path("/b"), Path("/gone"), Path("/new")}
    assert now.changed_since(now) == set()


def test_the_scan_covers_what_the_build_reads(site):
    from wtpfsite.daemon import _Scan
    from wtpfsite.deps import FileHashes

    scan = _Scan.take(site.config)
    hashes = FileHashes.before_load(site.config)
    assert set(scan.signatures) == {path for path, _ in hashes.items()}


def test_the_output_state_sees_any_change(tmp_path, monkeypatch):
    from wtpfsite import stamp
    from wtpfsite.deps import file_hash

    def made() -> tuple[Path, dict[str, str]]:
        output = tmp_path / f"output-{time.time_ns()}"
        (output / "en").mkdir(parents=True)
        (output / "index.html").write_text("home", "utf-8")
        (output / "en" / "a.html").write_text("a", "utf-8")
        return output, {path: file_hash(output / path) for path in ("index.html", "en/a.html")}

    output, outputs = made()
    assert stamp.output_state(output, {"index.html": outputs["index.html"]}) is None  # a file it did not make
    state = stamp.output_state(output, outputs)
    assert set(state.racy_files) == {str(output / "index.html"), str(output / "en" / "a.html")}  # just written
    assert stamp.output_holds(state)
    wrong = state._replace(racy_files={**state.racy_files, str(output / "index.html"): outputs["en/a.html"]})
    assert not stamp.output_holds(wrong)  # a racy file is known by its content
    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    for change in (lambda output: (output / "en" / "b.html").write_text("b", "utf-8"),
                   lambda output: (output / "en" / "a.html").unlink(),
                   lambda output: (output / "index.html").write_text("else", "utf-8"),
                   lambda output: (output / "index.html").write_text("mome", "utf-8"),  # the same size
                   lambda output: (output / "en" / "new").mkdir(),
                   lambda output: (output / "en" / "a.html").unlink() or (output / "en" / "a.html").symlink_to(
                       output / "index.html"),
                   lambda output: shutil.rmtree(output / "en"),
                   lambda output: shutil.rmtree(output)):
        output, outputs = made()
        state = stamp.output_state(output, outputs)
        assert state.racy_files == {} and stamp.output_holds(state)
        change(output)
        assert not stamp.output_holds(state)


def test_the_output_state_after_a_build_takes_in_only_what_it_wrote(tmp_path, monkeypatch):
    import os

    from wtpfsite import stamp
    from wtpfsite.deps import file_hash

    monkeypatch.setattr(stamp, "RACY_FINE_NS", 0)
    monkeypatch.setattr(stamp, "RACY_NS", 0)
    output = tmp_path / "output"
    (output / "en").mkdir(parents=True)
    for name, text in (("index.html", "home"), ("en/a.html", "a"), ("en/b.html", "b")):
        (output / name).write_text(text, "utf-8")
    outputs = {name: file_hash(output / name) for name in ("index.html", "en/a.html", "en/b.html")}
    before = stamp.output_state(output, outputs)
    # the build replaces en/a.html as the quick rebuild does (a new file renamed over it); meanwhile another
    # hand changes en/b.html
    (output / "en" / ".a.html.tmp").write_text("a, again", "utf-8")
    os.replace(output / "en" / ".a.html.tmp", output / "en" / "a.html")
    (output / "en" / "b.html").write_text("by hand", "utf-8")
    assert not stamp.output_holds(before)
    written = {**outputs, "en/a.html": file_hash(output / "en" / "a.html")}
    after = stamp.output_state_after(before, ["en/a.html"], written)
    assert not stamp.output_holds(after)  # the other hand's change is not taken in
    (output / "en" / "b.html").unlink()
    (output / "en" / "b.html").write_text("b", "utf-8")  # as it was, but another file: still seen
    assert not stamp.output_holds(after)
    clean = stamp.output_state(output, {**outputs, "en/a.html": file_hash(output / "en" / "a.html")})
    (output / "en" / ".a.html.tmp").write_text("a, thrice", "utf-8")
    os.replace(output / "en" / ".a.html.tmp", output / "en" / "a.html")
    new = {**outputs, "en/a.html": file_hash(output / "en" / "a.html")}
    after = stamp.output_state_after(clean, ["en/a.html"], new)
    assert stamp.output_holds(after) and after == stamp.output_state(output, new)
    assert stamp.output_state_after(clean, ["en/gone.html"], new) is None
