"""Wrong: joins every child before receiving any message.

mistake: join_before_drain
wrong-under: fork spawn forkserver
message-contains: did not finish; receive everything first, then join
"""

import os
from multiprocessing import Pipe, Process


def send_name(conn, name):
    conn.send((name, os.getpid()))
    conn.close()


def pipe_fan_in(names) -> list[tuple[str, int]]:
    parent_conn, child_conn = Pipe()
    processes = []
    for name in names:
        process = Process(target=send_name, args=(child_conn, name))
        process.start()
        processes.append(process)
    # Wait for every child to finish, then read what they sent.
    for process in processes:
        process.join()
    messages = [parent_conn.recv() for _ in names]
    parent_conn.close()
    child_conn.close()
    return messages


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
