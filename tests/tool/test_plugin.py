"""The pytest plugin (grader.plugin), black-box: pytest runs in a subprocess on a small kit
(fixtures/kit, copied to a temporary folder: its own catalog.toml with exercise 99,
exercises/99_demo.py, wrong/99_demo.py and tests/test_99_demo.py).

Each kit run happens once per module and several tests read its output, its
JSON report (pytest-json-report, the grader's outcomes as each test's metadata) and the call log the kit's scenarios write (KIT_CALLS).
"""

from __future__ import annotations

import collections
import json
import multiprocessing
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from grader.grading import checker
from grader.sandbox import supervisor as sandbox  # noqa: F401  (makes this process a subreaper, as in a real run)
from leftovers import describe, predating

HERE = Path(__file__).resolve().parent
KIT = HERE / "fixtures" / "kit"
METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]
TESTS = ["test_double_value", "test_double_is_an_int", "test_double_other_value", "test_double_in_child"]


@dataclass
class KitRun:
    code: int
    output: str
    results: dict | None
    calls: list[str]            # one "label pid" line per sandboxed call

    def outcomes(self, test: str | None = None) -> list[dict]:
        found = (self.results or {}).get("outcomes", [])
        return [o for o in found if test is None or o["test"] == test]


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kit").resolve()
    for name in ("catalog.toml", "pytest.ini"):
        shutil.copy(KIT / name, root / name)
    for folder in ("exercises", "wrong"):
        shutil.copytree(KIT / folder, root / folder)
    (root / "tests").mkdir()
    shutil.copy(KIT / "tests" / "demo_tests.py", root / "tests" / "test_99_demo.py")
    shutil.copytree(KIT / "tests" / "messages", root / "tests" / "messages")
    (root / "empty").mkdir()
    return root


def _tagged(run_id: str) -> list[str]:
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.pid != os.getpid() and proc.environ().get("KIT_RUN") == run_id:
                found.append(f"{proc.pid} {proc.status()} {' '.join(proc.cmdline())[:100]}")
        except psutil.Error:
            continue
    return found


def _grader_results(path: Path) -> dict | None:
    """The run's data as `grader check` reads it from the JSON report: the report's
    `grader` block, with the outcomes from each test's metadata."""
    if not path.exists():
        return None
    report = json.loads(path.read_text())
    return {**report.get("grader", {}), "outcomes": checker.outcomes(report)}


def run_kit(kit: Path, *args: str) -> KitRun:
    """`python -m pytest tests/test_99_demo.py` in the kit; checks that it left nothing."""
    run_id = secrets.token_hex(6)
    calls = kit / f"calls-{run_id}.txt"
    results = kit / f"results-{run_id}.json"
    log = kit / f"log-{run_id}.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(KIT_CALLS=str(calls), KIT_RUN=run_id, GRADER_LANG="en", PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "tests/test_99_demo.py", "--rootdir", str(kit),
           "--json-report", f"--json-report-file={results}", *args]
    before = predating()
    with open(log, "wb") as out:  # a file, not a pipe: a leaked process can't hold us up
        proc = subprocess.Popen(cmd, cwd=str(kit), env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            code = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    left = [describe(p) for p in psutil.Process().children(recursive=True) if p.pid not in before]
    runners = calls.read_text() if calls.exists() else ""
    assert left == [], f"the kit run left processes behind; its runners were:\n{runners}"
    assert _tagged(run_id) == [], "the kit run left processes behind"
    return KitRun(
        code=code,
        output=log.read_text("utf-8", "replace"),
        results=_grader_results(results),
        calls=calls.read_text().splitlines() if calls.exists() else [],
    )


@pytest.fixture(scope="module")
def right(kit) -> KitRun:
    return run_kit(kit)


@pytest.fixture(scope="module")
def wrong(kit) -> KitRun:
    return run_kit(kit, "--exercises-dir", str(kit / "wrong"))


# ---- a passing kit -------------------------------------------------------------------------

def test_all_pass_exits_0(right):
    assert right.code == 0, right.output
    assert f"{len(TESTS) * len(METHODS)} passed" in right.output


def test_every_test_runs_once_per_start_method(right):
    assert right.results["methods"] == METHODS
    for test in TESTS:
        assert sorted(o["start_method"] for o in right.outcomes(test)) == sorted(METHODS)
        for outcome in right.outcomes(test):
            assert outcome["nodeid"] == f"tests/test_99_demo.py::{test}[{outcome['start_method']}]"
            assert outcome["status"] == "pass" and outcome["message"] == ""
            assert outcome["exercise"] == "99" and outcome["weight"] == 1.0


def test_tests_with_the_same_scenario_share_one_call(right):
    """test_double_value and test_double_is_an_int both use doubled(x=3): one call per
    method between them, while x=5 and the other scenario get calls of their own."""
    labels = collections.Counter(line.split()[0] for line in right.calls)
    assert labels == {"doubled-3": len(METHODS), "doubled-5": len(METHODS), "in_child-4": len(METHODS)}
    pids = [line.split()[1] for line in right.calls]
    assert len(set(pids)) == len(pids)  # every call had a runner of its own


def test_results_file_describes_the_run(right, kit):
    data = right.results
    assert data["exercises_dir"] == str(kit / "exercises")
    assert data["python"] == sys.version.split()[0]
    assert len(data["outcomes"]) == len(TESTS) * len(METHODS)
    assert all(o["duration"] >= 0 for o in data["outcomes"])


def test_start_method_option_narrows(kit):
    run = run_kit(kit, "--start-method", "fork")
    assert run.code == 0, run.output
    assert f"{len(TESTS)} passed" in run.output
    assert run.results["methods"] == ["fork"]
    assert {o["start_method"] for o in run.outcomes()} == {"fork"}
    assert len(run.calls) == 3


# ---- a failing kit ---------------------------------------------------------------------------

def test_some_fail_exits_1(wrong):
    assert wrong.code == 1, wrong.output
    failed = 3 * len(METHODS)  # every test of double(); double_in_child passes
    assert f"{failed} failed, {len(METHODS)} passed" in wrong.output


def test_failure_message_is_clean(wrong, kit):
    line = next(i for i, text in enumerate((kit / "wrong" / "99_demo.py").read_text().splitlines(), 1)
                if "# RAISE" in text)
    for method in METHODS:
        expected = (f"Called double(3) (start method: {method}).\n"
                    "It raised ValueError: no doubling today\n"
                    f"  at {kit / 'wrong' / '99_demo.py'}, line {line}: "
                    'raise ValueError("no doubling today")  # RAISE')
        assert expected in wrong.output
        (outcome,) = [o for o in wrong.outcomes("test_double_value") if o["start_method"] == method]
        assert outcome["status"] == "fail" and outcome["message"] == expected
    for word in ("Traceback", "grader/testing.py", "grader/plugin.py", "raise Failure", "Failure:"):
        assert word not in wrong.output
    assert all(o["status"] == "pass" for o in wrong.outcomes("test_double_in_child"))


def test_missing_exercise_file_is_named(kit):
    run = run_kit(kit, "--exercises-dir", str(kit / "empty"), "--start-method", "spawn,forkserver")
    assert run.code == 1
    missing = kit / "empty" / "99_demo.py"
    assert f"{missing} does not exist. Restore the stub with `grader reset`" in run.output
    assert run.calls == []  # no sandbox call was made
    expected = [m for m in METHODS if m in ("spawn", "forkserver")]
    assert run.results["methods"] == expected
    outcomes = run.outcomes()
    assert len(outcomes) == len(TESTS) * len(expected)
    assert all(o["status"] == "error" and "does not exist" in o["message"] for o in outcomes)
    assert "Traceback" not in run.output
