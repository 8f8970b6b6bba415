"""Wrong: the children use module-level queues instead of queues passed to them.

mistake: globals_not_args
wrong-under: spawn forkserver
message-contains: did not finish; module-level object; pass queues, pipes and values through `args=`
"""

from multiprocessing import Process, Queue

# Made once, at import. Under fork the children inherit these very queues;
# under spawn and forkserver each child imports the module again and gets
# new, unconnected ones.
TASKS = Queue()
RESULTS = Queue()


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


def produce(pairs):
    producer(TASKS, pairs)


def consume():
    consumer(TASKS, RESULTS)


def queue_sum(pairs) -> list[int]:
    p = Process(target=produce, args=(pairs,))
    c = Process(target=consume)
    p.start()
    c.start()
    sums = []
    while True:
        total = RESULTS.get()
        if total is None:
            break
        sums.append(total)
    p.join()
    c.join()
    return sums


if __name__ == "__main__":
    print(queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]))
