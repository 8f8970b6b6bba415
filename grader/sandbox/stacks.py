"""Stack dumps at the time limit: where a hung call was. The runner and every child the spy
set up registered faulthandler on SIGUSR1 (stacks.txt, stacks-<pid>.txt in the call's
folder); the supervisor signals them just before it kills the tree and reads the files.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

MAIN = "stacks.txt"
CHILD = "stacks-{pid}.txt"


def main_file(workdir) -> str:
    """Where the runner (the call's main process) dumps its stacks."""
    return os.path.join(workdir, MAIN)


def child_file(workdir, pid: int) -> str:
    """Where a child of the call dumps its stacks."""
    return os.path.join(workdir, CHILD.format(pid=pid))


def _child_pids(workdir: Path) -> list[int]:
    """Children that registered a dump: each made its file before it logged "run"."""
    pids = []
    for dump in workdir.glob(CHILD.format(pid="*")):
        try:
            pids.append(int(dump.stem.split("-", 1)[1]))
        except ValueError:
            pass
    return pids


def request(root_pid: int, workdir: Path, ours) -> None:
    """Signal the runner and every child with a dump file that `ours(pid)` confirms is still
    a process of this call (a PID of a child that ended may belong to another process by
    now), then give the runner's dump a moment to be written."""
    if not hasattr(signal, "SIGUSR1"):
        return
    for pid in _child_pids(workdir):
        if ours(pid):
            try:
                os.kill(pid, signal.SIGUSR1)
            except OSError:
                pass
    path = workdir / MAIN
    try:
        size = path.stat().st_size if path.exists() else 0
        os.kill(root_pid, signal.SIGUSR1)
    except OSError:
        return
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        time.sleep(0.02)
        try:
            if path.stat().st_size > size:
                time.sleep(0.05)
                return
        except OSError:
            return


def read(workdir: Path) -> tuple[str, dict[int, str]]:
    """The runner's dump and each child's non-empty one."""
    def text(path: Path) -> str:
        try:
            return path.read_text("utf-8", "replace")
        except OSError:
            return ""

    children = {pid: text(Path(child_file(workdir, pid))) for pid in _child_pids(workdir)}
    return text(workdir / MAIN), {pid: dump for pid, dump in children.items() if dump.strip()}
