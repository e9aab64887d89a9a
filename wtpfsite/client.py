"""The command's side of the build daemon (daemon.py): where the daemon of a site listens, and `build` asking it.

Imported by every `build` command before anything else of the generator, so it imports little: what a build asked
of the daemon costs in the command is starting Python, this module and the command line's parser.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date
    from typing import TextIO

PROTOCOL = 1
SOCKET_BYTES = 100  # a Unix socket's path has at most 107 bytes (Linux), 103 (macOS)


class Unsafe(Exception):
    """The folder for the socket is not one only this user may use."""


# ------------------------------------------------------------------------------------------------ the socket

def _private_folder(create: bool) -> str | None:
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    if not os.path.isabs(base) or len(os.fsencode(base)) > SOCKET_BYTES - 40:  # room for what socket_path adds
        base = "/tmp"
    folder = os.path.join(base, f"wtpfsite-{os.getuid()}")
    if create:
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise Unsafe(f"{folder} is not a folder that only you may use")
    return folder


def socket_path(config_path: Path, create: bool = False) -> str | None:
    """Where the build daemon of the site with this config file listens (None: the folder is not there)."""
    folder = _private_folder(create)
    if folder is None:
        return None
    name = hashlib.blake2b(str(config_path.resolve()).encode("utf-8", "surrogateescape"), digest_size=10)
    return os.path.join(folder, name.hexdigest() + ".sock")


def connect(path: str) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except BaseException:
        connection.close()
        raise
    return connection


def _ask(config_path: Path, request: dict) -> socket.socket | None:
    """A connection to the daemon of the site, the request sent; None when none answers there."""
    if not hasattr(socket, "AF_UNIX"):
        return None
    try:
        path = socket_path(config_path)
        if path is None or not os.path.exists(path):
            return None
        connection = connect(path)
    except (Unsafe, OSError):  # OSError: a socket left by a daemon that was killed
        return None
    try:
        connection.sendall(json.dumps(request).encode("utf-8") + b"\n")
    except OSError:
        connection.close()
        return None
    return connection


def delegate(args, today: date) -> int | None:
    """Have the build daemon of the site make the build `args` asks for (`build` command-line arguments): its
    exit status, having printed what the daemon answered; None when no daemon runs for the site, or it declined
    or stopped before it answered (then this process builds)."""
    from .stamp import Untrusted, generator_signature

    try:
        generator = generator_signature().digest()
    except (Untrusted, OSError):
        return None
    request = {"protocol": PROTOCOL, "op": "build", "generator": generator, "config": str(args.config.resolve()),
               "today": today.isoformat(), "out": str(args.out.resolve()) if args.out is not None else None,
               "base_url": args.base_url, "jobs": args.jobs, "quiet": args.quiet, "debug": args.debug,
               "terminal": sys.stderr.isatty()}
    connection = _ask(args.config, request)
    if connection is None:
        return None
    status, why = _relay(connection)
    if status is None and not args.quiet:
        print(f"build daemon: {why}; building in this process", file=sys.stderr)
    return status


class _Relay:
    """Writes the daemon's text to this process's streams, and knows whether stderr was left mid-line (its
    progress line), so that a note of the command's own starts on a line of its own."""

    def __init__(self) -> None:
        self.mid_line = False

    def write(self, message: dict) -> None:
        for name, stream in (("out", sys.stdout), ("err", sys.stderr)):
            if message.get(name):
                stream.write(message[name])
                stream.flush()
        if message.get("err"):
            self.mid_line = not message["err"].endswith("\n")

    def end_line(self) -> None:
        if self.mid_line:
            sys.stderr.write("\n")
            self.mid_line = False


def _relay(connection: socket.socket) -> tuple[int | None, str]:
    """Print the daemon's answers as they come: its exit status, or None and why there is none."""
    relay = _Relay()
    with connection, connection.makefile("rb") as answers:
        try:
            for line in answers:
                message = json.loads(line)
                relay.write(message)
                if "exit" in message:
                    return message["exit"], ""
                if "declined" in message:
                    return None, f"declined: {message['declined']}"
        except KeyboardInterrupt:
            relay.end_line()
            print("interrupted; the build daemon finishes the build", file=sys.stderr)
            return 130, ""
        except (OSError, ValueError):
            pass
    relay.end_line()
    return None, "it stopped before it answered"


def stop_daemon(config_path: Path, out: TextIO) -> int:
    """`daemon --stop`: ask the site's daemon to stop, and wait until it has saved what it keeps."""
    connection = _ask(config_path, {"protocol": PROTOCOL, "op": "stop"})
    if connection is None:
        print(f"no build daemon runs for {config_path}", file=out)
        return 0
    with connection, connection.makefile("rb") as answers:
        for _ in answers:  # the daemon closes the connection once it has stopped
            pass
    print(f"stopped the build daemon of {config_path}", file=out)
    return 0
