"""Ending processes, the one way every part of the grader does it: become the subreaper of
what we start, stop a set of processes before killing any (so none can start another, or a
Pool replace a worker, between the first kill and the last), and reap what comes back to us.
May import: nothing of the grader.
"""

from __future__ import annotations

import os
import sys


def become_subreaper() -> None:
    """Orphans of what this process started come back to it, not to PID 1, so they stay
    visible (and killable, and reapable) (Linux only; elsewhere nothing happens)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:  # noqa: BLE001 - without it orphans go to PID 1: still killed by tag
        pass


def end_processes(procs: list, timeout: float = 3) -> None:
    """Stop every process of `procs` (psutil.Process objects) first, then kill and wait for
    them."""
    import psutil

    for step in ("suspend", "kill"):
        for proc in procs:
            try:
                getattr(proc, step)()
            except psutil.Error:
                pass
    psutil.wait_procs(procs, timeout=timeout)


def end_descendants() -> list[int]:
    """End every process below this one, in rounds until none is left (after Ctrl-C: the
    test runs live in sessions of their own, so the terminal's SIGINT did not reach them);
    returns the PIDs ended."""
    import psutil

    ended: list[int] = []
    for _ in range(5):
        try:
            procs = psutil.Process().children(recursive=True)
        except psutil.Error:
            break
        if not procs:
            break
        end_processes(procs)
        ended += [proc.pid for proc in procs]
    return ended


def end_tagged(env_name: str, token: str) -> int:
    """End every process on the machine whose environment has `env_name` = `token` (an
    orphan may have been re-parented away from us); returns how many there were."""
    import psutil

    ended = 0
    for _ in range(5):
        strays = []
        for proc in psutil.process_iter():
            try:
                if proc.pid != os.getpid() and proc.environ().get(env_name) == token:
                    strays.append(proc)
            except psutil.Error:
                pass
        if not strays:
            break
        end_processes(strays)
        ended += len(strays)
    return ended
