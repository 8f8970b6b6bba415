"""Wrong: pool_squares_async calls .get() right after each apply_async, so the tasks run one by one.

mistake: get_in_loop
wrong-under: fork spawn forkserver
message-contains: no two tasks ran at the same time; right after each `apply_async`
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.map(square, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool(processes)
    results = []
    for n in numbers:
        # get() waits for this task before the next one is even submitted.
        results.append(pool.apply_async(square, (n,)).get())
    pool.close()
    pool.join()
    return results


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
