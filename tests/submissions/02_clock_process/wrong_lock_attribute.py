"""Wrong: the clock keeps a threading.Lock on self, which can't be pickled under spawn and forkserver.

mistake: pickle_attribute
wrong-under: spawn forkserver
message-contains: cannot pickle '_thread.lock' object; can't be pickled
"""

import multiprocessing
import threading
import time


class ClockProcess(multiprocessing.Process):
    def __init__(self, interval, ticks=5):
        super().__init__()
        self.interval = interval
        self.ticks = ticks
        self.lock = threading.Lock()

    def run(self):
        for _ in range(self.ticks):
            with self.lock:
                print(f"The time is {time.ctime()}", flush=True)
            time.sleep(self.interval)


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    p.start()
    p.join()
