"""Right: pool_squares consumes pool.imap (ordered) inside the block; async gets with a timeout.
"""

import multiprocessing


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with multiprocessing.Pool(processes) as pool:
        return list(pool.imap(square, numbers))


def pool_squares_async(numbers, processes=None) -> list:
    pool = multiprocessing.Pool(processes)
    try:
        results = [pool.apply_async(square, args=(n,)) for n in numbers]
    finally:
        pool.close()
        pool.join()
    return [r.get(timeout=30) for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
