"""Wrong: pool_squares opens a pool but squares the numbers itself, in the parent.

mistake: work_in_parent
wrong-under: fork spawn forkserver
message-contains: ran in the parent process; not by the pool's workers
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return [square(n) for n in numbers]


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool(processes)
    results = [pool.apply_async(square, (n,)) for n in numbers]
    pool.close()
    pool.join()
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
