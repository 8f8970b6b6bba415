"""Wrong: join_with_timeout returns what join() returns, which is always None.

mistake: join_result
wrong-under: fork spawn forkserver
message-contains: It returned None; returns None whether or not the process ended
"""

import time
from multiprocessing import Process


def worker(sec, name, rounds=3):
    for _ in range(rounds):
        time.sleep(sec)
        print(f"I'm {name}", flush=True)
        print("I'm working...", flush=True)


def start_worker(sec, name, *, use_kwargs=False) -> Process:
    if use_kwargs:
        process = Process(target=worker, kwargs={"sec": sec, "name": name})
    else:
        process = Process(target=worker, args=(sec, name))
    process.start()
    return process


def join_with_timeout(process, timeout) -> bool:
    return process.join(timeout)


if __name__ == "__main__":
    p = start_worker(0.5, "Levi")
    print("ended within 1 s:", join_with_timeout(p, 1))
    p.join()
