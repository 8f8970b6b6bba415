"""Exercise 05: producer and consumer.

A message queue, as the course notes put it, is a first-in, first-out queue
in memory: processes put messages in through the queue object and take them
out in the same order. A ``Queue`` can be shared by several processes; putting
an object pickles it and hands it to a background thread that writes it into
a pipe, and getting blocks until an item is there.

Here one process produces pairs, a second one consumes them and produces
sums, and the parent collects the sums. Nobody knows in advance how many
items will come, so the end of the data is signalled with an end marker (a
sentinel, here ``None``): whoever reads stops when it gets one. Don't decide
by ``empty()`` or ``qsize()``: across processes they are unreliable (an item
can still be on its way), and ``qsize()`` is not implemented on macOS.

A process that has put items on a queue can't end until its data has gone
into the pipe, whose buffer holds only about 64 KiB. So drain a queue first
and reap (join) the processes afterwards; joining first deadlocks once the
data outgrows the buffer. Hand the queues to the children as arguments: under
the spawn and forkserver start methods (macOS, Windows, Linux from Python
3.14) a module-level queue is a different, unconnected object in each child.

练习 05：生产者与消费者。

课堂笔记里说，消息队列是在内存中建立的先进先出的队列模型：进程通过队列对象
把消息存入队列，再按同样的顺序取出来。一个 ``Queue`` 可以被多个进程共用；
存入一个对象时，它会被序列化（pickle）后交给一个后台线程写入管道，取出时
如果队列里没有数据就会阻塞。

在这个练习里，一个进程生产数对，另一个进程消费数对并生产和，父进程收集这些
和。谁也不能事先知道会来多少个数据，所以数据的结束用一个结束标记（这里是
``None``）来表示：读的一方读到它就停下。不要靠 ``empty()`` 或 ``qsize()``
来判断：在进程之间它们并不可靠（数据可能还在路上），而且 macOS 上没有实现
``qsize()``。

一个往队列里放过数据的进程，要等数据全部进入管道才能结束，而管道的缓冲区
只有大约 64 KiB。所以先把队列读空，再回收（join）进程；先 join，数据一旦超过
缓冲区就会死锁。队列要作为参数交给子进程：在 spawn 和 forkserver 启动方式下
（macOS、Windows，以及 Python 3.14 起的 Linux），模块级的队列在每个子进程里
都是另一个毫不相干的对象。
"""

from multiprocessing import Process, Queue


def producer(q, pairs):
    """Put each ``(a, b)`` pair on ``q`` in order, then put ``None`` as the
    end marker.

    按顺序把每个 ``(a, b)`` 数对放进 ``q``，最后放一个 ``None`` 作为结束标记。"""
    # TODO: every pair goes onto ``q`` in order, and after the last one the
    #       end marker, so that the consumer knows nothing more will come.
    #       按顺序把每个数对放进 ``q``，最后一个之后再放结束标记，让消费者
    #       知道后面不会再有数据。
    raise NotImplementedError("producer")


def consumer(q, results):
    """Get pairs from ``q`` until ``None``; put ``a + b`` for each on
    ``results``; then put ``None`` on ``results``.

    从 ``q`` 取数对，直到取到 ``None``；每个数对的和 ``a + b`` 放进
    ``results``；最后往 ``results`` 放一个 ``None``。"""
    # TODO: keep taking items from ``q``, however many come, until the end
    #       marker arrives; the sum of each pair goes onto ``results``.
    #       不管来多少个，一直从 ``q`` 取数据，直到取到结束标记；每个数对的
    #       和放进 ``results``。
    # TODO: ``results`` then ends with its own end marker, for the parent.
    #       然后 ``results`` 也以结束标记收尾，留给父进程。
    raise NotImplementedError("consumer")


def queue_sum(pairs) -> list[int]:
    """Make two queues; run ``producer`` and ``consumer`` in two child
    processes; collect the sums from ``results`` until ``None``; join both;
    return the sums in order.

    创建两个队列；在两个子进程里分别运行 ``producer`` 和 ``consumer``；
    从 ``results`` 收集和，直到收到 ``None``；回收两个子进程；按顺序返回这些和。"""
    # TODO: both queues are made here; two child processes run the producer
    #       and the consumer, each given the queues it needs as arguments.
    #       在这里创建两个队列和两个子进程，一个生产、一个消费，各自需要的
    #       队列作为参数交给它们。
    # TODO: the parent reads every sum up to the end marker before it waits
    #       for either child; both are reaped before the sums are returned.
    #       父进程先读完结束标记之前的所有和，再等待子进程；返回这些和之前，
    #       两个子进程都已回收。
    raise NotImplementedError("queue_sum")


if __name__ == "__main__":
    for total in queue_sum([(1, 2), (3, 4), (10, 20), (100, 200)]):
        print("sum =", total)
    print("pairs: 0, sums:", queue_sum([]))
