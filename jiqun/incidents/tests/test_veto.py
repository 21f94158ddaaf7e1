"""The veto list (一票否决) in evaluation runs and the recognition screen, multi-year thresholds, the 119
standard as a scheme, and the programme's review cycle."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.clusters.selectors import review_years, reviews_coming
from jiqun.clusters.services import cluster_change_status
from jiqun.evaluation.cells import cell_dict
from jiqun.evaluation.compute import _ineligible
from jiqun.evaluation.models import Run, Scheme
from jiqun.evaluation.packs import SchemePackError, scheme_files, scheme_parse, scheme_parse_text
from jiqun.evaluation.selectors import run_reproduce
from jiqun.evaluation.services import evaluation_run_create, scheme_install
from jiqun.incidents.models import Incident
from jiqun.incidents.services import incident_create, incident_withdraw
from jiqun.incidents.veto import veto_hits, window
from jiqun.monitoring.figures import ApprovedFigures

pytestmark = pytest.mark.django_db

VETOED = """
code: vetoed
version: 1
name: 带否决条件的方案
programme: SD-2023-185
weight_method: fixed
normalisation: max
aggregation: weighted_sum
grades: {优秀: 85, 良好: 70, 合格: 60}
missing_rule: excluded
items:
  - {dimension: 规模, indicator: revenue, weight: 0.7, clause: 一}
  - {dimension: 主体, indicator: employees, weight: 0.3, clause: 二}
veto:
  - code: major-safety
    label: 重大安全生产事故
    kinds: [safety, environment]
    min_severity: large
    window_years: 3
    clause: 测试标准 第五条
"""


def _clusters() -> list[Cluster]:
    return list(Cluster.objects.filter(programme__code="SD-2023-185").order_by("pk"))


def _scheme(actor, text: str = VETOED, name: str = "vetoed.yaml") -> Scheme:
    scheme, _ = scheme_install(actor=actor, parsed=scheme_parse_text(text, name))
    return scheme


def _incident(actor, cluster, day: datetime.date, severity: str = "major", kind: str = "safety") -> Incident:
    return incident_create(actor=actor, cluster=cluster, kind=kind, severity=severity, occurred_on=day,
                           description="测试：否决用事件", document=f"测试〔{day.year}〕{cluster.pk}号")


def test_the_window_is_the_evaluated_year_and_the_years_before() -> None:
    assert window(2025, 3) == (datetime.date(2023, 1, 1), datetime.date(2025, 12, 31))


def test_an_incident_inside_the_window_vetoes_and_one_outside_or_withdrawn_does_not(province_admin) -> None:
    scheme = _scheme(province_admin)
    inside, outside, withdrawn, minor = _clusters()[:4]
    _incident(province_admin, inside, datetime.date(2023, 1, 1))
    _incident(province_admin, outside, datetime.date(2022, 12, 31))
    gone = _incident(province_admin, withdrawn, datetime.date(2024, 6, 1))
    incident_withdraw(actor=province_admin, incident=gone, reason="测试：核实不属实")
    _incident(province_admin, minor, datetime.date(2024, 6, 1), severity="general")
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    vetoed = run.rows.get(cluster=inside)
    assert vetoed.rank is None and vetoed.excluded.startswith("一票否决：重大安全生产事故：2023-01-01 重大安全生产事故")
    assert f"测试〔2023〕{inside.pk}号" in vetoed.excluded and "测试标准 第五条" in vetoed.excluded
    for cluster in (outside, withdrawn, minor):
        assert run.rows.get(cluster=cluster).rank is not None
    subject = next(s for s in run.snapshot["subjects"] if s["cluster"] == inside.pk)
    assert subject["veto"][0]["document"] == f"测试〔2023〕{inside.pk}号"
    assert run.snapshot["veto"][0]["clause"] == "测试标准 第五条"


def test_a_rerun_reproduces_the_veto_after_the_incident_is_withdrawn(province_admin) -> None:
    scheme = _scheme(province_admin)
    cluster = _clusters()[0]
    incident = _incident(province_admin, cluster, datetime.date(2025, 2, 2))
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    incident_withdraw(actor=province_admin, incident=incident, reason="测试：复议撤销")
    again = run_reproduce(Run.objects.get(pk=run.pk))
    assert again.identical and cluster.pk in again.again["excluded"]
    fresh = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    assert fresh.rows.get(cluster=cluster).rank is not None  # the withdrawal counts for later runs only


def test_the_veto_shows_on_the_run_page_the_explanation_and_the_api(province_admin, as_province, api_province) -> None:
    scheme = _scheme(province_admin)
    cluster = _clusters()[0]
    _incident(province_admin, cluster, datetime.date(2024, 3, 3))
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    page = as_province.get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert "一票否决" in page and f"测试〔2024〕{cluster.pk}号" in page
    explained = as_province.get(f"/evaluation/runs/{run.pk}/explain/", {"cluster": cluster.pk}).content.decode()
    assert "一票否决" in explained
    body = api_province.get(f"/api/v1/evaluation/runs/{run.pk}").json()
    row = next(r for r in body["rows"] if r["cluster"] == cluster.pk)
    assert row["veto"][0]["clause"] == "测试标准 第五条" and row["veto"][0]["occurred_on"] == "2024-03-03"
    assert row["excluded"].startswith("一票否决")


def test_a_veto_item_with_an_unknown_kind_is_refused_naming_it() -> None:
    text = VETOED.replace("kinds: [safety, environment]", "kinds: [safety, fire]")
    with pytest.raises(SchemePackError, match="第1项否决条件.*fire"):
        scheme_parse_text(text, "bad.yaml")
    with pytest.raises(SchemePackError, match="veto"):
        scheme_parse_text(VETOED.replace("window_years: 3", "window_years: 0"), "bad.yaml")


def test_veto_hits_take_the_minimum_severity() -> None:
    items = [{"code": "x", "label": "事故", "kinds": ["quality"], "min_severity": "major", "window_years": 1,
              "clause": "c"}]
    cluster = _clusters()[0]
    incident_create(actor=None, cluster=cluster, kind="quality", severity="large", occurred_on=datetime.date(2025, 1, 1),
                    description="测试", document="d")
    assert veto_hits(items, [cluster.pk], 2025) == {}
    items[0]["min_severity"] = "large"
    assert list(veto_hits(items, [cluster.pk], 2025)) == [cluster.pk]


# --- multi-year thresholds -----------------------------------------------------------------------------

def test_a_multi_year_threshold_names_the_year_that_failed() -> None:
    threshold = {"name": "产值", "unit": "万元", "min": "100000", "max": None, "clause": "近三年产值均在10亿元以上",
                 "years": 3}
    subject = {"eligibility": {"0": {"years": {
        "2023": {"value": "120000"}, "2024": {"value": "90000"}, "2025": {"value": None, "missing": "未审核"}}}}}
    reason = _ineligible(subject, [threshold])
    assert "2024年产值 90000万元 低于门槛 100000万元（近三年产值均在10亿元以上）" in reason
    assert "2025年产值无法判断（未审核）" in reason and "2023年" not in reason


def test_the_snapshot_keeps_one_cell_per_year_and_a_run_excludes_who_failed_one(province_admin) -> None:
    clusters = _clusters()
    figures = ApprovedFigures(clusters[0].programme)
    floor = min(figures.full_year(c.pk, "revenue", 2025) for c in clusters)
    text = (VETOED.replace("code: vetoed", "code: two-years").split("veto:")[0]
            + f"eligibility:\n  - {{indicator: revenue, min: {floor}, years: 2, clause: 连续两年}}\n")
    scheme = _scheme(province_admin, text, "years.yaml")
    assert scheme.eligibility[0]["years"] == 2
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2026)
    cell = run.snapshot["subjects"][0]["eligibility"]["0"]
    assert set(cell["years"]) == {"2025", "2026"}
    last_year = cell_dict(cell["years"]["2025"], 2025)  # a complete 1-12月 total kept under its year
    assert last_year["period"] == "2025年1-12月" and last_year["sources"]
    refused = [r for r in run.rows.exclude(excluded="") if r.excluded.startswith("不符合参评条件")]
    assert refused and all("2026年主营业务收入" in r.excluded and "2025年" not in r.excluded for r in refused)


# --- the 119 standard ---------------------------------------------------------------------------------

def test_the_119_scheme_parses_with_eight_dimensions_thresholds_and_a_veto_list() -> None:
    path = next(p for p in scheme_files() if p.name == "miit-2022-119-recognition.yaml")
    spec = scheme_parse(path).spec
    assert len({i.dimension for i in spec.items}) == 8
    output = next(t for t in spec.eligibility if t.indicator == "output_value")
    assert output.years == 3 and output.min == Decimal("100000")  # 10亿元 in 万元, each of the last three years
    assert {v.code for v in spec.veto} == {"safety-quality-environment", "cyber-data", "tax-law-credit"}
    assert all(v.window_years == 3 and v.clause for v in spec.veto)


def test_the_119_scheme_on_the_demo_says_which_inputs_are_missing(province_admin) -> None:
    scheme = Scheme.objects.get(code="miit-2022-119-recognition")
    assert scheme.veto and scheme.programme.code == "MIIT-2022-119"
    with pytest.raises(ValidationError, match="没有任何集群的"):
        evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)


def test_the_demo_sme_cluster_is_vetoed_by_its_demo_incident() -> None:
    scheme = Scheme.objects.get(code="miit-2022-119-recognition")
    cluster = Cluster.objects.get(programme__code="MIIT-2022-119", code="demo-weifang-sme")
    hits = veto_hits(scheme.veto, [cluster.pk], 2025)[cluster.pk]
    assert hits[0]["code"] == "safety-quality-environment" and hits[0]["severity"] == "large"


def test_119_recognitions_come_up_for_review_in_year_three() -> None:
    cluster = Cluster.objects.get(programme__code="MIIT-2022-119", code="demo-weifang-sme")
    assert review_years(cluster.programme.evaluation) == 3
    since = cluster.tier_changes.order_by("effective_on").first().effective_on
    due = [r for r in reviews_coming(since.replace(year=since.year + 3), datetime.timedelta(0)) if r.cluster_id == cluster.pk]
    assert due and due[0].due_on == since.replace(year=since.year + 3)
    early = since.replace(year=since.year + 2)
    assert not [r for r in reviews_coming(early, datetime.timedelta(0)) if r.cluster_id == cluster.pk]


def test_the_review_cycle_comes_from_the_programme() -> None:
    assert review_years({"review_cycle_years": 5}) == 5
    assert review_years({"review_cycle_years": None}) == 3 and review_years(None) == 3


# --- recognition --------------------------------------------------------------------------------------

def test_the_recognition_screen_applies_the_programme_s_veto(province_admin) -> None:
    from jiqun.recognition import rules as R

    checks = R.veto_checks([("x", "重大事故", "重大事故：2025-01-01 重大安全生产事故，文号 d")])
    assert len(checks) == 1 and not checks[0].passed and checks[0].reason.startswith("一票否决")
    _scheme(province_admin)
    cluster = _clusters()[0]
    _incident(province_admin, cluster, datetime.date.today())
    from jiqun.incidents.veto import programme_veto

    items = programme_veto(cluster.programme)
    assert [i["code"] for i in items] == ["major-safety"]
    today = datetime.date.today()
    assert veto_hits(items, [cluster.pk], today.year, until=today)[cluster.pk]


def test_an_exited_cluster_is_not_in_the_run_at_all(province_admin) -> None:
    scheme = _scheme(province_admin)
    cluster = _clusters()[0]
    _incident(province_admin, cluster, datetime.date(2025, 1, 1))
    cluster_change_status(actor=province_admin, cluster=cluster, status=ClusterStatus.EXITED, basis="测试")
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    assert not run.rows.filter(cluster=cluster).exists()


def test_the_scheme_page_lists_the_veto_list_and_the_years(as_jining) -> None:
    scheme = Scheme.objects.get(code="miit-2022-119-recognition")
    page = as_jining.get(f"/evaluation/schemes/{scheme.pk}/").content.decode()
    assert 'id="veto"' in page and "较大及以上" in page and "安全生产事故、质量事故、环境污染事件" in page
    assert "近 3 年每年" in page


def test_an_application_with_a_vetoing_incident_is_not_eligible(province_admin) -> None:
    from jiqun.clusters.models import Tier
    from jiqun.recognition.models import ASPECT_CODES
    from jiqun.recognition.services import application_create, call_create, call_open

    _scheme(province_admin)
    programme = _clusters()[0].programme
    call = call_open(actor=province_admin, call=call_create(
        actor=province_admin, programme=programme, title="否决测试批次", tier_sought=Tier.PROVINCIAL, quota=2,
        deadline=datetime.date(2026, 6, 30), data_year=2025, quantitative_weight=Decimal("0.2"),
        aspect_weights=dict.fromkeys(ASPECT_CODES, 1), quantitative_indicators=["revenue"], thresholds=[]))
    vetoed, clean = [c for c in _clusters() if not c.tier][:2]
    _incident(province_admin, vetoed, datetime.date(2026, 3, 1), kind="environment")
    _incident(province_admin, clean, datetime.date(2026, 6, 2), kind="environment")  # after the application
    texts = {code: "测试" for code in ASPECT_CODES}
    day = datetime.date(2026, 6, 1)
    refused = application_create(actor=None, call=call, cluster=vetoed, texts=texts, today=day)
    assert not refused.eligible
    check = next(c for c in refused.screen if c["indicator"] == "veto:major-safety")
    assert not check["passed"] and check["reason"].startswith("一票否决：重大安全生产事故：2026-03-01")
    assert application_create(actor=None, call=call, cluster=clean, texts=texts, today=day).eligible
