"""Exercise 02: subclass Process.

Instead of passing ``target=``, you can subclass ``multiprocessing.Process``
and override ``run()``. ``start()`` creates the child process, and the child
calls ``run()``; calling ``run()`` yourself only runs it in the parent.

Your ``__init__`` must call ``super().__init__()`` first: Process sets up its
own state there (name, flags, internal handles). Without it ``start()`` fails
with an AttributeError, and attributes set before it, such as ``self.name``,
are reset. Store your settings on ``self``; ``run()`` takes no arguments.

Under the spawn and forkserver start methods (macOS, Windows, Linux from
Python 3.14) the Process object itself is pickled and sent to the child, so
the class must be defined at module level and its attributes must be
picklable (numbers and strings are; locks and open files are not).
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    """A process that prints the current time ``ticks`` times, ``interval``
    seconds apart. Nothing happens until ``start()``; the child prints."""

    def __init__(self, interval, ticks=5):
        """Run ``Process.__init__`` through ``super().__init__()``, then store
        ``interval`` and ``ticks``."""
        ### TODO: call super().__init__() as the very first statement, then
        ###       store the settings: self.interval = interval and
        ###       self.ticks = ticks.
        ### BEGIN SOLUTION
        # super().__init__() first: it sets up Process's own attributes, and
        # anything we set before it could be overwritten.
        super().__init__()
        # Plain numbers on self travel to the child with the Process object,
        # even when it is pickled under spawn/forkserver.
        self.interval = interval
        self.ticks = ticks
        ### END SOLUTION

    def run(self):
        """``ticks`` times: print ``The time is {time.ctime()}``, then sleep
        ``interval`` seconds."""
        ### TODO: loop self.ticks times: print(f"The time is {time.ctime()}"),
        ###       then time.sleep(self.interval). Take no extra parameters.
        ### BEGIN SOLUTION
        # run() takes no arguments: its inputs come from self. It executes in
        # the child because start() calls it there.
        for _ in range(self.ticks):
            print(f"The time is {time.ctime()}", flush=True)
            time.sleep(self.interval)
        ### END SOLUTION


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    print("created, nothing printed yet")
    p.start()  # the child now calls p.run()
    p.join()
    print("exit code:", p.exitcode)
