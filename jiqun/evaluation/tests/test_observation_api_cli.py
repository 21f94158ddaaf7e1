"""On-site 观摩 scores through the API (/api/v1/evaluation/observations) and `jiqun evaluate observations`."""

import json
from io import StringIO
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from jiqun.audit.models import AuditEvent
from jiqun.evaluation.demo import OBSERVATION_YEAR, PROJECT_SCHEME
from jiqun.evaluation.models import ObservationScore

pytestmark = pytest.mark.django_db

URL = "/api/v1/evaluation/observations"


def _call(*args) -> str:
    out = StringIO()
    call_command("evaluate", "observations", *args, stdout=out)
    return out.getvalue()


def _demo_score() -> ObservationScore:
    return ObservationScore.objects.filter(scheme_code=PROJECT_SCHEME, year=OBSERVATION_YEAR).order_by("pk").first()


def _workbook(path: Path, rows: list[list]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([["项目编号", "观摩人员", "现场得分", "说明"], *rows]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return path


# --- the API ---------------------------------------------------------------------------------------

def test_the_api_lists_filters_and_scopes_the_scores(api_province, api_jining, api_jinan) -> None:
    score = _demo_score()
    listed = api_province.get(f"{URL}?scheme={PROJECT_SCHEME}&year={OBSERVATION_YEAR}&project={score.project_id}").json()
    assert listed and {s["project"] for s in listed} == {score.project_id}
    assert {s["observer"] for s in listed} >= {score.observer}
    # The scores are of Jining's projects: Jining sees them, Jinan (another city) neither lists nor reaches them.
    assert api_jining.get(f"{URL}/{score.pk}").json()["version"] == score.version
    assert api_jinan.get(URL).json() == []
    assert api_jinan.get(f"{URL}/{score.pk}").status_code == 404
    assert api_jinan.patch(f"{URL}/{score.pk}", {"score": 50, "version": score.version},
                           content_type="application/json").status_code == 404
    assert api_jinan.delete(f"{URL}/{score.pk}?version={score.version}").status_code == 404
    assert api_province.get(f"{URL}?year=1999").status_code == 422


def test_the_province_enters_corrects_and_deletes_through_the_api(api_province, api_jining) -> None:
    project = _demo_score().project
    body = {"scheme": PROJECT_SCHEME, "year": OBSERVATION_YEAR, "project": project.pk, "observer": "接口观摩组",
            "score": 88.5, "note": "接口录入"}
    assert api_jining.post(URL, body, content_type="application/json").status_code == 403
    created = api_province.post(URL, body, content_type="application/json")
    assert created.status_code == 201, created.json()
    score = created.json()
    assert score["score"] == 88.5 and score["version"] == 1 and score["project_code"] == project.code
    again = api_province.post(URL, body, content_type="application/json")
    assert again.status_code == 400 and "已给该项目打分" in again.json()["detail"]
    patched = api_province.patch(f"{URL}/{score['id']}", {"score": 90, "version": 1}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["score"] == 90 and patched.json()["version"] == 2
    assert patched.json()["note"] == "接口录入"
    stale = api_province.patch(f"{URL}/{score['id']}", {"score": 70, "version": 1}, content_type="application/json")
    assert stale.status_code == 412 and "已于" in stale.json()["detail"]
    assert api_province.delete(f"{URL}/{score['id']}?version=1").status_code == 412
    assert api_province.delete(f"{URL}/{score['id']}").status_code == 400
    assert ObservationScore.objects.get(pk=score["id"]).score == 90
    assert api_province.delete(f"{URL}/{score['id']}?version=2").status_code == 204
    assert not ObservationScore.objects.filter(pk=score["id"]).exists()


@pytest.mark.parametrize(("change", "status", "message"), [
    ({"score": 150}, 422, "100"),
    ({"score": -1}, 422, "0"),
    ({"score": 80.25}, 400, "最多一位小数"),
    ({"observer": "  "}, 400, "观摩人员"),
    ({"scheme": "nope"}, 400, "不存在"),
    ({"year": 2020}, 400, "参评项目"),
    ({"project": 2**40}, 400, "不存在"),
])
def test_the_api_refuses_bad_scores_and_writes_nothing(api_province, change, status, message) -> None:
    body = {"scheme": PROJECT_SCHEME, "year": OBSERVATION_YEAR, "project": _demo_score().project_id,
            "observer": "接口观摩组", "score": 80, **change}
    before = ObservationScore.objects.count()
    response = api_province.post(URL, body, content_type="application/json")
    assert response.status_code == status and message in json.dumps(response.json(), ensure_ascii=False)
    assert ObservationScore.objects.count() == before


# --- the command -----------------------------------------------------------------------------------

def test_the_command_imports_all_or_nothing_and_exports_round_trip(tmp_path: Path) -> None:
    score = _demo_score()
    code = score.project.code
    args = ("--scheme", PROJECT_SCHEME, "--year", str(OBSERVATION_YEAR), "--user", "sheng")
    good = _workbook(tmp_path / "good.xlsx", [[code, "命令观摩组", 91.5, "命令行录入"], [code, score.observer, 60, ""]])
    out = _call("import", str(good), *args)
    assert "新录入 1 条，修改 1 条" in out
    assert ObservationScore.objects.get(project=score.project, observer="命令观摩组").score == 91.5
    assert ObservationScore.objects.get(pk=score.pk).version == score.version + 1
    # A bad row anywhere: every problem named by row and column, nothing written.
    before = list(ObservationScore.objects.values_list("pk", "score", "version"))
    bad = _workbook(tmp_path / "bad.xlsx", [[code, "另一组", 80, ""], ["999999-0000-0000", "甲组", 80, ""],
                                            [code, "乙组", 150, ""], [code, "", 70, ""]])
    with pytest.raises(CommandError) as refused:
        _call("import", str(bad), *args)
    text = str(refused.value)
    assert "第 3 行“项目编号”列：项目编号“999999-0000-0000”不存在" in text
    assert "第 4 行“现场得分”列：现场得分应为 0 至 100 之间的数" in text
    assert "第 5 行“观摩人员”列：请填写观摩人员" in text
    assert list(ObservationScore.objects.values_list("pk", "score", "version")) == before
    # Export, then import the export: nothing changes; the export lists what the command lists.
    exported = tmp_path / "out.xlsx"
    _call("export", "--scheme", PROJECT_SCHEME, "--year", str(OBSERVATION_YEAR), "-o", str(exported))
    rows = CalamineWorkbook.from_path(str(exported)).get_sheet_by_index(0).to_python()
    assert rows[0][:5] == ["项目编号", "项目名称", "观摩人员", "现场得分", "说明"]
    assert [code, score.project.name, "命令观摩组", 91.5, "命令行录入"] in [r[:5] for r in rows]
    assert f"未变化 {len(rows) - 1} 条" in _call("import", str(exported), *args)
    assert list(ObservationScore.objects.values_list("pk", "score", "version")) == before
    listed = json.loads(_call("list", "--scheme", PROJECT_SCHEME, "--year", str(OBSERVATION_YEAR), "--json"))
    assert len(listed) == len(rows) - 1 and {s["observer"] for s in listed} >= {"命令观摩组"}
    assert AuditEvent.objects.filter(object_type="evaluation.observationscore", action="export").exists()


@pytest.mark.parametrize(("args", "message"), [
    (("import", "{dir}/none.xlsx", "--scheme", PROJECT_SCHEME, "--year", "2026"), "不存在"),
    (("import", "{dir}/not.xlsx", "--scheme", PROJECT_SCHEME, "--year", "2026"), "不是 .xlsx 格式"),
    (("import", "{dir}/not.xlsx", "--scheme", "nope", "--year", "2026"), "--scheme"),
    (("import", "{dir}/not.xlsx", "--scheme", PROJECT_SCHEME, "--year", "二〇二六"), "--year"),
    (("import", "{dir}/not.xlsx", "--scheme", PROJECT_SCHEME, "--year", "2026", "--user", "nobody"), "nobody"),
    (("list", "--year", "x"), "--year"),
])
def test_the_command_names_bad_input(tmp_path: Path, args, message) -> None:
    (tmp_path / "not.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match=message):
        _call(*[a.format(dir=tmp_path) for a in args])


def test_a_hostile_workbook_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write(0, 0, "项目编号")
    sheet.write(1048575, 16383, 1)  # one cell at XFD1048576: a sheet calamine would allocate whole
    book.close()
    with pytest.raises(CommandError, match="未导入任何得分"):
        _call("import", str(path), "--scheme", PROJECT_SCHEME, "--year", "2026")


# --- why a subject was not scored: a code, worded in the reader's language --------------------------

def test_a_run_keeps_each_exclusion_as_a_code_worded_as_the_stored_text() -> None:
    from jiqun.evaluation.models import RunRow
    from jiqun.evaluation.reasons import INELIGIBLE, MISSING, VETO

    rows = list(RunRow.objects.exclude(excluded="").select_related("run"))
    assert rows, "the demo runs exclude some subjects"
    assert {r.reason["code"] for r in rows} <= {VETO, INELIGIBLE, MISSING}
    assert all(r.exclusion == r.excluded for r in rows)  # in Chinese, the code words exactly the record
    run = rows[0].run
    assert "完全一致" in _rerun(run.pk)


def _rerun(run_id: int) -> str:
    out = StringIO()
    call_command("evaluate", "rerun", str(run_id), stdout=out)
    return out.getvalue()


def test_the_reason_is_worded_in_the_reader_s_language_and_falls_back_to_the_record(api_province, monkeypatch) -> None:
    from jiqun.evaluation import reasons
    from jiqun.evaluation.models import RunRow

    row = RunRow.objects.exclude(excluded="").exclude(reason={}).select_related("run").first()
    english = {"一票否决：%(hits)s": "Vetoed: %(hits)s", "不符合参评条件：%(failed)s": "Not eligible: %(failed)s",
               "缺少数据，按方案规则不参评（%(gaps)s）": "Missing data, excluded by the scheme's rule (%(gaps)s)"}
    monkeypatch.setattr(reasons, "_", lambda text: english.get(text, text))
    assert row.exclusion.startswith(("Vetoed", "Not eligible", "Missing data"))
    detail = api_province.get(f"/api/v1/evaluation/runs/{row.run_id}").json()
    worded = [r["excluded"] for r in detail["rows"] if r["excluded"]]
    assert worded and all(w.startswith(("Vetoed", "Not eligible", "Missing data")) for w in worded)
    # A row written before the codes were kept, or with a code this version does not know: the stored text.
    row.reason = {}
    assert row.exclusion == row.excluded
    row.reason = {"code": "unknown"}
    assert row.exclusion == row.excluded
