"""Exercise 04 pipe_fan_in: many children send through one Pipe, the parent receives.

Each scenario runs in the sandbox with the student's module as `ex`. Before the call it
records what the tests need to name a mistake: every Connection.recv() the parent
completes and every send() it begins (`recv` and `send` marks; children are not
watched), and the Pipe/Queue objects the module keeps at its top level (which a spawned
child would re-create for itself).

The main scenario starts 8 children that each send a name of 3,500 characters: more than
the pipe holds, so code that joins before it receives deadlocks every time, not only on an
unlucky run. The sandbox gives every Pipe a buffer of one page (grader/spy.py): measured
on Linux, a duplex Pipe then takes 2 such messages before send() blocks and a
Pipe(duplex=False) takes 1, so at least 6 of the 8 children are stuck.
"""

from grader import probes
from grader.testing import fail, no_child_crashes, nothing_left, returned, scenario

MANY = dict(count=8, length=3500)
FEW = ["Levi", "Mikasa", "Eren"]


def _names(count, length):
    """Distinct names of `length` characters: `child00:xxxx...`."""
    return [f"child{i:02d}:".ljust(length, "x") for i in range(count)]


def _short_name(name):
    """How a name reads in a message: the long test names only by their label."""
    if isinstance(name, str) and len(name) > 20:
        return name.split(":")[0] + ":…"
    return name


def _prepare(ex):
    """Watch what the parent receives and sends, and note the module's top-level channels."""
    import os
    from multiprocessing import connection, queues

    main = os.getpid()
    base = connection._ConnectionBase
    if not getattr(base.recv, "_grader_watch", False):
        original_recv, original_send = base.recv, base.send

        def recv(self):
            obj = original_recv(self)
            if os.getpid() == main:
                probes.mark("recv")
            return obj

        def send(self, obj):
            if os.getpid() == main:
                probes.mark("send")
            return original_send(self, obj)

        recv._grader_watch = True
        base.recv, base.send = recv, send
    kinds = (connection._ConnectionBase, queues.Queue, queues.SimpleQueue)
    channels = []
    for name, value in vars(ex).items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if any(isinstance(v, kinds) for v in values):
            channels.append(name)
    probes.mark("channels", names=channels)


def _call(ex, names):
    probes.mark("call", expected=len(names))
    return ex.pipe_fan_in(names)


def send_one(ex, name):
    """send_name alone: the test's own Pipe, a Process whose target is the student's
    send_name, and a bounded wait, so a child that sends nothing can't hang the call."""
    import os
    from multiprocessing import Pipe, Process
    from multiprocessing.connection import wait

    _prepare(ex)
    parent_end, child_end = Pipe()
    process = Process(target=ex.send_name, args=(child_end, name))
    process.start()
    ready = wait([parent_end, process.sentinel], timeout=10)
    message, sent = None, False
    if parent_end in ready or parent_end.poll(1 if ready else 0):
        message, sent = parent_end.recv(), True
    process.join(10)
    # A second message would be in the pipe already: the child has ended.
    extra = parent_end.poll(0) if sent else False
    if process.is_alive():
        process.terminate()
        process.join()
    return {"sent": sent, "message": message, "child": process.pid, "parent": os.getpid(),
            "extra": extra}


def fan_in(ex, count, length):
    _prepare(ex)
    names = _names(count, length)
    return _call(ex, names)


def few(ex):
    _prepare(ex)
    return {"empty": _call(ex, []), "few": _call(ex, list(FEW))}


SEND_CALL = "send_name(conn, {name}) in a child, with the test's own Pipe"
MANY_CALL = "pipe_fan_in(<{count} names of {length} characters each>)"
FEW_CALL = f"pipe_fan_in([]), then pipe_fan_in({FEW!r})"


# ---- reading the evidence ----------------------------------------------------------

def _marks(obs, label):
    return [e for e in obs.probe_events("mark") if e.get("label") == label]


def _started(obs):
    return [p for p in obs.children() if p.started is not None]


def _stuck_mistake(obs):
    """Why a call that ran out of time hung, from the line the parent was on and what it
    had received by then."""
    where = obs.stuck_at()
    if where is None:
        return None
    line = where[1]
    calls = _marks(obs, "call")
    expected = calls[-1]["expected"] if calls else 0
    since = calls[-1]["t"] if calls else 0
    received = len([e for e in _marks(obs, "recv") if e["t"] >= since])
    channels = _marks(obs, "channels")
    has_channels = bool(channels and channels[0].get("names"))
    if ".join(" in line:
        return "join_before_drain"
    if ".send(" in line:  # the parent itself was sending: the sends did not run in children
        return "target_called" if _started(obs) else "run_instead_of_start"
    if ".recv(" in line:
        if received >= expected:
            return "recv_until_eof"
        if has_channels and received == 0:
            return "globals_not_args"
        return "recv_forever"
    if has_channels:
        return "globals_not_args"
    return None


def _value(obs):
    """The call's return value, or a failure naming why there is none."""
    if obs.status == "timeout":
        mistake = _stuck_mistake(obs)
        returned(obs, stuck={"": mistake} if mistake else None)
    if obs.status == "raised" and not _started(obs):
        message = (obs.error or {}).get("message", "")
        if "can only join a started process" in message:
            fail(obs, "ex04.never_started", mistake="run_instead_of_start")
    return returned(obs)


def _check_messages(obs, value, names, case=None):
    """len(names) tuples (name, pid), one per name, sent by distinct children."""
    where = f" for {case}" if case else ""
    if not isinstance(value, list):
        fail(obs, "ex04.not_list", where=where, got=value)
    bad = [m for m in value if not (isinstance(m, tuple) and len(m) == 2 and isinstance(m[1], int))]
    if bad:
        fail(obs, "ex04.not_tuple", where=where, got=bad[0] if not isinstance(bad[0], tuple)
             else tuple(_short_name(x) for x in bad[0]))
    got = [m[0] for m in value]
    if len(value) != len(names):
        fail(obs, "ex04.count", where=where, got=str(len(value)), expected=str(len(names)))
    if sorted(got, key=repr) != sorted(names, key=repr):
        missing = [_short_name(n) for n in names if n not in got]
        unexpected = [_short_name(n) for n in got if n not in names]
        fail(obs, "ex04.names", where=where, missing=missing, unexpected=unexpected)
    pids = [m[1] for m in value]
    if obs.main_pid in pids:
        if not _marks(obs, "send"):  # a child sent the parent's PID
            fail(obs, "ex04.parent_pid_sent", where=where, pid=str(obs.main_pid), mistake="own_pid")
        mistake = "target_called" if _started(obs) else "run_instead_of_start"
        fail(obs, "ex04.sent_by_parent", where=where, pid=str(obs.main_pid), mistake=mistake)


def _check_child_pids(obs, value):
    pids = [m[1] for m in value]
    children = {p.pid for p in _started(obs)}
    if len(set(pids)) != len(pids):
        fail(obs, "ex04.same_pid", count=str(len(set(pids))), expected=str(len(pids)), mistake="own_pid")
    strangers = [pid for pid in pids if pid not in children]
    if strangers:
        fail(obs, "ex04.not_child_pid", pid=str(strangers[0]), mistake="own_pid")


# ---- tests ------------------------------------------------------------------------------

@scenario(send_one, call=SEND_CALL, name="Levi")
def test_send_name_sends_name_and_own_pid(obs):
    value = returned(obs)
    no_child_crashes(obs)
    if not value["sent"]:
        channels = _marks(obs, "channels")
        mistake = "globals_not_args" if channels and channels[0].get("names") else None
        fail(obs, "ex04.nothing_sent", mistake=mistake)
    message = value["message"]
    if not isinstance(message, tuple) or len(message) != 2:
        fail(obs, "ex04.send_shape", got=message)
    if message[0] != "Levi":
        fail(obs, "ex04.send_name", got=message[0])
    if message[1] != value["child"]:
        fail(obs, "ex04.send_pid", got=message[1], child=str(value["child"]),
             parent=str(value["parent"]), mistake="own_pid")
    if value["extra"]:
        fail(obs, "ex04.send_twice")


@scenario(fan_in, call=MANY_CALL, weight=2, **MANY)
def test_returns_one_message_per_name(obs):
    value = _value(obs)
    _check_messages(obs, value, _names(**MANY))


@scenario(fan_in, call=MANY_CALL, **MANY)
def test_messages_come_from_the_children(obs):
    value = _value(obs)
    no_child_crashes(obs)
    _check_messages(obs, value, _names(**MANY))
    started = _started(obs)
    if len(started) != MANY["count"]:
        fail(obs, "ex04.children", count=str(len(started)), expected=str(MANY["count"]))
    _check_child_pids(obs, value)


@scenario(fan_in, call=MANY_CALL, weight=2, **MANY)
def test_receives_before_joining(obs):
    # With about 85 KB in flight, code that joins before receiving deadlocks: the
    # timeout (stuck on a join) is the evidence. Joining a child while messages are
    # still unread is the same mistake, seen in the order of events.
    _value(obs)
    receipts = sorted(e["t"] for e in _marks(obs, "recv"))
    joins = sorted(e["t"] for e in obs.events
                   if e.get("e") == "join_call" and e.get("pid") == obs.main_pid)
    if len(receipts) == MANY["count"] and joins and joins[0] < receipts[-1]:
        early = len([t for t in receipts if t < joins[0]])
        fail(obs, "ex04.joined_early", received=str(early), expected=str(MANY["count"]),
             mistake="join_before_drain")


@scenario(fan_in, call=MANY_CALL, **MANY)
def test_joins_every_child(obs):
    _value(obs)
    nothing_left(obs)


@scenario(few, call=FEW_CALL)
def test_empty_list_and_a_few_names(obs):
    value = _value(obs)
    if value["empty"] != []:
        fail(obs, "ex04.empty", got=value["empty"])
    no_child_crashes(obs)
    _check_messages(obs, value["few"], FEW, case=repr(FEW))
    _check_child_pids(obs, value["few"])
    nothing_left(obs)
