"""Wrong: joins both processes before reading the sums from `results`.

mistake: join_before_drain
wrong-under: fork spawn forkserver
message-contains: did not finish; receive everything first, then join
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
    workers = [Process(target=producer, args=(q, pairs)),
               Process(target=consumer, args=(q, results))]
    for worker in workers:
        worker.start()
    # Wait until both are done, then collect.
    for worker in workers:
        worker.join()
    sums = []
    while True:
        total = results.get()
        if total is None:
            break
        sums.append(total)
    return sums


if __name__ == "__main__":
    print(queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]))
