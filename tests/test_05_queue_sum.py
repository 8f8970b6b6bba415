"""Exercise 05 queue_sum: a producer and a consumer connected by Queues.

Each scenario runs in the sandbox with the student's module as `ex`. `producer` and
`consumer` are also tested alone: the scenario makes the queues itself and runs the
student's function in a Process whose target is that function (a module-level function
of the student's module, so spawn and forkserver children find it by name), and it never
waits without a bound, so a missing sentinel is reported instead of hanging.

The big scenario sums 20,000 pairs. Measured: each sum travels as a 4-byte header and a
pickle of 15 or 16 bytes, so the results queue carries 389,360 bytes through a pipe that
holds 64 KiB: 5.9 times its size, a margin of about 320 KB. Joining the consumer before
draining `results` therefore deadlocks on every run (its feeder thread can't flush, so
it can't exit).
"""

from grader import probes
from grader.testing import fail, no_child_crashes, nothing_left, returned, scenario

PAIRS = [(1, 2), (3, 4), (10, 20), (-5, 5), (100, 200)]
SUMS = [a + b for a, b in PAIRS]
MANY = dict(count=20000)


def _pairs(count):
    return [(i, 3 * i - count) for i in range(count)]


def _prepare(ex, watch_sentinel=False):
    """Note the Queue/Pipe objects the module keeps at its top level: a spawned child
    imports the module again and gets its own, unconnected copies. With
    `watch_sentinel`, mark each time a get() in the parent returns None."""
    import os
    from multiprocessing import connection, queues

    main = os.getpid()
    for cls in (queues.Queue, queues.SimpleQueue):
        if watch_sentinel and not getattr(cls.get, "_grader_watch", False):
            def get(self, *args, _original=cls.get, **kwargs):
                item = _original(self, *args, **kwargs)
                if item is None and os.getpid() == main:
                    probes.mark("got_none")
                return item

            get._grader_watch = True
            cls.get = get
    kinds = (connection._ConnectionBase, queues.Queue, queues.SimpleQueue)
    channels = []
    for name, value in vars(ex).items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if any(isinstance(v, kinds) for v in values):
            channels.append(name)
    probes.mark("channels", names=channels)


def _drain(queue, process, idle=8.0):
    """Get items from `queue` until None. Gives up when `process` has ended and nothing
    more is there (all it put was flushed into the pipe when it exited), or when it runs
    but nothing came for `idle` seconds. Returns (items, how it ended)."""
    import time
    from queue import Empty

    items, ended, last = [], False, time.monotonic()
    while True:
        try:
            item = queue.get(timeout=0.5 if ended else 0.05)
        except Empty:
            if ended:
                return items, "ended"
            if not process.is_alive():
                ended = True
            elif time.monotonic() - last > idle:
                return items, "stuck"
            continue
        last = time.monotonic()
        items.append(item)
        if item is None:
            return items, "sentinel"


def _finish(*processes):
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.terminate()
            process.join()


def producer_alone(ex, pairs):
    from multiprocessing import Process, Queue

    _prepare(ex)
    q = Queue()
    process = Process(target=ex.producer, args=(q, list(pairs)))
    process.start()
    items, end = _drain(q, process)
    _finish(process)
    return {"items": items, "end": end}


def _wait_until_blocked(q, process, limit=5.0):
    """Wait until the consumer waits in q.get() (it then holds the queue's read lock) or
    has ended. A consumer that stops on q.empty() ends here, with nothing put yet."""
    import time

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not process.is_alive():
            return "ended"
        if not q._rlock.acquire(False):
            return "waiting"
        q._rlock.release()
        time.sleep(0.005)
    return "busy"


def consumer_alone(ex, pairs):
    from multiprocessing import Process, Queue

    _prepare(ex)
    q, results = Queue(), Queue()
    process = Process(target=ex.consumer, args=(q, results))
    process.start()
    before = _wait_until_blocked(q, process)
    for pair in pairs:
        q.put(pair)
    q.put(None)
    items, end = _drain(results, process)
    _finish(process)
    return {"before": before, "items": items, "end": end}


def _call(ex, pairs):
    probes.mark("call", expected=len(pairs))
    return ex.queue_sum(pairs)


def few(ex, pairs):
    _prepare(ex, watch_sentinel=True)
    return {"empty": _call(ex, []), "few": _call(ex, list(pairs))}


def many(ex, count):
    _prepare(ex, watch_sentinel=True)
    return _call(ex, _pairs(count))


PRODUCER_CALL = "producer(q, {pairs}) in a child, with the test's own Queue"
CONSUMER_CALL = "consumer(q, results) in a child, with the test's own Queues; then {pairs} and None put on q"
FEW_CALL = "queue_sum([]), then queue_sum({pairs})"
MANY_CALL = "queue_sum(<{count} pairs>)"


# ---- reading the evidence ----------------------------------------------------------

def _has_channels(obs):
    marks = [e for e in obs.probe_events("mark") if e.get("label") == "channels"]
    return bool(marks and marks[0].get("names"))


def _started(obs):
    return [p for p in obs.children() if p.started is not None]


def _stuck_mistake(obs):
    where = obs.stuck_at()
    if where is None:
        return "globals_not_args" if _has_channels(obs) else None
    line = where[1]
    if ".join(" in line:
        calls = [e["t"] for e in obs.probe_events("mark") if e.get("label") == "call"]
        since = calls[-1] if calls else 0
        got_none = [e for e in obs.probe_events("mark") if e.get("label") == "got_none" and e["t"] >= since]
        # The parent had read the end marker, yet a child could not exit: the producer,
        # whose pairs the consumer left unread.
        return "consumer_quit_early" if got_none else "join_before_drain"
    if _has_channels(obs):
        return "globals_not_args"
    if ".empty(" in line or ".qsize(" in line:
        return "empty_loop"
    return None


def _value(obs):
    """The call's return value, or a failure naming why there is none."""
    if obs.status == "timeout":
        mistake = _stuck_mistake(obs)
        returned(obs, stuck={"": mistake} if mistake else None)
    if obs.status == "raised" and not _started(obs):
        message = (obs.error or {}).get("message", "")
        if "can only join a started process" in message:
            fail(obs, "ex05.never_started", mistake="run_instead_of_start")
    return returned(obs)


# ---- tests ------------------------------------------------------------------------------

@scenario(producer_alone, call=PRODUCER_CALL, pairs=PAIRS)
def test_producer_puts_pairs_in_order_then_none(obs):
    value = returned(obs)
    no_child_crashes(obs)
    items = value["items"]
    expected = PAIRS + [None]
    if value["end"] == "stuck":
        fail(obs, "ex05.producer_stuck", got=items)
    if not items:
        fail(obs, "ex05.producer_nothing", mistake="globals_not_args" if _has_channels(obs) else None)
    if None not in items:
        fail(obs, "ex05.producer_no_sentinel", got=items, mistake="missing_sentinel")
    if items != expected:
        fail(obs, "ex05.producer_items", got=items, expected=expected)


@scenario(consumer_alone, call=CONSUMER_CALL, weight=2, pairs=PAIRS)
def test_consumer_sums_until_none_then_puts_none(obs):
    value = returned(obs)
    no_child_crashes(obs)
    items = value["items"]
    if value["before"] == "ended":
        fail(obs, "ex05.consumer_ended_early", got=items, mistake="empty_loop")
    if value["end"] == "stuck":
        mistake = "globals_not_args" if _has_channels(obs) and not items else None
        fail(obs, "ex05.consumer_stuck", got=items, mistake=mistake)
    if value["end"] == "ended" and items == SUMS:
        fail(obs, "ex05.consumer_no_sentinel", got=items, mistake="missing_sentinel")
    if items != SUMS + [None]:
        fail(obs, "ex05.consumer_items", got=items, expected=SUMS + [None])


@scenario(few, call=FEW_CALL, pairs=PAIRS)
def test_empty_and_few_pairs(obs):
    value = _value(obs)
    if value["empty"] != []:
        fail(obs, "ex05.sums", case="[]", got=value["empty"], expected=[])
    few = value["few"]
    # A consumer that stops early (polling empty()) gives a prefix of the sums or all of
    # them, as the race goes: test_consumer_sums_until_none_then_puts_none catches it every
    # run, so this test leaves it alone rather than fail only sometimes.
    stopped_early = isinstance(few, list) and len(few) < len(SUMS) and few == SUMS[:len(few)]
    if few != SUMS and not stopped_early:
        fail(obs, "ex05.sums", case=repr(PAIRS), got=few, expected=SUMS)
    no_child_crashes(obs)
    nothing_left(obs)


@scenario(many, call=MANY_CALL, weight=2, **MANY)
def test_many_pairs_summed_in_order(obs):
    value = _value(obs)
    expected = [a + b for a, b in _pairs(**MANY)]
    if value != expected:
        if not isinstance(value, list):
            fail(obs, "ex05.not_list", got=value)
        if len(value) != len(expected):
            fail(obs, "ex05.many_count", got=str(len(value)), expected=str(len(expected)))
        index = next(i for i, (a, b) in enumerate(zip(value, expected)) if a != b)
        fail(obs, "ex05.many_order", index=str(index), got=value[index], expected=expected[index])


@scenario(many, call=MANY_CALL, **MANY)
def test_producer_and_consumer_run_in_two_children(obs):
    _value(obs)
    no_child_crashes(obs)
    started = _started(obs)
    if not started:
        fail(obs, "ex05.no_children", mistake="run_instead_of_start")
    ran = [p for p in started if p.run_began is not None]
    if len(started) != 2 or len(ran) != 2:
        fail(obs, "ex05.children", count=str(len(started)))


@scenario(many, call=MANY_CALL, weight=2, **MANY)
def test_drains_results_before_joining(obs):
    # 20,000 sums are about 380 KB: joining before draining `results` deadlocks, and
    # the timeout (stuck on a join) is the evidence.
    _value(obs)


@scenario(many, call=MANY_CALL, **MANY)
def test_joins_both_children(obs):
    _value(obs)
    nothing_left(obs)
