"""Exercise 02: subclass Process.

Instead of handing ``Process`` a target function, you can write your own
process class, as the course notes do: inherit from ``multiprocessing.Process``
and put the child's work in ``run()``. The inherited ``start()`` creates the
child process, and the child calls ``run()``; calling ``run()`` yourself only
runs it in the parent, and no new process is made.

Your ``__init__`` adds your own settings, but Process has its own state to
set up first (name, flags, internal handles): without that, ``start()`` fails
or your attributes are reset. Keep the settings on the object; ``run()`` takes
no arguments besides ``self`` and reads them from there.

Under the spawn and forkserver start methods (macOS, Windows, Linux from
Python 3.14) the Process object itself is pickled and sent to the child, so
the class must be defined at module level and its attributes must be
picklable (numbers and strings are; locks and open files are not).

练习 02：自定义进程类。

除了给 ``Process`` 一个目标函数，还可以像课堂笔记里那样自定义进程类：继承
``multiprocessing.Process``，把子进程要做的事写在 ``run()`` 里。继承来的
``start()`` 创建子进程，由子进程调用 ``run()``；自己调用 ``run()`` 只会在
父进程里运行它，不会产生新进程。

你的 ``__init__`` 添加自己的属性，但 Process 有它自己的状态要先初始化（名字、
标志、内部句柄）：少了这一步，``start()`` 会失败，或者你设置的属性会被覆盖。
设置保存在对象上；``run()`` 除了 ``self`` 不接受别的参数，从 ``self`` 上读取它们。

在 spawn 和 forkserver 启动方式下（macOS、Windows，以及 Python 3.14 起的
Linux），Process 对象本身会被序列化（pickle）后发给子进程，所以这个类必须定义在
模块顶层，它的属性也必须能序列化（数字和字符串可以；锁和打开的文件不行）。
"""

import multiprocessing
import time


class ClockProcess(multiprocessing.Process):
    """A process that prints the current time ``ticks`` times, ``interval``
    seconds apart. Nothing happens until ``start()``; the child prints.

    一个进程：打印 ``ticks`` 次当前时间，每次间隔 ``interval`` 秒。
    ``start()`` 之前什么也不发生；由子进程打印。"""

    def __init__(self, interval, ticks=5):
        """Run ``Process.__init__`` through ``super().__init__()``, then store
        ``interval`` and ``ticks``.

        先通过 ``super().__init__()`` 运行 ``Process.__init__``，再保存
        ``interval`` 和 ``ticks``。"""
        ### TODO: let Process set itself up before anything else, then keep
        ###       both settings on the object for ``run()``. Nothing more
        ###       happens here: this runs in the parent.
        ###       先让 Process 完成自己的初始化，再把两个设置保存在对象上，
        ###       留给 ``run()`` 用。这里不做别的事：这段代码在父进程里运行。
        ### BEGIN SOLUTION
        # super().__init__() first: it sets up Process's own attributes, and
        # anything we set before it could be overwritten.
        super().__init__()
        # Plain numbers on self travel to the child with the Process object,
        # even when it is pickled under spawn/forkserver.
        self.interval = interval
        self.ticks = ticks
        ### END SOLUTION

    def run(self):
        """``ticks`` times: print ``The time is {time.ctime()}``, then sleep
        ``interval`` seconds.

        重复 ``ticks`` 次：打印 ``The time is {time.ctime()}``，然后睡
        ``interval`` 秒。"""
        ### TODO: using the settings stored on the object, print one tick line
        ###       and then wait the interval, as many times as there are ticks.
        ###       ``run()`` takes no parameters besides ``self``.
        ###       用对象上保存的设置：每一拍先打印一行，再等待一个间隔，拍数
        ###       是多少就重复多少次。``run()`` 除了 ``self`` 不接受别的参数。
        ### BEGIN SOLUTION
        # run() takes no arguments: its inputs come from self. It executes in
        # the child because start() calls it there.
        for _ in range(self.ticks):
            print(f"The time is {time.ctime()}", flush=True)
            time.sleep(self.interval)
        ### END SOLUTION


if __name__ == "__main__":
    p = ClockProcess(0.5, ticks=3)
    print("created, nothing printed yet")
    p.start()  # the child now calls p.run()
    p.join()
    print("exit code:", p.exitcode)
