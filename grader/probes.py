"""Helpers for scenarios, usable in the sandbox's main process and in the student's children.

An exercise's own instrumented stand-ins (a test module putting `ex.square =
square_standin` in place of a student's function) live in its test module: the sandbox
imports that module under its own name, so spawn and forkserver children find them by name
too. They report through `mark` and force the interleavings a test needs instead of hoping
for them; the ones here are generic.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from grader.sandbox import spy


def folder() -> Path:
    """A folder of this call's own, shared by all its processes (for a stand-in's plans and
    marks)."""
    return Path(os.environ[spy.PROBE_DIR_ENV])


def now() -> float:
    """A clock all processes of the call share (for comparing events)."""
    return time.monotonic()


def mark(label: str, **data) -> None:
    """Log an event from a scenario, e.g. right before and after the student's call."""
    spy.log("mark", label=label, **data)


def event(kind: str, **data) -> None:
    """Log an event of any kind from any process of the call (a stand-in's `task`, say);
    a test reads them with `obs.probe_events(kind)`."""
    spy.log(kind, **data)


def snapshot() -> list[dict]:
    """The descendants of the runner now, taken without reaping anything."""
    from grader.sandbox.runner import snapshot as take

    return take()


def printed() -> list[tuple[int | None, str]]:
    """(pid, line) for everything printed so far in this call."""
    import sys

    from grader.sandbox.observation import _untag

    sys.stdout.flush()
    path = folder().parent / "stdout"
    return _untag(path.read_text("utf-8", "replace")) if path.exists() else []


def sleepy(seconds: float) -> None:
    """A target that sleeps and logs `task` (used as a generic child body)."""
    began = time.monotonic()
    time.sleep(seconds)
    spy.log("task", n=seconds, began=began, ended=time.monotonic(), waited_out=False)
