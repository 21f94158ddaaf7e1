"""The province / city / county overview: its figures are the approved-figures selector's, each region is seen
only by who may see its totals, a bad filter is told and changes nothing, and a chart's data is the page's."""

import json
import re
from decimal import Decimal

import pytest

from jiqun.accounts.models import User
from jiqun.conftest import client_for
from jiqun.dashboards.overview import child_regions
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.tests.helpers import read_sheet
from jiqun.programmes.models import Programme
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db
JINING = "JN-2020-231"


def _get(username: str, url: str):
    return client_for(User.objects.get(username=username)).get(url)


def _chart(response, key: str) -> dict:
    """The chart as the page hands it to charts.js (the data attribute)."""
    found = re.search(rf'id="chart-{key}" class="chart-canvas" data-jchart="([^"]*)"', response.content.decode())
    assert found, f"no chart {key} on the page"
    from html import unescape

    return json.loads(unescape(found.group(1)))


def test_a_city_overviews_figures_are_the_approved_figures_of_the_city():
    response = _get("jining", "/dashboards/")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.region.code == "370800" and page.programme.code == JINING  # the city's own programme
    year, quarter = page.period
    figures = ApprovedFigures(Programme.objects.get(code=JINING))
    kpis = {k.row.code: k for k in page.kpis if k.row is not None}
    assert {"operating_revenue", "revenue", "profit", "employees"} <= set(kpis)
    for code in ("operating_revenue", "profit", "employees"):
        total = figures.total(figures.region("370800"), code, year, quarter)
        assert total.complete and kpis[code].value == total.current
        assert f'data-value="{total.current}"' in response.content.decode()
        assert f'href="{kpis[code].row.source_url.replace("&", "&amp;")}"' in response.content.decode()
    members = page.kpis[-1]
    assert "名录" in members.note and members.value > 0
    assert page.clusters and all(r.cluster.regions.filter(code__startswith="3708").exists() for r in page.clusters)
    cluster = page.clusters[0]
    if cluster.revenue is not None and cluster.revenue.complete:
        total = figures.total(figures.cluster(cluster.cluster.pk), page.revenue_code, year, quarter)
        assert cluster.revenue.value == total.current


def test_an_incomplete_figure_says_why():
    response = _get("jining", "/dashboards/?period=")
    page = response.context["page"]
    periods = sorted(set(response.context["page"].kpis[0].row.__class__.objects.filter(
        programme=page.programme, kind="region", region_id="370800", complete=False,
        code="operating_revenue").values_list("year", "quarter")))
    if not periods:
        pytest.skip("the demo has no incomplete quarter for Jining")
    year, quarter = periods[-1]
    # an incomplete quarter is not offered: asking for it is refused on the field and the latest is shown
    response = _get("jining", f"/dashboards/?period={year}-{quarter}")
    assert "没有该工程已审核的数据" in response.content.decode()


def test_who_opens_which_overview():
    assert _get("jinan", "/dashboards/regions/370800/").status_code == 404
    assert _get("jining", "/dashboards/regions/370800/").status_code == 200
    assert _get("jining", "/dashboards/regions/370811/").status_code == 200  # a county of its city
    assert _get("rencheng", "/dashboards/regions/370800/").status_code == 404  # the city above a county
    assert _get("sheng", "/dashboards/regions/370100/").status_code == 200
    response = _get("jiqun_org", "/dashboards/")
    cluster = User.objects.get(username="jiqun_org").clusters.order_by("pk").first()
    assert response.status_code == 302 and response["Location"] == f"/clusters/{cluster.pk}/"
    assert _get("jiqun_org", "/dashboards/regions/370800/").status_code == 404
    for name in ("qiye", "zhuanjia", "xitong", "shenji"):
        client = client_for(User.objects.get(username=name))  # one login: a second TOTP step would be a replay
        assert client.get("/dashboards/").status_code == 404
        assert client.get("/dashboards/regions/370000/").status_code == 404
    sheng = client_for(User.objects.get(username="sheng"))
    for code in ("abc", "37080", "999999", "370800%00"):
        assert sheng.get(f"/dashboards/regions/{code}/").status_code == 404


def test_the_navigation_offers_the_overview_to_business_roles_only():
    assert 'href="/dashboards/"' in _get("jining", "/").content.decode()
    assert 'href="/dashboards/"' in _get("lingdao", "/").content.decode()
    for name in ("qiye", "zhuanjia"):
        assert 'href="/dashboards/"' not in _get(name, "/").content.decode()


@pytest.mark.parametrize("query,message", [
    ("programme=NOPE", "培育工程“NOPE”不存在"),
    ("period=2099-9", "报告期“2099-9”没有该工程已审核的数据"),
    ("tier=golden", "集群层级“golden”不是可选的层级"),
    ("map=weather", "地图指标“weather”不是可选的指标"),
    ("city=110000", "城市“110000”不是本省可查看的城市"),
])
def test_a_bad_filter_is_told_and_the_default_shown(query, message):
    response = _get("sheng" if query.startswith("city") else "jining", f"/dashboards/?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page"].period is not None  # the defaults stand in for the bad value


def test_a_control_character_in_a_filter_is_refused_before_the_page():
    response = _get("sheng", "/dashboards/?period=abc%00")
    assert response.status_code == 400 and "period" in response.content.decode()


def test_the_province_map_has_the_sixteen_cities_and_a_city_map_its_counties():
    response = _get("sheng", f"/dashboards/?programme={JINING}&map=revenue")
    content = response.content.decode()
    chart = _chart(response, "map")
    cities = list(Region.objects.filter(level="city").order_by("code").values_list("name", flat=True))
    assert chart["kind"] == "map" and chart["extra"] == {"map": "shandong"}
    assert chart["categories"] == cities and len(cities) == 16
    assert chart["links"][cities.index("济宁市")] == "/dashboards/regions/370800/"
    page = response.context["page"]
    revenue = page.kpis[0].row.__class__.objects.get(programme=page.programme, kind="region", region_id="370800",
                                                      code=page.revenue_code, year=page.period[0],
                                                      quarter=page.period[1])
    assert Decimal(str(chart["series"][0]["values"][cities.index("济宁市")])) == (revenue.value / 10000).quantize(
        Decimal("0.0001")) or chart["series"][0]["values"][cities.index("济宁市")] == float(revenue.value / 10000)
    assert content.index("dashboards/charts.js") < content.index("dashboards/map.js")

    city = _get("jining", "/dashboards/?map=clusters")
    chart = _chart(city, "map")
    counties = [r.name for r in child_regions(Region.objects.get(code="370800"))]
    assert chart["extra"] == {"map": "370800"} and chart["categories"] == counties
    assert _chart(city, "map_bar")["series"] == chart["series"]  # the same data beside the map
    assert sum(chart["series"][0]["values"]) >= 1


def test_asking_the_province_for_a_city_opens_the_citys_overview():
    response = _get("sheng", f"/dashboards/?city=370800&programme={JINING}&tier=city")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboards/regions/370800/?programme={JINING}&tier=city"


def test_a_charts_data_download_is_the_pages_numbers():
    url = f"/dashboards/?programme={JINING}&map=revenue"
    page = _get("sheng", url)
    for key in ("map_bar", "echelon"):
        drawn = _chart(page, key)
        response = _get("sheng", f"{url}&chart={key}")
        assert response.status_code == 200
        rows = read_sheet(response.content, "图表数据")
        body = rows[2:2 + len(drawn["categories"])]
        assert [r[0] for r in body] == drawn["categories"]
        for s, series in enumerate(drawn["series"], start=1):
            got = [None if r[s] == "—" else float(r[s]) for r in body]
            assert got == series["values"], key
    assert _get("sheng", f"{url}&chart=nothing").status_code == 404
