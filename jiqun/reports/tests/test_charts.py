"""The charts of the quarterly analysis (issue 15): the builder's Chart objects checked against the
approved-figures selector and the report's own tables; the Word file read back (an inline PNG per chart, at the
text width, with its caption 图N and source line); a period still missing reports draws gaps, never zeros.
(The PDF's charts: test_notice's quarterly PDF test, which renders it once.)"""

import io
import re
from decimal import Decimal

import pytest
from docx import Document
from docx.enum.shape import WD_INLINE_SHAPE
from PIL import Image

from jiqun.accounts.models import User
from jiqun.core.templatetags.jiqun import num
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.selectors import change_text
from jiqun.programmes.models import Indicator
from jiqun.reports import builders
from jiqun.reports.docx import TEXT_WIDTH, render_quarterly
from jiqun.reports.tests.test_reports import JINING, JN, _approved_period, _params

pytestmark = pytest.mark.django_db

LABEL = re.compile(r"(\d{4})年1-(\d{1,2})月")


def _plain(value: Decimal | None, precision: int) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(1).scaleb(-precision))


def _quarterly(user: User, period: ReportingPeriod) -> builders.Quarterly:
    return builders.quarterly(user, builders.parse(user, _params(period)))


def _pictures(document) -> list[tuple[object, bytes]]:
    """Each inline picture with the bytes of its image part."""
    out = []
    for shape in document.inline_shapes:
        embed = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        out.append((shape, document.part.related_parts[embed].blob))
    return out


def test_quarterly_charts_are_the_selectors_figures_and_the_tables():
    period = _approved_period(JN)
    jining = User.objects.get(username="jining")
    data = _quarterly(jining, period)
    assert [item.section for item in data.charts] == ["headline", "clusters"]
    trend, bars = data.charts
    revenue = Indicator.objects.get(code="revenue")
    figures = ApprovedFigures(period.programme)
    # The trend: 本年累计 and 上年同期 of the city, period by period up to the report's, each the approved figure
    # (None where it is not complete), and each period's 同比 as the pages word it.
    subject = figures.region(JINING)
    assert 2 <= len(trend.chart.categories) <= builders.TREND_PERIODS
    assert [s.name for s in trend.chart.series] == ["本年累计", "上年同期"] and trend.chart.unit == revenue.unit
    seen = []
    for index, category in enumerate(trend.chart.categories):
        label, change = category.split("\n")
        year, months = (int(g) for g in LABEL.fullmatch(label).groups())
        seen.append((year, months // 3))
        total = figures.total(subject, "revenue", year, months // 3)
        complete = total is not None and total.complete
        assert trend.chart.series[0].values[index] == (_plain(total.current, 2) if complete else None), label
        assert trend.chart.series[1].values[index] == (_plain(total.previous, 2) if complete else None), label
        assert change == (change_text(revenue, total) if complete else "—"), label
    assert seen == sorted(seen) and seen[-1] == (period.year, period.quarter)
    # Its last period is the headline table's figure and 同比.
    headline = next(line for line in data.headline if line.code == "revenue")
    assert num(trend.chart.series[0].values[-1], 2) == headline.text and category.endswith(headline.change)
    # The bars: one per row of the per-cluster table, in its order, the table's figure; 上年同期 the selector's.
    column = data.columns[0]
    assert bars.chart.categories == [row.name for row in data.clusters] and len(bars.chart.categories) >= 2
    for row, value, previous in zip(data.clusters, *(s.values for s in bars.chart.series), strict=True):
        cell = row.cells[column.code]
        assert num(value, column.precision) == cell.text
        cluster = next(c for c in builders._clusters(jining, builders.parse(jining, _params(period))) if c.name == row.name)
        total = figures.total(figures.cluster(cluster.pk), column.code, period.year, period.quarter)
        assert previous == (_plain(total.previous, column.precision) if total.complete else None)
    assert trend.caption.startswith("图1　") and bars.caption.startswith("图2　分集群")
    assert trend.source.startswith("数据来源：") and JN in trend.source


def test_the_word_file_holds_each_chart_as_a_png_with_caption_and_source():
    period = _approved_period(JN)
    data = _quarterly(User.objects.get(username="jining"), period)
    document = Document(io.BytesIO(render_quarterly(data)))
    pictures = _pictures(document)
    assert len(pictures) == len(data.charts) == 2
    for shape, blob in pictures:
        assert shape.type == WD_INLINE_SHAPE.PICTURE
        assert blob.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = Image.open(io.BytesIO(blob)).size
        assert 1000 <= width <= 2000 and 300 <= height <= width  # 200 dpi at the text width, wider than high
        assert abs(shape.width - TEXT_WIDTH) < TEXT_WIDTH / 100  # placed at the text width
        assert shape.height * width == pytest.approx(shape.width * height, rel=0.01)  # not distorted
    texts = [p.text for p in document.paragraphs]
    for item in data.charts:  # the caption under its picture, the source line under the caption
        at = texts.index(item.caption)
        assert document.paragraphs[at - 1]._p.xpath(".//pic:pic") and texts[at + 1] == item.source
    # Each chart follows its section's table: the trend before 二、, the bars before 三、.
    order = [t for t in texts if t.startswith(("图", "二、", "三、"))]
    assert [t[:2] for t in order] == ["图1", "二、", "图2", "三、"]


def test_a_period_still_missing_reports_draws_gaps_not_zeros():
    jining = User.objects.get(username="jining")
    figures = ApprovedFigures(ReportingPeriod.objects.filter(programme__code=JN).first().programme)
    period = next(p for p in ReportingPeriod.objects.filter(programme__code=JN).order_by("-year", "-quarter")
                  if not (t := figures.total(figures.region(JINING), "revenue", p.year, p.quarter)) or not t.complete)
    data = _quarterly(jining, period)
    trend = data.charts[0]
    assert trend.section == "headline" and trend.chart.categories[-1].startswith(str(period))
    assert trend.chart.series[0].values[-1] is None and trend.chart.series[1].values[-1] is None
    assert trend.chart.categories[-1].endswith("\n—")
    for item in data.charts:
        for series in item.chart.series:
            assert all(v is None or v != 0 for v in series.values)  # the demo has no real zero
    for item in data.charts[1:]:
        for row, value in zip(data.clusters, item.chart.series[0].values, strict=True):
            assert (value is None) == (row.cells[data.columns[0].code].text == "—")
    document = Document(io.BytesIO(render_quarterly(data)))  # gaps draw (NaN), no error
    assert len(_pictures(document)) == len(data.charts)
