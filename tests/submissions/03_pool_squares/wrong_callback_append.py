"""Wrong: pool_squares_async collects results with a callback that appends, so in completion order.

mistake: unordered
wrong-under: fork spawn forkserver
message-contains: completion order; `imap_unordered`, a callback
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.map(square, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    results = []
    pool = Pool(processes)
    for n in numbers:
        # The callback runs in the parent when the task finishes, in whatever order they finish.
        pool.apply_async(square, (n,), callback=results.append)
    pool.close()
    pool.join()
    return results


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
