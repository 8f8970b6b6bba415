"""Right: waits with multiprocessing.connection.wait before each recv, and joins the processes one by one from a dict keyed by PID.
"""

import os
from multiprocessing import Pipe, Process
from multiprocessing.connection import wait


def send_name(conn, name):
    conn.send((name, os.getpid()))


def pipe_fan_in(names):
    here, there = Pipe()
    children = {}
    for name in names:
        child = Process(target=send_name, args=(there, name), name=f"sender-{name[:10]}")
        child.start()
        children[child.pid] = child
    messages = []
    for _ in range(len(names)):
        wait([here])
        messages.append(here.recv())
    # Join in the order the messages arrived.
    for _, pid in messages:
        children.pop(pid).join()
    for child in children.values():
        child.join()
    return messages


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
