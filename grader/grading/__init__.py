"""Running the exercise tests and scoring them: the pytest plugin (one sandboxed call per
scenario and start method), the checker (pytest in a child process, outcomes through
pytest-json-report, scores) and submissions graded from another folder (`check --from`).
May import: grader.text, grader.results, grader.course, grader.sandbox, grader.diagnosis,
grader.testing.
"""
