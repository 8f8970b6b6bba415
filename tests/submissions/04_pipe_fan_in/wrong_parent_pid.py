"""Wrong: the child sends os.getppid() (its parent's PID) instead of its own.

mistake: own_pid
wrong-under: fork spawn forkserver
message-contains: `os.getpid()` inside the child
"""

import os
from multiprocessing import Pipe, Process


def send_name(conn, name):
    conn.send((name, os.getppid()))


def pipe_fan_in(names) -> list[tuple[str, int]]:
    parent_conn, child_conn = Pipe()
    processes = []
    for name in names:
        process = Process(target=send_name, args=(child_conn, name))
        process.start()
        processes.append(process)
    messages = [parent_conn.recv() for _ in names]
    for process in processes:
        process.join()
    return messages


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
