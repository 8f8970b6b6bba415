#!/usr/bin/env python3
"""Wall time of the grader's commands, as a student and as CI meet them.

For each exercise: the median over `--runs` runs (default 5) of `grader check NN` against
the reference solution and against the untouched stub; then `grader verify` (once unless
`--verify-runs N`). Printed as a table; `--json FILE` also writes the numbers.

Each `grader check` runs in a temporary copy of the kit (catalog.toml, pyproject.toml,
tests/) whose exercises/ holds the solutions or the pristine stubs, so the student's own
exercises/ and progress file (.grader/) are never touched. The commands run as
subprocesses: the `grader` script next to this Python, else on PATH, else
`python -m grader`.

    python scripts/benchmark.py                    # everything
    python scripts/benchmark.py --runs 3 --verify-runs 0 03 05
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.course import catalog as catalog_mod  # noqa: E402


def grader_command() -> list[str]:
    beside = Path(sys.executable).parent / ("grader.exe" if os.name == "nt" else "grader")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("grader")
    if found:
        return [found]
    return [sys.executable, "-m", "grader"]


def make_kit(catalog, folder: Path, source: str) -> Path:
    """A copy of the kit whose exercises/ holds `source` (solutions or stubs)."""
    folder.mkdir(parents=True)
    for name in ("catalog.toml", "pyproject.toml"):
        if (catalog.root / name).is_file():
            shutil.copyfile(catalog.root / name, folder / name)
    (folder / "tests").mkdir()
    shutil.copytree(catalog.root / "tests" / "messages", folder / "tests" / "messages")
    (folder / "exercises").mkdir()
    for exercise in catalog.exercises:
        if exercise.test_module.is_file():
            shutil.copyfile(exercise.test_module, folder / "tests" / exercise.test_module.name)
        origin = exercise.solution if source == "solutions" else exercise.work_file
        if origin.is_file():
            shutil.copyfile(origin, folder / "exercises" / f"{exercise.name}.py")
    return folder


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    env = dict(os.environ)
    for name in ("GRADER_ROOT", "GRADER_EXERCISES_DIR", "GRADER_START_METHODS"):
        env.pop(name, None)
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        code = subprocess.call(cmd, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT)
        took = time.perf_counter() - began
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return took, code, text


def median_of(cmd, cwd, runs) -> dict:
    times, codes = [], set()
    last = ""
    for _ in range(runs):
        took, code, last = timed(cmd, cwd)
        times.append(took)
        codes.add(code)
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "runs": runs, "exit_codes": sorted(codes), "last_output": last[-2000:]}


def fmt(row: dict | None) -> str:
    if not row:
        return "-"
    codes = ",".join(str(c) for c in row["exit_codes"])
    return f"{row['median']:6.2f} s [{row['min']:.2f}-{row['max']:.2f}] exit {codes}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="exercises to time (default: all with a test module)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each `grader check` (median)")
    parser.add_argument("--verify-runs", type=int, default=1, help="runs of `grader verify` (0: skip)")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers to FILE")
    args = parser.parse_args(argv)

    catalog = catalog_mod.load(ROOT)
    chosen = catalog.select(args.ids)
    exercises = [e for e in chosen if e.test_module.is_file()]
    for exercise in chosen:
        if exercise not in exercises:
            print(f"{exercise.name}: no test module yet, skipped", flush=True)
    grader = grader_command()
    print(f"grader command: {' '.join(grader)}; {args.runs} run(s) each, {os.cpu_count()} CPUs", flush=True)

    results: dict = {"runs": args.runs, "check": {}, "verify": None}
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        kits = {source: make_kit(catalog, Path(tmp) / source, source) for source in ("solutions", "stubs")}
        for exercise in exercises:
            row = {}
            for source, kit in kits.items():
                row[source] = median_of([*grader, "check", exercise.id], kit, args.runs)
                print(f"  {exercise.name} {source}: {fmt(row[source])}", flush=True)
            results["check"][exercise.name] = row
    if args.verify_runs > 0:
        results["verify"] = median_of([*grader, "verify"], catalog.root, args.verify_runs)
        print(f"  grader verify: {fmt(results['verify'])}", flush=True)

    print()
    width = max([len(e.name) for e in exercises] + [len("grader verify")])
    head = f"{'grader check NN':<{width}}  {'solution: median [min-max]':<34}  {'stub: median [min-max]':<34}"
    print(head)
    print("-" * len(head))
    for name, row in results["check"].items():
        print(f"{name:<{width}}  {fmt(row['solutions']):<34}  {fmt(row['stubs']):<34}")
    if results["verify"]:
        print(f"{'grader verify':<{width}}  {fmt(results['verify'])} ({args.verify_runs} run(s))")
    print()
    print("A `grader check` of a solution should exit 0 and of a stub non-zero; `grader verify` 0.")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
