"""Evaluation that reads the project library: the county 考核's bonus items counted from projects (hand-computed,
with the cap), and the 观摩评比 of new cluster projects (a project run end to end: run, publish, explanation, Excel,
rerun, command line and API), the on-site scores, who sees which row, and bad input refused in Chinese."""

import datetime
import json
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for, token_client
from jiqun.core.stale import StaleEdit
from jiqun.evaluation.models import ObservationScore, Run, RunStatus, Scheme
from jiqun.evaluation.observations import observation_score_delete, observation_score_record
from jiqun.evaluation.packs import SchemePackError, scheme_parse_text
from jiqun.evaluation.project_inputs import project_bonus, trimmed_mean
from jiqun.evaluation.selectors import explanation, rows_for, run_reproduce
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish
from jiqun.projects.models import Project, Stage
from jiqun.projects.services import project_create, project_move_stage
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

KAOHE, GUANMO = "jn-2020-231-county-kaohe", "jn-2020-231-guanmo"
RENCHENG, WENSHANG = "370811", "370830"
D = datetime.date
# The demo 观摩评比 (2026): 新上 in 2025–2026 and 技改 under way in 2026, by project code
SHANNENG, ZHONGYIN, TANSU = "370800-2024-0001", "370830-2024-0001", "370811-2024-0001"


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _scheme(code: str) -> Scheme:
    return Scheme.objects.filter(code=code).order_by("-version").first()


def _project(name: str, *, kind: str = "investment", level: str = "", started: datetime.date | None = None,
             programme: str = "JN-2020-231", region: str = RENCHENG) -> Project:
    """A project of one of the programme's clusters, located in `region`, that reached 开工 on `started`."""
    cluster = Cluster.objects.filter(programme__code=programme).order_by("pk").first()
    project = project_create(actor=None, clusters=[cluster], stage_reached_on=D(2023, 1, 5), name=name,
                             region=Region.objects.get(code=region), total_investment=Decimal(50000), kind=kind,
                             is_major=bool(level), major_level=level, investor_name="测试投资方")
    if started is not None:
        project_move_stage(actor=None, project=project, to_stage=Stage.RESERVE, reached_on=D(2023, 2, 1))
        project_move_stage(actor=None, project=project, to_stage=Stage.STARTED, reached_on=started, evidence="开工令")
    return project


# --- bonus items from the project library --------------------------------------------------------------

def test_the_county_scheme_counts_major_and_chain_projects_from_the_library_and_claims_for_chain_building() -> None:
    items = {b["code"]: b for b in _scheme(KAOHE).bonus["items"]}
    assert items["major-project"]["source"] == "projects"
    assert items["major-project"]["projects"] == {"stage": "started", "kinds": [], "min_level": "city"}
    assert items["chain-project"]["projects"]["kinds"] == ["chain_support"]
    assert items["chain-building"]["source"] == "claims" and "projects" not in items["chain-building"]


def test_the_demo_gives_wenshang_its_chain_project_started_in_2025() -> None:
    run = Run.objects.get(scheme__code=KAOHE, year=2025)
    subject = next(s for s in run.snapshot["subjects"] if s["region"] == WENSHANG)
    counted = [b for b in subject["bonus"] if b.get("project")]
    assert [(b["item"], b["code"], b["reached_on"]) for b in counted] == [("chain-project", ZHONGYIN, "2025-07-08")]
    row = run.rows.get(region_id=WENSHANG)
    assert row.bonus == Decimal("1.00")


def test_bonus_points_from_projects_are_hand_computed_with_the_level_the_year_and_the_cap() -> None:
    scheme = _scheme(KAOHE)
    a = _project("甲 市级重大项目", level="city", started=D(2025, 3, 1))
    b = _project("乙 省级重大项目", level="province", started=D(2025, 9, 1))
    _project("丙 上年开工的市级重大项目", level="city", started=D(2024, 5, 1))  # outside the year
    _project("丁 县级重大项目", level="county", started=D(2025, 5, 1))  # below the level
    _project("戊 未开工的市级重大项目", level="city")  # not started
    _project("己 其他工程集群的项目", level="city", started=D(2025, 4, 1), programme="SD-2023-185")
    chain = _project("庚 补链项目", kind="chain_support", started=D(2025, 6, 1))
    counted = project_bonus(scheme, 2025, [RENCHENG])[RENCHENG]
    assert sorted((c["item"], c["project"], c["reached_on"]) for c in counted) == sorted([
        ("major-project", a.pk, "2025-03-01"), ("major-project", b.pk, "2025-09-01"),
        ("chain-project", chain.pk, "2025-06-01")])
    run = evaluation_run_create(actor=None, scheme=scheme, year=2025)
    row = run.rows.get(region_id=RENCHENG)
    lines = {line["code"]: line for line in explanation(run, row).bonus}
    # 2 major projects × 2 = 4 (cap 4); 1 chain project × 1 = 1; the demo's approved 建链 claim × 2 = 2
    assert (lines["major-project"]["count"], lines["major-project"]["awarded"]) == (2, 4)
    assert (lines["chain-project"]["count"], lines["chain-project"]["awarded"]) == (1, 1)
    assert (lines["chain-building"]["count"], lines["chain-building"]["awarded"]) == (1, 2)
    assert row.bonus == Decimal("7.00")
    _project("辛 第三个市级重大项目", level="city", started=D(2025, 10, 1))
    again = evaluation_run_create(actor=None, scheme=scheme, year=2025)
    major = next(line for line in explanation(again, again.rows.get(region_id=RENCHENG)).bonus
                 if line["code"] == "major-project")
    assert (major["count"], major["raw"], major["awarded"]) == (3, 6, 4)  # capped at 4
    assert run_reproduce(run).identical  # the first run keeps the projects it counted


def test_the_counted_projects_show_on_the_explanation_page_and_in_the_excel() -> None:
    project = _project("测试市级重大项目", level="city", started=D(2025, 3, 1))
    run = evaluation_run_create(actor=None, scheme=_scheme(KAOHE), year=2025)
    page = client_for(_user("sheng")).get(f"/evaluation/runs/{run.pk}/explain/?region={RENCHENG}").content.decode()
    assert f'data-project="{project.pk}"' in page and "2025-03-01 开工" in page
    assert f"/projects/{project.pk}/" in page
    content = client_for(_user("sheng")).get(f"/evaluation/runs/{run.pk}/export.xlsx").content
    sheet = CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_name("加分事项").to_python()
    assert any(row[0] == "任城区" and row[1] == "重大集群项目落地" and "2025-03-01" in row[5]
               and row[8] == f"项目库 #{project.pk}" for row in sheet[4:])


# --- the 观摩评比 (a project run) ---------------------------------------------------------------------------

def _demo_project_run() -> Run:
    return Run.objects.get(scheme__code=GUANMO, year=2026)


def test_the_project_run_ranks_the_new_and_renovation_projects_end_to_end() -> None:
    scheme = _scheme(GUANMO)
    assert scheme.subject_kind == "project" and "四(三)" in scheme.clause and "四(五)" in scheme.clause
    run = evaluation_run_create(actor=_user("sheng"), scheme=scheme, year=2026)
    codes = {r.project.code: r for r in run.rows.select_related("project")}
    # and the project the 招引名录 demo signed and started in 2026 (jiqun.chains.prospect_demo), new in the year
    assert set(codes) == {SHANNENG, ZHONGYIN, TANSU, "370883-2026-0001"}
    assert all(r.cluster_id is None and r.region_id is None and r.rank for r in codes.values())
    subject = next(s for s in run.snapshot["subjects"] if s["code"] == SHANNENG)
    assert subject["basis"] == "新上：2025-04-10 开工"
    assert next(s for s in run.snapshot["subjects"] if s["code"] == TANSU)["basis"].startswith("技改")
    # four observers 86, 82.5, 90, 84: the highest and the lowest dropped, (86 + 84) / 2
    assert subject["values"]["project_onsite_score"]["value"] == "85.00"
    assert subject["values"]["project_total_investment"]["value"] == "50000.00"
    assert subject["values"]["project_chain"]["value"] == "0.5"  # a service platform naming its segment
    assert subject["values"]["project_stage"]["value"] == "1"  # 开工 at the end of 2026
    published = evaluation_run_publish(actor=_user("sheng"), run=run)
    assert published.status == RunStatus.PUBLISHED and published.consequences == []
    assert run_reproduce(run).identical
    row = codes[SHANNENG]
    client = client_for(_user("sheng"))
    page = client.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert f'data-subject="{row.project_id}"' in page and f"/projects/{row.project_id}/" in page
    assert 'id="project-rule"' in page
    explain = client.get(f"/evaluation/runs/{run.pk}/explain/?project={row.project_id}").content.decode()
    assert "新上：2025-04-10 开工" in explain and "去掉一个最高分和一个最低分" in explain
    book = CalamineWorkbook.from_filelike(BytesIO(client.get(f"/evaluation/runs/{run.pk}/export.xlsx").content))
    ranking = book.get_sheet_by_name("排名").to_python()
    assert ranking[3][1] == "项目" and {r[1] for r in ranking[4:]} == {r.subject_name for r in codes.values()}
    response = client.get(f"/evaluation/runs/{run.pk}/explain.xlsx?project={row.project_id}")
    assert response.status_code == 200


def test_a_later_score_changes_no_stored_run_but_the_next_one() -> None:
    run = _demo_project_run()
    project = Project.objects.get(code=TANSU)
    score = ObservationScore.objects.get(scheme_code=GUANMO, year=2026, project=project, observer="观摩组一（演示）")
    observation_score_record(actor=_user("sheng"), scheme_code=GUANMO, year=2026, project=project,
                             observer=score.observer, score="99", base_version=score.version)
    assert run_reproduce(run).identical
    again = evaluation_run_create(actor=None, scheme=_scheme(GUANMO), year=2026)
    cell = next(s for s in again.snapshot["subjects"] if s["code"] == TANSU)["values"]["project_onsite_score"]
    assert cell["value"] == "73.25"  # 99, 70, 76.5, 69: the highest and the lowest dropped, (70 + 76.5) / 2


def test_a_year_without_approved_dispatches_is_refused_in_chinese() -> None:
    before = Run.objects.count()
    with pytest.raises(ValidationError, match="项目年度完成投资.*没有任何项目的项目库数据"):
        evaluation_run_create(actor=None, scheme=_scheme(GUANMO), year=2025)
    assert Run.objects.count() == before


def test_each_persona_sees_the_rows_of_the_projects_it_sees() -> None:
    run = _demo_project_run()
    seen = {name: {r.project.code for r in rows_for(_user(name), run)}
            for name in ("sheng", "jining", "rencheng", "jinan", "zhuanjia", "qiye")}
    assert seen["sheng"] == seen["jining"] == {SHANNENG, ZHONGYIN, TANSU}
    assert seen["rencheng"] == {TANSU}
    assert seen["jinan"] == seen["zhuanjia"] == seen["qiye"] == set()
    other = run.rows.get(project__code=ZHONGYIN).project_id
    client = client_for(_user("rencheng"))
    assert client.get(f"/evaluation/runs/{run.pk}/explain/?project={other}").status_code == 404
    assert client.get(f"/evaluation/runs/{run.pk}/explain/?project=１２").status_code == 404
    assert client.get(f"/evaluation/runs/{run.pk}/explain.xlsx?project={other}").status_code == 404
    detail = token_client(_user("rencheng")).get(f"/api/v1/evaluation/runs/{run.pk}").json()
    assert [(r["project"], r["cluster"], r["region"]) for r in detail["rows"]] == [
        (Project.objects.get(code=TANSU).pk, None, None)]


def test_the_command_runs_and_explains_a_project_run() -> None:
    out = StringIO()
    call_command("evaluate", "run", "--scheme", GUANMO, "--year", "2026", stdout=out)
    assert "济宁市新上产业集群项目和产业链重大技改项目观摩评比" in out.getvalue()
    assert "山能新能源研发创新中心" in out.getvalue()
    run = Run.objects.filter(scheme__code=GUANMO).order_by("-pk").first()
    out = StringIO()
    call_command("evaluate", "explain", str(run.pk), SHANNENG, "--json", stdout=out)
    explained = json.loads(out.getvalue())
    assert explained["project"] == Project.objects.get(code=SHANNENG).pk and explained["basis"].startswith("新上")


# --- bad scheme files ---------------------------------------------------------------------------------------

BAD_BONUS_RULE = """
code: bad-bonus-rule
version: 1
name: 坏加分规则
programme: JN-2020-231
subject_kind: region
regions: {level: county, within: "3708"}
grades: {优秀: 85, 良好: 70, 合格: 60}
items:
  - {dimension: 规模, indicator: operating_revenue, weight: 1}
bonus:
  - {code: no-rule, label: 无规则, points: 1, cap: 2, source: projects, clause: 四(三)}
  - {code: rule-on-claims, label: 规则用错, points: 1, cap: 2, source: claims, projects: {stage: started}, clause: 四(三)}
  - {code: bad-stage, label: 阶段错, points: 1, cap: 2, source: projects, projects: {stage: signed}, clause: 四(三)}
"""

BAD_PROJECT_SCHEME = """
code: bad-guanmo
version: 1
name: 坏观摩方案
programme: JN-2020-231
subject_kind: project
grades: {优秀: 85, 良好: 70, 合格: 60}
eligibility:
  - {indicator: operating_revenue, min: 1}
items:
  - {dimension: 规模, indicator: operating_revenue, weight: 0.5}
  - {dimension: 现场, indicator: project_onsite_score, weight: 0.5}
"""


def test_a_bad_bonus_rule_is_refused_with_every_problem_named() -> None:
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(BAD_BONUS_RULE, "bad.yaml")
    assert ("第3项加分项.projects.stage", "须为以下之一：'started'、'producing'") in caught.value.problems
    text = BAD_BONUS_RULE.replace("  - {code: bad-stage, label: 阶段错, points: 1, cap: 2, source: projects, projects: {stage: signed}, clause: 四(三)}\n", "")
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(text, "bad.yaml")
    problems = caught.value.problems
    assert ("第1项加分项", "来源为项目库（source: projects）时须给出计数规则 projects，如 {stage: started, min_level: city}") in problems
    assert ("第2项加分项", "计数规则 projects 只用于来源为项目库（source: projects）的加分项") in problems


def test_a_bad_project_scheme_is_refused_with_every_problem_named() -> None:
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(BAD_PROJECT_SCHEME, "bad.yaml")
    problems = caught.value.problems
    assert ("projects", "项目方案须给出参评项目，如 {kinds: [investment], renovation_kinds: [renovation]}") in problems
    assert ("eligibility", "项目方案按项目库数据排名，不设参评门槛、一票否决或发布后果") in problems
    assert any(entry == "第1项指标" and "项目方案只用项目指标" in reason for entry, reason in problems)
    cluster = BAD_PROJECT_SCHEME.replace("subject_kind: project\n", "").replace("eligibility:\n  - {indicator: operating_revenue, min: 1}\n", "")
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(cluster, "bad.yaml")
    assert any(entry == "第2项指标" and "只用于项目方案" in reason for entry, reason in caught.value.problems)


# --- on-site scores ---------------------------------------------------------------------------------------

def test_the_trimmed_mean_drops_the_extremes_from_three_scores() -> None:
    assert trimmed_mean([]) is None
    assert trimmed_mean([Decimal(80)]) == Decimal("80.00")
    assert trimmed_mean([Decimal(80), Decimal(91)]) == Decimal("85.50")
    assert trimmed_mean([Decimal(60), Decimal(80), Decimal(100)]) == Decimal("80.00")


def test_scores_are_entered_corrected_and_removed_with_one_audit_entry_each() -> None:
    province, project = _user("sheng"), Project.objects.get(code=ZHONGYIN)
    count = AuditEvent.objects.exclude(action="denied").count()
    score = observation_score_record(actor=province, scheme_code=GUANMO, year=2026, project=project,
                                     observer="测试观摩员", score="88.5")
    assert score.version == 1 and AuditEvent.objects.exclude(action="denied").count() == count + 1
    with pytest.raises(ValidationError, match="已给该项目打分"):
        observation_score_record(actor=province, scheme_code=GUANMO, year=2026, project=project,
                                 observer="测试观摩员", score="90")
    score = observation_score_record(actor=province, scheme_code=GUANMO, year=2026, project=project,
                                     observer="测试观摩员", score="90", base_version=1)
    assert score.score == Decimal("90.0") and score.version == 2
    with pytest.raises(StaleEdit):
        observation_score_record(actor=province, scheme_code=GUANMO, year=2026, project=project,
                                 observer="测试观摩员", score="91", base_version=1)
    with pytest.raises(StaleEdit):
        observation_score_delete(actor=province, score=score, base_version=1)
    observation_score_delete(actor=province, score=score, base_version=2)
    assert not ObservationScore.objects.filter(pk=score.pk).exists()
    assert AuditEvent.objects.exclude(action="denied").count() == count + 3


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"score": "100.5"}, "score", "现场得分应为 0 至 100 之间的数"),
    ({"score": "88.25"}, "score", "最多一位小数"),
    ({"score": "NaN"}, "score", "现场得分应为 0 至 100 之间的数"),
    ({"observer": " "}, "observer", "请填写观摩人员"),
    ({"observer": "a\u202eb"}, "observer", ""),
    ({"year": 2023}, "project", "不在"),
    ({"scheme_code": KAOHE}, "scheme_code", "观摩评比方案"),
    ({"project": "七洲"}, "project", "不在"),
])
def test_a_bad_score_is_refused_in_chinese_and_writes_nothing(changes, field, message) -> None:
    values = {"scheme_code": GUANMO, "year": 2026, "project": Project.objects.get(code=ZHONGYIN),
              "observer": "测试观摩员", "score": "80", **changes}
    if values["project"] == "七洲":  # a project the 观摩 does not evaluate (开工 in 2024, not 技改)
        values["project"] = Project.objects.get(code="370828-2023-0001")
    before = ObservationScore.objects.count()
    with pytest.raises(ValidationError) as caught:
        observation_score_record(actor=_user("sheng"), **values)
    assert field in caught.value.message_dict and message in "".join(caught.value.message_dict[field])
    assert ObservationScore.objects.count() == before


def test_only_the_province_enters_scores() -> None:
    with pytest.raises(PermissionDenied):
        observation_score_record(actor=_user("jining"), scheme_code=GUANMO, year=2026,
                                 project=Project.objects.get(code=ZHONGYIN), observer="x", score="80")


def test_the_province_enters_a_score_on_the_page_and_bad_input_is_named() -> None:
    client = client_for(_user("sheng"))
    url = f"/evaluation/observations/?scheme={GUANMO}&year=2026"
    page = client.get(url).content.decode()
    assert "观摩组一（演示）" in page and 'id="observation-form"' in page
    project = Project.objects.get(code=ZHONGYIN)
    before = ObservationScore.objects.count()
    bad = client.post(url, {"action": "add", "project": project.pk, "observer": "", "score": "120"}).content.decode()
    assert "请填写观摩人员" in bad and "现场得分应为 0 至 100 之间的数" in bad
    assert ObservationScore.objects.count() == before
    response = client.post(url, {"action": "add", "project": project.pk, "observer": "页面观摩员", "score": "77.5"})
    assert response.status_code == 302
    score = ObservationScore.objects.get(observer="页面观摩员")
    stale = client.post(url, {"action": "update", "score_id": score.pk, "version": 0, "score": "70"}, follow=True)
    assert "请刷新后重新填写" in stale.content.decode()
    client.post(url, {"action": "update", "score_id": score.pk, "version": 1, "score": "70", "note": "复核"})
    assert ObservationScore.objects.get(pk=score.pk).score == Decimal("70.0")
    county = client_for(_user("rencheng"))
    mine = county.get(url).content.decode()
    assert "碳素集团" in mine and "汶上中银" not in mine and 'id="observation-form"' not in mine
    assert county.post(url, {"action": "add"}).status_code == 403
    assert client.get(f"/evaluation/observations/?scheme={GUANMO}&year=二〇二六").status_code == 404


def test_the_scheme_pages_state_the_project_rules() -> None:
    client = client_for(_user("jining"))
    kaohe = client.get(f"/evaluation/schemes/{_scheme(KAOHE).pk}/").content.decode()
    assert "当年开工的项目（限市级重大项目及以上）" in kaohe
    assert "当年开工的产业链配套项目" in kaohe and "加分事项核定" in kaohe
    guanmo = client.get(f"/evaluation/schemes/{_scheme(GUANMO).pk}/").content.decode()
    assert 'id="project-rule"' in guanmo and "技术改造项目" in guanmo
