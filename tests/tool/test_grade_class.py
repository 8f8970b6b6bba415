"""The class's grades of record (.github/workflows/grade-class.yml) end to end: the workflow's
jobs replayed (scripts/replay_grade_class.py) on a class of student repositories made the way
GitHub makes them from the student template (tests/tool/classroom.py): partial work with a
later commit after the deadline, the same work with the autograde workflow rewritten to print
full points (plus a symbolic link to the kit's solution and code hunting for the read token),
a copy with no commit before the deadline, and one that can't be cloned. One start method,
two jobs at a time, to stay quick. Then `grader gradebook --merge` and the matrix plan on
made-up reports, which cost no grading.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import classroom
import kitscripts

from grader.course import catalog as catalog_mod
from grader.course import studentkit
from grader.grading import submission
from grader.output import classgrades, gradebook
from grader import text

ROOT = Path(__file__).resolve().parents[2]
CATALOG = catalog_mod.load(ROOT)
replay_grade_class = kitscripts.load("replay_grade_class")
grade_class = kitscripts.load("grade_class")
gradescope_zip = kitscripts.load("gradescope_zip")
TOKEN = "replay-token-0123456789abcdef"
METHOD = "fork" if "fork" in __import__("multiprocessing").get_all_start_methods() else "spawn"
GRADED = ["partial", "rewritten", "late"]
STUDENTS = GRADED + ["ghost"]
EXTRA = 3    # commit, commit_time, late


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return classroom.make_template(tmp_path_factory.mktemp("template") / "kit")


@pytest.fixture(scope="module")
def klass(tmp_path_factory, template) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("class")
    leak = root / "leak.txt"
    classroom.make_class(root / "org", STUDENTS, template=template, leak_file=leak)
    return root / "org", leak


@pytest.fixture(scope="module")
def replayed(klass, tmp_path_factory):
    org, _ = klass
    return replay_grade_class.replay(org, tmp_path_factory.mktemp("replay") / "work", prefix="mp-",
                                     deadline=classroom.DEADLINE, jobs=2, token=TOKEN, start_methods=METHOD)


@pytest.fixture(scope="module")
def grades(replayed) -> dict[str, list[str]]:
    rows = read_csv(replayed.artifacts / "class-grades" / "grades.csv")
    assert rows[0] == classgrades.header(CATALOG)
    return {row[0]: row for row in rows[1:]}


# ---------------------------------------------------------------- the replayed workflow

def test_every_job_ran_one_per_student_and_only_the_unclonable_fails_the_run(replayed):
    [listing] = replayed.job("list")
    assert listing.result == "success", listing.log
    grading = replayed.job("grade")
    assert sorted(j.name for j in grading) == sorted(f"grade mp-{s}" for s in STUDENTS)
    assert all(j.result == "success" for j in grading), [(j.name, j.log[-2000:]) for j in grading
                                                          if j.result != "success"]
    [book] = replayed.job("gradebook")
    merge = next(s for s in book.steps if "grades.csv" in s.name)
    assert merge.code == 1, merge.output          # one student could not be graded: the run is red
    assert "mp-ghost" in merge.output
    upload = book.steps[-1]
    assert upload.code == 0, upload.output        # ... and the grades are kept all the same


def test_every_student_has_a_row_with_the_commit_graded(grades, klass):
    org, _ = klass
    assert sorted(grades) == sorted(f"mp-{s}" for s in STUDENTS)
    for name in GRADED:
        row = grades[f"mp-{name}"]
        assert row[1] == f"org/mp-{name}"
        assert row[-EXTRA - 2] == "graded", row
        commit, when = row[-EXTRA], row[-EXTRA + 1]
        shown = classroom.git(org / f"mp-{name}", "show", "-s", "--format=%cI", commit).strip()
        assert shown, row
        assert when.endswith("Z") and len(commit) == 40


def test_the_last_commit_before_the_deadline_is_graded_and_a_late_copy_is_marked(grades, klass):
    org, _ = klass
    partial = grades["mp-partial"]
    # Its newest commit (everything right, after the deadline) is not the one graded.
    history = classroom.git(org / "mp-partial", "log", "--format=%H").split()
    assert partial[-EXTRA] == history[1] and partial[-1] == ""
    assert partial[-EXTRA + 1] == "2025-03-10T12:00:00Z"
    late = grades["mp-late"]
    assert late[-EXTRA] == classroom.git(org / "mp-late", "rev-parse", "HEAD").strip()
    assert late[-1] == text.t("classgrade.late_mark")
    assert late[2:-EXTRA - 2] == partial[2:-EXTRA - 2]     # the same work, graded


def test_the_unclonable_repository_gets_a_row_saying_so(grades):
    ghost = grades["mp-ghost"]
    status = ghost[-EXTRA - 2]
    assert status.startswith("error: could not be cloned: "), ghost
    assert "not a git repository" in status or "does not appear" in status, status
    assert ghost[2:2 + len(CATALOG.exercises)] == [""] * len(CATALOG.exercises)


def test_a_rewritten_autograde_workflow_and_a_link_to_the_solution_change_no_grade(grades):
    partial, rewritten = grades["mp-partial"], grades["mp-rewritten"]
    exercises = slice(2, 2 + len(CATALOG.exercises) + 3)        # exercises, total, max, status
    assert rewritten[exercises] == partial[exercises]
    assert rewritten[2 + 1] == "0"                              # 02 is a link to the kit's solution
    assert partial[-EXTRA - 1] == "0" and rewritten[-EXTRA - 1] == "1"   # the rewrite is flagged


def test_the_rows_equal_those_of_grader_gradebook_over_the_same_checkouts(grades, klass, tmp_path):
    org, _ = klass
    folders = [classroom.checkout(org / f"mp-{name}", tmp_path / f"mp-{name}", grades[f"mp-{name}"][-EXTRA])
               for name in GRADED]
    out = tmp_path / "gradebook.csv"
    code = gradebook.run(CATALOG, [str(f) for f in folders], out=str(out), jobs=2, methods=[METHOD],
                         say=lambda *a, **k: None)
    assert code == 0
    theirs = {row[0]: row for row in read_csv(out)[1:]}
    assert read_csv(out)[0] == classgrades.header(CATALOG)[:-EXTRA]
    for name, row in theirs.items():
        ours = grades[name][:-EXTRA]
        assert ours[0] == row[0] and ours[2:] == row[2:], (ours, row)   # all but the folder


def test_the_class_summary_counts_and_names(replayed):
    summary = (replayed.artifacts / "class-grades" / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## Class grades: 3 of 4 students graded")
    assert "| 01 worker\\_args | 3/3 |" in summary
    assert "| 02 clock\\_process | 0/3 |" in summary
    assert "### Not graded (1)" in summary and "mp\\-ghost" in summary and "could not be cloned" in summary
    assert "### Late (1)" in summary
    assert "[58.5–65] |  0 |" in summary
    [book] = replayed.job("gradebook")
    assert book.summary == summary          # also the run's job summary


def test_the_per_student_reports_are_one_artifact(replayed):
    reports = replayed.artifacts / "class-grades" / "reports"
    found = sorted(p.parent.name for p in reports.rglob("grader.json"))
    assert found == sorted(f"mp-{s}" for s in GRADED)
    assert (next(reports.rglob("class.json"))).is_file()


def test_what_a_grading_job_uploads_after_student_code_ran_holds_no_fetch_record(replayed):
    for artifact in replayed.artifacts.glob("grading-reports-*"):
        assert not list(artifact.rglob("submission.json")), artifact


def test_the_read_token_reaches_only_the_fetch_step(replayed, klass):
    _, leak = klass
    assert leak.is_file() and "searched" in leak.read_text(), "the token hunter never ran"
    assert "found in" not in leak.read_text(), leak.read_text()
    for job in replayed.jobs:
        for path in job.workspace.rglob("*"):
            if path.is_file() and path.suffix in (".json", ".md", ".xml", ".csv", ""):
                assert TOKEN.encode() not in path.read_bytes(), path
    for job in replayed.job("grade"):
        assert TOKEN not in job.log


def test_the_token_hunter_would_have_found_an_exposed_token(tmp_path):
    leak = tmp_path / "leak.txt"
    hunter = tmp_path / "hunter.py"
    hunter.write_text(classroom.token_hunter(leak), encoding="utf-8")
    subprocess.run([sys.executable, str(hunter)], env=dict(os.environ, SOME_TOKEN=TOKEN), check=True,
                   timeout=60, capture_output=True)
    assert "found in /proc/self/environ" in leak.read_text()


# ---------------------------------------------------------------- listing and fetching

def test_the_matrix_batches_past_256_jobs():
    repos = [f"org/s{i:03d}" for i in range(300)]
    plan = grade_class.plan(repos, 1)
    assert len(plan) == 150 and {len(b["repos"]) for b in plan} == {2}
    assert [r for b in plan for r in b["repos"]] == repos
    assert len(grade_class.plan(repos[:256], 1)) == 256
    assert len(grade_class.plan(repos[:257], 1)) == 129
    assert len(grade_class.plan(repos[:20], 1)) == 20
    assert len(grade_class.plan(repos[:20], 3)) == 7
    assert grade_class.plan([], 1) == []


def test_roster_entries_become_repositories_and_nothing_else():
    assert grade_class.repository("alice-mp", "class") == "class/alice-mp"
    assert grade_class.repository("https://github.com/o/r.git", "x") == "o/r"
    for bad in ("../etc", "o/r; rm -rf /", "o/..", "a b"):
        with pytest.raises(grade_class.Settings):
            grade_class.repository(bad, "org")
    with pytest.raises(grade_class.Settings):
        grade_class.parse_deadline("next friday")
    assert grade_class.iso(grade_class.parse_deadline("2025-03-15 23:59")) == "2025-03-15T23:59:00Z"


def test_late_work_is_not_fetched_when_late_is_skip(klass, tmp_path):
    org, _ = klass
    record = grade_class.fetch_one("org/mp-late", server=org.parent.as_uri(), token="", late="skip",
                                   deadline=grade_class.parse_deadline(classroom.DEADLINE),
                                   into=tmp_path / "in", meta=tmp_path / "meta", job=3)
    assert record["status"] == "late_skipped" and record["late"] and record["job"] == 3
    assert not (tmp_path / "in").exists()
    assert json.loads((tmp_path / "meta/org/mp-late/submission.json").read_text()) == record


def test_only_regular_files_are_fetched(klass, tmp_path):
    org, _ = klass
    record = grade_class.fetch_one("org/mp-rewritten", server=org.parent.as_uri(), token="", late="grade",
                                   deadline=None, into=tmp_path / "in", meta=tmp_path / "meta")
    assert record["status"] == "fetched"
    exercises = tmp_path / "in/org/mp-rewritten/exercises"
    assert (exercises / "01_worker_args.py").is_file()
    assert not (exercises / "02_clock_process.py").exists() and not (exercises / "02_clock_process.py").is_symlink()
    assert not (tmp_path / "in/org/mp-rewritten/.git").exists()


# ---------------------------------------------------------------- gradebook --merge on made-up reports

def report(points_by_id: dict, changed: int = 0) -> dict:
    exercises = [{"id": e.id, "status": "pass" if points_by_id.get(e.id, 0) == e.points else "fail",
                  "points": points_by_id.get(e.id, 0)} for e in CATALOG.exercises]
    return {"schema": "grader/result/v1", "points": sum(points_by_id.values()),
            "max_points": sum(e.points for e in CATALOG.exercises), "exercises": exercises,
            "submission": {"changed_kit_files": [{"path": f"tests/x{i}.py", "change": "changed"}
                                                 for i in range(changed)]}}


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def fetched(repo: str, job: int, **extra) -> dict:
    return {"repository": repo, "status": "fetched", "commit": "a" * 40, "commit_time": "2025-03-10T12:00:00Z",
            "late": False, "job": job, **extra}


def merged(tmp_path: Path) -> tuple[int, dict, str, list[str]]:
    said = []
    code = classgrades.merge(CATALOG, str(tmp_path / "reports"), out=str(tmp_path / "grades.csv"),
                             summary_file=None, say=lambda line, err=False: said.append(line))
    rows = read_csv(tmp_path / "grades.csv")
    return code, {r[0]: r for r in rows[1:]}, (tmp_path / "class-summary.md").read_text(encoding="utf-8"), said


def test_merge_takes_a_students_report_only_from_the_job_that_fetched_it(tmp_path):
    reports = tmp_path / "reports"
    write(reports / "grading-class/class.json", {"repositories": ["org/a", "org/b", "org/c", "org/d"],
                                                 "deadline": "", "late": "grade"})
    write(reports / "grading-fetched-1/org/a/submission.json", fetched("org/a", 1))
    write(reports / "grading-reports-1/org/a/grader.json", report({"01": 10}))
    # b's job wrote a full-marks report for a, and a forged fetch record that clears c's lateness.
    write(reports / "grading-fetched-2/org/b/submission.json", fetched("org/b", 2))
    write(reports / "grading-reports-2/org/b/grader.json", report({"01": 10, "02": 10}, changed=2))
    write(reports / "grading-reports-2/org/a/grader.json", report({e.id: e.points for e in CATALOG.exercises}))
    write(reports / "grading-reports-2/org/c/submission.json", fetched("org/c", 2))
    write(reports / "grading-fetched-3/org/c/submission.json", fetched("org/c", 3, late=True))
    write(reports / "grading-reports-3/org/c/grader.json", "{not json")
    # d: its job was cancelled before it kept anything.
    code, rows, summary, said = merged(tmp_path)
    assert code == 1
    assert rows["a"][2:9] == ["10", "0", "0", "0", "0", "10", "65"]
    assert rows["b"][-4:] == ["2", "a" * 40, "2025-03-10T12:00:00Z", ""]
    assert rows["c"][-5].startswith("error: its report can't be read") and rows["c"][-1] == "late"
    assert rows["d"][-5].startswith("error: no record of it")
    assert "| 01 worker\\_args | 2/2 |" in summary and "### Not graded (2)" in summary
    assert any("could not be graded" in line for line in said)


def test_merge_reads_what_gh_run_download_or_a_merged_download_gives(tmp_path):
    reports = tmp_path / "reports"
    write(reports / "class.json", {"repositories": ["x/same", "y/same", "x/ok"], "deadline": "", "late": "skip"})
    write(reports / "x/same/submission.json", fetched("x/same", 1))
    write(reports / "x/same/grader.json", report({"03": 15}))
    write(reports / "y/same/submission.json", fetched("y/same", 2, status="late_skipped", late=True))
    write(reports / "x/ok/submission.json", {"repository": "x/ok", "status": "clone_failed",
                                             "detail": "fatal: repository not found", "job": 3})
    code, rows, summary, _ = merged(tmp_path)
    assert list(rows) == ["x/same", "y/same", "ok"]      # names that collide keep their owner
    assert rows["x/same"][4] == "15"
    assert rows["y/same"][-5].startswith("not graded: no commit before the deadline")
    assert rows["ok"][-5] == "error: could not be cloned: fatal: repository not found"
    assert code == 1
    assert summary.splitlines()[4] == "Work with no commit before the deadline is not graded."   # the policy


def test_merge_of_gradebook_reports_and_in_chinese(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    write(reports / "alice.json", report({"01": 10}))
    write(reports / "bob.json", report({}))
    monkeypatch.setattr(text, "_language", None)
    monkeypatch.setenv(text.LANG_ENV, "zh-CN")
    code, rows, summary, said = merged(tmp_path)
    assert code == 0 and list(rows) == ["alice", "bob"]
    assert summary.startswith("## 全班成绩：2 名学生中 2 名已评分")
    assert any("class.json" in line for line in said)


def test_merge_says_what_to_download_when_there_is_nothing(tmp_path):
    said = []
    (tmp_path / "empty").mkdir()
    assert classgrades.merge(CATALOG, str(tmp_path / "empty"), out=str(tmp_path / "g.csv"), summary_file=None,
                             say=lambda line, err=False: said.append(line)) == 2
    assert "class.json" in said[0] and "grading-" in said[0]


# ---------------------------------------------------------------- what students get

def test_the_class_workflow_is_not_given_to_students():
    names = studentkit.kit_files(ROOT)
    assert ".github/workflows/autograde.yml" in names
    for prefix in studentkit.LEFT_OUT:
        assert not [n for n in names if n.startswith(prefix)], prefix
    zipped = gradescope_zip.kit_files(ROOT)
    assert ".github/workflows/grade-class.yml" not in zipped
    assert not [n for n in zipped if n.startswith(studentkit.LEFT_OUT)]


def test_a_checkout_of_the_student_template_changed_nothing_of_the_instructors_kit(template):
    assert submission.changed_kit_files(ROOT, template) == []
