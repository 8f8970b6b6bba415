"""A student's checkout (or a folder of exercise files) graded with this kit's tests:
`grader check --from DIR`.

Only the exercise files are taken from DIR, copied into a fresh folder so that nothing else
of DIR is importable next to them. The kit's own files (tests, grader, catalog, workflows)
are compared with DIR's copies, and the ones DIR changed are listed in the reports: they
were not used, so editing them can't change a score.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalog import Catalog
from grader.course.studentkit import LEFT_OUT
from grader.text import t

# What belongs to the kit and is compared; everything else in a checkout is the student's.
KIT_FILES = ("catalog.toml", "pyproject.toml")
KIT_FOLDERS = ("tests", "grader", ".github", ".ci", "scripts")
SKIPPED = {"__pycache__", ".pytest_cache", ".grader", ".git"}
MAX_EXERCISE_BYTES = 1 << 20     # a 1 MiB exercise file is not a real answer


class SubmissionError(Exception):
    """DIR can't be graded; the message says why and what to pass instead."""


@dataclass
class Submission:
    """Where the exercise files were found, and the kit files the checkout changed."""

    folder: Path
    exercises_dir: Path
    changed: list = field(default_factory=list)   # {"path": "tests/x.py", "change": "changed"}

    def copy_exercises(self, catalog: Catalog, target: Path) -> list[str]:
        """Copy each exercise file of the catalog (only regular files of a sane size) into
        `target`; returns the names copied."""
        target.mkdir(parents=True, exist_ok=True)
        copied = []
        for exercise in catalog.exercises:
            source = self.exercises_dir / f"{exercise.name}.py"
            try:
                # A symbolic link is not the student's code (it could point at the kit's solution).
                if source.is_symlink() or not source.is_file() or source.stat().st_size > MAX_EXERCISE_BYTES:
                    continue
                shutil.copyfile(source, target / source.name)
            except OSError:
                continue
            copied.append(exercise.name)
        return copied


def grade(catalog: Catalog, exercises: list, folder: str | os.PathLike, methods: list[str]):
    """Grade the exercise files in `folder` with this kit (what `check --from` and the
    gradebook do). Returns the Grading, the ids whose file is still the stub, and the names
    of the exercise files the folder lacks. Raises SubmissionError."""
    from grader.grading import checker
    from grader.course.stubs import is_stub

    submission = open_submission(folder, catalog)
    with tempfile.TemporaryDirectory(prefix="grader-from-") as tmp:
        copies = Path(tmp) / "exercises"
        copied = set(submission.copy_exercises(catalog, copies))
        untouched = {e.id for e in exercises if e.name in copied and
                     is_stub(e, (copies / f"{e.name}.py").read_bytes())}
        grading = checker.grade(catalog, exercises, exercises_dir=copies, methods=methods,
                                shown_as="exercises", submission=str(submission.folder),
                                changed=submission.changed)
    return grading, untouched, [e.name for e in exercises if e.name not in copied]


def open_submission(folder: str | os.PathLike, catalog: Catalog) -> Submission:
    """The submission in `folder`: a checkout with exercises/, or a folder holding the
    NN_slug.py files themselves (a Gradescope upload)."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise SubmissionError(t("submission.not_a_folder", folder=str(folder)))
    root = root.resolve()
    names = {f"{e.name}.py" for e in catalog.exercises}
    if (root / "exercises").is_dir() and not (root / "exercises").is_symlink():
        return Submission(root, root / "exercises", changed_kit_files(catalog.root, root))
    if any((root / name).is_file() for name in names):
        return Submission(root, root)
    raise SubmissionError(t("submission.no_exercises", folder=str(folder),
                            example=sorted(names)[0]))


def _digest(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # A checkout on Windows may have CRLF line endings: not a change.
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def _files(root: Path) -> dict[str, Path]:
    found = {}
    for name in KIT_FILES:
        if (root / name).is_file():
            found[name] = root / name
    for folder in KIT_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for current, dirs, files in os.walk(base, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not d.endswith(".egg-info"))
            for name in files:
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = Path(current) / name
                found[path.relative_to(root).as_posix()] = path
    return found


def changed_kit_files(kit: Path, checkout: Path) -> list[dict]:
    """The kit files that `checkout` has changed, added or deleted, in path order."""
    if Path(kit).resolve() == Path(checkout).resolve():
        return []
    ours, theirs = _files(Path(kit)), _files(Path(checkout))
    changes = []
    for path in sorted(set(ours) | set(theirs)):
        # What only the instructor's kit holds (students never get it): a checkout without
        # it changed nothing.
        if path.startswith(LEFT_OUT):
            continue
        if path not in theirs:
            changes.append({"path": path, "change": "deleted"})
        elif path not in ours:
            # Only next to the kit's own files: a folder the kit doesn't ship (solutions/ or
            # .github/ left out of a Gradescope zip, say) holds nothing the grader would read.
            if (Path(kit) / path).parent.is_dir():
                changes.append({"path": path, "change": "added"})
        elif _digest(ours[path]) != _digest(theirs[path]):
            changes.append({"path": path, "change": "changed"})
    return changes
