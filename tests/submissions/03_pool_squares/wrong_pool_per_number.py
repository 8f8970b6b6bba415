"""Wrong: pool_squares_async creates, closes and joins a new Pool for every number.

mistake: pool_per_task
wrong-under: fork spawn forkserver
message-contains: a new Pool was created for every task
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.map(square, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    results = []
    for n in numbers:
        pool = Pool(processes)
        results.append(pool.apply_async(square, (n,)))
        pool.close()
        pool.join()
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
