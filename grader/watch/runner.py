"""The check runner: one check at a time, in stages, on a thread of its own.

A check of the exercise on screen runs in two stages: first under the quickest start method
the platform has (fork, else forkserver, else spawn), so a first verdict comes soon, then
under the others. Each stage is one `grader.grading.checker.grade` (one pytest run, in a
process group of its own); after each stage the runner posts the verdict so far (the
stages' outcomes scored together, as one run under all their methods would score them).
`cancel` ends the check: it marks the job and ends every process below this one
(`grader.sandbox.processes.end_descendants`, on a thread of its own), again on each `nudge` until the job's
thread has returned; `stop` does the same and waits.

A check ended that way has no time to remove its temporary folders (the sandbox's
`grader-*`, multiprocessing's `pymp-*`). So the checks get a scratch folder of their own as
their temporary folder (TMPDIR, TEMP and TMP, inherited by every process they start):
emptied before each check starts, when none runs, and removed by `stop`. It sits in the
system's temporary folder, or in /tmp where that one's path is so long that the sockets of
the forkserver start method, three folders further down, would pass the length a Unix
socket's path may have (104 bytes on macOS, whose temporary folder is long).
May import: grader.course.catalog, grader.sandbox.processes, grader.grading.checker.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from grader.course.catalog import Catalog, Exercise
from grader.grading import checker
from grader.sandbox.processes import end_descendants

QUICKEST_FIRST = ("fork", "forkserver", "spawn")
SCRATCH_PREFIX = "grader-watch-"
# The longest path a check makes below the scratch folder: the sandbox's folder, then
# multiprocessing's, then the forkserver's socket.
DEEPEST = "/grader-watch-xxxxxxxx/grader-xxxxxxxx/pymp-xxxxxxxx/listener-xxxxxxxx"
SOCKET_PATH_MAX = 100       # sun_path holds 104 bytes on macOS and the BSDs, 108 on Linux


def scratch_base() -> str:
    """Where the scratch folder goes: the temporary folder, unless its path is too long."""
    base = tempfile.gettempdir()
    if os.name != "nt" and len(os.fsencode(base + DEEPEST)) > SOCKET_PATH_MAX and os.path.isdir("/tmp"):
        return "/tmp"
    return base


def stages(methods: list[str]) -> list[list[str]]:
    """The quickest of `methods` alone, then the others together (one stage for one)."""
    ordered = sorted(methods, key=lambda m: QUICKEST_FIRST.index(m) if m in QUICKEST_FIRST else 99)
    return [ordered[:1], ordered[1:]] if len(ordered) > 1 else [ordered]


def merge(exercise: Exercise, before, after):
    """One exercise's results of two stages as one result: a test counts only when it
    passed under every start method of both. A stage whose tests could not run at all
    (no tests, a message instead) is the result."""
    if before is None or not before.tests or not after.tests:
        return after
    outcomes = [run for result in (before, after) for test in result.tests for run in test.runs.values()]
    merged = checker.score(exercise, outcomes)
    merged.duration = before.duration + after.duration
    return merged


@dataclass(eq=False)
class Job:
    """A check to run: the exercises, the start methods of each stage, and each file's
    sha256 when the check was asked for. `kind` tells the loop what it is for."""

    exercises: list
    stages: list
    shas: dict
    kind: str = "watch"
    owner: object = None        # what the loop started it for
    cancelled: bool = False

    @property
    def methods(self) -> list[str]:
        return [m for stage in self.stages for m in stage]


@dataclass
class StageDone:
    """A stage ended: the results so far (exercise id -> result) and the methods done."""

    job: Job
    results: dict
    done: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.done) == len(self.job.methods)


@dataclass
class JobEnded:
    """The job's thread is over (after its last StageDone); `error` when the check itself
    failed (the grader's own fault, not the student's)."""

    job: Job
    error: str | None = None


@dataclass
class Idle:
    """The processes of a cancelled check are ended: the runner can start another."""


class Runner:
    """Runs one Job at a time and posts StageDone, JobEnded and Idle events to `post`."""

    TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")

    def __init__(self, catalog: Catalog, post: Callable, grade: Callable = checker.grade,
                 end: Callable = end_descendants, scratch: bool = False):
        self.catalog = catalog
        self.post = post
        self._grade = grade
        self._end = end
        self.scratch: Path | None = None
        self._saved_temp: tuple | None = None
        if scratch:
            self.scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=scratch_base()))
            self._saved_temp = ({name: os.environ.get(name) for name in self.TEMP_VARIABLES}, tempfile.tempdir)
            os.environ.update({name: str(self.scratch) for name in self.TEMP_VARIABLES})
            tempfile.tempdir = str(self.scratch)
        self._lock = threading.Lock()
        self._ending = threading.Lock()
        self.job: Job | None = None
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        """A check runs, or the processes of a cancelled one are still being ended (a new
        check started now could be ended with them)."""
        return self.job is not None or self._ending.locked()

    def start(self, job: Job) -> None:
        with self._lock:
            if self.busy:
                raise RuntimeError("a check is already running")
            self._empty_scratch()       # what an ended check left: nothing of ours runs now
            self.job = job
            self._thread = threading.Thread(target=self._run, args=(job,), name="grader-watch-check",
                                            daemon=True)
            self._thread.start()

    def _run(self, job: Job) -> None:
        results: dict = {}
        done: list[str] = []
        error = None
        try:
            for methods in job.stages:
                if job.cancelled:
                    break
                grading = self._grade(self.catalog, job.exercises, methods=methods)
                if job.cancelled:
                    break
                for result in grading.results:
                    results[result.exercise.id] = merge(result.exercise, results.get(result.exercise.id), result)
                done += methods
                self.post(StageDone(job, dict(results), list(done)))
                if any(not result.tests for result in grading.results):
                    break       # pytest could not run the tests: the other methods can't either
        except Exception as exc:  # noqa: BLE001 - shown on the screen, never a crash of watch
            error = f"{type(exc).__name__}: {exc}"
            self._end()
        finally:
            with self._lock:
                self.job = None
            self.post(JobEnded(job, error))

    def cancel(self) -> None:
        """End the running check, if any, without waiting (its JobEnded still comes)."""
        job = self.job
        if job is not None:
            job.cancelled = True
            self._end_soon()

    def nudge(self) -> None:
        """While a cancelled check has not returned yet, end what it may have started since."""
        job = self.job
        if job is not None and job.cancelled:
            self._end_soon()

    def _end_soon(self) -> None:
        """End every process below this one on a thread of its own (stopping a process tree
        takes a moment on a loaded machine; the screen need not wait for it)."""
        if not self._ending.acquire(blocking=False):
            return                      # an ending is under way; a later nudge repeats it

        def end():
            try:
                self._end()
            finally:
                self._ending.release()
                self.post(Idle())

        threading.Thread(target=end, name="grader-watch-end", daemon=True).start()

    def stop(self, timeout: float = 20.0) -> bool:
        """Cancel and wait for the thread; True when it is over."""
        job = self.job
        if job is not None:
            job.cancelled = True
        with self._ending:
            self._end()
        thread = self._thread
        if thread is None:
            self._remove_scratch()
            return True
        rounds = max(1, int(timeout / 0.2))
        for _ in range(rounds):
            thread.join(0.2)
            if not thread.is_alive():
                break
            self._end()
        over = not thread.is_alive()
        if over:
            self._remove_scratch()
        return over

    def _empty_scratch(self) -> None:
        if self.scratch is None:
            return
        for entry in list(self.scratch.iterdir()) if self.scratch.is_dir() else []:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                try:
                    entry.unlink()
                except OSError:
                    pass

    def _remove_scratch(self) -> None:
        if self.scratch is None:
            return
        shutil.rmtree(self.scratch, ignore_errors=True)
        if self._saved_temp is not None:
            variables, tempfile.tempdir = self._saved_temp
            for name, value in variables.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        self.scratch = self._saved_temp = None
