"""Right: get_context() queues, a list of processes started and joined in loops, exit codes checked.
"""

import multiprocessing

SENTINEL = None


def producer(q, pairs):
    for pair in pairs:
        q.put(pair)
    q.put(SENTINEL)


def consumer(q, results):
    item = q.get()
    while item is not SENTINEL:
        results.put(sum(item))
        item = q.get()
    results.put(SENTINEL)


def queue_sum(pairs) -> list[int]:
    ctx = multiprocessing.get_context()
    q = ctx.Queue()
    results = ctx.Queue()
    processes = [
        ctx.Process(target=producer, args=(q, list(pairs)), name="producer"),
        ctx.Process(target=consumer, args=(q, results), name="consumer"),
    ]
    for process in processes:
        process.start()
    sums = []
    for total in iter(results.get, SENTINEL):
        sums.append(total)
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"{process.name} exited with {process.exitcode}")
    results.close()
    q.close()
    return sums


if __name__ == "__main__":
    print(queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]))
