"""What leaves the kit: the repository students get (`grader student-kit OUT`), and the
files every package of the kit holds (the Gradescope autograder zip reuses the selection).

Students get the kit without its answers (solutions/), its corpus of submissions, its own
tests and CI and the maintainers' scripts; their stubs are made afresh from the solutions.
The student kit is a git repository with one commit, ready to push as a template: that
commit is what `grader reset` restores a stub from, and what the autograde workflow grades
with unless it is pointed at the kit that made it.
May import: grader.text, grader.course.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from grader.course import stubs
from grader.course.catalog import Catalog

# Left out of everything a student or a grading service gets.
LEFT_OUT = ("solutions/", "tests/submissions/", "tests/tool/", "scripts/", ".ci/", "dist/",
            "classroom/", ".github/workflows/ci.yml", ".github/workflows/grade-class.yml")
# Never a file of the kit (caches, virtual environments, build output) when git can't say.
NOT_KIT = {".git", "__pycache__", ".pytest_cache", ".grader", ".venv", "venv", "build", "dist",
           ".mypy_cache", ".ruff_cache", ".tox", "node_modules"}
AUTOGRADE = ".github/workflows/autograde.yml"


class StudentKitError(Exception):
    """The student kit can't be written; the message says why and what to do."""


def _git(kit: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(kit), *args], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def kit_files(kit: Path, leave_out: tuple[str, ...] = LEFT_OUT) -> list[str]:
    """The kit's files as POSIX paths relative to `kit`, sorted: `git ls-files` (tracked and
    untracked, not ignored) in a checkout, else every file but caches and build output;
    without the paths that start with one of `leave_out`."""
    listed = _git(kit, "ls-files", "-z", "--cached", "--others", "--exclude-standard") \
        if (kit / ".git").exists() else None
    if listed is not None:
        names = [n for n in listed.split("\0") if n]
    else:
        names = []
        for current, dirs, files in os.walk(kit):
            dirs[:] = sorted(d for d in dirs if d not in NOT_KIT and not d.endswith(".egg-info"))
            names += [(Path(current) / f).relative_to(kit).as_posix() for f in files
                      if not f.endswith((".pyc", ".pyo"))]
    kept = set()
    for name in names:
        path = kit / name
        if name.startswith(leave_out) or not path.is_file() or path.is_symlink():
            continue
        kept.add(name)
    return sorted(kept)


def origin(kit: Path) -> str | None:
    """owner/name of the kit's GitHub remote `origin`, if it has one."""
    url = (_git(kit, "remote", "get-url", "origin") or "").strip()
    match = re.search(r"github\.com[:/]([^/]+/[^/]+?)(?:\.git)?/?$", url)
    return match.group(1) if match else None


def point_workflow(text: str, repository: str, ref: str) -> str:
    """The autograde workflow with the kit repository and ref as defaults (the repository
    variables still override them)."""
    text = text.replace("KIT_REPOSITORY: ${{ vars.GRADER_KIT_REPOSITORY }}",
                        f"KIT_REPOSITORY: ${{{{ vars.GRADER_KIT_REPOSITORY || '{repository}' }}}}")
    return text.replace("KIT_REF: ${{ vars.GRADER_KIT_REF || 'main' }}",
                        f"KIT_REF: ${{{{ vars.GRADER_KIT_REF || '{ref}' }}}}")


def write(catalog: Catalog, out: Path, repository: str | None = None, ref: str | None = None,
          commit: bool = True) -> list[str]:
    """Write the student kit into `out` (a new or empty folder); returns its files.
    `repository`/`ref` point its autograde workflow at this kit (default: the kit's GitHub
    origin and its current commit, when it has them)."""
    kit = catalog.root
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StudentKitError(f"{out} exists and is not empty")
    if out.resolve() == kit.resolve() or kit.resolve() in out.resolve().parents:
        raise StudentKitError(f"{out} is inside the kit")
    files = kit_files(kit)
    stubs_made = {}
    for exercise in catalog.exercises:
        try:
            stubs_made[f"exercises/{exercise.name}.py"] = stubs.make_stub(
                exercise.solution.read_text(encoding="utf-8")).encode("utf-8")
        except OSError:
            raise StudentKitError(f"{exercise.solution} is missing: the stub is made from it") from None
    repository = repository or origin(kit)
    ref = ref or (_git(kit, "rev-parse", "HEAD") or "").strip() or None
    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(set(files) | set(stubs_made)):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name in stubs_made:
            target.write_bytes(stubs_made[name])
        elif name == AUTOGRADE and repository and ref:
            text = (kit / name).read_text(encoding="utf-8")
            target.write_text(point_workflow(text, repository, ref), encoding="utf-8", newline="\n")
        else:
            shutil.copy2(kit / name, target)
    written = sorted(set(files) | set(stubs_made))
    if commit:
        _commit(out, repository, ref)
    return written


def _commit(out: Path, repository: str | None, ref: str | None) -> None:
    """Make `out` a git repository with one commit: the template snapshot."""
    env = dict(os.environ, GIT_AUTHOR_NAME=os.environ.get("GIT_AUTHOR_NAME", "grader student-kit"),
               GIT_AUTHOR_EMAIL=os.environ.get("GIT_AUTHOR_EMAIL", "grader@localhost"),
               GIT_COMMITTER_NAME=os.environ.get("GIT_COMMITTER_NAME", "grader student-kit"),
               GIT_COMMITTER_EMAIL=os.environ.get("GIT_COMMITTER_EMAIL", "grader@localhost"))
    message = "Student kit" + (f" from {repository}" if repository else "") + (f" at {ref}" if ref else "")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", message]):
        done = subprocess.run(["git", "-C", str(out), *args], capture_output=True, env=env, timeout=120)
        if done.returncode != 0:
            raise StudentKitError(f"git {' '.join(args)} failed in {out}: "
                                  f"{done.stderr.decode('utf-8', 'replace').strip()}")
