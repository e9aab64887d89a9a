"""The command line: the only place that prints to the terminal or exits.

Exit status: 0 success, 1 content errors, 2 usage error, 3 internal error (a bug). The module of a command other
than build and check is imported when that command runs: watch mode's server and file watcher, Babel's PO files
and the editors' commands would be a twentieth of the start-up of every build.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from ..base.errors import ContentErrors, ErrorList, UsageError
from ..base.plural import counted
from ..content.config import BASE_URL
from ..pipeline.build import BuildOptions, BuildResult, build, check, load_site
from ..site.translations import format_report, translation_report

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date such as 2020-09-14") from None


def _base_url(value: str) -> str:
    if not BASE_URL.match(value):
        raise argparse.ArgumentTypeError(f"'{value}' is not an absolute http(s) URL such as "
                                         f"https://example.org/wtpf-21/ (as site_config.yaml's base_url)")
    return value


def default_today() -> date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else today in Geneva."""
    epoch, geneva = os.environ.get("SOURCE_DATE_EPOCH", ""), ZoneInfo("Europe/Zurich")
    return (datetime.fromtimestamp(int(epoch), geneva) if epoch.isdigit() else datetime.now(geneva)).date()


def _options(*wanted: str) -> argparse.ArgumentParser:
    """The options shared by commands, each offered only by the commands for which it means something."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config", type=Path, default=Path("site_config.yaml"), metavar="FILE",
                        help="the site's configuration file (default: site_config.yaml)")
    if "today" in wanted:
        parser.add_argument("--today", type=_date, default=None, metavar="YYYY-MM-DD",
                            help="the date that statuses (next milestone, open deadlines) are computed for, as "
                                 "YYYY-MM-DD (default: content_date in site_config.yaml when set, else "
                                 "SOURCE_DATE_EPOCH's day when set, else today in Geneva)")
    if "out" in wanted:
        parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                            help="the folder to build into (default: site_config.yaml's output_dir, else output/)")
    if "base-url" in wanted:
        parser.add_argument("--base-url", type=_base_url, default=None, metavar="URL",
                            help="the address the site is published at, an absolute http(s) URL such as "
                                 "https://example.org/wtpf-21/ (default: site_config.yaml's base_url)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors (default: off)")
    # SUPPRESS: when absent after the command, it must not reset a --debug given before it
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the WTPF-21 IEG site.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors (default: off)")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", parents=[_options("today", "out", "base-url")],
                                help="build the site into the output folder")
    build.add_argument("--no-cache", action="store_true",
                       help="make every file again, ignoring the build cache of the last build (default: off)")
    check = commands.add_parser("check", parents=[_options("today", "base-url")],
                                help="validate content and links; build nothing")
    scope = check.add_mutually_exclusive_group()
    scope.add_argument("--translations", action="store_true",
                       help="only report missing and out-of-date translations, per language")
    scope.add_argument("--release", action="store_true",
                       help="everything check does, plus translations and dates before publishing")
    serve = commands.add_parser("serve", parents=[_options("today", "out")],
                                help="build, serve and rebuild on changes (a preview on this machine)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, "
                       "this machine only)")
    serve.add_argument("--port", type=int, default=8000,
                       help="the port to listen on; 0 picks a free one (default: 8000)")
    translated = commands.add_parser("translated", parents=[_options()],
                                     help="record that translations match their original's current revision")
    translated.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a translation, e.g. "
                            "content/pages/about.zh.md, or a data file, e.g. content/data/meetings.yaml (all its "
                            "translated texts), content/data/meetings.yaml#ieg-3 (one record) or "
                            "content/data/meetings.yaml#ieg-3.summary (one text)")
    new_draft = commands.add_parser("new-draft", parents=[_options()], help="create the next draft's files from "
                                    "the latest draft")
    new_draft.add_argument("--released", type=_date, default=None, metavar="YYYY-MM-DD",
                           help="release date (default: the date of the timetable's draft-release milestone)")
    new_draft.add_argument("--comments-due", type=_date, default=None, metavar="YYYY-MM-DD",
                           help="comment deadline (default: the date of the timetable's comment-deadline "
                                "milestone; none when it has none)")
    export_po = commands.add_parser("export-po", parents=[_options()], help="write a language's UI strings and "
                                    "data texts as a PO file for translators")
    export_po.add_argument("lang", metavar="LANG", help="the language code, e.g. ar")
    export_po.add_argument("--out", type=Path, default=None, metavar="FILE",
                           help="the PO file to write (default: printed)")
    import_po = commands.add_parser("import-po", parents=[_options()], help="write a PO file's translations into "
                                    "strings.yaml and the data files")
    import_po.add_argument("file", type=Path, metavar="FILE", help="the PO file a translator filled in")
    parser.commands = commands.choices  # type: ignore[attr-defined]  # main() gives a command's own usage
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # told with the command's own usage, which lists what it takes
            parser.commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    if not args.config.is_file():
        print(f"build.py: error: no config file at {args.config}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run(args)
    except UsageError as exc:
        print(f"build.py {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentErrors as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        # only a build writes; check and the other commands never do, so they do not say so
        tail = "; nothing was written" if args.command == "build" else ""
        print(f"{counted(len(exc.errors), 'error', 'errors')}{tail}", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `check --translations | head`: the reader stopped reading, as after SIGPIPE
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (so that exiting flushes nothing)
        return 141
    except Exception as exc:  # a bug in the generator, not in the content
        if args.debug:
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in the generator; "
              f"run again with --debug for the traceback and report it.", file=sys.stderr)
        return EXIT_BUG


@dataclass(frozen=True)
class TerminalProgress:
    """The build's progress on a terminal: each stage on a line, and the pages rendered counted in place."""

    err: TextIO

    def stage(self, name: str) -> None:
        print(f"{name} ...", file=self.err, flush=True)

    def __call__(self, done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r  {done}/{total} pages", end=end, file=self.err, flush=True)


def progress_printer(quiet: bool, err: TextIO = sys.stderr, terminal: bool | None = None) -> TerminalProgress | None:
    """The build's progress, on a terminal only (`terminal`: whether `err` is one; asked when None): never in
    logs, CI or with --quiet."""
    if quiet or not (err.isatty() if terminal is None else terminal):
        return None
    return TerminalProgress(err)


def report_build(result: BuildResult, quiet: bool, out: TextIO, err: TextIO) -> None:
    """What `build` prints of a build that succeeded: the URLs it no longer serves first, even when quiet."""
    report_lost(result, err)
    if result.cache_notice and not quiet:
        print(f"build cache discarded: {result.cache_notice}", file=err)
    if result.written and result.written.foreign and not quiet:
        print(f"removed {counted(len(result.written.foreign), 'file', 'files')} from the output folder that the "
              f"generator did not make: {', '.join(result.written.foreign)}", file=err)
    if not quiet:
        counts = ", ".join(f"{n} {code}" for code, n in result.pages_per_language.items())
        print(f"built {result.rendered + result.reused} files ({counts} pages) in {result.seconds:.2f} s: "
              f"rendered {result.rendered}, reused {result.reused}", file=out)


def report_lost(result: BuildResult, err: TextIO) -> None:
    """The URLs the last build published that this one would no longer serve (`check --release` fails on them)."""
    for error in result.lost:
        print(error.format(), file=err)
    if result.lost:
        print(f"{counted(len(result.lost), 'published URL', 'published URLs')} no longer served: add aliases or "
              f"retire {'it' if len(result.lost) == 1 else 'them'} (docs/editors-guide.md); check --release fails "
              f"until then", file=err)


def _run(args) -> int:
    today = getattr(args, "today", None) or default_today()
    options = BuildOptions(args.config, today, getattr(args, "out", None), getattr(args, "base_url", None),
                           today_given=getattr(args, "today", None) is not None)
    if args.command == "build":
        progress = progress_printer(args.quiet)
        result = build(options, progress, incremental=not args.no_cache,
                       stage=progress.stage if progress is not None else None)
        report_build(result, args.quiet, sys.stdout, sys.stderr)
        return EXIT_OK
    if args.command == "check" and not (args.translations or args.release):
        result = check(options)
        report_lost(result, sys.stderr)
        if not args.quiet:
            print(f"checked {len(result.outputs)} files" + ("" if result.lost else ": no problems"))
        return EXIT_OK
    if args.command == "serve":
        from .serve import serve
        return serve(options, args.host, args.port, args.quiet, progress_printer(args.quiet))
    return _run_editors(args, options)


def _run_editors(args, options) -> int:
    """The editors' and translators' commands (docs/editors-guide.md)."""
    from .newdraft import names_the_next_draft, plan_new_draft, write_new_draft
    from .release import check_release
    from .translated import record_translations
    if args.command == "export-po":
        from .po import export_po  # (Babel's PO support: only here)
        text = export_po(options, args.lang)
        if args.out is None:
            sys.stdout.write(text)
        else:
            try:
                args.out.write_text(text, "utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
            if not args.quiet:
                print(f"wrote {args.out}: the UI strings and data texts of '{args.lang}'")
    elif args.command == "import-po":
        from .po import import_po
        changes = import_po(options, args.file)
        for change in changes:
            print(f"{change.path}:{change.line}: {'added' if change.previous is None else 'updated'} "
                  f"'{change.context}'")
        if not args.quiet:
            print(f"{counted(len(changes), 'text', 'texts')} changed; the translations are recorded as current")
    elif args.command == "translated":
        for done in record_translations(args.config, args.paths):
            what = (f"already records {done.field}: {done.revision}; nothing changed" if not done.changed else
                    f"recorded {done.field}: {done.revision}" if done.previous is None else
                    f"updated {done.field}: {done.previous} -> {done.revision}")
            if done.changed or not args.quiet:
                print(f"{done.path}: {what}" + (f" ({done.note})" if done.note else ""))
    elif args.command == "new-draft":
        site = load_site(options, tolerate=names_the_next_draft).site
        plan = plan_new_draft(site, args.released, args.comments_due)
        shown = ErrorList(site.config.root).display_path
        write_new_draft(plan, shown)
        for file in plan.files:
            print(f"created {shown(file.path)}: {file.title}")
        if plan.timetable is not None:
            added = ", ".join(f"'{m.id}' ({m.date})" for m in plan.milestones)
            print(f"added to {shown(plan.timetable)}, in {', '.join(site.config.language_codes)}: milestone"
                  f"{'s' if len(plan.milestones) != 1 else ''} {added}")
        if not args.quiet:
            for note in plan.notes:
                print(f"  {note}")
        for item in plan.todo:
            print(item if item.startswith("warning: ") else f"to do: {item}")
    elif args.release:
        files = check_release(options)
        if not args.quiet:
            print(f"checked {files} files, translations and dates: ready to release")
    else:
        report = translation_report(load_site(options).site)
        for line in format_report(report, args.quiet):
            print(line)
        return EXIT_OK if report.ok else EXIT_CONTENT
    return EXIT_OK
