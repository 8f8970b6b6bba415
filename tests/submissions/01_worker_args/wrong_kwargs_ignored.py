"""Wrong: start_worker ignores use_kwargs and always passes args.

mistake: kwargs_not_used
wrong-under: fork spawn forkserver
message-contains: With use_kwargs=True; must travel by keyword
"""

import time
from multiprocessing import Process


def worker(sec, name, rounds=3):
    for _ in range(rounds):
        time.sleep(sec)
        print(f"I'm {name}", flush=True)
        print("I'm working...", flush=True)


def start_worker(sec, name, *, use_kwargs=False) -> Process:
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
