"""The plumbing of .github/workflows/grade-class.yml (the class's grades of record), one
subcommand per step that needs more than a line of shell. Standard library only: it runs
before the grader is installed.

    python scripts/grade_class.py list  --out class/class.json
    python scripts/grade_class.py fetch --into submissions --meta fetched

`list` finds the class's repositories and splits them into the jobs of a matrix; `fetch`
reads one job's repositories with the read token and writes each submission's files and a
`submission.json` saying which commit was graded (or why none could be). Both take their
settings from the environment, as the workflow sets it:

    SERVER_URL, API_URL   github.server_url, github.api_url. A file:// SERVER_URL is a folder
                          holding one folder per organisation of git repositories (what
                          scripts/replay_grade_class.py uses in place of GitHub).
    GH_TOKEN              the read token (only in the steps that list and fetch).
    CLASS_ORG             the organisation (or user) whose repositories are listed.
    CLASS_PREFIX          the name prefix of the class's repositories (as template copies are
                          named: GitHub Classroom names them `<assignment>-<username>`).
    CLASS_ROSTER          a file of the kit (one `owner/name` or `name` a line), used instead.
    REPOSITORIES          only these (owner/name or name, separated by spaces, commas or lines;
                          `fetch`: a JSON list of owner/name).
    KIT_REPOSITORY        github.repository: the kit itself, never graded.
    DEADLINE              ISO 8601 (`2025-06-30T23:59:00+08:00`; UTC when it names no offset);
                          empty: now.
    LATE                  `grade` (a repository with no commit before the deadline is graded on
                          its last one and marked late) or `skip` (it is not graded).
    JOB_INDEX             `fetch`: the job's number in the matrix (recorded in each
                          submission.json: only that job's report of the student counts).
    PER_JOB               students graded one after another in one job (default 1; raised so
                          that the matrix has at most 256 jobs).

Exit codes: 0 done (a repository that can't be read is a row, not a failure), 2 bad settings.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import math
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

MAX_MATRIX = 256            # GitHub Actions: at most 256 jobs in one matrix
MAX_FILE_BYTES = 1 << 20    # larger files of a submission are not exported (the grader skips them too)
CLONE_TIMEOUT = 300
MINUTES_PER_STUDENT = 15    # the grader stops every call on its own limits; this bounds a stuck job
NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


class Settings(Exception):
    """A setting the workflow was given can't be used; the message says which and why."""


def say(text: str) -> None:
    print(text, flush=True)


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


# ---------------------------------------------------------------- settings

def parse_deadline(text: str) -> datetime | None:
    """The deadline as an aware datetime (UTC when the text names no offset); None for none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise Settings(f"DEADLINE {text!r} is not an ISO 8601 time such as 2025-06-30T23:59:00+08:00") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def iso(when: datetime | None) -> str:
    return "" if when is None else when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def late_policy(text: str) -> str:
    policy = (text or "grade").strip().lower()
    if policy not in ("grade", "skip"):
        raise Settings(f"LATE is {text!r}: it must be grade or skip")
    return policy


def repository(item: str, org: str) -> str:
    """`owner/name` from a roster entry (`owner/name`, `name`, a URL, a trailing .git)."""
    item = item.strip().rstrip("/")
    item = re.sub(r"^(https?://[^/]+/|git@[^:]+:)", "", item)
    item = item[:-4] if item.endswith(".git") else item
    owner, _, name = item.rpartition("/")
    owner = owner or org
    for part in (owner, name):
        if not NAME.fullmatch(part) or part in (".", ".."):
            raise Settings(f"{item!r} is not a repository name (owner/name)")
    return f"{owner}/{name}"


def split_list(text: str) -> list[str]:
    return [item for item in re.split(r"[\s,]+", text or "") if item]


# ---------------------------------------------------------------- listing

def _api(url: str, token: str):
    """GET a GitHub API list, following its pages."""
    found = []
    while url:
        request = urllib.request.Request(url, headers={
            "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "mp-exercises-grade-class", **({"Authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request, timeout=60) as response:
            page = json.load(response)
            link = response.headers.get("Link", "")
        found += page["repositories"] if isinstance(page, dict) else page
        match = re.search(r'<([^>]+)>;\s*rel="next"', link)
        url = match[1] if match else ""
    return found


def list_github(api_url: str, org: str, token: str) -> list[dict]:
    """Every repository of `org` the token can read (an organisation, else a user)."""
    quoted = urllib.parse.quote(org)
    try:
        return _api(f"{api_url}/orgs/{quoted}/repos?type=all&per_page=100", token)
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
    return _api(f"{api_url}/users/{quoted}/repos?type=owner&per_page=100", token)


def list_folder(server: Path, org: str) -> list[dict]:
    """The replay's organisation: the folders of SERVER_URL/ORG."""
    base = server / org
    if not base.is_dir():
        raise Settings(f"no organisation folder {base}")
    return [{"full_name": f"{org}/{p.name}", "name": p.name, "is_template": False}
            for p in sorted(base.iterdir()) if p.is_dir()]


def class_repositories() -> list[str]:
    """owner/name of every repository to grade, sorted, without duplicates."""
    org = env("CLASS_ORG")
    chosen = split_list(env("REPOSITORIES"))
    roster = env("CLASS_ROSTER")
    if chosen:
        found = [repository(item, org) for item in chosen]
    elif roster:
        path = Path(roster)
        if not path.is_file():
            raise Settings(f"CLASS_ROSTER {roster}: no such file in the kit")
        lines = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
        found = [repository(line, org) for line in lines if line]
    else:
        prefix = env("CLASS_PREFIX")
        if not org or not prefix:
            raise Settings("set CLASS_PREFIX (with CLASS_ORG) or CLASS_ROSTER, or give REPOSITORIES")
        server = env("SERVER_URL")
        if server.startswith("file://"):
            listed = list_folder(Path(urllib.parse.urlparse(server).path), org)
        else:
            try:
                listed = list_github(env("API_URL", "https://api.github.com"), org, env("GH_TOKEN"))
            except urllib.error.HTTPError as exc:
                raise Settings(f"listing the repositories of {org} failed: HTTP {exc.code} {exc.reason}. "
                               "Is the read token (secret GRADER_READ_TOKEN, or the GitHub App) set, "
                               "with read access to the organisation's repositories?") from None
        kit = env("KIT_REPOSITORY").lower()
        found = [r["full_name"] for r in listed
                 if r["name"].lower().startswith(prefix.lower()) and not r.get("is_template")
                 and r["full_name"].lower() != kit]
    kit = env("KIT_REPOSITORY").lower()
    return sorted({r for r in found if r.lower() != kit}, key=str.lower)


def plan(repos: list[str], per_job: int) -> list[dict]:
    """The matrix: at most 256 jobs, each grading `per_job` students or more."""
    per_job = max(1, per_job, math.ceil(len(repos) / MAX_MATRIX))
    batches = []
    for start in range(0, len(repos), per_job):
        chunk = repos[start:start + per_job]
        label = chunk[0].split("/", 1)[1] + (f" +{len(chunk) - 1}" if len(chunk) > 1 else "")
        batches.append({"index": len(batches) + 1, "label": label, "repos": chunk,
                        "minutes": 10 + MINUTES_PER_STUDENT * len(chunk)})
    return batches


def output(**values: str) -> None:
    """Step outputs ($GITHUB_OUTPUT), one line each."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            assert "\n" not in value
            handle.write(f"{name}={value}\n")


def cmd_list(args) -> int:
    deadline = parse_deadline(env("DEADLINE"))
    late = late_policy(env("LATE"))
    try:
        per_job = int(env("PER_JOB", "1"))
    except ValueError:
        raise Settings(f"PER_JOB {env('PER_JOB')!r} is not a whole number") from None
    repos = class_repositories()
    batches = plan(repos, per_job)
    data = {"deadline": iso(deadline), "late": late, "repositories": repos, "jobs": len(batches),
            "listed_at": iso(datetime.now(timezone.utc))}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    matrix = [{k: b[k] for k in ("index", "label", "repos", "minutes")} for b in batches]
    output(matrix=json.dumps(matrix, separators=(",", ":")), jobs=str(len(batches)), count=str(len(repos)),
           deadline=iso(deadline), late=late)
    per = len(batches[0]["repos"]) if batches else 0
    say(f"{len(repos)} repositories to grade in {len(batches)} job(s) of up to {per}; "
        f"deadline {iso(deadline) or 'none (the newest commit)'}; late work: {late}")
    for name in repos:
        say(f"  {name}")
    return 0


# ---------------------------------------------------------------- fetching

def git_env(server: str, token: str) -> dict:
    """git's environment: never a prompt; the token as an HTTP header (as actions/checkout
    passes it), through the environment, never in a URL, a command line or a config file."""
    environment = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="/bin/true", GCM_INTERACTIVE="never")
    environment.pop("GH_TOKEN", None)
    if token and server.startswith("https://"):
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        environment.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0=f"http.{server}/.extraheader",
                           GIT_CONFIG_VALUE_0=f"AUTHORIZATION: basic {basic}")
    return environment


def _git(repo: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=CLONE_TIMEOUT,
                          stdin=subprocess.DEVNULL, **kw)


def _reason(stderr: bytes, token: str) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    first = next((line for line in lines if line.lower().startswith(("fatal:", "error:"))), None)
    text = (first or (lines[-1] if lines else "git failed"))[:300]
    return text.replace(token, "***") if token else text


def export(bare: Path, commit: str, target: Path) -> int:
    """The regular files of `commit` (no symbolic link, nothing over 1 MiB) into `target`."""
    archive = subprocess.run(["git", "-C", str(bare), "archive", "--format=tar", commit], capture_output=True,
                             timeout=CLONE_TIMEOUT, stdin=subprocess.DEVNULL, check=True).stdout
    written = 0
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if not member.isreg() or member.size > MAX_FILE_BYTES or member.name.startswith("/") \
                    or ".." in parts or not parts:
                continue
            path = target.joinpath(*parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(tar.extractfile(member).read())
            if member.mode & 0o100:
                path.chmod(0o755)
            written += 1
    return written


def fetch_one(repo: str, *, server: str, token: str, deadline: datetime | None, late: str,
              into: Path, meta: Path, job: int = 0) -> dict:
    """Fetch one repository; returns (and writes as META/owner/name/submission.json) what
    was graded: status fetched, late_skipped, empty or clone_failed."""
    record = {"repository": repo, "status": "", "commit": "", "commit_time": "", "late": False,
              "commits_after_deadline": 0, "detail": "", "deadline": iso(deadline),
              "fetched_at": iso(datetime.now(timezone.utc)), "job": job}
    with tempfile.TemporaryDirectory(prefix="grade-class-") as tmp:
        bare = Path(tmp) / "repo.git"
        clone = subprocess.run(["git", "-c", "credential.helper=", "clone", "--quiet", "--bare", "--no-tags",
                                f"{server}/{repo}", str(bare)], capture_output=True, env=git_env(server, token),
                               timeout=CLONE_TIMEOUT, stdin=subprocess.DEVNULL)
        if clone.returncode != 0:
            record.update(status="clone_failed", detail=_reason(clone.stderr, token))
        else:
            log = _git(bare, "log", "--first-parent", "--format=%H %ct", "HEAD")
            history = [line.split() for line in log.stdout.decode().splitlines() if line.strip()]
            if log.returncode != 0 or not history:
                record.update(status="empty", detail=_reason(log.stderr, token) if log.returncode else "")
            else:
                limit = deadline.timestamp() if deadline else math.inf
                index = next((i for i, (_, ct) in enumerate(history) if int(ct) <= limit), None)
                if index is None:
                    index = 0
                    record["late"] = True
                commit, ct = history[index]
                record.update(commit=commit, commit_time=iso(datetime.fromtimestamp(int(ct), timezone.utc)),
                              commits_after_deadline=index if not record["late"] else len(history))
                if record["late"] and late == "skip":
                    record["status"] = "late_skipped"
                else:
                    target = into.joinpath(*repo.split("/"))
                    target.mkdir(parents=True, exist_ok=True)
                    export(bare, commit, target)
                    record["status"] = "fetched"
    folder = meta.joinpath(*repo.split("/"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "submission.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def cmd_fetch(args) -> int:
    server = env("SERVER_URL", "https://github.com").rstrip("/")
    token = env("GH_TOKEN")
    deadline = parse_deadline(env("DEADLINE"))
    late = late_policy(env("LATE"))
    try:
        repos = json.loads(env("REPOSITORIES", "[]"))
        repos = [repository(r, "") for r in repos]
    except (ValueError, TypeError):
        raise Settings("REPOSITORIES must be a JSON list of owner/name") from None
    if not token and server.startswith("https://"):
        say("::warning title=No read token::Neither the secret GRADER_READ_TOKEN nor a GitHub App is set: "
            "only public repositories can be read.")
    into, meta = Path(args.into), Path(args.meta)
    job = int(env("JOB_INDEX", "0")) if env("JOB_INDEX", "0").isdigit() else 0
    for repo in repos:
        began = time.monotonic()
        record = fetch_one(repo, server=server, token=token, deadline=deadline, late=late, into=into, meta=meta,
                           job=job)
        what = {"fetched": f"commit {record['commit'][:12]} of {record['commit_time']}"
                           + (" (late: no commit before the deadline)" if record["late"] else ""),
                "late_skipped": "not graded: no commit before the deadline (LATE=skip)",
                "empty": "not graded: the repository has no commit",
                "clone_failed": f"could not be cloned: {record['detail']}"}[record["status"]]
        say(f"{repo}: {what} [{time.monotonic() - began:.1f} s]")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("list", help="list the class's repositories and plan the matrix")
    sub.add_argument("--out", required=True, help="where to write class.json")
    sub.set_defaults(handler=cmd_list)
    sub = commands.add_parser("fetch", help="fetch one job's repositories at their graded commit")
    sub.add_argument("--into", required=True, help="folder of the submissions' files (owner/name/...)")
    sub.add_argument("--meta", required=True, help="folder of each submission.json (owner/name/...)")
    sub.set_defaults(handler=cmd_fetch)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except Settings as exc:
        say(f"::error title=grade-class settings::{exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
