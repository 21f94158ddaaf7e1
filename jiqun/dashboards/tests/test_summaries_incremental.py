"""After an approval or a correction the summaries are rebuilt for the periods it touched only, and the rows are
row for row those a whole rebuild (`jiqun dashboards rebuild`) writes; changes that move more rebuild more."""

import pytest

from jiqun.accounts.models import User
from jiqun.clusters.services import cluster_change_regions
from jiqun.dashboards.models import FigureSummary, SummaryState
from jiqun.dashboards.summaries import period_key, summaries_ensure, summaries_rebuild
from jiqun.monitoring.models import CorrectionRequest, Report, ReportStatus
from jiqun.monitoring.services import correction_decide, correction_request_create, report_approve_province
from jiqun.programmes.models import Programme
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db
JINING = "JN-2020-231"
FIELDS = ["kind", "cluster_id", "region_id", "zone_id", "code", "year", "quarter", "current_text", "previous_text",
          "complete", "expected", "reported"]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _rows(programme) -> list[tuple]:
    rows = list(FigureSummary.objects.filter(programme=programme).values_list(*FIELDS))
    assert len(rows) == len(set(rows))
    return sorted(rows, key=repr)


def _ids_outside(programme, key: str) -> set[int]:
    return set(FigureSummary.objects.filter(programme=programme).exclude(
        year=int(key.split("-")[0]), quarter=int(key.split("-")[1])).values_list("pk", flat=True))


def _equals_whole_rebuild(programme) -> list[tuple]:
    """Bring the summaries up to date as a page does, and check them against a whole rebuild."""
    state = summaries_ensure(programme)
    assert state.fresh and not state.whole and state.periods == []
    incremental = _rows(programme)
    state, = summaries_rebuild([programme])
    assert state.rows == len(incremental)
    assert _rows(programme) == incremental
    return incremental


def _approvable(programme, **more) -> Report:
    return (Report.objects.filter(period__programme=programme, status=ReportStatus.CITY_APPROVED, **more)
            .select_related("period").order_by("period__year", "period__quarter", "pk").first())


def test_an_approval_and_a_correction_rebuild_their_period_only_and_equal_a_whole_rebuild():
    programme = Programme.objects.get(code=JINING)
    summaries_rebuild([programme])
    report = _approvable(programme, cluster__isnull=False)
    key = period_key(report.period.year, report.period.quarter)
    before = _rows(programme)
    untouched = _ids_outside(programme, key)

    report_approve_province(actor=_user("sheng"), report=report)
    state = SummaryState.objects.get(programme=programme)
    assert not state.fresh and not state.whole and state.periods == [key]
    summaries_ensure(programme)
    assert _ids_outside(programme, key) == untouched  # the other periods' rows were not rewritten
    after = _equals_whole_rebuild(programme)
    assert after != before  # the approval shows

    report.refresh_from_db()
    revenue = FigureSummary.objects.get(programme=programme, kind="cluster", cluster=report.cluster, code="revenue",
                                        year=report.period.year, quarter=report.period.quarter)
    correction = correction_request_create(actor=_user("jining_tj"), report=report,
                                           changes={"revenue": {"current": revenue.current + 1}}, reason="笔误")
    correction_decide(actor=_user("sheng"), correction=CorrectionRequest.objects.get(pk=correction.pk), approve=True)
    assert SummaryState.objects.get(programme=programme).periods == [key]
    corrected = _equals_whole_rebuild(programme)
    assert corrected != after


def test_a_regions_report_approved_and_a_cluster_moved_equal_a_whole_rebuild():
    programme = Programme.objects.get(code=JINING)
    summaries_rebuild([programme])
    region_report = _approvable(programme, cluster__isnull=True, enterprise__isnull=True)
    cluster_report = _approvable(programme, cluster__isnull=False)
    for report in (region_report, cluster_report):
        if report is not None:
            report_approve_province(actor=_user("sheng"), report=report)
    _equals_whole_rebuild(programme)

    cluster = cluster_report.cluster
    moved_to = Region.objects.filter(code__startswith="3708", level="county").exclude(
        code__in=cluster.regions.values("code")).order_by("code").first()
    cluster_change_regions(actor=_user("sheng"), cluster=cluster, regions=[moved_to], basis="区划调整")
    assert SummaryState.objects.get(programme=programme).whole  # the subjects moved: rebuilt whole
    _equals_whole_rebuild(programme)


def test_a_change_no_service_announced_in_another_period_is_picked_up():
    programme = Programme.objects.get(code=JINING)
    summaries_rebuild([programme])
    report = _approvable(programme, cluster__isnull=False)
    # A report of another period gone without a summaries change (as a shell would): its period's reporters moved.
    other = (Report.objects.filter(period__programme=programme, cluster__isnull=False, enterprise__isnull=True)
             .exclude(period=report.period).order_by("pk").first())
    Report.objects.filter(pk=other.pk).delete()
    report_approve_province(actor=_user("sheng"), report=report)
    _equals_whole_rebuild(programme)
