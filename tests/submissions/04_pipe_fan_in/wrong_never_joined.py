"""Wrong: receives every message but never joins the children.

mistake: never_joined
wrong-under: fork spawn forkserver
message-contains: join; every process
"""

import os
from multiprocessing import Pipe, Process


def send_name(conn, name):
    conn.send((name, os.getpid()))


def pipe_fan_in(names) -> list[tuple[str, int]]:
    parent_conn, child_conn = Pipe()
    for name in names:
        Process(target=send_name, args=(child_conn, name)).start()
    # The children are done once their message is here... but nobody waits for them.
    return [parent_conn.recv() for _ in names]


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
