"""Right: pool_squares waits on map_async(...).get() inside the block; async via a helper.
"""

from multiprocessing import Pool


def square(n) -> int:
    return n ** 2


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.map_async(square, numbers).get()


def _submit_all(pool, numbers):
    return [pool.apply_async(square, (n,)) for n in numbers]


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool(processes)
    results = _submit_all(pool, list(numbers))
    pool.close()
    pool.join()
    return list(map(lambda r: r.get(), results))


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
