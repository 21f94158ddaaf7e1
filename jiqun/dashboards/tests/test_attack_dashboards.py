"""The dashboards attacked as an outside tester would: other personas' objects, hostile parameters, names with
HTML or formulas, stale forms, stale stored figures and the English UI. Each test names what it tries."""

import json
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.db.models import Count

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster
from jiqun.clusters.services import cluster_change_regions, cluster_update
from jiqun.conftest import client_for, token_client
from jiqun.dashboards.models import FigureSummary, SavedComparison
from jiqun.dashboards.selectors import Summaries
from jiqun.dashboards.services import comparison_save
from jiqun.dashboards.tests.wb_helpers import open_period, reports_in, submitted
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import Report, ReportStatus
from jiqun.monitoring.services import report_approve_province, report_return
from jiqun.monitoring.tests.helpers import read_sheet
from jiqun.programmes.models import Programme
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db
JINING = "JN-2020-231"
CODES = ["revenue", "profit", "employees"]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _charts(html: str) -> list[dict]:
    return [json.loads(unescape(m)) for m in re.findall(r'data-jchart="([^"]*)"', html)]


def _compare_query(user: User, n: int = 2, programme: str = JINING, **more) -> str:
    subjects = [str(pk) for pk in Cluster.objects.for_user(user).filter(programme__code=programme)
                .order_by("pk").values_list("pk", flat=True)[:n]]
    assert len(subjects) == n
    return urlencode({"programme": programme, "kind": "cluster", "subjects": subjects, "indicators": CODES, **more},
                     doseq=True)


# --- hostile parameters ------------------------------------------------------------------------------------

HOSTILE = [
    "/dashboards/?year=99999999999999999999&quarter=-1", "/dashboards/?quarter=abc&quarter=2&year=2025&year=x",
    "/dashboards/?programme=%00", "/dashboards/regions/370800/?year=-7&quarter=99",
    "/dashboards/panels/?year=99999999999999999999", "/dashboards/panels/?year=2025&quarter=x",
    "/dashboards/panels/?region=%E2%80%AE%00", "/dashboards/panels/?year=2025&year=abc",
    "/dashboards/maps/?chart=%3Cscript%3Ealert(1)%3C/script%3E", "/dashboards/maps/..%2F..%2Fsettings.json",
    "/dashboards/compare/?saved=99999999999999999999999", "/dashboards/compare/?saved=-1",
    "/dashboards/compare/?programme=%00&kind=%00&subjects=%00&years=99999999999999999999&quarter=abc",
    "/dashboards/compare/?export=%3Cb%3E", "/dashboards/compare/?chart=x",
    "/dashboards/figures/99999999999999999999999/", "/?chart=%3Cb%3E&year=abc",
]


@pytest.mark.parametrize("name", ["rencheng", "jining", "qiye"])
def test_hostile_parameters_get_a_message_or_404_never_a_500(name):
    client = client_for(_user(name))
    for url in HOSTILE:
        response = client.get(url)
        assert response.status_code in (200, 302, 400, 404), url
        assert b"<script>alert(1)" not in response.content, url


def test_eleven_subjects_and_a_quarter_of_five_are_refused_by_name():
    sheng = _user("sheng")
    query = _compare_query(sheng, 11, programme="SD-2023-185", quarter=5)
    response = client_for(sheng).get(f"/dashboards/compare/?{query}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "最多可选 10 个对比对象" in text and "不是可选的报告期" in text and "data-jchart" not in text


def test_a_chart_key_naming_no_chart_of_the_page_is_404_and_is_not_audited():
    from jiqun.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    response = client_for(_user("jining")).get("/dashboards/maps/?chart=%3Cimg%20src%3Dx%3E")
    assert response.status_code == 404 and b"<img src=x>" not in response.content
    assert AuditEvent.objects.count() == before


# --- other personas' objects ---------------------------------------------------------------------------------

def test_another_users_saved_comparison_cannot_be_opened_nor_deleted():
    jining, jinan = _user("jining"), _user("jinan")
    programme = Programme.objects.get(code=JINING)
    summaries = Summaries(jining, programme)
    subjects = [str(pk) for pk in Cluster.objects.for_user(jining).filter(programme=programme)
                .values_list("pk", flat=True)[:2]]
    saved = comparison_save(actor=jining, name="济宁两集群", programme=programme, kind="cluster", subjects=subjects,
                            indicators=CODES, years=[summaries.latest()[0]], quarter=summaries.latest()[1])
    other = client_for(jinan)
    assert other.get(f"/dashboards/compare/?saved={saved.pk}").status_code == 404
    assert other.post(f"/dashboards/compare/saved/{saved.pk}/delete/").status_code == 404
    assert SavedComparison.objects.filter(pk=saved.pk).exists()
    assert "济宁两集群" not in other.get("/dashboards/compare/").content.decode()


def test_a_city_cannot_compare_another_citys_clusters_or_totals_by_id():
    jinan = _user("jinan")
    query = _compare_query(_user("jining"), 2)
    text = client_for(jinan).get(f"/dashboards/compare/?{query}").content.decode()
    assert "不是您可以对比的对象" in text and "data-jchart" not in text
    regions = urlencode({"programme": JINING, "kind": "region", "subjects": ["370800"], "indicators": CODES},
                        doseq=True)
    text = client_for(jinan).get(f"/dashboards/compare/?{regions}").content.decode()
    assert "data-jchart" not in text


def test_the_map_counts_only_the_cities_the_user_sees():
    jinan = _user("jinan")
    chart = _charts(client_for(jinan).get("/dashboards/maps/").content.decode())[0]
    values = dict(zip(chart["categories"], chart["series"][0]["values"], strict=True))
    jinan_city = Region.objects.get(code="370100").name
    jining_city = Region.objects.get(code="370800").name
    assert values[jining_city] is None and values[jinan_city] is not None
    for name in ("qiye", "zhuanjia", "xitong"):
        chart = _charts(client_for(_user(name)).get("/dashboards/maps/").content.decode())
        assert not chart or all(v in (None, 0) for v in chart[0]["series"][0]["values"])


# --- names with HTML or a formula ----------------------------------------------------------------------------

def test_a_cluster_named_with_html_and_a_formula_is_escaped_in_pages_and_text_in_workbooks():
    sheng, jining = _user("sheng"), _user("jining")
    cluster = Cluster.objects.for_user(jining).filter(programme__code=JINING).order_by("pk").first()
    evil = '=HYPERLINK("http://x")<img src=x onerror=alert(1)>'
    cluster_update(actor=sheng, cluster=cluster, name=evil)
    client = client_for(jining)
    query = _compare_query(jining, 2)
    for url in (f"/clusters/{cluster.pk}/", f"/dashboards/compare/?{query}"):
        html = client.get(url).content.decode()
        assert "<img src=x" not in html, url
    charts = _charts(client.get(f"/dashboards/compare/?{query}").content.decode())
    assert evil in charts[0]["categories"]  # the name as data; charts.js escapes it in tooltips
    book = client.get(f"/dashboards/compare/?{query}&export=xlsx")
    cells = [c for row in read_sheet(book.content, "对比") for c in row if isinstance(c, str)]
    assert "'" + evil in cells and evil not in cells
    chart = client.get(f"/dashboards/compare/?{query}&chart=ind-1")
    cells = [c for row in read_sheet(chart.content, "图表数据") for c in row if isinstance(c, str)]
    assert "'" + evil in cells and evil not in cells


# --- stale forms ---------------------------------------------------------------------------------------------

def test_bulk_approval_of_a_report_another_officer_just_returned_changes_nothing():
    period = open_period(jining=2, jinan=0)
    first, second = (submitted(r, _user("rencheng")) for r in reports_in(period, "任城"))
    report_return(actor=_user("jining"), report=first, reason="数据有误，请核实")
    response = client_for(_user("jining")).post("/dashboards/workbench/approve/",
                                                 {"reports": [first.pk, second.pk]})
    assert response.status_code == 200
    text = response.content.decode()
    assert "可能已被他人处理" in text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ReportStatus.RETURNED and second.status == ReportStatus.CITY_APPROVED


def test_saving_a_comparison_twice_under_one_name_keeps_one():
    jining = _user("jining")
    client = client_for(jining)
    summaries = Summaries(jining, Programme.objects.get(code=JINING))
    year, quarter = summaries.latest()
    data = {"name": "重复保存", "programme": JINING, "kind": "cluster", "indicators": CODES, "years": [year],
            "quarter": quarter, "subjects": [str(pk) for pk in Cluster.objects.for_user(jining)
                                             .filter(programme__code=JINING).values_list("pk", flat=True)[:2]]}
    client.post("/dashboards/compare/save/", data)
    page = client.post("/dashboards/compare/save/", data, follow=True)
    assert "您已有名为“重复保存”的对比" in page.content.decode()
    assert SavedComparison.objects.filter(owner=jining, name="重复保存").count() == 1


# --- stored figures at the next read -------------------------------------------------------------------------

def _waiting_row(programme: Programme):
    report = Report.objects.filter(period__programme=programme, status=ReportStatus.CITY_APPROVED,
                                   cluster__isnull=False).order_by("pk").first()
    row = FigureSummary.objects.get(programme=programme, kind="cluster", cluster=report.cluster, code="revenue",
                                    year=report.period.year, quarter=report.period.quarter)
    return report, row


def test_a_figure_page_opened_after_an_approval_shows_the_new_figure_not_the_stored_old_one():
    programme = Programme.objects.get(code=JINING)
    report, old = _waiting_row(programme)
    assert not old.complete
    report_approve_province(actor=_user("sheng"), report=report)
    figures = ApprovedFigures(programme)
    total = figures.total(figures.cluster(report.cluster_id), "revenue", old.year, old.quarter)
    page = client_for(_user("jining")).get(f"/dashboards/figures/{old.pk}/", follow=True)
    assert page.status_code == 200
    value = re.search(r'id="figure-value">([^<]*)<', page.content.decode()).group(1)
    assert total.complete and "无完整数据" not in value and f"{total.current:,.2f}" in value


def test_a_figure_page_of_a_row_gone_with_its_subject_is_404():
    programme = Programme.objects.get(code=JINING)
    row = FigureSummary.objects.filter(programme=programme, kind="cluster").order_by("pk").first()
    pk = row.pk
    FigureSummary.objects.filter(pk=pk).delete()
    assert client_for(_user("sheng")).get(f"/dashboards/figures/{pk}/").status_code == 404


def test_moving_a_cluster_to_another_city_moves_its_figures_in_the_totals_and_in_who_sees_them():
    programme = Programme.objects.get(code=JINING)
    sheng, jinan = _user("sheng"), _user("jinan")
    row = FigureSummary.objects.filter(programme=programme, kind="cluster", code="revenue", complete=True,
                                       cluster__regions__code__startswith="3708").order_by("-year", "-quarter",
                                                                                          "pk").first()
    cluster = row.cluster
    assert not Summaries(jinan, programme).at("cluster", cluster.pk, "revenue", row.year, row.quarter)
    cluster_change_regions(actor=sheng, cluster=cluster, regions=[Region.objects.get(code="370102")],
                           basis="测试：迁入历下区")
    seen = Summaries(jinan, programme)
    moved = seen.at("cluster", cluster.pk, "revenue", row.year, row.quarter)
    assert moved is not None and moved.current == row.current
    figures = ApprovedFigures(programme)
    for code in ("370100", "370800"):
        stored = Summaries(sheng, programme).at("region", code, "revenue", row.year, row.quarter)
        total = figures.total(figures.region(code), "revenue", row.year, row.quarter)
        assert (stored.current if stored else None) == total.current, code
    page = client_for(jinan).get(f"/clusters/{cluster.pk}/")
    assert page.status_code == 200


# --- the English UI ------------------------------------------------------------------------------------------

def test_the_english_ui_renders_every_dashboard_page():
    jining = _user("jining")
    client = client_for(jining)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cluster = Cluster.objects.for_user(jining).filter(programme__code=JINING).order_by("pk").first()
    row = FigureSummary.objects.for_user(jining).filter(complete=True).first()
    for url in ("/", "/dashboards/", "/dashboards/regions/370800/", "/dashboards/panels/", "/dashboards/maps/",
                f"/dashboards/compare/?{_compare_query(jining, 3)}", f"/clusters/{cluster.pk}/",
                row.source_url, "/dashboards/workbench/approve/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Content-Language", "en") == "en", url


# --- the bulk approval API -----------------------------------------------------------------------------------

def _statuses() -> dict[str, int]:
    return dict(Report.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))


@pytest.mark.parametrize("body", [
    '{"reports": "abc"}', '{"reports": [1e400]}', '{"reports": [true]}', '{"reports": [99999999999999999999999]}',
    '{"reports": [null]}', '{"reports": [[1]]}', '{"reports": [-1, 0]}', '{"reports": [1], "comment": 5}',
    '{"reports": [1], "comment": "\\u0000"}', '{"reports": []}', "not json", '{"reports": [1.5]}',
])
def test_the_bulk_api_answers_bad_bodies_with_a_message_and_changes_nothing(body):
    before = _statuses()
    response = token_client(_user("jining")).post("/api/v1/reports/approve-bulk", body,
                                                  content_type="application/json")
    assert response.status_code in (200, 400, 422), (body, response.status_code)
    if response.status_code == 200:
        assert not response.json()["approved"], body
    else:
        assert response.content and response.json(), body
    assert _statuses() == before


# --- links drawn on charts open for the user they were drawn for ---------------------------------------------

@pytest.mark.parametrize("name", ["rencheng", "jiqun_org", "lianzhang"])
def test_every_region_a_map_links_to_opens_for_its_user(name):
    user = _user(name)
    client = client_for(user)
    chart = _charts(client.get("/dashboards/maps/").content.decode())[0]
    links = {link for link in chart["links"] if link}
    for link in links:
        assert client.get(link).status_code == 200, link


def _chart_links(client, url: str) -> set[str]:
    """One link of each shape drawn on the page's charts (ids aside, region codes kept): each opened once."""
    response = client.get(url)
    assert response.status_code == 200, url
    links = sorted({link for chart in _charts(response.content.decode()) for link in chart.get("links") or [] if link})
    return set({re.sub(r"(?<!\d)(\d{1,5}|\d{7,})(?!\d)", "N", link): link for link in links}.values())


@pytest.mark.parametrize("name", ["rencheng", "jiqun_org"])
def test_every_link_on_the_panels_and_cluster_page_charts_opens_for_its_user(name):
    user = _user(name)
    client = client_for(user)
    cluster = Cluster.objects.for_user(user).order_by("pk").first()
    links = _chart_links(client, f"/clusters/{cluster.pk}/")
    if name != "jiqun_org":
        links |= _chart_links(client, "/dashboards/panels/")
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_every_link_on_the_overview_charts_opens_for_its_user():
    client = client_for(_user("rencheng"))
    for link in sorted(_chart_links(client, "/dashboards/")):
        assert client.get(link).status_code == 200, link
