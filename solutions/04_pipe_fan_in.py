"""Exercise 04: many children, one pipe.

Processes don't share memory, so they need a way to talk: inter-process
communication. The course notes start with the pipe: ``Pipe()`` opens a pipe
in memory and returns its two ends, connection objects (both ends can send
and receive by default). ``send`` writes any Python object into the pipe;
``recv`` blocks until a whole message has arrived. Many children can share
one sending end while the parent reads every message from the other end.

A pipe holds only a small buffer in the operating system (about 64 KiB). A
child's ``send`` blocks while that buffer is full, so the child cannot end
until someone reads. Receive the messages first and reap (join) the children
afterwards: joining first deadlocks as soon as the messages outgrow the
buffer. Count the messages you expect instead of waiting for the pipe to be
closed, because that only happens when every copy of the sending end,
the parent's included, is closed.

Under the spawn and forkserver start methods (macOS, Windows, Linux from
Python 3.14) a child sees no globals made in the parent: hand the connection
to the child as an argument, and keep the target a module-level function.

练习 04：多个子进程，一个管道。

进程之间的空间相对独立，要交换数据就需要专门的方法：进程间通信。课堂笔记
先讲管道：``Pipe()`` 在内存中开辟管道空间，返回管道两端的连接对象（默认两端
都可以收发）。``send`` 把任意 Python 对象写入管道；``recv`` 会阻塞，直到一条
完整的消息到达。许多子进程可以共用同一个发送端，父进程从另一端读出每一条消息。

管道在操作系统里只有一个很小的缓冲区（大约 64 KiB）。缓冲区满了，子进程的
``send`` 就会阻塞，在有人读之前它结束不了。所以先收消息，再回收（join）子进程：
先 join，消息一旦超过缓冲区就会死锁。要数着收预期的消息条数，而不是等管道
被关闭，因为只有发送端的每一个副本（包括父进程手里的那一份）都关闭了，才会
出现这种情况。

在 spawn 和 forkserver 启动方式下（macOS、Windows，以及 Python 3.14 起的
Linux），子进程看不到父进程里创建的全局变量：要把连接作为参数交给子进程，
目标函数也要定义在模块顶层。
"""

import os
from multiprocessing import Pipe, Process


def send_name(conn, name):
    """In the child: send the tuple ``(name, os.getpid())`` through ``conn``,
    then close this end.

    在子进程里：通过 ``conn`` 发送元组 ``(name, os.getpid())``，然后关闭
    这一端。"""
    ### TODO: exactly one message leaves through ``conn``: the name, paired
    ###       with the PID of the process running this function. Then this
    ###       process is done with its end of the pipe.
    ###       通过 ``conn`` 正好发出一条消息：名字，以及运行这个函数的进程自己的
    ###       PID。然后这个进程不再使用它这一端的管道。
    ### BEGIN SOLUTION
    # The connection arrives as an argument, so this works under every start
    # method; closing it afterwards releases the child's copy of that end.
    conn.send((name, os.getpid()))
    conn.close()
    ### END SOLUTION


def pipe_fan_in(names) -> list[tuple[str, int]]:
    """Create one Pipe; start one Process per name running
    ``send_name(<one end>, name)``; receive ``len(names)`` messages from the
    other end; join every child; return the messages in arrival order.

    创建一个管道；为每个名字启动一个进程，运行 ``send_name(<一端>, name)``；
    从另一端接收 ``len(names)`` 条消息；回收每个子进程；按到达顺序返回消息。"""
    ### TODO: one pipe serves every child: one child per name, each given the
    ###       sending end as an argument, all started before anything is
    ###       received.
    ###       所有人共用一个管道；每个名字一个子进程，在接收任何消息之前全部
    ###       启动，发送端作为参数交给每个子进程。
    ### TODO: the parent receives exactly one message per name, before it
    ###       waits for any child.
    ###       父进程每个名字正好收一条消息，而且是在等待任何子进程之前。
    ### TODO: every child is reaped and both ends are closed before the
    ###       messages are returned, in the order they arrived.
    ###       返回消息（按到达顺序）之前，每个子进程都已回收，管道两端都已关闭。
    ### BEGIN SOLUTION
    parent_conn, child_conn = Pipe()
    # Start every child before waiting for any; keep them to join later.
    processes = []
    for name in names:
        process = Process(target=send_name, args=(child_conn, name))
        process.start()
        processes.append(process)
    # Receive before joining: a child blocks in send() while the pipe is
    # full, so joining first can deadlock once the messages exceed the
    # ~64 KiB buffer. We know how many messages to expect, so count them.
    messages = [parent_conn.recv() for _ in names]
    # Every child has sent its message, so these joins return promptly and
    # reap the children.
    for process in processes:
        process.join()
    parent_conn.close()
    child_conn.close()
    return messages
    ### END SOLUTION


if __name__ == "__main__":
    print("parent PID:", os.getpid())
    for name, pid in pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]):
        print(f"{name} sent from PID {pid}")
