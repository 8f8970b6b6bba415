"""The main program of one sandboxed call: `python -m grader.sandbox.runner WORKDIR`.

It sets limits on itself, chooses the start method before anything imports the student's
module, imports it, checks the contract, runs one scenario from a test module with the
module as argument, takes a snapshot of its descendants before anything can reap them, and
writes the result to WORKDIR/result.pickle. It ends with os._exit so that
multiprocessing's exit handler can't hang on children the student left running; the
supervisor (grader.sandbox) kills and reaps whatever is left.

Spawn and forkserver children import this module again as `__mp_main__`: its top level
only installs the spy, everything else sits under the `__main__` guard.
"""

from __future__ import annotations

import os
import sys

from grader.sandbox import spy

spy.install()



def _limit_resources(spec: dict) -> None:
    try:
        import resource
    except ImportError:  # Windows: the supervisor's watchdog is the only limit
        return
    memory = spec["memory_mb"] * 1024 * 1024
    limits = [
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, max(64 * 1024 * 1024, spec["output_cap"] * 8)),
    ]
    if sys.platform.startswith("linux"):
        # macOS does not enforce RLIMIT_AS and refuses some values; Linux does both.
        limits.append((resource.RLIMIT_AS, memory))
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            pass
    import signal

    # Past RLIMIT_FSIZE a write then fails with EFBIG instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _register_stack_dump(path: str):
    """On SIGUSR1 (sent by the supervisor at the deadline) write every thread's stack."""
    import faulthandler
    import signal

    dump = open(path, "w")
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)
    return dump


def _helper_pids() -> set[int]:
    """PIDs of multiprocessing's own helpers, which are not the student's processes."""
    pids = set()
    try:
        from multiprocessing import resource_tracker

        pid = resource_tracker._resource_tracker._pid
        if pid:
            pids.add(pid)
    except Exception:
        pass
    try:
        from multiprocessing import forkserver

        pid = forkserver._forkserver._forkserver_pid
        if pid:
            pids.add(pid)
    except Exception:
        pass
    return pids


def snapshot() -> list[dict]:
    """Every descendant of this process but multiprocessing's helpers, with its state.

    Taken before anything touches the student's Process objects, since join(),
    is_alive(), exitcode and even starting another process reap finished children."""
    import psutil

    helpers = _helper_pids()
    found = []
    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return found
    for child in children:
        if child.pid in helpers:
            continue
        try:
            with child.oneshot():
                found.append({"pid": child.pid, "ppid": child.ppid(), "status": child.status()})
        except psutil.Error:
            continue
    return found


def _check_contract(module, contract: list[str]) -> list[dict]:
    """Differences between the module and the contract's signatures, as message fields."""
    import inspect

    from grader.course.catalog import Signature

    problems = []
    for text in contract:
        sig = Signature.parse(text)
        owner = module
        if sig.owner:
            owner = getattr(module, sig.owner, None)
            if owner is None:
                problems.append({"kind": "missing", "name": sig.owner, "expected": text})
                continue
        obj = getattr(owner, sig.name, None)
        if obj is None:
            problems.append({"kind": "missing", "name": sig.name, "expected": text})
            continue
        if not callable(obj):
            problems.append({"kind": "not_callable", "name": sig.name, "expected": text})
            continue
        try:
            actual = inspect.signature(obj)
        except (TypeError, ValueError):
            continue
        kinds = {
            inspect.Parameter.POSITIONAL_ONLY: "positional",
            inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
            inspect.Parameter.VAR_POSITIONAL: "var_positional",
            inspect.Parameter.KEYWORD_ONLY: "keyword_only",
            inspect.Parameter.VAR_KEYWORD: "var_keyword",
        }
        got = tuple(
            (p.name, kinds[p.kind], None if p.default is p.empty else repr(p.default))
            for p in actual.parameters.values()
        )
        if got != sig.params:
            shown = f"{sig.owner + '.' if sig.owner else ''}{sig.name}{actual}"
            problems.append({"kind": "signature", "name": sig.name, "expected": text, "got": shown})
    return problems


def _load_scenario(path: str, qualname: str):
    """The scenario function, from its test module imported under its own name: stand-ins
    the module defines for the student's functions are then found by name in children too
    (spawn and forkserver children get this sys.path; PYTHONPATH covers the rest)."""
    import importlib

    folder, name = os.path.split(os.path.splitext(path)[0])
    if folder not in sys.path:
        sys.path.append(folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), folder) if p)
    target = importlib.import_module(name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def main(workdir: str) -> None:
    import pickle
    import time

    with open(os.path.join(workdir, "spec.pickle"), "rb") as f:
        spec = pickle.load(f)
    result: dict = {"main_pid": os.getpid()}

    def finish(status: str, **fields) -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        result.update(status=status, **fields)
        try:
            payload = pickle.dumps(result)
        except Exception as exc:  # the scenario returned something unpicklable: a grader bug
            payload = pickle.dumps({"main_pid": os.getpid(), "status": "grader_error",
                                    "error": spy.describe_exception(exc)})
        tmp = os.path.join(workdir, "result.tmp")
        with open(tmp, "wb") as f:
            f.write(payload)
        os.replace(tmp, os.path.join(workdir, "result.pickle"))
        os._exit(0)

    _limit_resources(spec)
    # Orphans of the student's processes come here, so they stay visible in the snapshot
    # (and killable) instead of vanishing to PID 1.
    from grader.sandbox.processes import become_subreaper

    become_subreaper()
    from grader.sandbox import stacks

    dump = _register_stack_dump(stacks.main_file(workdir))
    os.environ[spy.PROBE_DIR_ENV] = os.path.join(workdir, "probe")
    os.makedirs(os.environ[spy.PROBE_DIR_ENV], exist_ok=True)

    import multiprocessing

    multiprocessing.set_start_method(spec["start_method"], force=True)
    sys.path.insert(0, spec["exercise_dir"])
    sys.argv = [spec["exercise_file"]]

    import importlib

    spy.log("import_begin")
    try:
        module = importlib.import_module(spec["module"])
    except BaseException as exc:  # SyntaxError, NameError, SystemExit, ... at import
        finish("import_error", error=spy.describe_exception(exc), after_import=snapshot())
    spy.log("import_end")
    result["after_import"] = snapshot()
    problems = _check_contract(module, spec["contract"])
    if problems:
        finish("contract_error", problems=problems)

    try:
        scenario = _load_scenario(spec["scenario_file"], spec["scenario"])
    except BaseException as exc:
        finish("grader_error", error=spy.describe_exception(exc))
    started = time.monotonic()
    spy.log("call_begin")
    try:
        value = scenario(module, **spec["params"])
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code too
        ended = time.monotonic()
        spy.log("call_end")
        finish("raised", error=spy.describe_exception(exc), leftovers=snapshot(),
               started=started, ended=ended)
    ended = time.monotonic()
    spy.log("call_end")
    finish("returned", value=value, leftovers=snapshot(), started=started, ended=ended)
    dump.close()


if __name__ == "__main__":
    main(sys.argv[1])
