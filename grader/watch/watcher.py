"""The file watcher: tells the loop which files of a folder may have changed.

It uses watchdog: the system's file events where they work (inotify, FSEvents, kqueue,
ReadDirectoryChangesW), watching the folder rather than the file, so that a save that
writes a new file and renames it over the old one (an atomic save) is seen as a change of
the file's name like any other. Bursts of events (an editor's truncate, write and close)
are reported once, after a short quiet spell.

At start it proves that events arrive: it makes a file of its own in `probe_dir` (the
kit's .grader/ folder, next to exercises/, else a temporary folder) by an atomic rename and
waits for the event. Where none comes (WSL on a Windows drive, network folders), or the
system refuses more watches, it polls instead and says why (`mode`, `reason`);
`poll=True` polls from the start. Watchdog's polling compares the folder's listing and the
files' stat every `interval` seconds.
May import: watchdog.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

INTERVAL = 0.25         # seconds between two polls
QUIET = 0.05            # an event is reported once no other came for this long ...
LONGEST = 0.5           # ... or this long after the first one of a burst
PROBE_WAIT = 2.0        # how long the probe's event may take to arrive

CHANGES = {"created", "modified", "moved", "deleted", "closed"}   # not opened, closed_no_write, attrib


class _Debouncer(threading.Thread):
    """Collects paths and hands them to `deliver` once a burst of events is over."""

    def __init__(self, deliver: Callable[[set], None]):
        super().__init__(name="grader-watch-debounce", daemon=True)
        self.deliver = deliver
        self._cond = threading.Condition()
        self._paths: set = set()
        self._first = self._last = 0.0
        self._stopped = False

    def touch(self, path: str) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._paths.add(os.path.normcase(os.path.abspath(path)))
            self._last = now
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def run(self) -> None:
        while True:
            with self._cond:
                while not self._paths and not self._stopped:
                    self._cond.wait()
                while not self._stopped:
                    now = time.monotonic()
                    due = min(self._last + QUIET, self._first + LONGEST)
                    if now >= due:
                        break
                    self._cond.wait(due - now)
                if self._stopped:
                    return
                paths, self._paths = self._paths, set()
            self.deliver(paths)


def _handler(on_event: Callable[[object], None]):
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in CHANGES and not event.is_directory:
                on_event(event)

    return Handler()


def _paths_of(event) -> list[str]:
    paths = [event.src_path, getattr(event, "dest_path", "") or ""]
    return [os.fsdecode(p) for p in paths if p]


class FileWatcher:
    """Watches `folder` (not its subfolders) and calls `on_change(paths)` from a thread of
    its own with the normalised paths (os.path.normcase of the absolute path) that changed."""

    def __init__(self, folder: Path, on_change: Callable[[set], None], *, poll: bool = False,
                 probe_dir: Path | None = None, interval: float = INTERVAL):
        self.folder = Path(folder)
        self._where = os.path.normcase(os.path.abspath(folder))
        self.on_change = on_change
        self.poll = poll
        self.probe_dir = Path(probe_dir) if probe_dir else None
        self.interval = interval
        self.mode = "none"              # "events" or "polling" once started
        self.reason: str | None = None  # why it polls: "asked", "no_events", "error", "missed"
        self.detail = ""                # the error, for "error"
        self._observer = None
        self._debouncer: _Debouncer | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ start and stop

    def start(self) -> None:
        self._debouncer = _Debouncer(self.on_change)
        self._debouncer.start()
        if self.poll:
            self._start_polling("asked")
            return
        try:
            from watchdog.observers import Observer

            observer = Observer()
            observer.start()
            self._observer = observer
            if not self._probe(observer):
                self._stop_observer()
                self._start_polling("no_events")
                return
            observer.schedule(_handler(self._event), str(self.folder), recursive=False)
        except OSError as exc:          # inotify's limits, a folder that can't be watched
            self._stop_observer()
            self._start_polling("error", exc.strerror or str(exc))
            return
        self.mode = "events"

    def _start_polling(self, reason: str, detail: str = "") -> None:
        from watchdog.observers.polling import PollingObserver

        observer = PollingObserver(timeout=self.interval)
        observer.schedule(_handler(self._event), str(self.folder), recursive=False)
        observer.start()
        self._observer = observer
        self.mode, self.reason, self.detail = "polling", reason, detail

    def switch_to_polling(self, reason: str) -> None:
        """Events stopped (the observer died, or a change came without its event)."""
        with self._lock:
            if self.mode == "polling":
                return
            self._stop_observer()
            self._start_polling(reason)

    def alive(self) -> bool:
        observer = self._observer
        return observer is not None and observer.is_alive()

    def stop(self) -> None:
        self._stop_observer()
        if self._debouncer is not None:
            self._debouncer.stop()
            self._debouncer.join(2)

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            try:
                observer.stop()
                if observer.is_alive():
                    observer.join(2)
            except Exception:  # noqa: BLE001 - a watcher that can't even stop is stopped
                pass

    # ------------------------------------------------------------ events

    def _event(self, event) -> None:
        debouncer = self._debouncer
        if debouncer is None:
            return
        for path in _paths_of(event):
            if os.path.normcase(os.path.dirname(os.path.abspath(path))) == self._where:
                debouncer.touch(path)

    def _probe(self, observer) -> bool:
        """Make a file of our own by an atomic rename and wait for its event."""
        made_dir = None
        folder = self.probe_dir
        try:
            if folder is None:
                raise OSError
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f"watch-probe-{os.getpid()}"
            probe.with_suffix(".tmp").write_bytes(b"")
            os.unlink(probe.with_suffix(".tmp"))
        except OSError:     # a read-only kit: probe in a folder of our own
            folder = made_dir = Path(tempfile.mkdtemp(prefix="grader-watch-"))
            probe = folder / f"watch-probe-{os.getpid()}"
        seen = threading.Event()
        name = probe.name

        def on_event(event):
            if any(os.path.basename(p) == name for p in _paths_of(event)):
                seen.set()

        watch = observer.schedule(_handler(on_event), str(folder), recursive=False)
        temporary = probe.with_suffix(".tmp")
        try:
            temporary.write_bytes(str(time.time()).encode())
            os.replace(temporary, probe)
            return seen.wait(PROBE_WAIT)
        finally:
            try:
                observer.unschedule(watch)
            except Exception:  # noqa: BLE001
                pass
            for path in (temporary, probe):
                try:
                    path.unlink()
                except OSError:
                    pass
            if made_dir is not None:
                shutil.rmtree(made_dir, ignore_errors=True)
