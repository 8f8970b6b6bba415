"""What leaves or joins the kit: `grader new` (an exercise's own files and one catalog block)
and `grader student-kit` (the repository students get)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import text
from grader.course import catalog as catalog_mod
from grader.course import stubs, studentkit
from grader.verification import lint

ROOT = Path(__file__).resolve().parents[2]
CATALOG = catalog_mod.load(ROOT)


def copy_kit(target: Path) -> Path:
    """A copy of the kit's own files (what git tracks, or would)."""
    for name in studentkit.kit_files(ROOT, leave_out=("tests/tool/", "tests/submissions/")):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def grader(kit: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, GRADER_ROOT=str(kit), GRADER_LANG="en", PYTHONIOENCODING="utf-8",
               GRADER_START_METHODS="fork")
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=kit, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8")


@pytest.fixture(autouse=True)
def _real_kit_words():
    """Loading another kit's catalog points the words at it: point them back."""
    yield
    catalog_mod.load(ROOT)


def test_new_writes_the_exercise_files_and_one_catalog_block(tmp_path):
    kit = copy_kit(tmp_path / "kit")
    before = (kit / "catalog.toml").read_text(encoding="utf-8")
    result = grader(kit, "new", "13", "scratch", "Scratch")
    assert result.returncode == 0, result.stderr
    made = {line.split("wrote ", 1)[1] for line in result.stdout.splitlines() if "wrote " in line}
    assert made == {"catalog.toml", "solutions/13_scratch.py", "exercises/13_scratch.py",
                    "tests/test_13_scratch.py",
                    *(f"tests/messages/13_scratch.{lang}.toml" for lang in text.LANGUAGES)}
    after = (kit / "catalog.toml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n")) and after.count("[[exercises]]") == before.count("[[exercises]]") + 1
    catalog = catalog_mod.load(kit)
    exercise = catalog.find("13")
    assert lint.lint_exercise(catalog, exercise) == []
    assert stubs.is_stub(exercise)
    check = grader(kit, "check", "13")
    assert check.returncode == 1 and "still the stub" in check.stdout
    again = grader(kit, "new", "13", "other", "Other")
    assert again.returncode == 2 and "already in catalog.toml" in again.stderr


def test_new_refuses_bad_ids_and_slugs(tmp_path):
    kit = copy_kit(tmp_path / "kit")
    assert "two digits" in grader(kit, "new", "7", "x", "X").stderr
    assert "lower-case" in grader(kit, "new", "14", "Bad-Slug", "X").stderr
    assert not (kit / "solutions" / "14_Bad-Slug.py").exists()


@pytest.fixture(scope="module")
def student_kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sk") / "student"
    result = subprocess.run([sys.executable, "-m", "grader", "student-kit", str(out),
                             "--kit-repository", "course/mp-kit", "--kit-ref", "v1"],
                            cwd=ROOT, env=dict(os.environ, GRADER_LANG="en"), capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return out


def test_the_student_kit_holds_no_answers_and_no_kit_ci(student_kit):
    files = {p.relative_to(student_kit).as_posix() for p in student_kit.rglob("*")
             if p.is_file() and ".git" not in p.relative_to(student_kit).parts}
    for left_out in ("solutions/", "tests/submissions/", "tests/tool/", ".ci/", "scripts/",
                     ".github/workflows/ci.yml"):
        assert not [f for f in files if f.startswith(left_out)], left_out
    for needed in ("catalog.toml", "pyproject.toml", "README.md", "grader/cli.py",
                   ".github/workflows/autograde.yml"):
        assert needed in files
    for exercise in CATALOG.exercises:
        assert (student_kit / "exercises" / f"{exercise.name}.py").read_bytes() == stubs.of_record(exercise)
        assert f"tests/test_{exercise.name}.py" in files
    workflow = (student_kit / ".github/workflows/autograde.yml").read_text(encoding="utf-8")
    assert "vars.GRADER_KIT_REPOSITORY || 'course/mp-kit'" in workflow
    assert "vars.GRADER_KIT_REF || 'v1'" in workflow
    log = subprocess.run(["git", "-C", str(student_kit), "log", "--oneline"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert len(log) == 1


def test_in_the_student_kit_every_exercise_is_not_started_and_reset_works(student_kit, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(student_kit), str(clone)], check=True, timeout=60)
    listed = grader(clone, "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("not started") == len(CATALOG.exercises)
    mine = clone / "exercises" / "03_pool_squares.py"
    shipped = mine.read_bytes()
    mine.write_bytes(shipped + b"\n# my work\n")
    reset = grader(clone, "reset", "03", "--yes")
    assert reset.returncode == 0, reset.stderr
    assert mine.read_bytes() == shipped
