"""Exercise 03: a process pool.

Creating and destroying a process for every small task costs the system a
lot. A process pool, as the course notes explain, creates a fixed number of
worker processes once and reuses them: tasks wait in the pool's queue, the
workers take them one by one, and only when all the work is done are the
workers shut down and reaped (``processes=None`` means one worker per CPU).

A pool can take the work in two ways. ``map`` hands it a function and a whole
list at once, and gives back the results in the order of the list, however
the workers finish. ``apply_async`` submits one call at a time and returns an
AsyncResult at once; its ``get()`` waits for that one value. Submit every
task first and collect the values afterwards: waiting for each one right
after submitting it makes the tasks run one after another.

A pool has to be finished before the function returns: closed (no more
tasks) and then joined (wait for the workers to exit), or left through a
``with`` block, which terminates it and throws away work not yet collected.
The pool pickles the function to send it to the workers, so it must be a
module-level ``def``, never a lambda or a nested function.

练习 03：进程池。

为每个小任务都创建、销毁一个进程，会消耗大量系统资源。正如课堂笔记所说，
进程池一次性创建一定数量的工作进程并重复使用它们：任务在进程池的等待队列里
排队，工作进程一个个取出来执行，所有事件处理完毕后，才统一关闭并回收这些进程
（``processes=None`` 表示每个 CPU 一个工作进程）。

把工作交给进程池有两种方式。``map`` 一次交出一个函数和一整个列表，按列表的
顺序返回结果，不管工作进程完成的先后。``apply_async`` 每次提交一个调用，
立刻返回一个 AsyncResult；它的 ``get()`` 会等这一个结果。先把所有任务都提交，
之后再取结果：每提交一个就马上等它的结果，任务就会一个接一个地运行。

函数返回之前必须把进程池收尾：先关闭（不再接收任务），再回收（等工作进程
退出）；或者通过 ``with`` 块离开，它会终止进程池，丢掉还没取走的工作。进程池
要序列化（pickle）函数才能把它发给工作进程，所以函数必须是模块顶层的
``def``，绝不能是 lambda 或嵌套函数。
"""

from multiprocessing import Pool


def square(n) -> int:
    """Return the square of ``n`` (an int for an int).

    返回 ``n`` 的平方（输入 int 时返回 int）。"""
    ### TODO: give back the square of ``n``, keeping an int an int.
    ###       返回 ``n`` 的平方，int 进来 int 出去。
    ### BEGIN SOLUTION
    return n * n
    ### END SOLUTION


def pool_squares(numbers, processes=None) -> list:
    """Square every number in a ``Pool(processes)`` with ``map``; return the
    results in input order. The pool is finished before returning.

    在一个 ``Pool(processes)`` 里用 ``map`` 计算每个数的平方，按输入的顺序
    返回结果。返回之前进程池已经收尾。"""
    ### TODO: one pool of ``processes`` workers squares all the numbers at
    ###       once through ``map``, calling the module's ``square`` by its
    ###       name; every result is in hand before the pool is finished.
    ###       用一个有 ``processes`` 个工作进程的进程池，通过 ``map`` 一次算出
    ###       所有平方，按名字调用模块里的 ``square``；进程池收尾之前，结果
    ###       已经全部拿到。
    ### BEGIN SOLUTION
    # map() blocks until every result is back, in input order, so leaving the
    # with block afterwards (terminate + reap the workers) loses nothing.
    # square is looked up by name at call time, so it can be replaced.
    with Pool(processes) as pool:
        return pool.map(square, numbers)
    ### END SOLUTION


def pool_squares_async(numbers, processes=None) -> list:
    """Like ``pool_squares``, but submit each number with
    ``apply_async(square, (n,))``, keep the AsyncResults, close and join the
    pool, then collect the values with ``get()`` in submission order.

    和 ``pool_squares`` 一样，但每个数用 ``apply_async(square, (n,))`` 提交，
    保存好 AsyncResult，关闭并回收进程池，再按提交顺序用 ``get()`` 取出结果。"""
    ### TODO: every number is submitted as a task of its own before any result
    ###       is waited for, so that the tasks run at the same time.
    ###       先把每个数作为单独的任务提交，再等任何结果，这样任务才会同时运行。
    ### TODO: the pool is finished (no more tasks, every worker gone) and the
    ###       squares come back in the order of ``numbers``.
    ###       进程池收尾（不再接收任务，工作进程全部退出），平方按 ``numbers``
    ###       的顺序返回。
    ### BEGIN SOLUTION
    pool = Pool(processes)
    # Submit every task before waiting for any, so the workers run them
    # concurrently. args is a one-element tuple: note the comma in (n,).
    results = [pool.apply_async(square, (n,)) for n in numbers]
    # close() accepts no more tasks; join() waits until the workers have
    # finished the queued ones and exited, so no worker is left behind.
    pool.close()
    pool.join()
    # Collect the AsyncResults only after close()/join(): the tasks have run
    # concurrently, and get() in submission order keeps the input order.
    return [r.get() for r in results]
    ### END SOLUTION


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
