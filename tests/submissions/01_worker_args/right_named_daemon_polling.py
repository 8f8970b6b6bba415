"""Right: a named daemon Process, and join_with_timeout polls is_alive() until its deadline.
"""

import multiprocessing
import time


def worker(sec, name, rounds=3):
    for _ in range(rounds):
        time.sleep(sec)
        print(f"I'm {name}", flush=True)
        print("I'm working...", flush=True)


def start_worker(sec, name, *, use_kwargs=False):
    if use_kwargs:
        settings = {"kwargs": {"sec": sec, "name": name}}
    else:
        settings = {"args": (sec, name)}
    process = multiprocessing.Process(target=worker, name=f"worker-{name}", daemon=True, **settings)
    process.start()
    return process


def join_with_timeout(process, timeout):
    deadline = time.monotonic() + timeout
    while process.is_alive():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True


if __name__ == "__main__":
    p = start_worker(0.5, "Levi")
    print(join_with_timeout(p, 1))
    p.join()
