"""Wrong: pool_squares uses imap_unordered, so the squares come back in completion order.

mistake: unordered
wrong-under: fork spawn forkserver
message-contains: completion order; `imap_unordered`, a callback
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        # imap_unordered yields each result as soon as a worker finishes it.
        return list(pool.imap_unordered(square, numbers))


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool(processes)
    results = [pool.apply_async(square, (n,)) for n in numbers]
    pool.close()
    pool.join()
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
