"""The reports as PDF (WeasyPrint), from HTML templates: formatting only (builders.py gathers).

A4 公文-like typography from reports/static/reports/report.css: the title in a 小标宋-like face, the body in a
仿宋-like face, headings in 黑体, each a CSS font-family list ending in Noto Serif/Sans CJK SC (Debian's
fonts-noto-cjk), so a server without the 方正 fonts falls back to Noto CJK; page numbers by @page counters;
tables break across pages with their header row repeated (thead is a table-header-group).

Nothing is fetched from the network: the only resources are the stylesheet, read from this app's static
directory, and the charts, PNG data URIs (charts.py). Any other URL a template might name is refused.
"""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import get_language
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from jiqun.reports.builders import Evaluation, OnePager, Quarterly
from jiqun.reports.charts import chart_png, data_uri

STATIC = Path(__file__).resolve().parent / "static"
EVALUATION, CLUSTER, QUARTERLY = "reports/pdf/evaluation.html", "reports/pdf/cluster.html", "reports/pdf/quarterly.html"


class LocalFetcher(URLFetcher):
    """Fetches data: URIs and files under this app's static directory; refuses everything else (http, https,
    ftp, another file) so a report never reaches the network."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            from urllib.parse import unquote, urlparse

            path = Path(unquote(urlparse(url).path)).resolve()
            if not path.is_relative_to(STATIC):
                raise ValueError(f"a report may only read its own static files, not {url}")
        return super().fetch(url, headers)


def html(template: str, context: dict) -> str:
    """The report's HTML in the active language (what WeasyPrint lays out)."""
    return render_to_string(template, {**context, "lang": "zh-CN" if (get_language() or "zh").startswith("zh")
                                       else "en"})


def render(template: str, context: dict) -> bytes:
    return HTML(string=html(template, context), base_url=STATIC.as_uri() + "/",
                url_fetcher=LocalFetcher()).write_pdf()


def evaluation_context(data: Evaluation) -> dict:
    return {"data": data}


def cluster_context(data: OnePager) -> dict:
    chart = data_uri(chart_png(data.chart)) if data.chart is not None and not data.chart.empty else None
    return {"data": data, "chart": chart}


def quarterly_context(data: Quarterly) -> dict:
    """The builder's charts drawn as PNG data URIs, by section, beside the data."""
    def drawn(items):
        return [(item, data_uri(chart_png(item.chart, width=6.14, height=None if item.chart.kind == "hbar" else 2.6,
                                          title=False))) for item in items]

    return {"data": data, "headline_charts": drawn(data.headline_charts), "cluster_charts": drawn(data.cluster_charts)}


def render_evaluation_pdf(data: Evaluation) -> bytes:
    """The annual evaluation report: the same sections as the Word one."""
    return render(EVALUATION, evaluation_context(data))


def render_cluster_pdf(data: OnePager) -> bytes:
    """The cluster one-pager, its trend chart drawn server-side from the builder's Chart."""
    return render(CLUSTER, cluster_context(data))


def render_quarterly_pdf(data: Quarterly) -> bytes:
    """The quarterly analysis: the same sections and charts as the Word one."""
    return render(QUARTERLY, quarterly_context(data))
