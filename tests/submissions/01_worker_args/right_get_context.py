"""Right: a Process from multiprocessing.get_context(), its options built as a dict, and exitcode to tell whether it ended.
"""

import multiprocessing
import time


def worker(sec, name, rounds=3):
    done = 0
    while done < rounds:
        time.sleep(sec)
        print("I'm " + name)
        print("I'm working...")
        done += 1


def start_worker(sec, name, *, use_kwargs=False):
    context = multiprocessing.get_context()
    options = {"target": worker}
    if use_kwargs:
        options["kwargs"] = dict(sec=sec, name=name)
    else:
        options["args"] = (sec, name)
    proc = context.Process(**options)
    proc.start()
    return proc


def join_with_timeout(process, timeout):
    process.join(timeout=timeout)
    return process.exitcode is not None


if __name__ == "__main__":
    p = start_worker(0.5, "Levi")
    print(join_with_timeout(p, 1))
    p.join()
