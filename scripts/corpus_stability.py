#!/usr/bin/env python3
"""Does every submission of the corpus get the same test outcomes every run? A wrong
submission that one test catches only sometimes gets a different score on a regrade.

Runs each file of tests/submissions/ (right and wrong) `--runs` times (default 3) under every
start method and lists the tests whose status varied between runs. Exit 1 when one did.

    python scripts/corpus_stability.py --runs 5 05      # only exercise 05
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def outcomes(submission: Path) -> dict:
    """One pytest run of the submission's exercise tests: (test, start method) -> status."""
    exercise = submission.parent.name
    with tempfile.TemporaryDirectory(prefix="stability-") as tmp:
        shutil.copy(submission, Path(tmp) / f"{exercise}.py")
        results = Path(tmp) / "results.json"
        subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "tests" / f"test_{exercise}.py"),
                        "--rootdir", str(ROOT), "-p", "grader.grading.plugin", "-p", "no:cacheprovider", "-q",
                        "--exercises-dir", tmp, "--grader-results", str(results)],
                       cwd=ROOT, capture_output=True, stdin=subprocess.DEVNULL)
        data = json.loads(results.read_text()) if results.exists() else {"outcomes": []}
    return {(o["test"], o["start_method"]): o["status"] for o in data["outcomes"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="exercise ids (default: all)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    varying = checked = 0
    for submission in sorted((ROOT / "tests" / "submissions").glob("*/*.py")):
        if args.ids and submission.parent.name[:2] not in args.ids:
            continue
        checked += 1
        runs = [outcomes(submission) for _ in range(args.runs)]
        keys = sorted(set().union(*runs))
        moved = [key for key in keys if len({run.get(key) for run in runs}) > 1]
        name = f"{submission.parent.name}/{submission.name}"
        if moved:
            varying += 1
            print(f"VARIES {name}: " + "; ".join(
                f"{test}[{method}] {[run.get((test, method)) for run in runs]}" for test, method in moved))
        else:
            print(f"stable {name}", flush=True)
    print(f"{varying} of {checked} submissions varied over {args.runs} runs")
    return 1 if varying else 0


if __name__ == "__main__":
    sys.exit(main())
