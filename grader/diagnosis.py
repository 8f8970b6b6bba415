"""Known mistakes (mp-testing-facts.md §6), recognised from what a call left behind.

Each rule maps a symptom to a mistake id; the words for a mistake live in the locale files
under `mistake.<id>`. Exercise tests name mistakes they recognise from their own evidence
(a PID, an order, an overlap); this module covers the symptoms every exercise shares:
exceptions, child crashes and the line a timed-out call was stuck on.
"""

from __future__ import annotations

import re

# (mistake id, exception type or None, pattern searched in "Type: message" and the
# remote traceback text of a Pool worker)
EXCEPTION_RULES: list[tuple[str, str | None, str]] = [
    ("stub", "NotImplementedError", r""),
    ("stale_alias", None, r"it's not the same object as"),
    ("pickle_function", None, r"[Cc]an't (pickle|get) local object|<lambda>|"
                              r"[Cc]an't pickle <function|cannot pickle 'function'|"
                              r"attribute lookup .* failed"),
    ("pickle_attribute", "TypeError", r"cannot pickle '"),
    ("main_guard", None, r"bootstrapping phase"),
    ("super_init", "AttributeError", r"object has no attribute '_(closed|config|popen|identity|"
                                     r"parent_pid|parent_name|target|args|kwargs|name)'"),
    ("super_init", "AssertionError", r"Process\.__init__\(\)|group argument must be None"),
    ("join_before_start", "AssertionError", r"can only join a started process"),
    ("start_twice", "AssertionError", r"cannot start a process twice"),
    ("daemon_after_start", "AssertionError", r"process has already started"),
    ("daemon_children", "AssertionError", r"daemonic processes are not allowed to have children"),
    ("args_not_tuple", "TypeError", r"object is not iterable|argument after \* must be an iterable"),
    ("kwargs_names", "TypeError", r"got an unexpected keyword argument|"
                                  r"argument after \*\* must be a mapping"),
    ("pool_closed", "ValueError", r"Pool not running"),
    ("pool_not_closed", "ValueError", r"Pool is still running"),
    ("map_two_args", "TypeError", r"missing \d+ required positional argument"),
    ("get_after_with", None, r"^TimeoutError"),
    ("closed_connection", "OSError", r"handle is closed"),
    ("queue_empty", "Empty", r""),
    ("sentinel_unpacked", "TypeError", r"cannot unpack non-iterable NoneType object"),
]

# (mistake id, pattern on the code of the line the main thread was stuck on)
STUCK_RULES: list[tuple[str, str]] = [
    ("join_before_drain", r"\.join\("),
    ("recv_forever", r"\.recv\("),
    ("get_forever", r"\.get\("),
    ("busy_wait", r"while\b|\.empty\(|\.is_alive\("),
    ("sleeping", r"sleep\("),
]


def for_exception(error: dict | None) -> str | None:
    """The mistake an exception (as spy.describe_exception gives it) points to, if known."""
    if not error:
        return None
    text = f"{error.get('type')}: {error.get('message', '')}\n{error.get('remote', '')}"
    for mistake, exc_type, pattern in EXCEPTION_RULES:
        if exc_type and error.get("type") != exc_type and not text.startswith(exc_type):
            continue
        if re.search(pattern, text, re.MULTILINE):
            return mistake
    return None


def for_stuck_line(code: str, overrides: dict[str, str] | None = None) -> str | None:
    """The mistake the line a call hung on points to, e.g. `p.join()` -> joined too early.
    `overrides` lets an exercise map a pattern to its own, more precise mistake."""
    for pattern, mistake in (overrides or {}).items():
        if re.search(pattern, code):
            return mistake
    for mistake, pattern in STUCK_RULES:
        if re.search(pattern, code):
            return mistake
    return None
