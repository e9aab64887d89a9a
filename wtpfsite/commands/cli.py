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
from typing import Callable, TextIO
from zoneinfo import ZoneInfo

from ..base.errors import ContentErrors, ErrorList, UsageError
from ..pipeline.build import BuildOptions, BuildResult, build, check, load_site
from ..site.translations import format_report, translation_report
from .newdraft import names_the_next_draft, plan_new_draft, write_new_draft
from .po import export_po, import_po
from .release import check_release
from .serve import serve
from .translated import record_translations

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
    # SUPPRESS: when absent after the command, it must not reset a --debug given before it
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    build = commands.add_parser("build", parents=[common], help="build the site into the output folder")
    build.add_argument("--out", type=Path, default=None)
    build.add_argument("--base-url", default=None)
    build.add_argument("--no-cache", action="store_true",
                       help="make every file again, ignoring the build cache of the last build")
    check = commands.add_parser("check", parents=[common], help="validate content and links; build nothing")
    check.add_argument("--base-url", default=None)
    scope = check.add_mutually_exclusive_group()
    scope.add_argument("--translations", action="store_true",
                       help="only report missing and out-of-date translations, per language")
    scope.add_argument("--release", action="store_true",
                       help="everything check does, plus translations and dates before publishing")
    serve = commands.add_parser("serve", parents=[common], help="build, serve and rebuild on changes")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--out", type=Path, default=None)
    translated = commands.add_parser("translated", parents=[common],
                                     help="record that translations match their original's current revision")
    translated.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a translation, e.g. "
                            "content/pages/about.zh.md")
    new_draft = commands.add_parser("new-draft", parents=[common], help="create the next draft's files from the "
                                    "latest draft")
    new_draft.add_argument("--released", type=_date, default=None, help="release date, when the timetable has none")
    new_draft.add_argument("--comments-due", type=_date, default=None, help="comment deadline (else the timetable's)")
    export_po = commands.add_parser("export-po", parents=[common], help="write a language's UI strings and data "
                                    "texts as a PO file for translators")
    export_po.add_argument("lang", metavar="LANG", help="the language code, e.g. ar")
    export_po.add_argument("--out", type=Path, default=None, help="the PO file (else printed)")
    import_po = commands.add_parser("import-po", parents=[common], help="write a PO file's translations into "
                                    "strings.yaml and the data files")
    import_po.add_argument("file", type=Path, metavar="FILE")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = make_parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    if not args.config.is_file():
        print(f"build.py: error: no config file at {args.config}", file=sys.stderr)
        return EXIT_USAGE
    return guarded(args.command, args.debug, lambda: _run(args), sys.stderr)


def guarded(command: str, debug: bool, run: Callable[[], int], err: TextIO) -> int:
    """`run()`'s exit status, or the one of the error it raised, reported to `err`."""
    try:
        return run()
    except UsageError as exc:
        print(f"build.py {command}: error: {exc}", file=err)
        return EXIT_USAGE
    except ContentErrors as exc:
        for error in exc.errors:
            print(error.format(), file=err)
        count = len(exc.errors)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was written", file=err)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=err)
        return 130
    except Exception as exc:  # a bug in the generator, not in the content
        if debug:
            traceback.print_exc(file=err)
        print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in the generator; "
              f"run again with --debug for the traceback and report it.", file=err)
        return EXIT_BUG


def progress_printer(quiet: bool, err: TextIO = sys.stderr, terminal: bool | None = None):
    """The build's progress, on a terminal (`terminal`: whether `err` is one; asked when None)."""
    if quiet or not (err.isatty() if terminal is None else terminal):
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\rrendering {done}/{total} pages", end=end, file=err, flush=True)

    return report


def report_build(result: BuildResult, quiet: bool, out: TextIO, err: TextIO) -> None:
    """What `build` prints of a build that succeeded."""
    if result.cache_notice and not quiet:
        print(f"build cache discarded: {result.cache_notice}", file=err)
    if result.written and result.written.foreign and not quiet:
        print(f"removed {len(result.written.foreign)} file(s) from the output folder that the generator "
              f"did not make: {', '.join(result.written.foreign)}", file=err)
    if not quiet:
        counts = ", ".join(f"{n} {code}" for code, n in result.pages_per_language.items())
        print(f"built {result.rendered + result.reused} files ({counts} pages) in {result.seconds:.2f} s: "
              f"rendered {result.rendered}, reused {result.reused}", file=out)


def _run(args) -> int:
    today = args.today or default_today()
    options = BuildOptions(args.config, today, getattr(args, "out", None), getattr(args, "base_url", None))
    if args.command == "build":
        result = build(options, progress_printer(args.quiet), incremental=not args.no_cache)
        report_build(result, args.quiet, sys.stdout, sys.stderr)
        return EXIT_OK
    if args.command in ("export-po", "import-po"):
        return _run_po(args, options)
    if args.command in ("translated", "new-draft") or (args.command == "check" and (args.translations or
                                                                                    args.release)):
        return _run_workflow(args, options)
    if args.command == "check":
        result = check(options)
        if not args.quiet:
            print(f"checked {len(result.outputs)} files: no problems")
        return EXIT_OK
    return serve(options, args.host, args.port, quiet=args.quiet)


def _run_po(args, options) -> int:
    """The translators' files (wtpfsite/commands/po.py)."""
    if args.command == "export-po":
        text = export_po(options, args.lang)
        if args.out is None:
            sys.stdout.write(text)
        else:
            args.out.write_text(text, "utf-8")
            if not args.quiet:
                print(f"wrote {args.out}: the UI strings and data texts of '{args.lang}'")
        return EXIT_OK
    changes = import_po(options, args.file)
    for change in changes:
        what = "added" if change.previous is None else "updated"
        print(f"{change.path}:{change.line}: {what} '{change.context}'")
    if not args.quiet:
        print(f"{len(changes)} text{'s' if len(changes) != 1 else ''} changed; the translations are recorded "
              f"as current")
    return EXIT_OK


def _run_workflow(args, options) -> int:
    """The editors' and translators' commands (see docs/editors-guide.md)."""
    if args.command == "translated":
        for done in record_translations(args.config, args.paths):
            what = (f"already records translation_of: {done.revision}; nothing changed" if not done.changed else
                    f"recorded translation_of: {done.revision}" if done.previous is None else
                    f"updated translation_of: {done.previous} -> {done.revision}")
            if done.changed or not args.quiet:
                print(f"{done.path}: {what} (the current {done.original_lang} original, {done.original})")
        return EXIT_OK
    if args.command == "new-draft":
        site = load_site(options, tolerate=names_the_next_draft).site
        plan = plan_new_draft(site, args.released, args.comments_due)
        shown = ErrorList(site.config.root).display_path
        write_new_draft(plan, shown)
        for file in plan.files:
            print(f"created {shown(file.path)}: {file.title}")
        if not args.quiet:
            for note in plan.notes:
                print(f"  {note}")
        for item in plan.todo:
            print(f"to do: {item}")
        return EXIT_OK
    if args.release:
        result = check_release(options)
        if not args.quiet:
            print(f"checked {result.files} files, translations and dates: ready to release")
        return EXIT_OK
    report = translation_report(load_site(options).site)
    for line in format_report(report, args.quiet):
        print(line)
    return EXIT_OK if report.ok else EXIT_CONTENT
