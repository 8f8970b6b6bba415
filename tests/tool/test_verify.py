"""`grader verify`'s pure parts: the corpus header parser, the judging of a submission's
outcomes, the tool-tests verdict (exit code 5), the lint and the output. No sandbox runs."""

import io
import shutil
import textwrap
import time

import pytest

from grader.course import catalog
from grader import text
from grader.course import stubs
from grader.course.stubs import of_record
from grader.verification import corpus, verify
from grader.verification.corpus import Header, HeaderError, judge, parse_header

WRONG_SOURCE = '''"""Wrong: the pool is given a lambda.

mistake: pickle_function
wrong-under: fork spawn forkserver
message-contains: lambda; top level of the module
"""

from multiprocessing import Pool
'''

ALL = ("fork", "spawn", "forkserver")


def outcome(test, method, status="pass", message=""):
    return {"exercise": "03", "test": test, "start_method": method, "status": status, "message": message}


def failing_everywhere(message="Called f() (start method: m).\nIt raised PicklingError: <lambda>\n"
                               "Likely mistake: a lambda ... at the top level of the module."):
    return [outcome("test_a", m, "fail", message) for m in ALL] + [outcome("test_b", m) for m in ALL]


# --------------------------------------------------------------------------- header parsing

def test_a_wrong_header_gives_every_field():
    header = parse_header(WRONG_SOURCE, "wrong_lambda.py")
    assert header == Header(kind="wrong", summary="the pool is given a lambda.", mistake="pickle_function",
                            wrong_under=ALL, message_contains=("lambda", "top level of the module"))


def test_a_right_header_needs_no_fields():
    header = parse_header('"""Right: with a context.\n\nSome prose: anything.\n"""\nx = 1\n', "right_ctx.py")
    assert header.kind == "right" and header.summary == "with a context."
    assert header.wrong_under == () and header.message_contains == ()


def test_fields_may_continue_on_indented_lines_and_use_commas():
    source = textwrap.dedent('''\
        """Wrong: a module-level queue.

        mistake: never_joined
        wrong-under: spawn,
          forkserver
        message-contains: first phrase;
            second phrase
        Note: prose after the fields is ignored.
        """
        ''')
    header = parse_header(source, "wrong_global_queue.py")
    assert header.wrong_under == ("spawn", "forkserver")
    assert header.message_contains == ("first phrase", "second phrase")


def test_the_header_is_read_even_when_the_code_below_does_not_compile():
    source = WRONG_SOURCE + "\ndef broken(:\n    pass\n"
    assert parse_header(source, "wrong_syntax.py").mistake == "pickle_function"


def test_the_first_line_is_case_insensitive():
    assert parse_header('"""right: lower case."""', "right_x.py").kind == "right"


@pytest.mark.parametrize("source, name, words", [
    ("x = 1\n", "wrong_a.py", "docstring"),
    ('"""Just prose."""', "wrong_a.py", "Wrong:"),
    (WRONG_SOURCE, "right_a.py", "right_a.py"),
    (WRONG_SOURCE.replace("wrong-under: fork spawn forkserver", "wrong-under: fork thread"), "wrong_a.py", "thread"),
    (WRONG_SOURCE.replace("message-contains: lambda; top level of the module\n", ""), "wrong_a.py", "message-contains"),
    (WRONG_SOURCE.replace("message-contains: lambda; top level of the module", "message-contains: ; ;"),
     "wrong_a.py", "message-contains"),
    (WRONG_SOURCE.replace("mistake: pickle_function", "mistake: a\nmistake: b"), "wrong_a.py", "twice"),
])
def test_malformed_headers_say_what_is_wrong(source, name, words):
    with pytest.raises(HeaderError, match=words.replace("(", r"\(")):
        parse_header(source, name)


def test_an_unknown_mistake_id_is_reported():
    header = parse_header(WRONG_SOURCE.replace("pickle_function", "no_such_mistake"), "wrong_a.py")
    assert "no_such_mistake" in corpus.check_mistake(header)
    assert corpus.check_mistake(parse_header(WRONG_SOURCE, "wrong_a.py")) == ""


# --------------------------------------------------------------------------- judging

WRONG = parse_header(WRONG_SOURCE, "wrong_lambda.py")
RIGHT = Header(kind="right", summary="fine")


def test_a_wrong_submission_failing_with_the_phrases_is_caught_with_the_right_message():
    verdict = judge(WRONG, failing_everywhere(), ALL)
    assert verdict.caught and verdict.right_message and verdict.ok and not verdict.problems


def test_phrases_match_case_insensitively_across_line_breaks():
    message = "Called f().\nA LAMBDA was sent. Define it at the top\nlevel of the Module."
    verdict = judge(WRONG, failing_everywhere(message), ALL)
    assert verdict.right_message


def test_a_missing_phrase_is_caught_but_wrong_message():
    verdict = judge(WRONG, failing_everywhere("Called f().\nIt raised PicklingError: <lambda>"), ALL)
    assert verdict.caught and not verdict.right_message and not verdict.ok
    assert len(verdict.problems) == 3      # one per start method
    assert "fork" in verdict.problems[0] and '"top level of the module"' in verdict.problems[0]
    assert "PicklingError" in verdict.problems[0]          # what came back, shortened
    assert "Called f()" not in verdict.problems[0]         # the common first line is dropped


def test_passing_under_one_listed_method_is_not_caught():
    outcomes = failing_everywhere()
    outcomes = [o if o["start_method"] != "spawn" else dict(o, status="pass", message="") for o in outcomes]
    verdict = judge(WRONG, outcomes, ALL)
    assert not verdict.caught and not verdict.right_message and not verdict.ok
    assert len(verdict.problems) == 1 and "spawn" in verdict.problems[0]


@pytest.mark.parametrize("status", ["fail", "timeout", "error"])
def test_fail_timeout_and_error_all_count_as_caught(status):
    outcomes = [dict(o, status=status) if o["status"] != "pass" else o for o in failing_everywhere()]
    assert judge(WRONG, outcomes, ALL).caught


def test_only_the_listed_methods_must_fail_and_failing_elsewhere_is_a_note():
    header = Header(kind="wrong", summary="", mistake="x", wrong_under=("spawn", "forkserver"),
                    message_contains=("lambda",))
    outcomes = [outcome("test_a", "fork")] + [outcome("test_a", m, "fail", "lambda") for m in ("spawn", "forkserver")]
    verdict = judge(header, outcomes, ALL)
    assert verdict.ok and verdict.methods == ("spawn", "forkserver") and not verdict.notes
    everywhere = [outcome("test_a", m, "fail", "lambda") for m in ALL]
    verdict = judge(header, everywhere, ALL)
    assert verdict.ok and verdict.notes and "fork" in verdict.notes[0]


def test_methods_this_platform_lacks_are_not_required():
    header = Header(kind="wrong", summary="", mistake="x", wrong_under=("fork", "spawn"), message_contains=("boom",))
    outcomes = [outcome("test_a", "spawn", "fail", "boom")]
    assert judge(header, outcomes, ("spawn",)).ok
    only_fork = Header(kind="wrong", summary="", mistake="x", wrong_under=("fork",), message_contains=("boom",))
    verdict = judge(only_fork, outcomes, ("spawn",))
    assert verdict.skipped and verdict.ok


def test_no_outcome_at_all_is_not_caught_and_says_why():
    verdict = judge(WRONG, [], ALL, exit_code=2, log="collected 0 items\nERROR collecting tests/test_03.py")
    assert not verdict.caught and not verdict.ok
    assert "2" in verdict.problems[0] and "ERROR collecting" in verdict.problems[0]


def test_a_test_run_once_for_all_methods_counts_under_each():
    outcomes = [outcome("test_a", None, "fail", "a lambda at the top level of the module")]
    assert judge(WRONG, outcomes, ALL).ok


def test_a_right_submission_passing_everything_is_accepted():
    outcomes = [outcome(name, m) for name in ("test_a", "test_b") for m in ALL]
    verdict = judge(RIGHT, outcomes, ALL)
    assert verdict.accepted and verdict.ok


def test_a_right_submission_failing_one_test_is_rejected_with_the_message():
    outcomes = [outcome("test_a", m) for m in ALL] + [outcome("test_b", "spawn", "timeout", "Called g().\nIt hung.")]
    verdict = judge(RIGHT, outcomes, ALL)
    assert not verdict.accepted and not verdict.ok
    assert "test_b" in verdict.problems[0] and "spawn" in verdict.problems[0] and "It hung." in verdict.problems[0]


def test_a_right_submission_is_rejected_when_a_method_ran_no_test_or_pytest_failed():
    outcomes = [outcome("test_a", m) for m in ("fork", "spawn")]
    assert not judge(RIGHT, outcomes, ALL).accepted
    full = [outcome("test_a", m) for m in ALL]
    assert not judge(RIGHT, full, ALL, exit_code=3, log="INTERNALERROR").accepted
    assert not judge(RIGHT, [], ALL).accepted


def test_said_shortens_and_dedupes_messages():
    long = "Called f().\n" + "word " * 200
    text = corpus.said([outcome(f"t{i}", "fork", "fail", long) for i in range(5)])
    assert text.count("t") >= 1 and len(text) < 400


def test_discover_reads_the_headers_and_orders_wrong_first(tmp_path):
    kit = _kit(tmp_path)
    folder = tmp_path / "tests" / "submissions" / "03_pool_squares"
    folder.mkdir(parents=True)
    (folder / "right_a.py").write_text('"""Right: plain."""\n')
    (folder / "wrong_b.py").write_text(WRONG_SOURCE)
    (folder / "wrong_c.py").write_text('"""No header."""\n')
    (folder / "helper.py").write_text("")
    exercise = kit.find("03")
    found = corpus.discover(kit, exercise)
    assert [s.name for s in found] == ["wrong_b.py", "wrong_c.py", "right_a.py"]
    assert found[0].header.mistake == "pickle_function" and found[1].header is None and found[1].error
    assert corpus.strays(kit) == ["tests/submissions/03_pool_squares/helper.py"]
    assert corpus.discover(kit, kit.find("01")) is None


# --------------------------------------------------------------------------- the tool's own tests

def test_exit_code_0_passes_and_keeps_the_summary_line():
    ok, line = verify.tool_tests_verdict(0, "....\n12 passed in 0.53s\n")
    assert ok and line == "12 passed in 0.53s"


def test_exit_code_5_no_tests_collected_is_a_failure():
    ok, line = verify.tool_tests_verdict(5, "\nno tests ran in 0.01s\n")
    assert not ok and "5" in line and "no tests ran in 0.01s" in line


def test_other_exit_codes_fail_with_the_summary():
    ok, line = verify.tool_tests_verdict(1, "F.\n=== 1 failed, 1 passed in 0.10s ===\n")
    assert not ok and "1 failed, 1 passed in 0.10s" in line


# --------------------------------------------------------------------------- lint

CATALOG = '''format_version = 1
[defaults]
time_limit = 10
max_processes = 64
memory_mb = 1024
output_kb = 256

[[exercises]]
id = "03"
slug = "pool_squares"
points = 15
contract = ["square(n)"]

[[exercises]]
id = "01"
slug = "worker_args"
points = 10
contract = ["worker(sec, name, rounds=3)"]
'''


def _kit(tmp_path):
    (tmp_path / "catalog.toml").write_text(CATALOG)
    for folder in ("exercises", "solutions", "tests", "tests/messages"):
        (tmp_path / folder).mkdir(exist_ok=True)
    real = catalog.load()
    ex03 = real.find("03")
    (tmp_path / "exercises" / "03_pool_squares.py").write_bytes(of_record(ex03))
    shutil.copyfile(ex03.solution, tmp_path / "solutions" / "03_pool_squares.py")
    for lang in text.LANGUAGES:
        shutil.copyfile(ex03.messages(lang), tmp_path / "tests" / "messages" / f"03_pool_squares.{lang}.toml")
    (tmp_path / "tests" / "messages" / "01_worker_args.en.toml").write_text('[ex01]\ntitle = "Args"\nhints = []\n')
    (tmp_path / "tests" / "test_03_pool_squares.py").write_text(
        'from grader.testing import fail\n\ndef test_x(obs):\n    fail(obs, "ex03.order", mistake="unordered")\n')
    kit = catalog.load(tmp_path)
    return kit


@pytest.fixture(autouse=True)
def _back_to_the_real_kit():
    """_kit points the message tables at a temporary kit: point them back afterwards."""
    yield
    catalog.load()


def test_a_complete_exercise_passes_the_lint(tmp_path):
    kit = _kit(tmp_path)
    assert verify.lint_exercise(kit, kit.find("03")) == []


def test_lint_reports_missing_files_and_hints(tmp_path):
    kit = _kit(tmp_path)
    problems = " | ".join(verify.lint_exercise(kit, kit.find("01")))
    assert "exercises/01_worker_args.py is missing" in problems
    assert "solutions/01_worker_args.py is missing" in problems
    assert "tests/test_01_worker_args.py is missing" in problems
    assert "01_worker_args.en.toml: no hint" in problems


def test_a_stub_that_is_not_the_one_its_solution_makes_is_stale(tmp_path):
    kit = _kit(tmp_path)
    stub = tmp_path / "exercises" / "03_pool_squares.py"
    stub.write_text(stub.read_text() + "\n# edited\n")
    problems = verify.lint_exercise(kit, kit.find("03"))
    assert any("is not the stub" in p and "grader stubs" in p for p in problems)
    stub.write_bytes(of_record(kit.find("03")).replace(b"\n", b"\r\n"))
    assert not any("is not the stub" in p for p in verify.lint_exercise(kit, kit.find("03"))), \
        "CRLF line endings (a Windows checkout) are not a change"


def test_unpaired_solution_markers_are_named(tmp_path):
    kit = _kit(tmp_path)
    solution = tmp_path / "solutions" / "03_pool_squares.py"
    solution.write_text(solution.read_text().replace("### END SOLUTION", "", 1))
    problems = " | ".join(verify.lint_exercise(kit, kit.find("03")))
    assert "markers don't pair up" in problems


def test_lint_checks_todo_message_keys_and_pytest_imports(tmp_path):
    kit = _kit(tmp_path)
    solution = tmp_path / "solutions" / "03_pool_squares.py"
    solution.write_text(solution.read_text().replace("### TODO", "### DONE"))
    stubs.make_stub(solution.read_text())
    (tmp_path / "exercises" / "03_pool_squares.py").write_text(stubs.make_stub(solution.read_text()))
    (tmp_path / "tests" / "test_03_pool_squares.py").write_text(
        'import pytest\nfrom grader.testing import fail\n\ndef test_x(obs):\n'
        '    fail(obs, "ex03.no_such_key", mistake="no_such_mistake")\n')
    problems = " | ".join(verify.lint_exercise(kit, kit.find("03")))
    assert "no TODO" in problems and "ex03.no_such_key" in problems
    assert "no_such_mistake" in problems and "imports pytest" in problems


def test_stray_files_are_listed(tmp_path):
    kit = _kit(tmp_path)
    (tmp_path / "exercises" / "README.md").write_text("")
    (tmp_path / "exercises" / "__init__.py").write_text("")
    (tmp_path / "exercises" / "03_pool_squares_old.py").write_text("")
    (tmp_path / "solutions" / "notes.txt").write_text("")
    (tmp_path / "tests" / "messages" / "07_gone.en.toml").write_text("")
    strays = verify.stray_files(kit)
    assert "exercises/03_pool_squares_old.py" in strays and "solutions/notes.txt" in strays
    assert "tests/messages/07_gone.en.toml" in strays
    assert not any("README" in s or "__init__" in s for s in strays)


# --------------------------------------------------------------------------- output

def test_marks_fall_back_to_ascii_when_the_stream_cannot_encode_them():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    report = verify.Reporter(stream)
    report.mark("ok", "fine \u00d7 3")
    report.mark("fail", "broken")
    stream.flush()
    text = raw.getvalue().decode("ascii")
    assert "ok fine ? 3" in text and "FAIL broken" in text


def test_marks_are_unicode_when_possible():
    out = io.StringIO()
    verify.Reporter(out).mark("ok", "fine")
    assert out.getvalue() == "  \u2713 fine\n"


@pytest.mark.parametrize("value, text", [(0.04, "0.0 s"), (4.25, "4.2 s"), (59.9, "59.9 s"), (185, "3m05s")])
def test_seconds(value, text):
    assert verify.seconds(value) == text


def test_parallel_keeps_the_order_and_turns_exceptions_into_crashed():
    def work(n):
        if n == 2:
            raise RuntimeError("boom")
        time.sleep(0.05 * (3 - n))
        return n * 10

    got = [(item, result) for item, result, _ in verify._parallel(work, [0, 1, 2, 3], 2)]
    assert [item for item, _ in got] == [0, 1, 2, 3]
    assert got[0][1] == 0 and got[3][1] == 30
    assert isinstance(got[2][1], verify.Crashed) and "RuntimeError: boom" in got[2][1].text
