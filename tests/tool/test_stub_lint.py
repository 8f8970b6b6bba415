"""Stubs teach, they don't hand out the answer: no comment of a stub holds a line of its
solution's code (grader.verification.lint.giveaways, part of `grader verify`'s lint)."""

from __future__ import annotations

import shutil

import pytest

from grader import text
from grader.course import catalog, stubs
from grader.verification import lint

SOLUTION = '''"""Demo."""

from multiprocessing import Pool


def total(numbers):
    """Sum the squares.

    平方和。"""
    ### TODO: {todo}
    ### BEGIN SOLUTION
    with Pool(2) as pool:
        squares = pool.map(abs, numbers)
    for value in squares:
        if value < 0:
            break
    return sum(squares)
    ### END SOLUTION
'''


def _found(todo: str) -> list[tuple[int, str]]:
    source = SOLUTION.replace("{todo}", todo)
    return lint.giveaways(source, stubs.make_stub(source))


@pytest.mark.parametrize("exercise", catalog.load().exercises, ids=lambda e: e.name)
def test_no_stub_comment_of_the_kit_holds_a_line_of_its_solution(exercise):
    source = exercise.solution.read_text(encoding="utf-8")
    assert lint.giveaways(source, exercise.work_file.read_text(encoding="utf-8")) == []
    assert lint.giveaways(source, stubs.make_stub(source)) == []


def test_a_todo_that_says_what_to_achieve_passes():
    assert _found("square every number in a pool of two workers and return their sum.") == []


def test_a_todo_that_writes_the_code_out_is_found():
    assert _found("open it with ``with Pool(2) as pool:`` and return sum(squares).") == [
        (10, "return sum(squares)"), (10, "with Pool(2) as pool:")]


def test_a_line_of_code_split_over_two_comment_lines_is_found():
    assert _found("squares = pool.map(abs,\n    ###       numbers), then add them up.") == [
        (10, "squares = pool.map(abs, numbers)")]


def test_a_word_of_code_alone_is_not_a_giveaway():
    # `break` is a line of the solution, but naming it gives nothing away.
    assert _found("break out of nothing; return the sum of the squares.") == []
    assert _found("returns sum(squares_of_all), not the code") == []


@pytest.mark.parametrize("lang, words", [("en", "a comment of the stub holds a line of the solution's code"),
                                         ("zh-CN", "初始代码的注释里有参考答案的一行代码")])
def test_verify_lint_reports_it_in_the_users_language(tmp_path, monkeypatch, lang, words):
    real = catalog.load()
    ex03 = real.find("03")
    shutil.copyfile(real.root / "catalog.toml", tmp_path / "catalog.toml")
    for folder in ("exercises", "solutions", "tests/messages"):
        (tmp_path / folder).mkdir(parents=True)
    for name in ("tests/" + ex03.test_module.name,):
        shutil.copyfile(real.root / name, tmp_path / name)
    for lang_file in text.LANGUAGES:
        shutil.copyfile(ex03.messages(lang_file), tmp_path / "tests" / "messages" / ex03.messages(lang_file).name)
    source = ex03.solution.read_text(encoding="utf-8")
    marker = "    ### TODO: the pool is finished"
    assert marker in source
    source = source.replace(marker, "    ### TODO: pool.close() and then pool.join().\n" + marker, 1)
    (tmp_path / "solutions" / ex03.solution.name).write_text(source, encoding="utf-8")
    (tmp_path / "exercises" / ex03.work_file.name).write_text(stubs.make_stub(source), encoding="utf-8")
    monkeypatch.setenv("GRADER_LANG", lang)
    monkeypatch.setattr(text, "_language", None)
    try:
        kit = catalog.load(tmp_path)
        problems = lint.lint_exercise(kit, kit.find("03"))
    finally:
        catalog.load()
    flagged = [p for p in problems if words in p]
    assert len(flagged) == 2, problems
    assert "`pool.close()`" in flagged[0] and "`pool.join()`" in flagged[1]
    assert "solutions/03_pool_squares.py" in flagged[0]
