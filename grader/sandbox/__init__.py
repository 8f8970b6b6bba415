"""One supervised call into a student's code: the supervisor (a fresh process per call,
limits, the kill of the whole tree), the runner (the call's main program), the spy (what
every process of the call reports), stack dumps, the Observation rebuilt from it all, and
the two facts every layer shares: start methods (methods) and how processes are ended
(processes).
May import: grader.text, grader.results, grader.course.
"""
