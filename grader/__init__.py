"""grader: checks exercises on Python's multiprocessing, each call in a supervised sandbox."""

__version__ = "0.1.0"
