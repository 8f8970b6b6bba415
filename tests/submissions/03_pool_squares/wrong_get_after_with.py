"""Wrong: pool_squares_async collects the results after leaving `with Pool()`, which terminated the pool.

mistake: get_after_with
wrong-under: fork spawn forkserver
message-contains: after leaving `with Pool(...)`; terminates the pool
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.map(square, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        results = [pool.apply_async(square, (n,)) for n in numbers]
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
