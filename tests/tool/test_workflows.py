"""The GitHub Actions workflows: actionlint finds nothing in them (scripts/actionlint.py), and
their structure is what the kit promises (autograde.yml grades every push with the kit's own
tests and keeps the reports; ci.yml runs `grader verify` on 3 systems x Python 3.10-3.14).

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
    files = [str(AUTOGRADE.relative_to(ROOT)), str(CI_YML.relative_to(ROOT))]
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


def test_ci_lints_both_workflows_with_a_pinned_actionlint():
    jobs = load(CI_YML)["jobs"]
    lint = [s for job in jobs.values() for s in job.get("steps", [])
            if "actionlint" in str(s.get("uses", "")) + str(s.get("run", ""))]
    assert lint, "a job runs actionlint"
    uses = str(lint[0].get("uses", ""))
    if uses:
        assert not uses.endswith((":latest", "@main", "@master")), f"pin actionlint: {uses}"
