"""Wrong: square uses math.pow, which returns a float (9.0), not an int.

mistake: float_not_int
wrong-under: fork spawn forkserver
message-contains: not floats; `n * n`
"""

import math
from multiprocessing import Pool


def square(n) -> int:
    return math.pow(n, 2)


def pool_squares(numbers, processes=None) -> list:
    with Pool(processes) as pool:
        return pool.map(square, numbers)


def pool_squares_async(numbers, processes=None) -> list:
    pool = Pool(processes)
    results = [pool.apply_async(square, (n,)) for n in numbers]
    pool.close()
    pool.join()
    return [r.get() for r in results]


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
