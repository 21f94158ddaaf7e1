"""A fresh programme with its own clusters and an open period for the workbench tests (never the demo's periods)."""

import datetime
import itertools

from django.utils import timezone

from jiqun.accounts.models import User
from jiqun.clusters.tests.factories import make_cluster
from jiqun.monitoring.models import Report
from jiqun.monitoring.services import period_open, report_submit, report_values_save
from jiqun.monitoring.tests.helpers import GOOD, SEVEN, values
from jiqun.programmes.models import Indicator, Programme

_codes = itertools.count(1)


def open_period(jining: int = 3, jinan: int = 1, code: str = ""):
    """A programme with `jining` clusters in 任城 (Jining) and `jinan` in 历下 (Jinan), its period of this year's
    first quarter open, due in three days."""
    code = code or f"TEST-WB-{next(_codes)}"
    programme = Programme.objects.create(code=code, name=f"工作台测试工程{code}", document_title="测试", source_file="x",
                                         scope="province", period_start=2024, period_end=2030, pack_hash="x")
    for region, n, place in (("370811", jining, "任城"), ("370102", jinan, "历下")):
        for i in range(n):
            cluster = make_cluster(region, name=f"{place}工作台集群{code}-{i + 1}")
            cluster.programme = programme
            cluster.save()
    today = timezone.localdate()
    return period_open(actor=None, programme=programme, year=today.year, quarter=1,
                       deadline=today + datetime.timedelta(days=3), indicators=Indicator.objects.filter(code__in=SEVEN))


def reports_in(period, place: str) -> list[Report]:
    return list(period.reports.filter(cluster__name__startswith=place).order_by("cluster__name"))


def user(name: str) -> User:
    return User.objects.get(username=name)


def submitted(report: Report, filler: User) -> Report:
    """Filled with plausible figures and submitted by `filler`."""
    report_values_save(actor=filler, report=report, values=values(GOOD))
    report_submit(actor=filler, report=report)
    report.refresh_from_db()
    return report


def with_unexplained_warning(report: Report) -> Report:
    """A submitted report whose figures changed since (a correction written by the system): revenue up 90% on
    last year, with no note — a 核实性 warning nobody explained."""
    report_values_save(actor=user("rencheng"), report=report, check_permission=False,
                       values={"revenue": {"current": "9120000", "previous": "4800000"}})
    report.refresh_from_db()
    return report
