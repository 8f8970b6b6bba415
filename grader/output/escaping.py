"""Text that came from a submission (what it printed, its exception messages, the values it
returned) made safe for each place it is shown: the terminal and the GitHub Actions log,
Markdown, XML and JSON.

`clean` runs first, for every output: it caps the length, drops terminal escape sequences
and control characters, and defuses GitHub workflow commands. A workflow command is a log
line whose text, after leading spaces, starts with `::` (`::error::`, `::set-output`, …),
or any line holding `##[` (the older form the runner still reads anywhere in a line). A
zero-width space after the first character keeps the text readable and the runner deaf.
"""

from __future__ import annotations

import html
import json
import re

ZERO_WIDTH = "\u200b"
# CSI and OSC sequences (colours, cursor moves, window titles, hyperlinks), then any other
# control character but newline and tab.
_TERMINAL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u2028\u2029]")
_COMMAND_LINE = re.compile(r"^(\s*):(?=:)", re.MULTILINE)
_OLD_COMMAND = "##["
# Characters Markdown gives a meaning to; each is shown as itself when backslash-escaped.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:/=])")


def cap(text: str, limit: int) -> str:
    """At most `limit` characters: the start and the end, and how much was cut between."""
    if limit <= 0 or len(text) <= limit:
        return text
    note = f"\n… [{len(text) - limit} characters cut] …\n"
    head = max(0, (limit - len(note)) * 2 // 3)
    tail = max(0, limit - len(note) - head)
    return text[:head] + note + (text[-tail:] if tail else "")


def clean(text, limit: int = 0) -> str:
    """Any value as text that can be printed anywhere: capped, without terminal escapes or
    control characters, carriage returns turned into newlines, workflow commands defused."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TERMINAL.sub("", text)
    text = _CONTROL.sub("", text)
    text = cap(text, limit)
    return defuse_commands(text)


def defuse_commands(text: str) -> str:
    """No line of `text` can be read as a GitHub workflow command any more."""
    text = _COMMAND_LINE.sub(lambda m: m.group(1) + ":" + ZERO_WIDTH, text)
    return text.replace(_OLD_COMMAND, "##" + ZERO_WIDTH + "[")


def markdown_inline(text, limit: int = 200) -> str:
    """One line of plain text inside Markdown (a table cell): no HTML, no Markdown syntax,
    no line breaks."""
    text = " ".join(clean(text).split())
    if limit and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    text = html.escape(text, quote=True)
    return _MARKDOWN.sub(r"\\\1", text)


def html_block(text, limit: int = 0) -> str:
    """Text for inside <pre>…</pre> in Markdown: an HTML block, so Markdown does not apply
    inside it and the escaped text can neither close it nor add tags."""
    return html.escape(clean(text, limit), quote=True)


def json_text(data, indent: int | None = 2) -> str:
    """JSON that holds no raw `<`, `>` or `&`, so no HTML can come out of it even where a
    platform pastes a field into a page; it decodes to exactly the same data."""
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def command_data(text: str) -> str:
    """The message of a workflow command we emit ourselves, escaped as the runner
    unescapes it (so a newline stays inside the one command)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """A property value (file=, title=) of a workflow command we emit."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def headline(text: str, after_call: bool = True) -> str:
    """One line of a failure message: what went wrong, which is the line after the first
    (`Called …`, what was called) in a test's message, or the first line of a message
    without a call (why an exercise's tests could not run)."""
    lines = [line.strip() for line in clean(text).splitlines() if line.strip()]
    if after_call and len(lines) > 1:
        return lines[1]
    return lines[0] if lines else ""
