"""Wrong: run takes the interval as a parameter instead of reading it from self.

mistake: run_parameters
wrong-under: fork spawn forkserver
message-contains: run(self, interval); takes no parameters besides `self`
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        super().__init__()
        self.ticks = ticks

    def run(self, interval):
        for _ in range(self.ticks):
            print(f"The time is {time.ctime()}", flush=True)
            time.sleep(interval)


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    p.start()
    p.join()
