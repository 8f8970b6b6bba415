"""What one sandboxed call did, rebuilt from the runner's result, the spy's events, the
tagged output and (after a timeout) the stack dump. Plain data: tests assert on it."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox import spy

_TAG = re.compile(re.escape(spy.TAG_START) + r"(\d+)([~!]?)" + re.escape(spy.TAG_END))
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in | in )(?P<func>\S+)')


@dataclass
class ProcessRecord:
    """One process the student's code started (directly or through a Pool)."""

    pid: int
    name: str = ""
    cls: str = ""
    daemon: bool = False
    starter: int | None = None      # the PID that called start()
    started: float | None = None    # when start() returned in the starter
    run_began: float | None = None  # when run() began in the child
    run_ended: float | None = None  # when run() returned normally
    exit_code: str | None = None    # the code of a sys.exit() inside run()
    crash: dict | None = None       # the exception that ended run()
    reaped: bool = False            # its parent learned its exit status
    joined: bool = False            # join() returned with the process ended
    join_calls: int = 0
    exitcode: int | None = None

    @property
    def pool_worker(self) -> bool:
        return "PoolWorker" in self.name


@dataclass
class Observation:
    """The outcome of one call: status, value or error, processes, output, timing."""

    label: str
    start_method: str
    exercise_file: str
    status: str                  # returned raised import_error contract_error timeout
                                 # too_many_processes too_much_memory crashed grader_error
    value: object = None
    error: dict | None = None
    problems: list = field(default_factory=list)
    main_pid: int | None = None
    elapsed: float = 0.0
    call_started: float | None = None
    call_ended: float | None = None
    exit_code: int | None = None
    processes: dict = field(default_factory=dict)   # pid -> ProcessRecord
    pools: dict = field(default_factory=dict)       # pool id -> {"processes", "ops": [...]}
    events: list = field(default_factory=list)
    lines: list = field(default_factory=list)       # (pid or None, text) in order written
    stdout: str = ""
    stderr: str = ""
    output_cut: bool = False
    leftovers: list = field(default_factory=list)   # descendants alive or zombie at return
    after_import: list = field(default_factory=list)
    stacks: str = ""
    child_stacks: dict = field(default_factory=dict)   # pid -> a child's stacks at the timeout
    killed: int = 0
    peak_processes: int = 0

    @classmethod
    def build(cls, *, call, result, stopped, exit_code, elapsed, stdout, stderr, output_cut,
              events_text, stacks, killed, peak_processes, child_stacks=None) -> "Observation":
        result = result or {}
        status = stopped or result.get("status") or "crashed"
        obs = cls(
            label=call.label or call.scenario,
            start_method=call.start_method,
            exercise_file=str(Path(call.exercise_file).resolve()),
            status=status,
            value=result.get("value"),
            error=result.get("error"),
            problems=result.get("problems", []),
            main_pid=result.get("main_pid"),
            elapsed=elapsed,
            call_started=result.get("started"),
            call_ended=result.get("ended"),
            exit_code=exit_code,
            output_cut=output_cut,
            leftovers=result.get("leftovers", []),
            after_import=result.get("after_import", []),
            stacks=stacks,
            child_stacks=dict(child_stacks or {}),
            killed=killed,
            peak_processes=peak_processes,
        )
        obs._read_events(events_text)
        obs.lines = _untag(stdout)
        obs.stdout = "\n".join(text for _, text in obs.lines)
        obs.stderr = "\n".join(text for _, text in _untag(stderr))
        return obs

    def _read_events(self, text: str) -> None:
        for raw in text.splitlines():
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            self.events.append(event)
            kind = event.get("e")
            if self.main_pid is None and kind == "import_begin":
                self.main_pid = event["pid"]
            if kind in ("start", "join", "join_call", "reaped"):
                pid = event.get("child")
                if pid is None:
                    continue
                record = self.processes.setdefault(pid, ProcessRecord(pid=pid))
                if kind == "start":
                    record.name, record.cls = event.get("name", ""), event.get("cls", "")
                    record.daemon, record.starter = event.get("daemon", False), event["pid"]
                    record.started = event["t"]
                elif kind == "join_call":
                    record.join_calls += 1
                elif kind == "join":
                    record.joined = True
                    record.exitcode = event.get("exitcode")
                else:
                    record.reaped = True
                    record.exitcode = event.get("exitcode")
            elif kind in ("run", "end", "exit", "crash"):
                record = self.processes.setdefault(event["pid"], ProcessRecord(pid=event["pid"]))
                if kind == "run":
                    record.run_began = event["t"]
                    record.name = record.name or event.get("name", "")
                    record.cls = record.cls or event.get("cls", "")
                    record.starter = record.starter or event.get("parent")
                elif kind == "end":
                    record.run_ended = event["t"]
                elif kind == "exit":
                    record.exit_code = event.get("code")
                else:
                    record.crash = event.get("error")
            elif kind and kind.startswith("pool"):
                pool = self.pools.setdefault(event.get("pool"), {"processes": None, "ops": []})
                if kind == "pool":
                    pool["processes"], pool["asked"] = event.get("processes"), event.get("asked")
                else:
                    pool["ops"].append((kind[5:], event["pid"], event["t"]))

    # ---- questions tests ask -------------------------------------------------------

    def children(self, include_pool_workers: bool = False) -> list[ProcessRecord]:
        """Processes the student's code started, in start order."""
        found = [p for p in self.processes.values() if p.started is not None or p.run_began is not None]
        if not include_pool_workers:
            found = [p for p in found if not p.pool_worker]
        return sorted(found, key=lambda p: p.started or p.run_began or 0)

    def probe_events(self, kind: str) -> list[dict]:
        """Events a probe (grader.probes) logged, e.g. `task`."""
        return [e for e in self.events if e.get("e") == kind]

    def lines_of(self, pid: int | None) -> list[str]:
        """The lines printed by one process."""
        return [text for who, text in self.lines if who == pid]

    def student_frames(self, frames) -> list[tuple]:
        """The frames of a traceback that are in the student's file."""
        own = os.path.normcase(self.exercise_file)
        return [f for f in frames if os.path.normcase(os.path.abspath(f[0])) == own]

    def student_line(self, lineno: int) -> str:
        try:
            lines = Path(self.exercise_file).read_text(encoding="utf-8", errors="replace").splitlines()
            return lines[lineno - 1].strip()
        except (OSError, IndexError):
            return ""

    def stuck_at(self) -> tuple[int, str] | None:
        """Where the main thread was in the student's file when the time ran out; when it
        was waiting in a library call, where a child was in that file."""
        for stacks in [self.stacks] + [self.child_stacks[pid] for pid in sorted(self.child_stacks)]:
            # faulthandler lists the main thread last
            block = stacks.strip().split("\n\n")[-1] if stacks else ""
            for match in _FRAME.finditer(block):
                path = os.path.normcase(os.path.abspath(match["file"]))
                if path == os.path.normcase(self.exercise_file):
                    line = int(match["line"])
                    return line, self.student_line(line)
        return None

    def error_site(self, error: dict | None = None) -> tuple[int, str] | None:
        """The innermost line of the student's file in an error's traceback (also in a
        worker's traceback carried back by a Pool)."""
        error = error or self.error
        if not error:
            return None
        if error.get("type") == "SyntaxError" and error.get("lineno"):
            if os.path.normcase(os.path.abspath(error.get("filename") or "")) == os.path.normcase(self.exercise_file):
                return error["lineno"], error.get("line", "").strip()
        # A Pool worker's traceback comes first: it holds the line that raised, while the
        # parent's frames only show where the results were collected.
        remote = [
            (m["file"], int(m["line"]), m["func"], "")
            for m in _FRAME.finditer(error.get("remote", ""))
        ]
        for frames in (self.student_frames(remote), self.student_frames(error.get("frames", []))):
            if frames:
                return frames[-1][1], frames[-1][3] or self.student_line(frames[-1][1])
        return None

    def child_crashes(self) -> list[ProcessRecord]:
        """Started processes whose run() ended with an exception, in start order."""
        return [p for p in self.children(include_pool_workers=True) if p.crash]


def _untag(text: str) -> list[tuple[int | None, str]]:
    """Split tagged output into (pid, line); partial writes are joined back together."""
    lines: list[tuple[int | None, str]] = []
    open_partial: dict[int, int] = {}  # pid -> index of its unfinished line
    for raw in text.split("\n"):
        match = _TAG.match(raw)
        if not match:
            if raw:
                lines.append((None, raw))
            continue
        pid, flag = int(match.group(1)), match.group(2)
        body = raw[match.end():]
        if flag == spy.FLAG_CUT:
            lines.append((pid, "[output cut: this process printed too much]"))
            continue
        if pid in open_partial:
            index = open_partial.pop(pid)
            lines[index] = (pid, lines[index][1] + body)
        else:
            lines.append((pid, body))
        if flag == spy.FLAG_PARTIAL:
            open_partial[pid] = len(lines) - 1
    return lines
