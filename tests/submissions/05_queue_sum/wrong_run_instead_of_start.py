"""Wrong: calls run() instead of start(), so producer and consumer run inside the parent.

mistake: run_instead_of_start
wrong-under: fork spawn forkserver
message-contains: `run()` was called instead of `start()`
"""

from multiprocessing import Process, Queue


def producer(q, pairs):
    for pair in pairs:
        q.put(pair)
    q.put(None)


def consumer(q, results):
    while True:
        item = q.get()
        if item is None:
            break
        a, b = item
        results.put(a + b)
    results.put(None)


def queue_sum(pairs) -> list[int]:
    q, results = Queue(), Queue()
    p = Process(target=producer, args=(q, pairs))
    c = Process(target=consumer, args=(q, results))
    p.run()
    c.run()
    sums = []
    while True:
        total = results.get()
        if total is None:
            break
        sums.append(total)
    p.join()
    c.join()
    return sums


if __name__ == "__main__":
    print(queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]))
