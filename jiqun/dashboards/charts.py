"""A chart as data: what a dashboard draws, what its "下载数据" button gives back, from one object.

A page's selector builds `Chart`s from figures it read (never from anything drawn); the template includes
`dashboards/_chart.html`, which puts the chart's JSON in a data attribute (the pages carry no inline script:
CSP) for `dashboards/charts.js` to draw with ECharts, a "下载数据" link (`?chart=<key>`, the same Chart as .xlsx,
audited as an export) and a "下载图片" button (the drawn chart as PNG, made in the browser).

Kinds: "bar" (categories on x), "hbar" (categories on y), "stack" (stacked bars), "line", "pie", "funnel",
"radar" and "map" (categories are map region names; drawn by dashboards/map.js). A value of None is drawn as
a gap and written as "—": missing is never zero.
"""

import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import xlsx_response
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text

KINDS = frozenset({"bar", "hbar", "stack", "line", "pie", "funnel", "radar", "map"})


@dataclass
class Series:
    name: str
    values: list[Decimal | float | int | None]
    unit: str = ""


@dataclass
class Chart:
    key: str  # unique on its page: the ?chart= of its data download and the element id
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    unit: str = ""
    links: list[str | None] = field(default_factory=list)  # per category: the page a click opens
    note: str = ""  # where the numbers come from, shown under the chart and written into the workbook
    height: int = 320
    extra: dict = field(default_factory=dict)  # kind-specific options (a map's name, a radar's maxima)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"series {series.name!r} has {len(series.values)} values for "
                                 f"{len(self.categories)} categories")

    @property
    def empty(self) -> bool:
        return not self.categories or all(v is None for s in self.series for v in s.values)

    def as_json(self) -> str:
        def plain(value):
            return None if value is None else float(value)

        return json.dumps({
            "key": self.key, "title": self.title, "kind": self.kind, "categories": self.categories,
            "series": [{"name": s.name, "values": [plain(v) for v in s.values], "unit": s.unit or self.unit}
                       for s in self.series],
            "unit": self.unit, "links": self.links, "extra": self.extra,
        }, ensure_ascii=False)

    def as_xlsx(self) -> bytes:
        """The chart's numbers as a workbook: one row per category, one column per series, the source below."""
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
        head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
        number = book.add_format({"num_format": "#,##0.####"})
        sheet = book.add_worksheet(_("图表数据"))
        sheet.write_string(0, 0, safe_text(self.title))
        header = [_("项目"), *[_("%(name)s（%(unit)s）") % {"name": s.name, "unit": s.unit or self.unit}
                               if (s.unit or self.unit) else s.name
                               for s in self.series]]
        for col, text in enumerate(header):
            sheet.write_string(1, col, safe_text(text), head)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, len(header), 16)
        for r, category in enumerate(self.categories, start=2):
            sheet.write_string(r, 0, safe_text(category))
            for c, series in enumerate(self.series, start=1):
                value = series.values[r - 2]
                if value is None:
                    sheet.write_string(r, c, "—")
                else:
                    # 12 significant digits: a computed score's binary noise (94.37430000000001) is not a figure.
                    sheet.write_number(r, c, float(f"{float(value):.12g}"), number)
        last = len(self.categories) + 3
        if self.note:
            sheet.write_string(last, 0, safe_text(_("数据来源：%(note)s") % {"note": self.note}))
        sheet.write_string(last + 1, 0, _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
        book.close()
        return output.getvalue()


def chart_download(request: HttpRequest, charts: list[Chart], *, subject: str) -> HttpResponse | None:
    """The workbook of the chart named by ?chart=, audited as an export; None when the request asks for none.

    A key that names no chart on the page is answered with 404 by the caller's `Http404`."""
    key = request.GET.get("chart")
    if not key:
        return None
    from django.http import Http404

    chart = next((c for c in charts if c.key == key), None)
    if chart is None:
        raise Http404(_("本页没有名为“%(key)s”的图表") % {"key": key[:40]})
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="dashboards.chart", object_id=key[:64],
                 object_repr=f"{subject} · {chart.title}"[:200])
    return xlsx_response(chart.as_xlsx(), f"{subject}-{chart.title}-{timezone.localdate():%Y%m%d}.xlsx")
