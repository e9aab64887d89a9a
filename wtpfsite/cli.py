"""The command line: the only place that prints to the terminal or exits.

Exit status: 0 success, 1 content errors, 2 usage error, 3 internal error (a bug).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .errors import ContentErrors

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date such as 2020-09-14") from None


def default_today() -> date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else today in Geneva."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), ZoneInfo("Europe/Zurich")).date()
    return datetime.now(ZoneInfo("Europe/Zurich")).date()


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the WTPF-21 IEG site.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=Path("site_config.yaml"))
    common.add_argument("--today", type=_date, default=None, help="the date statuses are computed for")
    common.add_argument("--quiet", action="store_true", help="print nothing but errors")
    common.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    build = commands.add_parser("build", parents=[common], help="build the site into the output folder")
    build.add_argument("--out", type=Path, default=None)
    build.add_argument("--base-url", default=None)
    check = commands.add_parser("check", parents=[common], help="validate content and links; build nothing")
    check.add_argument("--base-url", default=None)
    serve = commands.add_parser("serve", parents=[common], help="build, serve and rebuild on changes")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--out", type=Path, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = make_parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    if not args.config.is_file():
        print(f"build.py: error: no config file at {args.config}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run(args)
    except ContentErrors as exc:
        for error in exc.errors:
            print(error.format(), file=sys.stderr)
        count = len(exc.errors)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in the generator, not in the content
        if args.debug:
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in the generator; "
              f"run again with --debug for the traceback and report it.", file=sys.stderr)
        return EXIT_BUG


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\rrendering {done}/{total} pages", end=end, file=sys.stderr, flush=True)

    return report


def _run(args) -> int:
    from .build import BuildOptions, build, check

    today = args.today or default_today()
    options = BuildOptions(args.config, today, getattr(args, "out", None), getattr(args, "base_url", None))
    if args.command == "build":
        result = build(options, _progress(args.quiet))
        if result.written and result.written.foreign and not args.quiet:
            print(f"removed {len(result.written.foreign)} file(s) from the output folder that the generator "
                  f"did not make: {', '.join(result.written.foreign)}", file=sys.stderr)
        if not args.quiet:
            counts = ", ".join(f"{n} {code}" for code, n in result.pages_per_language.items())
            print(f"built {len(result.outputs)} files ({counts} pages) in {result.seconds:.2f} s")
        return EXIT_OK
    if args.command == "check":
        result = check(options)
        if not args.quiet:
            print(f"checked {len(result.outputs)} files: no problems")
        return EXIT_OK
    from .serve import serve

    return serve(options, args.host, args.port, quiet=args.quiet)
