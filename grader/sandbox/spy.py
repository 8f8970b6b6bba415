"""What every process of a sandboxed call reports about itself.

`install()` runs in the sandbox's main process and again in every child (fork inherits it;
spawn and forkserver children re-import the runner, which calls it). It patches
multiprocessing so that each process start, reap, join, crash and Pool operation appends
one JSON line to the events file, and it tags every line printed with the printing
process's PID. Reading these events later is how a test knows what happened in children
without touching (and so reaping) the student's Process objects.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import sys
import time
import traceback

EVENTS_ENV = "GRADER_EVENTS"
PROBE_DIR_ENV = "GRADER_PROBE_DIR"   # a folder of the call's own, for grader.probes
OUTPUT_CAP_ENV = "GRADER_OUTPUT_CAP"

# Line tags in the captured output: RS, pid, a flag, US, then the text.
TAG_START = "\x1e"
TAG_END = "\x1f"
FLAG_LINE, FLAG_PARTIAL, FLAG_CUT = "", "~", "!"

_events_fd: int | None = None
_pool_numbers = itertools.count(1)
_installed = False


def log(kind: str, /, **data) -> None:
    """Append one event (a JSON line) for this process; never fails the caller."""
    if _events_fd is None:
        return
    data.update(e=kind, pid=os.getpid(), t=time.monotonic())
    try:
        line = json.dumps(data, default=repr) + "\n"
        os.write(_events_fd, line.encode("utf-8", "replace"))
    except Exception:  # a full disk or a closed fd must not change the student's outcome
        pass


def describe_exception(exc: BaseException, limit: int = 4000) -> dict:
    """A picklable account of an exception: type, message and all frames of its traceback."""
    frames = [
        (f.filename, f.lineno, f.name, f.line or "")
        for f in traceback.extract_tb(exc.__traceback__)
    ]
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    cause = exc.__cause__
    remote = str(cause) if cause is not None and type(cause).__name__ == "RemoteTraceback" else ""
    info = {
        "type": type(exc).__name__,
        "message": str(exc)[:limit],
        "frames": frames,
        "text": text[-limit:],
        "remote": remote[-limit:],
    }
    if isinstance(exc, SyntaxError):
        info.update(filename=exc.filename, lineno=exc.lineno, line=(exc.text or "").rstrip())
    return info


class TaggedWriter(io.TextIOBase):
    """A stdout/stderr stand-in that writes whole lines, each tagged with the writer's PID.

    Lines go straight to the file descriptor in one write each, so the lines of several
    processes sharing the file never interleave mid-line; output past the cap is dropped.
    """

    def __init__(self, stream, cap: int):
        super().__init__()
        self._stream = stream
        self._fd = stream.fileno()
        self._cap = cap
        self._pending = ""
        self._written = 0
        self._pid = os.getpid()
        self._cut = False

    # Attributes student code (and print) may look at.
    encoding = "utf-8"
    errors = "replace"

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    @property
    def buffer(self):
        return self._stream.buffer

    def _own(self) -> None:
        # After a fork the child starts with the parent's counters and pending text.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._pending = ""
            self._written = 0
            self._cut = False

    def write(self, text: str) -> int:
        self._own()
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._cut:  # past the cap: drop at once, so a print loop does not crawl
            return len(text)
        self._pending += text
        if "\n" in self._pending:
            complete, _, self._pending = self._pending.rpartition("\n")
            self._emit(complete.split("\n"), FLAG_LINE)
        if len(self._pending) > 8192:
            self.flush()
        return len(text)

    def flush(self) -> None:
        self._own()
        if self._pending:
            pending, self._pending = self._pending, ""
            self._emit([pending], FLAG_PARTIAL)

    def close(self) -> None:
        self.flush()

    def _emit(self, lines: list[str], flag: str) -> None:
        if self._cut:
            return
        tag = f"{TAG_START}{self._pid}{flag}{TAG_END}"
        data = "".join(f"{tag}{line}\n" for line in lines).encode("utf-8", "replace")
        if self._written + len(data) > self._cap:
            self._cut = True
            data = f"{TAG_START}{self._pid}{FLAG_CUT}{TAG_END}\n".encode()
        self._written += len(data)
        try:
            while data:
                data = data[os.write(self._fd, data):]
        except OSError:  # EFBIG past RLIMIT_FSIZE, or a closed descriptor
            self._cut = True


def _patch_processes() -> None:
    from multiprocessing import process

    base = process.BaseProcess
    original_start, original_join, original_bootstrap = base.start, base.join, base._bootstrap

    def start(self):
        original_start(self)
        log("start", child=self.pid, name=self.name, daemon=bool(self.daemon),
            cls=type(self).__qualname__, module=type(self).__module__)

    def join(self, timeout=None):
        log("join_call", child=self.pid if self._popen else None, timeout=timeout)
        original_join(self, timeout)
        popen = self._popen
        if popen is not None and popen.returncode is not None:
            log("join", child=self.pid, exitcode=popen.returncode)

    def bootstrap(self, *args, **kwargs):
        _register_stack_dump()   # before "run": the supervisor signals only logged children
        log("run", parent=self._parent_pid, name=self.name, daemon=bool(self.daemon),
            cls=type(self).__qualname__, module=type(self).__module__)
        inner = self.run

        def run():
            try:
                inner()
            except SystemExit as exc:
                log("exit", code=repr(exc.code))
                raise
            except BaseException as exc:
                log("crash", error=describe_exception(exc))
                raise
            log("end")

        self.run = run
        try:
            return original_bootstrap(self, *args, **kwargs)
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass

    base.start, base.join, base._bootstrap = start, join, bootstrap


def _patch_popen() -> None:
    """Log when a parent learns that its child ended: that is when the child is reaped
    (join, is_alive, exitcode and active_children all end up here)."""
    import importlib

    for name in ("popen_fork", "popen_forkserver", "popen_spawn_win32"):
        try:
            module = importlib.import_module(f"multiprocessing.{name}")
        except ImportError:
            continue
        cls = module.Popen
        for method in ("poll", "wait"):
            if method in vars(cls):
                setattr(cls, method, _reap_logger(getattr(cls, method)))


def _reap_logger(method):
    def wrapper(self, *args, **kwargs):
        before = self.returncode
        result = method(self, *args, **kwargs)
        if before is None and self.returncode is not None:
            log("reaped", child=self.pid, exitcode=self.returncode)
        return result

    wrapper.__wrapped__ = method
    return wrapper


def _patch_pool() -> None:
    from multiprocessing import pool

    cls = pool.Pool
    original_init = cls.__init__

    def init(self, processes=None, *args, **kwargs):
        # A serial number, not id(self): a new pool can reuse a freed pool's id.
        self._grader_pool = f"{os.getpid()}-{next(_pool_numbers)}"
        original_init(self, processes, *args, **kwargs)
        log("pool", pool=self._grader_pool, processes=self._processes, asked=processes)

    cls.__init__ = init
    for method in ("close", "terminate", "join"):
        cls_method = getattr(cls, method)

        def wrapper(self, *args, _method=cls_method, _name=method, **kwargs):
            result = _method(self, *args, **kwargs)
            log(f"pool_{_name}", pool=getattr(self, "_grader_pool", id(self)))
            return result

        setattr(cls, method, wrapper)
    original_map = cls.map

    def map_(self, func, iterable, chunksize=None):
        log("pool_map", pool=getattr(self, "_grader_pool", id(self)), func=getattr(func, "__qualname__", repr(func)))
        return original_map(self, func, iterable, chunksize)

    cls.map = map_


def _patch_pipe() -> None:
    """Give every Pipe (and so every Queue) a buffer of one page, as small as an OS allows.

    How much a pipe holds before send() blocks differs by system (Linux socket pairs about
    200 KiB, Linux pipes 64 KiB, macOS 8 to 64 KiB). With one page everywhere the sandbox
    shows the deadlock of joining a child before receiving what it sends with a handful
    of children, on every system and every run, not only past some size."""
    if sys.platform == "win32":
        return
    import socket
    from multiprocessing import connection

    original = connection.Pipe
    set_pipe_size = 1031  # fcntl.F_SETPIPE_SZ (Linux); absent from the fcntl module before 3.10

    def Pipe(duplex=True):
        ends = original(duplex)
        for end in ends:
            try:
                if duplex:
                    sock = socket.socket(fileno=os.dup(end.fileno()))
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                    sock.close()
                elif sys.platform.startswith("linux"):
                    import fcntl

                    fcntl.fcntl(end.fileno(), set_pipe_size, 4096)
                    break  # both ends share the one pipe buffer
            except OSError:
                pass
        return ends

    connection.Pipe = Pipe


def install() -> None:
    """Patch this process once; a no-op outside a sandbox (no events file set)."""
    global _events_fd, _installed
    path = os.environ.get(EVENTS_ENV)
    if _installed or not path:
        return
    _installed = True
    _events_fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    cap = int(os.environ[OUTPUT_CAP_ENV])   # set by the supervisor with the events file
    if not isinstance(sys.stdout, TaggedWriter) and sys.stdout is not None:
        sys.stdout = TaggedWriter(sys.stdout, cap)
    if not isinstance(sys.stderr, TaggedWriter) and sys.stderr is not None:
        sys.stderr = TaggedWriter(sys.stderr, cap)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_flush_streams)
    _patch_processes()
    _patch_popen()
    _patch_pool()
    _patch_pipe()


_dump_file = None


def _register_stack_dump() -> None:
    """In a child: on SIGUSR1 (the supervisor's, at the time limit) write every thread's
    stack to stacks-<pid>.txt beside the events file, so a hang in a child shows its line."""
    global _dump_file
    import faulthandler
    import signal

    path = os.environ.get(EVENTS_ENV)
    if not path or not hasattr(signal, "SIGUSR1"):
        return
    try:
        from grader.sandbox import stacks

        _dump_file = open(stacks.child_file(os.path.dirname(path), os.getpid()), "w")
        faulthandler.register(signal.SIGUSR1, file=_dump_file, all_threads=True)
    except Exception:  # no dump is better than a child that fails to start
        pass


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
