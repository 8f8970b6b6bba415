"""What a grading becomes for people and tools: the terminal report, result files
(json, junit, gradescope, classroom50, markdown), the GitHub Actions summary and
annotations, the escaping of everything a submission wrote, and the class gradebook.
May import: everything below it (text, results, course, sandbox, grading).
"""
