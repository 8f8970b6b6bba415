"""A class of student repositories made the way GitHub makes them from the student template
(grader student-kit, grader.course.studentkit): each a git repository whose first commit is the template
snapshot, then the student's commits, with the dates given. For the tests of the class
workflow (test_grade_class.py) and, from the command line, a bigger class to time it:

    python tests/tool/classroom.py CLASS_DIR [--students 20]

makes CLASS_DIR/mp-<name> repositories of every kind below (right, partial, hostile, late, one
that can't be cloned) and prints the deadline they were made around.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
CORPUS = ROOT / "tests" / "submissions"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import kitscripts  # noqa: E402

from grader.course import catalog as catalog_mod  # noqa: E402
from grader.course import studentkit  # noqa: E402

DEADLINE = "2025-03-15T23:59:00+08:00"
BEFORE = "2025-03-01T10:00:00+08:00"      # the template copy is made
WORK = "2025-03-10T20:00:00+08:00"        # the student's work, in time
AFTER = "2025-03-20T09:00:00+08:00"       # after the deadline
LATE_START = "2025-03-18T09:00:00+08:00"  # a copy made after the deadline

# The student's copy of the autograde workflow, rewritten to print full points.
FORGED_WORKFLOW = """name: Autograde
on: [push]
jobs:
  grade:
    runs-on: ubuntu-latest
    steps:
      - run: echo "::notice title=Autograding complete::Points 65/65"
"""


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = dict(os.environ)
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Student", "-c", "user.email=s@example.com",
                           "-c", "commit.gpgsign=false", *args], capture_output=True, text=True, check=True,
                          env=env).stdout


def make_template(target: Path) -> Path:
    """The student template's files (no git folder)."""
    studentkit.write(catalog_mod.load(ROOT), target, commit=False)
    return target


def solution(name: str) -> str:
    return (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")


def corpus(name: str, file: str) -> str:
    return (CORPUS / name / file).read_text(encoding="utf-8")


def make_student(template: Path, target: Path, commits: list[tuple[str, dict]], *, created: str = BEFORE) -> Path:
    """A repository made from the template on `created`, then one commit per (date, changes):
    changes map a path to its new text, None (delete) or ("symlink", target)."""
    shutil.copytree(template, target)
    git(target, "init", "--quiet", "--initial-branch=main")
    git(target, "add", "--all")
    git(target, "commit", "--quiet", "-m", "Initial commit", date=created)
    for date, changes in commits:
        for path, content in changes.items():
            file = target / path
            if file.is_symlink() or file.exists():
                file.unlink()
            if content is None:
                continue
            file.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, tuple):
                file.symlink_to(content[1])
            else:
                file.write_text(content, encoding="utf-8")
        git(target, "add", "--all")
        git(target, "commit", "--quiet", "-m", "work", date=date)
    return target


def unclonable(target: Path) -> Path:
    """A folder listed with the class whose repository can't be cloned."""
    target.mkdir(parents=True)
    (target / ".git").write_text("gitdir: /nonexistent/broken\n", encoding="utf-8")
    return target


def token_hunter(leak_file: Path) -> str:
    """01's solution, plus code that looks for the read token wherever it can read an
    environment or a command line, and writes what it found to `leak_file`."""
    return solution("01_worker_args") + f'''

def _hunt():
    import glob
    found = []
    for name in ["/proc/self/environ"] + glob.glob("/proc/[0-9]*/environ") + glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(name, "rb") as handle:
                if b"replay-token-" in handle.read():
                    found.append(name)
        except OSError:
            pass
    try:
        with open({str(leak_file)!r}, "a") as handle:
            handle.write("searched\\n" + "".join("found in " + line + "\\n" for line in found))
    except OSError:
        pass


_hunt()
'''


def kinds(leak_file: Path | None = None) -> dict[str, dict]:
    """Every kind of student: name -> how to make the repository."""
    partial = {"exercises/01_worker_args.py": solution("01_worker_args"),
               "exercises/03_pool_squares.py": corpus("03_pool_squares", "wrong_args_not_tuple.py")}
    everything = {f"exercises/{p.stem}.py": p.read_text(encoding="utf-8") for p in sorted(SOLUTIONS.glob("*.py"))}
    # The partial work, plus: the autograde workflow rewritten to print full points, 02 a
    # symbolic link to the kit's solution (where the class workflow puts the kit), and 01 (still
    # right) hunting for the read token. Its grades must be the partial work's.
    rewritten = dict(partial, **{".github/workflows/autograde.yml": FORGED_WORKFLOW,
                                 "exercises/02_clock_process.py":
                                     ("symlink", "../../../../kit/solutions/02_clock_process.py")})
    if leak_file is not None:
        rewritten["exercises/01_worker_args.py"] = token_hunter(leak_file)
    hostile = {"exercises/02_clock_process.py": (ROOT / "tests/tool/fixtures/reports/02_clock_process.py").read_text(),
               "exercises/03_pool_squares.py": "import time\n\ndef square(n):\n    return n * n\n\n"
                                               "def pool_squares(numbers, processes=None):\n    time.sleep(600)\n\n"
                                               "def pool_squares_async(numbers, processes=None):\n"
                                               "    raise SystemExit(0)\n",
               "tests/test_05_queue_sum.py": "def test_ok():\n    pass\n"}
    return {
        "right": {"commits": [(WORK, everything)]},
        # In time: partial work; after the deadline: everything. Graded on the partial work.
        "partial": {"commits": [(WORK, partial), (AFTER, everything)]},
        "rewritten": {"commits": [(WORK, rewritten)]},
        "late": {"commits": [(AFTER, partial)], "created": LATE_START},
        "hostile": {"commits": [(WORK, hostile)]},
        "symlink": {"commits": [(WORK, {"exercises/03_pool_squares.py":
                                        ("symlink", "../../../../kit/solutions/03_pool_squares.py"),
                                        "exercises/01_worker_args.py": solution("01_worker_args")})]},
        "untouched": {"commits": []},
        "ghost": {"unclonable": True},
    }


def make_class(root: Path, names: list[str], *, template: Path, leak_file: Path | None = None,
               prefix: str = "mp-") -> list[Path]:
    """`root/<prefix><name>` for each name; a name is a kind, or kind-N for another of it."""
    made = []
    recipes = kinds(leak_file)
    for name in names:
        recipe = recipes[name.split("-")[0]]
        target = root / f"{prefix}{name}"
        if recipe.get("unclonable"):
            made.append(unclonable(target))
        else:
            made.append(make_student(template, target, recipe["commits"], created=recipe.get("created", BEFORE)))
    return made


def checkout(repo: Path, target: Path, commit: str) -> Path:
    """A student's checkout at `commit` (what an instructor would grade with `grader gradebook`)."""
    subprocess.run(["git", "clone", "--quiet", str(repo), str(target)], check=True, capture_output=True)
    git(target, "checkout", "--quiet", "--detach", commit)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("class_dir", type=Path)
    parser.add_argument("--students", type=int, default=20)
    args = parser.parse_args(argv)
    order = ["right", "partial", "rewritten", "late", "hostile", "symlink", "untouched", "ghost"]
    names = []
    while len(names) < args.students:
        kind = order[len(names) % len(order)]
        count = sum(1 for n in names if n.split("-")[0] == kind)
        names.append(kind if count == 0 else f"{kind}-{count + 1}")
    args.class_dir.mkdir(parents=True, exist_ok=True)
    template = make_template(args.class_dir.parent / (args.class_dir.name + "-template"))
    make_class(args.class_dir, names, template=template)
    shutil.rmtree(template)
    print(f"{len(names)} repositories in {args.class_dir}: {', '.join(names)}; deadline {DEADLINE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
