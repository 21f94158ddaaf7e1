"""The evaluation pages, the `evaluate` command and the API, with bad input of each kind."""

import json
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for
from jiqun.evaluation.models import Run, RunStatus, Scheme
from jiqun.evaluation.packs import SchemePackError, scheme_parse_text

pytestmark = pytest.mark.django_db

SCHEME = "sd-2023-185-competitiveness"


def _demo_run() -> Run:
    return Run.objects.get(scheme__code=SCHEME, year=2025)


def _call(*args) -> str:
    out = StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def _sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


# --- scheme files ----------------------------------------------------------------------------------

def test_a_bad_scheme_file_lists_every_problem_in_chinese() -> None:
    text = """
code: bad
version: 1
name: 坏方案
programme: NOPE
colour: red
grades: {优秀: 60, 良好: 70, 合格: 50}
items:
  - {dimension: 规模, indicator: revenue, weight: 0.5}
  - {dimension: 规模, indicator: nonexistent, weight: 0.2}
"""
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(text, "bad.yaml")
    assert caught.value.problems == [("colour", "不认识的字段")]
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(text.replace("colour: red\n", ""), "bad.yaml")
    problems = dict(caught.value.problems)
    assert problems["programme"] == "培育工程“NOPE”不存在（请先载入其数据包）"
    assert problems["第2项指标"] == "指标“nonexistent”不在指标目录中"
    assert problems["items"] == "各项权重之和应为 1，现为 0.7"
    assert problems["grades"] == "分数线应在 0 至 100 之间且 优秀 > 良好 > 合格"


def test_a_file_that_is_not_yaml_names_the_line() -> None:
    with pytest.raises(SchemePackError, match="第2行.*不是有效的 YAML"):
        scheme_parse_text("code: x\n  - : [\n", "broken.yaml")


# --- pages -----------------------------------------------------------------------------------------

def test_the_province_runs_and_publishes_from_the_pages(as_province) -> None:
    scheme = Scheme.objects.get(code=SCHEME)
    response = as_province.post("/evaluation/runs/", {"scheme": scheme.pk, "year": 2025})
    run = Run.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/runs/{run.pk}/"
    page = as_province.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert 'id="publish"' in page and 'data-chart="ranking" data-values="{&quot;names&quot;' in page and "文件未公布评价权重" in page
    as_province.post(f"/evaluation/runs/{run.pk}/publish/")
    assert Run.objects.get(pk=run.pk).status == RunStatus.PUBLISHED


def test_the_run_form_names_bad_input_and_writes_nothing(as_province) -> None:
    before = Run.objects.count()
    page = as_province.post("/evaluation/runs/", {"scheme": Scheme.objects.get(code=SCHEME).pk, "year": "二〇二五"})
    assert "评价年度应为四位数年份" in page.content.decode()
    page = as_province.post("/evaluation/runs/", {"scheme": Scheme.objects.get(code=SCHEME).pk, "year": 2024})
    assert "2024年没有任何集群的省级审核数据" in page.content.decode()
    page = as_province.post("/evaluation/runs/", {"scheme": 999999, "year": 2025})
    assert "所选评价方案不存在" in page.content.decode()
    assert Run.objects.count() == before


def test_a_city_officer_may_not_run_or_publish_from_the_pages(as_jining) -> None:
    run = _demo_run()
    assert as_jining.post("/evaluation/runs/", {"scheme": run.scheme_id, "year": 2025}).status_code == 403
    assert as_jining.post(f"/evaluation/runs/{run.pk}/publish/").status_code == 403
    assert 'id="run-form"' not in as_jining.get("/evaluation/runs/").content.decode()


def test_the_explanation_page_shows_each_indicator_with_its_clause(as_province) -> None:
    run = _demo_run()
    row = run.rows.get(rank=2)
    page = as_province.get(f"/evaluation/runs/{run.pk}/explain/?cluster={row.cluster_id}").content.decode()
    assert row.cluster.name in page and f"{row.rank_min}–{row.rank_max}" in page
    assert "鲁政办字〔2023〕185号 一：高新技术产业产值占比达到45%" in page and 'data-chart="radar" data-values="{&quot;name&quot;' in page
    assert as_province.get(f"/evaluation/runs/{run.pk}/explain/?cluster=abc").status_code == 404


def test_a_city_sees_no_row_of_clusters_outside_it(as_jining) -> None:
    run = _demo_run()
    other = run.rows.first()
    assert as_jining.get(f"/evaluation/runs/{run.pk}/explain/?cluster={other.cluster_id}").status_code == 404
    page = as_jining.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert other.cluster.name not in page


def test_the_ranking_and_the_explanation_download_as_excel(as_province) -> None:
    run = _demo_run()
    sheets = _sheets(as_province.get(f"/evaluation/runs/{run.pk}/export.xlsx").content)
    assert set(sheets) == {"排名", "维度得分", "输入数据"}
    best = run.rows.get(rank=1)
    assert sheets["排名"][4][:4] == [1.0, best.cluster.name, pytest.approx(float(best.score)), best.grade]
    assert any(str(line[5]).startswith("#") for line in sheets["输入数据"][4:])
    explain = _sheets(as_province.get(f"/evaluation/runs/{run.pk}/explain.xlsx?cluster={best.cluster_id}").content)
    assert [line[0] for line in explain["维度得分"][4:]] == ["规模实力", "创新能力", "结构质量", "主体活力"]
    assert AuditEvent.objects.filter(action="export", object_type="evaluation.run").count() >= 2


# --- the command -----------------------------------------------------------------------------------

def test_the_command_lists_runs_explains_reruns_and_exports(tmp_path: Path) -> None:
    schemes = json.loads(_call("schemes", "--json"))
    assert {s["code"] for s in schemes} >= {SCHEME, "sd-sei-2020-yearly"}
    made = json.loads(_call("run", "--scheme", SCHEME, "--year", "2025", "--json"))
    assert made["status"] == "draft" and made["rows"][0]["rank"] == 1
    cluster = made["rows"][0]["name"]
    explained = json.loads(_call("explain", str(made["id"]), cluster, "--json"))
    assert explained["rank"] == 1 and abs(sum(line["contribution"] for line in explained["lines"]) - explained["score"]) < 1e-3
    assert "完全一致" in _call("rerun", str(made["id"]))
    out = tmp_path / "run.xlsx"
    _call("export", str(made["id"]), "-o", str(out))
    assert set(_sheets(out.read_bytes())) == {"排名", "维度得分", "输入数据"}
    assert "已发布" in _call("publish", str(made["id"]))


@pytest.mark.parametrize(("args", "message"), [
    (("run", "--scheme", "nope", "--year", "2025"), "评价方案 nope 不存在"),
    (("run", "--scheme", SCHEME, "--year", "next"), "“next”不是年份"),
    (("run", "--scheme", SCHEME, "--year", "2024"), "2024年没有任何集群的省级审核数据"),
    (("explain", "x", "1"), "评价编号应为数字"),
    (("explain", "999999", "1"), "评价 #999999 不存在"),
    (("export", "999999", "-o", "/nonexistent/dir/x.xlsx"), "评价 #999999 不存在"),
    (("load", "/nonexistent.yaml"), "不存在"),
])
def test_the_command_names_bad_input(args, message) -> None:
    before = Run.objects.count()
    with pytest.raises(CommandError, match=message):
        _call(*args)
    assert Run.objects.count() == before


def test_the_command_refuses_to_publish_twice() -> None:
    with pytest.raises(CommandError, match="不能再次发布"):
        _call("publish", str(_demo_run().pk))


# --- the API ---------------------------------------------------------------------------------------

def test_the_api_lists_schemes_and_runs(api_province, api_jining) -> None:
    schemes = api_province.get("/api/v1/evaluation/schemes").json()
    demo = next(s for s in schemes if s["code"] == SCHEME)
    assert demo["locked"] and sum(i["weight"] for i in demo["items"]) == pytest.approx(1.0)
    run = _demo_run()
    detail = api_province.get(f"/api/v1/evaluation/runs/{run.pk}").json()
    assert len(detail["rows"]) == run.rows.count() and detail["rows"][0]["rank_interval"][0] == 1
    from jiqun.accounts.models import User
    from jiqun.evaluation.selectors import rows_for

    jining_rows = [r["name"] for r in api_jining.get(f"/api/v1/evaluation/runs/{run.pk}").json()["rows"]]
    own = [r.subject_name for r in rows_for(User.objects.get(username="jining"), run)]
    assert sorted(jining_rows) == sorted(own) and len(own) < run.rows.count()  # only the rows of its clusters
    listed = api_province.get("/api/v1/evaluation/runs?year=2025").json()
    assert run.pk in [r["id"] for r in listed] and {r["year"] for r in listed} == {2025}


def test_the_province_runs_and_publishes_through_the_api(api_province) -> None:
    response = api_province.post("/api/v1/evaluation/runs", {"scheme": SCHEME, "year": 2025},
                                 content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["parameters"]["missing_rule"] == "excluded"
    published = api_province.post(f"/api/v1/evaluation/runs/{body['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert api_province.post(f"/api/v1/evaluation/runs/{body['id']}/publish").status_code == 400


@pytest.mark.parametrize(("body", "status"), [
    ({"scheme": SCHEME, "year": 2025, "weights": [1]}, 422),
    ({"scheme": SCHEME, "year": 1999}, 422),
    ({"scheme": "nope", "year": 2025}, 400),
    ({"scheme": SCHEME, "year": 2024}, 400),
])
def test_the_api_refuses_bad_bodies_and_writes_nothing(api_province, body, status) -> None:
    before = Run.objects.count()
    response = api_province.post("/api/v1/evaluation/runs", body, content_type="application/json")
    assert response.status_code == status
    assert Run.objects.count() == before


def test_a_city_officer_cannot_run_through_the_api(api_jining) -> None:
    response = api_jining.post("/api/v1/evaluation/runs", {"scheme": SCHEME, "year": 2025},
                               content_type="application/json")
    assert response.status_code == 403 and "只有省级管理员" in response.json()["detail"]


def test_an_expert_sees_no_run(db) -> None:
    from jiqun.accounts.models import User

    client = client_for(User.objects.get(username="zhuanjia"))
    assert client.get(f"/evaluation/runs/{_demo_run().pk}/").status_code == 404


AHP = """
code: ahp-scheme
version: 1
name: 层次分析法赋权
programme: SD-2023-185
weight_method: ahp
ahp: [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]
grades: {优秀: 85, 良好: 70, 合格: 60}
items:
  - {dimension: 规模, indicator: revenue, weight: 0.5}
  - {dimension: 创新, indicator: rd_intensity, weight: 0.3}
  - {dimension: 主体, indicator: employees, weight: 0.2}
"""


def test_an_ahp_scheme_shows_its_consistency_and_weights_the_run(province_admin, as_province) -> None:
    from jiqun.evaluation.services import evaluation_run_create, scheme_install

    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(AHP, "ahp.yaml"))
    assert scheme.ahp_cr == 0
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    assert run.result["engine"]["weights"]["method"] == "ahp"
    assert run.result["engine"]["weights"]["weights"] == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert 'id="ahp-cr">0.0000<' in as_province.get(f"/evaluation/schemes/{scheme.pk}/").content.decode()


def test_inconsistent_judgements_are_refused() -> None:
    text = AHP.replace('ahp: [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]', 'ahp: [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]')
    with pytest.raises(SchemePackError, match=r"一致性比率 CR = \d+\.\d{3}，超过 0.1，请调整判断"):
        scheme_parse_text(text, "ahp.yaml")
    with pytest.raises(SchemePackError, match="3×3 的判断矩阵"):
        scheme_parse_text(AHP.replace('ahp: [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]', "ahp: [[1, 2], [0.5, 1]]"), "ahp.yaml")


def test_the_run_page_checks_that_the_run_reproduces(as_province) -> None:
    page = as_province.get(f"/evaluation/runs/{_demo_run().pk}/?check=1").content.decode()
    assert "与存档完全一致" in page


def test_the_run_page_lists_values_scored_zero_by_the_scheme_s_rule(as_province, province_admin) -> None:
    from jiqun.evaluation.services import evaluation_run_create, scheme_install

    text = AHP.replace("code: ahp-scheme", "code: zero-scheme").replace("weight_method: ahp\n", "missing_rule: zero\n")
    text = text.replace('ahp: [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]\n', "")
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(text, "zero.yaml"))
    from jiqun.evaluation.tests.test_runs import new_cluster

    newcomer = new_cluster(province_admin)
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    assert run.rows.get(cluster=newcomer).score == 0
    page = as_province.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert page.count("按零计") == 3 and "新登记集群" in page
    explained = as_province.get(f"/evaluation/runs/{run.pk}/explain/?cluster={newcomer.pk}").content.decode()
    assert "缺失（2025年没有收集此指标的报告期或报表），按零计" in explained
