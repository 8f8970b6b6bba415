"""Wrong: the consumer unpacks each item before checking for None, so the end marker crashes it.

mistake: sentinel_unpacked
wrong-under: fork spawn forkserver
message-contains: cannot unpack non-iterable NoneType; check for None before unpacking
"""

from multiprocessing import Process, Queue


def producer(q, pairs):
    for pair in pairs:
        q.put(pair)
    q.put(None)


def consumer(q, results):
    while True:
        a, b = q.get()
        if a is None:
            break
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
