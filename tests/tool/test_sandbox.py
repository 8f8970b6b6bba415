"""The sandbox (grader.sandbox.run) against small hostile submissions.

Each fixture submission in fixtures/hostile/ is a module named like an exercise module;
fixtures/scenarios.py calls one of its functions inside the sandbox. Every case checks the
documented verdict, that it came within the call's time limit, and that the sandbox left
nothing behind: no descendant of this process (alive or zombie) and no process anywhere
that carries the call's GRADER_SANDBOX_TOKEN.

Set GRADER_TOOL_TIMES=FILE to append every call's verdict and wall time to FILE.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from grader.course import catalog as catalog_mod
from grader.grading import plugin
from grader.sandbox import supervisor as sandbox
from grader.sandbox.observation import Observation
from grader.sandbox.supervisor import Call, run
from grader.testing import Failure, no_child_crashes, nothing_left, returned
from leftovers import describe, predating

HERE = Path(__file__).resolve().parent
HOSTILE = HERE / "fixtures" / "hostile"
SCENARIOS = HERE / "fixtures" / "scenarios.py"
METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]
NOT_FORKSERVER = [m for m in METHODS if m != "forkserver"]
LIMIT = 10.0         # the time limit of calls that should end on their own
DEFAULT_LIMITS = catalog_mod.load(HERE.parents[1]).defaults
HANG_LIMIT = 3.0     # the time limit of calls that hang (they must reach their line first)
KILL_GRACE = 1.5     # how long past its limit a stopped call may take to come back


# ---- helpers -------------------------------------------------------------------------

class _TokenLog:
    """Stands in for the `secrets` module inside grader.sandbox to learn each call's token
    (per thread: calls may run side by side)."""

    def __init__(self):
        self.last: dict[int, str] = {}

    def token_hex(self, nbytes=None):
        token = secrets.token_hex(nbytes)
        self.last[threading.get_ident()] = token
        return token


def _strays(token: str, ignore: set[int]) -> list[psutil.Process]:
    me = psutil.Process()
    found = {p.pid: p for p in me.children(recursive=True) if p.pid not in ignore}
    for proc in psutil.process_iter():
        if proc.pid == me.pid or proc.pid in found:
            continue
        try:
            if proc.environ().get(sandbox.TOKEN_ENV) == token:
                found[proc.pid] = proc
        except psutil.Error:
            continue
    return list(found.values())


def left_behind(token: str, ignore: set[int] = frozenset()) -> list[str]:
    """Descendants of this process (alive or zombie) and any process carrying `token`,
    leaving out the PIDs in `ignore`. What it finds it kills (and reaps), so that a
    failing case still leaves nothing running."""
    strays = _strays(token, ignore)
    found = sorted(describe(p) for p in strays)
    for proc in strays:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(strays, timeout=2)
    return found


def assert_nothing_left(token: str, ignore: set[int] = frozenset()) -> None:
    assert left_behind(token, ignore) == [], "the sandbox left processes behind"
    time.sleep(0.05)  # late re-parented zombies would show up now
    assert left_behind(token, ignore) == [], "processes of the call turned up after run() returned"


def marked(submission: str, marker: str) -> tuple[int, str]:
    """The line number and code of the line carrying `# <marker>` in a fixture."""
    lines = (HOSTILE / submission).read_text().splitlines()
    found = [(i, line.strip()) for i, line in enumerate(lines, 1) if f"# {marker}" in line]
    assert len(found) == 1, f"{submission} needs exactly one `# {marker}` line"
    return found[0]


def make_call(submission: str, function: str | None = None, *, method: str = "fork",
              scenario: str = "call", params: dict | None = None, limit: float = LIMIT,
              **limits) -> Call:
    if params is None:
        params = {"function": function}
    limits = {**DEFAULT_LIMITS, "time_limit": limit, **limits}
    return Call(exercise_file=HOSTILE / submission, scenario_file=SCENARIOS, scenario=scenario,
                params=params, start_method=method, label=f"{function or scenario}()", **limits)


def timed_run(call: Call, tokens: _TokenLog) -> Observation:
    """run(call), with its wall time (obs.wall) and token (obs.token) added."""
    began = time.monotonic()
    obs = run(call)
    obs.wall = time.monotonic() - began
    obs.token = tokens.last[threading.get_ident()]
    _log_time(Path(call.exercise_file).name, call.params.get("function") or call.scenario,
              call.start_method, obs)
    return obs


@pytest.fixture
def sandboxed(monkeypatch):
    """Run a fixture submission's function in the sandbox; check that nothing is left."""
    tokens = _TokenLog()
    monkeypatch.setattr(sandbox, "secrets", tokens)

    def go(submission: str, function: str | None = None, **options) -> Observation:
        before = predating()
        obs = timed_run(make_call(submission, function, **options), tokens)
        assert_nothing_left(obs.token, before)
        return obs

    return go


_TIMES_LOCK = threading.Lock()


def _log_time(submission, function, method, obs) -> None:
    path = os.environ.get("GRADER_TOOL_TIMES")
    if path:
        with _TIMES_LOCK, open(path, "a") as f:
            f.write(json.dumps({"case": f"{submission}:{function}", "method": method,
                                "status": obs.status, "wall": round(obs.wall, 3),
                                "elapsed": round(obs.elapsed, 3)}) + "\n")


def failure(check, obs) -> Failure:
    """The Failure a grader.testing check raises for this observation."""
    with pytest.raises(Failure) as info:
        check(obs)
    return info.value


def gone(pid: int) -> bool:
    return not psutil.pid_exists(pid)


# ---- returns normally ------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_returns_normally(sandboxed, method):
    obs = sandboxed("90_returns.py", "two_children", method=method)
    value = returned(obs)
    assert obs.status == "returned"
    assert value["parent"] == obs.main_pid
    pids = value["pids"]
    assert len(set(pids)) == 2 and obs.main_pid not in pids
    assert value["reports"] == {0: pids[0], 1: pids[1]}
    assert value["exitcodes"] == [0, 0]
    children = obs.children()
    assert [c.pid for c in children] == pids
    for child in children:
        assert child.starter == obs.main_pid
        assert child.reaped and child.joined and child.exitcode == 0
        assert child.run_began is not None and child.run_ended is not None and child.crash is None
        assert child.started is not None
    assert obs.lines_of(pids[0]) == ["child 0 here"]
    assert obs.lines_of(pids[1]) == ["child 1 here"]
    assert obs.lines_of(obs.main_pid) == ["parent done"]
    assert 0 < obs.elapsed < LIMIT and obs.wall < LIMIT
    assert obs.call_started <= obs.call_ended
    assert obs.leftovers == [] and obs.after_import == []
    assert not obs.output_cut
    nothing_left(obs)
    no_child_crashes(obs)


# ---- hangs -------------------------------------------------------------------------------

HANGS = [("sleep", "sleeps", "fork", "sleeping"),
         ("spin", "spins", "forkserver", "busy_wait"),
         *[("join", "deadlocked_join", m, "join_before_drain") for m in METHODS],
         ("pool", "pool_get_forever", "spawn", "get_forever")]


@pytest.fixture(scope="module")
def hangs():
    """All hanging calls at once, side by side as the plugin runs them (they only wait).
    Returns {case: (observation, what it left behind)}."""
    with pytest.MonkeyPatch.context() as patch:
        tokens = _TokenLog()
        patch.setattr(sandbox, "secrets", tokens)
        before = predating()
        with ThreadPoolExecutor(len(HANGS)) as pool:
            futures = {case: pool.submit(timed_run, make_call("91_hangs.py", case[1], method=case[2],
                                                              limit=HANG_LIMIT), tokens)
                       for case in HANGS}
        done = {case: future.result() for case, future in futures.items()}
        time.sleep(0.05)
        return {case: (obs, left_behind(obs.token, before)) for case, obs in done.items()}


@pytest.mark.parametrize("case", HANGS, ids=[f"{h[0]}-{h[2]}" for h in HANGS])
def test_hang_is_stopped_at_the_limit(hangs, case):
    kind, function, method, mistake = case
    obs, left = hangs[case]
    assert left == []
    assert obs.status == "timeout"
    assert HANG_LIMIT <= obs.elapsed and obs.wall < HANG_LIMIT + KILL_GRACE
    line, code = marked("91_hangs.py", f"HANG:{kind}")
    assert obs.stuck_at() == (line, code), obs.stacks
    fail = failure(returned, obs)
    assert fail.status == "timeout" and fail.mistake == mistake
    assert "did not finish within" in fail.message
    assert f"{obs.exercise_file}, line {line}: {code}" in fail.message


@pytest.mark.parametrize("method", METHODS)
def test_a_hang_in_a_child_shows_the_child_line(sandboxed, method):
    """The parent waits in the scenario's join(), outside the student's file: the line shown
    is where the child was, from the child's own stack dump."""
    obs = sandboxed("91_hangs.py", method=method, scenario="call_in_child", params={"function": "spins"},
                    limit=HANG_LIMIT)
    assert obs.status == "timeout"
    assert obs.stuck_at() == marked("91_hangs.py", "HANG:spin"), (obs.stacks, obs.child_stacks)
    assert len(obs.child_stacks) == 1


# ---- leaks -------------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_child_left_running(sandboxed, method):
    obs = sandboxed("92_leaks.py", "leaves_running", method=method)
    pid = returned(obs)
    assert [(p["pid"], p["status"] != "zombie") for p in obs.leftovers] == [(pid, True)]
    record = obs.processes[pid]
    assert record.started is not None and not record.reaped and not record.joined
    fail = failure(nothing_left, obs)
    assert fail.message.splitlines()[1] == f"Process {pid} was still running when your function returned."
    assert fail.mistake == "never_joined_running"
    assert gone(pid)


@pytest.mark.parametrize("method", NOT_FORKSERVER)
def test_child_left_as_zombie(sandboxed, method):
    obs = sandboxed("92_leaks.py", "leaves_zombie", method=method)
    pid = returned(obs)
    assert obs.leftovers == [{"pid": pid, "ppid": obs.main_pid, "status": "zombie"}]
    record = obs.processes[pid]
    assert record.run_ended is not None and not record.reaped and not record.joined
    fail = failure(nothing_left, obs)
    assert fail.message.splitlines()[1] == (
        f"Process {pid} had ended but was never joined: it is a zombie until its parent waits for it.")
    assert fail.mistake == "never_joined"


@pytest.mark.skipif("forkserver" not in METHODS, reason="no forkserver here")
def test_missing_join_under_forkserver(sandboxed):
    """The fork server reaps the child itself (no zombie): the spy's reaped flag tells."""
    obs = sandboxed("92_leaks.py", "leaves_zombie", method="forkserver")
    pid = returned(obs)
    assert obs.leftovers == []
    record = obs.processes[pid]
    assert record.run_ended is not None and not record.reaped and not record.joined
    fail = failure(nothing_left, obs)
    assert fail.message.splitlines()[1] == "It started 1 process(es) but joined only 0 of them."
    assert fail.mistake == "never_joined"


@pytest.mark.parametrize("method", METHODS)
def test_setsid_grandchild_is_killed(sandboxed, method):
    obs = sandboxed("92_leaks.py", "setsid_grandchild", method=method)
    escapee = returned(obs)
    pid = escapee["pid"]
    assert escapee["sid"] == pid and escapee["pgrp"] == pid  # it really left the group
    assert [p["pid"] for p in obs.leftovers] == [pid]
    assert obs.leftovers[0]["ppid"] == obs.main_pid  # the runner is its subreaper
    assert f"Process {pid} was still running" in failure(nothing_left, obs).message
    assert gone(pid) and obs.killed >= 1  # killpg can't reach it: the sweep must


@pytest.mark.parametrize("method", METHODS)
def test_double_forked_orphan_is_killed(sandboxed, method):
    obs = sandboxed("92_leaks.py", "double_fork", method=method)
    orphan = returned(obs)
    assert [(p["pid"], p["ppid"]) for p in obs.leftovers] == [(orphan, obs.main_pid)]
    assert f"Process {orphan} was still running" in failure(nothing_left, obs).message
    assert gone(orphan)


def test_program_with_own_session_and_environment_is_killed(monkeypatch):
    tokens = _TokenLog()
    monkeypatch.setattr(sandbox, "secrets", tokens)
    before = predating()
    obs = timed_run(make_call("92_leaks.py", "clean_env_escapee"), tokens)
    time.sleep(0.05)
    left = left_behind(obs.token, before)  # (and killed)
    pid = returned(obs)
    assert [p["pid"] for p in obs.leftovers] == [pid]  # the runner saw it ...
    assert left == []  # ... and the supervisor must kill it


# ---- fork bombs ----------------------------------------------------------------------------

def test_fork_bomb_is_stopped(sandboxed):
    obs = sandboxed("93_bombs.py", "fork_bomb", limit=10, max_processes=64)
    assert obs.status == "too_many_processes"
    # Stopped as a bomb, before its time limit (how soon is a benchmark's business, not a test's).
    assert obs.peak_processes > 64 and obs.wall < 10
    fail = failure(returned, obs)
    assert f"It had {obs.peak_processes} processes alive at once" in fail.message


@pytest.mark.parametrize("method", METHODS)
def test_process_bomb_is_stopped(sandboxed, method):
    obs = sandboxed("93_bombs.py", "process_bomb", method=method, limit=10, max_processes=16)
    assert obs.status == "too_many_processes"
    assert obs.peak_processes > 16 and obs.wall < 10


# ---- memory --------------------------------------------------------------------------------

def test_endless_allocation_is_contained(sandboxed):
    obs = sandboxed("94_memory.py", "hog", limit=10, memory_mb=256)
    assert (obs.status, (obs.error or {}).get("type")) in (("raised", "MemoryError"), ("too_much_memory", None))
    assert obs.wall < 10
    assert "MemoryError" in failure(returned, obs).message or obs.status == "too_much_memory"


@pytest.mark.parametrize("method", METHODS)
def test_children_holding_memory_are_stopped(sandboxed, method):
    # Each of the 4 children holds about 240 MB (RLIMIT_AS 256 MB): ~960 MB > 3 x 256 MB.
    obs = sandboxed("94_memory.py", "hogs_in_children", method=method, limit=20, memory_mb=256)
    assert obs.status == "too_much_memory"
    assert obs.wall < 20
    assert "more memory than the exercise allows" in failure(returned, obs).message


# ---- output --------------------------------------------------------------------------------

CUT = "[output cut: this process printed too much]"


def test_flood_of_output_is_cut(sandboxed):
    # 200,000 lines (2.4 MB): 10**6 take 4-5 s on an idle 2-core box and over 20 s on a
    # busy one, since every print goes through the spy's Python-level writer.
    obs = sandboxed("95_output.py", "flood", limit=30, output_kb=64,
                    params={"function": "flood", "lines": 200_000})
    assert returned(obs) == 200_000
    mine = obs.lines_of(obs.main_pid)
    assert mine[0] == "line 0" and mine[-1] == CUT
    assert len(obs.stdout) < 2 * 64 * 1024


@pytest.mark.parametrize("method", METHODS)
def test_flood_from_children_is_cut(sandboxed, method):
    obs = sandboxed("95_output.py", "flood_from_children", method=method, limit=30, output_kb=64,
                    params={"function": "flood_from_children", "n": 2, "lines": 20_000})
    pids = returned(obs)
    # Each process keeps 64 KiB and then prints the cut marker; the file keeps 128 KiB
    # (its start and its end), so some markers may be in the part left out.
    assert obs.output_cut or all(obs.lines_of(pid)[-1] == CUT for pid in [*pids, obs.main_pid])
    assert obs.lines_of(obs.main_pid)[-1] == CUT  # the parent wrote last: its end is kept
    assert len(obs.stdout) < 2 * 64 * 1024 + 1000
    printed = re.compile(r"(child|parent) line \d+")
    whole = [text for pid, text in obs.lines if pid is not None and text != CUT]
    assert sum(not printed.fullmatch(text) for text in whole) <= 2  # the two ends of the cut


def test_raw_output_past_the_streams_is_cut(sandboxed):
    obs = sandboxed("95_output.py", "raw_flood", limit=30, output_kb=64)
    assert obs.output_cut
    assert obs.status in ("raised", "returned")
    if obs.status == "raised":  # RLIMIT_FSIZE: the write fails, the process lives on
        assert obs.error["type"] == "OSError"
    assert len(obs.stdout) <= 4 * 64 * 1024 + 1000


@pytest.mark.parametrize("method", METHODS)
def test_lines_of_concurrent_children_stay_whole(sandboxed, method):
    rounds, lines = 20, 1000
    obs = sandboxed("95_output.py", "chatterboxes", method=method, output_kb=2048,
                    params={"function": "chatterboxes", "rounds": rounds, "lines": lines})
    pids = returned(obs)
    assert not obs.output_cut
    owner = {pid: tag for tag, pid in pids.items()}
    assert {pid for pid, _ in obs.lines} == set(owner)
    for tag in "AB":
        expected = []
        for i in range(rounds):
            expected += [f"{tag} short {i}", f"{tag} long {i} " + tag * 9000 + " end"]
        assert obs.lines_of(pids[tag]) == expected
    for tag in "CD":
        assert obs.lines_of(pids[tag]) == [f"{tag} plain {i} " + tag * 100 for i in range(lines)]


# ---- the program ends instead of returning ----------------------------------------------------

def test_sys_exit_in_the_call(sandboxed):
    obs = sandboxed("96_exits.py", "exits_with_3")
    assert obs.status == "raised"
    assert obs.error["type"] == "SystemExit" and obs.error["message"] == "3"
    line, code = marked("96_exits.py", "EXIT")
    assert obs.error_site() == (line, code)
    fail = failure(returned, obs)
    assert fail.status == "fail"
    assert "It called sys.exit(3), which ends the whole program" in fail.message
    assert f"line {line}: {code}" in fail.message


def test_sys_exit_at_import(sandboxed):
    obs = sandboxed("97_exit_at_import.py", "f", params={"function": "f", "x": 1})
    assert obs.status == "import_error"
    assert obs.error["type"] == "SystemExit"
    line, code = marked("97_exit_at_import.py", "EXIT")
    fail = failure(returned, obs)
    assert fail.status == "error"
    assert "Importing your module called sys.exit (3)." in fail.message
    assert f"line {line}: {code}" in fail.message


def test_os_exit_in_the_call(sandboxed):
    obs = sandboxed("96_exits.py", "hard_exit")
    assert obs.status == "crashed" and obs.exit_code == 0
    fail = failure(returned, obs)
    assert fail.status == "error"
    assert "ended on its own (exit code 0)" in fail.message and "os._exit()" in fail.message


# ---- the module can't be used --------------------------------------------------------------

def test_syntax_error_in_the_sandbox(sandboxed):
    obs = sandboxed("80_syntax_error.py", "f", params={"function": "f", "x": 1})
    assert obs.status == "import_error" and obs.error["type"] == "SyntaxError"
    assert obs.error_site() == (4, "def f(x)")
    fail = failure(returned, obs)
    assert fail.status == "error"
    assert "Python can't read your file: SyntaxError" in fail.message
    assert f"{obs.exercise_file}, line 4: def f(x)" in fail.message


def test_syntax_error_starts_no_process(monkeypatch):
    """The plugin answers a file that does not compile without starting the sandbox."""
    def no_sandbox(call):
        raise AssertionError("the sandbox was started for a file that does not compile")

    monkeypatch.setattr(sandbox, "run", no_sandbox)
    before = predating()
    call = Call(exercise_file=HOSTILE / "80_syntax_error.py", scenario_file=SCENARIOS,
                scenario="call", params={"function": "f", "x": 1}, label="f(1)",
                start_method="spawn", **DEFAULT_LIMITS)
    obs = plugin._observe(call)
    assert obs.status == "import_error" and obs.error["type"] == "SyntaxError"
    assert obs.error_site() == (4, "def f(x)")
    fail = failure(returned, obs)
    assert fail.message.startswith("Called f(1) (start method: spawn).\nPython can't read your file")
    assert [p.pid for p in psutil.Process().children(recursive=True)
            if p.pid not in before] == []


def test_missing_file_starts_no_process(monkeypatch):
    monkeypatch.setattr(sandbox, "run", lambda call: pytest.fail("sandbox started"))
    call = Call(exercise_file=HOSTILE / "00_missing.py", scenario_file=SCENARIOS, scenario="call",
                start_method="spawn", **DEFAULT_LIMITS)
    assert plugin._observe(call).status == "missing_file"


def test_name_error_at_import(sandboxed):
    obs = sandboxed("81_name_error.py", "f", params={"function": "f", "x": 1})
    assert obs.status == "import_error" and obs.error["type"] == "NameError"
    line, code = marked("81_name_error.py", "NAME")
    assert obs.error_site() == (line, code)
    fail = failure(returned, obs)
    assert fail.status == "error"
    assert "Importing your module raised NameError: name 'undefined_limit' is not defined" in fail.message
    assert f"line {line}: {code}" in fail.message


def test_contract_mismatch(sandboxed):
    obs = sandboxed("82_contract.py", "g", params={"function": "g", "a": 1},
                    contract=("f(x)", "g(a, b=2)", "h(y)"))
    assert obs.status == "contract_error"
    assert [(p["kind"], p["name"]) for p in obs.problems] == [
        ("missing", "f"), ("signature", "g"), ("not_callable", "h")]
    assert obs.events and not any(e["e"] == "call_begin" for e in obs.events)  # never called
    fail = failure(returned, obs)
    assert fail.status == "error"
    lines = fail.message.splitlines()
    assert "  - `f` is missing: expected `f(x)`." in lines
    assert "  - `g(a, c=2)` has the wrong parameters: expected `g(a, b=2)`." in lines
    assert "  - `h` is not a function: expected `h(y)`." in lines


@pytest.mark.parametrize("method", METHODS)
def test_process_started_at_import(sandboxed, method):
    obs = sandboxed("83_starts_at_import.py", "f", method=method, params={"function": "f", "x": 1})
    assert obs.status == "returned" and obs.value == 1
    assert len(obs.after_import) == 1
    fail = failure(returned, obs)
    assert fail.mistake == "main_guard"
    assert "Importing your module started 1 process(es)." in fail.message
    assert 'if __name__ == "__main__":' in fail.message


# ---- exceptions in children --------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_exception_in_a_child(sandboxed, method):
    obs = sandboxed("98_child_errors.py", "crash_in_child", method=method)
    assert returned(obs) == 1
    (record,) = obs.child_crashes()
    assert record.crash["type"] == "ValueError" and record.crash["message"] == "bad value 42"
    line, code = marked("98_child_errors.py", "RAISE:child")
    frames = obs.student_frames(record.crash["frames"])
    assert frames and frames[-1][1] == line
    fail = failure(no_child_crashes, obs)
    assert f"Child process {record.pid} ended with ValueError: bad value 42" in fail.message
    assert f"{obs.exercise_file}, line {line}: {code}" in fail.message


@pytest.mark.parametrize("method", METHODS)
def test_exception_in_a_pool_worker_mapped_by_the_scenario(sandboxed, method):
    obs = sandboxed("98_child_errors.py", scenario="pool_map", method=method,
                    params={"function": "square_or_fail", "items": [1, 2, 3]})
    assert obs.status == "raised" and obs.error["type"] == "ValueError"
    assert obs.error["message"] == "cannot square 3"
    assert obs.error_site() == marked("98_child_errors.py", "RAISE:worker")
    fail = failure(returned, obs)
    assert "It raised ValueError: cannot square 3" in fail.message


@pytest.mark.parametrize("method", METHODS)
def test_exception_in_a_pool_worker_of_the_submission(sandboxed, method):
    obs = sandboxed("98_child_errors.py", "pool_crash", method=method)
    assert obs.status == "raised" and obs.error["type"] == "ValueError"
    assert "RAISE:worker" in obs.error["remote"] or "cannot square 3" in obs.error["remote"]
    assert obs.error_site() == marked("98_child_errors.py", "RAISE:worker")


def test_actions_step_files_and_tokens_are_hidden(sandboxed, monkeypatch):
    """Code under test must not reach the files that set later steps' environment and
    outputs, nor the job's tokens."""
    for name in sandbox.HIDDEN_ENV:
        monkeypatch.setenv(name, "/tmp/not-for-students")
    monkeypatch.setenv("GRADER_TEST_VISIBLE", "1")
    names = returned(sandboxed("90_returns.py", "environment_names"))
    assert "GRADER_TEST_VISIBLE" in names
    assert not set(sandbox.HIDDEN_ENV) & set(names)
