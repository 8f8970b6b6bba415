"""Right: iter(q.get, None) in the consumer and in the parent, keyword arguments.
"""

from multiprocessing import Process, Queue


def producer(q, pairs):
    for a, b in pairs:
        q.put((a, b))
    q.put(None)


def consumer(q, results):
    for a, b in iter(q.get, None):
        results.put(a + b)
    results.put(None)


def queue_sum(pairs) -> list[int]:
    tasks, results = Queue(), Queue()
    producing = Process(target=producer, kwargs={"q": tasks, "pairs": pairs})
    consuming = Process(target=consumer, kwargs={"q": tasks, "results": results})
    consuming.start()
    producing.start()
    sums = list(iter(results.get, None))
    consuming.join()
    producing.join()
    return sums


if __name__ == "__main__":
    print(queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]))
