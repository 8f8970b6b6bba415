"""Wrong: kwargs uses the key "seconds", which is not a parameter of worker.

mistake: kwargs_names
wrong-under: fork spawn forkserver
message-contains: unexpected keyword argument 'seconds'; the keys of `kwargs=` must be the parameter names
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
        process = Process(target=worker, kwargs={"seconds": sec, "name": name})
    else:
        process = Process(target=worker, args=(sec, name))
    process.start()
    return process


def join_with_timeout(process, timeout) -> bool:
    process.join(timeout)
    return not process.is_alive()


if __name__ == "__main__":
    p = start_worker(0.5, "Levi")
    print("ended within 1 s:", join_with_timeout(p, 1))
    p.join()
