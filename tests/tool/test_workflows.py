"""The GitHub Actions workflows: actionlint finds nothing in them (scripts/actionlint.py), and
their structure is what the kit promises (autograde.yml grades every push with the kit's own
tests and keeps the reports; ci.yml runs `grader verify` on 3 systems x Python 3.10-3.14;
grade-class.yml grades the class from the kit repository, the read token kept from student code).

actionlint and PyYAML are development tools (the `dev` extra). Where one is missing the test is
skipped on a developer's machine, but fails in CI (CI set): there both are installable, so a
missing one is a broken setup, not a reason to stop checking.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
AUTOGRADE = WORKFLOWS / "autograde.yml"
CI_YML = WORKFLOWS / "ci.yml"
GRADE_CLASS = WORKFLOWS / "grade-class.yml"
ACTIONLINT = ROOT / "scripts" / "actionlint.py"
UNAVAILABLE = 3     # scripts/actionlint.py: no actionlint could be found or fetched
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(what: str) -> None:
    """A development tool is missing: fail in CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"{what} (CI is set: install the dev extra, `pip install -e .[dev]`, and Node.js/npm)")
    pytest.skip(what)


def load(path: Path) -> dict:
    try:
        import yaml
    except ImportError:
        pytest.fail("PyYAML is missing: the kit's own tests need `pip install -e '.[dev]'`")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    return data


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    assert isinstance(on, dict), f"no triggers: {on!r}"
    return on


def steps(job: dict) -> list[dict]:
    found = job.get("steps")
    assert isinstance(found, list) and found, "a job without steps"
    return found


# ---------------------------------------------------------------- actionlint

def test_actionlint_finds_nothing_in_the_workflows():
    files = [str(w.relative_to(ROOT)) for w in (AUTOGRADE, CI_YML, GRADE_CLASS)]
    done = subprocess.run([sys.executable, str(ACTIONLINT), *files], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=600, stdin=subprocess.DEVNULL)
    if done.returncode == UNAVAILABLE:
        missing(f"no actionlint: {done.stderr.strip()}")
    assert done.returncode == 0 and done.stdout == "", \
        f"actionlint exited {done.returncode}:\n{done.stdout}\n{done.stderr}"


# ---------------------------------------------------------------- autograde.yml

def test_autograde_runs_on_push_and_by_hand_with_read_only_permissions():
    workflow = load(AUTOGRADE)
    on = triggers(workflow)
    assert "push" in on and "workflow_dispatch" in on, sorted(on)
    assert workflow.get("permissions") == {"contents": "read"}, workflow.get("permissions")
    assert "concurrency" in workflow
    assert list(workflow["jobs"]) == ["grade"]
    grade = workflow["jobs"]["grade"]
    assert grade["runs-on"] == "ubuntu-latest"
    assert grade["timeout-minutes"] == 15
    assert grade.get("permissions", {"contents": "read"}) == {"contents": "read"}


def test_autograde_grades_the_submission_with_the_kit_and_every_report():
    grade = load(AUTOGRADE)["jobs"]["grade"]
    all_steps = steps(grade)
    checkouts = [s for s in all_steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkouts, "the submission is checked out"
    submission = checkouts[0]["with"]
    assert submission["path"] == "submission"
    assert submission["fetch-depth"] == 0, "the root commit (the template snapshot) must be there"
    assert submission["persist-credentials"] is False

    kit_steps = [s for s in all_steps if "kit" in str(s.get("name", "")).lower() and "run" in s]
    assert len(kit_steps) == 1, "one run step chooses where the kit comes from"
    kit_script = kit_steps[0]["run"]
    assert "GRADER_KIT_REPOSITORY" in str(kit_steps[0].get("env", {})) + kit_script
    assert "rev-list --max-parents=0" in kit_script and "catalog.toml" in kit_script
    assert "::warning" in kit_script

    runs = [s for s in all_steps if "grader check" in str(s.get("run", ""))]
    assert len(runs) == 1, "one step grades"
    command = " ".join(runs[0]["run"].split())
    assert runs[0].get("working-directory") == "kit"
    assert "grader check --from ../submission" in command and "--ci" in command.split()
    for kind in ("json", "junit", "gradescope", "classroom50", "markdown"):
        assert f"--report {kind}=../reports/" in command, kind

    uploads = [s for s in all_steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert len(uploads) == 1
    assert str(uploads[0].get("if", "")).replace("${{", "").replace("}}", "").strip() == "always()"
    assert uploads[0]["with"]["path"].rstrip("/") == "reports"
    # The grading comes after the kit and the install, the upload last.
    order = [all_steps.index(x) for x in (kit_steps[0], runs[0], uploads[0])]
    assert order == sorted(order)


# ---------------------------------------------------------------- ci.yml

def test_ci_runs_grader_verify_on_three_systems_and_five_pythons():
    workflow = load(CI_YML)
    assert workflow.get("permissions") == {"contents": "read"}
    jobs = workflow["jobs"]
    verify = [job for job in jobs.values() if any("grader verify" in str(s.get("run", "")) for s in job.get("steps", []))]
    assert len(verify) == 1, "one job runs grader verify"
    job = verify[0]
    strategy = job["strategy"]
    assert strategy["fail-fast"] is False
    matrix = strategy["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    assert [str(v) for v in matrix["python"]] == ["3.10", "3.11", "3.12", "3.13", "3.14"], \
        "versions as strings: YAML reads 3.10 as 3.1"
    assert job["timeout-minutes"] == 30
    setup = [s for s in steps(job) if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert setup and setup[0]["with"].get("allow-prereleases") is True
    installs = [s["run"] for s in steps(job) if "pip install" in str(s.get("run", ""))]
    assert installs and '-e ".[dev]"' in installs[0]


def test_ci_lints_every_workflow_with_a_pinned_actionlint():
    jobs = load(CI_YML)["jobs"]
    lint = [s for job in jobs.values() for s in job.get("steps", [])
            if "actionlint" in str(s.get("uses", "")) + str(s.get("run", ""))]
    assert lint, "a job runs actionlint"
    uses = str(lint[0].get("uses", ""))
    if uses:
        assert not uses.endswith((":latest", "@main", "@master")), f"pin actionlint: {uses}"
    linted = str(lint[0].get("with", {}).get("args", "")) + str(lint[0].get("run", ""))
    for workflow in sorted(WORKFLOWS.glob("*.yml")):
        assert f".github/workflows/{workflow.name}" in linted, workflow.name


# ---------------------------------------------------------------- grade-class.yml

def test_grade_class_runs_on_a_schedule_by_hand_and_on_tags_reading_only():
    workflow = load(GRADE_CLASS)
    on = triggers(workflow)
    assert on.get("schedule") and on["push"] == {"tags": ["**"]}, on
    inputs = on["workflow_dispatch"]["inputs"]
    assert {"deadline", "repositories", "late"} <= set(inputs)
    assert not any(i.get("required") for i in inputs.values())
    assert workflow.get("permissions") == {"contents": "read"}
    assert list(workflow["jobs"]) == ["list", "grade", "gradebook"]
    assert "GRADER_CLASS_PREFIX" in workflow["jobs"]["list"]["if"], "never runs in a student's copy"
    for job in workflow["jobs"].values():
        assert "permissions" not in job


def test_grade_class_grades_each_student_in_a_matrix_job_with_the_kit_of_its_own_commit():
    jobs = load(GRADE_CLASS)["jobs"]
    grade = jobs["grade"]
    assert grade["needs"] == "list"
    assert grade["strategy"]["fail-fast"] is False
    assert "fromJSON(needs.list.outputs.matrix)" in str(grade["strategy"]["matrix"])
    for job in jobs.values():
        for step in steps(job):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"].get("persist-credentials") is False
                assert "repository" not in step["with"] and "ref" not in step["with"], "the kit at this commit"
    names = [s.get("name", "") for s in steps(grade)]
    runs = [s for s in steps(grade) if "grader check" in str(s.get("run", ""))]
    assert len(runs) == 1, "one step grades"
    command = " ".join(runs[0]["run"].split())
    assert command.count("grader check --from") == 1 and "--ci" in command.split()
    assert runs[0].get("working-directory") == "kit"
    assert "--report \"json=../reports/" in command
    apt = next(s for s in steps(grade) if "apt-get install" in str(s.get("run", "")))
    assert "bubblewrap" in apt["run"] and "strace" in apt["run"]
    assert names.index(apt["name"]) < names.index(runs[0]["name"])
    uploads = [s for s in steps(grade) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    fetch_kept, reports_kept = uploads
    assert names.index(fetch_kept["name"]) < names.index(runs[0]["name"]) < names.index(reports_kept["name"])
    assert "always()" in str(reports_kept.get("if", ""))
    assert "!reports/**/submission.json" in reports_kept["with"]["path"]


def test_grade_class_holds_the_read_token_only_where_it_lists_and_fetches():
    jobs = load(GRADE_CLASS)["jobs"]
    workflow = load(GRADE_CLASS)
    assert "secrets." not in str(workflow.get("env", {}))
    holders = []
    for job_id, job in jobs.items():
        assert "secrets." not in str(job.get("env", {}))
        for step in steps(job):
            if "secrets." in str(step.get("env", {})) + str(step.get("run", "")):
                holders.append((job_id, step["name"]))
                assert "grader" not in str(step.get("run", "")).replace("scripts/grade_class.py", "")
            if "secrets." in str(step.get("with", {})):
                assert str(step.get("uses", "")).startswith("actions/create-github-app-token@"), step
    assert holders == [("list", "List the class's repositories"),
                       ("grade", "Fetch the submissions at their last commit before the deadline")]


def test_grade_class_merges_every_report_even_when_grading_jobs_failed():
    book = load(GRADE_CLASS)["jobs"]["gradebook"]
    assert book["needs"] == ["list", "grade"]
    assert "always()" in book["if"]
    download = next(s for s in steps(book) if str(s.get("uses", "")).startswith("actions/download-artifact@"))
    assert download["with"]["pattern"] == "grading-*" and "merge-multiple" not in download["with"]
    merge = next(s for s in steps(book) if "gradebook --merge" in str(s.get("run", "")))
    assert "GITHUB_STEP_SUMMARY" in merge["run"]
    kept = steps(book)[-1]
    assert kept["with"]["name"] == "class-grades" and "always()" in str(kept.get("if", ""))
