"""`grader verify`: the maintainers' proof that the kit is correct (rustlings' `dev check`).

Five steps, each printed as it goes with a mark and its wall time:

1. catalog lint: every exercise has its stub, solution, test module and message files,
   the stub equals its copy, has a TODO and at least one hint; no stray files;
2. every solution passes all its tests under every start method, `repeats` pytest runs each;
3. every untouched stub fails (and a test that passes on a stub is flagged: it can't fail);
4. the corpus (tests/submissions): each wrong submission is caught with the right message,
   each alternative right one is accepted (grader.corpus);
5. the tool's own tests (tests/tool).

The last line is `verify: N passed, M failed` (one check per lint, solution run, stub,
corpus submission and tool test run), and the exit code is 0 only when nothing failed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from grader.grading import checker
from grader.verification import corpus
from grader.verification.lint import relative, lint_exercise, stray_files
from grader.course import stubs
from grader.sandbox import methods as methods_mod
from grader.sandbox.processes import end_descendants
from grader.course.catalog import Catalog, Exercise
from grader.text import t
from grader.results import Status

# pytest runs (each a whole process tree, itself running up to 3 sandboxed calls at once)
# at once. On the 2-core reference machine 2 beat 1 by about 20 % of wall time for the same
# CPU time (6 solution runs: 27-31 s against 34-38 s, with other work loading the machine);
# more would only add contention. GRADER_VERIFY_JOBS overrides it.
DEFAULT_JOBS = 2
TOOL_TESTS = "tests/tool"
TOOL_TIMEOUT = 900
NO_TESTS_COLLECTED = 5


def jobs() -> int:
    try:
        return max(1, int(os.environ.get("GRADER_VERIFY_JOBS", "") or DEFAULT_JOBS))
    except ValueError:
        return DEFAULT_JOBS


# --------------------------------------------------------------------------- output

MARKS = {"ok": "\u2713", "fail": "\u2717", "warn": "!", "skip": "-"}
ASCII_MARKS = {"ok": "ok", "fail": "FAIL", "warn": "!", "skip": "-"}


def seconds(value: float) -> str:
    """`4.2 s`, or `3m05s` from a minute on."""
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(int(round(value)), 60)
    return f"{minutes}m{rest:02d}s"


class Reporter:
    """Prints progress lines, flushed at once; falls back to ASCII marks (and replaces
    other characters) when the stream can't encode them."""

    def __init__(self, out):
        self.out = out
        encoding = getattr(out, "encoding", None)
        self.encoding = encoding
        self.unicode = True
        if encoding:
            try:
                "".join(MARKS.values()).encode(encoding)
            except (UnicodeEncodeError, LookupError):
                self.unicode = False
        self.marks = MARKS if self.unicode else ASCII_MARKS

    def line(self, text: str = "", indent: int = 0) -> None:
        text = " " * indent + text
        if self.encoding:
            try:
                text.encode(self.encoding)
            except (UnicodeEncodeError, LookupError):
                text = text.encode(self.encoding, "replace").decode(self.encoding, "replace")
        print(text, file=self.out, flush=True)

    def mark(self, kind: str, text: str, indent: int = 2) -> None:
        self.line(f"{self.marks[kind]} {text}", indent)

    def detail(self, text: str, indent: int = 6) -> None:
        for part in text.splitlines() or [""]:
            self.line(part, indent)


@dataclass
class Step:
    """One step's count of checks and its time."""

    title: str
    passed: int = 0
    failed: int = 0
    seconds: float = 0.0
    notes: list = field(default_factory=list)

    def add(self, ok: bool) -> None:
        if ok:
            self.passed += 1
        else:
            self.failed += 1


# --------------------------------------------------------------------------- running pytest

class Crashed:
    """What `_parallel` yields instead of a result when running an item raised."""

    def __init__(self, exc: BaseException):
        self.text = f"{type(exc).__name__}: {exc}"


def _parallel(function, items, width: int):
    """`function(item)` for every item, `width` at once; yields (item, result, seconds) in
    the items' order, each as soon as it and those before it are done. A result is a
    Crashed when the function raised (a broken kit must be reported, not crash verify)."""
    def timed(item):
        began = time.monotonic()
        try:
            result = function(item)
        except Exception as exc:  # noqa: BLE001 - reported as a failed check
            result = Crashed(exc)
        return result, time.monotonic() - began

    pool = ThreadPoolExecutor(max_workers=max(1, width), thread_name_prefix="verify")
    try:
        futures = [(item, pool.submit(timed, item)) for item in items]
        for item, future in futures:
            result, took = future.result()
            yield item, result, took
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


# --------------------------------------------------------------------------- 1. lint

def step_lint(catalog: Catalog, report: Reporter, step: Step) -> None:
    problems_total = 0
    for exercise in catalog.exercises:
        problems = lint_exercise(catalog, exercise)
        problems_total += len(problems)
        if problems:
            report.mark("fail", f"{exercise.name}")
            for problem in problems:
                report.detail(f"- {problem}", indent=6)
        else:
            report.mark("ok", f"{exercise.name}")
    strays = stray_files(catalog)
    problems_total += len(strays)
    if strays:
        report.mark("fail", t("verify.lint.strays", count=len(strays)))
        for stray in strays:
            report.detail(f"- {stray}", indent=6)
    else:
        report.mark("ok", t("verify.lint.no_strays"))
    step.add(problems_total == 0)
    if problems_total:
        step.notes.append(t("verify.lint.problems", count=problems_total))


# --------------------------------------------------------------------------- 2. solutions

def _count(result) -> tuple[int, int]:
    """(outcomes that passed, outcomes) of an ExerciseResult, one per test and method."""
    total = passed = 0
    for test in result.tests:
        statuses = list(test.methods.values()) or [test.status]
        total += len(statuses)
        passed += sum(1 for s in statuses if s in Status.OK)
    return passed, total


def _failures(result, limit: int = 4) -> list[str]:
    lines = []
    for test in result.tests:
        if test.status in Status.OK:
            continue
        methods = ", ".join(test.failed_methods) or "-"
        lines.append(t("verify.failed_test", test=test.name, status=test.status, methods=methods,
                       message=corpus.shorten(corpus._gist(test.message), 220)))
    if len(lines) > limit:
        lines = lines[:limit] + [t("verify.corpus.more_failures", count=len(lines) - limit)]
    if not result.tests and result.message:
        lines.append(corpus.shorten(result.message, 400))
    return lines


def step_solutions(catalog: Catalog, exercises: list[Exercise], methods: tuple, repeats: int,
                   report: Reporter, step: Step) -> None:
    def one(item):
        exercise, _ = item
        return checker.check(catalog, [exercise], exercises_dir=catalog.root / "solutions",
                             methods=list(methods))[0]

    items = [(e, r) for e in exercises for r in range(repeats)]
    for (exercise, index), result, took in _parallel(one, items, jobs()):
        if isinstance(result, Crashed):
            step.add(False)
            report.mark("fail", t("verify.crashed", what=f"{exercise.name} run {index + 1}/{repeats}",
                                  error=result.text, time=seconds(took)))
            continue
        passed, total = _count(result)
        ok = result.passed and total > 0
        step.add(ok)
        text = t("verify.solutions.line", exercise=exercise.name, run=index + 1, runs=repeats,
                 passed=passed, total=total, time=seconds(took))
        report.mark("ok" if ok else "fail", text)
        if not ok:
            for line in _failures(result):
                report.detail(line)


# --------------------------------------------------------------------------- 3. stubs

def step_stubs(catalog: Catalog, exercises: list[Exercise], methods: tuple, report: Reporter,
               step: Step) -> None:
    with tempfile.TemporaryDirectory(prefix="grader-stubs-") as tmp:
        for exercise in exercises:
            (Path(tmp) / f"{exercise.name}.py").write_bytes(stubs.of_record(exercise) or b"")

        def one(exercise):
            return checker.check(catalog, [exercise], exercises_dir=Path(tmp), methods=list(methods))[0]

        for exercise, result, took in _parallel(one, exercises, jobs()):
            if isinstance(result, Crashed):
                step.add(False)
                report.mark("fail", t("verify.crashed", what=exercise.name, error=result.text,
                                      time=seconds(took)))
                continue
            passed, total = _count(result)
            ok = bool(result.tests) and not result.passed
            step.add(ok)
            if ok:
                report.mark("ok", t("verify.stubs.line", exercise=exercise.name, passed=passed,
                                    total=total, time=seconds(took)))
            elif not result.tests:
                report.mark("fail", t("verify.stubs.no_tests", exercise=exercise.name, time=seconds(took)))
                for line in _failures(result):
                    report.detail(line)
            else:
                report.mark("fail", t("verify.stubs.passes", exercise=exercise.name, time=seconds(took)))
            if result.tests and passed:
                for test in result.tests:
                    good = [m for m, s in test.methods.items() if s == Status.PASS]
                    if good:
                        report.mark("warn", t("verify.stubs.cannot_fail", exercise=exercise.name,
                                              test=test.name, methods=", ".join(good)), indent=6)


# --------------------------------------------------------------------------- 4. corpus

@dataclass
class CorpusTally:
    wrong: int = 0
    caught: int = 0
    right_message: int = 0
    right: int = 0
    accepted: int = 0
    skipped: int = 0

    def add(self, verdict: corpus.Verdict) -> None:
        if verdict.skipped:
            self.skipped += 1
        elif verdict.kind == corpus.WRONG:
            self.wrong += 1
            self.caught += verdict.caught
            self.right_message += verdict.right_message
        else:
            self.right += 1
            self.accepted += verdict.accepted

    def merge(self, other: "CorpusTally") -> None:
        for name in ("wrong", "caught", "right_message", "right", "accepted", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def text(self) -> str:
        line = t("verify.corpus.tally", caught=self.caught, wrong=self.wrong,
                 message=self.right_message, accepted=self.accepted, right=self.right)
        if self.skipped:
            line += t("verify.corpus.tally_skipped", count=self.skipped)
        return line


def step_corpus(catalog: Catalog, exercises: list[Exercise], methods: tuple, report: Reporter,
                step: Step) -> None:
    plan: list[tuple[Exercise, list[corpus.Submission]]] = []
    for exercise in catalog.exercises:
        if exercise not in exercises:
            report.mark("skip", t("verify.corpus.skip_incomplete", exercise=exercise.name))
            continue
        found = corpus.discover(catalog, exercise)
        if found is None:
            report.mark("skip", t("verify.corpus.none_yet", exercise=exercise.name,
                                  folder=relative(catalog, corpus.folder(catalog, exercise))))
            continue
        if not found:
            report.mark("skip", t("verify.corpus.empty", exercise=exercise.name,
                                  folder=relative(catalog, corpus.folder(catalog, exercise))))
            continue
        plan.append((exercise, found))

    items = [s for _, found in plan for s in found]
    totals = CorpusTally()
    current, tally = None, CorpusTally()

    def close(exercise, tally):
        ok = (tally.caught == tally.right_message == tally.wrong) and tally.accepted == tally.right
        report.mark("ok" if ok else "fail", f"{exercise.name}: {tally.text()}")
        totals.merge(tally)

    def one(submission):
        return corpus.run(catalog, submission, methods)

    for submission, verdict, took in _parallel(one, items, jobs()):
        if isinstance(verdict, Crashed):
            crashed = corpus.Verdict(name=submission.name, kind=submission.kind)
            crashed.problems.append(t("verify.crashed", what=submission.name, error=verdict.text,
                                      time=seconds(took)))
            verdict = crashed
        if submission.exercise is not current:
            if current is not None:
                close(current, tally)
            current, tally = submission.exercise, CorpusTally()
            report.line(t("verify.corpus.heading", exercise=submission.exercise.name,
                          count=sum(1 for s in items if s.exercise is submission.exercise)), indent=2)
        tally.add(verdict)
        if not verdict.skipped:
            step.add(verdict.ok)
        if verdict.skipped:
            report.mark("skip", t("verify.corpus.skipped", name=verdict.name, why=verdict.skipped), indent=4)
        elif submission.header is None:
            report.mark("fail", t("verify.corpus.not_judged", name=verdict.name), indent=4)
        elif verdict.kind == corpus.WRONG:
            key = "caught" if verdict.ok else ("caught_wrong_message" if verdict.caught else "missed")
            report.mark("ok" if verdict.ok else "fail",
                        t(f"verify.corpus.{key}", name=verdict.name, methods=" ".join(verdict.methods),
                          time=seconds(took)), indent=4)
        else:
            report.mark("ok" if verdict.ok else "fail",
                        t("verify.corpus.accepted" if verdict.ok else "verify.corpus.rejected",
                          name=verdict.name, time=seconds(took)), indent=4)
        for problem in verdict.problems:
            report.detail(problem, indent=8)
        for note in verdict.notes:
            report.mark("warn", note, indent=8)
    if current is not None:
        close(current, tally)
    if plan:
        report.line(t("verify.corpus.totals", text=totals.text()), indent=2)


# --------------------------------------------------------------------------- 5. tool tests

_SUMMARY = re.compile(r"\b(passed|failed|errors?|skipped|deselected|xfailed|xpassed|no tests ran)\b.* in [\d.]+s")


def pytest_summary(output: str) -> str:
    """pytest's closing summary line (`12 passed in 0.53s`), else the last non-empty line."""
    lines = [line.strip().strip("=").strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if _SUMMARY.search(line):
            return line
    return lines[-1] if lines else ""


def tool_tests_verdict(code: int, output: str) -> tuple[bool, str]:
    """Whether a run of the tool's tests passed, and the line to show. Exit code 5 (no
    test collected) is a failure: a suite that ran nothing proves nothing."""
    summary = pytest_summary(output)
    if code == 0:
        return True, summary
    if code == NO_TESTS_COLLECTED:
        return False, t("verify.tool.no_tests", summary=summary)
    return False, t("verify.tool.exit_code", code=code, summary=summary)


def step_tool_tests(catalog: Catalog, report: Reporter, step: Step) -> None:
    cmd = [sys.executable, "-m", "pytest", TOOL_TESTS, "-q", "-p", "no:cacheprovider"]
    with tempfile.TemporaryFile() as log:
        env = dict(os.environ)
        env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
        proc = subprocess.Popen(cmd, cwd=str(catalog.root), stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env,
                                start_new_session=(sys.platform != "win32"))
        began = time.monotonic()
        try:
            code = proc.wait(timeout=TOOL_TIMEOUT)
        except subprocess.TimeoutExpired:
            if sys.platform != "win32":
                os.killpg(proc.pid, signal.SIGKILL)
            else:  # pragma: no cover
                proc.kill()
            code = proc.wait()
        took = time.monotonic() - began
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    ok, summary = tool_tests_verdict(code, output)
    step.add(ok)
    report.mark("ok" if ok else "fail", t("verify.tool.line", command=" ".join(["python", *cmd[1:5]]),
                                           summary=summary, time=seconds(took)))
    if not ok:
        tail = [line for line in output.splitlines() if line.strip()][-25:]
        for line in tail:
            report.line(line, indent=6)


# --------------------------------------------------------------------------- run

def run(catalog: Catalog, *, repeats: int = 3, out=sys.stdout) -> int:
    """Run every check, printing as it goes; the exit code: 0 when all passed."""

    report = Reporter(out)
    began = time.monotonic()
    repeats = max(1, int(repeats))
    methods = tuple(methods_mod.available())
    steps = [Step(t("verify.step.lint")), Step(t("verify.step.solutions", runs=repeats)),
             Step(t("verify.step.stubs")), Step(t("verify.step.corpus")), Step(t("verify.step.tool"))]
    report.line(t("verify.start", count=len(catalog.exercises), methods=", ".join(methods),
                  runs=repeats, jobs=jobs(), python=sys.version.split()[0], root=str(catalog.root)))

    # Which exercises the later steps can run (the lint fails for the rest).
    with_solution = [e for e in catalog.exercises if e.test_module.is_file() and e.solution.is_file()]
    with_stub = [e for e in catalog.exercises if e.test_module.is_file() and stubs.of_record(e) is not None]
    with_tests = [e for e in catalog.exercises if e.test_module.is_file()]

    actions = [
        lambda step: step_lint(catalog, report, step),
        lambda step: step_solutions(catalog, with_solution, methods, repeats, report, step),
        lambda step: step_stubs(catalog, with_stub, methods, report, step),
        lambda step: step_corpus(catalog, with_tests, methods, report, step),
        lambda step: step_tool_tests(catalog, report, step),
    ]
    skipped_by = {2: with_solution, 3: with_stub}
    try:
        for number, (step, action) in enumerate(zip(steps, actions), start=1):
            report.line()
            report.line(t("verify.step.heading", number=number, total=len(steps), title=step.title))
            missing = [e.name for e in catalog.exercises if number in skipped_by and e not in skipped_by[number]]
            if missing:
                report.mark("skip", t("verify.skipped_incomplete", names=", ".join(missing)))
            step_began = time.monotonic()
            action(step)
            step.seconds = time.monotonic() - step_began
            ok = step.failed == 0
            detail = "; ".join(step.notes)
            report.mark("ok" if ok else "fail",
                        t("verify.step.done", title=step.title, passed=step.passed, failed=step.failed,
                          time=seconds(step.seconds)) + (f" ({detail})" if detail else ""), indent=0)
    except KeyboardInterrupt:
        stopped = end_descendants()
        report.line()
        report.line(t("verify.interrupted", count=len(stopped)))
        passed = sum(s.passed for s in steps)
        failed = sum(s.failed for s in steps) or 1
        report.line(f"verify: {passed} passed, {failed} failed")
        return 130

    total = time.monotonic() - began
    passed = sum(s.passed for s in steps)
    failed = sum(s.failed for s in steps)
    report.line()
    report.line(t("verify.times", steps=", ".join(f"{s.title} {seconds(s.seconds)}" for s in steps),
                  total=seconds(total)))
    # The plain line CI reads: alone on a line, always last.
    report.line(f"verify: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1
