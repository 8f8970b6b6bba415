"""Wrong: __init__ calls self.run(), so the clock ticks in the parent when it is created.

mistake: work_in_init
wrong-under: fork spawn forkserver
message-contains: before `start()` was called, in the parent; never call `self.run()`
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        super().__init__()
        self.interval = interval
        self.ticks = ticks
        self.run()

    def run(self):
        for _ in range(self.ticks):
            print(f"The time is {time.ctime()}", flush=True)
            time.sleep(self.interval)


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    p.start()
    p.join()
