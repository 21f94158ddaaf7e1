"""Runs on the demo's approved figures: hand-checked scores, reproduction after a correction, the period rule,
publishing and locking, and who may do what."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.clusters.services import cluster_change_status
from jiqun.evaluation.cells import subject_cell
from jiqun.evaluation.models import Run, RunRow, RunStatus, Scheme
from jiqun.evaluation.packs import scheme_files, scheme_parse, scheme_parse_text
from jiqun.evaluation.selectors import explanation, rows_for, run_reproduce
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish, scheme_install
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import Report
from jiqun.monitoring.services import correction_decide, correction_request_create

pytestmark = pytest.mark.django_db

SCHEME = "sd-2023-185-competitiveness"
SMALL = """
code: hand-checked
version: 1
name: 两项指标
programme: SD-2023-185
weight_method: fixed
normalisation: max
aggregation: weighted_sum
grades: {优秀: 85, 良好: 70, 合格: 60}
missing_rule: excluded
items:
  - {dimension: 规模, indicator: revenue, weight: 0.7, clause: 一}
  - {dimension: 主体, indicator: employees, weight: 0.3, clause: 二}
"""


def _scheme() -> Scheme:
    return Scheme.objects.get(code=SCHEME, version=1)


def _events():
    return AuditEvent.objects.exclude(action="denied")


def test_the_demo_ships_a_published_run_of_the_competitiveness_scheme() -> None:
    run = Run.objects.get(scheme__code=SCHEME, year=2025)
    assert run.status == RunStatus.PUBLISHED and run.scheme.locked
    scored = run.rows.exclude(rank=None)
    assert scored.count() == Cluster.objects.filter(programme__code="SD-2023-185").count()
    assert {r.grade for r in scored} <= {"优秀", "良好", "合格", "不合格"}
    assert all(r.rank_min <= r.rank <= r.rank_max for r in scored)


def test_it_scores_three_clusters_as_computed_by_hand(province_admin) -> None:
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(SMALL, "hand.yaml"))
    clusters = list(Cluster.objects.filter(programme__code="SD-2023-185").order_by("pk"))
    for cluster in clusters[3:]:
        cluster_change_status(actor=province_admin, cluster=cluster, status=ClusterStatus.EXITED, basis="测试")
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    figures = ApprovedFigures(scheme.programme)
    raw = {c.pk: {code: figures.full_year(c.pk, code, 2025) for code in ("revenue", "employees")} for c in clusters[:3]}
    top = {code: max(v[code] for v in raw.values()) for code in ("revenue", "employees")}
    expected = {pk: (Decimal("0.7") * v["revenue"] / top["revenue"] + Decimal("0.3") * v["employees"] / top["employees"]) * 100
                for pk, v in raw.items()}
    rows = {r.cluster_id: r for r in run.rows.all()}
    assert set(rows) == set(expected)
    for pk, score in expected.items():
        assert abs(rows[pk].score - score) < Decimal("0.0001")
    order = sorted(expected, key=expected.get, reverse=True)
    assert [rows[pk].rank for pk in order] == [1, 2, 3]


def test_a_rerun_after_a_correction_reproduces_the_stored_result(province_admin) -> None:
    run = evaluation_run_create(actor=province_admin, scheme=_scheme(), year=2025)
    best = run.rows.get(rank=1)
    subject = next(i for i, s in enumerate(run.snapshot["subjects"]) if s["cluster"] == best.cluster_id)
    source = subject_cell(run.snapshot, subject, "revenue")["sources"][0]
    report = Report.objects.get(pk=source["report"])
    correction = correction_request_create(actor=province_admin, report=report, reason="测试：更正营业收入",
                                           changes={"revenue": {"current": "1000"}})
    correction_decide(actor=province_admin, correction=correction, approve=True, comment="同意")
    corrected = ApprovedFigures(run.scheme.programme).full_year(best.cluster_id, "revenue", 2025)
    assert corrected == Decimal("1000")

    again = run_reproduce(Run.objects.get(pk=run.pk))
    assert again.identical and again.differences == []
    assert again.again["scores"] == run.result["engine"]["scores"] and again.again["ranks"] == run.result["engine"]["ranks"]
    fresh = evaluation_run_create(actor=province_admin, scheme=_scheme(), year=2025)
    assert fresh.rows.get(cluster_id=best.cluster_id).score < best.score  # the correction is in a new run only
    cell = subject_cell(fresh.snapshot, next(i for i, s in enumerate(fresh.snapshot["subjects"])
                                             if s["cluster"] == best.cluster_id), "revenue")
    assert cell["value"] == "1000" and cell["sources"][0]["revision"] > source["revision"]


def test_it_uses_the_latest_approved_period_of_a_year_and_says_so(province_admin) -> None:
    run = evaluation_run_create(actor=province_admin, scheme=_scheme(), year=2026)
    cells = [subject_cell(run.snapshot, i, "revenue") for i in range(len(run.snapshot["subjects"]))]
    assert any(c["value"] for c in cells)
    assert all(c["quarter"] < 4 and "1-12月数据未审核，采用2026年1-" in c["note"] for c in cells if c["value"])


def test_a_year_without_data_is_refused_and_writes_nothing(province_admin) -> None:
    before = (Run.objects.count(), _events().count())
    with pytest.raises(ValidationError, match="2024年没有任何集群的省级审核数据"):
        evaluation_run_create(actor=province_admin, scheme=_scheme(), year=2024)
    assert (Run.objects.count(), _events().count()) == before


def new_cluster(actor) -> Cluster:
    """A cluster registered after the year's reports: it has no figure at all."""
    from jiqun.clusters.services import cluster_create
    from jiqun.programmes.models import Programme
    from jiqun.regions.models import Region

    return cluster_create(actor=actor, programme=Programme.objects.get(code="SD-2023-185"), code="newcomer",
                          name="新登记集群", regions=[Region.objects.get(code="370000")])


def test_a_missing_figure_is_shown_with_its_reason_and_excluded(province_admin) -> None:
    newcomer = new_cluster(province_admin)
    run = evaluation_run_create(actor=province_admin, scheme=_scheme(), year=2025)
    newcomer_at = next(i for i, s in enumerate(run.snapshot["subjects"]) if s["cluster"] == newcomer.pk)
    assert subject_cell(run.snapshot, newcomer_at, "revenue") == {"value": None, "missing": "2025年没有收集此指标的报告期或报表"}
    row = run.rows.get(cluster=newcomer)
    assert row.rank is None and row.score is None
    assert row.excluded.startswith("缺少数据，按方案规则不参评（主营业务收入：2025年没有收集此指标的报告期或报表；")
    assert run.rows.exclude(rank=None).count() == run.rows.count() - 1


def test_publishing_locks_the_scheme_version_and_happens_once(province_admin) -> None:
    parsed = scheme_parse_text(SMALL, "hand.yaml")
    scheme, _ = scheme_install(actor=province_admin, parsed=parsed)
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    evaluation_run_publish(actor=province_admin, run=run)
    scheme.refresh_from_db()
    assert scheme.locked
    with pytest.raises(ValidationError, match="不能再次发布"):
        evaluation_run_publish(actor=province_admin, run=run)
    changed = scheme_parse_text(SMALL.replace("weight: 0.7", "weight: 0.6").replace("weight: 0.3", "weight: 0.4"), "hand.yaml")
    with pytest.raises(ValidationError, match="请将版本号改为 2 作为新版本载入"):
        scheme_install(actor=province_admin, parsed=changed)
    assert [str(i.weight) for i in scheme.items.order_by("order")] == ["0.7000", "0.3000"]
    newer, made = scheme_install(actor=province_admin, parsed=scheme_parse_text(
        SMALL.replace("version: 1", "version: 2").replace("weight: 0.7", "weight: 0.6").replace("weight: 0.3", "weight: 0.4"),
        "hand.yaml"))
    assert made and newer.version == 2 and not newer.locked


def test_it_writes_one_audit_entry_per_change(province_admin) -> None:
    before = _events().count()
    run = evaluation_run_create(actor=province_admin, scheme=_scheme(), year=2025)
    evaluation_run_publish(actor=province_admin, run=run)
    assert list(_events().order_by("-id").values_list("action", flat=True)[:2]) == ["update", "create"]
    assert _events().count() == before + 2


def test_a_city_officer_cannot_run_or_publish(jining_officer, province_admin) -> None:
    with pytest.raises(PermissionDenied):
        evaluation_run_create(actor=jining_officer, scheme=_scheme(), year=2025)
    run = evaluation_run_create(actor=province_admin, scheme=_scheme(), year=2025)
    with pytest.raises(PermissionDenied):
        evaluation_run_publish(actor=jining_officer, run=run)
    assert Run.objects.get(pk=run.pk).status == RunStatus.DRAFT


def test_a_draft_is_the_province_s_alone_and_a_city_sees_its_own_clusters_rows(province_admin, django_user_model) -> None:
    from jiqun.accounts.models import User

    run = evaluation_run_create(actor=province_admin, scheme=_scheme(), year=2025)
    leader, jining = User.objects.get(username="lingdao"), User.objects.get(username="jining")
    assert not Run.objects.for_user(jining).filter(pk=run.pk).exists()
    assert not Run.objects.for_user(leader).filter(pk=run.pk).exists()
    evaluation_run_publish(actor=province_admin, run=run)
    assert Run.objects.for_user(jining).filter(pk=run.pk).exists()
    assert len(rows_for(leader, run)) == run.rows.count()
    visible = set(Cluster.objects.for_user(jining).values_list("pk", flat=True))
    assert {r.cluster_id for r in rows_for(jining, run)} == visible & set(run.rows.values_list("cluster_id", flat=True))
    for username in ("zhuanjia", "qiye", "xitong", "shenji"):
        assert not Run.objects.for_user(User.objects.get(username=username)).exists()
        assert not RunRow.objects.for_user(User.objects.get(username=username)).exists()


def test_the_explanation_adds_up_to_the_score(province_admin) -> None:
    run = Run.objects.get(scheme__code=SCHEME, year=2025)
    for row in run.rows.exclude(rank=None):
        explained = explanation(run, row)
        assert abs(Decimal(repr(explained.total)) - row.score) < Decimal("0.0001")
        assert sum(d.weight for d in explained.dimensions) == pytest.approx(1.0)
        assert all(line.clause and line.sources for line in explained.lines)


def test_every_shipped_scheme_parses() -> None:
    assert {scheme_parse(path).spec.code for path in scheme_files()} == {
        SCHEME, "sd-sei-2020-yearly", "jn-2020-231-county-kaohe", "miit-2022-119-recognition",
        "jn-2020-231-guanmo"}


def test_a_cluster_below_an_eligibility_threshold_is_not_scored_and_told_which(province_admin) -> None:
    figures = ApprovedFigures(Scheme.objects.get(code=SCHEME).programme)
    clusters = list(Cluster.objects.filter(programme__code="SD-2023-185"))
    revenue = sorted(figures.full_year(c.pk, "revenue", 2025) for c in clusters)
    floor = revenue[len(revenue) // 2]
    text = SMALL + f"eligibility:\n  - {{indicator: revenue, min: {floor}, clause: 门槛条款}}\n"
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(text, "floor.yaml"))
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    below = {c.pk for c in clusters if figures.full_year(c.pk, "revenue", 2025) < floor}
    assert below and set(run.rows.filter(rank=None).values_list("cluster_id", flat=True)) == below
    row = run.rows.filter(rank=None).first()
    value = figures.full_year(row.cluster_id, "revenue", 2025)
    assert row.excluded == (f"不符合参评条件：主营业务收入 {value.normalize():f}万元 低于门槛 "
                            f"{floor.normalize():f}万元（门槛条款）")


def test_a_threshold_needs_a_bound() -> None:
    from jiqun.evaluation.packs import SchemePackError

    with pytest.raises(SchemePackError, match="请给出下限 min 或上限 max"):
        scheme_parse_text(SMALL + "eligibility:\n  - {indicator: revenue}\n", "floor.yaml")
