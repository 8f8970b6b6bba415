"""Exercise 02 clock_process: subclass Process and override run().

One scenario, `clocks`, creates two clocks (ticks given, and ticks left at its default),
records what was printed and which processes existed before start(), then starts both
and joins them. The spy's events tell which process printed each tick and when each
child's run() began and ended; a child's tick lines carry no timestamps, so the interval
is checked as a lower bound on the span of run().
"""

import time
from multiprocessing import process as mp_process

from grader import diagnosis
from grader import probes
from grader.sandbox import spy
from grader.testing import fail, no_child_crashes, nothing_left, returned, scenario
from grader.text import t

CLOCKS = {
    # key: (interval, ticks passed or None for the default)
    "explicit": (0.15, 3),
    "default": (0.05, None),
}
DEFAULT_TICKS = 5
PREFIX = "The time is "
CTIME = "%a %b %d %H:%M:%S %Y"
MARGIN = 0.05       # clock granularity allowance on lower bounds only
JOIN_BUDGET = 7.5   # how long the scenario waits for the clocks (time limit: 10 s)


def _ticks(key):
    ticks = CLOCKS[key][1]
    return DEFAULT_TICKS if ticks is None else ticks


# ---- the scenario (runs in the sandbox) -----------------------------------------------


def clocks(ex, explicit, default):
    cls = ex.ClockProcess
    is_class = isinstance(cls, type)
    out = {
        "subclass": is_class and issubclass(cls, mp_process.BaseProcess),
        "bases": [c.__qualname__ for c in cls.__mro__[1:]] if is_class else [],
        "overrides": sorted(n for n in ("start", "run") if is_class and n in vars(cls)),
    }
    already = len(probes.printed())  # anything printed at import is not the clocks' doing
    probes.mark("creating")
    try:
        made = {
            "explicit": cls(explicit[0], ticks=explicit[1]),
            "default": cls(default[0]),
        }
    except Exception as exc:
        out["create_error"] = spy.describe_exception(exc)
        return out
    probes.mark("created")
    out["printed_before"] = probes.printed()[already:]
    out["before"] = probes.snapshot()
    if not out["subclass"]:
        return out
    started = {}
    for key, p in made.items():
        began = probes.now()
        try:
            p.start()
        except Exception as exc:
            out[key] = {"error": spy.describe_exception(exc)}
            continue
        out[key] = {"began": began, "returned": probes.now(), "pid": p.pid}
        if p.pid is not None:
            started[key] = p
    deadline = probes.now() + JOIN_BUDGET
    for key, p in started.items():
        p.join(max(0.0, deadline - probes.now()))
        if p.is_alive():
            p.terminate()
            p.join(1)
            out[key]["killed"] = True
        out[key]["exitcode"] = p.exitcode
    return out


# ---- checks (run in pytest) ---------------------------------------------------------


def _site(obs, error):
    site = obs.error_site(error)
    return t("runner.site", file=obs.exercise_file, line=site[0], code=site[1]) if site else ""


def _returned(obs):
    """The scenario's record; a `run` with parameters (a contract error) is named."""
    if obs.status == "contract_error":
        for problem in obs.problems:
            if problem.get("kind") == "signature" and problem.get("name") == "run":
                fail(obs, "ex02.run_parameters", status="error", got=problem.get("got", ""),
                     mistake="run_parameters")
    return returned(obs)


def _created(obs):
    """The scenario's record once both clocks were created."""
    value = _returned(obs)
    error = value.get("create_error")
    if error:
        fail(obs, "runner.raised", type=error["type"], message=error.get("message", ""),
             site=_site(obs, error), mistake=diagnosis.for_exception(error))
    return value


def _is_tick(text):
    if not text.startswith(PREFIX):
        return False
    try:
        when = time.mktime(time.strptime(text[len(PREFIX):], CTIME))
    except (ValueError, OverflowError):
        return False
    return abs(when - time.time()) < 24 * 3600


def _parent_ticks(obs):
    return [text for text in obs.lines_of(obs.main_pid) if text.startswith(PREFIX)]


def _child(obs, key):
    """The child process that ran the `key` clock; fails with the reason when there is
    none."""
    value = _created(obs)
    if not value["subclass"]:
        fail(obs, "ex02.not_a_subclass", bases=", ".join(value["bases"]) or "none",
             mistake="not_a_subclass")
    record = value[key]
    if "error" in record:
        error = record["error"]
        fail(obs, "runner.raised", type=error["type"], message=error.get("message", ""),
             site=_site(obs, error), mistake=diagnosis.for_exception(error))
    child = obs.processes.get(record["pid"]) if record["pid"] is not None else None
    if child is None or child.run_began is None:
        in_parent = _parent_ticks(obs)
        if "start" in value["overrides"]:
            fail(obs, "ex02.no_child_start", count=str(len(in_parent)), pid=str(obs.main_pid),
                 mistake="overrode_start")
        if in_parent:
            fail(obs, "ex02.ticks_in_parent", count=str(len(in_parent)), pid=str(obs.main_pid),
                 mistake="run_instead_of_start")
        fail(obs, "ex02.no_child")
    if child.crash:
        no_child_crashes(obs)
    return record, child


def _call(key):
    interval, ticks = CLOCKS[key]
    return f"ClockProcess({interval})" if ticks is None else f"ClockProcess({interval}, ticks={ticks})"


PARAMS = dict(explicit=CLOCKS["explicit"], default=CLOCKS["default"])
CALL = (f"{_call('explicit')} and {_call('default')}: create both, then start() and join() "
        "each")


@scenario(clocks, call=CALL, **PARAMS)
def test_clock_process_subclasses_process(obs):
    value = _created(obs)
    if not value["subclass"]:
        fail(obs, "ex02.not_a_subclass", bases=", ".join(value["bases"]) or "none",
             mistake="not_a_subclass")


@scenario(clocks, call=CALL, weight=2, **PARAMS)
def test_nothing_happens_before_start(obs):
    value = _created(obs)
    printed = value["printed_before"]
    if printed:
        shown = [text for _, text in printed][:6]
        fail(obs, "ex02.printed_before_start", count=str(len(printed)), lines=shown,
             mistake="work_in_init")
    marks = {e.get("label"): e["t"] for e in obs.events if e.get("e") == "mark"}
    early = [e for e in obs.events if e.get("e") in ("start", "run")
             and marks.get("creating", 0) <= e["t"] <= marks.get("created", 0)]
    if early or value["before"]:
        fail(obs, "ex02.started_before_start", mistake="work_in_init")


@scenario(clocks, call=CALL, weight=2, **PARAMS)
def test_ticks_are_printed_by_the_child(obs):
    for key in CLOCKS:
        record, child = _child(obs, key)
        lines = obs.lines_of(child.pid)
        if not lines:
            fail(obs, "ex02.child_silent", pid=str(child.pid), clock=_call(key))
        wrong = [text for text in lines if not _is_tick(text)]
        if wrong:
            fail(obs, "ex02.tick_format", pid=str(child.pid), got=wrong[0], clock=_call(key),
                 mistake="wrong_output")


@scenario(clocks, call=CALL, weight=2, **PARAMS)
def test_prints_ticks_times(obs):
    counts = {}
    for key in CLOCKS:
        record, child = _child(obs, key)
        counts[key] = len([text for text in obs.lines_of(child.pid) if text.startswith(PREFIX)])
    for key in CLOCKS:
        if counts[key] != _ticks(key):
            ignored = len(set(counts.values())) == 1
            fail(obs, "ex02.tick_count", clock=_call(key), got=str(counts[key]),
                 expected=str(_ticks(key)), mistake="settings_ignored" if ignored else "wrong_output")


@scenario(clocks, call=CALL, **PARAMS)
def test_sleeps_interval_between_ticks(obs):
    for key in CLOCKS:
        record, child = _child(obs, key)
        if child.run_began is None or child.run_ended is None:
            continue
        interval = CLOCKS[key][0]
        span = child.run_ended - child.run_began
        least = (_ticks(key) - 1) * interval - MARGIN
        if span < least:
            fail(obs, "ex02.too_fast", clock=_call(key), span=f"{span:.2f}", least=f"{least:.2f}",
                 ticks=str(_ticks(key)), interval=str(interval), mistake="settings_ignored")


@scenario(clocks, call=CALL, **PARAMS)
def test_child_ends_cleanly(obs):
    value = _created(obs)
    for key in CLOCKS:
        record, child = _child(obs, key)
        if record.get("killed"):
            fail(obs, "ex02.never_ended", clock=_call(key), budget=str(JOIN_BUDGET))
        if record.get("exitcode") != 0:
            fail(obs, "ex02.exitcode", clock=_call(key), got=str(record.get("exitcode")))
        if child.pid == obs.main_pid or child.starter != obs.main_pid:
            fail(obs, "ex02.no_child")
    no_child_crashes(obs)
    nothing_left(obs)
    if value["explicit"]["pid"] == value["default"]["pid"]:
        fail(obs, "ex02.same_child", pid=str(value["explicit"]["pid"]))
