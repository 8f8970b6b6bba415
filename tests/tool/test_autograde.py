"""The autograde workflow end to end: its steps replayed in order (scripts/replay_autograde.py)
on a student repository made from this kit the way GitHub makes one from a template (a first
commit holding the kit, then the student's commits), with a submission that passes one
exercise, fails others, prints workflow commands and HTML, and edits a test file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.course import catalog as catalog_mod
from grader.output.escaping import markdown_inline

import kitscripts

ROOT = Path(__file__).resolve().parents[2]
CATALOG = catalog_mod.load(ROOT)
TOTAL = f"{sum(e.points for e in CATALOG.exercises):g}"
FIXTURES = Path(__file__).parent / "fixtures" / "reports"
REPORTS = {"grader.json", "junit.xml", "results.json", "result.json", "summary.md"}


replay_autograde = kitscripts.load("replay_autograde")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Kit", "-c", "user.email=kit@example.com",
                           "-c", "commit.gpgsign=false", *args],
                          capture_output=True, text=True, check=True).stdout


def kit_files() -> list[str]:
    """The kit as it is in this tree (committed or not), without ignored files."""
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("autograde") / "student"
    repo.mkdir()
    for name in kit_files():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "Initial commit")   # what "Use this template" makes
    exercises = repo / "exercises"
    shutil.copy(ROOT / "solutions" / "01_worker_args.py", exercises)
    shutil.copy(FIXTURES / "02_clock_process.py", exercises)
    shutil.copy(ROOT / "tests" / "submissions" / "03_pool_squares" / "wrong_args_not_tuple.py",
                exercises / "03_pool_squares.py")
    (repo / "tests" / "test_03_pool_squares.py").write_text("def test_ok():\n    pass\n", encoding="utf-8")
    git(repo, "commit", "--quiet", "--all", "-m", "my solutions")
    return repo


@pytest.fixture(scope="module")
def replayed(student_repo, tmp_path_factory):
    return replay_autograde.replay(student_repo, tmp_path_factory.mktemp("workspace"))


def test_every_step_runs_and_grading_fails_the_job(replayed):
    codes = {step.name: step.code for step in replayed.steps}
    assert None not in codes.values(), codes
    grade = next(s for s in replayed.steps if s.name == "Grade")
    assert grade.code == 1, grade.output    # a submission that fails something fails the run
    assert all(code == 0 for name, code in codes.items() if name != "Grade"), codes
    kit = next(s for s in replayed.steps if "kit" in s.name.lower())
    assert "root commit" in kit.output


def test_the_run_shows_annotations_and_one_notice(replayed):
    commands = replayed.commands
    names = [name for name, _ in commands]
    assert names.count("notice") == 1 and names[-1] == "notice"
    data = json.loads((replayed.workspace / "reports" / "grader.json").read_text(encoding="utf-8"))
    assert commands[-1][1] == f"Points {round(data['points'], 2):g}/{TOTAL}"
    # Every exercise but 01 (solved): 02 and 03 wrong, the others still stubs.
    assert names.count("error") == len(CATALOG.exercises) - 1
    assert names.count("warning") == 1    # the edited test file
    assert not any(data.startswith(("boom", f"Points {TOTAL}")) for _, data in commands)


def test_every_report_is_in_the_artifact_and_the_summary_is_written(replayed):
    assert {p.name for p in replayed.artifacts} == REPORTS
    summary = replayed.summary
    assert summary.startswith("## Autograding: ")
    assert summary == (replayed.workspace / "reports" / "summary.md").read_text(encoding="utf-8")
    assert markdown_inline("tests/test_03_pool_squares.py") in summary   # listed as changed, not used


def test_the_edited_test_file_was_not_used(replayed):
    data = json.loads((replayed.workspace / "reports" / "grader.json").read_text(encoding="utf-8"))
    ex03 = next(e for e in data["exercises"] if e["id"] == "03")
    assert ex03["status"] == "fail" and len(ex03["tests"]) > 1
    assert {"path": "tests/test_03_pool_squares.py", "change": "changed"} in data["submission"]["changed_kit_files"]
