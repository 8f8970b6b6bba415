"""Right: get_context(), keyword arguments, connections in `with` blocks, a while loop counting messages.
"""

import multiprocessing
import os


def send_name(conn, name):
    with conn:
        conn.send((name, os.getpid()))


def pipe_fan_in(names) -> list[tuple[str, int]]:
    ctx = multiprocessing.get_context()  # the current default start method
    receiver, sender = ctx.Pipe()
    with receiver, sender:
        workers = []
        for name in names:
            worker = ctx.Process(target=send_name, kwargs={"conn": sender, "name": name})
            worker.start()
            workers.append(worker)
        received = []
        while len(received) < len(names):
            received.append(receiver.recv())
        for worker in workers:
            worker.join()
            assert worker.exitcode == 0, worker
    return received


if __name__ == "__main__":
    print(pipe_fan_in(["Levi", "Mikasa", "Eren", "Armin", "Hange"]))
