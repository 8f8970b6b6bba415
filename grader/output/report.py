"""How results look on a terminal: the report of `grader check` and `grader list` and the
hints of `grader hint` (result files are grader.exports). Every word comes from
grader/locale/<language>/cli.toml through grader.text.t.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from wcwidth import wcswidth, wcwidth

from grader.course.catalog import Exercise
from grader.text import t
from grader.results import Status

COLOURS = {"green": "32", "red": "31", "yellow": "33", "bold": "1", "dim": "2"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A line never starts with these (closing punctuation) nor ends with those (opening), in
# Chinese or English; a `code span` is never broken.
_CLOSING = set("，。、；：！？）》」』】〕〉”’…%,.;:!?)]}")
_OPENING = set("（《「『【〔〈“‘([{")
MIN_WRAP = 30   # narrower than this, wrapping does more harm than good


# ---------------------------------------------------------------- display width

def width(text: str) -> int:
    """The columns `text` takes on a terminal: a CJK character takes two, a combining mark
    none, colour codes none (wcwidth, the Unicode tables terminals use)."""
    text = _ANSI.sub("", text)
    found = wcswidth(text)
    if found >= 0:
        return found
    return sum(max(0, wcwidth(char)) for char in text)   # a control character counts 0


def ljust(text: str, columns: int) -> str:
    """`text` padded with spaces on the right to `columns` display columns."""
    return text + " " * max(0, columns - width(text))


def rjust(text: str, columns: int) -> str:
    """`text` padded with spaces on the left to `columns` display columns."""
    return " " * max(0, columns - width(text)) + text


def _words(body: str) -> list[tuple[str, str]]:
    """(separator, word) pairs: a word is what a line may not be broken inside. Breaks fall
    at spaces and next to a wide (CJK) character, never inside a `code span`, never before
    closing punctuation nor after opening punctuation."""
    tokens = re.findall(r"`[^`]*`|\s+|.", body)
    words: list[tuple[str, str]] = []
    sep, word = "", ""
    for token in tokens:
        if token.isspace():
            if word:
                words.append((sep, word))
                sep, word = "", ""
            sep += token
            continue
        if word:
            left, right = word[-1], token[0]
            wide = wcwidth(left) == 2 or wcwidth(right) == 2
            if wide and right not in _CLOSING and left not in _OPENING:
                words.append((sep, word))
                sep, word = "", ""
        word += token
    if word:
        words.append((sep, word))
    return words


def _sites() -> list:
    """The line of the student's code a failure points at (`at FILE, line N: CODE`), in any
    language: CODE is never broken; a line too long breaks only before it."""
    from grader.text import template_regex

    return template_regex("runner.site", code=".*")


def wrap(text: str, columns: int | None, hang: int | None = None) -> str:
    """Each line of `text` broken to fit `columns` display columns (None: as it is).
    A continuation line is indented like its line, or by `hang` columns when given."""
    if not columns or columns < MIN_WRAP:
        return text
    out = []
    sites = _sites()
    for line in text.split("\n"):
        if width(line) <= columns:
            out.append(line)
            continue
        site = next((m for m in (p.search(line) for p in sites) if m and m["code"]), None)
        if site is not None:
            indent = line[: len(line) - len(line.lstrip(" "))]
            out += [line[: site.start("code")].rstrip(), indent + "  " + site["code"]]
            continue
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        follow = " " * hang if hang is not None else indent
        current, used = indent, width(indent)
        start = True
        for sep, word in _words(body):
            size = width(word)
            if not start and used + width(sep) + size > columns:
                out.append(current.rstrip())
                current, used = follow + word, width(follow) + size
                continue
            piece = word if start else sep + word
            current += piece
            used += width(piece)
            start = False
        out.append(current.rstrip())
    return "\n".join(out)


def _enable_windows_ansi(stream) -> bool:
    """Windows consoles show ANSI colours only once asked to (virtual terminal mode)."""
    try:
        import ctypes
        import msvcrt

        kernel32 = ctypes.windll.kernel32
        handle = msvcrt.get_osfhandle(stream.fileno())
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))
    except Exception:
        return False


class Style:
    """Colour (ANSI) and the pass/fail marks, as the output stream can show them."""

    def __init__(self, colour: bool = False, unicode: bool = True, columns: int | None = None):
        self.colour = colour
        self.unicode = unicode
        self.columns = columns      # wrap long lines to this width; None: don't

    def wrap(self, text: str, hang: int | None = None) -> str:
        return wrap(text, self.columns, hang)

    @classmethod
    def for_stream(cls, stream, mode: str = "auto") -> "Style":
        """Colour with mode "always"; with "auto" only on a terminal and when NO_COLOR is not
        set (to any value, https://no-color.org); never with "never"."""
        if mode == "always":
            colour = True
        elif mode == "never" or "NO_COLOR" in os.environ:
            colour = False
        else:
            try:
                colour = stream.isatty()
            except (AttributeError, ValueError, OSError):
                colour = False
            if colour and sys.platform == "win32":
                colour = _enable_windows_ansi(stream)
        marks = t("cli.mark.pass") + t("cli.mark.fail")
        try:
            marks.encode(getattr(stream, "encoding", None) or "ascii")
            unicode = True
        except (UnicodeEncodeError, LookupError):
            unicode = False
        return cls(colour, unicode, terminal_columns(stream))

    def paint(self, text: str, colour: str) -> str:
        if not self.colour or not text:
            return text
        return f"\x1b[{COLOURS[colour]}m{text}\x1b[0m"

    def mark(self, passed: bool) -> str:
        suffix = "" if self.unicode else "_ascii"
        if passed:
            return self.paint(t("cli.mark.pass" + suffix), "green")
        return self.paint(t("cli.mark.fail" + suffix), "red")


def terminal_columns(stream) -> int | None:
    """The width of the terminal `stream` writes to (COLUMNS overrides it, as for every
    program); None when it is not a terminal: a file or a pipe gets lines as they are."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError, OSError):
        return None
    return shutil.get_terminal_size().columns - 1   # the last column makes some terminals wrap


def points(value: float) -> str:
    """15.0 -> "15", 3.75 -> "3.75"."""
    value = round(float(value), 2)
    return str(int(value)) if value == int(value) else f"{value:g}"


def indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line.strip() else line.rstrip() for line in text.splitlines())


def display_path(exercise: Exercise, path: Path) -> str:
    """A kit file as the student sees it: relative to the kit's root, with `/`."""
    try:
        return Path(path).relative_to(exercise.root).as_posix()
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- grader check

def _test_line(test, style: Style) -> str:
    details = []
    ran_under = list(test.methods)
    failed = test.failed_methods
    if failed and len(failed) < len(ran_under):
        details.append(t("cli.check.failed_under", methods=", ".join(failed)))
    if test.status in (Status.TIMEOUT, Status.ERROR):
        details.append(t(f"cli.check.status_{test.status}"))
    extra = t("cli.check.details", items=t("cli.check.separator").join(details)) if details else ""
    return t("cli.check.test_line", mark=style.mark(False), name=test.name, details=extra)


def exercise_report(result, style: Style, slug_width: int = 0, score_width: int = 0,
                    untouched: bool = False) -> str:
    """The verdict line of one exercise and, when it fails, its failing tests: tests that
    failed with the same message are listed together above that message, shown once.
    An `untouched` exercise (still the stub) gets one line instead of its failures."""
    exercise = result.exercise
    score = f"{points(result.score)}/{points(exercise.points)}"
    lines = [t("cli.check.verdict", mark=style.mark(result.passed), id=exercise.id,
               slug=ljust(exercise.slug, slug_width), score=rjust(score, score_width))]
    if result.passed:
        return "\n".join(lines)
    if untouched:
        lines.append(style.wrap(indent(t("cli.check.untouched", id=exercise.id), "  ")))
        return "\n".join(lines)
    groups: dict[str, list] = {}
    for test in result.tests:
        if test.status not in Status.OK:
            groups.setdefault(test.message.strip(), []).append(test)
    for message, tests in groups.items():
        for test in tests:
            lines.append(indent(_test_line(test, style), "  "))
        if message:
            lines.append(style.wrap(indent(message, "      ")))
        lines.append("")
    if result.message:
        lines.append(style.wrap(indent(result.message.strip(), "  ")))
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def check_report(results: list, style: Style, untouched: set[str] = frozenset()) -> str:
    """Every exercise's verdict and failures; the ids in `untouched` are still the stub."""
    slug_width = max((width(r.exercise.slug) for r in results), default=0)
    score_width = max((width(f"{points(r.score)}/{points(r.exercise.points)}") for r in results), default=0)
    blocks = [exercise_report(r, style, slug_width, score_width, r.exercise.id in untouched)
              for r in results]
    many_lines = any("\n" in block for block in blocks)
    return ("\n\n" if many_lines else "\n").join(blocks)


def check_summary(results: list, style: Style, next_failing: Exercise | None,
                  next_todo: Exercise | None, everything_passes: bool,
                  untouched: set[str] = frozenset()) -> str:
    earned = sum(r.score for r in results)
    possible = sum(r.exercise.points for r in results)
    passed = sum(1 for r in results if r.passed)
    lines = [style.paint(t("cli.check.total", earned=points(earned), possible=points(possible),
                           passed=passed, count=len(results)), "bold")]
    if next_failing is not None and next_failing.id in untouched:
        lines.append(t("cli.next.exercise", id=next_failing.id, slug=next_failing.slug,
                       file=display_path(next_failing, next_failing.work_file)))
    elif next_failing is not None:
        lines.append(t("cli.next.fix", id=next_failing.id,
                       file=display_path(next_failing, next_failing.work_file)))
    elif everything_passes:
        lines.append(t("cli.next.all_done"))
    elif next_todo is not None:
        lines.append(t("cli.next.exercise", id=next_todo.id, slug=next_todo.slug,
                       file=display_path(next_todo, next_todo.work_file)))
    return style.wrap("\n".join(lines))


# ---------------------------------------------------------------- grader list

STATUS_COLOURS = {"passing": "green", "failing": "red", "not_started": "dim", "missing": "yellow",
                  "no_tests": "yellow"}


def list_report(rows: list[tuple[Exercise, str, float]], style: Style) -> str:
    """One line per exercise (id, slug, title, status, points) and the progress bar.
    `rows` holds (exercise, status key, points earned); status keys: passing, failing,
    not_started, missing, no_tests."""
    labels = {key: t(f"cli.list.status.{key}") for key in STATUS_COLOURS}
    slug_w = max((width(e.slug) for e, _, _ in rows), default=0)
    title_w = max((width(e.title) for e, _, _ in rows), default=0)
    status_w = max((width(labels[s]) for _, s, _ in rows), default=0)
    score_w = max((width(f"{points(p)}/{points(e.points)}") for e, _, p in rows), default=0)
    lines = []
    for exercise, status, earned in rows:
        score = f"{points(earned)}/{points(exercise.points)}"
        lines.append(t("cli.list.row", id=exercise.id, slug=ljust(exercise.slug, slug_w),
                       title=ljust(exercise.title, title_w),
                       status=style.paint(ljust(labels[status], status_w), STATUS_COLOURS[status]),
                       score=rjust(score, score_w)).rstrip())
    done = sum(1 for _, s, _ in rows if s == "passing")
    earned = sum(p for _, _, p in rows)
    possible = sum(e.points for e, _, _ in rows)
    bar_width = 10
    filled = round(bar_width * done / len(rows)) if rows else 0
    bar = "#" * filled + "-" * (bar_width - filled)
    lines.append("")
    lines.append(style.paint(t("cli.list.progress", bar=bar, done=done, count=len(rows),
                               earned=points(earned), possible=points(possible)), "bold"))
    return "\n".join(lines)


# ---------------------------------------------------------------- grader hint

def hints_report(exercise: Exercise, shown: int, solution_exists: bool, style: Style | None = None) -> str:
    """The hints revealed so far, numbered, and what comes next. A long hint wraps under
    its own text, not under `Hint 1/4:`."""
    style = style or Style()
    total = len(exercise.hints)
    lines = [t("cli.hint.header", id=exercise.id, slug=exercise.slug, title=exercise.title), ""]
    if total == 0:
        lines.append(t("cli.hint.none"))
    for number, hint in enumerate(exercise.hints[:shown], start=1):
        prefix = width(t("cli.hint.line", number=number, total=total, text=""))
        lines.append(style.wrap(t("cli.hint.line", number=number, total=total, text=hint),
                                hang=prefix if prefix < 20 else None))
    lines.append("")
    if shown < total:
        lines.append(t("cli.hint.more", id=exercise.id, left=total - shown))
    elif solution_exists:
        lines.append(t("cli.hint.all_shown", file=display_path(exercise, exercise.solution)))
    else:
        lines.append(t("cli.hint.all_shown_no_solution"))
    return style.wrap("\n".join(lines))
