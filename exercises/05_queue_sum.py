"""Exercise 05: producer and consumer.

``Queue()`` is a first-in, first-out queue that several processes can share.
``q.put(obj)`` pickles the object and hands it to a background feeder thread
that writes it into a pipe; ``q.get()`` blocks until an item is there and
returns it. Pass the queues to the children in ``args=``: under the spawn and
forkserver start methods (macOS, Windows, Linux from Python 3.14) a
module-level queue is a different, unconnected object in each child, and the
targets must be module-level functions.

End of data is signalled with a sentinel: the producer puts ``None`` after
its last item and the consumer stops when it gets one. Don't loop on
``q.empty()`` or ``q.qsize()``: across processes they are unreliable (and
``qsize()`` is not implemented on macOS).

A process that has put items on a queue can't exit until its data has gone
into the pipe, whose buffer holds only about 64 KiB. So drain a queue with
``get()`` first and ``join()`` the processes afterwards; joining first
deadlocks once the data outgrows the buffer.
"""

from multiprocessing import Process, Queue


def producer(q, pairs):
    """Put each ``(a, b)`` pair on ``q`` in order, then put ``None`` as the
    end marker."""
    # TODO: q.put(pair) for every pair in pairs, then q.put(None).
    raise NotImplementedError("producer")


def consumer(q, results):
    """Get pairs from ``q`` until ``None``; put ``a + b`` for each on
    ``results``; then put ``None`` on ``results``."""
    # TODO: loop: item = q.get(); if item is None, break; otherwise unpack
    #       a, b = item and results.put(a + b).
    # TODO: after the loop, results.put(None).
    raise NotImplementedError("consumer")


def queue_sum(pairs) -> list[int]:
    """Make two queues; run ``producer`` and ``consumer`` in two child
    processes; collect the sums from ``results`` until ``None``; join both;
    return the sums in order."""
    # TODO: q = Queue() and results = Queue().
    # TODO: start Process(target=producer, args=(q, pairs)) and
    #       Process(target=consumer, args=(q, results)).
    # TODO: results.get() into a list until you get None (before joining!).
    # TODO: join both processes, then return the list.
    raise NotImplementedError("queue_sum")


if __name__ == "__main__":
    for total in queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]):
        print("sum =", total)
    print("pairs: 0, sums:", queue_sum([]))
