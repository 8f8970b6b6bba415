"""Wrong: Process(target=send_name(...)) calls send_name in the parent.

mistake: target_called
wrong-under: fork spawn forkserver
message-contains: the target was called in the parent; `Process(target=f, args=(x,))`
"""

import os
from multiprocessing import Pipe, Process


def send_name(conn, name):
    conn.send((name, os.getpid()))


def pipe_fan_in(names) -> list[tuple[str, int]]:
    parent_conn, child_conn = Pipe()
    processes = []
    for name in names:
        process = Process(target=send_name(child_conn, name))
        process.start()
        processes.append(process)
    messages = [parent_conn.recv() for _ in names]
    for process in processes:
        process.join()
    return messages


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
