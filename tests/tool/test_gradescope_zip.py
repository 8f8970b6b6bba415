"""scripts/gradescope_zip.py: the zip an instructor uploads to Gradescope, and its
run_autograder run here as Gradescope would run it (AUTOGRADER_ROOT in place of /autograder,
GRADER_BIN in place of the venv setup.sh makes, a wrapper around this interpreter's grader)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.course import catalog as catalog_mod

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gradescope_zip.py"
CATALOG = catalog_mod.load(ROOT)
TOTAL = sum(e.points for e in CATALOG.exercises)
POSIX = pytest.mark.skipif(sys.platform == "win32" or shutil.which("bash") is None,
                           reason="run_autograder is a bash script for Gradescope's Ubuntu")


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.is_file()
    return out


def unzip(archive: Path, target: Path) -> None:
    """Extract with the permissions stored in the zip (zipfile itself drops them)."""
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            path = Path(z.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                path.chmod(mode)


def autograder_tree(tmp_path: Path, archive: Path, submission_files: list[Path]) -> Path:
    """/autograder as Gradescope lays it out: source/ (the zip), submission/, results/."""
    root = tmp_path / "autograder"
    unzip(archive, root / "source")
    (root / "submission").mkdir(parents=True)
    for file in submission_files:
        shutil.copy(file, root / "submission" / file.name)
    return root


def grader_wrapper(tmp_path: Path) -> Path:
    """An executable that runs this interpreter's grader (the venv's, in the real setup)."""
    wrapper = tmp_path / "grader"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m grader "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


def run_autograder(root: Path, grader_bin: Path | str, **extra) -> dict:
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), GRADER_BIN=str(grader_bin), GRADER_LANG="en",
               PYTHONIOENCODING="utf-8")
    for name in ("GRADER_ROOT", "GRADER_EXERCISES_DIR", "GRADER_START_METHODS", "PYTEST_ADDOPTS",
                 "NO_COLOR", "GRADER_DEBUG", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        env.pop(name, None)
    env.update(extra)
    done = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env, capture_output=True,
                          text=True, encoding="utf-8", errors="replace", timeout=600, stdin=subprocess.DEVNULL)
    log = f"exit {done.returncode}\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
    assert done.returncode == 0, log
    results = root / "results" / "results.json"
    assert results.is_file(), log
    data = json.loads(results.read_text(encoding="utf-8"))
    check_gradescope_schema(data, log)
    return data


def check_gradescope_schema(data, log: str = "") -> None:
    """The parts of Gradescope's results.json spec that the kit relies on."""
    assert isinstance(data, dict), log
    assert isinstance(data.get("score"), (int, float)) and not isinstance(data["score"], bool), log
    assert isinstance(data.get("output", ""), str), log
    assert isinstance(data.get("tests", []), list), log
    for test in data.get("tests", []):
        assert isinstance(test.get("name"), str) and test["name"], test
        assert isinstance(test.get("score"), (int, float)), test
        assert isinstance(test.get("max_score"), (int, float)), test
        assert test.get("status") in ("passed", "failed"), test
        assert isinstance(test.get("output", ""), str), test
        assert test.get("visibility", "visible") in ("hidden", "after_due_date", "after_published", "visible"), test


# ---------------------------------------------------------------- the zip

def test_zip_has_the_entry_points_and_the_kit_but_no_answers(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as z:
        infos = {i.filename: i for i in z.infolist()}
    names = set(infos)
    for script in ("setup.sh", "run_autograder"):
        assert script in names, sorted(names)[:20]
        mode = (infos[script].external_attr >> 16) & 0o777
        assert mode & 0o111 == 0o111, f"{script} is not executable in the zip: {oct(mode)}"
    for needed in ("catalog.toml", "pyproject.toml", "grader/cli.py", "tests/test_01_worker_args.py"):
        assert needed in names
    assert any(n.startswith("tests/messages/") for n in names), "the exercises' words are in tests/messages/"
    assert any(n.startswith("grader/locale/en/") for n in names)
    for excluded in ("solutions/", "tests/submissions/", ".github/", "exercises/"):
        assert not [n for n in names if n.startswith(excluded)], f"{excluded} must not be in the zip"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_zip_is_the_same_when_built_twice(autograder_zip, tmp_path):
    again = tmp_path / "again.zip"
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(again)], check=True, capture_output=True,
                   timeout=120, stdin=subprocess.DEVNULL)
    assert again.read_bytes() == autograder_zip.read_bytes()


# ---------------------------------------------------------------- run_autograder

@POSIX
def test_solutions_score_every_point(autograder_zip, tmp_path):
    root = autograder_tree(tmp_path, autograder_zip, sorted((ROOT / "solutions").glob("*.py")))
    data = run_autograder(root, grader_wrapper(tmp_path))
    assert data["score"] == pytest.approx(TOTAL), data.get("output")
    assert data["tests"], "one entry per test expected"
    failed = [t["name"] for t in data["tests"] if t["status"] != "passed"]
    assert not failed, failed
    # Each test's share is rounded (10 points over 9 weights: 1.1111 ...), the sum only nearly whole;
    # the top-level score, which Gradescope shows as the total, is exact.
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(TOTAL, abs=0.01)
    assert sum(t["score"] for t in data["tests"]) == pytest.approx(TOTAL, abs=0.01)


@POSIX
def test_stubs_score_zero(autograder_zip, tmp_path):
    root = autograder_tree(tmp_path, autograder_zip, [e.work_file for e in CATALOG.exercises])
    # The start method doesn't matter to a stub: one is enough, and quicker.
    data = run_autograder(root, grader_wrapper(tmp_path), GRADER_START_METHODS="spawn")
    assert data["score"] == 0, data.get("output")
    assert data["tests"]
    assert all(t["status"] == "failed" for t in data["tests"]), [t["name"] for t in data["tests"]]


@POSIX
def test_a_crashing_grader_still_leaves_a_valid_zero(autograder_zip, tmp_path):
    root = autograder_tree(tmp_path, autograder_zip, sorted((ROOT / "solutions").glob("*.py")))
    false = shutil.which("false")
    assert false
    data = run_autograder(root, false)
    assert data["score"] == 0
    assert "autograder failed" in data["output"].lower()
    assert "instructor" in data["output"].lower()


@POSIX
def test_a_missing_grader_still_leaves_a_valid_zero(autograder_zip, tmp_path):
    root = autograder_tree(tmp_path, autograder_zip, [])
    data = run_autograder(root, tmp_path / "no-such-grader")
    assert data["score"] == 0
    assert data["output"]


@POSIX
def test_an_empty_submission_leaves_a_valid_zero(autograder_zip, tmp_path):
    root = autograder_tree(tmp_path, autograder_zip, [])
    data = run_autograder(root, grader_wrapper(tmp_path))
    assert data["score"] == 0
    assert data["output"]


@POSIX
def test_a_grader_that_writes_garbage_is_replaced_by_a_valid_zero(autograder_zip, tmp_path):
    root = autograder_tree(tmp_path, autograder_zip, [])
    liar = tmp_path / "liar"
    # Writes a results.json that is not JSON, then exits 0.
    liar.write_text('#!/bin/sh\nfor a in "$@"; do case "$a" in gradescope=*) printf "{not json" >"${a#gradescope=}";;'
                    ' esac; done\nexit 0\n', encoding="utf-8")
    liar.chmod(liar.stat().st_mode | stat.S_IXUSR)
    data = run_autograder(root, liar)
    assert data["score"] == 0
    assert data["tests"] == []
