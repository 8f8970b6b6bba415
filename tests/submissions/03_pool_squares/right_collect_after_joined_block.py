"""Right: close and join inside the `with` block, collect the AsyncResults after leaving it.
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    pool = Pool(processes)
    squares = pool.map(square, numbers)
    pool.close()
    pool.join()
    return squares


def pool_squares_async(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        results = [pool.apply_async(square, (n,)) for n in numbers]
        pool.close()
        pool.join()
    # Every task finished before join() returned, so the results survive the block's
    # terminate().
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
