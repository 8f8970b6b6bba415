"""Wrong: the children send through a module-level Pipe instead of one passed to them.

mistake: globals_not_args
wrong-under: spawn forkserver
message-contains: did not finish; module-level object; pass queues, pipes and values through `args=`
"""

import os
from multiprocessing import Pipe, Process

# One pipe for the whole module. Under fork the children inherit it; under
# spawn and forkserver each child imports this module again and makes its own.
PARENT_END, CHILD_END = Pipe()


def send_name(conn, name):
    conn.send((name, os.getpid()))


def _child(name):
    send_name(CHILD_END, name)


def pipe_fan_in(names) -> list[tuple[str, int]]:
    processes = []
    for name in names:
        process = Process(target=_child, args=(name,))
        process.start()
        processes.append(process)
    messages = [PARENT_END.recv() for _ in names]
    for process in processes:
        process.join()
    return messages


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
