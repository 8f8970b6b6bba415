"""`grader new NN slug "Title"`: a new exercise's files, so that `grader verify` runs at once.

It writes the exercise's own files and appends one block to catalog.toml, nothing else: the
one-source solution (its solution block marked as still to be written), the stub made from
it, a test module with one scenario to start from, and its message file in every language.
The new stub fails its test at once; the solution fails too, until its author writes it.
May import: grader.text, grader.course.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader import text
from grader.course import stubs
from grader.course.catalog import CATALOG_FILE, Catalog, Exercise


class ScaffoldError(Exception):
    """The exercise can't be made; the message says why."""


SOLUTION = '''"""Exercise {id}: {title}.

TODO for the author: teach the idea in English here, then in Chinese.
"""

import multiprocessing


def {slug}(x):
    """Return ``x * x``, computed in a child process (replace with the exercise's own
    behaviour, as its contract says)."""
    ### TODO: say what the function must achieve, never the code that achieves it.
    ### BEGIN SOLUTION
    raise NotImplementedError("the reference solution of exercise {id} is still to be written")
    ### END SOLUTION


if __name__ == "__main__":
    print({slug}(3))
'''

TESTS = '''"""Exercise {id} {slug}: its tests (tests/test_03_pool_squares.py is the model to read).

Each scenario runs in the sandbox under every start method, with the student's module as
`ex`; each test reads the Observation of its scenario and fails with a message key of
tests/messages/{id}_{slug}.<lang>.toml.
"""

from grader.testing import fail, no_child_crashes, nothing_left, returned, scenario


def call(ex, x):
    return ex.{slug}(x)


@scenario(call, call="{slug}({{x}})", x=3)
def test_{slug}_returns_the_answer(obs):
    value = returned(obs)
    no_child_crashes(obs)
    if value != 9:
        fail(obs, "ex{id}.wrong_value", got=value, expected=9)
    nothing_left(obs)
'''

MESSAGES = {
    "en": '''# Exercise {id} {slug}: its title, its hints (shown one at a time by `grader hint`) and
# the messages of tests/test_{id}_{slug}.py. Fields in {{{{braces}}}}.
[ex{id}]
title = {title_toml}
hints = [
    "The idea first: what must happen, and in which process.",
    "Then the call to write.",
]
wrong_value = "It returned {{got}}; expected {{expected}}."
''',
    "zh-CN": '''# 练习 {id} {slug}：标题、提示（`grader hint` 每次多显示一条）和 tests/test_{id}_{slug}.py 的消息。
[ex{id}]
title = {title_toml}
hints = [
    "先说思路：要发生什么，在哪个进程里发生。",
    "再说要写的调用。",
]
wrong_value = "返回了 {{got}}；应为 {{expected}}。"
''',
}


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create(catalog: Catalog, id_: str, slug: str, title: str, points: int = 10) -> list[Path]:
    """Write exercise `id_`'s files and catalog block; returns the files written."""
    if not re.fullmatch(r"\d\d", id_):
        raise ScaffoldError(text.t("kit.new.bad_id", id=id_))
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
        raise ScaffoldError(text.t("kit.new.bad_slug", slug=slug))
    for exercise in catalog.exercises:
        if exercise.id == id_ or exercise.slug == slug:
            raise ScaffoldError(text.t("kit.new.taken", id=exercise.id, slug=exercise.slug))
    exercise = Exercise(id=id_, slug=slug, points=float(points), time_limit=0, max_processes=0,
                        memory_mb=0, output_kb=0, contract=(), root=catalog.root)
    fields = {"id": id_, "slug": slug, "title": title, "title_toml": _toml_string(title)}
    solution = SOLUTION.format(**fields)
    files = {
        exercise.solution: solution,
        exercise.work_file: stubs.make_stub(solution),
        exercise.test_module: TESTS.format(**fields),
    }
    for lang in text.LANGUAGES:
        files[exercise.messages(lang)] = MESSAGES[lang].format(**fields)
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise ScaffoldError(text.t("kit.new.exists", files=", ".join(existing)))
    for path, body in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8", newline="\n")
    block = (f'\n[[exercises]]\nid = "{id_}"\nslug = "{slug}"\npoints = {points}\n'
             f'contract = ["{slug}(x)"]\n')
    catalog_file = catalog.root / CATALOG_FILE
    body = catalog_file.read_text(encoding="utf-8")
    catalog_file.write_text(body.rstrip("\n") + "\n" + block, encoding="utf-8", newline="\n")
    return [catalog_file, *files]
