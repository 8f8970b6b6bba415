"""The course as files: the catalog (catalog.toml), each exercise's stub made from its
solution (stubs), and what the grader remembers of a student's work (state).
May import: grader.text, grader.results.
"""
