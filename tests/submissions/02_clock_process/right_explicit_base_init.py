"""Right: Process.__init__(self) called explicitly, the tick printed with print's separator, settings kept in a dict.
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        multiprocessing.Process.__init__(self)
        self.settings = {"interval": interval, "ticks": ticks}

    def run(self):
        for tick in range(self.settings["ticks"]):
            print("The time is", time.ctime())
            time.sleep(self.settings["interval"])


if __name__ == "__main__":
    clock = ClockProcess(0.5, ticks=3)
    clock.start()
    clock.join()
