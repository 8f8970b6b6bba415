"""Wrong: both functions create Pool() and ignore the `processes` argument.

mistake: ignored_processes
wrong-under: fork spawn forkserver
message-contains: the `processes` argument
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool() as pool:
        return pool.map(square, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool()
    results = [pool.apply_async(square, (n,)) for n in numbers]
    pool.close()
    pool.join()
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
