"""Right: pools from multiprocessing.get_context(), closed and joined by hand.
"""

import multiprocessing as mp


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    pool = mp.get_context().Pool(processes)
    try:
        return pool.map(square, numbers)
    finally:
        pool.close()
        pool.join()


def pool_squares_async(numbers, processes=None) -> list:
    pool = mp.get_context().Pool(processes=processes)
    async_results = []
    for n in numbers:
        async_results.append(pool.apply_async(square, (n,)))
    pool.close()
    pool.join()
    squares = []
    for r in async_results:
        squares.append(r.get())
    return squares


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
