"""What a graded push shows on GitHub Actions: the job summary (Markdown), an error
annotation on the student's file for each failing exercise, one `Points X/Y` notice, and
the stop-commands fence that keeps whatever a submission prints out of the runner's reach.

Every text from the submission is escaped here through grader.escaping: table cells lose
all Markdown and HTML meaning, longer texts go into <pre> blocks as escaped HTML.
"""

from __future__ import annotations

import html
import os
import secrets
from pathlib import Path

from grader.output.escaping import clean, command_data, command_property, headline, html_block, markdown_inline
from grader.output.report import points
from grader.text import t

# Read by tools as Classroom's reporter wrote it: keep these two strings as they are.
NOTICE_TITLE = "Autograding complete"
NOTICE_TEXT = "Points {earned}/{possible}"
ANNOTATION_LIMIT = 2000
CELL_LIMIT = 160
DETAIL_LIMIT = 3000



def _what_failed(result) -> str:
    """One line: the first failing test and what went wrong (the line after `Called …`)."""
    failure = result.first_failure
    if failure is None:
        return headline(result.message, after_call=False)
    return f"{failure.name}: {headline(failure.message)}"


def markdown(grading) -> str:
    """The job summary: a table of exercises, the total, changed kit files, and what each
    failing exercise's first failure said."""
    earned, possible = points(grading.points), points(grading.max_points)
    lines = [f"## {html.escape(t('report.md.title', earned=earned, possible=possible))}", ""]
    lines.append("| " + " | ".join(html.escape(t(f"report.md.column.{c}"))
                                    for c in ("exercise", "status", "points", "failure")) + " |")
    lines.append("| :-- | :-- | --: | :-- |")
    for result in grading.results:
        exercise = result.exercise
        status = t(f"report.status.{result.status}")
        failure = "" if result.passed else markdown_inline(_what_failed(result), CELL_LIMIT)
        lines.append(f"| {markdown_inline(exercise.id + ' ' + exercise.slug)} | {html.escape(status)} "
                     f"| {points(result.score)}/{points(exercise.points)} | {failure} |")
    passed = sum(1 for r in grading.results if r.passed)
    lines += ["", html.escape(t("report.md.total", earned=earned, possible=possible, passed=passed,
                                count=len(grading.results), methods=", ".join(grading.methods)))]
    if grading.changed:
        files = ", ".join(markdown_inline(f"{c['path']} ({t('report.change.' + c['change'])})")
                          for c in grading.changed[:20])
        more = len(grading.changed) - 20
        lines += ["", "> [!WARNING]", "> " + html.escape(t("report.md.changed", count=len(grading.changed)))
                  + " " + files + (f" … (+{more})" if more > 0 else "")]
    for result in grading.results:
        if result.passed:
            continue
        failure = result.first_failure
        body = result.message if failure is None else failure.message
        if failure is not None and failure.output:
            body += "\n\n" + t("report.printed") + "\n" + clean(failure.output, 500)
        heading = html.escape(t("report.md.details", id=result.exercise.id, slug=result.exercise.slug,
                                file=result.file))
        lines += ["", f"<details><summary>{heading}</summary>", "", "<pre>",
                  html_block(body, DETAIL_LIMIT), "</pre>", "", "</details>"]
    return "\n".join(lines) + "\n"


def annotations(grading) -> list[str]:
    """The workflow commands: an error on the student's file per failing exercise (at the
    line of their code where the first failure surfaced, when known), a warning when kit
    files were changed, and the `Points X/Y` notice, last."""
    commands = []
    for result in grading.results:
        if result.passed:
            continue
        exercise = result.exercise
        failure = result.first_failure
        props = {"file": result.file,
                 "title": t("report.annotation_title", id=exercise.id, slug=exercise.slug,
                            earned=points(result.score), possible=points(exercise.points))}
        if failure is not None and failure.line:
            props["line"] = str(failure.line)
        text = clean(result.message if failure is None else failure.message, ANNOTATION_LIMIT)
        rendered = ",".join(f"{key}={command_property(value)}" for key, value in props.items())
        commands.append(f"::error {rendered}::{command_data(text)}")
    if grading.changed:
        files = ", ".join(c["path"] for c in grading.changed[:10])
        text = clean(t("report.changed", count=len(grading.changed), files=files), ANNOTATION_LIMIT)
        commands.append(f"::warning title={command_property(t('report.changed_title'))}::{command_data(text)}")
    notice = NOTICE_TEXT.format(earned=points(grading.points), possible=points(grading.max_points))
    commands.append(f"::notice title={command_property(NOTICE_TITLE)}::{notice}")
    return commands


class CommandFence:
    """`::stop-commands::TOKEN` … `::TOKEN::`: while it is up the runner ignores workflow
    commands, whoever prints them. The token is random and never in the environment, so
    code under test can't lift the fence."""

    def __init__(self, say):
        self.say = say
        self.token = None

    def raise_(self) -> None:
        if self.token is None:
            self.token = secrets.token_hex(16)
            self.say(f"::stop-commands::{self.token}")

    def lower(self) -> None:
        if self.token is not None:
            self.say(f"::{self.token}::")
            self.token = None


def append_step_summary(text: str) -> Path | None:
    """Append to the job summary file GitHub Actions gives (GITHUB_STEP_SUMMARY), if any."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    with open(target, "a", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return Path(target)
