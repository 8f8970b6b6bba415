"""Wrong: the class overrides start() instead of run(), so the clock ticks in the parent.

mistake: overrode_start
wrong-under: fork spawn forkserver
message-contains: created no child process; `start()` was overridden
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        super().__init__()
        self.interval = interval
        self.ticks = ticks

    def start(self):
        for _ in range(self.ticks):
            print(f"The time is {time.ctime()}", flush=True)
            time.sleep(self.interval)


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    p.start()
    p.join()
