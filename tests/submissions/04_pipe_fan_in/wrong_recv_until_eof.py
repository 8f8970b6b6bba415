"""Wrong: receives until EOFError while the parent still holds the sending end.

mistake: recv_until_eof
wrong-under: fork spawn forkserver
message-contains: did not finish; EOFError comes only when every copy of the sending end is closed
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
    # Read until the pipe reports EOF; but child_conn is still open in this
    # process, so EOF never comes.
    messages = []
    while True:
        try:
            messages.append(parent_conn.recv())
        except EOFError:
            break
    for process in processes:
        process.join()
    return messages


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
