"""A national-scale demo programme (`jiqun demo --scale national`): 500 clusters over Shandong's 16 cities and
their counties, 100,000 member enterprises and 20 quarters of province-approved cluster reports with the
综合表 of the province and its cities, every figure generated from a fixed seed and marked 演示数据.

It exists to measure jiqun at the size of a national programme (bench/bench_overview.py, docs/scaling.md), so it
writes the way the Excel importer does, not through the audited per-report services: enterprises, memberships and
revisions as rows (COPY on PostgreSQL, executemany on SQLite; jiqun.monitoring.importer.store), clusters, periods
and reports by `bulk_create`, then the dashboards' summaries are rebuilt once. The same sizes give the same
figures on every run and every database: everything is drawn from `NATIONAL_SEED` in a fixed order, and the
periods end with 2025年1-12月 whatever the date.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

NATIONAL_CODE = "NATIONAL-DEMO"
NATIONAL_NAME = "全国规模演示工程（演示）"
NATIONAL_SEED = 20260101
LAST_YEAR = 2025  # the last generated period is 2025年1-12月, so a run next year gives the same figures
FIRST_BASE_YEAR = 2000

# What the clusters report (flows are year-to-date: a quarter's report gives January to its end), and the
# province's 综合表 indicator, so that the derived ratios (研发投入强度, 高新技术产值占比, the gap to the province's
# R&D intensity …) have both parts.
FLOWS = ["revenue", "operating_revenue", "profit", "new_enterprises", "rd_expenditure", "output_value",
         "hightech_output"]
STOCKS = ["employees", "researchers", "tech_platforms"]
REGION_INDICATORS = ["region_rd_intensity"]
FLOW_SHARE = {1: 0.23, 2: 0.48, 3: 0.74, 4: 1.0}
INDUSTRIES = ["高端装备", "新一代信息技术", "新能源汽车", "生物医药", "新材料", "现代轻工", "绿色化工", "智能家电",
              "食品加工", "纺织服装", "海洋装备", "节能环保", "精细化工", "医疗器械", "集成电路", "工业母机"]
ROLES = ["chain_leader", "leader", "leader", "backbone", "backbone", "backbone", "supporting", "supporting"]


@dataclass(frozen=True)
class NationalSize:
    clusters: int = 500
    enterprises: int = 100_000
    quarters: int = 20


NATIONAL = NationalSize()


class NationalExists(Exception):
    """The database already holds the national demo programme (and --force was not given)."""


def _noop(message: str) -> None:
    pass


def national_exists() -> bool:
    from jiqun.programmes.models import Programme

    return Programme.objects.filter(code=NATIONAL_CODE).exists()


def quarters_ending(count: int, year: int = LAST_YEAR) -> list[tuple[int, int]]:
    """The `count` quarters that end with `year`年1-12月, oldest first."""
    last = year * 4 + 3
    return [(n // 4, n % 4 + 1) for n in range(last - count + 1, last + 1)]


@transaction.atomic
def national_generate(size: NationalSize = NATIONAL, *, force: bool = False,
                      progress: Callable[[str], None] = _noop) -> dict[str, int]:
    """Write the national demo programme into the configured database and build its summaries.

    Refuses (`NationalExists`) when the programme is already there, unless `force`, which first deletes it with
    everything generated for it. Loads the regions, the indicator catalogue and the demo users first when the
    database has none (an empty database can then be used as it is)."""
    if size.clusters < 1 or size.enterprises < size.clusters or not 1 <= size.quarters <= 4 * (LAST_YEAR - FIRST_BASE_YEAR):
        raise ValueError(_("规模不合理：集群 %(clusters)s 个（至少 1 个）、企业 %(enterprises)s 家（不少于集群数）、季度 "
                           "%(quarters)s 个（1 至 100 个）") % {"clusters": size.clusters, "enterprises": size.enterprises,
                                                          "quarters": size.quarters})
    if national_exists():
        if not force:
            raise NationalExists(NATIONAL_CODE)
        progress("删除原有全国规模演示工程")
        national_delete()
    progress("行政区划与指标目录")
    _prerequisites()
    rng = random.Random(NATIONAL_SEED)
    progress("集群")
    programme, clusters = _clusters(size, rng)
    progress("企业与集群成员")
    enterprises = _enterprises(size, clusters, rng)
    progress("统计季报")
    reports, revisions = _reports(size, programme, clusters, rng)
    progress("仪表盘汇总数")
    from jiqun.dashboards.summaries import summaries_rebuild

    state, = summaries_rebuild([programme])
    return {"clusters": len(clusters), "enterprises": enterprises, "reports": reports, "revisions": revisions,
            "summaries": state.rows}


def national_delete() -> None:
    """Delete the national demo programme and every row generated for it, by set-wise DELETEs (the ORM's cascade
    would load 100,000 enterprises and their relations first)."""
    from jiqun.clusters.models import Cluster
    from jiqun.dashboards.models import FigureSummary, SummaryState
    from jiqun.enterprises.models import Enterprise, Membership, Source
    from jiqun.monitoring.models import Report, ReportingPeriod, ReportRevision
    from jiqun.programmes.models import Programme

    programme = Programme.objects.get(code=NATIONAL_CODE)
    using = connection.alias
    FigureSummary.objects.filter(programme=programme)._raw_delete(using)
    SummaryState.objects.filter(programme=programme)._raw_delete(using)
    ReportRevision.objects.filter(report__period__programme=programme)._raw_delete(using)
    Report.objects.filter(period__programme=programme)._raw_delete(using)
    ReportingPeriod.indicators.through.objects.filter(reportingperiod__programme=programme)._raw_delete(using)
    ReportingPeriod.objects.filter(programme=programme)._raw_delete(using)
    # The generated enterprises are members of the programme's clusters only, and demo data.
    Enterprise.objects.filter(source=Source.DEMO, memberships__cluster__programme=programme)._raw_delete(using)
    Membership.objects.filter(cluster__programme=programme)._raw_delete(using)
    Cluster.regions.through.objects.filter(cluster__programme=programme)._raw_delete(using)
    Cluster.objects.filter(programme=programme).delete()  # 500 rows: the ORM cascades whatever else refers to them
    programme.delete()


def _prerequisites() -> None:
    from jiqun.accounts.models import User
    from jiqun.programmes.models import Indicator
    from jiqun.programmes.packs import indicators_parse
    from jiqun.programmes.services import indicators_install
    from jiqun.regions.models import Region
    from jiqun.regions.services import regions_load

    if not Region.objects.filter(level="county").exists():
        regions_load()
    if Indicator.objects.filter(code__in=FLOWS + STOCKS + REGION_INDICATORS).count() < len(FLOWS + STOCKS + REGION_INDICATORS):
        indicators_install(actor=None, specs=indicators_parse())
    if not User.objects.filter(username="sheng").exists():
        from jiqun.core.demo import demo_users_create

        demo_users_create()


def _clusters(size: NationalSize, rng: random.Random):
    from jiqun.clusters.models import Cluster, ClusterStatus
    from jiqun.programmes.models import Programme
    from jiqun.regions.models import Region

    first_year = quarters_ending(size.quarters)[0][0]
    programme = Programme.objects.create(
        code=NATIONAL_CODE, name=NATIONAL_NAME, document_title="全国规模演示数据（生成数据，非真实文件）",
        issuer="演示", source_file="-", scope="province", period_start=first_year, period_end=LAST_YEAR + 2,
        tiers=["provincial"], pack_hash="-")
    cities = list(Region.objects.filter(level="city").order_by("code").values_list("code", "name"))
    counties: dict[str, list[str]] = {code: [] for code, _name in cities}
    for code, parent in Region.objects.filter(level="county").order_by("code").values_list("code", "parent_id"):
        counties[parent].append(code)
    placed = []
    for n in range(size.clusters):
        city, city_name = cities[n % len(cities)]
        county = rng.choice(counties[city]) if counties[city] else city
        industry = INDUSTRIES[rng.randrange(len(INDUSTRIES))]
        placed.append((f"national-{n:04d}", f"{city_name}{industry}产业集群{n:04d}（演示）", industry, county))
    clusters = Cluster.objects.bulk_create(
        [Cluster(programme=programme, code=code, name=name, industry=industry, tier="provincial",
                 status=ClusterStatus.RECOGNISED, clause="演示数据") for code, name, industry, _county in placed],
        batch_size=1000)
    Cluster.regions.through.objects.bulk_create(
        [Cluster.regions.through(cluster_id=c.pk, region_id=county) for c, (*_rest, county) in zip(clusters, placed, strict=True)],
        batch_size=1000)
    return programme, [(c.pk, county) for c, (*_rest, county) in zip(clusters, placed, strict=True)]


def _enterprises(size: NationalSize, clusters: list[tuple[int, str]], rng: random.Random) -> int:
    """`size.enterprises` enterprises, each a member of one cluster and located in its county."""
    from jiqun.enterprises.models import Enterprise, Membership, Source
    from jiqun.monitoring.importer.store import bulk_cache, insert_rows, table_of

    per, extra = divmod(size.enterprises, len(clusters))
    owner = [cluster for n, cluster in enumerate(clusters) for _ in range(per + (n < extra))]
    rows = [(f"演示企业{n:06d}", county, "C" + str(rng.randint(13, 43))) for n, (_pk, county) in enumerate(owner)]
    before = Enterprise.objects.aggregate(last=Max("pk"))["last"] or 0
    with connection.cursor() as cursor, bulk_cache(cursor):
        table, columns = table_of(Enterprise, ["name", "region", "industry_code", "full_name", "clause", "source",
                                               "version"])
        insert_rows(cursor, table, columns, rows, ("", "演示数据", Source.DEMO.value, 1))
        made = list(Enterprise.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
        assert len(made) == len(owner), "the enterprises inserted are not the ones read back"
        seen: dict[int, int] = {}
        members = []
        for enterprise, (cluster, _county) in zip(made, owner, strict=True):
            rank = seen[cluster] = seen.get(cluster, -1) + 1
            members.append((enterprise, cluster, ROLES[rank] if rank < len(ROLES) else rng.choice(ROLES[3:])))
        table, columns = table_of(Membership, ["enterprise", "cluster", "role", "source"])
        insert_rows(cursor, table, columns, members, (Source.DEMO.value,))
    return len(made)


def _yearly(rng: random.Random, years: range) -> dict[int, dict[str, int]]:
    """One cluster's 1-12月 flows and year-end stocks for each year (and the year before the first, its 上年同期)."""
    revenue = rng.randint(50, 3000) * 10_000  # 亿元 → 万元
    growth = rng.uniform(0.96, 1.14)
    profit, rd, output = rng.uniform(0.02, 0.09), rng.uniform(0.015, 0.04), rng.uniform(1.02, 1.12)
    hightech = rng.uniform(0.2, 0.7)
    employees = rng.randint(5_000, 150_000)
    researchers, platforms, new = rng.uniform(0.05, 0.15), rng.randint(2, 60), rng.randint(3, 60)
    result = {}
    for year in years:
        scale = growth ** (year - years[0])
        value = revenue * scale
        result[year] = {
            "revenue": int(value), "operating_revenue": int(value * 1.05), "profit": int(value * profit),
            "new_enterprises": new + (year - years[0]) % 5, "rd_expenditure": int(value * rd),
            "output_value": int(value * output), "hightech_output": int(value * output * hightech),
            "employees": int(employees * scale), "researchers": int(employees * scale * researchers),
            "tech_platforms": platforms + (year - years[0]),
        }
    return result


def _quarter_entries(years: dict[int, dict[str, int]], year: int, quarter: int) -> list[tuple[str, str, str]]:
    """A quarter's report: (code, 本期累计, 上年同期), flows year-to-date."""
    share = FLOW_SHARE[quarter]
    now, before = years[year], years[year - 1]
    return [(code, str(int(now[code] * share)), str(int(before[code] * share))) for code in FLOWS] + [
        (code, str(now[code]), str(before[code])) for code in STOCKS]


def _region_entries(offset: Decimal, year: int, quarter: int) -> list[tuple[str, str, str]]:
    """规上工业企业研发投入强度 (%) of the province (about 2.36 in 2025, 0.12 point a year more) or of a city
    (the province's plus the city's `offset`)."""
    def of(y: int) -> str:
        return str(Decimal("2.36") + offset + Decimal("0.12") * (y - 2025) + Decimal("0.02") * (quarter - 2))

    return [("region_rd_intensity", of(year), of(year - 1))]


def _reports(size: NationalSize, programme, clusters: list[tuple[int, str]], rng: random.Random) -> tuple[int, int]:
    from jiqun.monitoring.importer.store import bulk_cache, insert_rows, table_of
    from jiqun.monitoring.models import (
        PeriodStatus,
        Provenance,
        Report,
        ReportingPeriod,
        ReportRevision,
        ReportStatus,
    )
    from jiqun.monitoring.values import entries_json
    from jiqun.programmes.models import Indicator
    from jiqun.regions.models import PROVINCE_CODE, Region

    quarters = quarters_ending(size.quarters)
    years = range(quarters[0][0] - 1, LAST_YEAR + 1)
    series = {pk: _yearly(rng, years) for pk, _county in clusters}
    periods = ReportingPeriod.objects.bulk_create([
        ReportingPeriod(programme=programme, year=year, quarter=quarter, status=PeriodStatus.CLOSED,
                        deadline=datetime.date(year + (quarter == 4), quarter * 3 % 12 + 1, 20), opened_by="sheng")
        for year, quarter in quarters])
    indicators = list(Indicator.objects.filter(code__in=FLOWS + STOCKS + REGION_INDICATORS).values_list("pk", flat=True))
    through = ReportingPeriod.indicators.through
    through.objects.bulk_create([through(reportingperiod_id=p.pk, indicator_id=i) for p in periods for i in indicators])
    now = timezone.now()
    # The 综合表 of the province and of each city: their R&D intensity is what a city's 研发投入强度与全省差距 needs.
    cities = list(Region.objects.filter(level="city").order_by("code").values_list("code", flat=True))
    offsets = {PROVINCE_CODE: Decimal(0), **{code: Decimal(rng.randint(-80, 80)) / 100 for code in cities}}
    reports = Report.objects.bulk_create(
        [Report(period=p, cluster_id=pk, status=ReportStatus.PROVINCE_APPROVED,
                submitted_at=timezone.make_aware(datetime.datetime.combine(p.deadline - datetime.timedelta(days=3),
                                                                           datetime.time(10))))
         for p in periods for pk, _county in clusters]
        + [Report(period=p, region_id=code, status=ReportStatus.PROVINCE_APPROVED, submitted_at=now)
           for p in periods for code in offsets], batch_size=2000)
    period_of = {p.pk: (p.year, p.quarter) for p in periods}
    revisions = []
    for report in reports:
        year, quarter = period_of[report.period_id]
        entries = (_region_entries(offsets[report.region_id], year, quarter) if report.region_id
                   else _quarter_entries(series[report.cluster_id], year, quarter))
        revisions.append((report.pk, 1, entries_json(entries, "", 1)))
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor, bulk_cache(cursor):
        table, columns = table_of(ReportRevision, ["report", "number", "figures", "provenance", "actor_name", "at"])
        insert_rows(cursor, table, columns, revisions, (Provenance.DEMO.value, "sheng_tj", stamp))
    return len(reports), len(revisions)
