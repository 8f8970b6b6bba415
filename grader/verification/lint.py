"""Static checks of the kit (the first step of `grader verify`): every catalog exercise has
its files and a message file in every language with its title and hints, the stub is the
one its solution makes (not stale) and has a TODO, the contract is there, test modules don't
import pytest and name only messages that exist, and no stray files sit in exercises/,
solutions/ or the corpus."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from grader import text
from grader.course import stubs
from grader.course.catalog import Catalog, Exercise
from grader.text import has, t
from grader.verification import corpus

ALLOWED_EXTRA = ("__init__.py", "__pycache__")


def relative(catalog: Catalog, path: Path) -> str:
    """The path as shown to maintainers: relative to the kit when inside it."""
    try:
        return path.relative_to(catalog.root).as_posix()
    except ValueError:
        return str(path)


def _test_module_problems(exercise: Exercise) -> list[str]:
    """Static checks of a test module: it parses, does not import pytest (the sandbox
    imports it), and every message key and mistake id it names exists in the locale."""
    path = exercise.test_module
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError, OSError) as exc:
        return [t("verify.lint.test_unreadable", file=path.name, error=str(exc))]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "pytest" for a in node.names):
            problems.append(t("verify.lint.imports_pytest", file=path.name, line=node.lineno))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pytest":
            problems.append(t("verify.lint.imports_pytest", file=path.name, line=node.lineno))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name != "fail":
            continue
        if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            key = node.args[1].value
            if not has(key):
                problems.append(t("verify.lint.unknown_key", file=path.name, line=node.lineno, name=key))
        for keyword in node.keywords:
            if keyword.arg == "mistake" and isinstance(keyword.value, ast.Constant) \
                    and isinstance(keyword.value.value, str) and not has(f"mistake.{keyword.value.value}"):
                problems.append(t("verify.lint.unknown_mistake", file=path.name, line=node.lineno,
                                  mistake=keyword.value.value))
    return problems


def lint_exercise(catalog: Catalog, exercise: Exercise) -> list[str]:
    """What is wrong with one exercise's catalog entry and files (empty when nothing)."""
    problems = []
    if not re.fullmatch(r"\d\d", exercise.id):
        problems.append(t("verify.lint.bad_id", id=exercise.id))
    if not re.fullmatch(r"[a-z][a-z0-9_]*", exercise.slug):
        problems.append(t("verify.lint.bad_slug", slug=exercise.slug))
    if exercise.points <= 0 or exercise.time_limit <= 0:
        problems.append(t("verify.lint.bad_numbers", points=exercise.points, limit=exercise.time_limit))
    if not exercise.contract:
        problems.append(t("verify.lint.no_contract"))
    for path in (exercise.work_file, exercise.solution, exercise.test_module):
        if not path.is_file():
            problems.append(t("verify.lint.missing", file=relative(catalog, path)))
    problems += _message_problems(catalog, exercise)
    problems += _stub_problems(catalog, exercise)
    if exercise.test_module.is_file():
        problems.extend(_test_module_problems(exercise))
    return problems


def _message_problems(catalog: Catalog, exercise: Exercise) -> list[str]:
    """Each language has the exercise's message file, with a title and at least one hint,
    and the file holds only its own table and mistakes."""
    problems = []
    own = f"ex{exercise.id}"
    for lang in text.LANGUAGES:
        path = exercise.messages(lang)
        try:
            data = text.read_catalog(path)
        except FileNotFoundError:
            problems.append(t("verify.lint.missing", file=relative(catalog, path)))
            continue
        except (OSError, ValueError) as exc:
            problems.append(t("verify.lint.test_unreadable", file=relative(catalog, path), error=str(exc)))
            continue
        table = data.get(own, {})
        if not str(table.get("title", "")).strip():
            problems.append(t("verify.lint.no_title", file=relative(catalog, path)))
        hints = table.get("hints", [])
        if not isinstance(hints, list) or not [h for h in hints if str(h).strip()]:
            problems.append(t("verify.lint.no_hint", file=relative(catalog, path)))
        foreign = sorted(set(data) - {own, "mistake"})
        if foreign:
            problems.append(t("verify.lint.foreign_tables", file=relative(catalog, path),
                              tables=", ".join(foreign), own=own))
    return problems


def _stub_problems(catalog: Catalog, exercise: Exercise) -> list[str]:
    """The stub in exercises/ is the one its solution makes, and has a TODO."""
    try:
        made = stubs.make_stub(exercise.solution.read_text(encoding="utf-8"))
    except OSError:
        return []
    except stubs.StubError as exc:
        return [t("verify.lint.bad_markers", file=relative(catalog, exercise.solution), error=str(exc))]
    problems = []
    try:
        shipped = exercise.work_file.read_bytes()
    except OSError:
        shipped = None
    if shipped is not None and not stubs.same_text(shipped, made.encode("utf-8")):
        problems.append(t("verify.lint.stub_stale", stub=relative(catalog, exercise.work_file),
                          solution=relative(catalog, exercise.solution)))
    if "TODO" not in made:
        problems.append(t("verify.lint.no_todo", file=relative(catalog, exercise.solution)))
    for line, code in giveaways(exercise.solution.read_text(encoding="utf-8"), made):
        problems.append(t("verify.lint.stub_gives_away", file=relative(catalog, exercise.solution),
                          line=line, code=code))
    return problems


# A solution line that is one word (`break`, `else:`, `pass`) says nothing on its own.
_TRIVIAL = re.compile(r"^[\w.]+:?$|^[)\]}]+,?$")


def _comments(stub: str) -> list[tuple[int, str]]:
    """The comments of a stub, a run of comment lines joined into one text (a line of code
    split over two comment lines is still found): (first line number, text)."""
    found: list[tuple[int, str]] = []
    start, parts = None, []
    for number, line in enumerate(stub.splitlines() + [""], start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            if start is None:
                start = number
            parts.append(stripped.lstrip("#").strip())
            continue
        if start is not None:
            found.append((start, " ".join(parts)))
            start, parts = None, []
    return found


def giveaways(solution: str, stub: str) -> list[tuple[int, str]]:
    """Each (stub line, solution code) where a comment of the stub holds a whole line of
    the solution's code (grader.course.stubs.solution_lines), spaces aside: a TODO says
    what the code must achieve, never the code that achieves it."""
    def normal(text: str) -> str:
        return " ".join(text.replace("``", "`").split())

    code = {normal(line) for line in stubs.solution_lines(solution) if not _TRIVIAL.match(line)}
    found = []
    for number, comment in _comments(stub):
        text = normal(comment)
        for line in sorted(code):
            if re.search(r"(?<![\w.])" + re.escape(line) + r"(?!\w)", text):
                found.append((number, line))
    return found


def stray_files(catalog: Catalog) -> list[str]:
    """Files in exercises/, solutions/ and tests/messages/ that no catalog exercise owns,
    and corpus files verify would skip."""
    names = {e.name for e in catalog.exercises}
    found = []
    for lang in text.LANGUAGES:
        for entry in sorted(catalog.root.joinpath(*text.MESSAGES_DIR).glob(f"*.{lang}.toml")):
            stem = entry.name[: -len(f".{lang}.toml")]
            if stem not in names and stem != "course":
                found.append(relative(catalog, entry))
    for folder, suffix in ((catalog.root / "exercises", ".py"), (catalog.root / "solutions", ".py")):
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name in ALLOWED_EXTRA or entry.name.upper().startswith("README"):
                continue
            if entry.is_file() and entry.name.endswith(suffix) and entry.name[: -len(suffix)] in names:
                continue
            found.append(relative(catalog, entry))
    found.extend(corpus.strays(catalog))
    return found
