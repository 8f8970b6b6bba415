"""Wrong: run always ticks 5 times, whatever ticks was given.

mistake: settings_ignored
wrong-under: fork spawn forkserver
message-contains: ClockProcess(0.15, ticks=3) printed 5 tick(s); expected 3; a setting given to `__init__` was not used
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        super().__init__()
        self.interval = interval
        self.ticks = ticks

    def run(self):
        for _ in range(5):
            print(f"The time is {time.ctime()}", flush=True)
            time.sleep(self.interval)


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    p.start()
    p.join()
