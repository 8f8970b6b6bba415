"""The terminal watch draws on: its modes, its size, a frame drawn in place, all put back.

`enter` puts the terminal in cbreak mode (POSIX: termios, through tty.setcbreak: a key
press arrives at once, without Enter and without echo; Ctrl-C still interrupts), hides the
cursor and clears the screen once. On Windows it turns on the console's ANSI sequences
(virtual terminal processing) instead; msvcrt reads single keys in any mode. `draw` writes
a whole frame from the top-left corner, each line erased to its end and everything below
the last one erased: the screen is redrawn, never scrolled, and nothing flickers.
`restore` puts back the modes saved by `enter` and shows the cursor; it is safe to call
twice and on a terminal that has gone away.
May import: nothing.
"""

from __future__ import annotations

import os
import sys

HIDE_CURSOR, SHOW_CURSOR = "\x1b[?25l", "\x1b[?25h"
HOME, CLEAR, ERASE_LINE, ERASE_BELOW, RESET = "\x1b[H", "\x1b[2J", "\x1b[K", "\x1b[J", "\x1b[0m"
VIRTUAL_TERMINAL_PROCESSING = 0x0004


def usable(stdin=None, stdout=None) -> bool:
    """True when both standard input and output are a terminal."""
    for stream in (stdin or sys.stdin, stdout or sys.stdout):
        try:
            if stream is None or not stream.isatty():
                return False
        except (AttributeError, ValueError, OSError):
            return False
    return True


class Terminal:
    def __init__(self, stdin=None, stdout=None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self._saved = None              # POSIX: termios attributes; Windows: console modes
        self.entered = False
        self.gone = False               # a write failed: the terminal went away

    # ------------------------------------------------------------ modes

    def enter(self) -> None:
        if os.name == "nt":
            self._saved = _windows_modes()
            _windows_enable_vt(self._saved)
        else:
            import termios
            import tty

            fd = self.stdin.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd, termios.TCSANOW)
        self.entered = True
        self.write(HIDE_CURSOR + HOME + CLEAR)

    def restore(self, last_line: str = "") -> None:
        """Put the terminal back as `enter` found it; `last_line` is printed below the frame."""
        if not self.entered:
            return
        self.entered = False
        if os.name == "nt":
            _windows_restore(self._saved)
        else:
            import termios

            try:
                termios.tcsetattr(self.stdin.fileno(), termios.TCSADRAIN, self._saved)
            except (OSError, ValueError, termios.error):
                pass                    # the terminal is gone: there is nothing to put back
        self.write(RESET + SHOW_CURSOR + "\r\n" + (last_line + "\r\n" if last_line else ""))

    # ------------------------------------------------------------ output

    def size(self) -> tuple[int, int]:
        """(columns, rows); 80x24 when the terminal can't say."""
        try:
            size = os.get_terminal_size(self.stdout.fileno())
            if size.columns > 0 and size.lines > 0:
                return size.columns, size.lines
        except (AttributeError, ValueError, OSError):
            pass
        return 80, 24

    def draw(self, lines: list[str]) -> None:
        """Show `lines` (each fits one row; no more than the terminal's rows)."""
        body = "\r\n".join(line + ERASE_LINE for line in lines)
        self.write(HOME + body + ERASE_BELOW)

    def write(self, text: str) -> None:
        if self.gone:
            return
        try:
            self.stdout.write(text)
            self.stdout.flush()
        except (OSError, ValueError):
            self.gone = True


# ---------------------------------------------------------------- Windows console

def _windows_handles():
    import ctypes

    kernel32 = ctypes.windll.kernel32
    return kernel32, (kernel32.GetStdHandle(-10), kernel32.GetStdHandle(-11))   # input, output


def _windows_modes():
    """The console modes of standard input and output, to put back later."""
    import ctypes

    try:
        kernel32, handles = _windows_handles()
        modes = []
        for handle in handles:
            mode = ctypes.c_uint32()
            modes.append(mode.value if kernel32.GetConsoleMode(handle, ctypes.byref(mode)) else None)
        return modes
    except Exception:  # noqa: BLE001 - not a console: nothing to change or put back
        return [None, None]


def _windows_enable_vt(modes) -> None:
    try:
        kernel32, handles = _windows_handles()
        if modes[1] is not None:
            kernel32.SetConsoleMode(handles[1], modes[1] | VIRTUAL_TERMINAL_PROCESSING)
    except Exception:  # noqa: BLE001
        pass


def _windows_restore(modes) -> None:
    try:
        kernel32, handles = _windows_handles()
        for handle, mode in zip(handles, modes or []):
            if mode is not None:
                kernel32.SetConsoleMode(handle, mode)
    except Exception:  # noqa: BLE001
        pass
