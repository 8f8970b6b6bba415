"""Write the student template from the instructor's kit: `python scripts/student_template.py
OUT [--commit]`.

The instructor's kit repository holds what students must never get: the reference solutions
(solutions/), the grader's own corpus of right and wrong submissions (tests/submissions/), the
class's settings (classroom/, e.g. a roster) and the workflow that grades the class
(.github/workflows/grade-class.yml). OUT gets every other file of the kit (`git ls-files`:
tracked and untracked, not ignored): push it to the repository students make theirs from
(mark it a template repository). With --commit, OUT also becomes a git repository with one
commit, what GitHub's "Use this template" gives each student (their first commit is the kit
snapshot the autograde workflow grades with).

The list of what is left out is grader.grading.submission.INSTRUCTOR_ONLY: a student's
checkout that lacks those files changed nothing of the kit.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT))
from grader.grading.submission import INSTRUCTOR_ONLY  # noqa: E402


def kit_files(kit: Path = KIT) -> list[str]:
    """The kit's files for students, as POSIX paths relative to `kit`, sorted."""
    done = subprocess.run(["git", "-C", str(kit), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                          capture_output=True, check=True, timeout=60)
    names = [n for n in done.stdout.decode("utf-8").split("\0") if n]
    return sorted(n for n in names if not n.startswith(INSTRUCTOR_ONLY) and (kit / n).is_file()
                  and not (kit / n).is_symlink())


def write(out: Path, kit: Path = KIT, *, commit: bool = False) -> list[str]:
    """Copy the student template into `out` (which must be empty or absent)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"student_template: {out} is not empty")
    names = kit_files(kit)
    for name in names:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(kit / name, target)
    if commit:
        git = ["git", "-C", str(out), "-c", "user.name=Kit", "-c", "user.email=kit@example.com",
               "-c", "commit.gpgsign=false"]
        subprocess.run([*git, "init", "--quiet", "--initial-branch=main"], check=True)
        subprocess.run([*git, "add", "--all"], check=True)
        subprocess.run([*git, "commit", "--quiet", "-m", "Initial commit"], check=True)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="an empty (or new) folder")
    parser.add_argument("--commit", action="store_true", help="make it a git repository with one commit")
    args = parser.parse_args(argv)
    names = write(args.out, commit=args.commit)
    print(f"student_template: wrote {len(names)} files to {args.out} (left out: {', '.join(INSTRUCTOR_ONLY)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
