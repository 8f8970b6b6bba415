"""Every language has every word: the catalogs of each language (the tool's,
grader/locale/<lang>/*.toml, and the course's, tests/messages/*.<lang>.toml) have the same
files and the same keys as English, and each text keeps English's `{placeholders}`
(argparse's `%(name)s` too) and its inline `code spans`: in another language the words
change, never the code. A hint list has as many hints in each language, and hint N
matches hint N.

`catalog_problems` is the check; the last tests show it fails on a copy with one key
deleted, one placeholder renamed, one code span changed.
"""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest

from grader import text

ROOT = Path(__file__).resolve().parents[2]
TOOL = text.LOCALE_DIR
COURSE = ROOT.joinpath(*text.MESSAGES_DIR)
OTHERS = [lang for lang in text.LANGUAGES if lang != text.FALLBACK]

_CODE = re.compile(r"`[^`\n]+`")
_PERCENT = re.compile(r"%\([A-Za-z_]+\)[sdr]|%[sdr]")


def flatten(data: dict, prefix: str = "") -> dict:
    """{"cli.help.list": "...", "ex03.hints": [...]}: every leaf by its dotted key."""
    found = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found.update(flatten(value, name + "."))
        else:
            found[name] = value
    return found


def fields(value: str) -> list[str]:
    """The `{placeholders}` of a text (as t() fills them; `{{` is a brace) and argparse's
    `%(name)s` / `%s`, sorted."""
    names = [field for _, field, _, _ in string.Formatter().parse(value) if field is not None]
    return sorted(names + _PERCENT.findall(value.replace("%%", "")))


def code_spans(value: str) -> set[str]:
    """The inline code spans of a text (a sentence may put them in another order, or name
    one twice)."""
    return set(_CODE.findall(value))


def compare_text(key: str, english: str, other: str, lang: str) -> list[str]:
    problems = []
    try:
        wanted, got = fields(english), fields(other)
    except ValueError as exc:   # an unpaired brace: t() could not fill the text either
        return [f"{key}: a brace that t() can't read ({exc}); a literal brace is {{{{"]
    if wanted != got:
        problems.append(f"{key}: placeholders {got} in {lang}, {wanted} in en")
    if code_spans(english) != code_spans(other):
        lost = sorted(code_spans(english) - code_spans(other))
        extra = sorted(code_spans(other) - code_spans(english))
        problems.append(f"{key}: code spans differ in {lang}: missing {lost}, not in en {extra}")
    return problems


def catalog_problems(english: dict, other: dict, lang: str) -> list[str]:
    """Why `other` (one catalog file in `lang`) is not a complete translation of `english`
    (the same file in English): empty when it is."""
    en, tr = flatten(english), flatten(other)
    problems = [f"{key}: missing in {lang}" for key in en if key not in tr]
    problems += [f"{key}: in {lang} but not in en" for key in tr if key not in en]
    for key in en.keys() & tr.keys():
        a, b = en[key], tr[key]
        if isinstance(a, list) or isinstance(b, list):
            if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
                problems.append(f"{key}: {len(b) if isinstance(b, list) else 'not a list'} item(s) in "
                                f"{lang}, {len(a) if isinstance(a, list) else 'not a list'} in en")
                continue
            for index, (x, y) in enumerate(zip(a, b), start=1):
                problems += compare_text(f"{key}[{index}]", str(x), str(y), lang)
        elif not isinstance(b, str) or not b.strip():
            problems.append(f"{key}: empty in {lang}")
        else:
            problems += compare_text(key, str(a), b, lang)
    return sorted(problems)


def pairs() -> list[tuple[Path, Path, str]]:
    """(the English file, the same file in another language, that language) for every
    catalog file of the tool and the course, whether or not the other one exists."""
    found = []
    for lang in OTHERS:
        for path in sorted((TOOL / text.FALLBACK).glob("*.toml")):
            found.append((path, TOOL / lang / path.name, lang))
        for path in sorted(COURSE.glob(f"*.{text.FALLBACK}.toml")):
            stem = path.name[: -len(f".{text.FALLBACK}.toml")]
            found.append((path, COURSE / f"{stem}.{lang}.toml", lang))
    return found


def _id(pair) -> str:
    return f"{pair[1].parent.name}/{pair[1].name}"


def test_the_kit_has_another_language():
    assert OTHERS, "text.LANGUAGES lists no language but English"
    assert "zh-CN" in text.LANGUAGES


@pytest.mark.parametrize("pair", pairs(), ids=_id)
def test_every_file_has_every_key_placeholder_and_code_span(pair):
    english, other, lang = pair
    assert other.is_file(), f"{other.relative_to(ROOT)} is missing: translate {english.relative_to(ROOT)}"
    problems = catalog_problems(text.read_catalog(english), text.read_catalog(other), lang)
    assert not problems, f"{other.relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", OTHERS)
def test_no_file_only_in_another_language(lang):
    tool = {p.name for p in (TOOL / lang).glob("*.toml")} - {p.name for p in (TOOL / text.FALLBACK).glob("*.toml")}
    course = {p.name[: -len(f".{lang}.toml")] for p in COURSE.glob(f"*.{lang}.toml")} - \
        {p.name[: -len(f".{text.FALLBACK}.toml")] for p in COURSE.glob(f"*.{text.FALLBACK}.toml")}
    assert not tool and not course, f"only in {lang}: {sorted(tool | course)}"


def test_english_placeholders_read(tmp_path):
    """Every English text can be filled in by t(): no stray brace."""
    for english, _, _ in pairs():
        for key, value in flatten(text.read_catalog(english)).items():
            for item in value if isinstance(value, list) else [value]:
                fields(str(item))


# ------------------------------------------------------------------ the check can fail

@pytest.fixture
def copy(tmp_path):
    """A copy of the course's and the tool's catalogs to break."""
    shutil.copytree(COURSE, tmp_path / "messages")
    shutil.copytree(TOOL, tmp_path / "locale")
    return tmp_path


def _problems(english: Path, other: Path) -> list[str]:
    return catalog_problems(text.read_catalog(english), text.read_catalog(other), "zh-CN")


def _delete_line(path: Path, startswith: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(startswith)]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")


def test_a_key_deleted_in_chinese_fails(copy):
    en, zh = copy / "messages" / "03_pool_squares.en.toml", copy / "messages" / "03_pool_squares.zh-CN.toml"
    assert _problems(en, zh) == []
    _delete_line(zh, "serial = ")
    assert _problems(en, zh) == ["ex03.serial: missing in zh-CN"]


def test_a_key_deleted_in_english_fails(copy):
    en, zh = copy / "locale" / "en" / "mistakes.toml", copy / "locale" / "zh-CN" / "mistakes.toml"
    assert _problems(en, zh) == []
    _delete_line(en, "busy_wait = ")
    assert _problems(en, zh) == ["mistake.busy_wait: in zh-CN but not in en"]


def test_a_hint_missing_fails(copy):
    en, zh = copy / "messages" / "05_queue_sum.en.toml", copy / "messages" / "05_queue_sum.zh-CN.toml"
    source = zh.read_text(encoding="utf-8")
    first = next(line for line in source.splitlines() if line.startswith("    \"`producer`"))
    zh.write_text(source.replace(first + "\n", ""), encoding="utf-8")
    assert _problems(en, zh) == ["ex05.hints: 4 item(s) in zh-CN, 5 in en"]


def test_a_placeholder_renamed_fails(copy):
    en, zh = copy / "locale" / "en" / "runner.toml", copy / "locale" / "zh-CN" / "runner.toml"
    source = zh.read_text(encoding="utf-8")
    zh.write_text(source.replace("第 {line} 行", "第 {lineno} 行", 1), encoding="utf-8")
    assert _problems(en, zh) == ["runner.site: placeholders ['code', 'file', 'lineno'] in zh-CN, "
                                 "['code', 'file', 'line'] in en"]


def test_a_code_span_changed_fails(copy):
    en, zh = copy / "locale" / "en" / "mistakes.toml", copy / "locale" / "zh-CN" / "mistakes.toml"
    source = zh.read_text(encoding="utf-8")
    zh.write_text(source.replace("`pool.close()`", "`pool.close`", 1), encoding="utf-8")
    assert _problems(en, zh) == ["mistake.pool_not_closed: code spans differ in zh-CN: "
                                 "missing ['`pool.close()`'], not in en ['`pool.close`']"]


def test_argparse_placeholders_count(copy):
    en, zh = copy / "locale" / "en" / "cli.toml", copy / "locale" / "zh-CN" / "cli.toml"
    source = zh.read_text(encoding="utf-8")
    zh.write_text(source.replace("%(prog)s：错误", "grader：错误", 1), encoding="utf-8")
    assert _problems(en, zh) == ["cli.argparse.error: placeholders ['%(message)s'] in zh-CN, "
                                 "['%(message)s', '%(prog)s'] in en"]
