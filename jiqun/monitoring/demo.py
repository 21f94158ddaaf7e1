"""Generated quarterly figures for the demo province, every value marked 演示数据 (provenance demo).

Seven quarters (2025 Q1 to 2026 Q3) for the clusters of 鲁政办字〔2023〕185号 and Jining's "231" clusters, the
programmes the province and Jining cultivate now, and of 鲁商发〔2016〕3号, whose 新一代信息技术 cluster is the demo
cluster organisation's (jiqun_org): without them that persona's cluster page, overview and workbench are empty. The
seven indicators of the 2020 document plus output, high-tech output and 营业收入. Each period also collects the
region-level figures the programme's targets are measured against, in its region's 综合表: the province's
average R&D intensity (SD-2023-185); Jining's whole manufacturing 营业收入 (the 231 clusters make ~55–65% of it),
power and renewable capacity, funds and land and energy quotas (JN-2020-231). Earlier quarters are approved;
the latest is mid-way, so the status matrix and the 催报 list have something to show, and the cluster
organisation's own report in it is left to fill (its workbench's 待填报的报表).

SD-2016-3's quarters lag one behind in the province's review: its 2026 Q2 reports are approved for the city but
wait for the province (the province's 待我审核的报表). Its newest approved figures are then older than
SD-2023-185's, so the province overview still opens on the programme the province cultivates now.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from jiqun.accounts.models import User
from jiqun.accounts.permissions import is_province_admin
from jiqun.monitoring.models import Provenance, Report, ReportEvent, ReportingPeriod
from jiqun.monitoring.services import (
    period_open,
    report_approve_city,
    report_approve_for_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.programmes.models import Indicator, Programme

# programme code, who submits, who approves for the city (the province's 代市级审核 for the province-wide
# programme, whose clusters span cities), a cluster's annual revenue range in 亿元. The figures are written by the
# system (they are generated) and submitted by a statistics clerk, so no reviewer approves figures it filled or
# submitted (separation of duties).
PROGRAMMES = [("SD-2023-185", "sheng_tj", "sheng", (600, 5200)), ("JN-2020-231", "jining_tj", "jining", (120, 900)),
              ("SD-2016-3", "sheng_tj", "sheng", (150, 2500))]
# The programmes whose second-to-last quarter still waits for the province (see the module's docstring).
PROVINCE_LAGS = {"SD-2016-3"}
CLUSTER_ORG = "jiqun_org"  # the demo cluster organisation: its clusters' reports of the latest quarter are left to fill
INDICATORS = ["revenue", "profit", "new_enterprises", "employees", "researchers", "rd_expenditure",
              "tech_platforms", "output_value", "hightech_output", "operating_revenue"]
QUARTERS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]
FLOW_SHARE = {1: Decimal("0.23"), 2: Decimal("0.48"), 3: Decimal("0.74"), 4: Decimal("1")}
# The 综合表's indicators, by programme; the Jining figures are in the units of the catalogue.
REGION_INDICATORS = {
    "SD-2023-185": ["region_rd_intensity"],
    "JN-2020-231": ["manufacturing_operating_revenue", "renewable_capacity", "power_capacity",
                    "industrial_special_fund", "tech_transformation_fund", "new_land_quota", "cluster_land_quota",
                    "new_coal_quota", "cluster_coal_quota"],
}


def _annual_base(rng: random.Random, revenue_range: tuple[int, int]) -> dict[str, Decimal]:
    revenue = Decimal(rng.randint(*revenue_range)) * 10000  # 亿元 → 万元
    employees = Decimal(rng.randint(30_000, 220_000))
    return {
        "revenue": revenue, "profit": (revenue * Decimal(rng.uniform(0.04, 0.09))).quantize(Decimal(1)),
        "new_enterprises": Decimal(rng.randint(8, 60)), "employees": employees,
        "researchers": (employees * Decimal(rng.uniform(0.06, 0.14))).quantize(Decimal(1)),
        "rd_expenditure": (revenue * Decimal(rng.uniform(0.018, 0.035))).quantize(Decimal(1)),
        "tech_platforms": Decimal(rng.randint(10, 90)),
        "output_value": (revenue * Decimal(rng.uniform(1.02, 1.12))).quantize(Decimal(1)),
        # 营业收入 (the Jining document's measure) = 主营业务收入 + other business income
        "operating_revenue": (revenue * Decimal("1.05")).quantize(Decimal(1)),
    }


def demo_statistics_generate(seed: int = 2026) -> int:
    rng = random.Random(seed)
    total = 0
    for code, filler, city_reviewer, revenue_range in PROGRAMMES:
        programme = Programme.objects.filter(code=code).first()
        users = {u.username: u for u in User.objects.filter(username__in=[filler, city_reviewer, "sheng"])}
        if programme is None or len(users) < len({filler, city_reviewer, "sheng"}) or programme.periods.exists():
            continue
        total += _programme_statistics(programme, users[filler], users[city_reviewer], users["sheng"], rng,
                                       revenue_range)
    return total


def _region_figures(code: str, year: int, quarter: int, clusters_revenue: tuple[Decimal, Decimal]) -> dict[str, dict]:
    """Plausible 综合表 figures: {code: {"current", "previous"}}, 演示数据. Each is a function of the year, so a
    figure's 上年同期 is what last year's 综合表 reported (the 上年同期 check stays quiet)."""
    share = FLOW_SHARE[quarter]

    def of_year(value) -> dict:
        return {"current": value(year), "previous": value(year - 1)}

    if code == "SD-2023-185":
        # 全省规上工业企业研发投入强度 (%): about 2.36 in 2025, 0.12 point a year more
        return {"region_rd_intensity": of_year(lambda y: Decimal("2.36") + Decimal("0.12") * (y - 2025)
                                                + Decimal("0.02") * (quarter - 2))}

    def stock(start: int, per_year: int, scale: str = "0.1"):
        return of_year(lambda y: (Decimal(start) + Decimal(per_year) * (y - 2025 + Decimal(quarter) / 4))
                       .quantize(Decimal(scale)))

    def flow(annual: int, used: str = "1", per_year: str = "0"):
        return of_year(lambda y: (Decimal(annual) * (Decimal(used) + Decimal(per_year) * (y - 2025)) * share)
                       .quantize(Decimal(1)))

    current_revenue, previous_revenue = clusters_revenue
    # the 231 clusters are 58% of Jining's manufacturing 营业收入 in 2025, a point less each later year
    manufacturing = {"current": (current_revenue / (Decimal("0.58") - Decimal("0.01") * (year - 2025))).quantize(Decimal(1)),
                     "previous": (previous_revenue / (Decimal("0.58") - Decimal("0.01") * (year - 2026))).quantize(Decimal(1))}
    return {
        "manufacturing_operating_revenue": manufacturing,
        "renewable_capacity": stock(250, 25),  # 万千瓦
        "power_capacity": stock(1180, 40),
        "industrial_special_fund": flow(20_000),  # 2 亿元 a year
        "tech_transformation_fund": stock(30_000, 8_000, "1"),  # toward 5 亿元 within five years
        "new_land_quota": flow(12_000), "cluster_land_quota": flow(12_000, "0.64", "0.02"),  # 亩
        "new_coal_quota": flow(600_000), "cluster_coal_quota": flow(600_000, "0.62", "0.02"),  # 吨标准煤
    }


def _submit_on_time(report, actor) -> None:
    """Submit, dated as a punctual unit would have: the demo is loaded after every deadline has passed, and a
    submission stamped with the load day would make every demo report late (数据质量 would read 0 for all)."""
    report_submit(actor=actor, report=report)
    on = timezone.make_aware(datetime.datetime.combine(report.period.deadline - datetime.timedelta(days=3),
                                                       datetime.time(10)))
    ReportEvent.objects.filter(report=report, action="submit").update(at=on)
    Report.objects.filter(pk=report.pk).update(submitted_at=on)


def _approve(report, actor, city_reviewer, province_reviewer, *, province: bool) -> None:
    """Take a report through review as the demo's reviewers would: the province stands in for the city where
    the city reviewer is the province (with its reason), and approves last."""
    if is_province_admin(city_reviewer):
        report_approve_for_city(actor=city_reviewer, report=report, reason=(
            "演示数据：全省综合表无市级审核，由省级代市级审核" if report.region_id
            else "演示数据：跨市集群由省级代市级审核" if report.cluster.regions.count() > 1
            else "演示数据：省级培育工程的集群，演示中由省级代市级审核"))
    else:
        report_approve_city(actor=city_reviewer, report=report)
    if province:
        report_approve_province(actor=province_reviewer, report=report)


def _programme_statistics(programme, actor, city_reviewer, province_reviewer, rng: random.Random,
                          revenue_range: tuple[int, int]) -> int:
    region_codes = REGION_INDICATORS.get(programme.code, [])
    indicators = Indicator.objects.filter(code__in=INDICATORS + region_codes)
    bases = {}
    growth = {}
    reports = 0
    own = set(User.objects.filter(username=CLUSTER_ORG).values_list("clusters", flat=True))
    for year, quarter in QUARTERS:
        period = period_open(actor=province_reviewer, programme=programme, year=year, quarter=quarter,
                             deadline=datetime.date(year + (quarter == 4), quarter * 3 % 12 + 1, 25),
                             indicators=indicators)
        latest = (year, quarter) == QUARTERS[-1]
        # approved by the province: every quarter but the latest (and the one before it where the province lags)
        final = not latest and not (programme.code in PROVINCE_LAGS and (year, quarter) == QUARTERS[-2])
        revenue = [Decimal(0), Decimal(0)]  # the clusters' 营业收入, 本期 and 上年同期
        for report in period.reports.filter(cluster__isnull=False).select_related("cluster").order_by("cluster__name"):
            cluster = report.cluster_id
            if cluster not in bases:
                bases[cluster] = _annual_base(rng, revenue_range)
                growth[cluster] = Decimal(rng.uniform(0.02, 0.16))
            factor = (1 + growth[cluster]) ** (year - 2025)
            operating = bases[cluster]["operating_revenue"] * factor * FLOW_SHARE[quarter]
            revenue[0] += operating.quantize(Decimal(1))
            revenue[1] += (operating / (1 + growth[cluster])).quantize(Decimal(1))
            if latest and (rng.random() < 0.3 or report.cluster_id in own):
                continue  # not reported yet: shows in the 催报 list (and the cluster organisation's 待填报)
            base = bases[cluster]
            factor = (1 + growth[cluster]) ** (year - 2025)
            values = {}
            for code, annual in base.items():
                kind_flow = code in ("revenue", "profit", "new_enterprises", "rd_expenditure", "output_value",
                                 "operating_revenue")
                share = FLOW_SHARE[quarter] if kind_flow else Decimal(1)
                current = (annual * factor * share).quantize(Decimal(1))
                previous = (annual * factor / (1 + growth[cluster]) * share).quantize(Decimal(1))
                values[code] = {"current": current, "previous": previous}
            values["hightech_output"] = {
                field: (values["output_value"][field] * Decimal("0.46")).quantize(Decimal(1))
                for field in ("current", "previous")
            }
            for entry in values.values():
                entry["note"] = "演示数据"
            report_values_save(actor=None, report=report, values=values, provenance=Provenance.DEMO,
                               check_permission=False)
            _submit_on_time(report, actor)
            if not latest or rng.random() < 0.5:
                _approve(report, actor, city_reviewer, province_reviewer, province=final)
            reports += 1
        for report in period.reports.filter(region__isnull=False):
            values = _region_figures(programme.code, year, quarter, (revenue[0], revenue[1]))
            for entry in values.values():
                entry["note"] = "演示数据"
            report_values_save(actor=None, report=report, values=values, provenance=Provenance.DEMO,
                               check_permission=False)
            _submit_on_time(report, actor)
            _approve(report, actor, city_reviewer, province_reviewer, province=final)
            reports += 1
    ReportingPeriod.objects.filter(programme=programme).exclude(year=QUARTERS[-1][0], quarter=QUARTERS[-1][1]).update(
        status="closed")
    return reports
