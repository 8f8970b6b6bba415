"""Wrong: pool_squares_async submits a function defined inside it; the pool can't pickle it.

mistake: pickle_function
wrong-under: fork spawn forkserver
message-contains: a lambda or a nested function
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.map(square, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    def task(n):
        return square(n)

    pool = Pool(processes)
    results = [pool.apply_async(task, (n,)) for n in numbers]
    pool.close()
    pool.join()
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
