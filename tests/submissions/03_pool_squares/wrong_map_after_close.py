"""Wrong: pool_squares closes the pool first and then calls map() on it.

mistake: pool_closed
wrong-under: fork spawn forkserver
message-contains: Pool not running; used after `close()`
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    pool = Pool(processes)
    pool.close()
    results = pool.map(square, numbers)
    pool.join()
    return results


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool(processes)
    results = [pool.apply_async(square, (n,)) for n in numbers]
    pool.close()
    pool.join()
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
