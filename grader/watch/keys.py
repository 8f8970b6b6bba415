"""The key reader: single key presses, read on a thread of its own and posted as Key events.

On POSIX it reads the terminal's file descriptor (put in cbreak mode by grader.watch.terminal,
so a key arrives without Enter) and waits with select on it and on a pipe of its own, which
`stop` writes to. An escape sequence (an arrow key, a function key) is no key for watch and
is dropped; a lone Esc is "esc". The end of the input (the terminal went away) is posted as
Key(None). On Windows it asks msvcrt for each key (getwch reads without echo and without
Enter); the two-part codes of special keys are dropped.
May import: nothing.
"""

from __future__ import annotations

import codecs
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Key:
    """One key press: a character, "esc", or None for the end of the input."""

    char: str | None


class KeyReader:
    """Reads key presses from `stream` (a terminal) and calls `post(Key(...))` for each."""

    def __init__(self, post: Callable, stream=None):
        self.post = post
        self.stream = stream if stream is not None else sys.stdin
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake: tuple[int, int] | None = None

    def start(self) -> None:
        if os.name != "nt":
            self._wake = os.pipe()
        target = self._read_windows if os.name == "nt" else self._read_posix
        self._thread = threading.Thread(target=target, name="grader-watch-keys", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._wake is not None:
            try:
                os.write(self._wake[1], b"x")
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(2)
        if self._wake is not None:
            for fd in self._wake:
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._wake = None

    # ------------------------------------------------------------ POSIX

    def _read_posix(self) -> None:
        import select

        fd = self.stream.fileno()
        wake = self._wake[0]
        decoder = codecs.getincrementaldecoder("utf-8")("ignore")
        while not self._stopped.is_set():
            try:
                ready, _, _ = select.select([fd, wake], [], [])
            except InterruptedError:
                continue
            except (OSError, ValueError):
                self.post(Key(None))
                return
            if wake in ready or self._stopped.is_set():
                return
            try:
                data = os.read(fd, 64)
            except InterruptedError:
                continue
            except OSError:         # EIO: the terminal is gone
                data = b""
            if not data:
                self.post(Key(None))
                return
            for key in split(decoder.decode(data)):
                self.post(Key(key))

    # ------------------------------------------------------------ Windows

    def _read_windows(self) -> None:
        import msvcrt

        while not self._stopped.is_set():
            if not msvcrt.kbhit():
                time.sleep(0.03)
                continue
            char = msvcrt.getwch()
            if char in ("\x00", "\xe0"):    # a special key: its second half follows
                msvcrt.getwch()
                continue
            self.post(Key("esc" if char == "\x1b" else char))


def split(text: str) -> list[str]:
    """The keys of what one read returned: escape sequences dropped, a lone Esc "esc"."""
    if text == "\x1b":
        return ["esc"]
    text = text.split("\x1b", 1)[0]
    return [char for char in text if char == "\x03" or char >= " "]
