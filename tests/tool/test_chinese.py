"""The grader in Chinese: --lang before and after the command reaches every process (pytest,
the sandbox) through GRADER_LANG; argparse's own words are translated; the terminal layout
goes by display width (a CJK character takes two columns) and wraps without breaking a
code span. Black-box where it matters: `python -m grader` on a temporary copy of the kit.
"""

from __future__ import annotations

import re

import pytest

from grader import text
from grader.course.catalog import Exercise
from grader.output import report
from grader.output.report import Style, ljust, rjust, width, wrap

from test_cli import clean, grader, kit  # noqa: F401 - the fixture is used by name

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese(monkeypatch):
    """This process speaks zh-CN (and English again afterwards)."""
    monkeypatch.setenv("GRADER_LANG", "zh-CN")
    monkeypatch.setattr(text, "_language", None)
    yield
    monkeypatch.setattr(text, "_language", None)


# ------------------------------------------------------------------ choosing the language

@pytest.mark.parametrize("tag", ["zh", "zh_CN", "zh-CN.UTF-8", "zh_CN.UTF-8", "zh-Hans", "ZH_cn"])
def test_every_spelling_of_chinese_is_zh_cn(tag):
    assert text.normalise(tag) == "zh-CN"


def test_set_language_hands_the_language_to_children(monkeypatch):
    monkeypatch.setenv("GRADER_LANG", "en")
    monkeypatch.setattr(text, "_language", None)
    try:
        assert text.set_language("zh_CN.UTF-8") == "zh-CN"
        import os

        assert os.environ["GRADER_LANG"] == "zh-CN"
        assert text.t("cli.list.status.passing") == "已通过"
    finally:
        text._language = None


@pytest.mark.parametrize("args", [("--lang", "zh-CN", "list"), ("list", "--lang", "zh"), ("list", "--lang=zh_CN")])
def test_lang_before_or_after_the_command(kit, args):
    result = grader(kit, *args)
    clean(result)
    assert result.returncode == 0
    assert "未开始" in result.stdout and "进度" in result.stdout
    assert "not started" not in result.stdout


def test_the_locale_chooses_when_nothing_else_does(kit):
    result = grader(kit, "list", GRADER_LANG="", LC_ALL="", LC_MESSAGES="", LANG="zh_CN.UTF-8")
    assert "进度" in result.stdout
    result = grader(kit, "list", "--lang", "en", LANG="zh_CN.UTF-8")
    assert "Progress" in result.stdout and not CJK.search(result.stdout)


def test_an_unknown_language_is_a_usage_error(kit):
    result = grader(kit, "list", "--lang", "fr")
    assert result.returncode == 2
    assert "Unknown language: fr" in result.stderr and "zh-CN" in result.stderr


def test_the_language_reaches_the_tests_in_the_sandbox(kit):
    """pytest and the sandboxed calls run in other processes: the failure message of the
    untouched stub comes back in Chinese, with its mistake and the line it points at."""
    result = grader(kit, "--lang", "zh-CN", "check", "03", "--start-method", "fork", "--json", "-")
    import json

    data = json.loads(result.stdout)
    message = data["exercises"][0]["message"]
    assert "调用了" in message and "可能的错误：这还是初始代码" in message, message
    assert data["exercises"][0]["line"] is not None       # read back from `位置：… 第 N 行`


# ------------------------------------------------------------------ argparse's words

def test_help_is_chinese_argparse_included(kit):
    result = grader(kit, "check", "--help", "--lang", "zh-CN", COLUMNS="72")
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("用法：grader check")
    assert "\n位置参数：\n" in out and "\n选项：\n" in out and "显示本帮助信息并退出" in out
    assert "usage:" not in out and "show this help" not in out
    # The usage's continuation lines start under the first option, by display width.
    first, second = out.splitlines()[:2]
    assert width(second) - width(second.lstrip()) == width("用法：grader check ")
    assert all(width(line) <= 72 for line in out.splitlines())


def test_a_usage_error_is_chinese(kit):
    result = grader(kit, "hint", "--lang", "zh-CN")
    assert result.returncode == 2
    assert "缺少以下参数：ID" in result.stderr and "运行 `grader hint --help`" in result.stderr


def test_english_help_is_argparse_own(kit):
    out = grader(kit, "--help", "--lang", "en").stdout
    assert out.startswith("usage: grader") and "show this help message and exit" in out
    assert "show program's version number and exit" in out


# ------------------------------------------------------------------ display width

def test_width_counts_cjk_as_two_columns_and_colour_as_none():
    assert width("abc") == 3
    assert width("进程池") == 6
    assert width("\x1b[32m已通过\x1b[0m") == 6
    assert ljust("进程", 6) == "进程  " and rjust("3/15", 6) == "  3/15"


def _exercise(ident: str, slug: str) -> Exercise:
    from pathlib import Path

    return Exercise(id=ident, slug=slug, points=15.0, time_limit=10, max_processes=64, memory_mb=1024,
                    output_kb=256, contract=(), root=Path("."))


def _columns(line: str, *cells: str) -> list[int]:
    """The display column each cell starts at."""
    found = []
    for cell in cells:
        index = line.index(cell)
        found.append(width(line[:index]))
    return found


def test_grader_list_columns_align_by_display_width(chinese):
    from grader.course import catalog as catalog_mod

    real = catalog_mod.load()
    rows = [(e, status, 0.0) for e, status in zip(real.exercises, ["passing", "failing", "not_started",
                                                                   "missing", "no_tests"])]
    lines = report.list_report(rows, Style(colour=True)).splitlines()[: len(rows)]
    starts = {tuple(_columns(line, e.title, f"/{int(e.points)}")) for line, (e, _, _) in zip(lines, rows)}
    assert len({s[0] for s in starts}) == 1, lines          # titles start in one column
    assert len({s[1] for s in starts}) == 1, lines          # and so do the scores
    assert any(CJK.search(e.title) for e, _, _ in rows)


def test_verdict_lines_align_by_display_width(chinese):
    from grader.grading.checker import ExerciseResult

    results = [ExerciseResult(_exercise("01", "worker_args"), "pass", 10.0),
               ExerciseResult(_exercise("05", "queue_sum"), "pass", 7.5)]
    lines = report.check_report(results, Style()).splitlines()
    assert width(lines[0]) == width(lines[1])
    assert lines[0].endswith("10/15") and lines[1].endswith(" 7.5/15")


# ------------------------------------------------------------------ wrapping

def test_wrap_fits_the_width_and_never_breaks_a_code_span():
    message = ("      可能的错误：离开 `with Pool(...)` 之后才取结果：离开这个块会终止进程池，丢掉没做完的任务。"
               "要在块内取结果，或者先 `close()` 再 `join()`。")
    for columns in range(30, 90, 7):
        lines = wrap(message, columns).splitlines()
        assert all(width(line) <= columns for line in lines), (columns, lines)
        assert "".join(line.strip() for line in lines).replace(" ", "") == message.strip().replace(" ", "")
        for span in ("`with Pool(...)`", "`close()`", "`join()`"):
            assert any(span in line for line in lines), (columns, lines)
        assert all(line.startswith("      ") for line in lines)   # continuation keeps the indent
        assert not any(line.strip()[0] in "，。：；）" for line in lines)   # no closing mark first


def test_wrap_breaks_english_at_spaces_only():
    line = "Likely mistake: the pool was used after `close()`, `terminate()` or the end of its `with` block."
    for columns in (30, 41, 55):
        for part in wrap(line, columns).splitlines():
            assert width(part) <= columns
        assert " ".join(wrap(line, columns).split()) == line


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_line_of_code_a_failure_points_at_is_never_broken(monkeypatch, lang):
    monkeypatch.setenv("GRADER_LANG", lang)
    monkeypatch.setattr(text, "_language", None)
    code = 'raise NotImplementedError("square")'
    site = "    " + text.t("runner.site", file="/a/path/exercises/03_pool_squares.py", line=49, code=code)
    assert wrap(site, 100) == site
    first, second = wrap(site, 60).splitlines()
    assert first == site[: site.index(code)].rstrip() and second == " " * 8 + code


def test_a_hint_wraps_under_its_own_text(chinese):
    from grader.course import catalog as catalog_mod

    exercise = catalog_mod.load().find("03")
    out = report.hints_report(exercise, 1, True, Style(columns=60))
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("提示 1/"))
    hang = width("提示 1/6：")
    assert lines[first + 1].startswith(" " * hang) and not lines[first + 1].startswith(" " * (hang + 1))
    assert all(width(line) <= 60 for line in lines)


def test_a_pipe_gets_lines_as_they_are():
    import io

    assert Style.for_stream(io.StringIO()).columns is None
