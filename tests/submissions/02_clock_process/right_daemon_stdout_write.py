"""Right: a daemon clock from super().__init__(daemon=True), writing each tick with sys.stdout.write.
"""

import multiprocessing
import sys
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        super().__init__(daemon=True)
        self.interval, self.ticks = interval, ticks

    def run(self):
        for _ in range(self.ticks):
            sys.stdout.write("The time is %s\n" % time.ctime())
            sys.stdout.flush()
            time.sleep(self.interval)


if __name__ == "__main__":
    clock = ClockProcess(0.5, ticks=3)
    clock.start()
    clock.join()
