"""Wrong: the consumer stops on None but does not put None on `results`.

mistake: missing_sentinel
wrong-under: fork spawn forkserver
message-contains: without putting None after them; put one sentinel (None)
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


def queue_sum(pairs) -> list[int]:
    q, results = Queue(), Queue()
    p = Process(target=producer, args=(q, pairs))
    c = Process(target=consumer, args=(q, results))
    p.start()
    c.start()
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
