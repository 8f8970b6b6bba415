"""Wrong: run never sleeps between the ticks.

mistake: settings_ignored
wrong-under: fork spawn forkserver
message-contains: ran for only; Sleep `self.interval` seconds after each tick
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        super().__init__()
        self.interval = interval
        self.ticks = ticks

    def run(self):
        for _ in range(self.ticks):
            print(f"The time is {time.ctime()}", flush=True)


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    p.start()
    p.join()
