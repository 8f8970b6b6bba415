"""Wrong: no pool at all: both functions square the numbers in the parent.

mistake: work_in_parent
wrong-under: fork spawn forkserver
message-contains: not by the pool's workers; instead of calling it yourself
"""


def square(n) -> int:
    return n * n


def pool_squares(numbers, processes=None) -> list:
    return [square(n) for n in numbers]


def pool_squares_async(numbers, processes=None) -> list:
    return list(map(square, numbers))


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
