"""Exercise 01: pass arguments to a process.

A ``multiprocessing.Process`` object describes a process: which function it
will run (its target) and with which arguments. Nothing runs until you call
its ``start()``: that creates the child process, and the child calls the
target. ``run()`` is different: it just calls the target in the current
process, so no new process is made.

Arguments reach the target in one of two ways, as in the course notes: by
position in a tuple (``args``; a single argument still needs a trailing
comma) or by name in a dict (``kwargs``, whose keys are the target's
parameter names).

A parent must reap (join) every child it starts: a child that has ended but
was never joined stays behind as a zombie. ``join`` can wait for at most a
given number of seconds; it says nothing about whether the child ended in
time, so ask the process itself afterwards.

Under the spawn and forkserver start methods (macOS, Windows, Linux from
Python 3.14) the child starts a fresh interpreter: the target must be a
module-level function and everything it needs must be passed as an argument.

练习 01：给进程传参数。

``multiprocessing.Process`` 对象描述一个进程：它要运行哪个函数（target，
目标函数），带什么参数。调用它的 ``start()`` 之前，什么也不会运行：
``start()`` 创建子进程，由子进程去调用目标函数。``run()`` 不一样：它只是在
当前进程里调用目标函数，并不会产生新进程。

和课堂笔记里一样，参数有两种传法：按位置放进元组（``args``；只有一个参数时
也要带一个逗号），或者按名字放进字典（``kwargs``，键就是目标函数的参数名）。

父进程必须回收（join）它启动的每一个子进程：已经结束却从未被回收的子进程
会留下来，成为僵尸进程。``join`` 可以只等待给定的秒数；它并不告诉你子进程
有没有按时结束，所以之后要问进程本身。

在 spawn 和 forkserver 启动方式下（macOS、Windows，以及 Python 3.14 起的
Linux），子进程会启动一个全新的解释器：目标函数必须定义在模块顶层，它用到的
一切都要作为参数传进去。
"""

import time
from multiprocessing import Process


def worker(sec, name, rounds=3):
    """Run ``rounds`` times: sleep ``sec`` seconds, then print ``I'm {name}``
    and then ``I'm working...`` (two lines).

    重复 ``rounds`` 次：先睡 ``sec`` 秒，再打印 ``I'm {name}`` 和
    ``I'm working...`` 两行。"""
    # TODO: each of the ``rounds`` rounds first waits ``sec`` seconds, then
    #       prints the two lines, in that order.
    #       共 ``rounds`` 轮，每一轮先等待 ``sec`` 秒，再按顺序打印那两行。
    raise NotImplementedError("worker")


def start_worker(sec, name, *, use_kwargs=False) -> Process:
    """Create a Process whose target is ``worker``, passing ``sec`` and
    ``name`` through ``args=(sec, name)``, or through
    ``kwargs={"sec": sec, "name": name}`` when ``use_kwargs`` is true.
    Start it and return it without joining.

    创建一个目标函数为 ``worker`` 的进程，``sec`` 和 ``name`` 按位置传
    （``use_kwargs`` 为真时按名字传）；启动它，不等待，直接把它返回。"""
    # TODO: a new child process runs ``worker`` with these two arguments,
    #       handed over by position, or by name when ``use_kwargs`` is true.
    #       新的子进程用这两个参数运行 ``worker``：按位置传，
    #       ``use_kwargs`` 为真时按名字传。
    # TODO: the child is running when the function returns the Process; the
    #       caller, not this function, decides when to wait for it.
    #       函数返回这个 Process 时，子进程已经在运行；什么时候等它，
    #       由调用者决定，而不是这个函数。
    raise NotImplementedError("start_worker")


def join_with_timeout(process, timeout) -> bool:
    """Wait at most ``timeout`` seconds for ``process``; return True when it
    has ended (and so been reaped), False when it is still running.

    最多等待 ``process`` ``timeout`` 秒；进程已经结束（因而已被回收）时返回
    True，还在运行时返回 False。"""
    # TODO: wait no longer than ``timeout`` seconds, then report whether the
    #       process has ended (True) or is still running (False).
    #       最多等 ``timeout`` 秒，然后报告进程是已经结束（True）还是仍在
    #       运行（False）。
    raise NotImplementedError("join_with_timeout")


if __name__ == "__main__":
    # Like the course notes: the worker needs 3 x 0.5 s, we wait only 1 s.
    p = start_worker(0.5, "Levi")
    print("ended within 1 s:", join_with_timeout(p, 1))
    print("==============")
    # The child keeps running after the timeout; reap it before moving on.
    p.join()

    p = start_worker(0.2, "Mikasa", use_kwargs=True)
    print("ended within 2 s:", join_with_timeout(p, 2))
