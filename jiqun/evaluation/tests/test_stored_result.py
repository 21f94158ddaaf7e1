"""How a run stores the engine's result: without the tables derived from its input (the normalised and weighted
matrices, entropy's proportions), which the explanation and the engine rebuild bit for bit; runs stored earlier
with every table still explain and rerun. The snapshot and result are encoded by orjson and read back as the same
values the standard encoder stored; a snapshot stored in format 1 (every cell a dict) or format 2 (a complete
total as a list) explains and reruns as the same run in format 3."""

import json
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from jiqun.evaluation.cells import cell_value, subject_cell
from jiqun.evaluation.compute import engine_result, evaluate, prepare
from jiqun.evaluation.models import Run
from jiqun.evaluation.packs import scheme_parse_text
from jiqun.evaluation.selectors import explanation, run_reproduce
from jiqun.evaluation.services import evaluation_run_create, scheme_install
from jiqun.evaluation.storage import RunJSONEncoder

pytestmark = pytest.mark.django_db

ENTROPY = """
code: stored-entropy
version: 1
name: 熵权两项指标
programme: SD-2023-185
weight_method: entropy
normalisation: minmax
aggregation: weighted_sum
grades: {优秀: 85, 良好: 70, 合格: 60}
missing_rule: zero
items:
  - {dimension: 规模, indicator: revenue, weight: 0.5, clause: 一}
  - {dimension: 主体, indicator: employees, weight: 0.5, clause: 二}
  - {dimension: 创新, indicator: rd_expenditure, weight: 0, clause: 三}
"""


@pytest.fixture
def run(province_admin) -> Run:
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(ENTROPY, "stored.yaml"))
    return evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)


def _explained(run: Run) -> list[tuple]:
    return [(row.cluster_id, [(line.code, line.used, line.normalized, line.weight, line.contribution)
                              for line in explanation(run, row).lines])
            for row in run.rows.exclude(position=None).order_by("position")]


def test_a_run_stores_only_what_cannot_be_derived(run) -> None:
    engine = Run.objects.get(pk=run.pk).result["engine"]

    assert engine["format"] == 3 and {"normalized", "weighted"}.isdisjoint(engine) and "values" not in engine["matrix"]
    assert engine["weights"]["method"] == "entropy" and "proportions" not in engine["weights"]["tables"]
    rebuilt = engine_result({"engine": engine}, run.snapshot, run.parameters)
    np.testing.assert_array_equal(rebuilt.matrix.values, prepare(run.snapshot, run.parameters)[2])
    assert rebuilt.weights.tables["proportions"].shape == rebuilt.matrix.shape


def test_the_explanation_rebuilds_the_normalised_values_the_engine_used(run) -> None:
    run = Run.objects.get(pk=run.pk)
    engine = engine_result(run.result, run.snapshot, run.parameters)

    for position, (_cluster, lines) in enumerate(_explained(run)):
        assert [normalized for _code, _used, normalized, _w, _c in lines] == engine.normalized[position].tolist()
    np.testing.assert_array_equal(engine.normalized, engine.rerun().normalized)


def test_a_run_stored_with_every_table_still_explains_and_reruns(run) -> None:
    new = Run.objects.get(pk=run.pk)
    # what runs stored before: every table, and the input matrix
    old_engine = {**engine_result(new.result, new.snapshot, new.parameters).to_dict(), "format": 2}
    assert {"normalized", "weighted"} <= set(old_engine) and "proportions" in old_engine["weights"]["tables"]
    assert len(old_engine["matrix"]["values"]) == len(old_engine["scores"])
    Run.objects.filter(pk=run.pk).update(result={**new.result, "engine": old_engine})
    old = Run.objects.get(pk=run.pk)

    assert _explained(old) == _explained(new)
    assert run_reproduce(old).identical
    out = StringIO()
    call_command("evaluate", "rerun", str(run.pk), stdout=out)
    assert "完全一致" in out.getvalue()
    assert (engine_result(old.result, old.snapshot, old.parameters).to_dict()
            == engine_result(new.result, new.snapshot, new.parameters).to_dict())


def _cells(snapshot: dict, cell) -> dict:
    """The format-3 snapshot with every criterion's cells kept under each subject, each as `cell` makes it from
    the format-1 dict, and without the columns and their revisions."""
    subjects = [{**subject, "values": {c["code"]: cell(subject_cell(snapshot, i, c["code"])) for c in snapshot["criteria"]}}
                for i, subject in enumerate(snapshot["subjects"])]
    return {key: value for key, value in {**snapshot, "subjects": subjects}.items()
            if key not in ("columns", "revisions", "format")}


def _format_1(snapshot: dict) -> dict:
    """The snapshot as runs stored it before format 2: every cell a dict, and no format."""
    return _cells(snapshot, lambda cell: cell)


def _format_2(snapshot: dict) -> dict:
    """The snapshot as runs stored it in format 2: a complete 1-12月 total as [value, [report, revision, indicator],
    …], every other cell a dict."""
    def cell(stored: dict) -> dict | list:
        if stored.get("quarter") != 4 or "note" in stored:
            return stored
        return [stored["value"], *[[s["report"], s["revision"], s["indicator"]] for s in stored["sources"]]]

    return {**_cells(snapshot, cell), "format": 2}


def _provenance(run: Run) -> list[tuple]:
    return [(row.cluster_id, [(line.code, line.raw, line.period, line.note, line.sources) for line in explanation(run, row).lines])
            for row in run.rows.order_by("cluster_id")]


@pytest.mark.parametrize(("older", "cells"), [(_format_1, dict), (_format_2, list)])
def test_a_run_stored_in_an_older_snapshot_format_still_explains_and_reruns(run, older, cells) -> None:
    new = Run.objects.get(pk=run.pk)
    assert new.snapshot["format"] == 3
    assert any(type(value) is str for column in new.snapshot["columns"].values() for value in column["values"])
    Run.objects.filter(pk=run.pk).update(snapshot=older(new.snapshot))
    old = Run.objects.get(pk=run.pk)
    assert "columns" not in old.snapshot and old.snapshot.get("format") == (2 if cells is list else None)
    assert any(type(cell) is cells for s in old.snapshot["subjects"] for cell in s["values"].values())

    assert _provenance(old) == _provenance(new) and _explained(old) == _explained(new)
    assert any(line_sources for _cluster, lines in _provenance(old) for *_rest, line_sources in lines)
    assert run_reproduce(old).identical
    assert (engine_result(evaluate(old.snapshot, old.parameters), old.snapshot, old.parameters).to_dict()
            == engine_result(new.result, new.snapshot, new.parameters).to_dict())
    out = StringIO()
    call_command("evaluate", "rerun", str(run.pk), stdout=out)
    assert "完全一致" in out.getvalue()


def test_the_stored_json_reads_back_as_the_same_values(run) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot, result, stability FROM evaluation_run WHERE id = %s", [run.pk])
        stored = [json.loads(text) if isinstance(text, str) else text for text in cursor.fetchone()]

    # What the standard encoder wrote before, value for value: decimal text as text, every float to the last bit.
    assert stored == [json.loads(json.dumps(value)) for value in (run.snapshot, run.result, run.stability)]
    assert all(isinstance(value, str) or cell_value(value) is None or isinstance(cell_value(value), str)
               for column in stored[0]["columns"].values() for value in column["values"])


def test_the_run_encoder_writes_what_the_standard_encoder_writes() -> None:
    value = {"value": "1234.5000", "ratio": "0.0100", "none": None, "集群": ["名称", 1, 2.5, True],
             "years": {2024: "1", 2025: "2"}, "float": np.float64(0.1) + np.float64(0.2), "small": 1e-7}
    encode = RunJSONEncoder().encode

    assert json.loads(encode(value)) == json.loads(json.dumps(value))
    assert json.loads(encode(value))["value"] == "1234.5000"  # a figure's text, trailing zeros and all
    with pytest.raises(TypeError):  # what neither encoder takes is still refused
        encode({"value": Decimal("1.5")})


def test_rows_without_database_keys_still_go_with_their_run_and_keep_their_clusters(run) -> None:
    """The rows carry no database foreign keys (written once, with their run): the ORM still deletes them with
    their run and refuses to delete a cluster that has rows."""
    from django.db.models import ProtectedError

    from jiqun.evaluation.models import RunRow

    row = run.rows.exclude(cluster=None).select_related("cluster").first()
    with pytest.raises(ProtectedError):
        row.cluster.delete()
    assert RunRow.objects.filter(run=run).count() == run.rows.count() > 0
    Run.objects.filter(pk=run.pk).delete()
    assert not RunRow.objects.filter(run_id=run.pk).exists()


def test_the_run_s_insert_is_one_counted_query_and_reads_back_as_saved(province_admin, django_assert_num_queries) -> None:
    """On PostgreSQL the run is inserted with server-bound parameters (jiqun.evaluation.storage.run_insert): still one
    query that query counting sees, with created_at set and every field reading back as given."""
    from django.utils import timezone

    from jiqun.evaluation.storage import run_insert

    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(ENTROPY, "stored.yaml"))
    snapshot = {"format": 3, "year": 2025, "text": "引号 ' \" 与反斜杠 \\ 和 %s $1", "n": [1.5, None]}
    run = Run(scheme=scheme, year=2025, snapshot=snapshot, parameters={"a": [1, "二"]}, result={"x": 0.1},
              stability={"s": [1, 2]}, created_by="省级")
    before = timezone.now()
    with django_assert_num_queries(1):
        run_insert(run)
    stored = Run.objects.get(pk=run.pk)
    assert (stored.snapshot, stored.parameters, stored.result, stored.stability, stored.created_by) == (
        snapshot, {"a": [1, "二"]}, {"x": 0.1}, {"s": [1, 2]}, "省级")
    assert stored.created_at == run.created_at and stored.created_at >= before and not run._state.adding
