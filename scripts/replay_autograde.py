"""Run the autograde workflow's steps locally, in order, the way GitHub Actions would run them
for a push to a student's repository: what an instructor can try before handing out the kit,
and what the kit's tests use to check the workflow end to end.

    python scripts/replay_autograde.py STUDENT_REPO [--workdir DIR] [--fresh-venv]
                                       [--var NAME=VALUE]

STUDENT_REPO is a git repository made from the kit (its first commit the kit, later commits
the student's). Steps that `uses:` an action are emulated: checkout by `git clone`,
setup-python by a fresh virtual environment (--fresh-venv; otherwise the current Python is
used and pip install steps are skipped, so the current environment is never changed),
upload-artifact by checking that its path exists. `run:` steps run under `bash -eo pipefail`
with the GITHUB_* files of a real runner. Expressions: `vars.NAME` (from --var, else empty),
`vars.NAME || 'default'`, and a few `github.*` values; any other makes the replay stop.

Prints each step's output and exit code, then the workflow commands the runner would have
acted on (annotations, the notice) and the job summary. Exit code: 0 when every step that
had to run ran (the Grade step's own exit 1 for a failing submission counts as run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass, field
from pathlib import Path

WORKFLOW = Path(".github") / "workflows" / "autograde.yml"
RUNNER_COMMANDS = {"error", "warning", "notice", "debug", "set-output", "set-env", "add-path", "add-mask",
                   "save-state", "group", "endgroup", "echo", "stop-commands", "add-matcher", "remove-matcher"}


def workflow_commands(text: str) -> list[tuple[str, str]]:
    """The workflow commands GitHub's runner would act on in a log, as (name, data): V2
    (`::name props::data` at the start of a line after spaces), V1 (`##[name` anywhere), none
    while a `::stop-commands::TOKEN` fence is up (until `::TOKEN::`)."""
    acted, fence = [], None
    for line in text.splitlines():
        stripped = line.lstrip()
        if fence is not None:
            if stripped == f"::{fence}::":
                fence = None
            continue
        match = re.match(r"::([^\s:]+)([^:]*)::(.*)", stripped)
        if match and match[1] in RUNNER_COMMANDS:
            if match[1] == "stop-commands":
                fence = match[3]
                continue
            acted.append((match[1], match[3]))
        old = re.search(r"##\[([^\s\]]+)", line)
        if old and old[1] in RUNNER_COMMANDS:
            acted.append((old[1], line))
    return acted


@dataclass
class Step:
    name: str
    code: int | None          # None: not run
    output: str = ""


@dataclass
class Replay:
    workspace: Path
    steps: list = field(default_factory=list)
    summary: str = ""
    artifacts: list = field(default_factory=list)

    @property
    def log(self) -> str:
        return "\n".join(step.output for step in self.steps)

    @property
    def commands(self) -> list[tuple[str, str]]:
        return workflow_commands(self.log)


class ReplayError(Exception):
    """The workflow uses something this replay can't emulate."""


def _expression(text: str, context: dict) -> str:
    def one(match):
        expr = match[1].strip()
        fallback = re.fullmatch(r"(.+?)\s*\|\|\s*'([^']*)'", expr)
        key = fallback[1].strip() if fallback else expr
        if key not in context:
            raise ReplayError(f"can't replay the expression ${{{{ {expr} }}}}")
        value = context[key]
        return value if value or not fallback else fallback[2]

    return re.sub(r"\$\{\{(.+?)\}\}", one, str(text))


def _load(path: Path) -> dict:
    import yaml

    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def replay(student: Path, workdir: Path, *, fresh_venv: bool = False, variables: dict | None = None,
           python: str = sys.executable) -> Replay:
    """Replay the workflow of `student`'s repository in `workdir` (which must be empty)."""
    student = Path(student).resolve()
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    workflow = _load(student / WORKFLOW)
    [job] = workflow["jobs"].values()
    runner_temp = workdir / "_runner_temp"
    runner_temp.mkdir()
    files = {name: runner_temp / name.lower() for name in
             ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE")}
    for path in files.values():
        path.touch()
    sha = subprocess.run(["git", "-C", str(student), "rev-parse", "HEAD"], capture_output=True, text=True,
                         check=True).stdout.strip()
    env = dict(os.environ, CI="true", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(workdir),
               RUNNER_TEMP=str(runner_temp), GITHUB_REPOSITORY="local/student", GITHUB_SHA=sha,
               GITHUB_REPOSITORY_OWNER="local", GITHUB_SERVER_URL="https://github.com",
               **{k: str(v) for k, v in files.items()})
    for name in ("GRADER_ROOT", "GRADER_EXERCISES_DIR", "GRADER_START_METHODS", "VIRTUAL_ENV"):
        env.pop(name, None)
    env["PATH"] = os.path.dirname(python) + os.pathsep + env.get("PATH", "")
    context = {"github.server_url": "https://github.com", "github.ref": "refs/heads/main",
               "github.event.repository.is_template": "false", "github.workspace": str(workdir)}
    for name, value in (variables or {}).items():
        context[f"vars.{name}"] = value
    for expr in re.findall(r"vars\.([A-Za-z_][A-Za-z0-9_]*)", json.dumps(workflow)):
        context.setdefault(f"vars.{expr}", "")
    result = Replay(workspace=workdir)
    failed = False
    for number, step in enumerate(job["steps"], start=1):
        name = step.get("name") or step.get("uses") or f"step {number}"
        condition = str(step.get("if", ""))
        if failed and "always()" not in condition:
            result.steps.append(Step(name, None, "skipped: an earlier step failed"))
            continue
        uses = step.get("uses", "")
        step_env = dict(env, **{k: _expression(v, context) for k, v in (step.get("env") or {}).items()})
        if uses.startswith("actions/checkout@"):
            where = workdir / step.get("with", {}).get("path", ".")
            clone = subprocess.run(["git", "clone", "--quiet", str(student), str(where)],
                                   capture_output=True, text=True)
            result.steps.append(Step(name, clone.returncode, clone.stdout + clone.stderr))
        elif uses.startswith("actions/setup-python@"):
            output = "using " + python
            if fresh_venv:
                target = workdir / "_venv"
                subprocess.run([python, "-m", "venv", str(target)], check=True)
                bindir = target / ("Scripts" if os.name == "nt" else "bin")
                env["PATH"] = str(bindir) + os.pathsep + env["PATH"]
                output = f"fresh virtual environment {target}"
            result.steps.append(Step(name, 0, output))
        elif uses.startswith("actions/upload-artifact@"):
            path = workdir / step["with"]["path"]
            present = sorted(p.name for p in path.iterdir()) if path.is_dir() else []
            result.artifacts = [path / p for p in present]
            result.steps.append(Step(name, 0 if present else 1, "artifact: " + ", ".join(present)))
        elif uses:
            raise ReplayError(f"can't replay the action {uses}")
        else:
            script = _expression(step["run"], context)
            if "pip install" in script and not fresh_venv:
                result.steps.append(Step(name, 0, "skipped (no --fresh-venv): " + script.strip()))
                continue
            cwd = workdir / step.get("working-directory", ".")
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                                  env=step_env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  encoding="utf-8", errors="replace")
            result.steps.append(Step(name, proc.returncode, proc.stdout + proc.stderr))
            failed = failed or proc.returncode != 0
    result.summary = files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("student", type=Path, help="a git repository made from the kit")
    parser.add_argument("--workdir", type=Path, help="where to replay (default: a new temporary folder)")
    parser.add_argument("--fresh-venv", action="store_true", help="install the grader into a new venv, as CI does")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="a repository variable")
    args = parser.parse_args(argv)
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="autograde-replay-"))).resolve()
    variables = dict(item.split("=", 1) for item in args.var)
    try:
        result = replay(args.student, workdir, fresh_venv=args.fresh_venv, variables=variables)
    except ReplayError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 2
    for step in result.steps:
        print(f"=== {step.name}: " + ("not run" if step.code is None else f"exit {step.code}"))
        print(step.output.rstrip())
    print("=== workflow commands the runner acts on")
    for name, data in result.commands:
        print(f"{name}: {data[:200]}")
    print("=== job summary")
    print(result.summary)
    print("=== artifact: " + ", ".join(str(p.relative_to(workdir)) for p in result.artifacts))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    ran = [s for s in result.steps if s.code is not None]
    return 0 if len(ran) == len(result.steps) else 1


if __name__ == "__main__":
    sys.exit(main())
