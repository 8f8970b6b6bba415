"""Every word a user reads, looked up by key in the user's language.

Two sets of catalogs, in the same TOML form, one file per language:

- the tool's own words: grader/locale/<lang>/*.toml (commands, reports, verify, the
  mistakes every exercise shares);
- the course's words: <kit>/tests/messages/*.<lang>.toml. Each exercise has one file per
  language, named after it (`03_pool_squares.en.toml`), holding the table `[ex03]` (its
  title, hints and test messages) and, for mistakes only it names, `[mistake]`;
  `course.<lang>.toml` holds the mistakes several exercises share.

Every language has the same keys (tests/tool/test_locale.py); a key one language lacks
falls back to English. The language is chosen once per process (`choose`), from `--lang`,
else GRADER_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG; on Windows the user's UI
language), else English, and handed to child processes through GRADER_LANG.
"""

from __future__ import annotations

import os
import re
import string
import sys
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "zh-CN")     # every language the kit ships; each has every key
FALLBACK = "en"
LANG_ENV = "GRADER_LANG"
MESSAGES_DIR = ("tests", "messages")

_kit_root: Path | None = None
_language: str | None = None


def normalise(tag: str | None) -> str | None:
    """The language a locale or language tag names, if the kit has it: `zh`, `zh_CN`,
    `zh-CN.UTF-8`, `zh-Hans` and `zh_SG` are Chinese, `en_GB.UTF-8` is English. None
    for an empty tag; English for `C` and `POSIX` (the locale of no language)."""
    if not tag:
        return None
    base = re.split(r"[.@]", tag.strip())[0].replace("_", "-")
    if not base:
        return None
    if base.upper() in ("C", "POSIX"):
        return FALLBACK
    parts = base.split("-")
    if parts[0].lower() == "zh":
        return "zh-CN"
    if parts[0].lower() == "en":
        return "en"
    return None


@lru_cache(maxsize=1)
def _windows_ui_language() -> str | None:
    if sys.platform != "win32":
        return None
    try:
        import ctypes
        import locale

        return locale.windows_locale.get(ctypes.windll.kernel32.GetUserDefaultUILanguage())
    except Exception:  # noqa: BLE001 - no language is a fine answer
        return None


def choose(explicit: str | None = None) -> str:
    """The language to use: `explicit` (from --lang), else GRADER_LANG, else the first set
    locale variable of LC_ALL, LC_MESSAGES and LANG (as gettext reads them), else the
    Windows UI language, else English. An unknown language counts as English."""
    if explicit:
        return normalise(explicit) or FALLBACK
    chosen = os.environ.get(LANG_ENV)
    if chosen:
        return normalise(chosen) or FALLBACK
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return normalise(value) or FALLBACK
    return normalise(_windows_ui_language()) or FALLBACK


def set_language(lang: str | None) -> str:
    """Use `lang` (any form `normalise` reads; None: choose from the environment) in this
    process and in every process it starts. Returns the language now in use."""
    global _language
    _language = choose(lang)
    os.environ[LANG_ENV] = _language
    return _language


def language() -> str:
    """The language in use: the one set_language chose, else the environment's."""
    return _language or choose()


def use_kit(root: Path | None) -> None:
    """Read the course's words from this kit (its tests/messages folder)."""
    global _kit_root
    root = Path(root).resolve() if root else None
    if root != _kit_root:
        _kit_root = root
        _table.cache_clear()


def catalog_files(lang: str, root: Path | None = None) -> list[Path]:
    """Every catalog file of one language: the tool's, then the kit's."""
    files = sorted((LOCALE_DIR / lang).glob("*.toml"))
    folder = Path(root or _kit_root or ".").joinpath(*MESSAGES_DIR)
    if root or _kit_root:
        files += sorted(folder.glob(f"*.{lang}.toml"))
    return files


def read_catalog(path: Path) -> dict:
    """One catalog file as a dict."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def merge(into: dict, data: dict) -> dict:
    """Merge catalog tables: tables join key by key, other values are replaced."""
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


@lru_cache(maxsize=None)
def _table(lang: str) -> dict:
    merged: dict = {}
    for path in catalog_files(lang):
        merge(merged, read_catalog(path))
    return merged


def _lookup(table: dict, key: str):
    node = table
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


class _Lenient(dict):
    """Leaves an unknown `{field}` visible instead of failing the whole message."""

    def __missing__(self, key):
        return "{" + key + "}"


def has(key: str) -> bool:
    """True when the key exists in the current language or in English."""
    return _lookup(_table(language()), key) is not None or _lookup(_table(FALLBACK), key) is not None


def _raw(key: str):
    raw = _lookup(_table(language()), key)
    if raw is None:
        raw = _lookup(_table(FALLBACK), key)
    return raw


def t(key: str, /, **fields) -> str:
    """The message `key` with `{fields}` filled in; the key itself when it is missing."""
    raw = _raw(key)
    if raw is None:
        return key
    if isinstance(raw, list):
        raw = "\n".join(raw)
    return string.Formatter().vformat(str(raw).strip("\n"), (), _Lenient(fields))


def t_list(key: str) -> list[str]:
    """A list of texts (an exercise's hints), each read as t() reads a text (`{{` is a
    brace); empty when the key is missing."""
    raw = _raw(key)
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [string.Formatter().vformat(str(item), (), _Lenient()) for item in items]


def raw(key: str, lang: str) -> str | None:
    """The unformatted text of `key` in one language (no fallback), or None."""
    found = _lookup(_table(lang), key)
    return found if isinstance(found, str) else None


def template_regex(key: str, **groups: str) -> list[re.Pattern]:
    """One regular expression per language that matches the message `key` as t() writes it:
    each `{field}` named in `groups` becomes that pattern (a named group), any other field
    matches anything on the line. Lets code read a value back out of a message in whatever
    language it was written (the line a failure points at)."""
    found = []
    for lang in LANGUAGES:
        text = raw(key, lang)
        if not text:
            continue
        parts = []
        for literal, field, _spec, _conv in string.Formatter().parse(text.strip("\n")):
            parts.append(re.escape(literal))
            if field is None:
                continue
            parts.append(f"(?P<{field}>{groups[field]})" if field in groups else ".*?")
        found.append(re.compile("".join(parts)))
    return found
