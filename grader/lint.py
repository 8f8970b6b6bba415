"""Static checks of the kit (the first step of `grader verify`): every catalog exercise has
its files, the stub equals the copy `grader reset` restores and has a TODO, the hints and
contract are there, test modules don't import pytest and name only messages that exist, and
no stray files sit in exercises/, solutions/, grader/stubs/ or the corpus."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from grader import corpus
from grader.catalog import Catalog, Exercise
from grader.text import has, t

ALLOWED_EXTRA = ("__init__.py", "__pycache__")


def _same_text(a: Path, b: Path) -> bool:
    def norm(path):
        return path.read_bytes().replace(b"\r\n", b"\n")
    return norm(a) == norm(b)


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
    if not exercise.title.strip():
        problems.append(t("verify.lint.no_title"))
    if exercise.points <= 0 or exercise.time_limit <= 0:
        problems.append(t("verify.lint.bad_numbers", points=exercise.points, limit=exercise.time_limit))
    if not exercise.contract:
        problems.append(t("verify.lint.no_contract"))
    if not [h for h in exercise.hints if h.strip()]:
        problems.append(t("verify.lint.no_hint"))
    for path in (exercise.stub, exercise.solution, exercise.test_module, exercise.pristine):
        if not path.is_file():
            problems.append(t("verify.lint.missing", file=relative(catalog, path)))
    if exercise.stub.is_file() and exercise.pristine.is_file() and not _same_text(exercise.stub, exercise.pristine):
        problems.append(t("verify.lint.stub_differs", stub=relative(catalog, exercise.stub),
                          pristine=relative(catalog, exercise.pristine)))
    stub = exercise.stub if exercise.stub.is_file() else exercise.pristine
    if stub.is_file() and "TODO" not in stub.read_text(encoding="utf-8", errors="replace"):
        problems.append(t("verify.lint.no_todo", file=relative(catalog, stub)))
    if exercise.test_module.is_file():
        problems.extend(_test_module_problems(exercise))
    return problems


def stray_files(catalog: Catalog) -> list[str]:
    """Files in exercises/, solutions/ and grader/stubs/ that no catalog exercise owns,
    and corpus files verify would skip."""
    names = {e.name for e in catalog.exercises}
    found = []
    stubs_dir = catalog.exercises[0].pristine.parent if catalog.exercises else None
    for folder, suffix in ((catalog.root / "exercises", ".py"), (catalog.root / "solutions", ".py"),
                           (stubs_dir, ".py.txt")):
        if folder is None or not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name in ALLOWED_EXTRA or entry.name.upper().startswith("README"):
                continue
            if entry.is_file() and entry.name.endswith(suffix) and entry.name[: -len(suffix)] in names:
                continue
            found.append(relative(catalog, entry))
    found.extend(corpus.strays(catalog))
    return found
