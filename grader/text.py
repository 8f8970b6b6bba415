"""Every word a user reads, looked up by key in grader/locale/<language>/*.toml.

A translation is a folder next to `en/` with the same keys; a key it lacks falls back to
English. The language comes from GRADER_LANG, else from LANG (`zh_CN.UTF-8` -> `zh_CN`).
"""

from __future__ import annotations

import os
import string
import sys
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LOCALE_DIR = Path(__file__).parent / "locale"
FALLBACK = "en"


def language() -> str:
    """The language in use: a folder name under grader/locale."""
    wanted = os.environ.get("GRADER_LANG") or os.environ.get("LANG", "")
    wanted = wanted.split(".")[0]
    for candidate in (wanted, wanted.split("_")[0]):
        if candidate and (LOCALE_DIR / candidate).is_dir():
            return candidate
    return FALLBACK


@lru_cache(maxsize=None)
def _table(lang: str) -> dict:
    merged: dict = {}
    folder = LOCALE_DIR / lang
    for path in sorted(folder.glob("*.toml")):
        merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
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


def t(key: str, /, **fields) -> str:
    """The message `key` with `{fields}` filled in; the key itself when it is missing."""
    raw = _lookup(_table(language()), key)
    if raw is None:
        raw = _lookup(_table(FALLBACK), key)
    if raw is None:
        return key
    if isinstance(raw, list):
        raw = "\n".join(raw)
    return string.Formatter().vformat(str(raw).strip("\n"), (), _Lenient(fields))
