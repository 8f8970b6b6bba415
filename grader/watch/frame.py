"""The frame: what one screen of `grader watch` shows, as lines that fit the terminal.

`compose(view, style, columns, rows)` turns a View (what the loop knows) into exactly
`rows` lines, none wider than the terminal: the exercise's title; its verdict (the report
of `grader check`, cut with a note when the window is too short); each start method's mark;
what happens next; the hints shown so far; a notice; and at the bottom how saves are
watched and the keys (or the question being asked). Lines are wrapped by display width (a
CJK character takes two columns), with colours carried over to the next row.
May import: grader.output.report, grader.text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wcwidth import wcwidth

from grader.output.report import Style, exercise_report, width
from grader.text import t

KEYS = (("h", "hint"), ("l", "list"), ("n", "next"), ("p", "previous"), ("r", "again"),
        ("x", "reset"), ("q", "quit"))
RESET = "\x1b[0m"
_TOKEN = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|.", re.S)


@dataclass
class View:
    """Everything one screen shows. `marks`: start method -> True (passes), False (fails),
    None (being checked or waiting) or "not_run"."""

    exercise: object
    file: str
    mode: str = "verdict"                   # verdict, list or confirm
    result: object = None                   # the verdict so far (an ExerciseResult)
    marks: dict = field(default_factory=dict)
    checking: list = field(default_factory=list)    # the methods being checked now
    queued: bool = False                    # a save is waiting for the running check
    hints: list = field(default_factory=list)       # the hints shown so far
    hints_total: int = 0
    passed: bool = False                    # passes under every start method
    all_pass: bool = False                  # ... and so does every other exercise
    missing: bool = False                   # the exercise's file is missing
    progress: str = ""                      # the progress line of `grader list`
    listing: str = ""                       # the list of `grader list`, in list mode
    list_checking: list = field(default_factory=list)   # ids the list waits for
    notice: str = ""
    watching: str = ""
    question: str = ""                      # asked instead of the keys line (confirm mode)


# ---------------------------------------------------------------- display width

def char_width(char: str) -> int:
    """Columns one character takes (wcwidth's tables, as the terminal report uses them)."""
    return max(0, wcwidth(char))


def wrap(line: str, columns: int) -> list[str]:
    """`line` as rows of at most `columns` columns: broken at the last space that fits,
    else anywhere; a continued row keeps the line's indentation and its colour."""
    line = line.expandtabs(4)
    columns = max(columns, 8)
    indent = len(line) - len(line.lstrip(" "))
    indent = indent if indent <= columns // 2 else 0
    rows: list[str] = []
    row: list[tuple[str, int, str]] = []    # (token, its width, the colour in force after it)
    used, colour = 0, ""
    for token in _TOKEN.findall(line):
        if token.startswith("\x1b"):
            if token.endswith("m"):
                colour = "" if token in (RESET, "\x1b[m") else colour + token
            row.append((token, 0, colour))
            continue
        size = char_width(token)
        if used + size > columns and used > indent:
            cut = max((i for i, (tok, _, _) in enumerate(row) if tok == " " and i > indent), default=None)
            if cut is None or sum(w for _, w, _ in row[:cut]) <= indent:
                cut = len(row)
            head, tail = row[:cut], row[cut:]
            if tail and tail[0][0] == " ":
                tail = tail[1:]
            before = head[-1][2] if head else ""
            rows.append("".join(tok for tok, _, _ in head).rstrip() + (RESET if before else ""))
            row = [(" " * indent, indent, before)] + ([(before, 0, before)] if before else []) + tail
            used = sum(w for _, w, _ in row)
        row.append((token, size, colour))
        used += size
    rows.append("".join(tok for tok, _, _ in row))
    return rows


def fit(lines: list[str], columns: int) -> list[str]:
    return [row for line in lines for row in wrap(line, columns)]


# ---------------------------------------------------------------- the frame

def _mark(style: Style, value) -> str:
    if value is True or value is False:
        return style.mark(value)
    suffix = "" if style.unicode else "_ascii"
    key = "watch.screen.not_run" if value == "not_run" else "watch.screen.pending"
    return style.paint(t(key + suffix), "dim")


def _keys_line(style: Style) -> str:
    return "  ".join(t("watch.screen.key", key=style.paint(key, "bold"), action=t(f"watch.key.{name}"))
                     for key, name in KEYS)


def _verdict(view: View, style: Style) -> list[str]:
    if view.missing:
        return [style.paint(t("watch.screen.missing", file=view.file), "yellow")]
    if view.result is None:
        methods = ", ".join(view.checking) or "-"
        return [t("watch.screen.checking", file=view.file, methods=methods)]
    return exercise_report(view.result, style).splitlines()


def _tail(view: View, style: Style) -> list[str]:
    lines: list[str] = []
    if view.marks and not view.missing:
        items = "  ".join(t("watch.screen.method", method=m, mark=_mark(style, v)) for m, v in view.marks.items())
        lines += ["", t("watch.screen.methods", items=items)]
    status = []
    if view.result is not None and view.checking:
        status.append(t("watch.screen.checking_rest", methods=", ".join(view.checking)))
    if view.queued:
        status.append(t("watch.screen.queued"))
    if not view.checking and not view.queued and view.result is not None and not view.missing:
        if view.all_pass:
            status.append(style.paint(t("watch.screen.all_pass"), "green"))
        elif view.passed:
            status.append(style.paint(t("watch.screen.passes", id=view.exercise.id), "green"))
        else:
            status.append(t("watch.screen.fails", file=view.file))
    lines += status
    if view.passed and view.progress and not view.checking:
        lines.append(view.progress)
    if view.hints:
        lines.append("")
        total = view.hints_total
        for number, hint in enumerate(view.hints, start=1):
            lines.append(t("watch.hint.line", number=number, total=total, text=hint))
        if len(view.hints) < total:
            lines.append(style.paint(t("watch.hint.more", left=total - len(view.hints)), "dim"))
    return lines


def compose(view: View, style: Style, columns: int, rows: int) -> list[str]:
    """The screen: exactly `rows` lines of at most `columns - 1` columns."""
    columns = max(columns - 1, 20)      # the last column is left free: no terminal wraps early
    rows = max(rows, 6)
    footer = [style.paint(view.watching, "dim")] if view.watching else []
    footer.append(style.paint(view.question, "yellow") if view.question else _keys_line(style))
    footer = fit(footer, columns)
    if view.mode == "list":
        head = [style.paint(t("watch.list.title"), "bold"), ""]
        middle = view.listing.splitlines()
        tail = [""]
        if view.list_checking:
            tail.append(t("watch.list.checking", ids=", ".join(view.list_checking)))
        tail.append(t("watch.list.back", id=view.exercise.id))
    else:
        head = [style.paint(t("watch.screen.title", id=view.exercise.id, slug=view.exercise.slug,
                              title=view.exercise.title), "bold"), ""]
        middle = _verdict(view, style)
        tail = _tail(view, style)
    if view.notice:
        tail += ["", style.paint(view.notice, "yellow")]
    head, middle, tail = fit(head, columns), fit(middle, columns), fit(tail, columns)
    room = rows - len(footer) - len(head)
    if len(middle) + len(tail) > room:
        keep = max(room - len(tail) - 1, 1)
        if keep < len(middle):
            cut = len(middle) - keep
            middle = middle[:keep] + fit([style.paint(t("watch.screen.more_lines", count=cut,
                                                         id=view.exercise.id), "dim")], columns)[:1]
    body = (head + middle + tail)[:max(rows - len(footer), 0)]
    return body + [""] * (rows - len(footer) - len(body)) + footer[-rows:]
