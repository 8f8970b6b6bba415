"""`grader gradebook --merge REPORTS_DIR`: the class's grades of record from the reports the
jobs of .github/workflows/grade-class.yml left (or that were downloaded from its run), into
`grades.csv` (the columns `grader gradebook` writes, plus the commit graded, its time and
whether it was late) and a Markdown summary of the class.

What REPORTS_DIR holds, as the workflow's artifacts lay it out (each in a folder of its own
when downloaded with `gh run download`, or all in one):

    class.json                         the class list (scripts/grade_class.py list)
    [grading-fetched-N/]owner/name/submission.json
                                       what job N fetched: the commit graded and its time,
                                       late or not, or why the repository could not be read
                                       (in an artifact's folder, only from grading-fetched-N)
    [grading-reports-N/]owner/name/grader.json
                                       the student's report (`grader check --report json=`)

A report counts only from the job that fetched that student (a student's code runs in the
job that grades it and could write files for others). `<student>.json` reports at the top
of REPORTS_DIR (what `grader gradebook --reports` keeps) count too. Every student of the
class list gets a row, graded or not, and the row says why not.
"""

from __future__ import annotations

import csv
import html
import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalog import Catalog
from grader.output.gradebook import _cell, columns, graded_row, ungraded_row
from grader.output.escaping import markdown_inline
from grader.output.report import points
from grader.text import t

RESULT_SCHEMA = "grader/result/v1"
FETCHED = "grading-fetched-"     # the artifacts of what each job fetched (grade-class.yml)
NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
BINS = 10


class ReportError(ValueError):
    """A report that can't be read as the kit's JSON result."""


@dataclass
class Student:
    key: str                       # owner/name (a repository), or a flat report's name
    meta: dict | None = None       # its submission.json
    meta_job: int = 0
    reports: list = field(default_factory=list)    # (artifact folder or None, path)
    name: str = ""
    row: list = field(default_factory=list)
    report: dict | None = None
    status: str = "graded"         # graded, error, not_graded
    reason: str = ""


def _load(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def _repository(parts: tuple[str, ...]) -> str | None:
    if len(parts) >= 2 and all(NAME.fullmatch(p) and p not in (".", "..") for p in parts[-2:]):
        return "/".join(parts[-2:])
    return None


def read_report(path: Path) -> dict:
    """A student's JSON report, checked for the fields the gradebook reads."""
    data = _load(path)
    if not isinstance(data, dict) or data.get("schema") != RESULT_SCHEMA:
        raise ReportError(t("classgrade.reason.not_a_report"))
    number = (int, float)
    exercises = data.get("exercises")
    if not isinstance(exercises, list) or not all(
            isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("points"), number)
            and not isinstance(e.get("points"), bool) for e in exercises):
        raise ReportError(t("classgrade.reason.not_a_report"))
    for key in ("points", "max_points"):
        if not isinstance(data.get(key), number) or isinstance(data.get(key), bool):
            raise ReportError(t("classgrade.reason.not_a_report"))
    changed = (data.get("submission") or {}).get("changed_kit_files", [])
    if not isinstance(changed, list):
        raise ReportError(t("classgrade.reason.not_a_report"))
    return data


def collect(root: Path) -> tuple[dict | None, dict[str, Student]]:
    """The class list (None when there is none) and every student found under `root`."""
    listing = None
    for path in sorted(root.rglob("class.json")):
        try:
            data = _load(path)
        except ReportError:
            continue
        if isinstance(data, dict) and isinstance(data.get("repositories"), list):
            listing = data
            break
    students: dict[str, Student] = {}
    for path in sorted(root.rglob("submission.json")):
        parts = path.parent.relative_to(root).parts
        key = _repository(parts)
        # In an artifact's folder, only a fetch record (kept before any student code ran).
        if len(parts) > 2 and not parts[0].startswith(FETCHED):
            continue
        try:
            data = _load(path)
        except ReportError:
            continue
        if key is None or not isinstance(data, dict) or data.get("repository") != key:
            continue
        student = students.setdefault(key, Student(key))
        if student.meta is None:
            student.meta = data
            job = data.get("job")
            student.meta_job = job if isinstance(job, int) and not isinstance(job, bool) else 0
    for path in sorted(root.rglob("grader.json")):
        parts = path.parent.relative_to(root).parts
        key = _repository(parts)
        if key is not None:
            students.setdefault(key, Student(key)).reports.append((parts[0] if len(parts) > 2 else None, path))
    for path in sorted(root.glob("*.json")):
        if path.name in ("class.json", "submission.json", "grader.json") or not NAME.fullmatch(path.stem):
            continue
        try:
            data = _load(path)
        except ReportError:
            continue
        if isinstance(data, dict) and data.get("schema") == RESULT_SCHEMA:
            students.setdefault(path.stem, Student(path.stem)).reports.append((None, path))
    return listing, students


def _own_report(student: Student) -> Path | None:
    """The report that counts: from the job that fetched the student, when that is known."""
    candidates = student.reports
    if student.meta_job:
        mine = [(top, p) for top, p in candidates if top is None or top.endswith(f"-{student.meta_job}")]
        candidates = mine
    return candidates[0][1] if candidates else None


def _names(keys: list[str]) -> dict[str, str]:
    """The student of each key: the repository's name, or owner/name where names collide."""
    short = [k.rsplit("/", 1)[-1] for k in keys]
    return {k: (k if short.count(s) > 1 else s) for k, s in zip(keys, short)}


def build(catalog: Catalog, listing: dict | None, found: dict[str, Student]) -> list[Student]:
    """Every student's row, in the class list's order (else by name)."""
    keys = list(dict.fromkeys(listing["repositories"])) if listing else sorted(found, key=str.lower)
    names = _names(keys)
    students = []
    for key in keys:
        student = found.get(key) or Student(key)
        student.name = names[key]
        meta = student.meta or {}
        state = meta.get("status")
        if state == "clone_failed":
            student.status, student.reason = "error", t("classgrade.reason.clone_failed",
                                                         detail=str(meta.get("detail", "")))
        elif state == "empty":
            student.status, student.reason = "error", t("classgrade.reason.empty")
        elif state == "late_skipped":
            student.status, student.reason = "not_graded", t("classgrade.reason.late_skipped")
        else:
            path = _own_report(student)
            if path is None:
                student.status = "error"
                student.reason = t("classgrade.reason.no_report") if student.meta or student.reports else \
                    t("classgrade.reason.not_fetched")
            else:
                try:
                    student.report = read_report(path)
                except ReportError as exc:
                    student.status, student.reason = "error", t("classgrade.reason.bad_report", detail=str(exc))
        folder = key if "/" in key else ""
        if student.report is not None:
            data = student.report
            scores = {e["id"]: float(e["points"]) for e in data["exercises"]}
            row = graded_row(catalog, student.name, folder, scores, float(data["points"]),
                             float(data["max_points"]), len(data["submission"].get("changed_kit_files", [])))
        else:
            word = "error" if student.status == "error" else "not graded"
            row = ungraded_row(catalog, student.name, folder, f"{word}: {student.reason}")
        late = bool(meta.get("late"))
        row += [_cell(str(meta.get("commit", ""))), _cell(str(meta.get("commit_time", ""))),
                t("classgrade.late_mark") if late else ""]
        student.row = row
        students.append(student)
    return students


def header(catalog: Catalog) -> list[str]:
    return columns(catalog) + [t("classgrade.header.commit"), t("classgrade.header.commit_time"),
                               t("classgrade.header.late")]


# ---------------------------------------------------------------- the class summary

def _cell_md(text: str, limit: int = 200) -> str:
    return markdown_inline(text, limit)


def summary(catalog: Catalog, listing: dict | None, students: list[Student]) -> str:
    """The class summary in Markdown: who was graded, how many passed each exercise, the
    distribution of totals, who could not be graded and why, who was late."""
    graded = [s for s in students if s.report is not None]
    late = [s for s in students if (s.meta or {}).get("late")]
    possible = sum(e.points for e in catalog.exercises)
    deadline = (listing or {}).get("deadline") or ""
    lines = [f"## {html.escape(t('classgrade.summary.title', graded=len(graded), count=len(students)))}", ""]
    lines.append(html.escape(t("classgrade.summary.deadline", deadline=deadline) if deadline
                             else t("classgrade.summary.no_deadline")))
    if listing and listing.get("late") in ("grade", "skip"):
        lines += ["", html.escape(t(f"classgrade.summary.late_policy.{listing['late']}"))]
    lines.append("")
    if not students:
        lines.append(html.escape(t("classgrade.summary.nobody")))
        return "\n".join(lines) + "\n"

    lines += [f"### {html.escape(t('classgrade.summary.exercises'))}", ""]
    lines.append("| " + " | ".join(html.escape(t(f"classgrade.summary.column.{c}"))
                                    for c in ("exercise", "passed", "mean")) + " |")
    lines.append("| :-- | --: | --: |")
    for exercise in catalog.exercises:
        passed = 0
        earned = []
        for student in graded:
            entry = next((e for e in student.report["exercises"] if e["id"] == exercise.id), None)
            passed += bool(entry and entry.get("status") == "pass")
            earned.append(float(entry["points"]) if entry else 0.0)
        mean = points(statistics.fmean(earned)) if earned else "–"
        lines.append(f"| {_cell_md(exercise.id + ' ' + exercise.slug)} | {passed}/{len(graded)} "
                     f"| {mean}/{points(exercise.points)} |")

    totals = [float(s.report["points"]) for s in graded]
    lines += ["", f"### {html.escape(t('classgrade.summary.totals', possible=points(possible)))}", ""]
    if totals:
        lines.append(html.escape(t("classgrade.summary.stats", mean=points(statistics.fmean(totals)),
                                   median=points(statistics.median(totals)), low=points(min(totals)),
                                   high=points(max(totals)), full=sum(1 for x in totals if x >= possible))))
        lines += ["", "| " + " | ".join(html.escape(t(f"classgrade.summary.column.{c}"))
                                        for c in ("points", "students")) + " |", "| :-- | :-- |"]
        width = possible / BINS if possible else 1
        counts = [0] * BINS
        for total in totals:
            counts[min(BINS - 1, max(0, int(total // width)))] += 1
        for index, count in enumerate(counts):
            closing = "]" if index == BINS - 1 else ")"    # the last bin holds full marks
            span = f"[{points(index * width)}–{points((index + 1) * width)}{closing}"
            lines.append(f"| {span} | {'█' * count} {count} |")
    else:
        lines.append(html.escape(t("classgrade.summary.none_graded")))

    ungraded = [s for s in students if s.report is None]
    if ungraded:
        lines += ["", f"### {html.escape(t('classgrade.summary.not_graded', count=len(ungraded)))}", ""]
        lines.append("| " + " | ".join(html.escape(t(f"classgrade.summary.column.{c}"))
                                        for c in ("student", "repository", "why")) + " |")
        lines.append("| :-- | :-- | :-- |")
        for student in ungraded:
            lines.append(f"| {_cell_md(student.name)} | {_cell_md(student.key)} | {_cell_md(student.reason, 300)} |")
    if late:
        lines += ["", f"### {html.escape(t('classgrade.summary.late', count=len(late)))}", ""]
        lines.append("| " + " | ".join(html.escape(t(f"classgrade.summary.column.{c}"))
                                        for c in ("student", "commit", "time", "points")) + " |")
        lines.append("| :-- | :-- | :-- | --: |")
        for student in late:
            meta = student.meta or {}
            total = points(student.report["points"]) if student.report else "–"
            lines.append(f"| {_cell_md(student.name)} | {_cell_md(str(meta.get('commit', ''))[:12])} "
                         f"| {_cell_md(str(meta.get('commit_time', '')))} | {total} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the command

def merge(catalog: Catalog, reports_dir: str, *, out: str, summary_file: str | None, say) -> int:
    """Write grades.csv and the class summary from REPORTS_DIR. 0 when every student of the
    class was graded (late work included), 1 when some could not be, 2 when nothing was found."""
    root = Path(reports_dir).expanduser()
    if not root.is_dir():
        say(t("classgrade.merge.no_folder", folder=str(reports_dir)), err=True)
        return 2
    listing, found = collect(root)
    if listing is None and not found:
        say(t("classgrade.merge.nothing", folder=str(reports_dir)), err=True)
        return 2
    if listing is None:
        say(t("classgrade.merge.no_class_list", folder=str(reports_dir)), err=True)
    else:
        extra = sorted(set(found) - set(listing["repositories"]))
        if extra:
            say(t("classgrade.merge.not_in_class", count=len(extra), names=", ".join(extra[:10])), err=True)
    students = build(catalog, listing, found)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header(catalog))
        for student in students:
            writer.writerow(student.row)
    page = Path(summary_file) if summary_file else target.with_name("class-summary.md")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(summary(catalog, listing, students), encoding="utf-8", newline="\n")
    errors = [s for s in students if s.status == "error"]
    for student in students:
        if student.report is None:
            say(t("classgrade.merge.ungraded", student=student.name, reason=student.reason), err=True)
    say(t("classgrade.merge.written", file=str(target), summary=str(page), count=len(students),
          graded=sum(1 for s in students if s.report is not None), failed=len(errors),
          late=sum(1 for s in students if (s.meta or {}).get("late"))), err=True)
    return 1 if errors else 0
