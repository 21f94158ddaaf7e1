"""Region runs (考核 of counties, with bonus items) and bonus claims (加分事项): the scheme, the run over the
counties of Jining, its explanation, publishing, the claim flow and its effect on score and rank, reproduction
after a later decision, who sees which row, and bad input on every channel."""

import json
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for, token_client
from jiqun.evaluation.bonus import bonus_claim_create, bonus_claim_decide
from jiqun.evaluation.models import BonusClaim, ClaimState, Run, RunRow, RunStatus, Scheme
from jiqun.evaluation.packs import SchemePackError, scheme_parse_text
from jiqun.evaluation.selectors import explanation, rows_for, run_reproduce
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

SCHEME = "jn-2020-231-county-kaohe"
RENCHENG, ZOUCHENG, SISHUI = "370811", "370883", "370831"


def _scheme() -> Scheme:
    return Scheme.objects.filter(code=SCHEME).order_by("-version").first()


def _demo_run() -> Run:
    return Run.objects.get(scheme__code=SCHEME, year=2025)


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _claim(region: str = RENCHENG, item: str = "chain-building", *, actor=None, year: int = 2025) -> BonusClaim:
    return bonus_claim_create(actor=actor or _user("rencheng") if region == RENCHENG else actor,
                              region=Region.objects.get(code=region), year=year, item=f"{SCHEME}/{item}",
                              description="测试项目", evidence="测试文号")


def _call(*args) -> str:
    out = StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


# --- the scheme ------------------------------------------------------------------------------------

def test_the_county_scheme_names_its_regions_bonus_items_and_clauses() -> None:
    scheme = _scheme()
    assert scheme.subject_kind == "region" and scheme.regions == {"level": "county", "within": "370800"}
    assert [b["label"] for b in scheme.bonus["items"]] == ["重大集群项目落地", "补链项目落地", "产业链建链"]
    assert [b["source"] for b in scheme.bonus["items"]] == ["projects", "projects", "claims"]
    assert all("四(三)" in b["clause"] for b in scheme.bonus["items"])
    assert all(item.clause for item in scheme.items.all()) and "市级自定" in scheme.weights_note


BAD_REGION_SCHEME = """
code: bad-region
version: 1
name: 坏区域方案
programme: JN-2020-231
subject_kind: region
grades: {优秀: 85, 良好: 70, 合格: 60}
items:
  - {dimension: 规模, indicator: operating_revenue, weight: 1}
bonus:
  - {code: big, label: 大项目, points: 3, cap: 2, clause: 四(三)}
  - {code: big, label: 大项目, points: 1, cap: 2, clause: 四(三)}
consequences: {warn_grade: 不合格, clause: 四(三)}
"""


def test_a_bad_region_scheme_lists_every_problem_in_chinese() -> None:
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(BAD_REGION_SCHEME, "bad.yaml")
    problems = caught.value.problems
    assert ("regions", "区域方案须给出参评地区，如 {level: county, within: \"3708\"}") in problems
    assert ("consequences", "区域方案发布只记录等级，不设集群预警或退出后果") in problems
    assert ("第1项加分项", "上限 2 分小于每项分值 3 分") in problems
    assert ("第2项加分项", "编码“big”重复出现") in problems
    text = BAD_REGION_SCHEME.replace("subject_kind: region\n", "regions: {level: town, within: \"3708\"}\n")
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(text, "bad.yaml")
    assert "regions.level" in dict(caught.value.problems)


# --- the run ----------------------------------------------------------------------------------------

def test_a_region_run_ranks_the_counties_on_their_clusters_figures() -> None:
    run = evaluation_run_create(actor=None, scheme=_scheme(), year=2025)
    rows = {r.region_id: r for r in run.rows.all()}
    counties = set(Region.objects.filter(code__startswith="3708", level="county").values_list("code", flat=True))
    assert set(rows) == counties and all(r.cluster_id is None for r in rows.values())
    assert "本地区没有本工程的集群" in rows[SISHUI].excluded and rows[SISHUI].rank is None
    subject = next(s for s in run.snapshot["subjects"] if s["region"] == RENCHENG)
    assert subject["clusters"] and subject["values"]["operating_revenue"]["sources"]
    assert subject["values"]["count_clusters"]["value"] == str(len(subject["clusters"]))
    assert sorted(r.rank for r in rows.values() if r.rank) == list(range(1, len(counties)))
    assert run_reproduce(run).identical


def test_the_explanation_lists_the_clusters_and_each_claim() -> None:
    run = _demo_run()
    row = run.rows.get(region_id=RENCHENG)
    explained = explanation(run, row)
    assert explained.clusters and len(explained.lines) == 3
    building = next(b for b in explained.bonus if b["code"] == "chain-building")
    assert building["count"] == 1 and building["awarded"] == 2 and "智能工程机械" in building["claims"][0]["description"]
    assert float(row.bonus) == 2.0
    assert float(row.score) == pytest.approx(min(100.0, explained.total + 2.0), abs=1e-3)


def test_publishing_a_region_run_records_grades_only() -> None:
    run = evaluation_run_create(actor=None, scheme=_scheme(), year=2025)
    before = AuditEvent.objects.exclude(action="denied").count()
    published = evaluation_run_publish(actor=None, run=run)
    assert published.status == RunStatus.PUBLISHED and published.consequences == []
    assert AuditEvent.objects.exclude(action="denied").count() == before + 1


# --- claims and their effect --------------------------------------------------------------------------

def test_an_approved_claim_adds_its_points_and_can_change_the_rank() -> None:
    scheme, province = _scheme(), _user("sheng")
    first = evaluation_run_create(actor=None, scheme=scheme, year=2025)
    last = first.rows.filter(rank__isnull=False).order_by("-rank").first()
    before = {b["code"]: b for b in explanation(first, last).bonus}["chain-building"]
    for _n in range(3):  # three more 建链 claims: 2 points each, capped at 4
        claim = _claim(last.region_id, "chain-building", actor=None)
        bonus_claim_decide(actor=province, claim=claim, decision="approve")
    second = evaluation_run_create(actor=None, scheme=scheme, year=2025)
    again = second.rows.get(region_id=last.region_id)
    gained = 4 - float(before["awarded"])
    assert float(again.bonus) == pytest.approx(float(last.bonus) + gained)
    assert float(again.score) == pytest.approx(min(100.0, float(last.score) + gained), abs=1e-3)
    assert again.rank <= last.rank
    lines = {b["code"]: b for b in explanation(second, again).bonus}
    assert lines["chain-building"]["raw"] == 2 * (before["count"] + 3) and lines["chain-building"]["awarded"] == 4


def test_the_total_stays_within_100_unless_the_scheme_says_so() -> None:
    run = _demo_run()
    assert all(float(r.score) <= 100 for r in run.rows.filter(score__isnull=False))
    top = run.rows.get(rank=1)
    bonus_claim_decide(actor=_user("sheng"), claim=_claim(top.region_id, actor=None), decision="approve")
    again = evaluation_run_create(actor=None, scheme=_scheme(), year=2025).rows.get(region_id=top.region_id)
    assert float(again.score) <= 100


def test_a_stored_run_reproduces_after_its_claim_is_revoked() -> None:
    run = _demo_run()
    approved = BonusClaim.objects.get(region_id=RENCHENG, state=ClaimState.APPROVED, scheme_code=SCHEME)
    bonus_claim_decide(actor=_user("sheng"), claim=approved, decision="reject", reason="复核发现项目未开工")
    waiting = BonusClaim.objects.get(region_id=RENCHENG, state=ClaimState.CLAIMED, scheme_code=SCHEME)
    bonus_claim_decide(actor=_user("sheng"), claim=waiting, decision="approve")
    assert run_reproduce(run).identical  # the snapshot wins
    assert float(run.rows.get(region_id=RENCHENG).bonus) == 2.0
    later = evaluation_run_create(actor=None, scheme=_scheme(), year=2025)
    counted = next(s for s in later.snapshot["subjects"] if s["region"] == RENCHENG)["bonus"]
    assert [c["id"] for c in counted if "id" in c] == [waiting.pk]  # the newly approved claim, not the revoked one


def test_the_claim_moves_are_one_audit_event_each_and_refuse_stale_versions() -> None:
    claim = _claim()
    before = AuditEvent.objects.exclude(action="denied").count()
    bonus_claim_decide(actor=_user("sheng"), claim=claim, decision="approve", base_version=1)
    assert AuditEvent.objects.exclude(action="denied").count() == before + 1
    with pytest.raises(ValidationError, match="已被他人修改|已于"):
        bonus_claim_decide(actor=_user("sheng"), claim=claim, decision="reject", reason="x", base_version=1)
    with pytest.raises(ValidationError, match="不能撤回"):
        bonus_claim_decide(actor=_user("rencheng"), claim=claim, decision="withdraw")
    with pytest.raises(ValidationError, match="不予核定须写明理由"):
        bonus_claim_decide(actor=_user("sheng"), claim=claim, decision="reject", reason=" ")


def test_only_the_region_claims_and_only_the_province_decides() -> None:
    with pytest.raises(PermissionDenied):
        _claim(ZOUCHENG, actor=_user("rencheng"))
    with pytest.raises(PermissionDenied):
        _claim(RENCHENG, actor=_user("jining"))
    claim = _claim()
    with pytest.raises(PermissionDenied):
        bonus_claim_decide(actor=_user("jining"), claim=claim, decision="approve")
    bonus_claim_decide(actor=_user("rencheng"), claim=claim, decision="withdraw")
    assert BonusClaim.objects.get(pk=claim.pk).state == ClaimState.WITHDRAWN


# --- who sees what ------------------------------------------------------------------------------------

def test_each_persona_sees_its_regions_rows() -> None:
    run = _demo_run()
    seen = {name: {r.region_id for r in rows_for(_user(name), run)}
            for name in ("sheng", "jining", "rencheng", "jinan", "jiqun_org", "zhuanjia")}
    everything = set(run.rows.values_list("region_id", flat=True))
    assert seen["sheng"] == everything and seen["jining"] == everything
    assert seen["rencheng"] == {RENCHENG}
    assert seen["jinan"] == seen["jiqun_org"] == seen["zhuanjia"] == set()
    assert set(BonusClaim.objects.for_user(_user("rencheng")).values_list("region_id", flat=True)) == {RENCHENG}
    assert not BonusClaim.objects.for_user(_user("jinan")).exists()


def test_the_county_officer_sees_its_rank_and_bonus_on_the_pages() -> None:
    run = _demo_run()
    client = client_for(_user("rencheng"))
    page = client.get(f"/evaluation/runs/{run.pk}/").content.decode()
    mine = run.rows.get(region_id=RENCHENG)
    assert f'data-subject="{RENCHENG}"' in page and 'id="scope-note"' in page and "加分" in page
    assert page.count("data-subject=") == 1
    explain = client.get(f"/evaluation/runs/{run.pk}/explain/?region={RENCHENG}").content.decode()
    assert mine.subject_name in explain and 'id="bonus"' in explain and "演示-2025-001" in explain
    assert client.get(f"/evaluation/runs/{run.pk}/explain/?region={ZOUCHENG}").status_code == 404
    other = client_for(_user("jinan"))
    assert 'data-subject="' not in other.get(f"/evaluation/runs/{run.pk}/").content.decode()


def test_a_region_run_downloads_with_its_bonus_column_and_claims() -> None:
    run = _demo_run()
    content = client_for(_user("sheng")).get(f"/evaluation/runs/{run.pk}/export.xlsx").content
    book = CalamineWorkbook.from_filelike(BytesIO(content))
    assert set(book.sheet_names) == {"排名", "维度得分", "输入数据", "加分事项"}
    ranking = book.get_sheet_by_name("排名").to_python()
    assert ranking[3][1] == "地区" and ranking[3][6] == "加分"
    claims = book.get_sheet_by_name("加分事项").to_python()
    assert any(row[0] == "任城区" and row[1] == "产业链建链" for row in claims[4:])
    assert any(row[0] == "汶上县" and row[1] == "补链项目落地" and row[8].startswith("项目库 #") for row in claims[4:])
    response = client_for(_user("rencheng")).get(f"/evaluation/runs/{run.pk}/explain.xlsx?region={RENCHENG}")
    assert response.status_code == 200


# --- the pages of claims -------------------------------------------------------------------------------

def test_a_county_files_a_claim_and_the_province_decides_it_on_the_pages() -> None:
    county, province = client_for(_user("rencheng")), client_for(_user("sheng"))
    response = county.post("/evaluation/bonus/", {"item": f"{SCHEME}/chain-building", "year": 2026,
                                                  "description": "新上项目", "evidence": "备案 2026-1"})
    claim = BonusClaim.objects.order_by("-pk").first()
    assert response.status_code == 302 and claim.state == ClaimState.CLAIMED and claim.claimed_by == "rencheng"
    page = province.post(f"/evaluation/bonus/{claim.pk}/", {"decision": "reject", "reason": "", "version": 1})
    assert "不予核定须写明理由" in page.content.decode()
    province.post(f"/evaluation/bonus/{claim.pk}/", {"decision": "reject", "reason": "材料不全", "version": 1})
    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED and claim.reason == "材料不全"
    other = _claim()
    bonus_claim_decide(actor=_user("sheng"), claim=other, decision="approve")  # meanwhile, version 2
    stale = province.post(f"/evaluation/bonus/{other.pk}/", {"decision": "reject", "reason": "x", "version": 1},
                          follow=True)
    assert "请刷新后重新填写" in stale.content.decode()
    assert BonusClaim.objects.get(pk=other.pk).state == ClaimState.APPROVED


def test_the_claim_form_names_bad_input_and_writes_nothing() -> None:
    county = client_for(_user("rencheng"))
    before = BonusClaim.objects.count()
    page = county.post("/evaluation/bonus/", {"item": "nope/none", "year": "二〇二五", "description": "",
                                              "evidence": "a\u202eb"}).content.decode()
    assert "所选加分项不存在" in page and "年度应为四位数年份" in page and "请填写事项说明" in page
    assert BonusClaim.objects.count() == before
    assert client_for(_user("jining")).post("/evaluation/bonus/", {}).status_code == 403


def test_the_claim_pages_work_in_english() -> None:
    client = client_for(_user("rencheng"))
    client.post("/i18n/setlang/", {"language": "en"})
    assert client.get("/evaluation/bonus/").status_code == 200
    assert client.get(f"/evaluation/runs/{_demo_run().pk}/explain/?region={RENCHENG}").status_code == 200


# --- the command ----------------------------------------------------------------------------------------

def test_the_command_claims_decides_lists_and_explains() -> None:
    out = _call("bonus", "claim", "--region", RENCHENG, "--year", "2026", "--item", f"{SCHEME}/chain-building",
                "--description", "补链项目", "--evidence", "文号", "--as", "rencheng")
    claim = BonusClaim.objects.order_by("-pk").first()
    assert f"#{claim.pk}" in out and claim.claimed_by == "rencheng"
    assert "核定" in _call("bonus", "decide", str(claim.pk), "approve", "--version", "1", "--as", "sheng")
    listed = json.loads(_call("bonus", "list", "--year", "2026", "--json"))
    assert [c["state"] for c in listed if c["id"] == claim.pk] == ["approved"]
    run = _demo_run()
    explained = json.loads(_call("explain", str(run.pk), RENCHENG, "--json"))
    assert explained["region"] == RENCHENG and any(b["claims"] for b in explained["bonus"])
    assert "任城区" in _call("explain", str(run.pk), "任城区")
    assert "完全一致" in _call("rerun", str(run.pk))


@pytest.mark.parametrize(("args", "message"), [
    (("bonus", "claim", "--region", "999999", "--year", "2025", "--item", "x/y", "--description", "d", "--evidence", "e"),
     "行政区划“999999”不存在"),
    (("bonus", "claim", "--region", RENCHENG, "--year", "今年", "--item", "x/y", "--description", "d", "--evidence", "e"),
     "不是年份"),
    (("bonus", "claim", "--region", RENCHENG, "--year", "2025", "--item", "x/y", "--description", "d", "--evidence", "e"),
     "加分项“x/y”不存在"),
    (("bonus", "claim", "--region", ZOUCHENG, "--year", "2025", "--item", f"{SCHEME}/chain-building",
      "--description", "d", "--evidence", "e", "--as", "rencheng"), "本地区"),
    (("bonus", "decide", "abc", "approve"), "编号应为数字"),
    (("bonus", "decide", "999999", "approve"), "不存在"),
    (("bonus", "list", "--region", "999999"), "不存在"),
])
def test_the_bonus_command_names_bad_input(args, message) -> None:
    before = BonusClaim.objects.count()
    with pytest.raises(CommandError, match=message):
        _call(*args)
    assert BonusClaim.objects.count() == before


def test_the_command_refuses_a_bad_decision() -> None:
    claim = _claim()
    with pytest.raises(CommandError, match="处理方式“maybe”无效"):
        _call("bonus", "decide", str(claim.pk), "maybe")
    with pytest.raises(CommandError, match="不予核定须写明理由"):
        _call("bonus", "decide", str(claim.pk), "reject")
    assert BonusClaim.objects.get(pk=claim.pk).state == ClaimState.CLAIMED


# --- the API ---------------------------------------------------------------------------------------------

def test_the_api_lists_rows_and_claims_in_scope() -> None:
    api = token_client(_user("rencheng"))
    run = _demo_run()
    detail = api.get(f"/api/v1/evaluation/runs/{run.pk}").json()
    assert [r["region"] for r in detail["rows"]] == [RENCHENG] and detail["rows"][0]["bonus"] == 2.0
    claims = api.get("/api/v1/evaluation/bonus").json()
    assert {c["region"] for c in claims} == {RENCHENG}
    other = BonusClaim.objects.filter(region_id=ZOUCHENG).first()
    assert api.get(f"/api/v1/evaluation/bonus/{other.pk}").status_code == 404


def test_the_api_claims_and_decides_with_versions() -> None:
    county, province = token_client(_user("rencheng")), token_client(_user("sheng"))
    response = county.post("/api/v1/evaluation/bonus", data={
        "region": RENCHENG, "year": 2026, "item": f"{SCHEME}/chain-building", "description": "新项目",
        "evidence": "备案"}, content_type="application/json")
    assert response.status_code == 201
    claim = response.json()
    url = f"/api/v1/evaluation/bonus/{claim['id']}/decide"
    done = province.post(url, data={"decision": "approve", "version": 1}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "approved" and done.json()["version"] == 2
    stale = province.post(url, data={"decision": "reject", "reason": "x", "version": 1}, content_type="application/json")
    assert stale.status_code == 412


@pytest.mark.parametrize(("who", "body", "status"), [
    ("rencheng", {"region": RENCHENG, "year": 2026, "item": "nope/none", "description": "d", "evidence": "e"}, 400),
    ("rencheng", {"region": RENCHENG, "year": 1999, "item": f"{SCHEME}/chain-building", "description": "d", "evidence": "e"}, 422),
    ("rencheng", {"region": RENCHENG, "year": 2026, "item": f"{SCHEME}/chain-building", "description": "", "evidence": "e"}, 400),
    ("rencheng", {"region": RENCHENG, "year": 2026, "item": f"{SCHEME}/chain-building", "description": "d", "evidence": "e",
                  "state": "approved"}, 422),
    ("rencheng", {"region": ZOUCHENG, "year": 2026, "item": f"{SCHEME}/chain-building", "description": "d", "evidence": "e"}, 403),
    ("jining", {"region": RENCHENG, "year": 2026, "item": f"{SCHEME}/chain-building", "description": "d", "evidence": "e"}, 403),
])
def test_the_api_refuses_bad_claims_and_writes_nothing(who, body, status) -> None:
    before = BonusClaim.objects.count()
    response = token_client(_user(who)).post("/api/v1/evaluation/bonus", data=body, content_type="application/json")
    assert response.status_code == status
    assert BonusClaim.objects.count() == before


def test_the_api_refuses_a_bad_decision() -> None:
    claim = _claim()
    province = token_client(_user("sheng"))
    url = f"/api/v1/evaluation/bonus/{claim.pk}/decide"
    response = province.post(url, data={"decision": "maybe", "version": 1}, content_type="application/json")
    assert response.status_code == 400 and "处理方式" in json.dumps(response.json(), ensure_ascii=False)
    assert token_client(_user("jining")).post(url, data={"decision": "approve", "version": 1},
                                              content_type="application/json").status_code == 403
    assert BonusClaim.objects.get(pk=claim.pk).state == ClaimState.CLAIMED


def test_old_cluster_rows_keep_their_subject() -> None:
    row = RunRow.objects.filter(cluster__isnull=False).select_related("cluster").first()
    assert row.subject_key == row.cluster_id and row.subject_query == f"cluster={row.cluster_id}"
    assert run_reproduce(row.run).identical



ELIGIBLE_SCHEME = """
code: test-county-eligibility
version: 1
name: 测试区域方案
programme: JN-2020-231
subject_kind: region
regions: {level: county, within: "370800"}
grades: {优秀: 85, 良好: 70, 合格: 60}
missing_rule: zero
items:
  - {dimension: 规模, indicator: operating_revenue, weight: 0.7}
  - {dimension: 产出, indicator: output_value, weight: 0.3}
eligibility:
  - {indicator: count_clusters, min: 3, clause: 测试门槛}
"""


def _install(text: str) -> Scheme:
    from jiqun.evaluation.services import scheme_install

    return scheme_install(actor=None, parsed=scheme_parse_text(text, "t.yaml"))[0]


def test_a_region_run_applies_its_thresholds() -> None:
    run = evaluation_run_create(actor=None, scheme=_install(ELIGIBLE_SCHEME), year=2025)
    subjects = {s["region"]: s for s in run.snapshot["subjects"]}
    for row in run.rows.all():
        hosted = len(subjects[row.region_id]["clusters"])
        assert (row.rank is None) == (hosted < 3)
        if hosted < 3:
            assert "不符合参评条件" in row.excluded
    assert run_reproduce(run).identical


def test_a_region_without_clusters_is_scored_zero_under_the_zero_rule() -> None:
    run = evaluation_run_create(actor=None, scheme=_install(ELIGIBLE_SCHEME.split("eligibility:")[0]), year=2025)
    assert {f["region"] for f in run.result["filled"]} == {SISHUI}
    row = run.rows.get(region_id=SISHUI)
    assert row.rank is not None and float(row.score) == 0
    assert run_reproduce(run).identical


def test_a_county_has_no_region_level_figure() -> None:
    from jiqun.evaluation.region_inputs import region_snapshot_collect

    scheme = _install(ELIGIBLE_SCHEME.split("eligibility:")[0].replace(
        "indicator: output_value", "indicator: manufacturing_operating_revenue"))
    subjects = {s["region"]: s for s in region_snapshot_collect(scheme, 2025)["subjects"]}
    assert "没有本工程的综合表" in subjects[RENCHENG]["values"]["manufacturing_operating_revenue"]["missing"]


def test_a_region_run_without_two_scored_regions_is_refused_in_chinese() -> None:
    text = ELIGIBLE_SCHEME.replace('{level: county, within: "370800"}', '{level: city, within: "37"}').replace(
        "code: test-county-eligibility", "code: test-cities")
    scheme = _install(text)
    before = Run.objects.count()
    page = client_for(_user("sheng")).post("/evaluation/runs/", {"scheme": scheme.pk, "year": 2025}).content.decode()
    assert "参评地区不足 2 个" in page
    assert Run.objects.count() == before
