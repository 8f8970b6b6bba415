"""`grader check --from DIR --ci --report ...`, black-box: one graded submission with every
kind of outcome (01 passes, 02 prints hostile text and fails, 03 fails with partial points,
04 hangs, 05 does not compile), then each report read back: the JSON against its schema,
the JUnit XML parsed, Gradescope's and Classroom 50's fields and types, the Markdown table,
and the GitHub Actions log replayed the way the runner reads it.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.course import catalog as catalog_mod
from grader.course.stubs import of_record
from grader.output import escaping

import kitscripts

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "reports"
CATALOG = catalog_mod.load(ROOT)
TOTAL = sum(e.points for e in CATALOG.exercises)
SCHEMA = json.loads((ROOT / "grader" / "schema" / "result.schema.json").read_text(encoding="utf-8"))
FORMATS = {"json": "grader.json", "junit": "junit.xml", "gradescope": "results.json",
           "classroom50": "result.json", "markdown": "summary.md"}


def make_kit(base: Path) -> Path:
    """A copy of the kit's catalog and exercise tests, with exercise 04's time limit cut to
    3 s so that its hang costs little."""
    kit = base / "kit"
    (kit / "tests").mkdir(parents=True)
    text = (ROOT / "catalog.toml").read_text(encoding="utf-8")
    block = text.index('slug = "pipe_fan_in"')
    text = text[:block] + "time_limit = 3\n" + text[block:]
    (kit / "catalog.toml").write_text(text, encoding="utf-8")
    for test in (ROOT / "tests").glob("test_*.py"):
        shutil.copy(test, kit / "tests")
    shutil.copytree(ROOT / "tests" / "messages", kit / "tests" / "messages")
    (kit / "exercises").mkdir()
    for exercise in CATALOG.exercises:
        (kit / "exercises" / f"{exercise.name}.py").write_bytes(of_record(exercise))
    return kit


def make_submission(kit: Path, base: Path, name: str = "student") -> Path:
    """A student's checkout: the kit, with their exercise files."""
    student = base / name
    shutil.copytree(kit, student, ignore=shutil.ignore_patterns("__pycache__", ".grader"))
    exercises = student / "exercises"
    shutil.copy(ROOT / "solutions" / "01_worker_args.py", exercises)
    shutil.copy(ROOT / "tests" / "submissions" / "03_pool_squares" / "wrong_args_not_tuple.py",
                exercises / "03_pool_squares.py")
    for hostile in FIXTURES.glob("0*.py"):
        shutil.copy(hostile, exercises / hostile.name)
    return student


def grader(kit: Path, *args: str, env_extra: dict | None = None, timeout: float = 240):
    import os

    env = dict(os.environ, GRADER_ROOT=str(kit), GRADER_LANG="en", PYTHONIOENCODING="utf-8")
    for name in ("NO_COLOR", "GRADER_START_METHODS", "PYTEST_ADDOPTS", "GITHUB_STEP_SUMMARY"):
        env.pop(name, None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=kit, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports")
    kit = make_kit(base)
    student = make_submission(kit, base)
    out = base / "out"
    step_summary = base / "step_summary.md"
    step_summary.write_text("earlier step\n", encoding="utf-8")
    reports = [f"--report={kind}={out / name}" for kind, name in FORMATS.items()]
    result = grader(kit, "check", "--from", str(student), "--ci", "--start-method", "fork", *reports,
                    env_extra={"GITHUB_STEP_SUMMARY": str(step_summary)})
    return {"kit": kit, "student": student, "out": out, "result": result, "step_summary": step_summary,
            "files": {kind: (out / name).read_text(encoding="utf-8") for kind, name in FORMATS.items()
                      if (out / name).exists()}}


replay_log = kitscripts.load("replay_autograde").workflow_commands


def by_id(data: dict) -> dict:
    return {e["id"]: e for e in data["exercises"]}


# ---------------------------------------------------------------- verdicts and points

def test_the_check_fails_and_writes_every_report(graded):
    result = graded["result"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert set(graded["files"]) == set(FORMATS)


def test_json_report_validates_against_its_schema(graded):
    try:
        import jsonschema
    except ImportError:
        pytest.fail("jsonschema is missing: the kit's own tests need `pip install -e '.[dev]'`")
    data = json.loads(graded["files"]["json"])
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["submission"]["folder"] == str(graded["student"].resolve())
    assert data["start_methods"] == ["fork"]


def test_timeouts_and_errors_score_zero_and_are_named(graded):
    exercises = by_id(json.loads(graded["files"]["json"]))
    assert {k: e["status"] for k, e in exercises.items() if k <= "05"} == {
        "01": "pass", "02": "fail", "03": "fail", "04": "timeout", "05": "error"}
    # The exercises after 05 are still the stubs: they fail.
    assert {e["status"] for k, e in exercises.items() if k > "05"} <= {"fail"}
    assert exercises["01"]["points"] == 10
    assert exercises["04"]["points"] == exercises["05"]["points"] == 0
    assert all(t["points"] == 0 for k in ("04", "05") for t in exercises[k]["tests"])
    assert "did not finish within 3 s" in exercises["04"]["message"]
    assert "syntax" in exercises["05"]["message"].lower()
    # The failure is located in the student's file, by its path in their repository.
    assert exercises["04"]["line"] in (5, 6, 10, 11) and exercises["04"]["file"] == "exercises/04_pipe_fan_in.py"
    assert "exercises/03_pool_squares.py, line" in exercises["03"]["message"]


def test_points_follow_the_test_weights(graded):
    ex03 = by_id(json.loads(graded["files"]["json"]))["03"]
    weights = sum(t["weight"] for t in ex03["tests"])
    for test in ex03["tests"]:
        assert test["max_points"] == pytest.approx(15 * test["weight"] / weights, abs=1e-3)
        assert test["points"] == (test["max_points"] if test["status"] == "pass" else 0)
    assert 0 < ex03["points"] < 15
    assert ex03["points"] == pytest.approx(sum(t["points"] for t in ex03["tests"]), abs=0.01)


def test_junit_has_a_testcase_per_test_and_start_method(graded):
    data = json.loads(graded["files"]["json"])
    root = ET.fromstring(graded["files"]["junit"])
    cases = root.findall("./testsuite/testcase")
    runs = [(e["id"], t["name"], r["start_method"], r["status"]) for e in data["exercises"]
            for t in e["tests"] for r in t["runs"]]
    assert len(cases) == len(runs) == int(root.get("tests"))
    assert {c.get("name") for c in cases} == {f"{name}[{method}]" for _, name, method, _ in runs}
    failures = sum(1 for *_, s in runs if s == "fail")
    errors = sum(1 for *_, s in runs if s in ("timeout", "error"))
    assert (int(root.get("failures")), int(root.get("errors"))) == (failures, errors)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert all(c.find("error").get("type") == "timeout" for c in suites["04 pipe_fan_in"].findall("testcase"))
    assert all(c.find("failure") is None and c.find("error") is None for c in suites["01 worker_args"])


def test_gradescope_results_have_the_fields_and_types(graded):
    data = json.loads(graded["files"]["gradescope"])
    ours = json.loads(graded["files"]["json"])
    assert isinstance(data["score"], (int, float)) and data["score"] == pytest.approx(ours["points"])
    assert isinstance(data["execution_time"], int) and data["output"].startswith("Points ")
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(65, abs=0.01)
    assert sum(t["score"] for t in data["tests"]) == pytest.approx(data["score"], abs=0.01)
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed") and test["visibility"] == "visible"
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"]
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])


def test_classroom50_result_has_hyphenated_keys_and_integer_scores(graded):
    data = json.loads(graded["files"]["classroom50"])
    assert data["schema"] == "classroom50/result/v1"
    assert isinstance(data["score"], int) and isinstance(data["max-score"], int) and data["max-score"] == TOTAL
    assert data["score"] == sum(t["score"] for t in data["tests"])
    for test in data["tests"]:
        assert {"test-name", "passed", "score", "max-score"} <= set(test)
        assert isinstance(test["passed"], bool)
        assert all(isinstance(test[k], int) for k in ("score", "max-score"))
    assert [t["passed"] for t in data["tests"]] == [True, False, False, False, False]


def test_markdown_summary_is_the_table_and_goes_to_the_job_summary(graded):
    summary = graded["files"]["markdown"]
    assert graded["step_summary"].read_text(encoding="utf-8") == "earlier step\n" + summary
    rows = [line for line in summary.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + 5   # header, alignment, one row per exercise
    for row in rows:
        # A pipe the submission printed must not make a column: only escaped ones remain.
        assert len(re.findall(r"(?<!\\)\|", row)) == 5, row
    assert "⏱️ timed out (scored 0)" in summary and "💥 error (scored 0)" in summary


def test_ci_mode_annotates_failing_files_and_prints_one_notice(graded):
    result = graded["result"]
    acted = replay_log(result.stdout + "\n" + result.stderr)
    notices = [data for name, data in acted if name == "notice"]
    total = json.loads(graded["files"]["json"])["points"]
    assert notices == [f"Points {round(total, 2):g}/{TOTAL:g}"]
    errors = [data for name, data in acted if name == "error"]
    assert len(errors) == 4
    lines = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert any("file=exercises/04_pipe_fan_in.py" in line and ",line=" in line for line in lines)
    assert all(name in ("error", "notice", "warning") for name, _ in acted), acted


# ---------------------------------------------------------------- output safety

def test_the_hostile_output_reached_the_reports_escaped(graded):
    ex02 = by_id(json.loads(graded["files"]["json"]))["02"]
    printed = "\n".join(t["output"] for t in ex02["tests"])
    assert "boom" in printed and "script" in printed
    assert "\x1b" not in printed


def test_nothing_printed_becomes_a_workflow_command(graded):
    result = graded["result"]
    acted = replay_log(result.stdout + "\n" + result.stderr)
    # Only the grader's own commands act: an error per failing exercise and the notice. The
    # hostile lines may sit inside an error's message, escaped, never as a command.
    assert [name for name, _ in acted] == ["error"] * 4 + ["notice"], acted
    assert not any(data.startswith(("boom", f"Points {TOTAL:g}")) for _, data in acted), acted
    for kind, text in graded["files"].items():
        assert replay_log(text) == [], kind


def test_no_report_carries_raw_html(graded):
    for kind, text in graded["files"].items():
        lowered = text.lower()
        assert "<script" not in lowered and "<img" not in lowered and "<h1" not in lowered, kind
        assert "\x1b" not in text, kind
    summary = graded["files"]["markdown"]
    # Markdown does not apply inside the <pre> blocks; before them, it must not apply at all.
    table = summary.split("<details>")[0]
    assert "boom" in summary and "![pixel]" not in table and "**bold**" not in table
    assert summary.count("<pre>") == summary.count("</pre>")
    for kind in ("json", "gradescope", "classroom50"):
        assert "<" not in graded["files"][kind] and ">" not in graded["files"][kind]


# ---------------------------------------------------------------- the kit's files win

def test_edited_tests_and_grader_do_not_change_the_score(tmp_path):
    kit = make_kit(tmp_path)
    honest = make_submission(kit, tmp_path, "honest")
    cheat = make_submission(kit, tmp_path, "cheat")
    # The cheat makes every test of 03 pass and adds a conftest that would pass everything.
    (cheat / "tests" / "test_03_pool_squares.py").write_text("def test_ok():\n    pass\n", encoding="utf-8")
    (cheat / "tests" / "conftest.py").write_text(
        "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n", encoding="utf-8")
    (cheat / "catalog.toml").write_text((kit / "catalog.toml").read_text() + "\n# points = 999\n")
    scores = {}
    for who in (honest, cheat):
        out = tmp_path / f"{who.name}.json"
        result = grader(kit, "check", "03", "--from", str(who), "--start-method", "fork", f"--report=json={out}")
        assert result.returncode == 1, result.stdout + result.stderr
        scores[who.name] = json.loads(out.read_text(encoding="utf-8"))
    assert scores["cheat"]["points"] == scores["honest"]["points"] < 15
    assert scores["honest"]["submission"]["changed_kit_files"] == []
    assert scores["cheat"]["submission"]["changed_kit_files"] == [
        {"path": "catalog.toml", "change": "changed"},
        {"path": "tests/conftest.py", "change": "added"},
        {"path": "tests/test_03_pool_squares.py", "change": "changed"},
    ]


def test_a_folder_of_exercise_files_can_be_graded(tmp_path):
    kit = make_kit(tmp_path)
    upload = tmp_path / "upload"
    upload.mkdir()
    shutil.copy(ROOT / "solutions" / "03_pool_squares.py", upload)
    out = tmp_path / "g.json"
    result = grader(kit, "check", "03", "--from", str(upload), "--start-method", "fork", f"--report=gradescope={out}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["score"] == 15


def test_bad_from_and_report_options_say_what_to_do(tmp_path):
    kit = make_kit(tmp_path)
    result = grader(kit, "check", "--from", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "no such folder" in result.stderr
    # On Actions, the fence comes down even when the check stops early.
    result = grader(kit, "check", "--ci", "--from", str(tmp_path / "nowhere"))
    fences = re.findall(r"^::stop-commands::(\w+)$", result.stdout, re.MULTILINE)
    assert result.returncode == 2 and len(fences) == 1 and f"::{fences[0]}::" in result.stdout.splitlines()
    result = grader(kit, "check", "--report", "yaml=x.yml")
    assert result.returncode == 2 and "FORMAT=PATH" in result.stderr and "junit" in result.stderr


# ---------------------------------------------------------------- gradebook

def test_gradebook_writes_a_row_per_student(tmp_path):
    kit = make_kit(tmp_path)
    students = tmp_path / "class"
    students.mkdir()
    done = make_submission(kit, students, "ada")
    for exercise in CATALOG.exercises:
        shutil.copy(exercise.solution, done / "exercises")
    make_submission(kit, students, "bob")
    (students / "empty").mkdir()
    out = tmp_path / "grades.csv"
    result = grader(kit, "gradebook", *sorted(str(p) for p in students.iterdir()), "--out", str(out),
                    "--jobs", "2", "--start-method", "fork", timeout=400)
    assert result.returncode == 1, result.stdout + result.stderr   # one folder could not be graded
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["student"] for r in rows] == ["ada", "bob", "empty"]
    ada, bob, empty = rows
    assert [ada[e.name] for e in CATALOG.exercises] == [f"{e.points:g}" for e in CATALOG.exercises]
    assert ada["total"] == ada["max"] == f"{TOTAL:g}" and ada["status"] == "graded"
    assert bob["01_worker_args"] == "10" and bob["04_pipe_fan_in"] == "0" and bob["05_queue_sum"] == "0"
    assert 10 < float(bob["total"]) < 30
    assert float(bob["total"]) == pytest.approx(sum(float(bob[e.name]) for e in CATALOG.exercises), abs=0.02)
    assert empty["total"] == "0" and empty["status"].startswith("error")
    assert "[3/3]" in result.stderr


# ---------------------------------------------------------------- escaping, unit

def test_clean_defuses_commands_and_drops_escapes():
    text = escaping.clean("ok\n  ::error::x\n::set-output name=a::b\nsee ##[set-env name=a;]b\n\x1b[1mbold\x1b[0m\r")
    assert replay_log(text) == []
    assert "bold" in text and "\x1b" not in text and "\r" not in text
    assert escaping.clean("a :: b") == "a :: b"   # only a command's own shape is touched


def test_cap_keeps_both_ends():
    text = escaping.cap("a" * 1000 + "END", 100)
    assert len(text) <= 100 and text.startswith("a") and text.endswith("END") and "cut" in text


def test_json_text_round_trips_without_raw_html():
    data = {"x": "<script>&</script>", "y": ["::error::z"]}
    text = escaping.json_text(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_markdown_inline_has_no_syntax_left():
    cell = escaping.markdown_inline("![i](http://e/p.png) | <b>x</b> **y** `z`\nnext")
    assert "\n" not in cell and "<b>" not in cell and not re.search(r"(?<!\\)[|*`\[\]!]", cell)
