"""Exercise 03 pool_squares: Pool.map and Pool.apply_async.

Each scenario runs in the sandbox with the student's module as `ex`. The stand-in
`probes.square` replaces the student's `square` (the contract allows it): it logs which
process ran each task and when, and makes the tasks finish in reverse order, so code that
collects results in completion order is caught every time, not only by luck.
"""

from grader import probes
from grader.testing import fail, no_child_crashes, nothing_left, returned, scenario

NUMBERS = [7, 3, 9, 1]
SQUARES = [n * n for n in NUMBERS]


def plain_squares(ex):
    return [ex.square(n) for n in (0, 3, -4, 12)]


def with_stand_in(ex, function, numbers, processes):
    probes.plan_reverse_completion(numbers)
    ex.square = probes.square
    return getattr(ex, function)(numbers, processes=processes)


def small_inputs(ex):
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


def _check_order(obs):
    value = returned(obs)
    if value == SQUARES:
        return
    mistake = "unordered" if value == SQUARES[::-1] or sorted(value or []) == sorted(SQUARES) else None
    fail(obs, "ex03.order", got=value, expected=SQUARES, mistake=mistake)


def _check_in_workers(obs, processes):
    returned(obs)
    no_child_crashes(obs)
    tasks = _tasks(obs)
    if not tasks:
        fail(obs, "ex03.square_not_used")
    in_parent = [e for e in tasks if e["pid"] == obs.main_pid]
    if in_parent:
        fail(obs, "ex03.square_in_parent", pid=str(obs.main_pid))
    workers = {e["pid"] for e in tasks}
    pools = list(obs.pools.values())
    if len(pools) != 1:
        fail(obs, "ex03.pool_count", count=str(len(pools)))
    if pools[0]["asked"] != processes:
        fail(obs, "ex03.processes", got=pools[0]["asked"], expected=processes, mistake="ignored_processes")
    if len(workers) > processes:
        fail(obs, "ex03.too_many_workers", count=str(len(workers)), expected=str(processes))


def _check_pool_finished(obs, need_close_join):
    returned(obs)
    ops = {op for pool in obs.pools.values() for op, _, _ in pool["ops"]}
    finished = {"close", "join"} <= ops or "terminate" in ops
    if not obs.pools or not finished:
        fail(obs, "ex03.pool_not_finished", ops=", ".join(sorted(ops)) or "none", mistake="pool_never_closed")
    if need_close_join and not {"close", "join"} <= ops:
        fail(obs, "ex03.async_close_join", ops=", ".join(sorted(ops)))
    nothing_left(obs)
    alive = [p for p in obs.leftovers]
    if alive:
        fail(obs, "ex03.workers_left", count=str(len(alive)), mistake="pool_never_closed")


@scenario(plain_squares, call="square(n) for n in (0, 3, -4, 12)", methods=("spawn",))
def test_square_multiplies_n_by_itself(obs):
    value = returned(obs)
    if value != [0, 9, 16, 144]:
        fail(obs, "ex03.square", got=value, expected=[0, 9, 16, 144])


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
    returned(obs)
    tasks = sorted(_tasks(obs), key=lambda e: e["began"])
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
    value = returned(obs)
    expected = {"map_empty": [], "async_empty": [], "map_many": [n * n for n in range(30)],
                "async_many": [n * n for n in range(30)]}
    for key, want in expected.items():
        if value.get(key) != want:
            fail(obs, "ex03.small_inputs", case=key, got=value.get(key), expected=want)
    nothing_left(obs)
