"""Right: SimpleQueue for both queues (no feeder thread: put() writes straight into the pipe).
"""

from multiprocessing import Process, SimpleQueue


def producer(q, pairs):
    for pair in pairs:
        q.put(pair)
    q.put(None)


def consumer(q, results):
    while (item := q.get()) is not None:
        a, b = item
        results.put(a + b)
    results.put(None)


def queue_sum(pairs) -> list[int]:
    q, results = SimpleQueue(), SimpleQueue()
    p = Process(target=producer, args=(q, pairs))
    c = Process(target=consumer, args=(q, results))
    p.start()
    c.start()
    sums = []
    while (total := results.get()) is not None:
        sums.append(total)
    p.join()
    c.join()
    q.close()
    results.close()
    return sums


if __name__ == "__main__":
    print(queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]))
