"""Exercise 03: a process pool.

Starting a process for every small task is expensive. ``Pool(processes)``
starts a fixed number of worker processes once and reuses them for many tasks
(``processes=None`` means one per CPU).

``pool.map(func, iterable)`` sends the items to the workers and returns the
results as a list in input order. ``pool.apply_async(func, args)`` submits one
call and returns an AsyncResult at once; ``get()`` on it waits for the value
(and re-raises the worker's exception). Submit everything first and call
``get()`` later, otherwise the tasks run one after another.

Finish with ``pool.close()`` (no more tasks) and ``pool.join()`` (wait for the
workers to exit), or use ``with Pool(...) as pool:``. Leaving the ``with``
block calls ``terminate()``, which throws away unfinished work, so collect the
results inside it. The pool pickles the function to send it to the workers,
so it must be a module-level ``def``, never a lambda or a nested function.
"""

from multiprocessing import Pool


def square(n) -> int:
    """Return ``n * n``."""
    # TODO: return n multiplied by itself.
    raise NotImplementedError("square")


def pool_squares(numbers, processes=None) -> list:
    """Square every number in a ``Pool(processes)`` with ``map``; return the
    results in input order. The pool is finished before returning."""
    # TODO: open the pool with ``with Pool(processes) as pool:`` and, inside
    #       the block, return pool.map(square, numbers). Use the name square
    #       directly (no lambda, no local alias).
    raise NotImplementedError("pool_squares")


def pool_squares_async(numbers, processes=None) -> list:
    """Like ``pool_squares``, but submit each number with
    ``apply_async(square, (n,))``, keep the AsyncResults, close and join the
    pool, then collect the values with ``get()`` in submission order."""
    # TODO: pool = Pool(processes); build a list with
    #       pool.apply_async(square, (n,)) for every n (do not get() yet).
    # TODO: call pool.close() and then pool.join().
    # TODO: return [r.get() for r in results].
    raise NotImplementedError("pool_squares_async")


if __name__ == "__main__":
    print(pool_squares([1, 2, 3, 4, 5]))
    print(pool_squares_async(range(10), processes=4))
