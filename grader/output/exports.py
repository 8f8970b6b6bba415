"""The result files of `grader check --report FORMAT=PATH`, one builder per format:

- json        the kit's own format, described by grader/schema/result.schema.json
- junit       JUnit XML, one testcase per test and start method
- gradescope  Gradescope's results.json
- classroom50 Classroom 50's result.json (schema classroom50/result/v1)
- markdown    the job summary (grader.summary)

Every text that came from the submission goes through grader.escaping first, so no report
carries a workflow command, raw HTML or an unbounded output.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from grader import __version__
from grader.output.escaping import clean, headline, json_text
from grader.output import summary
from grader.output.report import points
from grader.results import Status
from grader.text import t

FORMATS = ("json", "junit", "gradescope", "classroom50", "markdown")
SCHEMA = Path(__file__).with_name("schema") / "result.schema.json"
RESULT_SCHEMA_ID = "grader/result/v1"
MESSAGE_LIMIT = 4000
OUTPUT_LIMIT = 500      # what a student printed, per test (Exercism's convention)


class ReportError(ValueError):
    """A --report option that can't be honoured; the message says what to type instead."""


def parse(option: str) -> tuple[str, str]:
    """'junit=out/junit.xml' -> ('junit', 'out/junit.xml')."""
    kind, sep, path = option.partition("=")
    kind = kind.strip().lower()
    if not sep or not path.strip() or kind not in FORMATS:
        raise ReportError(t("report.bad_option", got=option, formats=", ".join(FORMATS)))
    return kind, path.strip()


def render(kind: str, grading) -> str:
    """The text of one report."""
    if kind == "markdown":

        return summary.markdown(grading)
    builder = {"json": result_json, "gradescope": gradescope, "classroom50": classroom50}.get(kind)
    if builder is not None:
        return json_text(builder(grading))
    return junit(grading)


def write(kind: str, path: str, grading) -> None:
    """Write one report to `path` (`-`: standard output). Raises OSError."""
    text = render(kind, grading)
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_text(text, encoding="utf-8", newline="\n")
    os.replace(partial, target)   # a reader never sees half a report


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _message(text) -> str:
    return clean(text, MESSAGE_LIMIT)


def _output(text) -> str:
    return clean(text, OUTPUT_LIMIT)


# ---------------------------------------------------------------- json (ours)

def result_json(grading) -> dict:
    """The kit's own result format (see the schema for every field)."""
    exercises = []
    for result in grading.results:
        exercise = result.exercise
        failure = result.first_failure
        exercises.append({
            "id": exercise.id,
            "slug": exercise.slug,
            "title": exercise.title,
            "file": result.file,
            "status": result.status,
            "points": round(result.score, 2),
            "max_points": exercise.points,
            "message": _message(result.message or (failure.message if failure else "")),
            "line": failure.line if failure else None,
            "tests": [{
                "name": test.name,
                "status": test.status,
                "weight": test.weight,
                "points": test.points,
                "max_points": test.max_points,
                "message": _message(test.message),
                "line": test.line,
                "output": _output(test.output),
                "failed_methods": test.failed_methods,
                "runs": [{
                    "start_method": method,
                    "status": run["status"],
                    "message": _message(run.get("message", "")),
                    "duration": run.get("duration", 0.0),
                } for method, run in test.runs.items()],
            } for test in result.tests],
        })
    return {
        "schema": RESULT_SCHEMA_ID,
        "format_version": 1,
        "grader_version": __version__,
        "graded_at": _iso(grading.started),
        "duration": round(grading.duration, 2),
        "python": platform.python_version(),
        "platform": sys.platform,
        "start_methods": list(grading.methods),
        "submission": {
            "folder": grading.submission,
            "changed_kit_files": [dict(item) for item in grading.changed],
        },
        "status": grading.status,
        "points": grading.points,
        "max_points": grading.max_points,
        "exercises": exercises,
        "totals": {
            "points": grading.points,
            "max_points": grading.max_points,
            "exercises": len(grading.results),
            "passed": sum(1 for r in grading.results if r.passed),
        },
    }


# ---------------------------------------------------------------- JUnit XML

def _xml_text(text) -> str:
    # XML 1.0 can't hold most control characters at all; clean() has removed them.
    return clean(text, MESSAGE_LIMIT)


def junit(grading) -> str:
    """JUnit XML: a testsuite per exercise, a testcase per test and start method. A timeout
    or a grader error is an <error>, a wrong answer a <failure>."""
    root = ET.Element("testsuites", name="grader", time=f"{grading.duration:.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in grading.results:
        exercise = result.exercise
        suite = ET.SubElement(root, "testsuite", name=f"{exercise.id} {exercise.slug}",
                              timestamp=_iso(grading.started))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        time_sum = 0.0
        cases = [(test, method, run) for test in result.tests for method, run in test.runs.items()]
        if not cases:   # the tests could not run at all: one case says why
            case = ET.SubElement(suite, "testcase", classname=f"exercises.{exercise.name}",
                                 name="tests", time="0")
            ET.SubElement(case, "error", type=result.status,
                          message=headline(result.message, after_call=False)[:300]).text = _xml_text(result.message)
            counts["tests"] += 1
            counts["errors"] += 1
        for test, method, run in cases:
            duration = float(run.get("duration") or 0.0)
            time_sum += duration
            case = ET.SubElement(suite, "testcase", classname=f"exercises.{exercise.name}",
                                 name=f"{test.name}[{method}]", time=f"{duration:.3f}")
            counts["tests"] += 1
            status = run["status"]
            if status == Status.SKIP:
                ET.SubElement(case, "skipped")
                counts["skipped"] += 1
            elif status == Status.FAIL:
                ET.SubElement(case, "failure", type=Status.FAIL,
                              message=headline(run.get("message", ""))[:300]).text = _xml_text(run.get("message", ""))
                counts["failures"] += 1
            elif status != Status.PASS:
                ET.SubElement(case, "error", type=status,
                              message=headline(run.get("message", ""))[:300]).text = _xml_text(run.get("message", ""))
                counts["errors"] += 1
            if run.get("output"):
                ET.SubElement(case, "system-out").text = _output(run["output"])
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{time_sum:.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------- Gradescope

def gradescope(grading) -> dict:
    """Gradescope's results.json: one entry per test, its points from the weights."""
    tests = []
    for result in grading.results:
        exercise = result.exercise
        if not result.tests:
            tests.append({"name": f"{exercise.id} {exercise.slug}", "number": exercise.id,
                          "score": 0.0, "max_score": float(exercise.points), "status": "failed",
                          "output": _message(result.message), "output_format": "text",
                          "tags": [exercise.name, result.status], "visibility": "visible"})
            continue
        for number, test in enumerate(result.tests, start=1):
            passed = test.status in Status.OK
            output = _message(test.message)
            if test.output and not passed:
                output += "\n\n" + t("report.printed") + "\n" + _output(test.output)
            tests.append({
                "name": f"{exercise.id} {exercise.slug}: {test.name}",
                "number": f"{exercise.id}.{number}",
                "score": test.points,
                "max_score": test.max_points,
                "status": "passed" if passed else "failed",
                "output": output,
                "output_format": "text",
                "tags": [exercise.name] + ([] if passed else [test.status]),
                "visibility": "visible",
            })
    return {
        "score": grading.points,
        "execution_time": int(math.ceil(grading.duration)),
        "output": _overall(grading),
        "output_format": "text",
        "stdout_visibility": "hidden",
        "visibility": "visible",
        "tests": tests,
    }


def _overall(grading) -> str:
    lines = [t("report.points", earned=points(grading.points), possible=points(grading.max_points))]
    if grading.changed:
        lines.append(t("report.changed", count=len(grading.changed),
                       files=", ".join(c["path"] for c in grading.changed[:10])))
    return "\n".join(lines)



# ---------------------------------------------------------------- Classroom 50

def classroom50(grading) -> dict:
    """Classroom 50's result.json: hyphenated keys and integer scores, one test per exercise
    (an exercise's points are whole; a partial score is rounded down, never up)."""
    tests = []
    for result in grading.results:
        exercise = result.exercise
        failure = result.first_failure
        tests.append({
            "test-name": f"{exercise.id} {exercise.slug}",
            "passed": result.passed,
            "score": int(math.floor(result.score + 1e-9)),
            "max-score": int(exercise.points),
            "status": result.status,
            "message": _message(result.message or (failure.message if failure else "")),
        })
    data = {
        "schema": "classroom50/result/v1",
        "score": sum(test["score"] for test in tests),
        "max-score": sum(test["max-score"] for test in tests),
        "graded_at": _iso(grading.started),
        "tests": tests,
    }
    env = os.environ
    if env.get("GITHUB_REPOSITORY") and env.get("GITHUB_SHA"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        data["commit"] = f"{server}/{env['GITHUB_REPOSITORY']}/commit/{env['GITHUB_SHA']}"
    if env.get("GITHUB_REPOSITORY_OWNER"):
        data["owner"] = env["GITHUB_REPOSITORY_OWNER"]
    return data
