"""Runs the exercise tests for some exercises against a folder of submissions and scores
them. pytest runs in a child process of its own (with the grader plugin), so every
command gets the same outcomes a student sees from plain `pytest`.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalog import Catalog, Exercise
from grader.text import LANG_ENV

CHECK_TOKEN_ENV = "GRADER_CHECK_TOKEN"

# Worst first: the status of a test over several start methods is the worst one.
SEVERITY = ("error", "timeout", "fail", "pass", "skip")


@dataclass
class TestResult:
    """One test function over all the start methods it ran under."""

    name: str
    status: str = "pass"
    weight: float = 1.0
    message: str = ""
    runs: dict = field(default_factory=dict)      # start method -> its outcome (plugin's dict)
    points: float = 0.0
    max_points: float = 0.0
    line: int | None = None                       # of the student's file, first failure

    @property
    def methods(self) -> dict:
        """Start method -> status."""
        return {m: run["status"] for m, run in self.runs.items()}

    @property
    def failed_methods(self) -> list[str]:
        return [m for m, s in self.methods.items() if s not in ("pass", "skip")]

    @property
    def output(self) -> str:
        """What the student's code printed in the first failing run (else the first run)."""
        runs = [r for r in self.runs.values() if r["status"] not in ("pass", "skip")] or list(self.runs.values())
        return runs[0].get("output", "") if runs else ""


@dataclass
class ExerciseResult:
    """One exercise: its tests, verdict and score."""

    exercise: Exercise
    status: str                 # pass, fail, timeout or error
    score: float
    tests: list = field(default_factory=list)
    message: str = ""           # for an exercise whose tests could not run at all
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def file(self) -> str:
        """The student's file, as a path from the root of their repository."""
        return f"exercises/{self.exercise.name}.py"

    @property
    def first_failure(self):
        """The first failing test (in the test module's order), or None."""
        return next((t for t in self.tests if t.status not in ("pass", "skip")), None)


@dataclass
class Grading:
    """A whole check: the results, and what they were obtained from."""

    results: list
    methods: list
    started: float                  # time.time()
    duration: float
    submission: str | None = None   # the folder given to --from
    changed: list = field(default_factory=list)   # kit files the submission has changed

    @property
    def points(self) -> float:
        return round(sum(r.score for r in self.results), 4)

    @property
    def max_points(self) -> float:
        return sum(r.exercise.points for r in self.results)

    @property
    def status(self) -> str:
        """pass, or the worst status of an exercise."""
        status = "pass"
        for result in self.results:
            status = _worst(status, result.status)
        return status


def _worst(a: str, b: str) -> str:
    return a if SEVERITY.index(a) <= SEVERITY.index(b) else b


def run_pytest(catalog: Catalog, exercises: list[Exercise], exercises_dir: Path | None = None,
               methods: list[str] | None = None, jobs: int | None = None,
               tests: list[Path] | None = None, quiet: bool = True,
               lang: str | None = None) -> tuple[int, dict, str]:
    """Run pytest on the exercises' test modules (or `tests`); returns its exit code, the
    plugin's results file and pytest's own output. The messages are in the language in use
    (GRADER_LANG), or in `lang` when given."""
    with tempfile.TemporaryDirectory(prefix="grader-check-") as tmp:
        results = Path(tmp) / "results.json"
        log = Path(tmp) / "pytest.log"
        files = [str(p) for p in (tests or [e.test_module for e in exercises])]
        cmd = [sys.executable, "-m", "pytest", *files, "-p", "no:cacheprovider",
               "--rootdir", str(catalog.root), "-o", "addopts=-p grader.grading.plugin",
               "--grader-results", str(results), "-rN", "--no-header"]
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
                _sweep(env[CHECK_TOKEN_ENV])
        data = json.loads(results.read_text()) if results.exists() else {"outcomes": []}
        return code, data, log.read_text("utf-8", "replace")


def _sweep(token: str) -> None:
    """A last safety net: end anything a pytest run left behind (none is expected). Looks
    at every process, since an orphan may have been re-parented away from us. All strays
    are stopped before any is killed: a Pool whose worker dies starts a new one at once, and
    that one would escape a single pass."""
    import psutil

    for _ in range(5):
        strays = []
        for proc in psutil.process_iter():
            try:
                if proc.pid != os.getpid() and proc.environ().get(CHECK_TOKEN_ENV) == token:
                    strays.append(proc)
            except psutil.Error:
                pass
        if not strays:
            return
        end_processes(strays)


def end_descendants() -> list[int]:
    """After Ctrl-C: the test runs live in sessions of their own, so the terminal's SIGINT
    did not reach them. End every process below this one, in rounds until none is left;
    returns the PIDs ended."""
    import psutil

    ended: list[int] = []
    for _ in range(5):
        try:
            procs = psutil.Process().children(recursive=True)
        except psutil.Error:
            break
        if not procs:
            break
        end_processes(procs)
        ended += [proc.pid for proc in procs]
    return ended


def end_processes(procs: list, timeout: float = 3) -> None:
    """Stop every process of `procs` first, then kill and reap them: none can start another
    (or a Pool replace a worker) between the first kill and the last."""
    import psutil

    for step in ("suspend", "kill"):
        for proc in procs:
            try:
                getattr(proc, step)()
            except psutil.Error:
                pass
    psutil.wait_procs(procs, timeout=timeout)


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
        if status not in ("pass", "skip") and not test.message:
            test.message = outcome["message"]
            test.line = outcome.get("line")
        test.status = _worst(test.status, status)
    if not tests:
        return ExerciseResult(exercise, "error", 0.0)
    total = sum(t.weight for t in tests.values()) or 1.0
    earned = 0.0
    for test in tests.values():
        test.max_points = round(exercise.points * test.weight / total, 4)
        test.points = test.max_points if test.status in ("pass", "skip") else 0.0
        earned += test.points
    status = "pass"
    for test in tests.values():
        status = _worst(status, test.status if test.status != "skip" else "pass")
    final = exercise.points if status == "pass" else round(min(earned, exercise.points), 4)
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
