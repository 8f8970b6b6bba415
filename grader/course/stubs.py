"""Each exercise's stub, made from its solution: the solution file is the one source, as
nbgrader keeps one notebook for the release and the answer.

A solution marks what the stub leaves out and what only the stub says:

    def square(n) -> int:
        \"\"\"Return ``n * n``.\"\"\"
        ### TODO: return the square of ``n`` (an int).
        ### BEGIN SOLUTION
        return n * n
        ### END SOLUTION

- `### BEGIN SOLUTION` ... `### END SOLUTION`: code only the solution has. In the stub,
  the first such block of a function becomes `raise NotImplementedError("<function>")`;
  any other block (a later one in the same function, or one at the module's top level, such
  as an import only the solution needs) is left out.
- `### TODO ...` (any `### ` comment): a `# TODO ...` comment of the stub, which says what
  to achieve, never how (the how is in the hints). The solution keeps the line as it is.
- `### STUB: text`: the line `text` appears in the stub only.

The stub of record (what `grader reset` restores and what "not started" compares with) is
made from the solution where the kit has one. A student's repository, made from the student
kit, has no solutions: there it is the file as the repository's first commit holds it (the
snapshot its template made), the same rule the autograde workflow uses to find the kit.
May import: grader.course.catalog.
"""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from pathlib import Path

from grader.course.catalog import Exercise

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_STUB = re.compile(r"^(\s*)### STUB: ?(.*)$")
_COMMENT = re.compile(r"^(\s*)### (.*)$")
_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)")
_CLASS = re.compile(r"^(\s*)class\s+(\w+)")


class StubError(ValueError):
    """The markers of a solution file don't pair up."""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _owner(lines: list[str], index: int, indent: int) -> str | None:
    """The qualified name of the function whose body holds line `index` (indented `indent`)."""
    names: list[str] = []
    level = indent
    for line in reversed(lines[:index]):
        if not line.strip() or _indent(line) >= level:
            continue
        match = _DEF.match(line) or _CLASS.match(line)
        if match:
            if not names and not _DEF.match(line):
                return None          # directly in a class body, not in a function
            names.append(match.group(2))
            level = _indent(line)
            if level == 0:
                break
    return ".".join(reversed(names)) or None


def make_stub(source: str) -> str:
    """The stub made from a solution's source (see the module's docstring)."""
    lines = source.splitlines()
    out: list[str] = []
    raised: set[str] = set()
    inside = None                   # the BEGIN line's index while in a block
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside is not None:
                raise StubError(f"line {index + 1}: {BEGIN} inside another block")
            inside = index
            owner = _owner(lines, index, _indent(line))
            if owner and owner not in raised:
                raised.add(owner)
                out.append(" " * _indent(line) + f'raise NotImplementedError("{owner}")')
            continue
        if stripped == END:
            if inside is None:
                raise StubError(f"line {index + 1}: {END} without {BEGIN}")
            inside = None
            continue
        if inside is not None:
            continue
        stub, comment = _STUB.match(line), _COMMENT.match(line)
        if stub:
            out.append(f"{stub.group(1)}{stub.group(2)}")
        elif comment:
            out.append(f"{comment.group(1)}# {comment.group(2)}")
        else:
            out.append(line)
    if inside is not None:
        raise StubError(f"line {inside + 1}: {BEGIN} is never ended")
    return "\n".join(out) + ("\n" if source.endswith("\n") else "")


def solution_lines(source: str) -> list[str]:
    """The code lines only the solution has (inside its solution blocks), stripped."""
    found, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped in (BEGIN, END):
            inside = stripped == BEGIN
        elif inside and stripped and not stripped.startswith("#"):
            found.append(stripped)
    return found


def same_text(a: bytes | None, b: bytes | None) -> bool:
    """Equal once CRLF line endings (a Windows checkout) are read as LF."""
    if a is None or b is None:
        return False
    return a.replace(b"\r\n", b"\n") == b.replace(b"\r\n", b"\n")


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@lru_cache(maxsize=None)
def _from_first_commit(root: Path, name: str) -> bytes | None:
    roots = _git(root, "rev-list", "--max-parents=0", "HEAD")
    if not roots:
        return None
    first = roots.decode().split()[-1]
    if _git(root, "cat-file", "-e", f"{first}:catalog.toml") is None:
        return None
    return _git(root, "show", f"{first}:exercises/{name}.py")


def of_record(exercise: Exercise) -> bytes | None:
    """The stub as shipped: made from the solution, else as the repository's first commit
    holds it; None when neither is at hand."""
    try:
        source = exercise.solution.read_text(encoding="utf-8")
    except OSError:
        return _from_first_commit(exercise.root, exercise.name)
    return make_stub(source).encode("utf-8")


def is_stub(exercise: Exercise, data: bytes | None = None) -> bool:
    """True when the student's file (or `data`) is still the stub of record."""
    if data is None:
        try:
            data = exercise.work_file.read_bytes()
        except OSError:
            return False
    return same_text(data, of_record(exercise))
