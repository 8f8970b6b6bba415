"""Right: both in a `with Pool` block; async closes, joins and collects inside the block.
"""

from multiprocessing import Pool


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes=processes) as pool:
        squares = pool.map(square, numbers)
    return squares


def pool_squares_async(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        pending = [pool.apply_async(square, (n,)) for n in numbers]
        pool.close()
        pool.join()
        return [result.get() for result in pending]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
