"""Right: pool_squares uses starmap with one-element tuples; async keeps results in a dict by index.
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.starmap(square, [(n,) for n in numbers])


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool(processes)
    by_index = {i: pool.apply_async(square, (n,)) for i, n in enumerate(numbers)}
    pool.close()
    pool.join()
    return [by_index[i].get() for i in range(len(numbers))]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
