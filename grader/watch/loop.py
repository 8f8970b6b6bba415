"""The loop of `grader watch`: one inbox of events, one place that decides.

Threads post events to one inbox: the key reader (Key), the file watcher (Changed), the
check runner (StageDone, JobEnded, Idle); a Tick comes four times a second. The
Loop handles them one at a time on the main thread: it keeps the exercise on screen, asks
its Schedule what to check, starts the runner, records each full verdict in the state file
(as `grader check` does, so `grader list` agrees), and redraws the frame. `run` sets
everything up, and whatever way it ends (`q`, Ctrl-C, the terminal closed, a crash) it
ends every process the checks started and puts the terminal back as it was.
May import: grader.course (catalog, state, stubs), grader.grading.checker,
grader.output.report, grader.text and the other modules of grader.watch.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import signal
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalog import Catalog, Exercise
from grader.course.state import STATE_DIR, State, file_sha256
from grader.course.stubs import is_stub, of_record
from grader.output.report import Style, display_path, list_report
from grader.text import t
from grader.watch import frame as frame_mod
from grader.watch import terminal as terminal_mod
from grader.watch.keys import Key, KeyReader
from grader.watch.runner import Idle, Job, JobEnded, Runner, StageDone, stages
from grader.watch.schedule import Schedule
from grader.watch.watcher import INTERVAL, FileWatcher

TICK = 0.25         # seconds between two Ticks: the loop looks around (size, watcher, file)
BACKSTOP = 1.0      # how often it looks at the file itself, and how long a change may go unreported
SETTLE = 0.3        # how long an empty file is given to be written


@dataclass
class Changed:
    """Files of exercises/ changed (normalised absolute paths)."""

    paths: set


@dataclass
class Tick:
    pass


@dataclass
class Verdict:
    """The verdict on screen: of which content, the result so far, the methods done."""

    sha: str | None
    result: object = None
    done: list = field(default_factory=list)
    complete: bool = False


def passed_under(result, method: str) -> bool:
    """Whether every test that ran under `method` passed there."""
    if result is None or not result.tests:
        return False
    runs = [test.runs[method]["status"] for test in result.tests if method in test.runs]
    return all(status in ("pass", "skip") for status in runs) if runs else result.passed


def stat_of(path: Path):
    """What the file's stat says of its content, to notice a change that no event told of."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _normal(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


class Loop:
    """What watch knows and does. `handle(event)` for each event; `done` and `code` tell
    when and how it ends. `draw(lines)` and `size()` are the terminal's."""

    def __init__(self, catalog: Catalog, methods: list[str], style: Style, runner, draw, size,
                 watcher=None, clock=time.monotonic):
        self.catalog = catalog
        self.methods = [m for stage in stages(methods) for m in stage]    # quickest first
        self.stages = stages(methods)
        self.style = style
        self.runner = runner
        self._draw = draw
        self._size = size
        self.watcher = watcher
        self.clock = clock
        self.exercise: Exercise | None = None
        self.schedule = Schedule()
        self.current: Verdict | None = None
        self.verdicts: dict[str, Verdict] = {}      # the last full verdict of each exercise
        self.job: Job | None = None                 # the job running now, if any
        self.mode = "verdict"                       # verdict, list or confirm
        self.notice = ""
        self.hints_shown = 0
        self.list_tried: dict[str, tuple] = {}      # id -> (sha, status, score) of list checks
        self.stat = None
        self.suspect_since: float | None = None
        self.settle_at: float | None = None
        self.last_look = 0.0
        self.last_size = None
        self.done = False
        self.code = 0

    # ------------------------------------------------------------ opening an exercise

    def first_to_do(self) -> Exercise:
        """The first exercise that does not pass under every start method (else the first)."""
        state = State.load(self.catalog.root)
        for exercise in self.catalog.exercises:
            cached = state.cached(exercise, file_sha256(exercise.work_file), self.methods)
            if not (cached and cached["status"] == "pass"):
                return exercise
        return self.catalog.exercises[0]

    def open(self, exercise: Exercise) -> None:
        if self.job is not None and self.job.kind == "watch":
            self.runner.cancel()        # its verdict is of an exercise no longer on screen
        self.exercise = exercise
        self.mode = "verdict"
        self.hints_shown = min(State.load(self.catalog.root).hints_shown(exercise), len(exercise.hints))
        sha = file_sha256(exercise.work_file)
        self.stat = stat_of(exercise.work_file)
        self.settle_at = None
        known = self.verdicts.get(exercise.id)
        if known is not None and known.sha == sha:
            self.current = known
            self.schedule = Schedule(checked=sha)
        else:
            self.current = None
            self.schedule = Schedule()
            self.schedule.saved(sha)
        self._pump()
        self.redraw()

    # ------------------------------------------------------------ events

    def handle(self, event) -> None:
        if isinstance(event, Tick):
            self._tick()
            return
        if isinstance(event, Key):
            self._key(event.char)
        elif isinstance(event, Changed):
            if self.exercise is not None and _normal(self.exercise.work_file) in event.paths:
                self._file_changed()
        elif isinstance(event, StageDone):
            self._stage_done(event)
        elif isinstance(event, JobEnded):
            self._job_ended(event)
        elif isinstance(event, Idle):
            self._pump()
        if not self.done:
            self.redraw()

    def _file_changed(self, settled: bool = False) -> None:
        self.stat = stat_of(self.exercise.work_file)
        self.suspect_since = None
        self.settle_at = None
        if not settled and self.stat is not None and self.stat[1] == 0:
            # Empty: most likely an editor that truncates, then writes (the write's event
            # follows). Check an empty file only if it is still empty in a moment.
            self.settle_at = self.clock() + SETTLE
            return
        sha = file_sha256(self.exercise.work_file)
        self.schedule.saved(sha)
        job = self.job
        if (self.schedule.queued and self.schedule.wanted != self.schedule.running and job is not None
                and job.owner is self.schedule and self.current is not None and self.current.done):
            # The running check has given its first verdict; what is left of it is about a
            # version that is gone: end it, so the new one's first verdict comes sooner.
            self.runner.cancel()
        self._pump()

    def _pump(self) -> None:
        """Start the next check if none runs: the exercise on screen first, then the list's."""
        if self.runner.busy or self.exercise is None:
            return
        sha = self.schedule.next()
        if sha is not None:
            self.current = Verdict(sha)
            self.job = Job([self.exercise], self.stages, {self.exercise.id: sha}, owner=self.schedule)
            self.runner.start(self.job)
            return
        if self.mode == "list":
            stale = [e for e, sha in self._stale() if self.list_tried.get(e.id, (None,))[0] != sha]
            if stale:
                shas = {e.id: file_sha256(e.work_file) for e in stale}
                self.job = Job(stale, [list(self.methods)], shas, kind="list")
                self.runner.start(self.job)

    def _stage_done(self, event: StageDone) -> None:
        job = event.job
        if job.cancelled:
            return
        if job.kind == "list":
            self._record(job, event.results, event.done)
            for exercise in job.exercises:
                result = event.results.get(exercise.id)
                if result is not None:
                    status = "passing" if result.passed else ("failing" if result.tests else "no_tests")
                    self.list_tried[exercise.id] = (job.shas.get(exercise.id), status, result.score)
            return
        if job.owner is not self.schedule:
            return
        result = event.results.get(self.exercise.id)
        self.current = Verdict(job.shas[self.exercise.id], result, list(event.done), event.complete)
        if event.complete:
            self.verdicts[self.exercise.id] = self.current
            self._record(job, event.results, event.done)

    def _job_ended(self, event: JobEnded) -> None:
        job = event.job
        if job is self.job:
            self.job = None
        if event.error:
            self.notice = t("watch.notice.check_crashed", reason=event.error)
        if job.kind == "watch" and job.owner is self.schedule:
            if job.cancelled:
                self.schedule.dropped()
            else:
                self.schedule.finished()
        self._pump()

    def _record(self, job: Job, results: dict, done: list) -> None:
        """Remember full verdicts in the state file, as `grader check` does; not when the
        file changed during the check (which content was checked is then unsure)."""
        state = State.load(self.catalog.root)
        recorded = False
        for exercise in job.exercises:
            result = results.get(exercise.id)
            sha = job.shas.get(exercise.id)
            if result is None or not result.tests or sha is None or file_sha256(exercise.work_file) != sha:
                continue
            state.record(exercise, sha, result.status, result.score, list(done))
            recorded = True
        if recorded and not state.save():
            self.notice = t("watch.notice.state_not_saved", file=str(state.path))

    # ------------------------------------------------------------ keys

    def _key(self, char: str | None) -> None:
        if char is None:                    # the terminal is gone
            self.done, self.code = True, 129
            return
        if char == "\x03":                  # Ctrl-C where the terminal did not make it a signal
            raise KeyboardInterrupt
        key = unicodedata.normalize("NFKC", char).lower() if char != "esc" else char
        if self.mode == "confirm":
            self.mode = "verdict"
            if key == "y":
                self._reset()
            else:
                self.notice = t("watch.notice.reset_kept", file=self._file())
            return
        self.notice = ""
        actions = {"h": self._hint, "l": self._list, "n": lambda: self._step(1), "p": lambda: self._step(-1),
                   "r": self._again, "x": self._ask_reset, "q": self._quit, "esc": self._back}
        action = actions.get(key)
        if action is None:
            self.notice = t("watch.notice.unknown_key", key=char)
        else:
            action()

    def _quit(self) -> None:
        self.done, self.code = True, 0

    def _back(self) -> None:
        self.mode = "verdict"

    def _hint(self) -> None:
        self.mode = "verdict"
        exercise = self.exercise
        total = len(exercise.hints)
        if total == 0:
            self.notice = t("watch.notice.no_hints")
            return
        state = State.load(self.catalog.root)
        shown = min(state.hints_shown(exercise), total)
        if shown >= total:
            self.hints_shown = total
            if exercise.solution.is_file():
                self.notice = t("watch.notice.all_hints", file=display_path(exercise, exercise.solution))
            else:
                self.notice = t("watch.notice.all_hints_no_solution")
            return
        state.set_hints_shown(exercise, shown + 1)
        self.hints_shown = shown + 1
        if not state.save():
            self.notice = t("watch.notice.state_not_saved", file=str(state.path))

    def _list(self) -> None:
        self.mode = "verdict" if self.mode == "list" else "list"
        self._pump()

    def _step(self, by: int) -> None:
        exercises = list(self.catalog.exercises)
        index = exercises.index(self.exercise) + by
        if index < 0:
            self.notice = t("watch.notice.first")
        elif index >= len(exercises):
            self.notice = t("watch.notice.last")
        else:
            self.open(exercises[index])

    def _again(self) -> None:
        self.mode = "verdict"
        self.schedule.again(file_sha256(self.exercise.work_file))
        self._pump()

    def _ask_reset(self) -> None:
        exercise = self.exercise
        if of_record(exercise) is None:
            self.notice = t("watch.notice.reset_no_stub", file=self._file())
        elif exercise.work_file.is_file() and is_stub(exercise):
            self.notice = t("watch.notice.reset_already", file=self._file())
        else:
            self.mode = "confirm"

    def _reset(self) -> None:
        exercise = self.exercise
        shipped = of_record(exercise)
        if shipped is None:
            self.notice = t("watch.notice.reset_no_stub", file=self._file())
            return
        try:
            exercise.work_file.parent.mkdir(parents=True, exist_ok=True)
            exercise.work_file.write_bytes(shipped)
        except OSError as exc:
            self.notice = t("watch.notice.reset_failed", file=self._file(), reason=exc.strerror or str(exc))
            return
        state = State.load(self.catalog.root)
        state.forget(exercise)
        if not state.save():
            self.notice = t("watch.notice.state_not_saved", file=str(state.path))
        else:
            self.notice = t("watch.notice.reset_done", file=self._file())
        if self.job is not None and self.job.owner is self.schedule:
            self.runner.cancel()        # a verdict of what is no longer there
        self._file_changed()

    # ------------------------------------------------------------ ticks

    def _tick(self) -> None:
        now = self.clock()
        changed = False
        if self.runner.busy:
            self.runner.nudge()
        size = self._size()
        if size != self.last_size:
            changed = True
        watcher = self.watcher
        if watcher is not None and watcher.mode == "events" and not watcher.alive():
            watcher.switch_to_polling("stopped")
            self.notice = t("watch.notice.polling_stopped", interval=INTERVAL)
            changed = True
        if self.settle_at is not None and now >= self.settle_at:
            self._file_changed(settled=True)
            changed = True
        if self.exercise is not None and now - self.last_look >= BACKSTOP:
            self.last_look = now
            seen = stat_of(self.exercise.work_file)
            if seen == self.stat:
                self.suspect_since = None
            elif self.suspect_since is None:
                self.suspect_since = now
            elif now - self.suspect_since >= BACKSTOP:
                # The file changed and no event said so within a second: events stopped.
                if watcher is not None and watcher.mode == "events":
                    watcher.switch_to_polling("missed")
                    self.notice = t("watch.notice.polling_missed", interval=INTERVAL)
                self._file_changed()
                changed = True
        if changed:
            self.redraw()

    # ------------------------------------------------------------ the screen

    def _file(self, exercise: Exercise | None = None) -> str:
        exercise = exercise or self.exercise
        return display_path(exercise, exercise.work_file)

    def _stale(self) -> list:
        """(exercise, sha) of each exercise whose file changed since its last full check."""
        state = State.load(self.catalog.root)
        stale = []
        for exercise in self.catalog.exercises:
            if not exercise.work_file.is_file() or is_stub(exercise):
                continue
            sha = file_sha256(exercise.work_file)
            if state.cached(exercise, sha, self.methods) is None:
                stale.append((exercise, sha))
        return stale

    def _rows(self) -> tuple[list, list]:
        """The rows of `grader list` and the ids not known without a check."""
        state = State.load(self.catalog.root)
        rows, unknown = [], []
        for exercise in self.catalog.exercises:
            sha = file_sha256(exercise.work_file)
            if sha is None:
                rows.append((exercise, "missing", 0.0))
            elif is_stub(exercise):
                rows.append((exercise, "not_started", 0.0))
            else:
                cached = state.cached(exercise, sha, self.methods)
                tried = self.list_tried.get(exercise.id)
                if cached is not None:
                    rows.append((exercise, "passing" if cached["status"] == "pass" else "failing",
                                 float(cached["score"])))
                elif tried is not None and tried[0] == sha:
                    rows.append((exercise, tried[1], float(tried[2])))
                else:
                    rows.append((exercise, "failing", 0.0))
                    unknown.append(exercise.id)
        return rows, unknown

    def view(self) -> frame_mod.View:
        exercise = self.exercise
        view = frame_mod.View(exercise=exercise, file=self._file(), notice=self.notice)
        view.hints = list(exercise.hints[:self.hints_shown])
        view.hints_total = len(exercise.hints)
        view.missing = not exercise.work_file.exists()
        running = self.job is not None and self.job.owner is self.schedule and not self.job.cancelled
        verdict = self.current
        if verdict is not None:
            view.result = verdict.result
            for method in self.methods:
                if method in verdict.done:
                    view.marks[method] = passed_under(verdict.result, method)
                else:
                    view.marks[method] = None if running else "not_run"
            if running:
                view.checking = next((stage for stage in self.stages if not set(stage) <= set(verdict.done)), [])
            view.passed = verdict.complete and verdict.result is not None and verdict.result.passed
        view.queued = self.schedule.queued
        rows, unknown = self._rows()
        if view.passed:
            view.progress = list_report(rows, self.style).splitlines()[-1]
            view.all_pass = all(status == "passing" for _, status, _ in rows)
        if self.mode == "list":
            view.mode = "list"
            if unknown:
                view.list_checking = unknown
            else:
                view.listing = list_report(rows, self.style)
        if self.mode == "confirm":
            view.question = t("watch.notice.reset_confirm", file=self._file())
        watcher = self.watcher
        if watcher is not None and watcher.mode == "polling":
            view.watching = t("watch.screen.polling", file=self._file(), interval=watcher.interval)
        elif watcher is not None:
            view.watching = t("watch.screen.watching", file=self._file())
        return view

    def redraw(self) -> None:
        if self.exercise is None:
            return
        columns, rows = self.last_size = self._size()
        self._draw(frame_mod.compose(self.view(), self.style, columns, rows))


# ---------------------------------------------------------------- running it

class _Signalled(BaseException):
    """SIGHUP (the terminal was closed) or SIGTERM: stop as after `q`, quietly."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise(signum, _frame):
    raise _Signalled(signum)


def _handlers(handler) -> dict:
    """Set `handler` for SIGHUP and SIGTERM (and SIGINT when given one); the old ones."""
    old = {}
    for name in ("SIGHUP", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is not None:
            old[signum] = signal.signal(signum, handler)
    return old


def _silence_output() -> None:
    """After the terminal went away, nothing more can be written to it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            os.dup2(devnull, fd)
    except OSError:
        pass


@dataclass
class Suspend:
    """Ctrl-Z (SIGTSTP): put the terminal back, stop, and take it again on `fg`."""


def _suspend(term, loop: Loop | None) -> None:
    term.restore()
    previous = signal.signal(signal.SIGTSTP, signal.SIG_DFL)
    try:
        os.kill(os.getpid(), signal.SIGTSTP)        # stopped here until the shell's `fg`
    finally:
        signal.signal(signal.SIGTSTP, previous)
    term.enter()
    if loop is not None:
        loop.redraw()


def run(catalog: Catalog, first: Exercise | None, methods: list[str], style: Style,
        poll: bool = False) -> int:
    """`grader watch`: returns the exit code (0 after `q`, 2 without a terminal, 128 + the
    signal's number after SIGHUP or SIGTERM); Ctrl-C is a KeyboardInterrupt, raised once
    everything is ended and the terminal is put back. Ctrl-Z gives the terminal back while
    watch is stopped."""
    if not terminal_mod.usable():
        print(t("watch.no_terminal"), file=sys.stderr, flush=True)
        return 2
    if importlib.util.find_spec("watchdog") is None:     # installed before watch needed it
        print(t("watch.no_watchdog"), file=sys.stderr, flush=True)
        return 1
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    term = terminal_mod.Terminal()
    runner = Runner(catalog, inbox.put, scratch=True)
    watcher = FileWatcher(catalog.root / "exercises", lambda paths: inbox.put(Changed(paths)),
                          poll=poll, probe_dir=catalog.root / STATE_DIR)
    keys = KeyReader(inbox.put)
    loop: Loop | None = None
    signalled = None
    old = _handlers(_raise)
    if hasattr(signal, "SIGTSTP"):
        old[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, lambda signum, _frame: inbox.put(Suspend()))
    try:
        term.enter()
        columns, rows = term.size()
        term.draw(frame_mod.fit([t("watch.starting", folder="exercises/")], columns - 1)[:rows])
        watcher.start()
        keys.start()
        loop = Loop(catalog, methods, style, runner, term.draw, term.size, watcher)
        if watcher.reason == "no_events":
            loop.notice = t("watch.notice.polling_no_events", interval=watcher.interval)
        elif watcher.reason == "error":
            loop.notice = t("watch.notice.polling_error", reason=watcher.detail, interval=watcher.interval)
        loop.open(first or loop.first_to_do())
        next_tick = time.monotonic() + TICK
        while not loop.done:
            try:
                event = inbox.get(timeout=max(0.0, next_tick - time.monotonic()))
            except queue.Empty:
                event = None
            if isinstance(event, Suspend):
                _suspend(term, loop)
            elif event is not None:
                loop.handle(event)
            if time.monotonic() >= next_tick and not loop.done:
                loop.handle(Tick())
                next_tick = time.monotonic() + TICK
        return loop.code
    except _Signalled as stop:
        signalled = stop.signum
        return 128 + stop.signum
    finally:
        # Ending everything must not be cut short by a second signal.
        def hold(signum, _frame):
            pass

        _handlers(hold)
        interrupt = signal.signal(signal.SIGINT, hold)
        try:
            keys.stop()
            runner.stop()
            watcher.stop()
            farewell = t("watch.bye") if loop is not None and loop.done and loop.code == 0 else ""
            term.restore(farewell)
        finally:
            signal.signal(signal.SIGINT, interrupt)
            for signum, handler in old.items():
                signal.signal(signum, handler)
            if signalled == getattr(signal, "SIGHUP", None) or term.gone or (loop is not None and loop.code == 129):
                _silence_output()
