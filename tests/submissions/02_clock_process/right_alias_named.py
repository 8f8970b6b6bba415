"""Right: `from multiprocessing import Process as P`, a name passed to super().__init__(), settings under other attribute names.
"""

from multiprocessing import Process as P
from time import ctime, sleep


class ClockProcess(P):
    def __init__(self, interval, ticks=5):
        super().__init__(name=f"clock-every-{interval}s", daemon=False)
        self._every = interval
        self._count = ticks

    def run(self):
        left = self._count
        while left > 0:
            print(f"The time is {ctime()}")
            sleep(self._every)
            left -= 1


if __name__ == "__main__":
    clock = ClockProcess(0.5, ticks=3)
    clock.start()
    clock.join()
