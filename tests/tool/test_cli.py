"""The `grader` command, black-box: `python -m grader ...` run on a temporary copy of the
kit (GRADER_ROOT points there), so reset and the state file never touch the real tree.

Checks run under `--start-method fork` (or GRADER_START_METHODS=fork) where the start
method does not matter, to stay fast: exercise 03 takes about 1.5 s that way.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.course import catalog as catalog_mod
from grader.course.stubs import of_record

ROOT = Path(__file__).resolve().parents[2]
ESC = "\x1b["
CATALOG = catalog_mod.load(ROOT)
EX03 = CATALOG.find("03")
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty / POSIX signals")


@pytest.fixture
def kit(tmp_path) -> Path:
    """A copy of the kit: catalog, stubs, solutions and exercise tests."""
    kit = tmp_path / "kit"
    kit.mkdir()
    shutil.copy(ROOT / "catalog.toml", kit)
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "exercises", kit / "exercises", ignore=skip)
    shutil.copytree(ROOT / "solutions", kit / "solutions", ignore=skip)
    (kit / "tests").mkdir()
    for test in (ROOT / "tests").glob("test_*.py"):
        shutil.copy(test, kit / "tests")
    shutil.copytree(ROOT / "tests" / "messages", kit / "tests" / "messages")
    # Every exercise file starts as the shipped stub, whatever the real tree holds.
    for exercise in CATALOG.exercises:
        (kit / "exercises" / f"{exercise.name}.py").write_bytes(of_record(exercise))
    return kit


def environment(kit: Path, **extra) -> dict:
    env = dict(os.environ, GRADER_ROOT=str(kit), GRADER_LANG="en", PYTHONIOENCODING="utf-8")
    for name in ("NO_COLOR", "GRADER_START_METHODS", "PYTEST_ADDOPTS", "GRADER_DEBUG"):
        env.pop(name, None)
    env.update(extra)
    return env


def grader(kit: Path, *args: str, timeout: float = 180, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=kit, env=environment(kit, **extra),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout)


def clean(result: subprocess.CompletedProcess) -> None:
    """No traceback and no untranslated message key in what the grader printed."""
    both = result.stdout + result.stderr
    assert "Traceback" not in both, both
    assert not re.search(r"(?<![\w/.-])cli\.(?!py\b)[a-z_]+", both), both


def state(kit: Path) -> dict:
    return json.loads((kit / ".grader" / "state.json").read_text(encoding="utf-8"))


def solve(kit: Path, exercise=EX03) -> None:
    shutil.copy(exercise.solution, kit / "exercises" / f"{exercise.name}.py")


# ---------------------------------------------------------------- usage

def test_no_command_shows_the_commands(kit):
    result = grader(kit)
    assert result.returncode == 2
    for command in ("list", "check", "hint", "reset", "verify"):
        assert command in result.stdout
    clean(result)


@pytest.mark.parametrize("args", [["check", "99"], ["check", "3", "nope"], ["hint", "pool"], ["reset", "6x"]])
def test_unknown_id_exits_2_and_lists_the_valid_ids(kit, args):
    result = grader(kit, *args)
    assert result.returncode == 2
    for exercise in CATALOG.exercises:
        assert f"{exercise.id}  {exercise.slug}" in result.stderr
    assert f'"{args[-1]}"' in result.stderr
    clean(result)


def test_unknown_start_method_exits_2(kit):
    result = grader(kit, "check", "03", "--start-method", "thread")
    assert result.returncode == 2
    assert "thread" in result.stderr and "spawn" in result.stderr
    clean(result)


def test_bad_repeats_is_a_usage_error(kit):
    result = grader(kit, "verify", "--repeats", "0")
    assert result.returncode == 2 and "--help" in result.stderr
    clean(result)


def test_no_catalog_says_where_to_run(tmp_path):
    result = grader(tmp_path, "list")
    assert result.returncode == 2
    assert "catalog.toml" in result.stderr and "GRADER_ROOT" in result.stderr
    clean(result)


# ---------------------------------------------------------------- hint

def test_id_forms_name_one_exercise_and_each_hint_asks_for_one_more(kit):
    total = len(EX03.hints)
    assert total >= 3
    forms = ["3", "03", "pool_squares", "03_pool_squares", "03"]
    for count, form in enumerate(forms, start=1):
        result = grader(kit, "hint", form)
        assert result.returncode == 0
        clean(result)
        shown = min(count, total)
        assert f"Hint {shown}/{total}: {EX03.hints[shown - 1]}" in result.stdout
        assert f"Hint 1/{total}: {EX03.hints[0]}" in result.stdout      # earlier ones stay shown
        assert f"Hint {shown + 1}/{total}" not in result.stdout
        assert state(kit)["exercises"][EX03.name]["hints_shown"] == shown
        if shown == total:
            assert "solutions/03_pool_squares.py" in result.stdout
        else:
            assert "grader hint 03" in result.stdout


def test_a_corrupt_state_file_is_an_empty_state(kit):
    (kit / ".grader").mkdir()
    (kit / ".grader" / "state.json").write_text("{not json", encoding="utf-8")
    result = grader(kit, "hint", "3")
    assert result.returncode == 0
    assert f"Hint 1/{len(EX03.hints)}" in result.stdout
    assert state(kit)["format_version"] == 1
    clean(result)


# ---------------------------------------------------------------- check

def test_check_on_the_stub_fails_with_messages_and_no_traceback(kit):
    result = grader(kit, "check", "03", "--start-method", "fork")
    assert result.returncode == 1
    clean(result)
    out = result.stdout
    assert "✗ 03 pool_squares" in out and "0/15" in out
    assert "NotImplementedError" in out
    # Tests that failed with the same message share it: printed once, names listed above.
    assert out.count("Called pool_squares([7, 3, 9, 1], processes=4)") == 1
    assert "test_map_returns_squares_in_input_order" in out and "test_map_closes_its_pool" in out
    assert "grader hint 03" in out
    assert ESC not in out + result.stderr
    assert state(kit)["exercises"][EX03.name]["last"]["status"] == "fail"


def test_check_on_the_solution_passes_and_writes_json(kit, tmp_path):
    solve(kit)
    out_file = tmp_path / "results.json"
    result = grader(kit, "check", "3", "03", "pool_squares", "--start-method", "fork", "--json", str(out_file))
    assert result.returncode == 0, result.stdout + result.stderr
    clean(result)
    assert "✓ 03 pool_squares" in result.stdout and "15/15" in result.stdout
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert data["python"] == platform.python_version()
    assert data["start_methods"] == ["fork"]
    assert data["totals"] == {"points": 15.0, "max_points": 15.0, "exercises": 1, "passed": 1}
    [exercise] = data["exercises"]
    assert (exercise["id"], exercise["slug"], exercise["status"]) == ("03", "pool_squares", "pass")
    assert exercise["points"] == exercise["max_points"] == 15.0
    assert exercise["tests"]
    for test in exercise["tests"]:
        assert set(test) == {"name", "status", "weight", "message", "line", "output", "points", "max_points",
                             "failed_methods", "runs"}
        assert [run["start_method"] for run in test["runs"]] == ["fork"]
        assert test["status"] == "pass" and test["message"] == "" and test["failed_methods"] == []
        assert test["points"] == test["max_points"] > 0
    last = state(kit)["exercises"][EX03.name]["last"]
    assert last["status"] == "pass" and last["methods"] == ["fork"]


def test_json_to_stdout_is_only_json(kit):
    (kit / "tests" / "test_03_pool_squares.py").unlink()   # answered without running pytest
    result = grader(kit, "check", "03", "--json", "-")
    assert result.returncode == 1
    [exercise] = json.loads(result.stdout)["exercises"]
    assert exercise["status"] == "error" and "test_03_pool_squares.py" in exercise["message"]


def test_an_exercise_without_tests_does_not_stop_the_others(kit):
    solve(kit)
    last = CATALOG.exercises[-1]
    (kit / "tests" / f"test_{last.name}.py").unlink(missing_ok=True)
    with open(kit / "exercises" / f"{last.name}.py", "a", encoding="utf-8") as started:
        started.write("\n# started\n")
    result = grader(kit, "check", "03", last.id, "--start-method", "fork")
    assert result.returncode == 1
    assert "✓ 03 pool_squares" in result.stdout
    assert f"test_{last.name}.py" in result.stdout
    clean(result)


# ---------------------------------------------------------------- colour

def read_all(master: int) -> bytes:
    """Everything written to a pty until its other end closes; closes `master`."""
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks)


def run_on_pty(kit: Path, *args: str, **extra) -> str:
    """Run with stdout on a pseudo-terminal (so it is a tty); returns what it printed."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "grader", *args], cwd=kit, env=environment(kit, **extra),
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    out = read_all(master)
    assert proc.wait(timeout=60) == 0
    return out.decode("utf-8", "replace")


def test_no_colour_unless_asked_when_not_a_terminal(kit):
    assert ESC not in grader(kit, "list").stdout
    assert ESC in grader(kit, "list", "--color", "always").stdout
    assert ESC in grader(kit, "list", "--color", "always", NO_COLOR="1").stdout


@POSIX
def test_colour_on_a_terminal_unless_no_color_or_never(kit):
    assert ESC in run_on_pty(kit, "list")
    assert ESC not in run_on_pty(kit, "list", NO_COLOR="")      # set to anything, even empty
    assert ESC not in run_on_pty(kit, "list", NO_COLOR="1")
    assert ESC not in run_on_pty(kit, "list", "--color", "never")


def test_marks_fall_back_to_ascii(kit):
    (kit / "tests" / "test_03_pool_squares.py").unlink()   # answered without running pytest
    result = grader(kit, "check", "03", PYTHONIOENCODING="ascii")
    assert result.returncode == 1
    assert "FAIL 03 pool_squares" in result.stdout
    clean(result)


# ---------------------------------------------------------------- reset

def test_reset_asks_refuses_without_a_terminal_and_restores_with_yes(kit):
    mine = kit / "exercises" / "03_pool_squares.py"
    solve(kit)
    (kit / ".grader").mkdir()
    (kit / ".grader" / "state.json").write_text(json.dumps({"format_version": 1, "exercises": {EX03.name: {
        "hints_shown": 2,
        "last": {"sha256": "0" * 64, "status": "pass", "score": 15.0, "max_points": 15.0,
                 "methods": ["fork"], "when": "2025-01-01T00:00:00Z"}}}}), encoding="utf-8")

    refused = grader(kit, "reset", "03")
    assert refused.returncode == 1
    assert "--yes" in refused.stderr and "grader reset 03 --yes" in refused.stderr
    assert mine.read_bytes() == EX03.solution.read_bytes()
    clean(refused)

    done = grader(kit, "reset", "pool_squares", "--yes")
    assert done.returncode == 0
    assert mine.read_bytes() == of_record(EX03)
    assert state(kit)["exercises"][EX03.name] == {"hints_shown": 2}
    clean(done)

    mine.unlink()
    again = grader(kit, "reset", "3", "--yes")
    assert again.returncode == 0 and mine.read_bytes() == of_record(EX03)


@POSIX
@pytest.mark.parametrize("answer, code, restored", [("n", 1, False), ("", 1, False), ("y", 0, True)])
def test_reset_on_a_terminal_asks_first(kit, answer, code, restored):
    import pty

    mine = kit / "exercises" / "03_pool_squares.py"
    solve(kit)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "grader", "reset", "03"], cwd=kit, env=environment(kit),
                            stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    os.write(master, answer.encode() + b"\n")   # the terminal keeps it until the question is asked
    out = read_all(master)
    assert proc.wait(timeout=60) == code
    assert b"Reset exercises/03_pool_squares.py to the stub? Your changes will be lost. [y/N]" in out
    assert (mine.read_bytes() == of_record(EX03)) is restored


# ---------------------------------------------------------------- list

def test_list_shows_not_started_failing_passing_and_missing(kit):
    fork = {"GRADER_START_METHODS": "fork"}
    n = len(CATALOG.exercises)
    mine = kit / "exercises" / "03_pool_squares.py"
    mine.write_text(of_record(EX03).decode("utf-8") + "\n# started\n", encoding="utf-8")
    (kit / "exercises" / f"{CATALOG.exercises[-1].name}.py").unlink()

    first = grader(kit, "list", **fork)
    assert first.returncode == 0
    clean(first)
    rows = {line[:2]: line for line in first.stdout.splitlines() if line[:2].isdigit()}
    assert "not started" in rows["01"] and "0/10" in rows["01"]
    assert "failing" in rows["03"] and "0/15" in rows["03"]
    assert "missing" in rows[CATALOG.exercises[-1].id]
    assert "Checking 03" in first.stderr
    assert f"Progress: [----------] 0/{n} exercises, 0/" in first.stdout
    assert f"grader reset {CATALOG.exercises[-1].id}" in first.stdout

    solve(kit)
    second = grader(kit, "list", **fork)
    rows = {line[:2]: line for line in second.stdout.splitlines() if line[:2].isdigit()}
    assert "passing" in rows["03"] and "15/15" in rows["03"]
    assert f"1/{n} exercises, 15/" in second.stdout
    assert "Checking 03" in second.stderr

    third = grader(kit, "list", **fork)   # the file did not change: the cached result
    assert "Checking" not in third.stderr
    assert third.stdout == second.stdout


# ---------------------------------------------------------------- Ctrl-C

def _with_root(kit: Path) -> list:
    import psutil

    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("GRADER_ROOT") == str(kit):
                found.append(proc)
        except psutil.Error:
            pass
    return found


def _hang_square(path: Path) -> None:
    """The solution of 03 with a square() that sleeps: its sandboxed calls stay alive until
    the time limit, so an interrupt always lands while they run."""
    path.write_text(EX03.solution.read_text().replace(
        "def square(n)", "def square(n):\n    import time\n    time.sleep(60)\n\n\ndef _unused(n)"))


def _interrupt(kit: Path, *args: str) -> tuple[int, str, str]:
    """Run `grader ARGS`, press Ctrl-C once sandboxed calls are under way, and check that
    nothing the command started outlives it. Returns the exit code and the output."""
    import psutil

    # A job started in the background by a non-interactive shell (as CI may start this
    # suite) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt:
    # give the command the default disposition a terminal's Ctrl-C meets.
    proc = subprocess.Popen([sys.executable, "-m", "grader", *args], cwd=kit, env=environment(kit),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8",
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:   # wait until sandboxed calls are under way
        try:
            if any("grader.sandbox.runner" in " ".join(p.cmdline()) for p in psutil.Process(proc.pid).children(recursive=True)):
                break
        except psutil.Error:
            pass
        time.sleep(0.05)
    else:
        proc.kill()
        proc.communicate()
        raise AssertionError("no sandboxed call started within 30 s")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    deadline = time.monotonic() + 5
    while _with_root(kit) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _with_root(kit)
    return proc.returncode, out, err


@POSIX
def test_ctrl_c_stops_the_check_and_everything_it_started(kit):
    _hang_square(kit / "exercises" / "03_pool_squares.py")
    code, out, err = _interrupt(kit, "check", "03")
    assert code == 130, out + err
    assert "Interrupted" in err and "Traceback" not in out + err


@POSIX
def test_ctrl_c_stops_verify_and_everything_it_started(kit):
    _hang_square(kit / "solutions" / "03_pool_squares.py")
    code, out, err = _interrupt(kit, "verify", "--repeats", "1")
    assert code == 130, out + err
    assert "Interrupted: stopped" in out + err and "Traceback" not in out + err
    last = [line for line in out.splitlines() if line.startswith("verify: ")][-1]
    assert last.endswith("failed") and not last.endswith(" 0 failed")
