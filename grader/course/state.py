"""What the grader remembers between commands: `.grader/state.json` in the kit's root.

The file (written by `State.save`, never needed: a missing, unreadable or corrupt file, or
one of another format version, is read as an empty state):

    {
      "format_version": 1,
      "exercises": {
        "03_pool_squares": {                  # the exercise's name: <id>_<slug>
          "hints_shown": 2,                   # how many hints `grader hint` has revealed
          "last": {                           # the last `grader check` of this exercise
            "sha256": "…",                    # of exercises/03_pool_squares.py as checked
            "status": "fail",                 # pass, fail, timeout or error
            "score": 3.75,                    # points earned, of "max_points"
            "max_points": 15.0,
            "methods": ["fork", "spawn", "forkserver"],   # start methods it ran under
            "when": "2025-01-31T12:00:00Z"    # UTC
          }
        }
      }
    }

`grader list` trusts "last" only while the file's sha256 still matches and the check ran
under every start method; otherwise it checks again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from grader.course.catalog import Exercise
from grader.results import Status

STATE_DIR = ".grader"
STATE_FILE = "state.json"
FORMAT_VERSION = 1


def file_sha256(path: Path) -> str | None:
    """The sha256 of a file's bytes; None when it can't be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class State:
    """The state file of one kit, in memory. Change it with the methods, then save()."""

    def __init__(self, path: Path, data: dict | None = None):
        self.path = path
        self.data = data if data is not None else {"format_version": FORMAT_VERSION, "exercises": {}}

    @classmethod
    def load(cls, root: Path) -> "State":
        path = Path(root) / STATE_DIR / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if (not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION
                or not isinstance(data.get("exercises"), dict)):
            return cls(path)
        return cls(path, data)

    def _entry(self, exercise: Exercise, create: bool = False) -> dict:
        entries = self.data["exercises"]
        entry = entries.get(exercise.name)
        if not isinstance(entry, dict):
            entry = {}
            if create:
                entries[exercise.name] = entry
        return entry

    def hints_shown(self, exercise: Exercise) -> int:
        value = self._entry(exercise).get("hints_shown", 0)
        return value if isinstance(value, int) and value >= 0 else 0

    def set_hints_shown(self, exercise: Exercise, count: int) -> None:
        self._entry(exercise, create=True)["hints_shown"] = count

    def last(self, exercise: Exercise) -> dict | None:
        """The last recorded check of the exercise, if it is well formed."""
        last = self._entry(exercise).get("last")
        if not isinstance(last, dict):
            return None
        if not isinstance(last.get("sha256"), str) or last.get("status") not in Status.ALL:
            return None
        if not isinstance(last.get("score"), (int, float)) or not isinstance(last.get("methods"), list):
            return None
        return last

    def cached(self, exercise: Exercise, sha256: str | None, methods: list[str]) -> dict | None:
        """The last check, when it is of this exact file and ran under all `methods`."""
        last = self.last(exercise)
        if last is None or sha256 is None or last["sha256"] != sha256:
            return None
        if not set(methods) <= set(last["methods"]):
            return None
        return last

    def record(self, exercise: Exercise, sha256: str, status: str, score: float,
               methods: list[str]) -> None:
        self._entry(exercise, create=True)["last"] = {
            "sha256": sha256,
            "status": status,
            "score": score,
            "max_points": exercise.points,
            "methods": list(methods),
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    def forget(self, exercise: Exercise) -> None:
        """Drop the exercise's last check (its hints stay revealed)."""
        self._entry(exercise).pop("last", None)

    def save(self) -> bool:
        """Write the file atomically; False when it can't be written (read-only kit)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="state-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(self.data, out, indent=1, sort_keys=True)
                    out.write("\n")
                os.replace(tmp, self.path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            return False
        return True
