"""Wrong: pool_squares maps a module-level alias of square bound at import, not square itself.

mistake: stale_alias
wrong-under: fork spawn forkserver
message-contains: another name for `square`; bound when the module was imported
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


# "A short name for the task function."
task = square


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.map(task, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool(processes)
    results = [pool.apply_async(square, (n,)) for n in numbers]
    pool.close()
    pool.join()
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
