"""The exercise catalog (`catalog.toml` at the kit's root) and where the kit's files are.

Every command reads exercises from here, so ids, points and limits live in one place; an
exercise's words (title, hints) come from its message files through grader.text.
May import: grader.text.
"""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from grader import text

CATALOG_FILE = "catalog.toml"
FORMAT_VERSION = 1
LIMITS = ("time_limit", "max_processes", "memory_mb", "output_kb")


class CatalogError(Exception):
    """The catalog is missing or malformed, or an exercise id is unknown."""


@dataclass(frozen=True)
class Signature:
    """One line of an exercise's contract, e.g. `start_worker(sec, name, *, use_kwargs=False)`."""

    text: str
    owner: str | None  # the class for `Cls.method(...)`, else None
    name: str
    params: tuple[tuple[str, str, str | None], ...]  # (name, kind, default source)

    @classmethod
    def parse(cls, text: str) -> "Signature":
        head, _, rest = text.partition("(")
        owner, _, name = head.strip().rpartition(".")
        tree = ast.parse(f"def _f({rest.rstrip()[:-1]}): pass")
        args = tree.body[0].args
        params: list[tuple[str, str, str | None]] = []
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for arg, default in zip(positional, defaults):
            params.append((arg.arg, "positional", ast.unparse(default) if default else None))
        if args.vararg:
            params.append((args.vararg.arg, "var_positional", None))
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            params.append((arg.arg, "keyword_only", ast.unparse(default) if default else None))
        if args.kwarg:
            params.append((args.kwarg.arg, "var_keyword", None))
        return cls(text=text, owner=owner or None, name=name, params=tuple(params))


@dataclass(frozen=True)
class Exercise:
    """One exercise as the catalog declares it."""

    id: str
    slug: str
    points: float
    time_limit: float
    max_processes: int
    memory_mb: int
    output_kb: int
    contract: tuple[Signature, ...]
    root: Path = field(compare=False)

    @property
    def name(self) -> str:
        """`03_pool_squares`: the stem of the exercise's files and its module name."""
        return f"{self.id}_{self.slug}"

    @property
    def title(self) -> str:
        """One line, in the user's language (from the exercise's message file)."""
        key = f"ex{self.id}.title"
        return text.t(key) if text.has(key) else self.slug.replace("_", " ")

    @property
    def hints(self) -> tuple[str, ...]:
        """The hints `grader hint` shows one at a time, in the user's language."""
        return tuple(text.t_list(f"ex{self.id}.hints"))

    @property
    def work_file(self) -> Path:
        """The file the student edits: exercises/NN_slug.py."""
        return self.root / "exercises" / f"{self.name}.py"

    @property
    def solution(self) -> Path:
        """The reference solution, and the one source the stub is made from."""
        return self.root / "solutions" / f"{self.name}.py"

    @property
    def test_module(self) -> Path:
        return self.root / "tests" / f"test_{self.name}.py"

    def messages(self, lang: str) -> Path:
        """The exercise's message file in one language."""
        return self.root.joinpath(*text.MESSAGES_DIR, f"{self.name}.{lang}.toml")

    def matches(self, key: str) -> bool:
        """True when `key` names this exercise: `3`, `03`, `pool_squares` or `03_pool_squares`."""
        key = key.strip().lower().removesuffix(".py")
        if key.isdigit():
            return int(key) == int(self.id)
        return key in (self.slug, self.name, f"test_{self.name}")


@dataclass(frozen=True)
class Catalog:
    """All exercises, in course order."""

    root: Path
    exercises: tuple[Exercise, ...]
    defaults: dict = field(default_factory=dict, compare=False)   # the [defaults] limits

    def find(self, key: str) -> Exercise:
        """The exercise `key` names; CatalogError listing the valid ids when none does."""
        for exercise in self.exercises:
            if exercise.matches(key):
                return exercise
        raise CatalogError(key)

    def select(self, keys: list[str]) -> list[Exercise]:
        """The exercises the keys name, in course order; all of them for no keys."""
        if not keys:
            return list(self.exercises)
        chosen = {self.find(key).id for key in keys}
        return [e for e in self.exercises if e.id in chosen]

    def for_test_file(self, path: str | os.PathLike) -> Exercise | None:
        """The exercise whose test module is `path`, if any."""
        stem = Path(path).stem
        for exercise in self.exercises:
            if stem == f"test_{exercise.name}":
                return exercise
        return None


def find_root(start: Path | None = None) -> Path:
    """The kit's root: the nearest folder holding catalog.toml, from `start` (or the
    working directory) upwards, else the folder this package was installed from."""
    env = os.environ.get("GRADER_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CATALOG_FILE).is_file():
            return folder
    return Path(__file__).resolve().parent.parent


def load(root: Path | None = None) -> Catalog:
    """Read and check the catalog of the kit at `root` (found with find_root by default)."""
    root = root or find_root()
    path = root / CATALOG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"no {CATALOG_FILE} in {root}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: {exc}") from None
    if data.get("format_version") != FORMAT_VERSION:
        raise CatalogError(f"{path}: format_version must be {FORMAT_VERSION}")
    defaults = data.get("defaults", {})
    lacking = [key for key in LIMITS if key not in defaults]
    if lacking:
        raise CatalogError(f"{path}: [defaults] must set {', '.join(lacking)}")
    exercises = []
    for entry in data.get("exercises", []):
        limits = {key: entry.get(key, defaults[key]) for key in LIMITS}
        try:
            exercises.append(
                Exercise(
                    id=str(entry["id"]),
                    slug=entry["slug"],
                    points=float(entry["points"]),
                    time_limit=float(limits["time_limit"]),
                    max_processes=int(limits["max_processes"]),
                    memory_mb=int(limits["memory_mb"]),
                    output_kb=int(limits["output_kb"]),
                    contract=tuple(Signature.parse(s) for s in entry.get("contract", [])),
                    root=root,
                )
            )
        except KeyError as exc:
            raise CatalogError(f"{path}: an exercise lacks {exc.args[0]!r}") from None
    ids = [e.id for e in exercises]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{path}: exercise ids must be unique, got {ids}")
    text.use_kit(root)
    return Catalog(root=root, exercises=tuple(exercises), defaults={k: defaults[k] for k in LIMITS})
