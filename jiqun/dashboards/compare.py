"""Comparison of up to ten clusters or regions side by side: what may be compared, and the table, charts and
workbook of one comparison.

Every figure is a row of `jiqun.dashboards.selectors.Summaries` (the approved-figures selector's, stored), read
one indicator and one period at a time (`Summaries.column`) for the chosen subjects only; nothing is summed here.
Which subjects a user may compare is decided by the scoping rules: clusters by `Cluster.objects.for_user`, the
totals of a city or county by `jiqun.accounts.scoping.sees_region_totals` (a cluster organisation or a chain chief
compares only its clusters).
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.accounts.scoping import sees_region_totals
from jiqun.clusters.models import Cluster
from jiqun.dashboards.charts import Chart, Series
from jiqun.dashboards.models import ComparisonKind, FigureSummary, SubjectKind
from jiqun.dashboards.selectors import Summaries, figure_url
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text
from jiqun.monitoring.models import QUARTER_MONTHS, period_name
from jiqun.monitoring.selectors import change_text
from jiqun.programmes.models import Indicator, Programme
from jiqun.regions.models import Region, RegionLevel

QUARTER_LABELS = {**QUARTER_MONTHS, 4: gettext_lazy("全年")}


def comparable_programmes():
    """Programmes with at least one reporting period: the ones whose figures can be compared."""
    return Programme.objects.filter(periods__isnull=False).distinct().order_by("period_start", "code")


def period_label(year: int, quarter: int) -> str:
    """2025年1-9月, or 2025年全年 for the fourth quarter (figures are cumulative from January)."""
    if quarter == 4:
        return _("%(year)s年全年") % {"year": year}
    return period_name(year, quarter)


def subject_choices(user, summaries: Summaries, kind: str) -> list[tuple[str, str]]:
    """(key, name) of the subjects of `kind` the user may compare in the summaries' programme.

    Clusters: the programme's clusters the user sees. Regions: the cities and counties holding figures of the
    programme whose totals the user may see."""
    if kind == ComparisonKind.CLUSTER:
        clusters = Cluster.objects.for_user(user).filter(programme=summaries.programme).order_by("name", "pk")
        return [(str(pk), name) for pk, name in clusters.values_list("pk", "name")]
    if kind == ComparisonKind.REGION:
        codes = summaries.rows.filter(kind=SubjectKind.REGION).values("region_id")
        regions = Region.objects.filter(code__in=codes, level__in=[RegionLevel.CITY, RegionLevel.COUNTY])
        return [(code, name) for code, name in regions.order_by("code").values_list("code", "name")
                if sees_region_totals(user, code)]
    return []


def indicator_choices(summaries: Summaries) -> list[tuple[str, str]]:
    """(code, name) of the indicators the programme's summaries hold, in the catalogue's order."""
    codes = summaries.codes()
    named = list(Indicator.objects.filter(code__in=codes).values_list("code", "name"))
    unnamed = sorted(codes - {code for code, _name in named})
    return [*named, *((code, code) for code in unnamed)]


def year_choices(summaries: Summaries) -> list[int]:
    """Years with at least one complete figure the user sees, newest first."""
    return sorted({year for year, _quarter in summaries.periods()}, reverse=True)


@dataclass
class Subject:
    key: str
    name: str
    url: str | None = None


@dataclass
class Cell:
    """One subject's indicator in one period: the stored row (None when there is none)."""

    indicator: Indicator
    year: int
    row: FigureSummary | None

    @property
    def value(self) -> Decimal | None:
        return self.row.value if self.row is not None else None

    @property
    def status(self) -> str:
        """"" when there is a figure; 无数据 without a row; 未齐 when not every report is approved yet."""
        if self.row is None:
            return _("无数据")
        return "" if self.row.complete else _("未齐")

    @property
    def change(self) -> str:
        return change_text(self.indicator, self.row) if self.value is not None else "—"

    @property
    def url(self) -> str | None:
        return figure_url(self.row)


@dataclass
class Column:
    indicator: Indicator
    year: int
    quarter: int

    @property
    def label(self) -> str:
        return period_label(self.year, self.quarter)


@dataclass
class Comparison:
    programme: Programme
    kind: str
    subjects: list[Subject]
    indicators: list[Indicator]
    years: list[int]
    quarter: int
    columns: list[Column]
    rows: list[tuple[Subject, list[Cell]]]
    charts: list[Chart] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("%(programme)s %(kind)s对比") % {"programme": self.programme.name,
                                                 "kind": ComparisonKind(self.kind).label}

    def as_xlsx(self) -> bytes:
        """The whole table: one row per subject; per indicator and year the value and its 同比."""
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
        head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
        number = book.add_format({"num_format": "#,##0.####"})
        sheet = book.add_worksheet(_("对比"))
        sheet.write_string(0, 0, safe_text(self.title))
        header = [_("对比对象")]
        for column in self.columns:
            unit = _("（%(unit)s）") % {"unit": column.indicator.unit} if column.indicator.unit else ""
            header += [f"{column.indicator.name}{unit} {column.label}", f"{column.indicator.name} {column.label} {_('同比')}"]
        for col, text in enumerate(header):
            sheet.write_string(1, col, safe_text(text), head)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(header), 18)
        for r, (subject, cells) in enumerate(self.rows, start=2):
            sheet.write_string(r, 0, safe_text(subject.name))
            for c, cell in enumerate(cells):
                if cell.value is None:
                    sheet.write_string(r, 1 + 2 * c, cell.status)
                else:
                    sheet.write_number(r, 1 + 2 * c, float(cell.value), number)
                sheet.write_string(r, 2 + 2 * c, cell.change)
        last = len(self.rows) + 3
        sheet.write_string(last, 0, _("数据来源：各报送单位省级审核通过的统计数（未齐：尚有报表未审核通过）"))
        sheet.write_string(last + 1, 0, _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
        book.close()
        return output.getvalue()


def _subjects(user, kind: str, keys: list[str], choices: list[tuple[str, str]]) -> list[Subject]:
    names = dict(choices)
    return [Subject(key, names[key], reverse("clusters:detail", args=[key]) if kind == ComparisonKind.CLUSTER else None)
            for key in keys if key in names]


def comparison(user, *, summaries: Summaries, kind: str, subjects: list[str], indicators: list[str],
               years: list[int], quarter: int) -> Comparison:
    """The comparison of `subjects` (keys as text, already checked against `subject_choices`) on `indicators` in
    `years` (each at `quarter`), as `user` may see it."""
    chosen = _subjects(user, kind, subjects, subject_choices(user, summaries, kind))
    by_code = {i.code: i for i in Indicator.objects.filter(code__in=indicators)}
    chosen_indicators = [by_code.get(code) or Indicator(code=code, name=code, unit="") for code in indicators]
    years = sorted(set(years))
    columns = [Column(indicator, year, quarter) for indicator in chosen_indicators for year in years]
    keys = [int(s.key) for s in chosen] if kind == ComparisonKind.CLUSTER else [s.key for s in chosen]
    found: dict[tuple[str, int], dict] = {}
    for column in columns:
        rows = summaries.column(kind, column.indicator.code, column.year, quarter, keys=keys)
        found[(column.indicator.code, column.year)] = {str(key): row for key, row in rows.items()}
    table = [(subject, [Cell(c.indicator, c.year, found[(c.indicator.code, c.year)].get(subject.key)) for c in columns])
             for subject in chosen]
    result = Comparison(summaries.programme, kind, chosen, chosen_indicators, years, quarter, columns, table)
    result.charts = _charts(result)
    return result


def _charts(result: Comparison) -> list[Chart]:
    names = [s.name for s in result.subjects]
    note = _("省级审核通过的统计数（未齐或无数据的留空）")
    charts = []
    for i, indicator in enumerate(result.indicators):
        cells = [[cells[i * len(result.years) + j] for j in range(len(result.years))] for _s, cells in result.rows]
        series = [Series(period_label(year, result.quarter), [row[j].value for row in cells], indicator.unit)
                  for j, year in enumerate(result.years)]
        links = [next((c.url for c in reversed(row) if c.row is not None), None) for row in cells]
        charts.append(Chart(f"ind-{i + 1}", indicator.name, "bar", names, series, unit=indicator.unit, links=links,
                            note=note))
    if len(result.indicators) >= 3 and len(result.years) == 1:
        charts.append(_radar(result, names))
    return charts


def _score(value: Decimal | None, best: Decimal | None, direction: str) -> float | None:
    """The value as a share of the best subject's (best = 100); a negative value is drawn at 0."""
    if value is None or best is None or best <= 0:
        return None
    if direction == "down":
        return round(float(best / value * 100), 2) if value > 0 else None
    return round(max(float(value / best * 100), 0.0), 2)


def _radar(result: Comparison, names: list[str]) -> Chart:
    per_indicator = []
    for i, indicator in enumerate(result.indicators):
        values = [cells[i].value for _s, cells in result.rows]
        present = [v for v in values if v is not None]
        if indicator.direction == "down":
            positive = [v for v in present if v > 0]
            best = min(positive) if positive else None
        else:
            best = max(present) if present else None
        per_indicator.append([_score(v, best, indicator.direction) for v in values])
    series = [Series(name, [scores[s] for scores in per_indicator]) for s, name in enumerate(names)]
    return Chart("radar", _("多指标对比（%(period)s）") % {"period": period_label(result.years[0], result.quarter)},
                 "radar", [i.name for i in result.indicators], series, height=420, extra={"max": 100},
                 note=_("各指标以表现最好的对象为 100 折算（逆向指标以最小值为最好，负值按 0 绘制），原始数值见上表"))
