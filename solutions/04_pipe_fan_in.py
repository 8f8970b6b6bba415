"""Exercise 04: many children, one pipe.

``Pipe()`` returns two Connection objects, one for each end of the pipe (both
ends can send and receive by default). ``conn.send(obj)`` pickles any Python
object and writes it; ``conn.recv()`` blocks until a whole message arrives and
returns the object. Many children can share one sending end while the parent
reads every message from the other end.

A pipe holds only a small buffer in the operating system (about 64 KiB). A
child's ``send()`` blocks while that buffer is full, so the child cannot exit
until someone reads. Receive all the messages first, then ``join()`` the
children: joining first deadlocks as soon as the messages outgrow the buffer.
Count the messages you expect instead of waiting for EOF, because EOF only
comes when every copy of the sending end, including the parent's, is closed.

Under the spawn and forkserver start methods (macOS, Windows, Linux from
Python 3.14) a child sees no globals made in the parent: pass the connection
to the child in ``args=``, and keep the target a module-level function.
"""

import os
from multiprocessing import Pipe, Process


def send_name(conn, name):
    """In the child: send the tuple ``(name, os.getpid())`` through ``conn``,
    then close this end."""
    ### TODO: conn.send((name, os.getpid())), then conn.close().
    ### BEGIN SOLUTION
    # The connection arrives as an argument, so this works under every start
    # method; closing it afterwards releases the child's copy of that end.
    conn.send((name, os.getpid()))
    conn.close()
    ### END SOLUTION


def pipe_fan_in(names) -> list[tuple[str, int]]:
    """Create one Pipe; start one Process per name running
    ``send_name(<one end>, name)``; receive ``len(names)`` messages from the
    other end; join every child; return the messages in arrival order."""
    ### TODO: parent_conn, child_conn = Pipe()
    ### TODO: for each name, start Process(target=send_name,
    ###       args=(child_conn, name)) and keep it in a list.
    ### TODO: receive len(names) messages with parent_conn.recv() BEFORE
    ###       joining anything, collecting them in a list.
    ### TODO: join every process, close both ends, return the messages.
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
