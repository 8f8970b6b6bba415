"""The maintainers' proof that the kit is right (`grader verify`): lint of the catalog and
files, the corpus of known-wrong and right submissions, and the verify run itself.
May import: everything but grader.cli.
"""
