"""The supervisor: runs one call into student code in a fresh process and always ends it.

`run(Call)` starts `python -m grader.sandbox.runner` in a new session with its output sent to
files (never pipes: orphans holding a pipe would keep us waiting), watches it, and at the
end kills the whole tree, grandchildren and `setsid()` escapees included, and reaps it.
It stops a call early when it runs past its time limit (after asking it for a stack dump,
so the student sees the line where it hung), when it keeps more processes alive than
allowed (a fork bomb) or when its processes together use too much memory.
"""

from __future__ import annotations

import os
import pickle
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from grader.sandbox import spy, stacks
from grader.sandbox.observation import Observation
from grader.sandbox.processes import become_subreaper, end_processes

TOKEN_ENV = "GRADER_SANDBOX_TOKEN"
POLL_SECONDS = 0.03
# The memory all processes of one call may hold at once (resident), whatever the count.
TREE_MEMORY_FACTOR = 3


@dataclass
class Call:
    """One call into a student's module: which scenario, with what, under which limits."""

    exercise_file: Path
    scenario_file: Path
    scenario: str
    start_method: str
    # The limits come from the catalog (its [defaults], or the exercise's own).
    time_limit: float
    max_processes: int
    memory_mb: int
    output_kb: int
    params: dict = field(default_factory=dict)
    contract: tuple[str, ...] = ()
    label: str = ""


# Orphans of a killed runner come to us, not to PID 1, so we can find and reap them.
become_subreaper()

# Runners of calls under way (other threads may be supervising some): never reap those.
_RUNNERS: set[int] = set()
_RUNNERS_LOCK = threading.Lock()


def reap_orphans() -> int:
    """Reap zombies that were re-parented to us (we are a subreaper), one PID at a time:
    waitpid(-1) would steal the exit status of a runner another thread is waiting for."""
    reaped = 0
    with _RUNNERS_LOCK:
        runners = set(_RUNNERS)
    try:
        children = psutil.Process().children()
    except psutil.Error:
        return 0
    for child in children:
        if child.pid in runners:
            continue
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(child.pid, os.WNOHANG)
                reaped += 1
        except (psutil.Error, ChildProcessError, OSError):
            pass
    return reaped


# GitHub Actions hands a step files that set outputs, environment variables and the PATH of
# later steps, and tokens: code under test gets none of them.
HIDDEN_ENV = ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE", "GITHUB_STEP_SUMMARY",
              "GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_RUNTIME_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
              "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_RESULTS_URL", "ACTIONS_CACHE_URL")


def _environ_copy() -> dict:
    """os.environ as a dict. Copying it is not atomic, and pytest's main thread sets and
    deletes PYTEST_CURRENT_TEST while this runs in a worker thread: retry on that race."""
    for _ in range(100):
        try:
            return dict(os.environ)
        except (KeyError, RuntimeError):
            continue
    return {k: v for k, v in list(os.environ.items())}


def _tagged(proc: psutil.Process, token: str) -> bool:
    try:
        return proc.environ().get(TOKEN_ENV) == token
    except psutil.Error:
        return False


def _is_tagged(pid: int, token: str) -> bool:
    try:
        return _tagged(psutil.Process(pid), token)
    except psutil.Error:
        return False


class _Watch:
    """Follows the runner's process tree while it runs."""

    def __init__(self, root: subprocess.Popen, token: str):
        self.root = root
        self.token = token
        self.seen: dict[int, psutil.Process] = {}
        try:
            self.root_ps = psutil.Process(root.pid)
            self.seen[root.pid] = self.root_ps
        except psutil.Error:
            self.root_ps = None
        self.peak_processes = 0
        try:
            self.born = self.root_ps.create_time() if self.root_ps else time.time()
        except psutil.Error:
            self.born = time.time()

    def descendants(self) -> list[psutil.Process]:
        if self.root_ps is None:
            return []
        try:
            found = self.root_ps.children(recursive=True)
        except psutil.Error:
            return []
        for proc in found:
            self.seen.setdefault(proc.pid, proc)
        return found

    def measure(self, with_memory: bool) -> tuple[int, int]:
        procs = self.descendants()
        count = len(procs) + 1
        rss = 0
        if with_memory:
            for proc in [self.root_ps, *procs]:
                try:
                    rss += proc.memory_info().rss
                except (psutil.Error, AttributeError):
                    pass
        self.peak_processes = max(self.peak_processes, count)
        return count, rss

    def strays(self) -> list[psutil.Process]:
        """Everything of this call still alive: what we saw, plus orphans that carry our
        token (re-parented to us after their parent died)."""
        alive = []
        for proc in list(self.seen.values()) + self.descendants():
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
            except psutil.Error:
                pass
        try:
            ours = psutil.Process().children(recursive=True)
        except psutil.Error:
            ours = []
        with _RUNNERS_LOCK:
            runners = set(_RUNNERS)
        own_session = os.getsid(0) if hasattr(os, "getsid") else None
        for proc in ours:
            if proc.pid in self.seen or proc.pid == self.root.pid or proc.pid in runners:
                continue
            if _tagged(proc, self.token) or self._escaped(proc, own_session):
                self.seen[proc.pid] = proc
                alive.append(proc)
        return alive

    def _escaped(self, proc: psutil.Process, own_session: int | None) -> bool:
        """An orphan that dropped our token (a new environment) and left the session: it
        was born during this call, in another session, and re-parented to us."""
        try:
            return (
                own_session is not None
                and proc.ppid() == os.getpid()
                and os.getsid(proc.pid) != own_session
                and proc.create_time() >= self.born - 0.05
            )
        except (psutil.Error, OSError):
            return False

    def remember(self, pids) -> None:
        """Also end these PIDs (the runner's own snapshot of its descendants)."""
        for pid in pids:
            if pid not in self.seen:
                try:
                    proc = psutil.Process(pid)
                    if proc.create_time() >= self.born - 0.05:
                        self.seen[pid] = proc
                except psutil.Error:
                    pass


def _kill_tree(watch: _Watch) -> int:
    """Kill the runner's group and every process of the call, then reap what is ours.
    Returns how many processes had to be killed besides the runner."""
    root = watch.root
    if hasattr(os, "killpg"):
        try:
            os.killpg(root.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    killed = 0
    for _ in range(20):  # late forks and setsid() escapees need another sweep
        strays = [p for p in watch.strays() if p.pid != root.pid]
        if not strays:
            break
        end_processes(strays, timeout=1)
        killed += len(strays)
    try:
        root.kill()
    except OSError:
        pass
    root.wait()
    with _RUNNERS_LOCK:
        _RUNNERS.discard(root.pid)
    # The killed processes die and are re-parented to us a moment later: reap them until
    # none of the PIDs we saw is left.
    known = [p.pid for p in watch.seen.values() if p.pid != root.pid]
    deadline = time.monotonic() + 2
    while True:
        reap_orphans()
        if not any(psutil.pid_exists(pid) for pid in known) or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    return killed


def _read_capped(path: Path, limit: int) -> tuple[str, bool]:
    """The start and the end of a file, at most `limit` bytes in all."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "", False
    with open(path, "rb") as f:
        if size <= limit:
            return f.read().decode("utf-8", "replace"), False
        head = f.read(limit // 2)
        f.seek(size - limit // 2)
        tail = f.read()
    return (head.decode("utf-8", "replace") + "\n" + tail.decode("utf-8", "replace")), True


def run(call: Call) -> Observation:
    """Run one call in a fresh supervised process; always return an observation."""
    workdir = Path(tempfile.mkdtemp(prefix="grader-"))
    try:
        return _run_in(call, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run_in(call: Call, workdir: Path) -> Observation:
    exercise_file = Path(call.exercise_file).resolve()
    spec = {
        "exercise_dir": str(exercise_file.parent),
        "exercise_file": str(exercise_file),
        "module": exercise_file.stem,
        "scenario_file": str(Path(call.scenario_file).resolve()),
        "scenario": call.scenario,
        "params": call.params,
        "start_method": call.start_method,
        "contract": list(call.contract),
        "memory_mb": call.memory_mb,
        "output_cap": call.output_kb * 1024,
    }
    (workdir / "spec.pickle").write_bytes(pickle.dumps(spec))
    token = secrets.token_hex(8)
    env = _environ_copy()
    env.update({
        spy.EVENTS_ENV: str(workdir / "events.jsonl"),
        spy.OUTPUT_CAP_ENV: str(call.output_kb * 1024),
        TOKEN_ENV: token,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")) if p
        ),
    })
    env.pop("PYTHONSTARTUP", None)
    for name in HIDDEN_ENV:
        env.pop(name, None)
    stdout = open(workdir / "stdout", "wb")
    stderr = open(workdir / "stderr", "wb")
    kwargs = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    started = time.monotonic()
    try:
        # Registered under the lock, so no other call's reap_orphans() can take its status.
        with _RUNNERS_LOCK:
            root = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox.runner", str(workdir)],
                cwd=str(workdir), env=env, stdin=subprocess.DEVNULL,
                stdout=stdout, stderr=stderr, close_fds=True, **kwargs,
            )
            _RUNNERS.add(root.pid)
    finally:
        stdout.close()
        stderr.close()
    watch = _Watch(root, token)
    stopped = None  # why the supervisor ended the call, if it did
    memory_cap = call.memory_mb * 1024 * 1024 * TREE_MEMORY_FACTOR
    ticks = 0
    while True:
        try:
            root.wait(timeout=POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            pass
        ticks += 1
        count, rss = watch.measure(with_memory=ticks % 4 == 0)
        if count > call.max_processes:
            stopped = "too_many_processes"
        elif rss > memory_cap:
            stopped = "too_much_memory"
        elif time.monotonic() - started > call.time_limit:
            stopped = "timeout"
            stacks.request(root.pid, workdir, lambda pid: _is_tagged(pid, watch.token))
        if stopped:
            break
    elapsed = time.monotonic() - started
    result = _read_result(workdir / "result.pickle")
    if result:
        watch.remember(p["pid"] for p in result.get("leftovers", []) + result.get("after_import", []))
    killed = _kill_tree(watch)
    stdout_text, stdout_cut = _read_capped(workdir / "stdout", call.output_kb * 1024 * 2)
    stderr_text, stderr_cut = _read_capped(workdir / "stderr", call.output_kb * 1024 * 2)
    result = result or _read_result(workdir / "result.pickle")
    events_text, _ = _read_capped(workdir / "events.jsonl", 4 * 1024 * 1024)
    main_stacks, child_stacks = stacks.read(workdir) if stopped == "timeout" else ("", {})
    return Observation.build(
        call=call,
        result=result,
        stopped=stopped,
        exit_code=root.returncode,
        elapsed=elapsed,
        stdout=stdout_text,
        stderr=stderr_text,
        output_cut=stdout_cut or stderr_cut,
        events_text=events_text,
        stacks=main_stacks,
        child_stacks=child_stacks,
        killed=killed,
        peak_processes=watch.peak_processes,
    )


def _read_result(path: Path) -> dict | None:
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # missing (the runner died first) or cut short
        return None
