"""Helpers for scenarios, and instrumented stand-ins that tests put in place of a student's
function (`ex.square = probes.square`).

Stand-ins run in the student's child processes, so they live in this importable module
(spawn and forkserver children must find them by name) and report through the spy's event
log. They force the interleavings a test needs instead of hoping for them.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from grader import spy

PROBE_DIR_ENV = "GRADER_PROBE_DIR"


def _dir() -> Path:
    return Path(os.environ[PROBE_DIR_ENV])


def now() -> float:
    """A clock all processes of the call share (for comparing events)."""
    return time.monotonic()


def mark(label: str, **data) -> None:
    """Log an event from a scenario, e.g. right before and after the student's call."""
    spy.log("mark", label=label, **data)


def snapshot() -> list[dict]:
    """The descendants of the runner now, taken without reaping anything."""
    from grader.runner import snapshot as take

    return take()


def printed() -> list[tuple[int | None, str]]:
    """(pid, line) for everything printed so far in this call."""
    import sys

    from grader.observation import _untag

    sys.stdout.flush()
    path = _dir().parent / "stdout"
    return _untag(path.read_text("utf-8", "replace")) if path.exists() else []


def plan_reverse_completion(numbers, give_up: float = 2.0) -> None:
    """Make `square` finish its tasks in reverse order of `numbers`.

    The task for numbers[i] waits until the tasks of every later number have finished.
    Run concurrently (enough workers), the last-submitted task therefore completes first:
    code that collects in completion order (imap_unordered, callbacks) comes back
    reversed every time, not only when the scheduler happens to reorder. Run one after
    another, a task would wait forever, so after `give_up` seconds the first one stops
    waiting and tells the rest not to wait either.
    """
    (_dir() / "plan.json").write_text(json.dumps({"numbers": list(numbers), "give_up": give_up}))


def square(n):
    """Stand-in for a student's `square(n)`: logs a `task` event (pid, n, start, end) and
    follows the plan set by plan_reverse_completion, if any."""
    began = time.monotonic()
    folder = _dir()
    waited_out = False
    try:
        plan = json.loads((folder / "plan.json").read_text())
    except (OSError, ValueError):
        plan = None
    if plan and n in plan["numbers"]:
        index = plan["numbers"].index(n)
        later = [folder / f"done-{i}" for i in range(index + 1, len(plan["numbers"]))]
        deadline = began + plan["give_up"]
        while not all(p.exists() for p in later):
            if (folder / "gave-up").exists():
                break
            if time.monotonic() > deadline:
                (folder / "gave-up").touch()
                waited_out = True
                break
            time.sleep(0.005)
        time.sleep(0.01)
        (folder / f"done-{index}").touch()
    spy.log("task", n=n, began=began, ended=time.monotonic(), waited_out=waited_out)
    return n * n


def sleepy(seconds: float) -> None:
    """A target that sleeps and logs `task` (used as a generic child body)."""
    began = time.monotonic()
    time.sleep(seconds)
    spy.log("task", n=seconds, began=began, ended=time.monotonic(), waited_out=False)
