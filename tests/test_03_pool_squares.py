"""Exercise 03 pool_squares: Pool.map and Pool.apply_async.

Each scenario runs in the sandbox with the student's module as `ex`. The stand-in
`square_standin` replaces the student's `square` (the contract allows it): it logs which
process ran each task and when, and makes the tasks finish in reverse order, so code that
collects results in completion order is caught every time, not only by luck. The scenarios
also mark every AsyncResult made and every get() on one (in the parent), so a get() after
the pool was terminated, or right after each apply_async, is named from what happened,
not from the line a timed-out call happened to be stuck on.
"""

import json
import time

from grader import probes
from grader.testing import fail, no_child_crashes, nothing_left, returned, scenario

NUMBERS = [7, 3, 9, 1]
SQUARES = [n * n for n in NUMBERS]


def plain_squares(ex):
    return [ex.square(n) for n in (0, 3, -4, 12)]


def _log_gets():
    """Log a `submit` mark for every AsyncResult made (apply_async, map, ...) and a `get`
    mark whenever the student's code calls get() on one, so a test can tell results
    collected after their pool was terminated (leaving `with Pool`) even when the tasks
    happened to finish in time, and get() called before all tasks were submitted even
    when the call ran out of time before that showed."""
    from multiprocessing.pool import ApplyResult

    original_init, original_get = ApplyResult.__init__, ApplyResult.get

    def init(self, pool, *args, **kwargs):
        original_init(self, pool, *args, **kwargs)
        # The spy's serial number for the pool (the result drops its _pool once it is set).
        self.grader_pool = getattr(pool, "_grader_pool", id(pool))
        probes.mark("submit", pool=self.grader_pool, cls=type(self).__name__)

    def get(self, timeout=None):
        probes.mark("get", pool=getattr(self, "grader_pool", None), cls=type(self).__name__)
        return original_get(self, timeout)

    ApplyResult.__init__, ApplyResult.get = init, get


def plan_reverse_completion(numbers, give_up: float = 2.0) -> None:
    """Make `square` finish its tasks in reverse order of `numbers`.

    The task for numbers[i] waits until the tasks of every later number have finished.
    Run concurrently (enough workers), the last-submitted task therefore completes first:
    code that collects in completion order (imap_unordered, callbacks) comes back
    reversed every time, not only when the scheduler happens to reorder. Run one after
    another, a task would wait forever, so after `give_up` seconds the first one stops
    waiting and tells the rest not to wait either.
    """
    (probes.folder() / "plan.json").write_text(json.dumps({"numbers": list(numbers), "give_up": give_up}))


def square_standin(n):
    """Stand-in for the student's `square(n)`: logs a `task` event (pid, n, start, end) and
    follows the plan set by plan_reverse_completion, if any."""
    began = time.monotonic()
    folder = probes.folder()
    waited_out = False
    try:
        plan = json.loads((folder / "plan.json").read_text())
    except (OSError, ValueError):
        plan = None
    if plan and n in plan["numbers"]:
        index = plan["numbers"].index(n)
        later = [folder / f"done-{i}" for i in range(index + 1, len(plan["numbers"]))]
        deadline = began + plan["give_up"]
        while not all(p.exists() for p in later):
            if (folder / "gave-up").exists():
                break
            if time.monotonic() > deadline:
                (folder / "gave-up").touch()
                waited_out = True
                break
            time.sleep(0.005)
        time.sleep(0.01)
        (folder / f"done-{index}").touch()
    probes.event("task", n=n, began=began, ended=time.monotonic(), waited_out=waited_out)
    return n * n


def with_stand_in(ex, function, numbers, processes):
    # give_up: only serial code ever waits it out; correct code's four tasks all begin
    # within about a second of each other even on a heavily loaded machine (spawn).
    plan_reverse_completion(numbers, give_up=3.0)
    _log_gets()
    ex.square = square_standin
    return getattr(ex, function)(numbers, processes=processes)


def small_inputs(ex):
    _log_gets()
    return {
        "map_empty": ex.pool_squares([], processes=2),
        "async_empty": ex.pool_squares_async([], processes=2),
        "map_many": ex.pool_squares(list(range(30)), processes=2),
        "async_many": ex.pool_squares_async(list(range(30)), processes=2),
    }


MAP = dict(function="pool_squares", numbers=NUMBERS, processes=4)
ASYNC = dict(function="pool_squares_async", numbers=NUMBERS, processes=4)
MAP_CALL = "pool_squares({numbers}, processes={processes})"
ASYNC_CALL = "pool_squares_async({numbers}, processes={processes})"


def _tasks(obs):
    return obs.probe_events("task")


def _returned(obs, pools=1, tasks=len(NUMBERS)):
    """returned(), plus what this exercise knows better than the generic rules: a pool
    handed a stale alias of `square`, and what a time-out was spent on: starting a pool
    per task (the scenario needs `pools` pools), collecting from a terminated pool, or
    waiting for each of its `tasks` apply_async tasks before submitting the next."""
    error = obs.error or {}
    if obs.status == "raised" and "not the same object as" in error.get("message", ""):
        # pickle sends a function by name; the alias still points at the square the
        # module had at import, not the stand-in the test put in its place.
        line, code = obs.error_site() or ("?", "")
        fail(obs, "ex03.square_alias", type=error["type"], message=error["message"],
             line=str(line), code=code, mistake="stale_alias")
    if len(obs.probe_events("pool")) > pools:
        return returned(obs, stuck={"": "pool_per_task"})
    if _gets_after_terminate(obs):
        return returned(obs, stuck={"": "get_after_with"})
    if tasks and _get_before_all_submitted(obs, tasks):
        return returned(obs, stuck={"": "get_in_loop"})
    return returned(obs)


def _get_before_all_submitted(obs, tasks):
    """True when get() was called on an apply_async result before all `tasks` were submitted."""
    submitted = 0
    for event in obs.probe_events("mark"):
        if event.get("pid") != obs.main_pid or event.get("cls") != "ApplyResult":
            continue
        if event.get("label") == "submit":
            submitted += 1
        elif event.get("label") == "get" and submitted < tasks:
            return True
    return False


def _gets_after_terminate(obs):
    """get() calls on an AsyncResult made after its own pool was terminated (the end of
    its `with` block) before it had been closed and joined (after close() and join() every
    result is in, so collecting after the block is fine). The parent's events are read in
    order."""
    state, late = {}, []
    for event in obs.events:
        if event.get("pid") != obs.main_pid:
            continue
        kind, pool = event.get("e"), event.get("pool")
        if kind == "pool":
            state[pool] = "running"
        elif kind == "pool_close" and state.get(pool) == "running":
            state[pool] = "closed"
        elif kind == "pool_join" and state.get(pool) == "closed":
            state[pool] = "finished"
        elif kind == "pool_terminate" and state.get(pool) != "finished":
            state[pool] = "terminated"
        elif kind == "mark" and event.get("label") == "get" and state.get(pool) == "terminated":
            late.append(event)
    return late


def _same_items(got, want):
    """True when `got` holds the items of `want` in some order."""
    try:
        return isinstance(got, list) and sorted(got) == sorted(want)
    except TypeError:  # items that can't be compared (None, strings): not the squares
        return False


def _ints(value):
    """True when every item is an int (a float 9.0 == 9 would pass an equality check)."""
    return all(type(v) is int for v in value or [])


def _pool_workers_left(obs):
    """Leftover processes that are pool workers (the spy saw them start)."""
    workers = {p.pid for p in obs.children(include_pool_workers=True) if p.pool_worker}
    return [p for p in obs.leftovers if p["pid"] in workers]


def _check_order(obs):
    value = _returned(obs)
    if value == SQUARES:
        return
    mistake = "unordered" if value == SQUARES[::-1] or _same_items(value, SQUARES) else None
    fail(obs, "ex03.order", got=value, expected=SQUARES, mistake=mistake)


def _check_in_workers(obs, processes):
    _returned(obs)
    no_child_crashes(obs)
    tasks = _tasks(obs)
    if not tasks:
        fail(obs, "ex03.square_not_used")
    in_parent = [e for e in tasks if e["pid"] == obs.main_pid]
    if in_parent:
        fail(obs, "ex03.square_in_parent", pid=str(obs.main_pid), mistake="work_in_parent")
    workers = {e["pid"] for e in tasks}
    pools = list(obs.pools.values())
    # Counted from the creation events, one per Pool().
    created = len(obs.probe_events("pool"))
    if len(pools) != 1 or created != 1:
        fail(obs, "ex03.pool_count", count=str(max(len(pools), created)),
             mistake="pool_per_task" if created > 1 else None)
    if pools[0]["asked"] != processes:
        fail(obs, "ex03.processes", got=pools[0]["asked"], expected=processes, mistake="ignored_processes")
    if len(workers) > processes:
        fail(obs, "ex03.too_many_workers", count=str(len(workers)), expected=str(processes))


def _check_pool_finished(obs, need_close_join):
    _returned(obs)
    if not obs.pools:
        in_parent = any(e["pid"] == obs.main_pid for e in _tasks(obs))
        fail(obs, "ex03.no_pool", mistake="work_in_parent" if in_parent else None)
    ops = {op for pool in obs.pools.values() for op, _, _ in pool["ops"]}
    finished = {"close", "join"} <= ops or "terminate" in ops
    if not obs.pools or not finished:
        fail(obs, "ex03.pool_not_finished", ops=", ".join(sorted(ops)) or "none", mistake="pool_never_closed")
    if need_close_join and _gets_after_terminate(obs):
        fail(obs, "ex03.get_after_with", mistake="get_after_with")
    if need_close_join and not {"close", "join"} <= ops:
        fail(obs, "ex03.async_close_join", ops=", ".join(sorted(ops)))
    _nothing_left(obs)


def _nothing_left(obs):
    """Pool workers still alive get the pool's message; any other process the generic one."""
    alive = _pool_workers_left(obs)
    if alive:
        fail(obs, "ex03.workers_left", count=str(len(alive)), mistake="pool_never_closed")
    nothing_left(obs)


@scenario(plain_squares, call="square(n) for n in (0, 3, -4, 12)", methods=("spawn",))
def test_square_multiplies_n_by_itself(obs):
    value = returned(obs)
    if value != [0, 9, 16, 144]:
        fail(obs, "ex03.square", got=value, expected=[0, 9, 16, 144])
    if not _ints(value):
        fail(obs, "ex03.square_type", got=value, expected=[0, 9, 16, 144], mistake="float_not_int")


@scenario(with_stand_in, call=MAP_CALL, weight=2, **MAP)
def test_map_returns_squares_in_input_order(obs):
    _check_order(obs)


@scenario(with_stand_in, call=MAP_CALL, **MAP)
def test_map_runs_square_in_pool_workers(obs):
    _check_in_workers(obs, processes=4)


@scenario(with_stand_in, call=MAP_CALL, **MAP)
def test_map_closes_its_pool(obs):
    _check_pool_finished(obs, need_close_join=False)


@scenario(with_stand_in, call=ASYNC_CALL, weight=2, **ASYNC)
def test_async_returns_squares_in_submission_order(obs):
    _check_order(obs)


@scenario(with_stand_in, call=ASYNC_CALL, **ASYNC)
def test_async_runs_square_in_pool_workers(obs):
    _check_in_workers(obs, processes=4)


@scenario(with_stand_in, call=ASYNC_CALL, weight=2, **ASYNC)
def test_async_tasks_run_concurrently(obs):
    _returned(obs)
    tasks = sorted(_tasks(obs), key=lambda e: e["began"])
    if any(e["pid"] == obs.main_pid for e in tasks):
        fail(obs, "ex03.square_in_parent", pid=str(obs.main_pid), mistake="work_in_parent")
    created = len(obs.probe_events("pool"))
    if created > 1:
        fail(obs, "ex03.pool_count", count=str(created), mistake="pool_per_task")
    overlapping = any(
        a["pid"] != b["pid"] and a["began"] < b["ended"] and b["began"] < a["ended"]
        for i, a in enumerate(tasks) for b in tasks[i + 1:]
    )
    if len(tasks) == len(NUMBERS) and not overlapping:
        fail(obs, "ex03.serial", mistake="get_in_loop")


@scenario(with_stand_in, call=ASYNC_CALL, **ASYNC)
def test_async_closes_and_joins_its_pool(obs):
    _check_pool_finished(obs, need_close_join=True)


@scenario(small_inputs, call="pool_squares and pool_squares_async on [] and on range(30), processes=2")
def test_empty_and_longer_inputs(obs):
    value = _returned(obs, pools=4, tasks=None)
    expected = {"map_empty": [], "async_empty": [], "map_many": [n * n for n in range(30)],
                "async_many": [n * n for n in range(30)]}
    for key, want in expected.items():
        got = value.get(key)
        # Order is the business of the tests above, whose stand-in finishes the tasks in
        # reverse every run; here two real workers may or may not happen to finish in order,
        # and a test that fails only sometimes would make an unordered answer's score vary.
        if got != want and not _same_items(got, want):
            fail(obs, "ex03.small_inputs", case=key, got=got, expected=want)
        if not _ints(got):
            fail(obs, "ex03.small_inputs_type", case=key, got=got, expected=want, mistake="float_not_int")
    if _gets_after_terminate(obs):
        fail(obs, "ex03.get_after_with", mistake="get_after_with")
    _nothing_left(obs)
