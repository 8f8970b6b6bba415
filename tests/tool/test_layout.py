"""The grader package keeps the layers grader/__init__.py lists, and has no import cycle."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "grader"

# Each module or subpackage, by layer (grader/__init__.py says why).
LAYERS = [
    {"text", "results"},
    {"course"},
    {"sandbox"},
    {"diagnosis", "testing", "probes"},
    {"grading"},
    {"output"},
    {"verification"},
    {"cli", "__main__", "watch"},
]


def _unit(module: str) -> str:
    """`grader.sandbox.spy` -> `sandbox`; `grader.text` -> `text`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(unit: str) -> int:
    for index, units in enumerate(LAYERS):
        if unit in units:
            return index
    raise AssertionError(f"grader.{unit} is in no layer of grader/__init__.py")


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _imports(name: str, path: Path) -> set[str]:
    """The grader modules a module imports (at any depth of the file)."""
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Imports only type checkers read (`if TYPE_CHECKING:`) are no dependency at run time.
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("grader")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grader"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists()
                          or (PACKAGE.parent / candidate.replace(".", "/")).is_dir() else node.module)
    return {m for m in found if m != "grader"}


def test_every_module_imports_only_its_layer_and_the_ones_above():
    wrong = []
    for name, path in _modules():
        if name == "grader":
            continue
        mine = _layer(_unit(name))
        for target in _imports(name, path):
            if _layer(_unit(target)) > mine:
                wrong.append(f"{name} imports {target}")
    assert not wrong


def test_no_import_cycle():
    graph = {name: {t for t in _imports(name, path)} for name, path in _modules()}
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for target in graph.get(node, ()):
            visit(target)
        stack.pop()

    for node in graph:
        visit(node)
    assert not cycles, cycles[:3]
