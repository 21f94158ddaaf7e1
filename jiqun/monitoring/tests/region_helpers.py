"""A city programme's period that asks region-level indicators, so it opens 济宁市's 综合表, and its personas."""

import datetime
from decimal import Decimal

from jiqun.accounts.models import Role, User
from jiqun.clusters.tests.factories import make_cluster
from jiqun.monitoring.models import Report
from jiqun.monitoring.services import period_open
from jiqun.monitoring.tests.helpers import SEVEN
from jiqun.programmes.models import Indicator, Programme

JINING = "370800"
REGION_CODES = ["manufacturing_operating_revenue", "power_capacity", "renewable_capacity"]
REGION_GOOD = {  # 济宁市 as a whole: 万元, 万千瓦, 万千瓦
    "manufacturing_operating_revenue": ("43000000", "40000000"),
    "power_capacity": ("1650", "1580"),
    "renewable_capacity": ("720", "610"),
}


def open_city_period(year: int = 2025, quarter: int = 2, codes=None):
    """A 济宁市 programme with one cluster (任城测试集群), opened with the seven cluster indicators and three
    region-level ones, so it has a cluster report and the city's 综合表."""
    programme, created = Programme.objects.get_or_create(
        code="TEST-JN", defaults={"name": "测试市级工程", "document_title": "测试", "source_file": "x",
                                  "scope": "city", "scope_region_id": JINING, "period_start": 2024,
                                  "period_end": 2026, "pack_hash": "x"},
    )
    if created:
        cluster = make_cluster("370811", name="任城测试集群")
        cluster.programme = programme
        cluster.save()
    return period_open(actor=None, programme=programme, year=year, quarter=quarter,
                       deadline=datetime.date(year, quarter * 3, 28),
                       indicators=Indicator.objects.filter(code__in=codes or SEVEN + REGION_CODES))


def open_province_period(year: int = 2025, quarter: int = 2):
    """A province-wide programme's period asking region_rd_intensity: it opens the province's 综合表 (370000)."""
    programme, _created = Programme.objects.get_or_create(
        code="TEST-SD", defaults={"name": "测试全省工程", "document_title": "测试", "source_file": "x",
                                  "scope": "province", "period_start": 2024, "period_end": 2026, "pack_hash": "x"},
    )
    return period_open(actor=None, programme=programme, year=year, quarter=quarter,
                       deadline=datetime.date(year, quarter * 3, 28),
                       indicators=Indicator.objects.filter(code__in=[*SEVEN, "region_rd_intensity"]))


def region_report(period, code: str = JINING) -> Report:
    return period.reports.get(region_id=code)


def cluster_report(period) -> Report:
    return period.reports.get(cluster__name="任城测试集群")


def second_officer(code: str = JINING, role: str = Role.CITY_OFFICER, username: str = "jining2") -> User:
    """Another officer of the same region: the one who approves what the first filled."""
    user, _created = User.objects.get_or_create(username=username, defaults={"role": role, "region_id": code})
    return user


def region_values(pairs=None) -> dict[str, dict]:
    return {code: {"current": Decimal(c), "previous": Decimal(p)} for code, (c, p) in (pairs or REGION_GOOD).items()}
