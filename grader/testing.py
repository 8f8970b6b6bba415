"""What exercise tests are written with: the @scenario decorator and checks that fail with
a student-facing message (what was called, what was observed, what was expected, and the
likely mistake).

Test modules import only this and grader.probes, never pytest, because the sandbox imports
the test module to find its scenario functions and pytest would cost a quarter second per
call. A test looks like:

    def squares_in_order(ex, numbers):          # runs in the sandbox; `ex` is the student's module
        return ex.pool_squares(numbers, processes=4)

    @scenario(squares_in_order, call="pool_squares({numbers}, processes=4)", numbers=[3, 1, 2])
    def test_results_in_input_order(obs):       # runs in pytest, once per start method
        value = returned(obs)
        if value != [9, 1, 4]:
            fail(obs, "ex03.order", got=value, expected=[9, 1, 4])
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass, field

from grader import diagnosis
from grader.results import Status
from grader.text import t

_short = reprlib.Repr()
_short.maxlist = _short.maxtuple = 8
_short.maxstring = _short.maxother = 60
_short.maxlevel = 3


def short(value) -> str:
    """A repr that stays on one line: long lists and strings are elided."""
    return _short.repr(value)


@dataclass(frozen=True)
class ScenarioSpec:
    """What @scenario attached to a test function."""

    function: str                 # qualified name of the scenario in the test module
    call: str                     # how the call reads in messages, with {param} fields
    params: dict = field(default_factory=dict)
    methods: tuple[str, ...] | None = None
    weight: float = 1.0

    def call_text(self) -> str:
        return self.call.format(**{k: short(v) for k, v in self.params.items()})


def scenario(function, /, *, call: str, methods=None, weight: float = 1.0, **params):
    """Run `function(student_module, **params)` in the sandbox under each start method
    (or only `methods`) and give the test its Observation as the `obs` argument.
    Tests that name the same scenario and params share one call."""

    def mark(test):
        test.grader_scenario = ScenarioSpec(
            function=function.__qualname__, call=call, params=params,
            methods=tuple(methods) if methods else None, weight=weight,
        )
        return test

    return mark


class Failure(AssertionError):
    """A test failed with a message for the student; `status` is fail, timeout or error."""

    def __init__(self, message: str, status: str = Status.FAIL, mistake: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.mistake = mistake


def fail(obs, key: str, *, mistake: str | None = None, status: str = Status.FAIL, **fields):
    """Fail the test: `Called …`, then message `key` with `fields`, then the mistake."""
    fields = {k: v if isinstance(v, str) else short(v) for k, v in fields.items()}
    parts = [t("runner.called", call=obs.label, method=obs.start_method), t(key, **fields)]
    if mistake:
        parts.append(t("runner.likely", text=t(f"mistake.{mistake}")))
    # An empty field (no line of the student's file to show) must not leave a blank line.
    message = "\n".join(line for line in "\n".join(parts).splitlines() if line.strip())
    raise Failure(message, status=status, mistake=mistake)


def _site(obs, site) -> str:
    if not site:
        return ""
    return t("runner.site", file=obs.exercise_file, line=site[0], code=site[1])


def returned(obs, stuck: dict[str, str] | None = None):
    """The call's return value; fails with the reason when it did not return normally.

    `stuck` maps a regular expression on the line a timed-out call hung on to a mistake
    id, for mistakes this exercise knows better than the generic rules."""
    status = obs.status
    if status == "returned":
        _check_import(obs)
        return obs.value
    if status == "import_error":
        error = obs.error
        if error.get("type") == "SyntaxError":
            fail(obs, "runner.syntax_error", status="error", message=error.get("message", ""),
                 site=_site(obs, obs.error_site()) or error.get("filename", ""))
        kind = "runner.exit_at_import" if error.get("type") == "SystemExit" else "runner.import_error"
        fail(obs, kind, status="error", type=error["type"], message=error.get("message", ""),
             site=_site(obs, obs.error_site()), mistake=diagnosis.for_exception(error))
    if status == "contract_error":
        lines = [t(f"runner.contract_{p['kind']}", **p) for p in obs.problems]
        fail(obs, "runner.contract", status="error", problems="\n".join(lines))
    if status == "raised":
        error = obs.error
        _check_import(obs)
        if error["type"] == "SystemExit":
            fail(obs, "runner.sys_exit", code=error.get("message", ""), site=_site(obs, obs.error_site()))
        fail(obs, "runner.raised", type=error["type"], message=error.get("message", ""),
             site=_site(obs, obs.error_site()), mistake=diagnosis.for_exception(error))
    if status == "timeout":
        where = obs.stuck_at()
        mistake = diagnosis.for_stuck_line(where[1], stuck) if where else None
        fail(obs, "runner.timeout", status="timeout", limit=f"{obs.elapsed:.0f}",
             site=_site(obs, where) or t("runner.site_unknown"), mistake=mistake)
    if status == "too_many_processes":
        fail(obs, "runner.fork_bomb", count=str(obs.peak_processes))
    if status == "too_much_memory":
        fail(obs, "runner.memory")
    if status == "crashed":
        tail = obs.stderr.strip().splitlines()[-3:]
        fail(obs, "runner.crashed", status="error", code=str(obs.exit_code), stderr="\n".join(tail))
    fail(obs, "runner.grader_error", status="error",
         detail=(obs.error or {}).get("text", "") or obs.stderr[-2000:])


def _check_import(obs) -> None:
    """Importing the module must not start processes (a missing `__main__` guard)."""
    marks = {e["e"]: e["t"] for e in obs.events if e.get("e") in ("import_begin", "import_end")}
    begin, end = marks.get("import_begin"), marks.get("import_end", float("inf"))
    started = [
        e for e in obs.events
        if e.get("e") == "start" and e.get("pid") == obs.main_pid and begin is not None
        and begin <= e["t"] <= end
    ]
    count = max(len(started), len(obs.after_import))
    if count:
        fail(obs, "runner.starts_at_import", count=str(count), mistake="main_guard")


def no_child_crashes(obs) -> None:
    """Fail when a child process ended with an exception."""
    for record in obs.child_crashes():
        site = obs.error_site(record.crash)
        fail(obs, "runner.child_crashed", pid=str(record.pid), type=record.crash["type"],
             message=record.crash.get("message", ""), site=_site(obs, site),
             mistake=diagnosis.for_exception(record.crash))


def nothing_left(obs) -> None:
    """Fail when the call returned while a process it started was running or a zombie,
    or (where the fork server reaps on the student's behalf) was never joined."""
    for proc in obs.leftovers:
        key = "runner.left_zombie" if proc["status"] == "zombie" else "runner.left_running"
        fail(obs, key, pid=str(proc["pid"]), mistake="never_joined" if proc["status"] == "zombie" else "never_joined_running")
    unreaped = [p for p in obs.children() if p.started is not None and not p.reaped]
    if unreaped:
        started = len([p for p in obs.children() if p.started is not None])
        fail(obs, "runner.not_joined", started=str(started), joined=str(started - len(unreaped)),
             mistake="never_joined")
