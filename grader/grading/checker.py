"""Runs the exercise tests for some exercises against a folder of submissions and scores
them. pytest runs in a child process of its own (with the grader plugin, which hands each
test's outcome over through pytest-json-report), so every command gets the same outcomes a
student sees from plain `pytest`.
May import: grader.course, grader.sandbox, grader.results, grader.text.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.course.catalog import Catalog, Exercise
from grader.results import ExerciseResult, Grading, Status, TestResult, worst
from grader.sandbox.processes import end_tagged
from grader.text import LANG_ENV

CHECK_TOKEN_ENV = "GRADER_CHECK_TOKEN"
# What pytest-json-report leaves out of its report: the plugin's metadata is all we read.
REPORT_OMIT = ("collectors", "log", "traceback", "streams", "warnings", "keywords")


def outcomes(report: dict) -> list[dict]:
    """The grader's outcome of every test run (one per test and start method) in a
    pytest-json-report report, in the order they ran."""
    return [test["metadata"]["grader"] for test in report.get("tests", [])
            if isinstance(test.get("metadata"), dict) and "grader" in test["metadata"]]


def run_pytest(catalog: Catalog, exercises: list[Exercise], exercises_dir: Path | None = None,
               methods: list[str] | None = None, jobs: int | None = None,
               tests: list[Path] | None = None, quiet: bool = True,
               lang: str | None = None) -> tuple[int, dict, str]:
    """Run pytest on the exercises' test modules (or `tests`); returns its exit code, the
    JSON report (its `outcomes` are the grader's outcomes) and pytest's own output. The
    messages are in the language in use (GRADER_LANG), or in `lang` when given."""
    with tempfile.TemporaryDirectory(prefix="grader-check-") as tmp:
        results = Path(tmp) / "report.json"
        log = Path(tmp) / "pytest.log"
        files = [str(p) for p in (tests or [e.test_module for e in exercises])]
        cmd = [sys.executable, "-m", "pytest", *files, "-p", "no:cacheprovider",
               "--rootdir", str(catalog.root), "-o", "addopts=-p grader.grading.plugin",
               "--json-report", f"--json-report-file={results}",
               "--json-report-omit", *REPORT_OMIT, "-rN", "--no-header"]
        cmd.append("-q" if quiet else "-v")
        if exercises_dir is not None:
            cmd += ["--exercises-dir", str(exercises_dir)]
        for method in methods or []:
            cmd += ["--start-method", method]
        if jobs:
            cmd += ["--grader-jobs", str(jobs)]
        env = dict(os.environ)
        # Not the sandbox's GRADER_SANDBOX_TOKEN: each sandboxed call sets that one anew for
        # its own tree, and this one must reach every process of the whole run.
        env[CHECK_TOKEN_ENV] = secrets.token_hex(8)
        env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
        if lang:
            env[LANG_ENV] = lang
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=str(catalog.root), env=env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=(sys.platform != "win32"))
            try:
                code = proc.wait()
            finally:
                # On Ctrl-C (pytest has its own session, so the terminal's SIGINT does not
                # reach it) or any other way out, end the whole run before returning.
                if proc.poll() is None:
                    if hasattr(os, "killpg"):
                        try:
                            os.killpg(proc.pid, 9)
                        except OSError:
                            pass
                    proc.kill()
                    proc.wait()
                # A last safety net (none is expected): anything of the run still alive.
                end_tagged(CHECK_TOKEN_ENV, env[CHECK_TOKEN_ENV])
        try:
            data = json.loads(results.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data["outcomes"] = outcomes(data)
        return code, data, log.read_text("utf-8", "replace")


def score(exercise: Exercise, outcomes: list[dict]) -> ExerciseResult:
    """Fold the per-method outcomes of one exercise into test results and a score. A test
    counts only when it passed under every start method it ran under."""
    tests: dict[str, TestResult] = {}
    for outcome in outcomes:
        if outcome.get("exercise") != exercise.id:
            continue
        test = tests.setdefault(outcome["test"], TestResult(name=outcome["test"], weight=outcome["weight"]))
        status = outcome["status"]
        test.runs[outcome.get("start_method") or "-"] = outcome
        if status not in Status.OK and not test.message:
            test.message = outcome["message"]
            test.line = outcome.get("line")
        test.status = worst(test.status, status)
    if not tests:
        return ExerciseResult(exercise, Status.ERROR, 0.0)
    total = sum(t.weight for t in tests.values()) or 1.0
    earned = 0.0
    for test in tests.values():
        test.max_points = round(exercise.points * test.weight / total, 4)
        test.points = test.max_points if test.status in Status.OK else 0.0
        earned += test.points
    status = Status.PASS
    for test in tests.values():
        status = worst(status, test.status if test.status != Status.SKIP else Status.PASS)
    final = exercise.points if status == Status.PASS else round(min(earned, exercise.points), 4)
    return ExerciseResult(exercise, status, final, tests=list(tests.values()))


def check(catalog: Catalog, exercises: list[Exercise], exercises_dir: Path | None = None,
          methods: list[str] | None = None, jobs: int | None = None,
          shown_as: str | None = None) -> list[ExerciseResult]:
    """Check the exercises and return one result each, in course order. With `shown_as`,
    messages name the files under `exercises_dir` by that folder instead (a submission
    graded from a copy reads `exercises/03_pool_squares.py`, not a temporary path)."""
    started = time.monotonic()
    # pytest runs nothing at all when one of its files is missing: leave those out.
    runnable = [e for e in exercises if e.test_module.is_file()]
    code, data, log = (run_pytest(catalog, runnable, exercises_dir, methods, jobs)
                       if runnable else (5, {}, ""))
    duration = time.monotonic() - started
    results = []
    for exercise in exercises:
        result = score(exercise, data.get("outcomes", []))
        result.duration = duration
        if not result.tests:
            from grader.text import t

            if code == 5 or not exercise.test_module.is_file():
                result.message = t("check.no_tests", test=exercise.test_module.name)
            else:
                result.message = t("check.tests_broken", test=exercise.test_module.name,
                                   log=_tail(log))
        if shown_as is not None and exercises_dir is not None:
            _show_as(result, str(Path(exercises_dir).resolve()), shown_as)
        results.append(result)
    return results


def grade(catalog: Catalog, exercises: list[Exercise], exercises_dir: Path | None = None,
          methods: list[str] | None = None, jobs: int | None = None, shown_as: str | None = None,
          submission: str | None = None, changed: list | None = None) -> Grading:
    """`check`, with what the reports need to know about the run."""
    began, clock = time.time(), time.monotonic()
    results = check(catalog, exercises, exercises_dir, methods, jobs, shown_as)
    return Grading(results, list(methods or []), began, time.monotonic() - clock,
                   submission=submission, changed=list(changed or []))


def _show_as(result: ExerciseResult, folder: str, shown: str) -> None:
    def swap(text: str) -> str:
        return text.replace(folder + os.sep, shown.rstrip("/") + "/") if text else text

    result.message = swap(result.message)
    for test in result.tests:
        test.message = swap(test.message)
        for run in test.runs.values():
            run["message"] = swap(run.get("message", ""))


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
