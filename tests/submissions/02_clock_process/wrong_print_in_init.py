"""Wrong: __init__ announces the clock with a print, in the parent, before start().

mistake: work_in_init
wrong-under: fork spawn forkserver
message-contains: before `start()` was called, in the parent; Clock ready; `__init__` runs in the parent
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        super().__init__()
        self.interval = interval
        self.ticks = ticks
        print(f"Clock ready: {ticks} ticks every {interval} s")

    def run(self):
        for _ in range(self.ticks):
            print(f"The time is {time.ctime()}", flush=True)
            time.sleep(self.interval)


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    p.start()
    p.join()
