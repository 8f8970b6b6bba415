"""Wrong: collects every sum but never joins the two processes.

mistake: never_joined
wrong-under: fork spawn forkserver
message-contains: join; every process
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
    Process(target=producer, args=(q, pairs)).start()
    Process(target=consumer, args=(q, results)).start()
    sums = []
    while True:
        total = results.get()
        if total is None:
            return sums
        sums.append(total)


if __name__ == "__main__":
    print(queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]))
