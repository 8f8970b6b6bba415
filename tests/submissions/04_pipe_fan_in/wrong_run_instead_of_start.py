"""Wrong: calls run() instead of start(), so every send happens in the parent.

mistake: run_instead_of_start
wrong-under: fork spawn forkserver
message-contains: `run()` was called instead of `start()`
"""

import os
from multiprocessing import Pipe, Process


def send_name(conn, name):
    conn.send((name, os.getpid()))


def pipe_fan_in(names) -> list[tuple[str, int]]:
    parent_conn, child_conn = Pipe()
    processes = []
    for name in names:
        process = Process(target=send_name, args=(child_conn, name))
        process.run()
        processes.append(process)
    messages = [parent_conn.recv() for _ in names]
    for process in processes:
        process.join()
    return messages


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
