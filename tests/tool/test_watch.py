"""`grader watch`: its parts without a clock (the schedule, the loop with a stand-in
runner, stages and merged verdicts, the frame, the keys, the words), the file watcher on
real files, and the whole command driven in a real pseudo-terminal (pexpect) whose screen
is read back with a terminal emulator (pyte), on a copy of the kit.

The end-to-end tests are the only ones that look at a clock, and only with generous bounds:
they print the times they measured (run with -s to see them and the screens).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from grader.course import catalog as catalog_mod
from grader.course.state import State, file_sha256
from grader.course.stubs import of_record
from grader.grading import checker
from grader.results import Grading
from grader.output.report import Style
from grader.text import read_catalog
from grader.watch import frame, keys, loop as loop_mod, runner as runner_mod, watcher as watcher_mod
from grader.watch.schedule import Schedule

ROOT = Path(__file__).resolve().parents[2]
CATALOG = catalog_mod.load(ROOT)
EX01 = CATALOG.find("01")
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty / POSIX signals")
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def need(module: str):
    """A development tool of the dev extra: fail in CI, skip elsewhere."""
    try:
        return __import__(module)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{module} is missing (CI is set: install the dev extra, `pip install -e .[dev]`)")
        pytest.skip(f"{module} is not installed (pip install -e .[dev])")


def make_kit(folder: Path) -> Path:
    """A copy of the kit: catalog, stubs, solutions and exercise tests with their messages."""
    kit = folder / "kit"
    kit.mkdir()
    shutil.copy(ROOT / "catalog.toml", kit)
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "exercises", kit / "exercises", ignore=skip)
    shutil.copytree(ROOT / "solutions", kit / "solutions", ignore=skip)
    (kit / "tests").mkdir()
    for test in (ROOT / "tests").glob("test_*.py"):
        shutil.copy(test, kit / "tests")
    shutil.copytree(ROOT / "tests" / "messages", kit / "tests" / "messages")
    for exercise in CATALOG.exercises:
        (kit / "exercises" / f"{exercise.name}.py").write_bytes(of_record(exercise))
    return kit


@pytest.fixture
def kit(tmp_path) -> Path:
    return make_kit(tmp_path)


# ---------------------------------------------------------------- the schedule (no clock)

def test_a_save_starts_a_check_and_unchanged_content_starts_nothing():
    schedule = Schedule()
    schedule.saved("A")
    assert schedule.next() == "A" and schedule.next() is None
    schedule.saved("A")                     # the content being checked
    schedule.finished()
    assert schedule.next() is None
    schedule.saved("A")                     # the content checked last
    assert schedule.next() is None and not schedule.queued


def test_saves_during_a_check_queue_one_recheck_of_the_last_content():
    schedule = Schedule()
    schedule.saved("A")
    assert schedule.next() == "A"
    for sha in ("B", "C", "D"):
        schedule.saved(sha)
        assert schedule.next() is None and schedule.queued
    schedule.finished()
    assert schedule.next() == "D"
    schedule.finished()
    assert schedule.next() is None


def test_saving_back_the_content_being_checked_drops_the_recheck():
    schedule = Schedule()
    schedule.saved("A")
    schedule.next()
    schedule.saved("B")
    schedule.saved("A")
    schedule.finished()
    assert schedule.next() is None


def test_again_checks_unchanged_content_once_more():
    schedule = Schedule(checked="A")
    schedule.saved("A")
    assert schedule.next() is None
    schedule.again("A")
    assert schedule.next() == "A"
    schedule.again("A")                     # while it runs: once more after it
    schedule.saved("A")
    schedule.finished()
    assert schedule.next() == "A"


def test_a_dropped_check_leaves_its_content_unchecked():
    schedule = Schedule(checked="A")
    schedule.saved("B")
    assert schedule.next() == "B"
    schedule.dropped()
    schedule.saved("B")
    assert schedule.next() == "B"
    schedule.saved(None)                    # an unreadable file starts nothing
    schedule.finished()
    assert schedule.next() is None


# ---------------------------------------------------------------- stages and verdicts

def test_the_quickest_start_method_comes_first():
    assert runner_mod.stages(["fork", "spawn", "forkserver"]) == [["fork"], ["forkserver", "spawn"]]
    assert runner_mod.stages(["spawn", "forkserver"]) == [["forkserver"], ["spawn"]]
    assert runner_mod.stages(["spawn"]) == [["spawn"]]


def outcome(exercise, test: str, method: str, status: str = "pass", message: str = "") -> dict:
    return {"exercise": exercise.id, "test": test, "start_method": method, "status": status,
            "message": message, "weight": 1.0, "duration": 0.1, "line": None, "output": ""}


def result_of(exercise, methods: list[str], failing: dict | None = None):
    """A result of two tests under `methods`; `failing` maps a method to the failing test."""
    failing = failing or {}
    outcomes = [outcome(exercise, name, method,
                        "fail" if failing.get(method) == name else "pass",
                        "wrong" if failing.get(method) == name else "")
                for method in methods for name in ("test_one", "test_two")]
    return checker.score(exercise, outcomes)


def test_stages_are_scored_as_one_run_under_all_their_methods():
    first = result_of(EX01, ["fork"])
    rest = result_of(EX01, ["forkserver", "spawn"], failing={"spawn": "test_two"})
    merged = runner_mod.merge(EX01, first, rest)
    alone = result_of(EX01, ["fork", "forkserver", "spawn"], failing={"spawn": "test_two"})
    assert merged.status == alone.status == "fail"
    assert merged.score == alone.score
    assert {t.name: t.failed_methods for t in merged.tests} == {"test_one": [], "test_two": ["spawn"]}
    assert loop_mod.passed_under(merged, "fork") and not loop_mod.passed_under(merged, "spawn")


class StandInRunner:
    """The runner's interface, run by hand: the test says when a stage ends."""

    def __init__(self):
        self.started: list = []
        self.job = None
        self.done: list = []
        self.cancelled = 0

    @property
    def busy(self):
        return self.job is not None

    def start(self, job):
        assert self.job is None
        self.job = job
        self.started.append(job)

    def cancel(self):
        if self.job is not None:
            self.job.cancelled = True
            self.cancelled += 1

    def nudge(self):
        pass

    def stage(self, the_loop, passed: bool = True) -> None:
        """End the running job's next stage (through the loop)."""
        job = self.job
        done = [m for stage in job.stages[:len(self.done) + 1] for m in stage]
        self.done = done
        results = {e.id: result_of(e, done, None if passed else {"spawn": "test_one"}) for e in job.exercises}
        the_loop.handle(runner_mod.StageDone(job, results, list(done)))

    def finish(self, the_loop, passed: bool = True):
        """End the running job: each stage's results, then JobEnded, through the loop."""
        job = self.job
        if not job.cancelled:
            while len(self.done) < len(job.methods):
                self.stage(the_loop, passed)
        self.job, self.done = None, []
        the_loop.handle(runner_mod.JobEnded(job))


def make_loop(kit: Path, methods=("fork", "spawn", "forkserver"), clock=lambda: 0.0):
    catalog = catalog_mod.load(kit)
    frames: list = []
    stand_in = StandInRunner()
    the_loop = loop_mod.Loop(catalog, list(methods), Style(), stand_in, frames.append, lambda: (100, 30),
                             clock=clock)
    return catalog, the_loop, stand_in, frames


def save(the_loop, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    the_loop.handle(loop_mod.Changed({os.path.normcase(os.path.abspath(path))}))


def test_three_saves_during_a_check_give_two_checks_the_last_on_the_final_content(kit):
    catalog, the_loop, stand_in, _ = make_loop(kit)
    exercise = catalog.find("01")
    the_loop.open(exercise)
    assert len(stand_in.started) == 1       # the stub, on opening
    contents = [of_record(exercise) + f"\n# save {n}\n".encode() for n in range(3)]
    for data in contents:
        save(the_loop, exercise.work_file, data)
    assert len(stand_in.started) == 1
    stand_in.finish(the_loop)
    assert len(stand_in.started) == 2
    assert stand_in.started[1].shas[exercise.id] == hashlib.sha256(contents[-1]).hexdigest()
    stand_in.finish(the_loop)
    assert len(stand_in.started) == 2


def test_a_new_save_ends_the_later_stages_of_a_check_but_never_its_first(kit):
    catalog, the_loop, stand_in, _ = make_loop(kit)
    exercise = catalog.find("01")
    the_loop.open(exercise)
    save(the_loop, exercise.work_file, b"# one\n")
    assert stand_in.cancelled == 0          # no first verdict yet: it is queued
    stand_in.finish(the_loop)
    assert stand_in.started[-1].shas[exercise.id] == hashlib.sha256(b"# one\n").hexdigest()
    stand_in.stage(the_loop)                # the first verdict of "# one" is on screen
    save(the_loop, exercise.work_file, b"# two\n")
    assert stand_in.cancelled == 1
    stand_in.finish(the_loop)
    assert len(stand_in.started) == 3
    assert stand_in.started[-1].shas[exercise.id] == hashlib.sha256(b"# two\n").hexdigest()
    the_loop.handle(keys.Key("r"))          # asked for again: nothing is ended
    assert stand_in.cancelled == 1


def test_a_save_that_changes_nothing_starts_nothing(kit):
    catalog, the_loop, stand_in, _ = make_loop(kit)
    exercise = catalog.find("01")
    the_loop.open(exercise)
    stand_in.finish(the_loop)
    save(the_loop, exercise.work_file, exercise.work_file.read_bytes())
    the_loop.handle(loop_mod.Changed({os.path.normcase(os.path.abspath(exercise.work_file))}))
    assert len(stand_in.started) == 1
    the_loop.handle(keys.Key("r"))          # unless asked
    assert len(stand_in.started) == 2


def test_an_empty_file_is_checked_only_once_it_stays_empty(kit):
    now = [0.0]
    catalog, the_loop, stand_in, _ = make_loop(kit, clock=lambda: now[0])
    exercise = catalog.find("01")
    the_loop.open(exercise)
    stand_in.finish(the_loop)
    save(the_loop, exercise.work_file, b"")             # an editor's truncate ...
    save(the_loop, exercise.work_file, b"# written\n")  # ... and its write
    assert len(stand_in.started) == 2
    stand_in.finish(the_loop)
    save(the_loop, exercise.work_file, b"")
    the_loop.handle(loop_mod.Tick())
    assert len(stand_in.started) == 2
    now[0] += loop_mod.SETTLE
    the_loop.handle(loop_mod.Tick())                    # still empty: checked as it is
    assert stand_in.started[-1].shas[exercise.id] == hashlib.sha256(b"").hexdigest()


def test_a_full_verdict_is_recorded_as_grader_check_records_it(kit):
    catalog, the_loop, stand_in, frames = make_loop(kit)
    exercise = catalog.find("01")
    shutil.copy(exercise.solution, exercise.work_file)
    the_loop.open(exercise)
    assert stand_in.started[0].stages == [["fork"], ["forkserver", "spawn"]]
    stand_in.finish(the_loop)
    cached = State.load(kit).cached(exercise, file_sha256(exercise.work_file), ["fork", "spawn", "forkserver"])
    assert cached is not None and cached["status"] == "pass" and cached["score"] == exercise.points
    screen = "\n".join(frames[-1])
    assert "passes under every start method" in screen and "Progress: [##--------] 1/5" in screen


def test_a_verdict_of_a_file_changed_during_its_check_is_not_recorded(kit):
    catalog, the_loop, stand_in, _ = make_loop(kit)
    exercise = catalog.find("01")
    the_loop.open(exercise)
    exercise.work_file.write_bytes(b"# changed while checking\n")    # its event comes later
    stand_in.finish(the_loop)
    assert State.load(kit).last(exercise) is None


def test_next_and_previous_cancel_the_running_check(kit):
    catalog, the_loop, stand_in, frames = make_loop(kit)
    the_loop.open(catalog.find("01"))
    the_loop.handle(keys.Key("p"))
    assert "This is the first exercise." in "\n".join(frames[-1])
    the_loop.handle(keys.Key("n"))
    assert stand_in.cancelled == 1 and frames[-1][0].startswith("02 clock_process")
    stand_in.finish(the_loop)               # the cancelled one ends; then 02's starts
    assert [job.exercises[0].id for job in stand_in.started] == ["01", "02"]


def test_reset_asks_first(kit):
    catalog, the_loop, stand_in, frames = make_loop(kit)
    exercise = catalog.find("01")
    shutil.copy(exercise.solution, exercise.work_file)
    the_loop.open(exercise)
    stand_in.finish(the_loop)
    the_loop.handle(keys.Key("x"))
    assert "Press y to reset" in "\n".join(frames[-1])
    the_loop.handle(keys.Key("k"))
    assert exercise.work_file.read_bytes() == exercise.solution.read_bytes()
    the_loop.handle(keys.Key("x"))
    the_loop.handle(keys.Key("y"))
    assert exercise.work_file.read_bytes() == of_record(exercise)
    assert State.load(kit).last(exercise) is None
    assert len(stand_in.started) == 2       # the stub is checked again


def test_hints_come_one_at_a_time_and_are_remembered(kit):
    catalog, the_loop, _, frames = make_loop(kit)
    exercise = catalog.find("03")
    the_loop.open(exercise)
    for _ in range(len(exercise.hints) + 1):
        the_loop.handle(keys.Key("h"))
    screen = "\n".join(frames[-1])
    total = len(exercise.hints)
    assert f"Hint {total}/{total}" in screen and "That is every hint" in screen
    assert State.load(kit).hints_shown(exercise) == total


def test_keys_and_escape_sequences():
    assert keys.split("h") == ["h"]
    assert keys.split("\x1b") == ["esc"]
    assert keys.split("\x1b[A") == []
    assert keys.split("nq\x1b[B") == ["n", "q"]
    assert keys.split("\x03") == ["\x03"]


def test_the_frame_fits_the_terminal_in_any_language():
    row = "中文" * 30 + " " + "word " * 20
    for line in frame.wrap("\x1b[32m" + row + "\x1b[0m", 39):
        assert frame.width(line) <= 39
    catalog = catalog_mod.load(ROOT)
    result = result_of(EX01, ["fork", "forkserver", "spawn"], failing={"spawn": "test_one"})
    result.tests[0].message = "\n".join(f"line {n} " + "中文" * 40 for n in range(50))
    view = frame.View(exercise=catalog.find("01"), file="exercises/01_worker_args.py", result=result,
                      marks={"fork": True, "forkserver": True, "spawn": False}, watching="watching")
    lines = frame.compose(view, Style(colour=True), 60, 20)
    assert len(lines) == 20 and all(frame.width(line) <= 59 for line in lines)
    assert "more line(s)" in "\n".join(lines)
    assert "quit" in lines[-1] and "watching" in "\n".join(lines[-3:])


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[a-z_]+\}", text) + re.findall(r"`[^`]+`", text))


def flatten(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def test_the_words_exist_in_english_and_chinese_alike():
    locale = ROOT / "grader" / "locale"
    en = flatten(read_catalog(locale / "en" / "watch.toml"))
    zh = flatten(read_catalog(locale / "zh-CN" / "watch.toml"))
    assert en.keys() == zh.keys()
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key
    used = set()
    for module in (ROOT / "grader" / "watch").glob("*.py"):
        used |= set(re.findall(r"\"(watch\.[a-z_.]+)\"", module.read_text(encoding="utf-8")))
    used |= set(re.findall(r"\"(watch\.[a-z_.]+)\"", (ROOT / "grader" / "cli.py").read_text(encoding="utf-8")))
    dynamic = {"watch.screen.not_run", "watch.screen.pending"}      # + "_ascii"; keys by name
    missing = {key for key in used - dynamic if key not in en}
    assert not missing


# ---------------------------------------------------------------- the runner

def test_a_cancelled_check_posts_no_verdict_and_a_crash_is_reported(kit):
    catalog = catalog_mod.load(kit)
    events, ended = [], []

    def grade(_catalog, exercises, methods):
        job.cancelled = True                # as if `n` came during the first stage
        return Grading([result_of(exercises[0], methods)], methods, 0.0, 0.0)

    stand_in = runner_mod.Runner(catalog, events.append, grade=grade, end=lambda: ended.append(1))
    job = runner_mod.Job([catalog.find("01")], [["fork"], ["spawn"]], {"01": "x"})
    stand_in.start(job)
    assert stand_in.stop()
    assert [type(e).__name__ for e in events] == ["JobEnded"]

    def broken(_catalog, exercises, methods):
        raise RuntimeError("pytest vanished")

    events.clear()
    crashing = runner_mod.Runner(catalog, events.append, grade=broken, end=lambda: ended.append(1))
    crashing.start(runner_mod.Job([catalog.find("01")], [["fork"]], {"01": "x"}))
    assert crashing.stop()
    assert events[-1].error == "RuntimeError: pytest vanished" and ended


# ---------------------------------------------------------------- the file watcher

def wait_until(condition, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.parametrize("poll", [False, True], ids=["events", "polling"])
def test_the_watcher_sees_writes_and_atomic_renames(tmp_path, poll):
    folder, state = tmp_path / "exercises", tmp_path / ".grader"
    folder.mkdir()
    target = folder / "01_worker_args.py"
    target.write_text("one\n")
    seen: list = []
    watcher = watcher_mod.FileWatcher(folder, seen.append, poll=poll, probe_dir=state)
    watcher.start()
    try:
        assert watcher.mode == ("polling" if poll else "events")
        assert not state.exists() or not list(state.iterdir())     # the probe cleaned up
        key = os.path.normcase(os.path.abspath(target))
        target.write_text("two\n")
        assert wait_until(lambda: any(key in paths for paths in seen))
        seen.clear()
        temporary = folder / ".01_worker_args.py.swp"
        temporary.write_text("three\n")
        os.replace(temporary, target)
        assert wait_until(lambda: any(key in paths for paths in seen))
    finally:
        watcher.stop()


def test_without_events_the_watcher_polls_by_itself(tmp_path, monkeypatch):
    monkeypatch.setattr(watcher_mod.FileWatcher, "_probe", lambda self, observer: False)
    watcher = watcher_mod.FileWatcher(tmp_path, lambda paths: None, probe_dir=tmp_path / ".grader")
    watcher.start()
    try:
        assert (watcher.mode, watcher.reason) == ("polling", "no_events")
    finally:
        watcher.stop()


# ---------------------------------------------------------------- the command, in a terminal

def test_without_a_terminal_watch_says_so_and_exits_2(kit):
    env = dict(os.environ, GRADER_ROOT=str(kit), GRADER_LANG="en")
    result = subprocess.run([sys.executable, "-m", "grader", "watch"], cwd=kit, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr and "Traceback" not in result.stderr


class Terminal:
    """`grader watch` on a pseudo-terminal, its screen kept by a terminal emulator."""

    def __init__(self, kit: Path, tmp: Path, args: list[str], rows: int = 45, columns: int = 110,
                 wrapped: bool = True):
        pexpect, pyte = need("pexpect"), need("pyte")
        self.kit, self.tmp = kit, tmp
        self.token = secrets.token_hex(6)
        # The TMPDIR of watch and all it starts: short, as a system's is, so that the
        # forkserver's sockets below it have short enough paths.
        self.scratch = Path(tempfile.mkdtemp(prefix="gwt-", dir="/tmp"))
        env = dict(os.environ, GRADER_ROOT=str(kit), GRADER_LANG="en", TERM="xterm", WATCH_TEST=self.token,
                   TMPDIR=str(self.scratch), PYTHONIOENCODING="utf-8")
        for name in ("NO_COLOR", "GRADER_START_METHODS", "PYTEST_ADDOPTS", "GRADER_DEBUG"):
            env.pop(name, None)
        command = [sys.executable, "-m", "grader", "watch", *args]
        if wrapped:     # bash notes the terminal's modes before and after, and the exit code
            script = 'stty -g > "$0.before"; "$@"; code=$?; stty -g > "$0.after"; echo "watch-exit=$code"'
            self.child = pexpect.spawn("/bin/bash", ["-c", script, str(tmp / "modes"), *command], env=env,
                                       cwd=str(kit), dimensions=(rows, columns))
        else:
            self.child = pexpect.spawn(command[0], command[1:], env=env, cwd=str(kit), dimensions=(rows, columns))
        self.pexpect = pexpect
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.ended = False
        self.buffer = b""
        self.checks: set = set()                # pid of every first-stage pytest run seen
        self.shown: list = []

    def read(self, timeout: float = 0.05) -> None:
        """Feed the emulator one whole frame (watch draws each from the top-left corner, in
        one write), so that no test looks at a frame half drawn or skips one: read more
        only when no whole frame is waiting."""
        self._count_checks()
        later = self.buffer.find(HOME, 1)
        if later > 0:
            self.stream.feed(self.buffer[:later])
            self.buffer = self.buffer[later:]
            return
        try:
            data = self.child.read_nonblocking(65536, timeout)
        except self.pexpect.TIMEOUT:
            data = b""
        except self.pexpect.EOF:
            self.ended, data = True, b""
        if data:
            self.buffer += data
        elif self.buffer:               # nothing more came: what is there is whole
            self.stream.feed(self.buffer)
            self.buffer = b""

    def _count_checks(self) -> None:
        """Note each first-stage pytest run that watch started (a child of watch itself: a
        process pytest is forking for a sandboxed call has pytest's command line too)."""
        try:
            procs = psutil.Process(self.child.pid).children(recursive=True)
        except psutil.Error:
            return
        for proc in procs:
            try:
                cmdline = proc.cmdline()
                if "pytest" in cmdline and cmdline.count("--start-method") == 1 and "fork" in cmdline \
                        and "watch" in proc.parent().cmdline():
                    self.checks.add(proc.pid)
            except (psutil.Error, AttributeError):
                continue

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, what: str, timeout: float = 120.0) -> float:
        """Read until `what` (a regular expression) is on screen; returns when it came."""
        end = time.monotonic() + timeout
        while not re.search(what, self.text):
            if time.monotonic() > end or (self.ended and not self.buffer):
                pytest.fail(f"not on screen after {timeout} s: {what!r}\n{self.text}")
            self.read()
        return time.monotonic()

    def press(self, key: str) -> None:
        self.child.send(key)

    def capture(self, title: str) -> None:
        body = "\n".join(line.rstrip() for line in self.screen.display).rstrip("\n")
        self.shown.append(f"--- {title}\n{body}")
        print(f"\n--- {title}\n{body}")

    def finish(self, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while (not self.ended or self.buffer) and time.monotonic() < end:
            self.read(0.2)
        while self.child.isalive() and time.monotonic() < end:
            time.sleep(0.05)
        assert not self.child.isalive()

    def leftovers(self) -> list:
        left = []
        for proc in psutil.process_iter():
            try:
                if proc.environ().get("WATCH_TEST") == self.token:
                    left.append(proc)
            except psutil.Error:
                pass
        return left

    def close(self) -> None:
        for proc in self.leftovers():
            try:
                proc.kill()
            except psutil.Error:
                pass
        try:
            self.child.close(force=True)
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.scratch, ignore_errors=True)


def write_atomically(path: Path, data: bytes) -> None:
    """As editors do: a new file, renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


HOME = b"\x1b[H"
FIRST = r"fork ✓ "                                  # the quickest start method's verdict
FULL = r"passes under every start method"
FAILS = r"Fix the first problem above"


@POSIX
@pytest.mark.parametrize("poll", [False, True], ids=["events", "polling"])
def test_watch_in_a_terminal(tmp_path, poll):
    kit = make_kit(tmp_path)
    work = kit / "exercises" / f"{EX01.name}.py"
    stub, solution = work.read_bytes(), (kit / "solutions" / f"{EX01.name}.py").read_bytes()
    term = Terminal(kit, tmp_path, ["--poll"] if poll else [])
    try:
        term.wait_for(r"^01 worker_args: ")
        term.wait_for(FAILS)
        term.capture("the untouched kit")
        assert ("polling every" in term.text) == poll
        timings = {}
        for how, write in (("direct", Path.write_bytes), ("atomic", write_atomically)):
            before = len(term.checks)
            write(work, solution)
            saved = time.monotonic()
            first = term.wait_for(FIRST)
            assert re.search(r"(forkserver|spawn) …", term.text), term.text   # the others still run
            term.capture(f"first verdict after a {how} save ({first - saved:.2f} s)")
            full = term.wait_for(FULL)
            term.capture(f"full verdict after a {how} save ({full - saved:.2f} s)")
            timings[how] = (round(first - saved, 2), round(full - saved, 2))
            assert len(term.checks) == before + 1
            write(work, stub)
            term.wait_for(FAILS)
        print(f"\ntimings (first verdict, full verdict), seconds after the save: {timings}")
        for first, full in timings.values():
            assert first < 30 and full < 90            # generous: a 2-core machine under heavy load

        # Three saves within 100 ms: at most two checks, the last one of the final content.
        before = len(term.checks)
        began = time.monotonic()
        for n in range(2):
            work.write_bytes(solution + f"\n# save {n}\n".encode())
            time.sleep(0.02)
        work.write_bytes(solution)
        spread = time.monotonic() - began      # about 0.05 s; a check takes a second or more
        term.wait_for(FULL)
        time.sleep(1)
        term.read()
        assert 1 <= len(term.checks) - before <= 2
        state = json.loads((kit / ".grader" / "state.json").read_text(encoding="utf-8"))
        last = state["exercises"][EX01.name]["last"]
        assert last["sha256"] == hashlib.sha256(solution).hexdigest() and last["status"] == "pass"
        assert set(last["methods"]) == set(m for m in ("fork", "spawn", "forkserver"))
        print(f"three saves within {spread * 1000:.0f} ms: {len(term.checks) - before} check(s)")

        term.press("n")
        term.wait_for(r"^02 clock_process: ")
        term.capture("after n")
        term.press("q")
        term.finish()
        term.capture("after q")
        assert "watch-exit=0" in term.text
        modes = tmp_path / "modes"
        assert Path(f"{modes}.before").read_text() == Path(f"{modes}.after").read_text()
        assert not term.leftovers()
        assert not list(term.scratch.iterdir())
        env = dict(os.environ, GRADER_ROOT=str(kit), GRADER_LANG="en")
        listed = subprocess.run([sys.executable, "-m", "grader", "list"], cwd=kit, env=env, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, encoding="utf-8", timeout=300)
        assert re.search(r"01  worker_args .* passing +10/10", listed.stdout), listed.stdout
        assert "Checking" not in listed.stderr      # it took watch's verdict: nothing to check
    finally:
        term.close()


def normal_mode(fd: int) -> bool:
    import termios

    lflag = termios.tcgetattr(fd)[3]
    return bool(lflag & termios.ICANON) and bool(lflag & termios.ECHO)


def wait_for_a_check(term: Terminal, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not term.checks and time.monotonic() < end:
        term.read()
    assert term.checks


@POSIX
def test_ctrl_c_ends_every_process_and_restores_the_terminal(tmp_path):
    kit = make_kit(tmp_path)
    term = Terminal(kit, tmp_path, ["03"])
    try:
        term.wait_for(r"Checking exercises/03_pool_squares.py under fork")
        wait_for_a_check(term)
        term.child.sendintr()
        term.finish()
        assert "Interrupted" in term.text and "watch-exit=130" in term.text
        modes = tmp_path / "modes"
        assert Path(f"{modes}.before").read_text() == Path(f"{modes}.after").read_text()
        assert not term.leftovers()
        assert not list(term.scratch.iterdir())
    finally:
        term.close()


@POSIX
def test_closing_the_terminal_ends_every_process(tmp_path):
    kit = make_kit(tmp_path)
    term = Terminal(kit, tmp_path, ["03"], wrapped=False)
    try:
        term.wait_for(r"Checking exercises/03_pool_squares.py under fork")
        wait_for_a_check(term)
        pid = term.child.pid
        term.child.ptyproc.fileobj.close()     # the terminal goes away: SIGHUP
        assert wait_until(lambda: not term.child.isalive(), 60)
        assert term.child.exitstatus == 128 + signal.SIGHUP or term.child.signalstatus == signal.SIGHUP, pid
        assert wait_until(lambda: not term.leftovers(), 10), term.leftovers()
        assert not list(term.scratch.iterdir())
    finally:
        term.close()


@POSIX
def test_q_restores_the_terminal_mode(tmp_path):
    kit = make_kit(tmp_path)
    term = Terminal(kit, tmp_path, ["02"], wrapped=False)
    try:
        term.wait_for(r"^02 clock_process: ")
        assert not normal_mode(term.child.child_fd)     # cbreak while it runs
        term.press("q")
        term.wait_for(r"Stopped watching")
        term.finish()
        assert normal_mode(term.child.child_fd)
        assert term.child.exitstatus == 0
        assert not term.leftovers()
    finally:
        term.close()
