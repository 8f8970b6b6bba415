"""The pytest plugin behind every exercise test (loaded with `-p grader.grading.plugin`).

It runs each @scenario test once per start method, starts all sandboxed calls of the
session at once on a few threads (each call is a separate process, so this is what makes
a check take seconds, not tens of seconds), hands each test its Observation, turns
Failures into their plain message instead of a pytest traceback, and hands every test's
outcome to pytest-json-report as the test's metadata (`metadata.grader`: exercise, test,
start method, status, message, weight, duration, line, output), with the run's start
methods at the report's top level (`grader`), which `grader check` reads.
May import: grader.course, grader.sandbox, grader.results, grader.testing, grader.text.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.course import catalog as catalog_mod
from grader.results import Status
from grader.sandbox import methods as methods_mod
from grader.testing import Failure

EXERCISES_DIR_ENV = "GRADER_EXERCISES_DIR"


def pytest_addoption(parser):
    group = parser.getgroup("grader")
    group.addoption("--start-method", action="append", default=None,
                    help="run exercise tests only under these start methods (repeatable, or a comma list)")
    group.addoption("--exercises-dir", default=None,
                    help="the folder with the NN_slug.py files under test (default: exercises/)")
    group.addoption("--grader-jobs", type=int, default=None, help="sandboxed calls run at once")


class _Session:
    def __init__(self, config):
        self.config = config
        self.catalog = catalog_mod.load(catalog_mod.find_root(Path(str(config.rootpath))))
        self.methods = tuple(methods_mod.chosen(config.getoption("start_method")))
        folder = config.getoption("exercises_dir") or os.environ.get(EXERCISES_DIR_ENV)
        self.exercises_dir = Path(folder).resolve() if folder else self.catalog.root / "exercises"
        jobs = config.getoption("grader_jobs") or int(os.environ.get("GRADER_JOBS", "0") or 0)
        self.jobs = jobs or min(4, (os.cpu_count() or 1) + 1)
        self.executor: ThreadPoolExecutor | None = None
        self.futures: dict[tuple, Future] = {}

    def call_for(self, item, method: str):
        from grader.sandbox.supervisor import Call

        spec = item.function.grader_scenario
        exercise = self.catalog.for_test_file(item.path)
        if exercise is None:
            raise pytest.UsageError(f"{item.path.name} does not match an exercise in catalog.toml")
        return Call(
            exercise_file=self.exercises_dir / f"{exercise.name}.py",
            scenario_file=Path(item.path),
            scenario=spec.function,
            params=spec.params,
            start_method=method,
            time_limit=exercise.time_limit,
            max_processes=exercise.max_processes,
            memory_mb=exercise.memory_mb,
            output_kb=exercise.output_kb,
            contract=tuple(s.text for s in exercise.contract),
            label=spec.call_text(),
        )

    def key(self, item, method: str) -> tuple:
        spec = item.function.grader_scenario
        return (str(item.path), spec.function, repr(sorted(spec.params.items())), method)

    def submit(self, item, method: str) -> Future:
        key = self.key(item, method)
        if key not in self.futures:
            if self.executor is None:
                self.executor = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="sandbox")
            self.futures[key] = self.executor.submit(_observe, self.call_for(item, method))
        return self.futures[key]


def _observe(call):
    """Run the call, unless the file can't even be compiled or is missing (answered
    without starting a process)."""
    from grader.sandbox.observation import Observation

    path = Path(call.exercise_file)
    try:
        source = path.read_bytes()
    except OSError:
        return Observation(label=call.label, start_method=call.start_method,
                           exercise_file=str(path), status="missing_file")
    try:
        compile(source, str(path.resolve()), "exec")
    except SyntaxError as exc:
        from grader.sandbox import spy

        return Observation(label=call.label, start_method=call.start_method,
                           exercise_file=str(path.resolve()), status="import_error",
                           error=spy.describe_exception(exc))
    from grader.sandbox.supervisor import run

    return run(call)


_SESSION_KEY = pytest.StashKey[_Session]()


def pytest_configure(config):
    config.addinivalue_line("markers", "grader: an exercise test run in the sandbox")
    state = _Session(config)
    config.stash[_SESSION_KEY] = state
    # pytest-json-report adds its hooks only when a report is asked for (--json-report).
    if getattr(config.option, "json_report", False):
        config.pluginmanager.register(_JsonReport(state), "grader-json-report")


def pytest_generate_tests(metafunc):
    spec = getattr(metafunc.function, "grader_scenario", None)
    if spec is None:
        return
    session = metafunc.config.stash[_SESSION_KEY]
    methods = [m for m in session.methods if spec.methods is None or m in spec.methods]
    metafunc.parametrize("start_method", methods, ids=methods)


def pytest_collection_modifyitems(session, config, items):
    """Drop a test whose start methods were all narrowed away: pytest would keep it as a
    `[NOTSET]` item that can run under no start method."""
    keep, drop = [], []
    for item in items:
        spec = getattr(getattr(item, "function", None), "grader_scenario", None)
        method = item.callspec.params.get("start_method") if hasattr(item, "callspec") else None
        (drop if spec is not None and method not in methods_mod.START_METHODS else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session):
    """Start every sandboxed call of the session now, so they overlap."""
    state = session.config.stash[_SESSION_KEY]
    for item in session.items:
        if hasattr(item, "function") and hasattr(item.function, "grader_scenario"):
            state.submit(item, item.callspec.params["start_method"])


@pytest.fixture
def start_method(request):
    return request.param


@pytest.fixture
def obs(request, start_method):
    """The Observation of this test's scenario under this start method."""
    state = request.config.stash[_SESSION_KEY]
    observation = state.submit(request.node, start_method).result()
    if observation.status == "missing_file":
        raise Failure(_missing_message(observation), status="error")
    return observation


def _missing_message(observation) -> str:
    from grader.text import t

    return t("runner.missing_file", file=observation.exercise_file)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A Failure is reported as its plain message, not as a traceback."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and isinstance(call.excinfo.value, Failure):
        report.longrepr = call.excinfo.value.message


class _JsonReport:
    """The hooks pytest-json-report calls (registered only when it is loaded)."""

    def __init__(self, state: "_Session"):
        self.state = state

    def pytest_json_runtest_metadata(self, item, call):
        """The grader's outcome of a test run, as the test's metadata: for the call phase,
        or for a setup that did not pass (the exercise file is missing)."""
        if not (call.when == "call" or (call.when == "setup" and call.excinfo is not None)):
            return {}
        status, message = Status.PASS, ""
        if call.excinfo is not None:
            exc = call.excinfo.value
            if isinstance(exc, Failure):
                status, message = exc.status, exc.message
            elif call.excinfo.errisinstance(pytest.skip.Exception):
                status, message = Status.SKIP, str(getattr(exc, "msg", "") or exc)
            else:
                status, message = Status.ERROR, f"{type(exc).__name__}: {exc}"
        spec = getattr(getattr(item, "function", None), "grader_scenario", None)
        exercise = self.state.catalog.for_test_file(item.path)
        observation = getattr(item, "funcargs", {}).get("obs")
        return {"grader": {
            "nodeid": item.nodeid,
            "exercise": exercise.id if exercise else None,
            "test": getattr(item, "originalname", item.name),
            "start_method": item.callspec.params.get("start_method") if hasattr(item, "callspec") else None,
            "status": status,
            "message": message,
            "weight": spec.weight if spec else 1.0,
            # The sandboxed call's own time: the test itself only reads its Observation.
            "duration": round(observation.elapsed if observation is not None else call.duration, 3),
            "line": _line_in(message, observation),
            # What the student's code printed, for the reports; capped again where shown.
            "output": observation.stdout[-OUTPUT_KEPT:] if observation is not None else "",
        }}

    def pytest_json_modifyreport(self, json_report):
        """The run as a whole: its start methods and the folder of the files under test."""
        json_report["grader"] = {"python": sys.version.split()[0], "methods": list(self.state.methods),
                                 "exercises_dir": str(self.state.exercises_dir)}


OUTPUT_KEPT = 4000



def _line_in(message: str, observation) -> int | None:
    """The line of the student's file that a failure message points at, if it names one."""
    if observation is None or not message:
        return None
    from grader.text import template_regex

    # runner.site in any language: the message was written in the user's.
    for pattern in template_regex("runner.site", file=".+?", line=r"\d+"):
        for match in pattern.finditer(message):
            if match["file"] == observation.exercise_file:
                return int(match["line"])
    return None


def pytest_sessionfinish(session, exitstatus):
    state = session.config.stash.get(_SESSION_KEY, None)
    if state is None:
        return
    if state.executor is not None:
        state.executor.shutdown(wait=True, cancel_futures=True)
    if "grader.sandbox.supervisor" in sys.modules:
        # We are a subreaper once the sandbox is imported: reap what came to us.
        sys.modules["grader.sandbox.supervisor"].reap_orphans()
