"""Start methods: which exist, which this platform has, and which a run uses. Chosen once
(by `grader` from its options, or by the pytest plugin for a plain pytest run) and handed
to every process below as pytest options. May import: nothing of the grader.
"""

from __future__ import annotations

import multiprocessing
import os

START_METHODS = ("fork", "spawn", "forkserver")
ENV = "GRADER_START_METHODS"        # a comma list, for runs that take no options


def available() -> list[str]:
    """The start methods this platform has, in the kit's order (Windows: spawn only)."""
    have = multiprocessing.get_all_start_methods()
    return [m for m in START_METHODS if m in have]


def split(items) -> list[str]:
    """`["fork,spawn", " forkserver"]` -> `["fork", "spawn", "forkserver"]`."""
    return [m.strip() for item in items or [] for m in str(item).split(",") if m.strip()]


def unknown(requested) -> list[str]:
    """The requested methods this platform does not have."""
    have = available()
    return [m for m in split(requested) if m not in have]


def chosen(requested=None) -> list[str]:
    """The methods to run under: the requested ones, else GRADER_START_METHODS, else every
    one this platform has; always in the kit's order, never empty."""
    wanted = split(requested) or split([os.environ.get(ENV, "")])
    narrowed = [m for m in available() if m in wanted]
    return narrowed or available()


def quickest() -> str:
    """The method that starts a process fastest here (fork where it exists)."""
    return available()[0]
