"""Right: `from multiprocessing import Process as P`, args as a list, and connection.wait() on the process's sentinel.
"""

from multiprocessing import Process as P
from multiprocessing.connection import wait
from time import sleep


def worker(sec, name, rounds=3):
    for _ in range(rounds):
        sleep(sec)
        print(f"I'm {name}\nI'm working...")


def start_worker(sec, name, *, use_kwargs=False):
    if use_kwargs:
        p = P(target=worker, kwargs={"name": name, "sec": sec})
    else:
        p = P(target=worker, args=[sec, name])
    p.start()
    return p


def join_with_timeout(process, timeout):
    if wait([process.sentinel], timeout):
        process.join()
        return True
    return False


if __name__ == "__main__":
    p = start_worker(0.5, "Levi")
    print(join_with_timeout(p, 1))
    p.join()
