"""Wrong: the consumer loops `while not q.empty()` instead of waiting for None.

mistake: empty_loop
wrong-under: fork spawn forkserver
message-contains: the queue looked empty; `empty()` was used to decide when to stop
"""

from multiprocessing import Process, Queue


def producer(q, pairs):
    for pair in pairs:
        q.put(pair)
    q.put(None)


def consumer(q, results):
    while not q.empty():
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
