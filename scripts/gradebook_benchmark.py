#!/usr/bin/env python3
"""`grader gradebook` over a class of generated students, timed with --jobs 1 and --jobs 2,
and its CSV checked.

Builds `--students N` (default 20) checkouts of the kit in a temporary folder. Each exercise
of each student is, in turn, the reference solution, the untouched stub, an alternative
right submission or a known-wrong one from tests/submissions/ (some of which hang until the
time limit). Every fourth student is a copy of the one before who also rewrote a test file
and the catalog: their rows must be equal. Then, for each --jobs value, `grader gradebook`
runs over all of them; the CSV must give full points for every solution and right
submission, 0 for every stub, less than full points for every wrong one, and the same rows
whatever the number of jobs.

    python scripts/gradebook_benchmark.py                 # 20 students, --jobs 1 and 2
    python scripts/gradebook_benchmark.py --students 6 --jobs 2
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.course import catalog as catalog_mod  # noqa: E402


def grader_command() -> list[str]:
    beside = Path(sys.executable).parent / ("grader.exe" if os.name == "nt" else "grader")
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "grader"]


def choices(catalog, exercise) -> list[tuple[str, Path, str]]:
    """(kind, file, expectation) for one exercise: full, zero or partial."""
    corpus = ROOT / "tests" / "submissions" / exercise.name
    found = [("solution", exercise.solution, "full"), ("stub", exercise.work_file, "zero")]
    for path in sorted(corpus.glob("*.py")) if corpus.is_dir() else []:
        found.append((path.stem, path, "full" if path.stem.startswith("right_") else "partial"))
    return found


def build_class(catalog, base: Path, count: int) -> dict[str, dict[str, str]]:
    """Make the students' checkouts; returns student -> exercise name -> expectation."""
    pools = {e.name: itertools.cycle(choices(catalog, e)) for e in catalog.exercises}
    expected = {}
    previous = None
    for number in range(1, count + 1):
        name = f"student{number:02d}"
        folder = base / name
        shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(
            ".git", "__pycache__", ".grader", "solutions", "dist", "*.egg-info"))
        if number % 4 == 0 and previous is not None:
            # A copy of the previous student who also edited the kit's files.
            for exercise in catalog.exercises:
                shutil.copy(base / previous / "exercises" / f"{exercise.name}.py", folder / "exercises")
            (folder / "tests" / catalog.exercises[0].test_module.name).write_text("def test_ok():\n    pass\n")
            (folder / "catalog.toml").write_text((ROOT / "catalog.toml").read_text() + "\n# points = 999\n")
            expected[name] = dict(expected[previous], copy_of=previous)
        else:
            expected[name] = {}
            for exercise in catalog.exercises:
                kind, source, expectation = next(pools[exercise.name])
                shutil.copy(source, folder / "exercises" / f"{exercise.name}.py")
                expected[name][exercise.name] = expectation
        previous = name
    return expected


def check_csv(catalog, path: Path, expected: dict) -> tuple[list[str], dict]:
    problems = []
    rows = {row["student"]: row for row in csv.DictReader(path.open(encoding="utf-8"))}
    if sorted(rows) != sorted(expected):
        problems.append(f"students in the CSV: {sorted(rows)}")
    for student, wanted in expected.items():
        row = rows.get(student)
        if row is None:
            continue
        total = 0.0
        for exercise in catalog.exercises:
            got = float(row[exercise.name] or "nan")
            total += got
            rule = wanted[exercise.name]
            ok = {"full": got == exercise.points, "zero": got == 0,
                  "partial": 0 <= got < exercise.points}[rule]
            if not ok:
                problems.append(f"{student} {exercise.name}: {got} is not {rule}")
        if abs(total - float(row["total"])) > 0.02:
            problems.append(f"{student}: total {row['total']} is not the sum {total}")
        if row["status"] != "graded":
            problems.append(f"{student}: {row['status']}")
        if "copy_of" in wanted:
            twin = rows.get(wanted["copy_of"], {})
            same = [row[e.name] for e in catalog.exercises] == [twin.get(e.name) for e in catalog.exercises]
            if not same or row["changed_kit_files"] in ("", "0"):
                problems.append(f"{student}: edited kit files changed the score or went unnoticed")
    return problems, rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, action="append", help="jobs values to time (default: 1 and 2)")
    parser.add_argument("--keep", type=Path, help="build the class here and keep it")
    args = parser.parse_args(argv)
    catalog = catalog_mod.load(ROOT)
    base = args.keep or Path(tempfile.mkdtemp(prefix="gradebook-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        expected = build_class(catalog, base / "class", args.students)
        folders = sorted(str(p) for p in (base / "class").iterdir())
        results, tables = [], {}
        for jobs in args.jobs or [1, 2]:
            out = base / f"grades-jobs{jobs}.csv"
            began = time.monotonic()
            done = subprocess.run(grader_command() + ["gradebook", *folders, "--out", str(out), "--jobs", str(jobs)],
                                  cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True)
            seconds = time.monotonic() - began
            problems, rows = check_csv(catalog, out, expected)
            tables[jobs] = {k: [v for key, v in row.items() if key != "folder"] for k, row in rows.items()}
            results.append((jobs, seconds, done.returncode, problems))
            print(f"--jobs {jobs}: {seconds:.1f} s wall, exit {done.returncode}, {len(rows)} rows, "
                  f"{len(problems)} problem(s)")
            for problem in problems:
                print("   ", problem)
        if len(tables) > 1 and len({repr(sorted(t.items())) for t in tables.values()}) != 1:
            print("the CSVs differ between --jobs values")
            return 1
        kinds = {}
        for wanted in expected.values():
            for exercise, rule in wanted.items():
                if exercise != "copy_of":
                    kinds[rule] = kinds.get(rule, 0) + 1
        print(f"{len(expected)} students, cells expected full/zero/partial: "
              f"{kinds.get('full', 0)}/{kinds.get('zero', 0)}/{kinds.get('partial', 0)}; "
              f"{sum(1 for w in expected.values() if 'copy_of' in w)} students edited kit files")
        return 0 if all(code == 0 and not problems for _, _, code, problems in results) else 1
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
