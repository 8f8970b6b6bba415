"""The results of a check: statuses, and per test, per exercise and per grading, the
verdicts and points every output reads (terminal, reports, summary, gradebook, verify).
May import: nothing of the grader (an Exercise is only named in annotations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.course.catalog import Exercise


class Status:
    """The verdict of a test run, a test, an exercise or a whole grading."""

    PASS = "pass"
    FAIL = "fail"        # the code ran and did the wrong thing
    TIMEOUT = "timeout"  # stopped at its time limit
    ERROR = "error"      # could not be judged: it could not be imported, or the grader failed
    SKIP = "skip"        # does not apply here (a POSIX-only test on Windows)

    # Worst first: the status of a test over several start methods is the worst one.
    SEVERITY = (ERROR, TIMEOUT, FAIL, PASS, SKIP)
    FAILED = (FAIL, TIMEOUT, ERROR)
    OK = (PASS, SKIP)
    ALL = SEVERITY


def worst(a: str, b: str) -> str:
    """The worse of two statuses."""
    return a if Status.SEVERITY.index(a) <= Status.SEVERITY.index(b) else b


@dataclass
class TestResult:
    """One test function over all the start methods it ran under."""

    name: str
    status: str = Status.PASS
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
        return [m for m, s in self.methods.items() if s not in Status.OK]

    @property
    def output(self) -> str:
        """What the student's code printed in the first failing run (else the first run)."""
        runs = [r for r in self.runs.values() if r["status"] not in Status.OK] or list(self.runs.values())
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
        return self.status == Status.PASS

    @property
    def file(self) -> str:
        """The student's file, as a path from the root of their repository."""
        return f"exercises/{self.exercise.name}.py"

    @property
    def first_failure(self):
        """The first failing test (in the test module's order), or None."""
        return next((t for t in self.tests if t.status not in Status.OK), None)


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
        status = Status.PASS
        for result in self.results:
            status = worst(status, result.status)
        return status
