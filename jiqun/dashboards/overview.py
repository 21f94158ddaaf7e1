"""The province / city / county overview: what a leader sees at a glance, built here so the view stays thin.

Figures come only from `Summaries` (the approved-figures selector's stored copy); counts of clusters and
enterprises from the registries; target progress from the targets app's own selector (`target_rows`), never
recomputed; the local supporting rate from the chains app (`jiqun.chains.analysis.area_rates`). Who may open
which region is `jiqun.accounts.scoping.sees_region_totals`.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.cache import cache
from django.db.models import Func, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jiqun.accounts.scoping import sees_region_totals
from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.core.forms import TextRuleMixin
from jiqun.dashboards.charts import Chart, Series
from jiqun.dashboards.models import FigureSummary, SummaryState
from jiqun.dashboards.selectors import Summaries, figure_url
from jiqun.enterprises.models import Enterprise, Honour, HonourKind, MemberRole
from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.selectors import change_text
from jiqun.programmes.models import Indicator, Programme
from jiqun.regions.models import PROVINCE_CODE, Region, RegionLevel, scope_prefix

NO_TIER = "none"
TIER_CHOICES = [*Tier.choices, (NO_TIER, gettext_lazy("未定"))]
MAP_CHOICES = [("clusters", gettext_lazy("集群数（名录）")), ("revenue", gettext_lazy("营业收入")),
               ("growth", gettext_lazy("营业收入同比增速")), ("local_rate", gettext_lazy("本地配套率"))]
REVENUE_CODES = ("operating_revenue", "revenue")
KPI_CODES = (*REVENUE_CODES, "profit", "employees", "rd_expenditure", "rd_intensity")
AMOUNT_UNIT = "万元"
# The province's "3830" programme: its cluster-count (T01–T03) and scale-tier (T04…) targets.
TARGETS_PROGRAMME = "SD-2023-185"
SCALE_INDICATORS = ("count_clusters", "count_clusters_over")


# --- the cache --------------------------------------------------------------------------------------

# Bound on how long a write that bypasses the services (a shell, a migration, a management command writing
# without an audit event) can stay unseen; every other change makes a new key at once.
CACHE_SECONDS = 300


def data_state() -> tuple:
    """What the overview's answer depends on besides its parameters, the user and the day: the newest audit
    event (every write through a service, the admin site included, leaves one in its transaction, so any change
    to a registry, target, project or chain the page counts moves it) and the programmes' summaries states
    (`SummaryState.changes` only grows, by one per approval or correction, and the first read after it rebuilds
    the summaries: their sum and count move whenever any of them does; a programme deleted is an audit event).
    One query of four indexed scalar subqueries. Read it BEFORE building what is cached: data committed meanwhile
    can only make the cached answer newer than its key, never older."""
    from jiqun.audit.models import AuditEvent

    states = SummaryState.objects.order_by()
    found = AuditEvent.objects.order_by("-pk").values_list(
        "pk", "at",
        Subquery(states.annotate(total=Func("changes", function="SUM")).values("total")),
        Subquery(states.annotate(count=Func("programme_id", function="COUNT")).values("count")),
    ).first()
    if found is None:  # no audit event yet (an empty database): the states alone
        return None, tuple(SummaryState.objects.order_by("programme_id").values_list("programme_id", "changes"))
    return found


def cached(state: tuple, user, parts: tuple, build: Callable):
    """`build()` kept in Django's cache under the data state, the user (its scope), the language (the values
    hold translated text), today (target progress is as of today) and `parts`."""
    text = repr(("overview", state, user.pk, get_language(), timezone.localdate().isoformat(), parts))
    key = "jiqun:overview:" + hashlib.sha256(text.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = (build(),)  # a 1-tuple: a cached None is a hit too
        cache.set(key, found, CACHE_SECONDS)
    return found[0]


# --- filters -----------------------------------------------------------------------------------------

def reporting_programmes() -> list[Programme]:
    """The programmes that have reporting periods (the only ones with figures)."""
    return list(Programme.objects.filter(pk__in=ReportingPeriod.objects.values("programme")).order_by("code"))


def period_value(year: int, quarter: int) -> str:
    return f"{year}-{quarter}"


def period_label(year: int, quarter: int) -> str:
    """2026年1-9月 (Jan–Sep 2026 in English), as the reporting period names itself."""
    from jiqun.monitoring.models import period_name

    return period_name(year, quarter)


class OverviewFilterForm(TextRuleMixin, forms.Form):
    """The overview's filters; a bad value is reported on its field and that field falls back to its default."""

    programme = forms.ChoiceField(label=gettext_lazy("培育工程"), required=False)
    period = forms.CharField(label=gettext_lazy("报告期"), required=False, max_length=10,
                             widget=forms.Select(choices=[]))
    city = forms.ChoiceField(label=gettext_lazy("城市"), required=False)
    tier = forms.ChoiceField(label=gettext_lazy("集群层级"), required=False,
                             choices=[("", gettext_lazy("全部层级")), *TIER_CHOICES])
    map = forms.ChoiceField(label=gettext_lazy("地图指标"), required=False, choices=MAP_CHOICES)

    def __init__(self, data, *, programmes: list[Programme], cities: list[Region]) -> None:
        super().__init__(data)
        self.fields["programme"].choices = [(p.code, p.name) for p in programmes]
        self.fields["programme"].error_messages["invalid_choice"] = _(
            "培育工程“%(value)s”不存在或没有报告期，请从列表中选择")
        self.fields["tier"].error_messages["invalid_choice"] = _("集群层级“%(value)s”不是可选的层级")
        self.fields["map"].error_messages["invalid_choice"] = _("地图指标“%(value)s”不是可选的指标")
        if cities:
            self.fields["city"].choices = [("", _("全省")), *((c.code, c.name) for c in cities)]
            self.fields["city"].error_messages["invalid_choice"] = _(
                "城市“%(value)s”不是本省可查看的城市，请从列表中选择")
        else:
            del self.fields["city"]

    def set_periods(self, periods: list[tuple[int, int]], chosen: tuple[int, int] | None) -> None:
        """The periods of the chosen programme (known only once the programme is)."""
        self.fields["period"].widget.choices = [(period_value(*p), period_label(*p)) for p in periods]
        if chosen:
            self.initial["period"] = period_value(*chosen)


def parse_period(form: OverviewFilterForm, periods: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The period the form asks for, if it is one with data; a bad one is reported on the field."""
    text = (getattr(form, "cleaned_data", {}) or {}).get("period") or ""
    if not text:
        return None
    year, _sep, quarter = text.partition("-")
    if year.isdigit() and quarter.isdigit() and (int(year), int(quarter)) in periods:
        return int(year), int(quarter)
    form.add_error("period", _("报告期“%(value)s”没有该工程已审核的数据，请从列表中选择") % {"value": text[:20]})
    return None


def default_programme(user, region: Region, programmes: list[Programme],
                      periods: dict | None = None) -> Programme | None:
    """The programme with the newest complete figures the user sees, preferring a province-wide one on the
    province overview and the region's own (its city's) programme below it. Each programme's periods
    (`Summaries.periods`) are read once and, with `periods` given, left there by programme pk."""
    if not programmes:
        return None
    own = region.code[:4] + "00" if region.level != RegionLevel.PROVINCE else None

    def key(programme: Programme):
        preferred = (programme.scope_region_id is None if own is None
                     else programme.scope_region_id in (own, region.code))
        found = Summaries(user, programme).periods()
        if periods is not None:
            periods[programme.pk] = found
        latest = found[0] if found else None
        return preferred, latest is not None, latest or (0, 0)

    return max(programmes, key=key)


# --- the page's data ---------------------------------------------------------------------------------

@dataclass
class Kpi:
    label: str
    unit: str
    row: FigureSummary | None
    value: Decimal | None = None
    change: str = "—"
    url: str | None = None
    reason: str = ""
    amount: bool = False  # 万元 in the database: shown in 亿元
    note: str = ""

    @property
    def shown_unit(self) -> str:
        return _("亿元") if self.amount else self.unit


@dataclass
class ClusterRow:
    cluster: Cluster
    revenue: FigureSummary | None
    revenue_change: str
    profit: FigureSummary | None
    employees: FigureSummary | None


@dataclass
class Overview:
    region: Region
    programme: Programme | None
    period: tuple[int, int] | None
    tier: str
    map_indicator: str
    kpis: list[Kpi] = field(default_factory=list)
    clusters: list[ClusterRow] = field(default_factory=list)
    revenue_code: str | None = None
    charts: list[Chart] = field(default_factory=list)
    map_chart: Chart | None = None
    map_bar: Chart | None = None
    targets_chart: Chart | None = None
    target_programmes: list[dict] = field(default_factory=list)
    scale_rows: list = field(default_factory=list)
    echelon_chart: Chart | None = None
    panels: list[Chart] = field(default_factory=list)

    @property
    def map_rows(self) -> list[tuple[str, object, str | None]]:
        """The map's data as rows (name, value, link), for the table beside it."""
        chart = self.map_chart
        if chart is None:
            return []
        return list(zip(chart.categories, chart.series[0].values, chart.links, strict=True))

    @property
    def map_places(self) -> int:
        return 0 if self.map_indicator == "clusters" else 2

    @property
    def period_text(self) -> str:
        return period_label(*self.period) if self.period else ""


def region_overview_url(code: str) -> str:
    return reverse("dashboards:region", args=[code])


def child_regions(region: Region) -> list[Region]:
    """The cities of the province, or the counties of a city (a county has none)."""
    if region.level == RegionLevel.PROVINCE:
        return list(Region.objects.filter(level=RegionLevel.CITY, code__startswith=region.prefix).order_by("code"))
    if region.level == RegionLevel.CITY:
        return list(Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=region.prefix).order_by("code"))
    return []


def region_clusters(user, programme: Programme | None, region: Region, tier: str):
    """The programme's clusters (not exited) located in the region, as the user sees them, of one tier."""
    if programme is None:
        return Cluster.objects.none()
    clusters = Cluster.objects.for_user(user).filter(programme=programme).exclude(status=ClusterStatus.EXITED)
    if region.code != PROVINCE_CODE:  # the province holds every cluster, also those filed without a city
        clusters = clusters.filter(regions__code__startswith=region.prefix)
    if tier == NO_TIER:
        clusters = clusters.filter(tier="")
    elif tier:
        clusters = clusters.filter(tier=tier)
    return clusters.distinct().order_by("name")


def _reason(row: FigureSummary | None) -> str:
    if row is None:
        return _("该工程不采集此指标或尚无报表")
    return _("数据不完整：应报 %(m)s 份，审核通过 %(n)s 份") % {"m": row.expected, "n": row.reported}


def build_kpis(summaries: Summaries, region: Region, period: tuple[int, int] | None, indicators: dict,
               members: int) -> list[Kpi]:
    kpis = []
    codes = summaries.codes()
    rows = summaries.many("region", region.code, [c for c in KPI_CODES if c in codes], *period) if period else {}
    for code in KPI_CODES:
        if code not in codes:
            continue
        indicator = indicators.get(code)
        row = rows.get(code)
        unit = indicator.unit if indicator else ""
        kpi = Kpi(label=indicator.name if indicator else code, unit=unit, row=row, url=figure_url(row),
                  amount=unit == AMOUNT_UNIT)
        if row is not None and row.complete:
            kpi.value = row.value
            kpi.change = change_text(indicator, row) if indicator else "—"
        else:
            kpi.reason = _reason(row)
        kpis.append(kpi)
    kpis.append(Kpi(label=_("集群成员企业"), unit=_("家"), row=None, value=Decimal(members),
                    note=_("企业名录计数，非统计数")))
    return kpis


def build_cluster_rows(summaries: Summaries, clusters: list[Cluster], code: str | None, indicator,
                       period: tuple[int, int] | None) -> list[ClusterRow]:
    ids = [c.pk for c in clusters]
    if period and ids:
        revenue = summaries.column("cluster", code, *period, keys=ids) if code else {}
        profit = summaries.column("cluster", "profit", *period, keys=ids)
        employees = summaries.column("cluster", "employees", *period, keys=ids)
    else:
        revenue, profit, employees = {}, {}, {}
    rows = []
    for cluster in clusters:
        row = revenue.get(cluster.pk)
        change = change_text(indicator, row) if indicator and row is not None and row.complete else "—"
        rows.append(ClusterRow(cluster, row, change, profit.get(cluster.pk), employees.get(cluster.pk)))
    return rows


def local_rates(children: list[Region], year: int | None) -> dict[str, Decimal | None]:
    """Each city's 本地配套率 (%) from the chains app: the chains homed in it, the latest year up to `year`."""
    from jiqun.chains.analysis import area_rates, chains_of

    rates: dict[str, Decimal | None] = {}
    for region in children:
        if region.level != RegionLevel.CITY:
            rates[region.code] = None  # the chains app gives a rate for cities and the province only
            continue
        years = [a for a in area_rates(chains_of("city", region.code)) if a.rate is not None
                 and (year is None or a.year <= year)]
        rates[region.code] = years[-1].rate if years else None
    return rates


def build_map(user, summaries: Summaries | None, programme, region: Region, children: list[Region],
              period, tier: str, indicator_code: str, revenue_code: str | None) -> tuple[Chart | None, Chart | None]:
    """The map of the cities (or the counties of a city) for one indicator, and the same data as a bar chart."""
    if not children:
        return None, None
    codes = [r.code for r in children]
    names = [r.name for r in children]
    label = dict(MAP_CHOICES)[indicator_code]
    unit = ""
    note = ""
    if indicator_code == "clusters":
        values: list = []
        for child in children:
            values.append(region_clusters(user, programme, child, tier).count() if programme else None)
        unit, note = _("个"), _("集群名录计数（按所在区划，含层级筛选）")
    elif indicator_code == "local_rate":
        rates = local_rates(children, period[0] if period else None)
        values = [rates[c] for c in codes]
        unit, note = "%", _("产业链供应关系计算的本地配套率（各市牵头的产业链，截至所选年份的最新年度）")
    else:
        column = (summaries.column("region", revenue_code, *period, keys=codes)
                  if summaries and period and revenue_code else {})
        if indicator_code == "revenue":
            values = [None if column.get(c) is None or column[c].value is None else column[c].value / 10000
                      for c in codes]
            unit = _("亿元")
        else:
            values = [None if column.get(c) is None or column[c].yoy is None
                      else (column[c].yoy * 100).quantize(Decimal("0.1")) for c in codes]
            unit = "%"
        note = _("省级审核通过的统计数（%(period)s）；不完整的区划不显示") % {
            "period": period_label(*period) if period else "—"}
    links = [region_overview_url(c) if sees_region_totals(user, c) else None for c in codes]
    what = _("各市") if region.level == RegionLevel.PROVINCE else _("各县区")
    title = _("%(what)s%(label)s") % {"what": what, "label": label}
    series = [Series(str(label), values, unit)]
    map_name = "shandong" if region.level == RegionLevel.PROVINCE else region.code
    map_chart = Chart("map", title, "map", names, series, unit=unit, links=links, note=note, height=460,
                      extra={"map": map_name})
    bar = Chart("map_bar", title, "hbar", names, [Series(str(label), list(values), unit)], unit=unit, links=links,
                note=note, height=max(320, 26 * len(names)))
    return map_chart, bar


def _in_region(subject, region: Region, cluster_ids: set[int], zone_ids: set[int]) -> bool:
    if subject.kind in ("province", "city"):
        return subject.key.startswith(scope_prefix(region.code)) if region.code != PROVINCE_CODE else True
    if subject.kind == "cluster":
        return subject.key.isdigit() and int(subject.key) in cluster_ids
    if subject.kind == "park":
        return subject.key.isdigit() and int(subject.key) in zone_ids
    return region.code == PROVINCE_CODE


def build_targets(user, region: Region) -> tuple[Chart | None, list[dict], list]:
    """Per programme, the region's targets by status (the targets app's selector), and the province's
    "3830" cluster-count and scale-tier targets on the province overview."""
    from jiqun.regions.models import Zone
    from jiqun.targets.models import ProgressStatus
    from jiqun.targets.selectors import status_counts, target_rows

    keep = None
    if region.code != PROVINCE_CODE:  # only the region's subjects are assessed (the province holds them all)
        cluster_ids = set(Cluster.objects.filter(regions__code__startswith=region.prefix).values_list("pk", flat=True))
        zone_ids = set(Zone.objects.filter(region__code__startswith=region.prefix).values_list("pk", flat=True))

        def keep(subject) -> bool:
            return _in_region(subject, region, cluster_ids, zone_ids)

    rows = target_rows(user, as_of=timezone.localdate(), keep=keep)
    programmes = []
    for programme in Programme.objects.order_by("code"):
        mine = [r for r in rows if r.target.programme_id == programme.pk]
        if mine:
            programmes.append({"programme": programme, "total": len(mine), "counts": status_counts(mine),
                               "url": reverse("targets:programme", args=[programme.code])})
    chart = None
    if programmes:
        series = [Series(str(label), [p["counts"][i][2] for p in programmes], _("个"))
                  for i, (_value, label) in enumerate(ProgressStatus.choices)]
        chart = Chart("targets", _("各培育工程目标进展"), "stack", [p["programme"].name for p in programmes], series,
                      unit=_("个"), links=[p["url"] for p in programmes],
                      note=_("目标与督导模块的进度判断（截至今天）"), height=max(300, 40 * len(programmes) + 80))
    scale = []
    if region.code == PROVINCE_CODE:
        scale = [r for r in rows if r.target.programme.code == TARGETS_PROGRAMME and r.subject.kind == "province"
                 and r.target.indicator.code in SCALE_INDICATORS]
    return chart, programmes, scale


def build_echelon(members, year: int) -> Chart:
    """The member enterprises of the region's clusters by honour (registry counts)."""
    categories = [str(MemberRole.CHAIN_LEADER.label)]
    values = [members.filter(memberships__role=MemberRole.CHAIN_LEADER).distinct().count()]
    for kind, label in HonourKind.choices:
        honours = Honour.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=year), kind=kind,
                                        year__lte=year)
        categories.append(str(label))
        values.append(members.filter(pk__in=honours.values("enterprise")).count())
    return Chart("echelon", _("企业梯队"), "hbar", categories, [Series(_("企业数"), values, _("家"))], unit=_("家"),
                 note=_("企业名录计数：所列集群的成员企业中，%(year)s年有效的称号") % {"year": year},
                 height=340)


def build_overview(user, *, region: Region, programme: Programme | None, period: tuple[int, int] | None,
                   tier: str, map_indicator: str, only: str | None = None) -> Overview:
    """The whole page; with `only` (a chart's key, for its data download) just what that chart needs."""
    from jiqun.dashboards.panels import overview_panels

    def wanted(*keys: str) -> bool:
        return only is None or only in keys

    page = Overview(region, programme, period, tier, map_indicator)
    summaries = Summaries(user, programme) if programme else None
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=KPI_CODES)}
    clusters = list(region_clusters(user, programme, region, tier)) if wanted("echelon") else []
    members = Enterprise.objects.for_user(user).filter(memberships__cluster__in=[c.pk for c in clusters]).distinct()
    if summaries:
        codes = summaries.codes()
        page.revenue_code = next((c for c in REVENUE_CODES if c in codes), None)
        if only is None:
            page.kpis = build_kpis(summaries, region, period, indicators, members.count())
            page.clusters = build_cluster_rows(summaries, clusters, page.revenue_code,
                                               indicators.get(page.revenue_code), period)
    if wanted("map", "map_bar"):
        page.map_chart, page.map_bar = build_map(user, summaries, programme, region, child_regions(region), period,
                                                 tier, map_indicator, page.revenue_code)
    if wanted("targets"):
        page.targets_chart, page.target_programmes, page.scale_rows = build_targets(user, region)
    if wanted("echelon"):
        page.echelon_chart = build_echelon(members, period[0] if period else timezone.localdate().year)
    if programme is not None and only not in ("map", "map_bar", "targets", "echelon"):
        page.panels = overview_panels(user, programme=programme, region_code=region.code,
                                      year=period[0] if period else None, quarter=period[1] if period else None)
    page.charts = [c for c in (page.map_chart, page.map_bar, page.targets_chart, page.echelon_chart) if c]
    page.charts += page.panels
    return page
