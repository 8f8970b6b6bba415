"""Right: a one-way Pipe(duplex=False); the parent closes its copy of the sending end and reads until EOFError.

Counting is not needed once every copy of the sending end is closed: the
parent closes its own right after starting the children, and each child's copy
closes when it exits, so recv() raises EOFError after the last message.
"""

import os
from multiprocessing import Pipe, Process


def send_name(conn, name):
    conn.send((name, os.getpid()))
    conn.close()


def pipe_fan_in(names) -> list[tuple[str, int]]:
    reader, writer = Pipe(duplex=False)
    processes = [Process(target=send_name, args=(writer, name)) for name in names]
    for process in processes:
        process.start()
    writer.close()  # only the children hold the sending end now
    messages = []
    while True:
        try:
            messages.append(reader.recv())
        except EOFError:
            break
    reader.close()
    for process in processes:
        process.join()
    return messages


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
