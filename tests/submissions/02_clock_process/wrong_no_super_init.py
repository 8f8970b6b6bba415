"""Wrong: __init__ never calls super().__init__(), so start() fails.

mistake: super_init
wrong-under: fork spawn forkserver
message-contains: object has no attribute; does not call `super().__init__()`
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        self.interval = interval
        self.ticks = ticks

    def run(self):
        for _ in range(self.ticks):
            print(f"The time is {time.ctime()}", flush=True)
            time.sleep(self.interval)


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    p.start()
    p.join()
