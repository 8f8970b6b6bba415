"""Wrong: the pool is kept in a module-level global and never closed, so its workers stay alive.

mistake: pool_never_closed
wrong-under: fork spawn forkserver
message-contains: the pool was never closed; `pool.close()` and then `pool.join()`
"""

from multiprocessing import Pool

_pool = None


def _get_pool(processes):
    # "Starting workers is expensive, so start them once and reuse them."
    global _pool
    if _pool is None:
        _pool = Pool(processes)
    return _pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    return _get_pool(processes).map(square, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    pool = _get_pool(processes)
    results = [pool.apply_async(square, (n,)) for n in numbers]
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
