"""A small programme of its own, with clusters, targets and approved statistics, for the target tests."""

import datetime
import itertools
from decimal import Decimal

from jiqun.accounts.models import User
from jiqun.clusters.services import cluster_create
from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.services import (
    period_open,
    report_approve_for_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.programmes.models import Indicator, Programme, Target
from jiqun.regions.models import Region

INDICATORS = ["output_value", "hightech_output"]
_counter = itertools.count(1)


def make_programme(code: str = "TEST-TGT", start: int = 2024, end: int = 2026) -> Programme:
    return Programme.objects.create(
        code=code, name="测试目标工程", document_title="测试目标文件", document_date=f"{start - 1}-12-31",
        source_file="x", scope="province", period_start=start, period_end=end, pack_hash="x",
    )


def make_cluster(programme: Programme, *regions: str, name: str, tier: str = ""):
    return cluster_create(actor=None, programme=programme, code=f"t-{next(_counter)}", name=name, tier=tier,
                          regions=[Region.objects.get(code=c) for c in regions])


def make_target(programme: Programme, code: str, indicator: str, value, unit: str, year: int, *,
                subject: str = "province", cluster=None, region: str = "370000", params=None, comparator=">=",
                label: str = "") -> Target:
    return Target.objects.create(
        programme=programme, code=code, label=label or f"测试目标{code}", subject_kind=subject,
        subject_ref=cluster.code if cluster else "", subject_region=Region.objects.get(code=region)
        if subject in ("province", "city") else None, subject_cluster=cluster,
        indicator=Indicator.objects.get(code=indicator), params=params or {}, comparator=comparator,
        value=Decimal(str(value)), unit=unit, year=year, clause="一", quote="测试原文",
    )


def open_period(programme: Programme, year: int, quarter: int) -> ReportingPeriod:
    return period_open(actor=None, programme=programme, year=year, quarter=quarter,
                       deadline=datetime.date(year, quarter * 3, 28),
                       indicators=Indicator.objects.filter(code__in=INDICATORS))


def file_report(period: ReportingPeriod, cluster, figures: dict[str, tuple], *, approve: bool = True):
    """Fill a cluster's report with {code: (current, previous)} in 万元 and take it to 省级审核通过."""
    admin = User.objects.get(username="sheng")
    report = period.reports.get(cluster=cluster)
    values = {code: {"current": Decimal(str(c)), "previous": Decimal(str(p)), "note": "测试"}
              for code, (c, p) in figures.items()}
    # Written by the system, so the province may approve it (separation of duties bars a report's fillers).
    report_values_save(actor=None, report=report, values=values, check_permission=False)
    report_submit(actor=User.objects.get(username="sheng_tj"), report=report)  # a submitter never approves
    if approve:
        report_approve_for_city(actor=admin, report=report, reason="测试：省级代市级审核")
        report_approve_province(actor=admin, report=report)
    return report


def row_of(rows, code: str, subject: str | None = None):
    matches = [r for r in rows if r.target.code == code and (subject is None or r.subject.name == subject)]
    assert len(matches) == 1, [(r.target.code, r.subject.name) for r in rows]
    return matches[0]
