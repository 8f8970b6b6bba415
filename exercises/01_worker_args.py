"""Exercise 01: pass arguments to a process.

``multiprocessing.Process(target=f, args=(...), kwargs={...})`` describes a new
process that will run ``f(*args, **kwargs)``. Nothing runs until you call
``p.start()``: that creates the child, and the child calls the target.
Calling ``p.run()`` instead just runs the target in the parent, so no new
process is made.

``args`` must be a tuple: a single argument needs a trailing comma,
``args=(5,)``, and ``args=(5)`` is just the int 5. The keys in ``kwargs`` must
match the target's parameter names.

``p.join(timeout)`` waits for the child and reaps it; a child that has ended
but was never joined stays behind as a zombie. ``join`` returns None whether
or not the child finished in time, so ask ``p.is_alive()`` afterwards.

Under the spawn and forkserver start methods (macOS, Windows, Linux from
Python 3.14) the child starts a fresh interpreter: the target must be a
module-level function and everything it needs must be passed as an argument.
"""

import time
from multiprocessing import Process


def worker(sec, name, rounds=3):
    """Run ``rounds`` times: sleep ``sec`` seconds, then print ``I'm {name}``
    and then ``I'm working...`` (two lines)."""
    # TODO: loop ``rounds`` times; in each round call time.sleep(sec), then
    #       print(f"I'm {name}") and print("I'm working...").
    raise NotImplementedError("worker")


def start_worker(sec, name, *, use_kwargs=False) -> Process:
    """Create a Process whose target is ``worker``, passing ``sec`` and
    ``name`` through ``args=(sec, name)``, or through
    ``kwargs={"sec": sec, "name": name}`` when ``use_kwargs`` is true.
    Start it and return it without joining."""
    # TODO: build Process(target=worker, args=(sec, name)), or
    #       Process(target=worker, kwargs={"sec": sec, "name": name}) when
    #       use_kwargs is true. Pass the function itself, not worker(...).
    # TODO: call start() on it (not run()) and return it; do not join here.
    raise NotImplementedError("start_worker")


def join_with_timeout(process, timeout) -> bool:
    """Wait at most ``timeout`` seconds for ``process``; return True when it
    has ended (and so been reaped), False when it is still running."""
    # TODO: call process.join(timeout). It returns None either way, so then
    #       return not process.is_alive().
    raise NotImplementedError("join_with_timeout")


if __name__ == "__main__":
    # Like the course notes: the worker needs 3 x 0.5 s, we wait only 1 s.
    p = start_worker(0.5, "Levi")
    print("ended within 1 s:", join_with_timeout(p, 1))
    print("==============")
    # The child keeps running after the timeout; reap it before moving on.
    p.join()

    p = start_worker(0.2, "Mikasa", use_kwargs=True)
    print("ended within 2 s:", join_with_timeout(p, 2))
