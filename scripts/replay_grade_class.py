"""Replay .github/workflows/grade-class.yml locally, job by job, on a folder of student
repositories, the way GitHub Actions would run it for the kit repository: what an instructor
can try before a term starts, and what the kit's tests use to check the workflow end to end.

    python scripts/replay_grade_class.py CLASS_DIR [--prefix P | --roster FILE | --repositories "a b"]
        [--deadline ISO] [--late grade|skip] [--jobs N] [--per-job N] [--start-method M]
        [--out DIR] [--workdir DIR] [--fresh-venv] [--var NAME=VALUE]

CLASS_DIR plays the organisation: one folder per student repository (git repositories made
from the student template, first commit the kit snapshot). GitHub is replaced by the folder
above it (`github.server_url` is file://PARENT), so the workflow's own steps list and clone the
repositories as they would on GitHub. The kit is this repository's files as they are (tracked
and untracked, not ignored): the workflow's own commit.

Every job runs in a workspace of its own (a runner of its own), the jobs of a matrix `--jobs`
at a time. Steps that `uses:` an action are emulated: checkout copies the kit, setup-python
puts this Python first on PATH (or, with --fresh-venv, a new virtual environment per job),
upload-artifact and download-artifact copy folders through a local artifact store (name,
pattern, exclusions with `!`, merge-multiple). `run:` steps run under `bash -eo pipefail` with
the GITHUB_* files and variables of a real runner; a step that installs system packages with
apt-get is skipped (the replay never changes this machine), and so are `pip install` steps
without --fresh-venv. Expressions (`${{ }}`) are evaluated: contexts github, inputs, vars,
secrets, matrix, needs, steps, env, runner; operators ! == != < <= > >= && || and the
functions fromJSON, toJSON, format, contains, startsWith, endsWith, join, always, success,
failure, cancelled. The read token is a made-up secret (--token; by default random), so that
a test can look for it where it must never be.

Prints each job's steps with their exit codes, then the class summary; --out DIR receives the
artifact class-grades (grades.csv, summary.md, reports/). Exit code: 0 when every job that had
to run succeeded.
"""

from __future__ import annotations

import argparse
import fnmatch
import itertools
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
KIT = HERE.parent
WORKFLOW = Path(".github") / "workflows" / "grade-class.yml"
sys.path.insert(0, str(HERE))
from replay_autograde import workflow_commands  # noqa: E402


class ReplayError(Exception):
    """The workflow uses something this replay can't emulate."""


# ---------------------------------------------------------------- expressions

_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:[^']|'')*')
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\].,*])
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, object]]:
    found, at = [], 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if not match or match.end() == at:
            raise ReplayError(f"can't read the expression {text!r} at {text[at:]!r}")
        at = match.end()
        kind = match.lastgroup
        value = match[kind]
        if kind == "string":
            value = value[1:-1].replace("''", "'")
        elif kind == "number":
            value = float(value) if "." in value else int(value)
        found.append((kind, value))
    return found


def truthy(value) -> bool:
    if isinstance(value, float) and value != value:
        return False
    return value not in (None, False, 0, "") if not isinstance(value, (dict, list)) else True


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def _number(value) -> float:
    if value is None or value is False or value == "":
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return float("nan")


def _equal(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if type(a) is type(b) or (isinstance(a, (dict, list)) or isinstance(b, (dict, list))):
        return a == b
    return _number(a) == _number(b)


class Expression:
    """One `${{ }}` expression, evaluated against a dict of contexts and status functions."""

    def __init__(self, text: str, contexts: dict, status: dict):
        self.tokens = _tokens(text)
        self.at = 0
        self.contexts = contexts
        self.status = status
        self.text = text

    def value(self):
        result = self._or()
        if self.at != len(self.tokens):
            raise ReplayError(f"can't read the expression {self.text!r}")
        return result

    def _peek(self, *values):
        if self.at < len(self.tokens) and self.tokens[self.at][0] == "op" and self.tokens[self.at][1] in values:
            return self.tokens[self.at][1]
        return None

    def _take(self, value):
        if not self._peek(value):
            raise ReplayError(f"expected {value!r} in {self.text!r}")
        self.at += 1

    def _or(self):
        left = self._and()
        while self._peek("||"):
            self.at += 1
            right = self._and()
            left = left if truthy(left) else right
        return left

    def _and(self):
        left = self._compare()
        while self._peek("&&"):
            self.at += 1
            right = self._compare()
            left = right if truthy(left) else left
        return left

    def _compare(self):
        left = self._unary()
        while (op := self._peek("==", "!=", "<", "<=", ">", ">=")):
            self.at += 1
            right = self._unary()
            if op in ("==", "!="):
                left = _equal(left, right) == (op == "==")
            else:
                a, b = (left, right) if isinstance(left, str) and isinstance(right, str) else \
                    (_number(left), _number(right))
                left = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        return left

    def _unary(self):
        if self._peek("!"):
            self.at += 1
            return not truthy(self._unary())
        return self._postfix(self._primary())

    def _primary(self):
        if self.at >= len(self.tokens):
            raise ReplayError(f"the expression {self.text!r} ends too soon")
        kind, value = self.tokens[self.at]
        self.at += 1
        if kind in ("string", "number"):
            return value
        if kind == "op" and value == "(":
            inner = self._or()
            self._take(")")
            return inner
        if kind == "name":
            if value in ("true", "false"):
                return value == "true"
            if value == "null":
                return None
            if self._peek("("):
                self.at += 1
                args = []
                while not self._peek(")"):
                    args.append(self._or())
                    if self._peek(","):
                        self.at += 1
                self._take(")")
                return self._call(value, args)
            if value not in self.contexts:
                raise ReplayError(f"the replay has no context {value!r} (in {self.text!r})")
            return self.contexts[value]
        raise ReplayError(f"can't read the expression {self.text!r}")

    def _postfix(self, value):
        while True:
            if self._peek("."):
                self.at += 1
                kind, name = self.tokens[self.at]
                self.at += 1
                if kind == "op" and name == "*":
                    raise ReplayError(f"object filters (.*) are not replayed: {self.text!r}")
                value = self._index(value, name)
            elif self._peek("["):
                self.at += 1
                key = self._or()
                self._take("]")
                value = self._index(value, key)
            else:
                return value

    @staticmethod
    def _index(value, key):
        if isinstance(value, dict):
            lowered = {str(k).casefold(): v for k, v in value.items()}
            return lowered.get(str(key).casefold())
        if isinstance(value, list) and isinstance(key, (int, float)) and 0 <= int(key) < len(value):
            return value[int(key)]
        return None

    def _call(self, name: str, args: list):
        lowered = name.lower()
        if lowered in self.status:
            return self.status[lowered]()
        if lowered == "fromjson":
            return json.loads(text_of(args[0]))
        if lowered == "tojson":
            return json.dumps(args[0], indent=2)
        if lowered == "format":
            out = text_of(args[0])
            for index, arg in enumerate(args[1:]):
                out = out.replace("{" + str(index) + "}", text_of(arg))
            return out
        if lowered == "contains":
            hay, needle = args
            if isinstance(hay, list):
                return any(_equal(item, needle) for item in hay)
            return text_of(needle).casefold() in text_of(hay).casefold()
        if lowered == "startswith":
            return text_of(args[0]).casefold().startswith(text_of(args[1]).casefold())
        if lowered == "endswith":
            return text_of(args[0]).casefold().endswith(text_of(args[1]).casefold())
        if lowered == "join":
            sep = text_of(args[1]) if len(args) > 1 else ","
            return sep.join(text_of(x) for x in args[0]) if isinstance(args[0], list) else text_of(args[0])
        raise ReplayError(f"the replay has no function {name}()")


_WHOLE = re.compile(r"^\s*\$\{\{(.*)\}\}\s*$", re.DOTALL)
_PART = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_STATUS_CALL = re.compile(r"\b(always|success|failure|cancelled)\s*\(", re.IGNORECASE)


def evaluate(value, contexts: dict, status: dict | None = None):
    """A workflow value with its expressions evaluated: the value itself when it is one
    whole expression, else a string with each expression's text put in."""
    status = status or {}
    if isinstance(value, dict):
        return {k: evaluate(v, contexts, status) for k, v in value.items()}
    if isinstance(value, list):
        return [evaluate(v, contexts, status) for v in value]
    if not isinstance(value, str):
        return value
    whole = _WHOLE.match(value)
    if whole and "${{" not in whole[1]:
        return Expression(whole[1], contexts, status).value()
    return _PART.sub(lambda m: text_of(Expression(m[1], contexts, status).value()), value)


def condition(text, contexts: dict, status: dict) -> bool:
    """An `if:`: with no status function in it, success() && (it)."""
    if text is None or text == "":
        return status["success"]()
    if isinstance(text, bool):
        return text and status["success"]()
    raw = str(text)
    whole = _WHOLE.match(raw)
    raw = whole[1] if whole else raw
    if not _STATUS_CALL.search(raw):
        raw = f"success() && ({raw})"
    return truthy(Expression(raw, contexts, status).value())


# ---------------------------------------------------------------- artifacts

class Artifacts:
    """The run's artifact store: one folder per artifact."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()

    @staticmethod
    def _search_root(workspace: Path, pattern: str) -> Path:
        parts = Path(pattern).parts
        fixed = list(itertools.takewhile(lambda p: not any(c in p for c in "*?["), parts))
        return workspace.joinpath(*fixed) if fixed else workspace

    @staticmethod
    def _matches(relative: str, pattern: str) -> bool:
        pattern = pattern.rstrip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*") \
            .replace(r"\?", "[^/]")
        return re.fullmatch(regex + "(?:/.*)?", relative) is not None

    def upload(self, workspace: Path, name: str, paths: str, if_missing: str = "warn") -> tuple[int, str]:
        lines = [line.strip() for line in str(paths).splitlines() if line.strip()]
        include = [line for line in lines if not line.startswith("!")]
        exclude = [line[1:] for line in lines if line.startswith("!")]
        roots = [self._search_root(workspace, p) for p in include]
        base = Path(os.path.commonpath([str(r) for r in roots])) if roots else workspace
        if len(roots) == 1 and not roots[0].is_dir():
            base = roots[0].parent
        files = []
        for pattern, root in zip(include, roots):
            candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) \
                if root.is_dir() else []
            for path in candidates:
                relative = path.relative_to(workspace).as_posix()
                if any(c in pattern for c in "*?[") and not self._matches(relative, pattern):
                    continue
                if any(self._matches(relative, x) for x in exclude):
                    continue
                files.append(path)
        if not files:
            message = f"no files were found with the provided path: {paths!r}"
            return (1 if if_missing == "error" else 0), message
        target = self.root / name
        with self.lock:
            if target.exists():
                return 1, f"an artifact named {name} already exists in this run"
            for path in files:
                dest = target / path.relative_to(base)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
        return 0, f"artifact {name}: {len(files)} file(s)"

    def download(self, workspace: Path, name: str | None, pattern: str | None, path: str | None,
                 merge: bool) -> tuple[int, str]:
        target = workspace / (path or ".")
        with self.lock:
            present = sorted(p.name for p in self.root.iterdir())
        if name:
            if name not in present:
                return 1, f"artifact {name} not found"
            chosen, merge = [name], True
        else:
            chosen = [n for n in present if not pattern or fnmatch.fnmatchcase(n, pattern)]
        for artifact in chosen:
            shutil.copytree(self.root / artifact, target if merge else target / artifact, dirs_exist_ok=True)
        target.mkdir(parents=True, exist_ok=True)
        return 0, f"downloaded {len(chosen)} artifact(s): {', '.join(chosen)}"


# ---------------------------------------------------------------- jobs and steps

@dataclass
class StepRun:
    name: str
    code: int | None           # None: not run
    output: str = ""
    seconds: float = 0.0


@dataclass
class JobRun:
    id: str
    name: str
    workspace: Path
    result: str = "skipped"     # success, failure, skipped
    steps: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)
    summary: str = ""
    seconds: float = 0.0

    @property
    def log(self) -> str:
        return "\n".join(step.output for step in self.steps)

    @property
    def commands(self) -> list[tuple[str, str]]:
        return workflow_commands(self.log)


@dataclass
class Run:
    workdir: Path
    jobs: list = field(default_factory=list)
    artifacts: Path | None = None
    seconds: float = 0.0

    def job(self, job_id: str) -> list[JobRun]:
        return [j for j in self.jobs if j.id == job_id]


def _read_outputs(path: Path) -> dict:
    """name=value lines and name<<DELIMITER blocks, as the runner reads GITHUB_OUTPUT/ENV."""
    values, lines = {}, path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            while index < len(lines) and lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1
            values[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def kit_files(kit: Path) -> list[str]:
    listed = subprocess.run(["git", "-C", str(kit), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=True).stdout.decode("utf-8")
    return [n for n in listed.split("\0") if n and (kit / n).is_file()]


class Replayer:
    def __init__(self, *, kit: Path, workdir: Path, contexts: dict, jobs: int, fresh_venv: bool,
                 python: str, extra_env: dict):
        self.kit = kit
        self.workdir = workdir
        self.base = contexts
        self.parallel = jobs
        self.fresh_venv = fresh_venv
        self.python = python
        self.extra_env = extra_env
        # The workflow's own commit: the kit as it is now, whatever changes while the replay runs.
        self.kit = workdir / "_kit"
        self.files = kit_files(kit)
        for name in self.files:
            (self.kit / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(kit / name, self.kit / name)
        self.artifacts = Artifacts(workdir / "_artifacts")
        self.workflow = _load(self.kit / WORKFLOW)
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    # -------- environment

    def _base_env(self, workspace: Path, temp: Path) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "GRADER_", "RUNNER_", "ACTIONS_")) and k not in ("VIRTUAL_ENV", "CI")}
        github = self.base["github"]
        env.update(CI="true", GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(workspace), RUNNER_TEMP=str(temp),
                   GITHUB_REPOSITORY=github["repository"], GITHUB_REPOSITORY_OWNER=github["repository_owner"],
                   GITHUB_SHA=github["sha"], GITHUB_REF=github["ref"], GITHUB_SERVER_URL=github["server_url"],
                   GITHUB_API_URL=github["api_url"], GITHUB_EVENT_NAME=github["event_name"],
                   GITHUB_RUN_ID=github["run_id"], RUNNER_OS="Linux")
        env.update(self.extra_env)
        return env

    # -------- one job

    def run_job(self, job_id: str, job: dict, matrix: dict, needs: dict) -> JobRun:
        number = next(self.counter)
        workspace = self.workdir / f"{number:03d}-{job_id}"
        temp = workspace / "_runner_temp"
        (workspace).mkdir(parents=True)
        temp.mkdir()
        contexts = dict(self.base, matrix=matrix, needs=needs, steps={}, env={},
                        runner={"temp": str(temp), "os": "Linux"})
        contexts["github"] = dict(self.base["github"], workspace=str(workspace), job=job_id)
        name = text_of(evaluate(job.get("name", job_id), contexts))
        run = JobRun(job_id, name, workspace)
        began = time.monotonic()
        env = self._base_env(workspace, temp)
        env.update({k: text_of(evaluate(v, contexts)) for k, v in (self.workflow.get("env") or {}).items()})
        env.update({k: text_of(evaluate(v, contexts)) for k, v in (job.get("env") or {}).items()})
        defaults = dict((self.workflow.get("defaults") or {}).get("run") or {})
        defaults.update((job.get("defaults") or {}).get("run") or {})
        failed = False
        status = {"always": lambda: True, "success": lambda: not failed, "failure": lambda: failed,
                  "cancelled": lambda: False}
        path_extra: list[str] = []
        summary = []
        for index, step in enumerate(job["steps"], start=1):
            step_name = text_of(evaluate(step.get("name") or step.get("uses") or step.get("run", "")[:40], contexts))
            contexts["env"] = dict(env)
            if not condition(step.get("if"), contexts, status):
                run.steps.append(StepRun(step_name, None, "skipped: its if: is false"))
                continue
            files = {n: temp / f"{n.lower()}_{index}" for n in
                     ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE")}
            for path in files.values():
                path.touch()
            step_env = dict(env, **{k: str(v) for k, v in files.items()})
            step_env.update({k: text_of(evaluate(v, contexts)) for k, v in (step.get("env") or {}).items()})
            if path_extra:
                step_env["PATH"] = os.pathsep.join(path_extra) + os.pathsep + step_env.get("PATH", "")
            t0 = time.monotonic()
            code, output, outputs = self._step(step, step_env, contexts, workspace, defaults, path_extra)
            for key, value in _read_outputs(files["GITHUB_ENV"]).items():
                env[key] = value
            path_extra[:0] = [p for p in files["GITHUB_PATH"].read_text().splitlines() if p.strip()]
            outputs.update(_read_outputs(files["GITHUB_OUTPUT"]))
            summary.append(files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8"))
            ok = code == 0
            continue_on_error = truthy(evaluate(step.get("continue-on-error", False), contexts))
            if step.get("id"):
                contexts["steps"][step["id"]] = {
                    "outputs": outputs, "outcome": "success" if ok else "failure",
                    "conclusion": "success" if ok or continue_on_error else "failure"}
            run.steps.append(StepRun(step_name, code, output, time.monotonic() - t0))
            if not ok and not continue_on_error:
                failed = True
        run.outputs = {k: text_of(evaluate(v, contexts)) for k, v in (job.get("outputs") or {}).items()}
        run.summary = "".join(summary)
        run.result = "failure" if failed else "success"
        run.seconds = time.monotonic() - began
        return run

    def _step(self, step: dict, env: dict, contexts: dict, workspace: Path, defaults: dict,
              path_extra: list) -> tuple[int, str, dict]:
        uses = step.get("uses", "")
        given = evaluate(step.get("with") or {}, contexts)
        if uses.startswith("actions/checkout@"):
            repository = given.get("repository")
            if repository and repository != contexts["github"]["repository"]:
                raise ReplayError(f"checkout of another repository ({repository}) is not replayed")
            target = workspace / given.get("path", ".")
            for name in self.files:
                dest = target / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.kit / name, dest)
            return 0, f"the kit ({len(self.files)} files) into {target}", {}
        if uses.startswith("actions/setup-python@"):
            if self.fresh_venv:
                target = workspace / "_venv"
                venv.EnvBuilder(with_pip=True).create(target)
                path_extra.insert(0, str(target / "bin"))
                return 0, f"fresh virtual environment {target}", {}
            path_extra.insert(0, os.path.dirname(self.python))
            return 0, f"using {self.python}", {}
        if uses.startswith("actions/upload-artifact@"):
            code, message = self.artifacts.upload(workspace, given["name"], given["path"],
                                                  given.get("if-no-files-found", "warn"))
            return code, message, {}
        if uses.startswith("actions/download-artifact@"):
            code, message = self.artifacts.download(workspace, given.get("name"), given.get("pattern"),
                                                    given.get("path"), truthy(given.get("merge-multiple")))
            return code, message, {}
        if uses:
            raise ReplayError(f"can't replay the action {uses}")
        script = evaluate(step["run"], contexts)
        if "apt-get" in script:
            return 0, "skipped: installs system packages on the runner; the replay doesn't: " + \
                " ".join(script.split()), {}
        if "pip install" in script and not self.fresh_venv:
            return 0, "skipped (no --fresh-venv): " + script.strip(), {}
        cwd = workspace / str(evaluate(step.get("working-directory", defaults.get("working-directory", ".")),
                                       contexts))
        shell = step.get("shell", defaults.get("shell", "bash"))
        if shell != "bash":
            raise ReplayError(f"only bash steps are replayed (shell: {shell})")
        with tempfile.NamedTemporaryFile("w", suffix=".sh", dir=env["RUNNER_TEMP"], delete=False,
                                         encoding="utf-8") as handle:
            handle.write(script)
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", handle.name], cwd=cwd, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                              errors="replace")
        return proc.returncode, proc.stdout + proc.stderr, {}

    # -------- the workflow

    def run(self) -> Run:
        result = Run(self.workdir, artifacts=self.artifacts.root)
        began = time.monotonic()
        done: dict[str, dict] = {}
        for job_id, job in self.workflow["jobs"].items():
            needs_ids = job.get("needs") or []
            needs_ids = [needs_ids] if isinstance(needs_ids, str) else needs_ids
            missing = [n for n in needs_ids if n not in done]
            if missing:
                raise ReplayError(f"job {job_id} needs {missing}, which come later in the file")
            needs = {n: done[n] for n in needs_ids}
            contexts = dict(self.base, needs=needs)
            upstream_ok = all(n["result"] == "success" for n in needs.values())
            status = {"always": lambda: True, "success": lambda: upstream_ok, "failure": lambda: not upstream_ok,
                      "cancelled": lambda: False}
            if not condition(job.get("if"), contexts, status):
                skipped = JobRun(job_id, job_id, self.workdir)
                result.jobs.append(skipped)
                done[job_id] = {"result": "skipped", "outputs": {}}
                continue
            matrices = self._matrix(job, contexts)
            if matrices is None:
                runs = [self.run_job(job_id, job, {}, needs)]
            else:
                width = min(self.parallel, max(1, len(matrices)))
                with ThreadPoolExecutor(max_workers=width, thread_name_prefix=job_id) as pool:
                    runs = list(pool.map(lambda m: self.run_job(job_id, job, m, needs), matrices))
            result.jobs += runs
            outputs = {}
            for one in runs:
                outputs.update({k: v for k, v in one.outputs.items() if v})
            done[job_id] = {"result": "failure" if any(r.result == "failure" for r in runs) else "success",
                            "outputs": outputs}
        result.seconds = time.monotonic() - began
        return result

    def _matrix(self, job: dict, contexts: dict) -> list[dict] | None:
        strategy = job.get("strategy") or {}
        if "matrix" not in strategy:
            return None
        matrix = evaluate(strategy["matrix"], contexts)
        if not isinstance(matrix, dict) or {"include", "exclude"} & set(matrix):
            raise ReplayError("only a matrix of plain lists is replayed")
        keys = list(matrix)
        combos = [dict(zip(keys, values)) for values in itertools.product(*(matrix[k] for k in keys))]
        if len(combos) > 256:
            raise ReplayError(f"a matrix of {len(combos)} jobs: GitHub Actions allows 256")
        return combos


def _load(path: Path) -> dict:
    import yaml

    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["on"] = data.pop(True, data.get("on"))
    return data


def replay(class_dir: Path, workdir: Path, *, prefix: str = "", roster: str = "", repositories: str = "",
           deadline: str = "", late: str = "", jobs: int = 1, per_job: int | None = None,
           variables: dict | None = None, token: str | None = None, start_methods: str = "",
           fresh_venv: bool = False, kit: Path = KIT, python: str = sys.executable,
           event: str = "workflow_dispatch") -> Run:
    """Replay the workflow on the repositories in `class_dir` (the organisation), in
    `workdir` (which must be empty or absent)."""
    class_dir = Path(class_dir).resolve()
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if any(workdir.iterdir()):
        raise ReplayError(f"{workdir} is not empty")
    org = class_dir.name
    sha = subprocess.run(["git", "-C", str(kit), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    variables = dict(variables or {})
    if prefix:
        variables["GRADER_CLASS_PREFIX"] = prefix
    if roster:
        variables["GRADER_CLASS_ROSTER"] = roster
    if per_job:
        variables["GRADER_CLASS_PER_JOB"] = str(per_job)
    variables.setdefault("GRADER_CLASS_ORG", org)
    inputs = {"deadline": deadline, "repositories": repositories, "late": late or "grade"} \
        if event == "workflow_dispatch" else {}
    if event != "workflow_dispatch" and deadline:
        variables["GRADER_DEADLINE"] = deadline
    contexts = {
        "github": {"server_url": class_dir.parent.as_uri(), "api_url": "", "repository": f"{org}/{kit.name}",
                   "repository_owner": org, "sha": sha or "0" * 40, "ref": "refs/heads/main",
                   "event_name": event, "run_id": str(int(time.time())), "event": {"repository": {}}},
        "inputs": inputs,
        "vars": variables,
        "secrets": {"GRADER_READ_TOKEN": token if token is not None else "replay-token-" + secrets.token_hex(12),
                    "GRADER_APP_PRIVATE_KEY": ""},
    }
    extra_env = {"GRADER_START_METHODS": start_methods} if start_methods else {}
    replayer = Replayer(kit=Path(kit).resolve(), workdir=workdir, contexts=contexts, jobs=jobs,
                        fresh_venv=fresh_venv, python=python, extra_env=extra_env)
    return replayer.run()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("class_dir", type=Path, help="a folder of student repositories (the organisation)")
    parser.add_argument("--prefix", default="", help="the name prefix of the class's repositories")
    parser.add_argument("--roster", default="", help="a roster file of the kit (instead of --prefix)")
    parser.add_argument("--repositories", default="", help="only these repositories (the workflow_dispatch input)")
    parser.add_argument("--deadline", default="", help="ISO 8601 deadline (the workflow_dispatch input)")
    parser.add_argument("--late", choices=("grade", "skip"), default="grade")
    parser.add_argument("--jobs", type=int, default=1, help="matrix jobs at once (runners; default 1)")
    parser.add_argument("--per-job", type=int, default=None, help="students per matrix job (GRADER_CLASS_PER_JOB)")
    parser.add_argument("--start-method", default="", help="grade under these start methods only (quicker)")
    parser.add_argument("--out", type=Path, help="copy the artifact class-grades here")
    parser.add_argument("--workdir", type=Path, help="where to replay (default: a new temporary folder, removed)")
    parser.add_argument("--fresh-venv", action="store_true", help="install the grader into a new venv per job")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="a repository variable")
    args = parser.parse_args(argv)
    if not (args.prefix or args.roster or args.repositories):
        parser.error("give --prefix, --roster or --repositories: which repositories are the class")
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="grade-class-replay-"))).resolve()
    try:
        run = replay(args.class_dir, workdir, prefix=args.prefix, roster=args.roster,
                     repositories=args.repositories, deadline=args.deadline, late=args.late, jobs=args.jobs,
                     per_job=args.per_job, variables=dict(v.split("=", 1) for v in args.var),
                     start_methods=args.start_method, fresh_venv=args.fresh_venv)
    except ReplayError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 2
    for job in run.jobs:
        print(f"=== job {job.name}: {job.result} ({job.seconds:.1f} s)")
        for step in job.steps:
            state = "not run" if step.code is None else f"exit {step.code}"
            print(f"  --- {step.name}: {state} ({step.seconds:.1f} s)")
            if step.output.strip():
                print("      " + step.output.rstrip().replace("\n", "\n      "))
    grades = run.artifacts / "class-grades"
    if (grades / "summary.md").is_file():
        print("=== class summary")
        print((grades / "summary.md").read_text(encoding="utf-8"))
    grading = run.job("grade")
    print(f"=== {len(grading)} grading job(s), {args.jobs} at a time; the replay took {run.seconds:.1f} s")
    if args.out and grades.is_dir():
        shutil.copytree(grades, args.out, dirs_exist_ok=True)
        print(f"=== artifact class-grades copied to {args.out}")
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(j.result in ("success", "skipped") for j in run.jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
