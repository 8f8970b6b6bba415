"""The `grader` command (also `python -m grader`): list, check, hint, reset, verify.

A thin layer: the catalog (grader.catalog) says what exists, grader.checker runs the tests,
grader.state remembers hints and results, grader.report renders, and every word comes from
grader/locale/<language>/cli.toml. Exit codes: 0 success (every selected exercise passes),
1 something fails or was refused, 2 bad usage (unknown id, bad option), 3 the grader itself
failed, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys

from grader import __version__
from grader.course.catalog import Catalog, CatalogError, Exercise, load
from grader.output.report import Style
from grader.sandbox import methods as methods_mod
from grader.course.state import State, file_sha256
from grader.course.stubs import is_stub, of_record
from grader.results import Status
from grader.text import FALLBACK, LANGUAGES, language, normalise, set_language, t


class UsageError(Exception):
    """Bad input from the command line: the message says what to type instead."""


# argparse's own words (Python's msgids, as its `_()` looks them up through gettext) -> the
# key of their translation in cli.toml's [cli.argparse]. A msgid not listed here (a newer
# Python's) stays English.
ARGPARSE_WORDS = {
    "usage: ": "usage",
    "positional arguments": "positionals",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "help",
    "show program's version number and exit": "version",
    "%(prog)s: error: %(message)s\n": "error",
    "argument %(argument_name)s: %(message)s": "argument",
    "unrecognized arguments: %s": "unrecognized",
    "the following arguments are required: %s": "required",
    "expected one argument": "expected_one",
    "expected at most one argument": "expected_at_most_one",
    "expected at least one argument": "expected_at_least_one",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)": "invalid_choice_closest",
    "invalid %(type)s value: %(value)r": "invalid_value",
    "ambiguous option: %(option)s could match %(matches)s": "ambiguous",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "unknown_parser",
    "not allowed with argument %s": "not_allowed_with",
    "ignored explicit argument %r": "ignored_argument",
}


def argparse_text(message: str) -> str:
    """argparse's gettext: its English msgid in the language in use. argparse calls
    `gettext.gettext` of the default text domain, which a program can't point at its own
    catalogs without replacing every other program's; so `argparse._` is this function (set
    once, for the `grader` process only). English, or a msgid we don't know, is unchanged."""
    key = ARGPARSE_WORDS.get(message)
    if key is None or language() == FALLBACK:
        return message
    translated = t(f"cli.argparse.{key}")
    return translated + "\n" if message.endswith("\n") else translated


def argparse_ntext(singular: str, plural: str, count: int) -> str:
    return argparse_text(singular if count == 1 else plural)


argparse._ = argparse_text
argparse.ngettext = argparse_ntext


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help, laid out by display width (a CJK character takes two columns): help
    texts wrap with grader.output.report.wrap, and the usage's continuation lines line up
    under a prefix such as `用法：`."""

    def _split_lines(self, text, width):
        from grader.output.report import wrap

        return wrap(" ".join(text.split()), max(width, 30)).split("\n")

    def _format_usage(self, usage, actions, groups, prefix):
        from grader.output.report import width

        text = super()._format_usage(usage, actions, groups, prefix)
        shown = argparse._("usage: ") if prefix is None else prefix
        extra = width(shown) - len(shown)
        if extra <= 0:
            return text
        first, *rest = text.split("\n")
        return "\n".join([first] + [" " * extra + line if line.strip() else line for line in rest])


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def format_help(self):
        text = super().format_help()
        # argparse ends a section heading with an ASCII colon; after Chinese, use `：`.
        for group in self._action_groups:
            title = group.title or ""
            if title and title[-1] not in ":：" and len(title.encode()) > len(title):
                text = text.replace(f"\n{title}:\n", f"\n{title}：\n")
        return text

    def error(self, message):
        self.exit(2, t("cli.error.usage", message=message, prog=self.prog) + "\n")


def _language_option(argv: list[str]) -> str | None:
    """The value of --lang wherever it is on the command line (before or after the
    command), read before the parser is built: its help texts are in that language.
    UsageError for a language the kit does not have."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    try:
        known, _ = early.parse_known_args(argv)
    except SystemExit:
        return None
    if known.lang and normalise(known.lang) is None:
        raise UsageError(t("cli.error.lang", got=known.lang, available=", ".join(LANGUAGES)))
    return known.lang


def _say(text: str = "", err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


# ---------------------------------------------------------------- shared steps

def _catalog() -> Catalog:
    try:
        return load()
    except CatalogError as exc:
        raise UsageError(t("cli.error.catalog", detail=str(exc))) from None


def _select(catalog: Catalog, keys: list[str]) -> list[Exercise]:
    for key in keys:
        try:
            catalog.find(key)
        except CatalogError:
            from grader.output.report import ljust, width

            slug_width = max((width(e.slug) for e in catalog.exercises), default=0)
            valid = "\n".join(t("cli.error.valid_id", id=e.id, slug=ljust(e.slug, slug_width), title=e.title)
                              for e in catalog.exercises)
            raise UsageError(t("cli.error.unknown_id", given=key, valid=valid)) from None
    return catalog.select(keys)


def _methods(requested: list[str] | None) -> list[str]:
    """The start methods to check under (grader.sandbox.methods.chosen); a usage error for
    one this platform does not have."""
    unknown = methods_mod.unknown(requested)
    if unknown:
        raise UsageError(t("cli.error.start_method", got=", ".join(unknown),
                           available=", ".join(methods_mod.available())))
    return methods_mod.chosen(requested)


def _run_checks(catalog: Catalog, exercises: list[Exercise], methods: list[str], state: State):
    """Check the exercises, record each result for its file's sha256, and return the Grading."""
    from grader.grading import checker

    shas = {e.id: file_sha256(e.work_file) for e in exercises}
    grading = checker.grade(catalog, exercises, methods=methods)
    for result in grading.results:
        sha = shas[result.exercise.id]
        if result.tests and sha is not None:
            state.record(result.exercise, sha, result.status, result.score, methods)
    if not state.save():
        _say(t("cli.error.state_not_saved", file=str(state.path)), err=True)
    return grading


def _grade_from(catalog: Catalog, exercises: list[Exercise], methods: list[str], folder: str):
    """Grade the exercise files of a student's folder with this kit (`check --from`); returns
    the Grading and the ids whose file is still the stub."""
    from grader.grading import submission

    _say(t("submission.graded_from", folder=folder), err=True)
    try:
        grading, untouched, missing = submission.grade(catalog, exercises, folder, methods)
    except submission.SubmissionError as exc:
        raise UsageError(str(exc)) from None
    if missing:
        _say(t("submission.missing", count=len(missing), names=", ".join(missing)), err=True)
    return grading, untouched


def _write_reports(reports: list[tuple[str, str]], grading) -> bool:
    from grader.output import exports

    ok = True
    for kind, path in reports:
        try:
            exports.write(kind, path, grading)
        except OSError as exc:
            _say(t("report.not_written", kind=kind, file=path, reason=exc.strerror or str(exc)), err=True)
            ok = False
    return ok


def _passes(exercise: Exercise, state: State, methods: list[str]) -> bool:
    cached = state.cached(exercise, file_sha256(exercise.work_file), methods)
    return bool(cached) and cached["status"] == Status.PASS


# ---------------------------------------------------------------- commands

def cmd_check(args) -> int:
    from grader.output import exports, report, summary

    catalog = _catalog()
    exercises = _select(catalog, args.ids)
    methods = _methods(args.start_method)
    try:
        reports = [exports.parse(option) for option in args.report or []]
    except exports.ReportError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        reports.append(("json", args.json))
    everything = methods_mod.available()
    style = Style.for_stream(sys.stdout, "never" if args.ci else args.color)
    names = ", ".join(f"{e.id} {e.slug}" for e in exercises) if len(exercises) <= 3 else \
        t("cli.check.n_exercises", count=len(exercises))
    _say(t("cli.check.checking", names=names, methods=", ".join(methods)), err=True)
    # On Actions, nothing printed from here until the fence comes down can be a workflow
    # command: not the submission's output, wherever it writes.
    fence = summary.CommandFence(_say) if args.ci else None
    if fence:
        fence.raise_()
    state = None
    try:
        if args.from_dir:
            grading, untouched = _grade_from(catalog, exercises, methods, args.from_dir)
        else:
            state = State.load(catalog.root)
            grading = _run_checks(catalog, exercises, methods, state)
            untouched = {e.id for e in exercises if is_stub(e)}
    except BaseException:
        if fence:   # else no later line of this step's log could issue a command
            fence.lower()
        raise
    results = grading.results
    # Checking several exercises, one still the stub needs no list of what fails.
    if len(exercises) == 1:
        untouched = set()

    if not any(path == "-" for _, path in reports):
        _say(report.check_report(results, style, untouched))
        _say()
        failing = next((r.exercise for r in results if not r.passed and r.exercise.id not in untouched), None)
        if state is None:
            _say(report.check_summary(results, style, failing, None, False, untouched))
        else:
            passing = {r.exercise.id for r in results if r.passed}
            full = set(everything) <= set(methods)
            later = [e for e in catalog.exercises if e.id > max(x.id for x in exercises)]
            todo = next((e for e in later + list(catalog.exercises)
                         if e.id not in passing and not _passes(e, state, everything)), None)
            _say(report.check_summary(results, style, failing, todo, full and todo is None, untouched))
            if not full:
                ids = "" if len(exercises) == len(catalog.exercises) else " " + " ".join(e.id for e in exercises)
                _say(style.wrap(t("cli.check.narrowed", methods=", ".join(methods), command=f"grader check{ids}")))
    written = _write_reports(reports, grading)
    if fence:
        try:
            summary.append_step_summary(summary.markdown(grading))
        except OSError as exc:
            _say(t("report.not_written", kind=t("report.job_summary"), file="$GITHUB_STEP_SUMMARY",
                   reason=exc.strerror or str(exc)), err=True)
            written = False
        fence.lower()
        for command in summary.annotations(grading):
            _say(command)
    if not written:
        return 2
    return 0 if all(r.passed for r in results) else 1


def cmd_list(args) -> int:
    from grader.output import report

    catalog = _catalog()
    methods = _methods(None)
    style = Style.for_stream(sys.stdout, args.color)
    state = State.load(catalog.root)
    rows: dict[str, tuple] = {}
    stale = []
    for exercise in catalog.exercises:
        if not exercise.work_file.is_file():
            rows[exercise.id] = (exercise, "missing", 0.0)
        elif is_stub(exercise):
            rows[exercise.id] = (exercise, "not_started", 0.0)
        else:
            cached = state.cached(exercise, file_sha256(exercise.work_file), methods)
            if cached is None:
                stale.append(exercise)
            else:
                status = "passing" if cached["status"] == Status.PASS else "failing"
                rows[exercise.id] = (exercise, status, float(cached["score"]))
    if stale:
        _say(t("cli.list.checking", ids=", ".join(e.id for e in stale)), err=True)
        for result in _run_checks(catalog, stale, methods, state).results:
            status = "passing" if result.passed else ("failing" if result.tests else "no_tests")
            rows[result.exercise.id] = (result.exercise, status, result.score)
    ordered = [rows[e.id] for e in catalog.exercises]
    _say(report.list_report(ordered, style))
    # What to do next: bring back a missing file, else finish one begun, else start one.
    steps = {"missing": "cli.next.missing", "failing": "cli.next.check", "no_tests": "cli.next.check",
             "not_started": "cli.next.exercise"}
    for status, key in steps.items():
        step = next((e for e, s, _ in ordered if s == status), None)
        if step is not None:
            _say(style.wrap(t(key, id=step.id, slug=step.slug, file=report.display_path(step, step.work_file))))
            break
    else:
        _say(style.wrap(t("cli.next.all_done")))
    return 0


def cmd_hint(args) -> int:
    from grader.output import report

    catalog = _catalog()
    exercise = _select(catalog, [args.id])[0]
    state = State.load(catalog.root)
    shown = min(state.hints_shown(exercise) + 1, len(exercise.hints))
    state.set_hints_shown(exercise, shown)
    if not state.save():
        _say(t("cli.error.state_not_saved", file=str(state.path)), err=True)
    _say(report.hints_report(exercise, shown, exercise.solution.is_file(), Style.for_stream(sys.stdout)))
    return 0


def cmd_reset(args) -> int:
    from grader.output import report

    catalog = _catalog()
    exercise = _select(catalog, [args.id])[0]
    shown = report.display_path(exercise, exercise.work_file)
    shipped = of_record(exercise)
    if shipped is None:
        _say(t("cli.reset.no_stub", file=shown), err=True)
        return 1
    state = State.load(catalog.root)
    if exercise.work_file.is_file() and is_stub(exercise):
        _say(t("cli.reset.already", file=shown))
        return 0
    if not args.yes:
        if not (sys.stdin and sys.stdin.isatty()):
            _say(t("cli.reset.no_terminal", file=shown, id=exercise.id), err=True)
            return 1
        try:
            answer = input(t("cli.reset.confirm", file=shown) + " ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in t("cli.reset.yes_answers").split():
            _say(t("cli.reset.kept", file=shown))
            return 1
    exercise.work_file.parent.mkdir(parents=True, exist_ok=True)
    exercise.work_file.write_bytes(shipped)
    state.forget(exercise)
    if not state.save():
        _say(t("cli.error.state_not_saved", file=str(state.path)), err=True)
    _say(t("cli.reset.done", file=shown, id=exercise.id))
    return 0


def cmd_watch(args) -> int:
    from grader.watch import loop

    catalog = _catalog()
    first = _select(catalog, [args.id])[0] if args.id else None
    return loop.run(catalog, first, _methods(None), Style.for_stream(sys.stdout, args.color), poll=args.poll)


def cmd_gradebook(args) -> int:
    from grader.output import gradebook

    catalog = _catalog()
    if args.merge:
        from grader.output import classgrades

        if args.folders:
            raise UsageError(t("classgrade.help.merge_or_folders"))
        return classgrades.merge(catalog, args.merge, out=args.out, summary_file=args.summary, say=_say)
    methods = _methods(args.start_method)
    return gradebook.run(catalog, args.folders, out=args.out, jobs=args.jobs, methods=methods,
                         reports_dir=args.reports_dir, say=_say)


def cmd_stubs(args) -> int:
    """Write each exercise's stub from its solution (the one source); with --check only
    say which are stale."""
    from grader.course import stubs

    catalog = _catalog()
    stale = 0
    for exercise in _select(catalog, args.ids):
        try:
            made = stubs.make_stub(exercise.solution.read_text(encoding="utf-8")).encode("utf-8")
        except OSError:
            _say(t("cli.stubs.no_solution", file=str(exercise.solution)), err=True)
            return 1
        except stubs.StubError as exc:
            _say(t("cli.stubs.bad_markers", file=str(exercise.solution), error=str(exc)), err=True)
            return 1
        current = exercise.work_file.read_bytes() if exercise.work_file.is_file() else None
        if stubs.same_text(current, made):
            continue
        stale += 1
        if args.check:
            _say(t("cli.stubs.stale", file=str(exercise.work_file)))
        else:
            exercise.work_file.parent.mkdir(parents=True, exist_ok=True)
            exercise.work_file.write_bytes(made)
            _say(t("cli.stubs.written", file=str(exercise.work_file)))
    if not stale:
        _say(t("cli.stubs.up_to_date"))
    return 1 if args.check and stale else 0


def cmd_new(args) -> int:
    """Scaffold a new exercise: its own files and one catalog block."""
    from grader.course import scaffold

    catalog = _catalog()
    try:
        written = scaffold.create(catalog, args.id, args.slug, args.title, points=args.points)
    except scaffold.ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    for path in written:
        _say(t("kit.new.wrote", file=str(path.relative_to(catalog.root).as_posix())))
    _say(t("kit.new.next", id=args.id, slug=args.slug))
    return 0


def cmd_student_kit(args) -> int:
    """Write the repository students get."""
    from grader.course import studentkit

    catalog = _catalog()
    try:
        files = studentkit.write(catalog, args.out, repository=args.kit_repository, ref=args.kit_ref)
    except studentkit.StudentKitError as exc:
        raise UsageError(t("kit.student.refused", reason=str(exc))) from None
    _say(t("kit.student.done", out=str(args.out), count=len(files)))
    return 0


def cmd_verify(args) -> int:
    catalog = _catalog()
    try:
        from grader.verification import verify
    except ModuleNotFoundError as exc:
        if exc.name != "grader.verification.verify":
            raise
        _say(t("cli.verify.missing"), err=True)
        return 1
    return verify.run(catalog, repeats=args.repeats)


# ---------------------------------------------------------------- wiring

def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(t("cli.error.positive", got=text))
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="grader", description=t("cli.help.description"), epilog=t("cli.help.epilog"))
    parser.add_argument("--version", action="version", version=f"grader {__version__}",
                        help=argparse_text("show program's version number and exit"))
    parser.add_argument("--lang", metavar="LANG", help=t("cli.help.lang", languages=", ".join(LANGUAGES)))
    # --lang after the command too (`grader check 03 --lang zh-CN`); main() reads it first.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", metavar="LANG", default=argparse.SUPPRESS,
                        help=t("cli.help.lang", languages=", ".join(LANGUAGES)))
    colour = argparse.ArgumentParser(add_help=False, parents=[common])
    colour.add_argument("--color", "--colour", choices=("auto", "always", "never"), default="auto",
                        help=t("cli.help.color"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    sub = commands.add_parser("list", parents=[colour], help=t("cli.help.list"), description=t("cli.help.list"))
    sub.set_defaults(handler=cmd_list)

    sub = commands.add_parser("check", parents=[colour], help=t("cli.help.check"), description=t("cli.help.check"))
    sub.add_argument("ids", nargs="*", metavar="ID", help=t("cli.help.ids"))
    sub.add_argument("--start-method", action="append", metavar="METHOD", help=t("cli.help.start_method"))
    sub.add_argument("--json", metavar="FILE", help=t("cli.help.json"))
    sub.add_argument("--from", dest="from_dir", metavar="DIR", help=t("cli.help.from"))
    sub.add_argument("--report", action="append", metavar="FORMAT=PATH", help=t("cli.help.report"))
    sub.add_argument("--ci", action="store_true", help=t("cli.help.ci"))
    sub.set_defaults(handler=cmd_check)

    sub = commands.add_parser("watch", parents=[colour], help=t("watch.help.command"),
                              description=t("watch.help.command"))
    sub.add_argument("id", nargs="?", metavar="ID", help=t("watch.help.id"))
    sub.add_argument("--poll", action="store_true", help=t("watch.help.poll"))
    sub.set_defaults(handler=cmd_watch)

    sub = commands.add_parser("gradebook", parents=[common], help=t("cli.help.gradebook"), description=t("cli.help.gradebook"))
    sub.add_argument("folders", nargs="*", metavar="DIR", help=t("cli.help.folders"))
    sub.add_argument("--merge", metavar="REPORTS_DIR", help=t("classgrade.help.merge"))
    sub.add_argument("--summary", metavar="FILE", help=t("classgrade.help.summary"))
    sub.add_argument("--out", default="grades.csv", metavar="FILE", help=t("cli.help.out"))
    sub.add_argument("--jobs", type=_positive, default=1, metavar="N", help=t("cli.help.jobs"))
    sub.add_argument("--reports", dest="reports_dir", metavar="DIR", help=t("cli.help.reports_dir"))
    sub.add_argument("--start-method", action="append", metavar="METHOD", help=t("cli.help.start_method"))
    sub.set_defaults(handler=cmd_gradebook)

    sub = commands.add_parser("hint", parents=[common], help=t("cli.help.hint"), description=t("cli.help.hint"))
    sub.add_argument("id", metavar="ID", help=t("cli.help.id"))
    sub.set_defaults(handler=cmd_hint)

    sub = commands.add_parser("reset", parents=[common], help=t("cli.help.reset"), description=t("cli.help.reset"))
    sub.add_argument("id", metavar="ID", help=t("cli.help.id"))
    sub.add_argument("--yes", "-y", action="store_true", help=t("cli.help.yes"))
    sub.set_defaults(handler=cmd_reset)

    sub = commands.add_parser("new", parents=[common], help=t("kit.help.new"), description=t("kit.help.new"))
    sub.add_argument("id", metavar="NN", help=t("kit.help.new_id"))
    sub.add_argument("slug", metavar="SLUG", help=t("kit.help.new_slug"))
    sub.add_argument("title", metavar="TITLE", help=t("kit.help.new_title"))
    sub.add_argument("--points", type=_positive, default=10, metavar="N", help=t("kit.help.new_points"))
    sub.set_defaults(handler=cmd_new)

    sub = commands.add_parser("student-kit", parents=[common], help=t("kit.help.student_kit"),
                              description=t("kit.help.student_kit"))
    sub.add_argument("out", metavar="OUT", help=t("kit.help.student_out"))
    sub.add_argument("--kit-repository", metavar="OWNER/NAME", help=t("kit.help.kit_repository"))
    sub.add_argument("--kit-ref", metavar="REF", help=t("kit.help.kit_ref"))
    sub.set_defaults(handler=cmd_student_kit)

    sub = commands.add_parser("stubs", parents=[common], help=t("cli.help.stubs"), description=t("cli.help.stubs"))
    sub.add_argument("ids", nargs="*", metavar="ID", help=t("cli.help.ids"))
    sub.add_argument("--check", action="store_true", help=t("cli.help.stubs_check"))
    sub.set_defaults(handler=cmd_stubs)

    sub = commands.add_parser("verify", parents=[common], help=t("cli.help.verify"), description=t("cli.help.verify"))
    sub.add_argument("--repeats", type=_positive, default=3, metavar="N", help=t("cli.help.repeats"))
    sub.set_defaults(handler=cmd_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # a message must never crash on its encoding
        except (AttributeError, ValueError):
            pass
    try:
        set_language(_language_option(sys.argv[1:] if argv is None else argv))
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return 2
        return args.handler(args)
    except UsageError as exc:
        _say(Style.for_stream(sys.stderr, "never").wrap(str(exc)), err=True)
        return 2
    except KeyboardInterrupt:
        from grader.sandbox.processes import end_descendants

        end_descendants()
        _say(t("cli.interrupted"), err=True)
        return 130
    except BrokenPipeError:
        try:  # the reader went away (`grader list | head`): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return 1
    except Exception as exc:  # a bug in the grader: one clear line, the traceback on request
        if os.environ.get("GRADER_DEBUG"):
            raise
        _say(t("cli.error.internal", type=type(exc).__name__, message=str(exc)), err=True)
        return 3
