"""Exercise 01 worker_args: pass arguments to a process, start it, join it with a timeout.

Each scenario runs in the sandbox with the student's module as `ex`. `two_workers` starts
one worker through `args` and one through `kwargs` and records, in the parent, what each
Process was created with (target, args, kwargs) and when `start_worker` returned; the
spy's events then tell which process printed what, when the child's run began and ended,
and whether anything joined it before `start_worker` returned. `join_timeout` hands
`join_with_timeout` processes of the grader's own (probes.sleepy), so it is graded
independently of `start_worker`.
"""

from multiprocessing import process as mp_process

from grader import diagnosis
from grader import probes
from grader.sandbox import spy
from grader.testing import fail, nothing_left, returned, scenario
from grader.text import t

SEC = 0.3           # the worker sleeps this long in each of its 3 rounds
ROUNDS = 3          # worker's default
NAMES = {"args": "Levi", "kwargs": "Mikasa"}
MARGIN = 0.05       # clock granularity allowance on lower bounds only
JOIN_BUDGET = 7.5   # how long two_workers waits for its children (time limit: 10 s)

SLOW = 3.0          # the process join_with_timeout must give up on
TIMEOUT = 0.2       # ... after this long
QUICK = 0.3         # the process join_with_timeout must wait for
PATIENCE = 7        # ... with this timeout, long only for a loaded machine


def expected_lines(name, rounds=ROUNDS):
    return [f"I'm {name}", "I'm working..."] * rounds


# ---- scenarios (run in the sandbox) ------------------------------------------------


def _describe_target(target):
    if target is None:
        return None
    return getattr(target, "__qualname__", None) or type(target).__name__


def two_workers(ex, sec):
    """start_worker once through args and once through kwargs; join both afterwards."""
    made = []
    original_init = mp_process.BaseProcess.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        target = getattr(self, "_target", None)
        made.append({
            "target": _describe_target(target),
            "target_callable": callable(target),
            "args": list(getattr(self, "_args", ())),
            "kwargs": dict(getattr(self, "_kwargs", {})),
        })

    mp_process.BaseProcess.__init__ = init
    out, procs = {}, []
    try:
        for key, extra in (("args", {}), ("kwargs", {"use_kwargs": True})):
            first = len(made)
            began = probes.now()
            try:
                p = ex.start_worker(sec, NAMES[key], **extra)
            except Exception as exc:
                out[key] = {"error": spy.describe_exception(exc), "made": made[first:],
                            "began": began, "returned": probes.now()}
                continue
            record = {"began": began, "returned": probes.now(), "made": made[first:],
                      "type": type(p).__qualname__,
                      "is_process": isinstance(p, mp_process.BaseProcess), "pid": None}
            if record["is_process"]:
                try:
                    record["pid"] = p.pid
                    procs.append(p)
                except Exception:
                    pass
            out[key] = record
    finally:
        mp_process.BaseProcess.__init__ = original_init
    # Correct workers need about 1 s; the wait is long only for a loaded machine.
    deadline = probes.now() + JOIN_BUDGET
    for p in procs:
        if p.pid is None:
            continue
        p.join(max(0.0, deadline - probes.now()))
        if p.is_alive():
            p.terminate()
            p.join(1)
            out["still_running"] = True
    return out


def worker_in_parent(ex, sec, name, rounds):
    """worker itself, called directly: the rounds parameter and the lines."""
    ex.worker(sec, name, rounds=rounds)
    return None


def _plain(value):
    """The student's return value if it is plain data, else its repr (it must pickle)."""
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def join_timeout(ex, slow, timeout, quick, patience):
    """join_with_timeout on a process that outlives the timeout, then on one that ends
    while it waits. Both are the grader's own processes."""
    import multiprocessing

    out = {}
    long_one = multiprocessing.Process(target=probes.sleepy, args=(slow,))
    long_one.start()
    began = probes.now()
    value = _plain(ex.join_with_timeout(long_one, timeout))
    ended = probes.now()
    alive = [s for s in probes.snapshot() if s["pid"] == long_one.pid]
    out["slow"] = {"pid": long_one.pid, "value": value, "began": began, "returned": ended,
                   "after": alive}
    long_one.terminate()
    long_one.join(5)

    short_one = multiprocessing.Process(target=probes.sleepy, args=(quick,))
    short_one.start()
    began = probes.now()
    value = _plain(ex.join_with_timeout(short_one, patience))
    ended = probes.now()
    after = [s for s in probes.snapshot() if s["pid"] == short_one.pid]
    out["quick"] = {"pid": short_one.pid, "value": value, "began": began, "returned": ended,
                    "after": after}
    short_one.join(5)
    return out


# ---- checks (run in pytest) ---------------------------------------------------------


def _site(obs, error):
    site = obs.error_site(error)
    return t("runner.site", file=obs.exercise_file, line=site[0], code=site[1]) if site else ""


def _made(record):
    """What the one Process start_worker created was made with, if it made exactly one."""
    made = record.get("made") or []
    return made[0] if len(made) == 1 else None


def _started_child(obs, key):
    """The child process start_worker started for `key`; fails with the reason when there
    is none."""
    value = returned(obs)
    record = value[key]
    name = NAMES[key]
    parent_lines = [text for text in obs.lines_of(obs.main_pid) if text in expected_lines(name)]
    if "error" in record:
        error = record["error"]
        fail(obs, "runner.raised", type=error["type"], message=error.get("message", ""),
             site=_site(obs, error), mistake=diagnosis.for_exception(error))
    made = _made(record)
    if made is not None and not made["target_callable"] and parent_lines:
        fail(obs, "ex01.target_called", pid=str(obs.main_pid), target=repr(made["target"]),
             mistake="target_called")
    if not record["is_process"]:
        fail(obs, "ex01.not_a_process", got=record["type"])
    if record["pid"] is None:
        if parent_lines:
            fail(obs, "ex01.ran_in_parent", pid=str(obs.main_pid), mistake="run_instead_of_start")
        fail(obs, "ex01.not_started", mistake="never_started")
    starts = [e for e in obs.events if e.get("e") == "start" and e.get("pid") == obs.main_pid
              and record["began"] <= e["t"] <= record["returned"]]
    if len(starts) != 1:
        fail(obs, "ex01.start_count", count=str(len(starts)))
    child = obs.processes.get(record["pid"])
    if child is None or child.run_began is None:
        fail(obs, "ex01.no_child_run", pid=str(record["pid"]))
    if child.pid == obs.main_pid:
        fail(obs, "ex01.ran_in_parent", pid=str(obs.main_pid), mistake="run_instead_of_start")
    if made is not None and not made["target_callable"]:
        fail(obs, "ex01.target_called", pid=str(obs.main_pid), target=repr(made["target"]),
             mistake="target_called")
    return record, child


def _how_passed(key, record):
    """What is wrong with how the Process got worker's arguments, as (message key,
    fields, mistake), or None: (sec, name) in args, or as kwargs with use_kwargs."""
    made = _made(record)
    if made is None:
        return None
    name = NAMES[key]
    args, kwargs = made["args"], made["kwargs"]
    fields = {"args": repr(tuple(args)), "kwargs": repr(kwargs)}
    # Passing worker's default explicitly as well (rounds=3) changes nothing: allow it.
    if args[2:] == [ROUNDS]:
        args = args[:2]
    if kwargs.get("rounds") == ROUNDS:
        kwargs = {k: v for k, v in kwargs.items() if k != "rounds"}
    if key == "args":
        if args == [name, SEC] and not kwargs:
            return "ex01.args_swapped", fields, "args_order"
        if args != [SEC, name] or kwargs:
            return "ex01.args", dict(fields, expected=repr((SEC, name))), None
        return None
    fields["expected"] = repr({"sec": SEC, "name": name})
    if set(kwargs) != {"sec", "name"}:
        return "ex01.kwargs", fields, "kwargs_names" if kwargs and not args else "kwargs_not_used"
    if kwargs != {"sec": SEC, "name": name} or args:
        return "ex01.kwargs", fields, None
    return None


def _check_how_passed(obs, key, record):
    problem = _how_passed(key, record)
    if problem:
        message, fields, mistake = problem
        fail(obs, message, mistake=mistake, **fields)


def _check_crash(obs, key, child):
    """Like no_child_crashes, for one child only (the other worker may be fine); a wrong
    way of passing the arguments is the likelier mistake when there is one."""
    if child.crash:
        error = child.crash
        problem = _how_passed(key, returned(obs)[key])
        mistake = problem[2] if problem and problem[2] else diagnosis.for_exception(error)
        fail(obs, "runner.child_crashed", pid=str(child.pid), type=error["type"],
             message=error.get("message", ""), site=_site(obs, error), mistake=mistake)


def _check_lines(obs, key, child):
    name = NAMES[key]
    want = expected_lines(name)
    _check_crash(obs, key, child)
    got = obs.lines_of(child.pid)
    if got != want:
        in_parent = [text for text in obs.lines_of(obs.main_pid) if text in want]
        if in_parent and not got:
            fail(obs, "ex01.lines_in_parent", pid=str(obs.main_pid), got=in_parent)
        fail(obs, "ex01.lines", pid=str(child.pid), got=got, expected=want, name=name,
             mistake="wrong_output")


def _check_returned_early(obs, key, record, child):
    joins = [e for e in obs.events if e.get("e") == "join_call" and e.get("pid") == obs.main_pid
             and e.get("child") == child.pid and record["began"] <= e["t"] <= record["returned"]]
    if joins:
        fail(obs, "ex01.joined_in_start", mistake="joined_in_start")
    if child.run_ended is not None and child.run_ended <= record["returned"]:
        fail(obs, "ex01.returned_after_end", mistake="joined_in_start")


def _check_slept(obs, child):
    if child.run_began is None or child.run_ended is None:
        return
    span = child.run_ended - child.run_began
    least = ROUNDS * SEC - MARGIN
    if span < least:
        fail(obs, "ex01.too_short", span=f"{span:.2f}", sec=str(SEC), least=f"{least:.2f}")


WORKERS = dict(sec=SEC)
WORKERS_CALL = "start_worker({sec}, 'Levi') and start_worker({sec}, 'Mikasa', use_kwargs=True)"


@scenario(two_workers, call=WORKERS_CALL, weight=2, **WORKERS)
def test_start_worker_starts_a_child_process(obs):
    _started_child(obs, "args")


@scenario(two_workers, call=WORKERS_CALL, weight=2, **WORKERS)
def test_worker_prints_its_lines_in_the_child(obs):
    record, child = _started_child(obs, "args")
    _check_lines(obs, "args", child)


@scenario(two_workers, call=WORKERS_CALL, **WORKERS)
def test_child_receives_sec_and_name_through_args(obs):
    record, child = _started_child(obs, "args")
    _check_how_passed(obs, "args", record)
    _check_crash(obs, "args", child)
    _check_slept(obs, child)


@scenario(two_workers, call=WORKERS_CALL, weight=2, **WORKERS)
def test_start_worker_returns_without_joining(obs):
    record, child = _started_child(obs, "args")
    _check_returned_early(obs, "args", record, child)


@scenario(two_workers, call=WORKERS_CALL, weight=2, **WORKERS)
def test_kwargs_worker_runs_in_its_own_child(obs):
    record, child = _started_child(obs, "kwargs")
    other = returned(obs)["args"].get("pid")
    if other is not None and other == child.pid:
        fail(obs, "ex01.same_child", pid=str(child.pid))
    _check_lines(obs, "kwargs", child)


@scenario(two_workers, call=WORKERS_CALL, **WORKERS)
def test_kwargs_pass_sec_and_name_by_keyword(obs):
    record, child = _started_child(obs, "kwargs")
    _check_how_passed(obs, "kwargs", record)
    _check_crash(obs, "kwargs", child)
    _check_slept(obs, child)
    _check_returned_early(obs, "kwargs", record, child)


@scenario(two_workers, call=WORKERS_CALL, **WORKERS)
def test_start_worker_leaves_nothing_behind(obs):
    _started_child(obs, "args")
    _started_child(obs, "kwargs")
    if returned(obs).get("still_running"):
        fail(obs, "ex01.never_ended", budget=str(JOIN_BUDGET))
    nothing_left(obs)


@scenario(worker_in_parent, call="worker({sec}, {name}, rounds={rounds})", methods=("spawn",),
          sec=0.01, name="Armin", rounds=2)
def test_worker_prints_rounds_times(obs):
    returned(obs)
    want = expected_lines("Armin", rounds=2)
    got = obs.lines_of(obs.main_pid)
    if got != want:
        fail(obs, "ex01.rounds", got=got, expected=want, mistake="wrong_output")


JOIN = dict(slow=SLOW, timeout=TIMEOUT, quick=QUICK, patience=PATIENCE)
JOIN_CALL = ("join_with_timeout(p, {timeout}) for a process that runs {slow} s, then "
             "join_with_timeout(q, {patience}) for one that runs {quick} s")
JOIN_STUCK = {r"\.join\(\s*\)": "join_ignores_timeout"}


def _join_value(obs, key):
    return returned(obs, stuck=JOIN_STUCK)[key]


@scenario(join_timeout, call=JOIN_CALL, weight=2, **JOIN)
def test_join_with_timeout_false_while_running(obs):
    record = _join_value(obs, "slow")
    value = record["value"]
    child = obs.processes.get(record["pid"])
    ended = child.run_ended if child else None
    if ended is not None and ended <= record["returned"]:
        fail(obs, "ex01.join_waited", timeout=str(TIMEOUT), slow=str(SLOW),
             waited=f"{record['returned'] - record['began']:.1f}", mistake="join_ignores_timeout")
    if value is not False:
        mistake = "join_result" if value is None or value is True else None
        fail(obs, "ex01.join_false", got=value, slow=str(SLOW), timeout=str(TIMEOUT),
             mistake=mistake)


@scenario(join_timeout, call=JOIN_CALL, weight=2, **JOIN)
def test_join_with_timeout_true_once_ended(obs):
    record = _join_value(obs, "quick")
    value = record["value"]
    if value is not True:
        fail(obs, "ex01.join_true", got=value, quick=str(QUICK), patience=str(PATIENCE),
             mistake="join_result" if value is None else None)
    reaped = [e for e in obs.events if e.get("e") == "reaped" and e.get("child") == record["pid"]
              and e["t"] <= record["returned"]]
    if not reaped or record["after"]:
        fail(obs, "ex01.join_not_reaped", pid=str(record["pid"]), mistake="never_joined")
