"""The schedule of checks of the exercise on screen: which content to check next.

A file's content is named by its sha256. One check runs at a time. A save while a check
runs queues one re-check, of the newest content only (the last save wins; the loop may end
the running check early, `dropped`, once its first verdict is on screen); a save whose
content is the one being checked, or the one checked last, starts nothing; `again` (the
`r` key) checks even unchanged content once more. No clock and no I/O: the loop tells it
what happened and asks what to start.
May import: nothing.
"""

from __future__ import annotations


class Schedule:
    """The checks of one exercise. Call `saved`/`again` when the file may have changed,
    `next` when no check runs (it returns the content to check now, or None), and
    `finished`/`dropped` when the running check ended with or without a full verdict."""

    def __init__(self, checked: str | None = None):
        self.running: str | None = None     # the content being checked
        self.wanted: str | None = None      # the content to check next
        self.forced = False                 # `wanted` is checked even when unchanged
        self.checked = checked              # the content of the last full verdict

    @property
    def busy(self) -> bool:
        return self.running is not None

    @property
    def queued(self) -> bool:
        """A re-check waits for the running check to end."""
        return self.running is not None and self.wanted is not None

    def saved(self, sha: str | None) -> None:
        """The file was saved (or looked at) with this content; None: it can't be read."""
        if sha is None:
            return
        current = self.running if self.running is not None else self.checked
        if sha == current:
            if not self.forced:
                self.wanted = None          # back to the content already (being) checked
        else:
            self.wanted, self.forced = sha, False

    def again(self, sha: str | None) -> None:
        """Check this content once more, even if it is unchanged."""
        if sha is not None:
            self.wanted, self.forced = sha, True

    def next(self) -> str | None:
        """The content to check now, if any (it is then the running one)."""
        if self.running is not None or self.wanted is None:
            return None
        self.running, self.wanted, self.forced = self.wanted, None, False
        return self.running

    def finished(self) -> None:
        """The running check ended with a full verdict."""
        self.checked, self.running = self.running, None

    def dropped(self) -> None:
        """The running check was ended before its full verdict: its content is not checked."""
        self.running = None
