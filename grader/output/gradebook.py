"""`grader gradebook DIR ...`: many students' checkouts graded with this kit, each exactly
as `grader check --from DIR` grades it, into one CSV with a row per student and a column
per exercise, plus the total.

Students are graded `jobs` at a time on threads: each check already runs its tests in
processes of its own, so a thread only waits. A student whose folder can't be graded gets a
row with the reason instead of stopping the others.
"""

from __future__ import annotations

import csv
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from grader.course.catalog import Catalog
from grader.output.report import points
from grader.text import t



def _cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: keep it plain text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _names(folders: list[Path]) -> list[str]:
    """The student of each folder: its name, or parent/name where two names collide."""
    names = [f.name for f in folders]
    return [f"{f.parent.name}/{f.name}" if names.count(f.name) > 1 else f.name for f in folders]


def columns(catalog: Catalog) -> list[str]:
    """The CSV's header: student, folder, one column per exercise, total, max, status, and
    how many kit files the checkout changed."""
    return [t("gradebook.header_student"), "folder"] + [e.name for e in catalog.exercises] + \
           [t("gradebook.header_total"), t("gradebook.header_max"), t("gradebook.header_status"),
            "changed_kit_files"]


def graded_row(catalog: Catalog, student: str, folder: str, scores: dict, total: float, possible: float,
               changed: int) -> list[str]:
    """The row of a graded student: `scores` maps an exercise id to its points."""
    return [_cell(student), _cell(folder)] + [points(scores.get(e.id, 0.0)) for e in catalog.exercises] + \
           [points(total), points(possible), "graded", str(changed)]


def ungraded_row(catalog: Catalog, student: str, folder: str, status: str) -> list[str]:
    """The row of a student who could not be graded; `status` says why."""
    possible = sum(e.points for e in catalog.exercises)
    return [_cell(student), _cell(folder)] + [""] * len(catalog.exercises) + \
           ["0", points(possible), _cell(status), ""]


def grade_one(catalog: Catalog, folder: Path, methods: list[str], reports_dir: Path | None):
    """One student's Grading (as `check --from` makes it); writes their JSON report too."""
    from grader.output import exports
    from grader.grading import submission

    grading, _, _ = submission.grade(catalog, list(catalog.exercises), folder, methods)
    if reports_dir is not None:
        exports.write("json", str(reports_dir / f"{folder.name}.json"), grading)
    return grading


def run(catalog: Catalog, folders: list[str], *, out: str, jobs: int = 1, methods: list[str],
        reports_dir: str | None = None, say) -> int:
    """Grade every folder and write the CSV; 0 when every folder could be graded."""
    paths = [Path(f).expanduser().resolve() for f in folders]
    if not paths:
        say(t("gradebook.no_folders"), err=True)
        return 2
    students = _names(paths)
    reports = Path(reports_dir) if reports_dir else None
    if reports is not None:
        reports.mkdir(parents=True, exist_ok=True)
    rows: dict[int, list[str]] = {}
    lock = threading.Lock()
    began = time.monotonic()
    done = 0

    def one(index: int):
        return grade_one(catalog, paths[index], methods, reports)

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="gradebook") as pool:
        futures = {pool.submit(one, i): i for i in range(len(paths))}
        for future in as_completed(futures):
            index = futures[future]
            student = students[index]
            try:
                grading = future.result()
            except Exception as exc:   # one bad folder must not stop the class
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                row = ungraded_row(catalog, student, str(paths[index]), "error: " + reason)
                line = t("gradebook.failed", done=done + 1, count=len(paths), student=student, reason=reason)
            else:
                row = graded_row(catalog, student, str(paths[index]),
                                 {r.exercise.id: r.score for r in grading.results},
                                 grading.points, grading.max_points, len(grading.changed))
                line = t("gradebook.progress", done=done + 1, count=len(paths), student=student,
                         points=points(grading.points), possible=points(grading.max_points))
            with lock:
                done += 1
                rows[index] = row
                say(line, err=True)
    header = columns(catalog)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for index in range(len(paths)):
            writer.writerow(rows[index])
    say(t("gradebook.written", file=str(target), count=len(paths), seconds=f"{time.monotonic() - began:.0f}"), err=True)
    failed = sum(1 for row in rows.values() if row[-2].startswith(("error", "'error")))
    return 0 if failed == 0 else 1
