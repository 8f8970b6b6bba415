"""The corpus of submissions (tests/submissions/NN_slug/): whole files a student could hand
in, each saying in its docstring what the tests must make of it. `grader verify` runs the
exercise's tests against every one and judges the outcomes here.

    \"\"\"Wrong: the target is a lambda.

    mistake: pickle_function
    wrong-under: spawn forkserver
    message-contains: lambda; top level
    \"\"\"

A `wrong_*.py` file is *caught* when, under every start method in `wrong-under` (that this
platform has), at least one test fails, times out or errors; it has *the right message*
when every `message-contains` phrase (case-insensitive, `;`-separated) appears in the
failure messages under each of those methods. A `right_*.py` file (`\"\"\"Right: ...`, no
fields needed) is *accepted* when every test passes under every start method.

Parsing and judging are pure functions (the tool's own tests cover them); `run` does the
sandboxed part through grader.checker.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import shutil
import tempfile
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalog import Catalog, Exercise
from grader.results import Status
from grader.sandbox.methods import START_METHODS
from grader.text import LANGUAGES, has, raw, t

WRONG, RIGHT = "wrong", "right"
FAILED = Status.FAILED
PASSED = Status.OK
FIELDS = ("mistake", "wrong-under", "message-contains")
CORPUS_DIR = ("tests", "submissions")
CORPUS_LANG = "en"      # the language of every `message-contains` phrase
# What may sit in a corpus folder besides submissions.
IGNORED = ("__pycache__", "__init__.py", "README.md", "README.txt", "README")


class HeaderError(ValueError):
    """A submission's docstring does not follow the corpus format."""


@dataclass(frozen=True)
class Header:
    """What a submission's docstring declares."""

    kind: str                               # wrong or right
    summary: str                            # the rest of the first line
    mistake: str | None = None
    wrong_under: tuple[str, ...] = ()
    message_contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submission:
    exercise: Exercise
    path: Path
    header: Header | None
    error: str = ""                         # why the header could not be read

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind(self) -> str:
        return self.header.kind if self.header else (RIGHT if self.name.startswith("right_") else WRONG)


@dataclass
class Verdict:
    """How the tests treated one submission."""

    name: str
    kind: str
    caught: bool = False           # wrong: some test failed under every wrong-under method
    right_message: bool = False    # wrong: ... and the messages held every phrase
    accepted: bool = False         # right: every test passed under every method
    skipped: str = ""              # not judged here (no wrong-under method on this platform)
    problems: list = field(default_factory=list)   # why it is not ok, one line each
    notes: list = field(default_factory=list)      # worth a look, but not a failure
    duration: float = 0.0
    methods: tuple = ()            # the methods it was judged under

    @property
    def ok(self) -> bool:
        if self.skipped:
            return True
        if self.kind == WRONG:
            return self.caught and self.right_message
        return self.accepted


# --------------------------------------------------------------------------- parsing

def docstring(source: str) -> str | None:
    """The module docstring, read with the tokenizer so that a submission which is wrong
    on purpose (a syntax error further down) still has its header read."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        for token in tokens:
            if token.type in (tokenize.ENCODING, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT,
                              tokenize.INDENT, tokenize.DEDENT):
                continue
            if token.type != tokenize.STRING:
                return None
            value = ast.literal_eval(token.string)
            return value if isinstance(value, str) else None
    except (tokenize.TokenError, SyntaxError, ValueError, IndentationError):
        return None
    return None


def _split_methods(text: str) -> tuple[str, ...]:
    return tuple(m for m in re.split(r"[\s,]+", text.strip()) if m)


def _split_phrases(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(";") if p.strip())


def parse_header(source: str, filename: str = "") -> Header:
    """Read the docstring of a submission; HeaderError says what is wrong with it.

    The first line is `Wrong: <the mistake in plain words>` or `Right: <the style>`; a
    wrong one then needs the fields `mistake:`, `wrong-under:` and `message-contains:`
    (each on its own line; an indented line continues the field above it). Other lines
    are free prose. When `filename` is given, its prefix (wrong_/right_) must agree."""
    doc = docstring(source)
    if doc is None:
        raise HeaderError(t("verify.corpus.header_no_docstring"))
    lines = inspect.cleandoc(doc).splitlines()
    first = lines[0].strip() if lines else ""
    match = re.match(r"(wrong|right)\s*:\s*(.*)$", first, re.IGNORECASE)
    if not match:
        raise HeaderError(t("verify.corpus.header_first_line", got=first[:80]))
    kind = match.group(1).lower()
    summary = match.group(2).strip()
    stem = Path(filename).name
    if stem and not stem.startswith(f"{kind}_"):
        raise HeaderError(t("verify.corpus.header_kind_mismatch", kind=match.group(1), file=stem))

    values: dict[str, str] = {}
    current = None
    for line in lines[1:]:
        found = re.match(r"([A-Za-z][A-Za-z-]*)\s*:\s*(.*)$", line)
        key = found.group(1).lower() if found else None
        if key in FIELDS:
            if key in values:
                raise HeaderError(t("verify.corpus.header_repeated", field=key))
            values[key] = found.group(2).strip()
            current = key
        elif current and line[:1].isspace() and line.strip():
            values[current] += " " + line.strip()
        else:
            current = None

    if kind == RIGHT:
        return Header(kind=RIGHT, summary=summary)

    missing = [f for f in FIELDS if not values.get(f, "").strip()]
    if missing:
        raise HeaderError(t("verify.corpus.header_missing", fields=", ".join(missing)))
    mistake = values["mistake"].split()[0]
    methods = _split_methods(values["wrong-under"])
    unknown = [m for m in methods if m not in START_METHODS]
    if unknown:
        raise HeaderError(t("verify.corpus.header_bad_method", got=" ".join(unknown),
                            known=" ".join(START_METHODS)))
    phrases = _split_phrases(values["message-contains"])
    if not phrases:
        raise HeaderError(t("verify.corpus.header_missing", fields="message-contains"))
    return Header(kind=WRONG, summary=summary, mistake=mistake, wrong_under=methods,
                  message_contains=phrases)


def check_mistake(header: Header) -> str:
    """An empty string, or why the header's mistake id is not one the kit knows."""
    if header.kind == WRONG and header.mistake and not has(f"mistake.{header.mistake}"):
        return t("verify.corpus.header_unknown_mistake", mistake=header.mistake)
    return ""


# --------------------------------------------------------------------------- finding

def folder(catalog: Catalog, exercise: Exercise) -> Path:
    return catalog.root.joinpath(*CORPUS_DIR, exercise.name)


def discover(catalog: Catalog, exercise: Exercise) -> list[Submission] | None:
    """The exercise's submissions, wrong ones first (None when it has no corpus folder)."""
    where = folder(catalog, exercise)
    if not where.is_dir():
        return None
    found = []
    for path in sorted(where.glob("*.py"), key=lambda p: (not p.name.startswith("wrong_"), p.name)):
        if not (path.name.startswith("wrong_") or path.name.startswith("right_")):
            continue
        try:
            source = path.read_text(encoding="utf-8")
            header = parse_header(source, path.name)
            problem = check_mistake(header)
            if problem:
                raise HeaderError(problem)
            found.append(Submission(exercise, path, header))
        except (HeaderError, OSError, UnicodeDecodeError) as exc:
            found.append(Submission(exercise, path, None, error=str(exc)))
    return found


def strays(catalog: Catalog) -> list[str]:
    """Files and folders in the corpus that verify would silently skip."""
    base = catalog.root.joinpath(*CORPUS_DIR)
    if not base.is_dir():
        return []
    names = {e.name for e in catalog.exercises}
    found = []
    for entry in sorted(base.iterdir()):
        rel = entry.relative_to(catalog.root).as_posix()
        if entry.name in IGNORED:
            continue
        if not entry.is_dir() or entry.name not in names:
            found.append(rel)
            continue
        for inner in sorted(entry.iterdir()):
            if inner.name in IGNORED:
                continue
            if not (inner.is_file() and inner.suffix == ".py"
                    and inner.name.startswith(("wrong_", "right_"))):
                found.append(inner.relative_to(catalog.root).as_posix())
    return found


# --------------------------------------------------------------------------- judging

def shorten(text: str, limit: int = 160) -> str:
    """One line, at most `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _gist(message: str) -> str:
    """A failure message without its first line (`Called ...`, the same for every test)."""
    prefixes = [(raw("runner.called", lang) or "").split("{")[0] for lang in LANGUAGES]
    lines = message.strip().splitlines()
    if len(lines) > 1 and any(prefix and lines[0].startswith(prefix) for prefix in prefixes):
        lines = lines[1:]
    return "\n".join(lines)


def under(outcomes: list[dict], method: str) -> list[dict]:
    """The outcomes of tests run under `method` (a test run once for all methods counts too)."""
    return [o for o in outcomes if o.get("start_method") in (method, None)]


def said(outcomes: list[dict], limit: int = 3, width: int = 150) -> str:
    """What the failing tests among `outcomes` said, shortened: `test: message | ...`."""
    parts, seen = [], set()
    for outcome in outcomes:
        if outcome.get("status") not in FAILED:
            continue
        gist = shorten(_gist(outcome.get("message") or outcome.get("status", "")), width)
        if gist in seen:
            continue
        seen.add(gist)
        parts.append(f"{outcome.get('test')}: {gist}")
    more = len(parts) - limit
    text = " | ".join(parts[:limit])
    return text + (t("verify.corpus.and_more", count=more) if more > 0 else "")


def judge(header: Header, outcomes: list[dict], methods: tuple[str, ...] | list[str], *,
          exit_code: int = 0, log: str = "", name: str = "") -> Verdict:
    """Judge one submission from the outcomes of its test run (the dicts the grader
    plugin writes: test, start_method, status, message). `methods` are the start methods
    available here, which the run used."""
    verdict = Verdict(name=name, kind=header.kind)
    methods = tuple(methods)
    if not outcomes:
        verdict.problems.append(t("verify.corpus.no_tests", code=exit_code,
                                  log=shorten(log.strip().splitlines()[-1] if log.strip() else "", 200)))
        return verdict

    if header.kind == RIGHT:
        verdict.methods = methods
        bad = [o for o in outcomes if o.get("status") not in PASSED]
        for outcome in bad[:3]:
            verdict.problems.append(t(
                "verify.corpus.right_failed", test=outcome.get("test"),
                method=outcome.get("start_method") or "-", status=outcome.get("status"),
                message=shorten(_gist(outcome.get("message", "")), 200)))
        if len(bad) > 3:
            verdict.problems.append(t("verify.corpus.more_failures", count=len(bad) - 3))
        missing = [m for m in methods if not under(outcomes, m)]
        for method in missing:
            verdict.problems.append(t("verify.corpus.no_tests_under", method=method))
        if not bad and not missing and exit_code != 0:
            verdict.problems.append(t("verify.corpus.exit_code", code=exit_code,
                                      log=shorten(log.strip().splitlines()[-1] if log.strip() else "", 200)))
        verdict.accepted = not verdict.problems
        return verdict

    wanted = tuple(m for m in header.wrong_under if m in methods)
    verdict.methods = wanted
    if not wanted:
        verdict.skipped = t("verify.corpus.no_method_here", methods=" ".join(header.wrong_under))
        return verdict
    caught, right_message = True, True
    for method in wanted:
        mine = under(outcomes, method)
        failed = [o for o in mine if o.get("status") in FAILED]
        if not mine:
            caught = False
            verdict.problems.append(t("verify.corpus.no_tests_under", method=method))
            continue
        if not failed:
            caught = False
            verdict.problems.append(t("verify.corpus.not_caught", method=method, count=len(mine)))
            continue
        text = _normal("\n".join(o.get("message", "") for o in failed))
        lacking = [p for p in header.message_contains if _normal(p) not in text]
        if lacking:
            right_message = False
            verdict.problems.append(t(
                "verify.corpus.wrong_message", method=method,
                phrases="; ".join(f'"{p}"' for p in lacking), said=said(failed)))
    extra = [m for m in methods if m not in header.wrong_under
             and any(o.get("status") in FAILED for o in under(outcomes, m))]
    if extra:
        verdict.notes.append(t("verify.corpus.also_fails", methods=" ".join(extra)))
    verdict.caught = caught
    verdict.right_message = caught and right_message
    return verdict


# --------------------------------------------------------------------------- running

def run(catalog: Catalog, submission: Submission, methods: tuple[str, ...] | list[str]) -> Verdict:
    """Run the exercise's tests against the submission (copied as NN_slug.py into a temp
    folder) under every method in `methods`, and judge the outcome."""
    from grader.grading import checker

    started = time.monotonic()
    if submission.header is None:
        verdict = Verdict(name=submission.name, kind=submission.kind)
        verdict.problems.append(t("verify.corpus.bad_header", error=submission.error))
        return verdict
    with tempfile.TemporaryDirectory(prefix="grader-corpus-") as tmp:
        shutil.copyfile(submission.path, Path(tmp) / f"{submission.exercise.name}.py")
        # In English whatever the maintainer's language: `message-contains` phrases are English.
        code, data, log = checker.run_pytest(catalog, [submission.exercise], exercises_dir=Path(tmp),
                                             methods=list(methods), lang=CORPUS_LANG)
    outcomes = [o for o in data.get("outcomes", []) if o.get("exercise") == submission.exercise.id]
    verdict = judge(submission.header, outcomes, methods, exit_code=code, log=log, name=submission.name)
    verdict.duration = time.monotonic() - started
    return verdict
