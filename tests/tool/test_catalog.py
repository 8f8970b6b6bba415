"""The catalog and the message tables: id forms, signatures, validation, translations."""

import pytest

from grader.course import catalog
from grader import text
from grader.course.catalog import CatalogError, Signature


@pytest.fixture(scope="module")
def kit():
    return catalog.load()


@pytest.mark.parametrize("key", ["3", "03", "pool_squares", "03_pool_squares", "03_pool_squares.py", " 03 "])
def test_every_id_form_names_the_same_exercise(kit, key):
    assert kit.find(key).name == "03_pool_squares"


@pytest.mark.parametrize("key", ["6", "squares", "3_pool_squares", ""])
def test_unknown_ids_raise(kit, key):
    with pytest.raises(CatalogError):
        kit.find(key)


def test_select_keeps_course_order_and_drops_repeats(kit):
    assert [e.id for e in kit.select(["05", "1", "queue_sum"])] == ["01", "05"]
    assert len(kit.select([])) == len(kit.exercises)


def test_every_exercise_has_its_files_points_and_hints(kit):
    for exercise in kit.exercises:
        assert exercise.work_file.is_file(), exercise.work_file
        assert exercise.solution.is_file(), exercise.solution
        assert exercise.points > 0 and exercise.time_limit > 0
        assert exercise.hints, f"{exercise.name} has no hint"
        assert exercise.contract, f"{exercise.name} has no contract"


def test_signature_parsing_keeps_kinds_and_defaults():
    sig = Signature.parse("start_worker(sec, name, *, use_kwargs=False)")
    assert sig.owner is None and sig.name == "start_worker"
    assert sig.params == (("sec", "positional", None), ("name", "positional", None),
                          ("use_kwargs", "keyword_only", "False"))
    method = Signature.parse("ClockProcess.run(self)")
    assert method.owner == "ClockProcess" and method.name == "run"


def _write_kit(tmp_path, body):
    (tmp_path / "catalog.toml").write_text(body)
    return tmp_path


def test_a_catalog_with_repeated_ids_is_refused(tmp_path):
    entry = '[[exercises]]\nid = "01"\nslug = "a"\ntitle = "A"\npoints = 1\n'
    defaults = "[defaults]\ntime_limit = 1\nmax_processes = 8\nmemory_mb = 64\noutput_kb = 8\n"
    _write_kit(tmp_path, "format_version = 1\n" + defaults + entry + entry.replace('"a"', '"b"'))
    with pytest.raises(CatalogError, match="unique"):
        catalog.load(tmp_path)


def test_a_newer_format_or_broken_toml_is_refused(tmp_path):
    _write_kit(tmp_path, "format_version = 2\n")
    with pytest.raises(CatalogError, match="format_version"):
        catalog.load(tmp_path)
    _write_kit(tmp_path, "format_version = \n")
    with pytest.raises(CatalogError):
        catalog.load(tmp_path)


def test_find_root_walks_up_from_a_subfolder(kit):
    assert catalog.find_root(kit.root / "exercises") == kit.root


def test_messages_fill_fields_and_fall_back_to_english(monkeypatch):
    monkeypatch.setenv("GRADER_LANG", "xx")
    assert text.language() == "en"
    message = text.t("runner.called", call="f(1)", method="spawn")
    assert "f(1)" in message and "spawn" in message
    assert text.t("no.such.key") == "no.such.key"
    assert "{method}" in text.t("runner.called", call="f(1)")


def test_every_mistake_id_used_by_the_diagnosis_has_words():
    from grader import diagnosis

    ids = {rule[0] for rule in diagnosis.EXCEPTION_RULES} | {rule[0] for rule in diagnosis.STUCK_RULES}
    missing = [i for i in ids if not text.has(f"mistake.{i}")]
    assert not missing


def _keys(table, prefix=""):
    for name, value in table.items():
        if isinstance(value, dict):
            yield from _keys(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def test_every_message_renders():
    """A stray brace in a locale file would only show up when a student hits that message."""
    for key in _keys(text._table("en")):
        assert isinstance(text.t(key), str), key
