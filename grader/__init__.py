"""grader: checks exercises on Python's multiprocessing, each call in a supervised sandbox.

The package in layers; a module imports only from its own layer and the ones above it in
this list (tests/tool/test_layout.py holds it to that, and to no import cycle):

1. text (every word, per language), results (statuses and verdicts)
2. course/ (catalog, stubs, state): the course as files
3. sandbox/ (supervisor, runner, spy, stacks, observation, methods, processes): one call
4. diagnosis, testing, probes: what exercise tests are written with
5. grading/ (plugin, checker, submission): running the tests and scoring
6. output/ (report, exports, summary, escaping, gradebook): what a grading becomes
7. verification/ (lint, corpus, verify): the maintainers' proof
8. cli: the `grader` command, a thin layer over all of the above

The tool holds no course content: exercises, solutions, tests and their words live in the
kit (catalog.toml, exercises/, solutions/, tests/).
"""

__version__ = "0.1.0"
