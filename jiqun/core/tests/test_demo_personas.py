"""Every demo persona finds something real on its workbench and its overview (issue 14): the demo's data, not
the code, is what these check."""

import pytest

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for
from jiqun.monitoring.models import PeriodStatus, Report, ReportStatus
from jiqun.regions.models import PROVINCE_CODE, RegionLevel

pytestmark = pytest.mark.django_db

# the personas of jiqun.core.demo, and whether the overview is theirs: an expert sees no business data (404)
PERSONAS = [("sheng", True), ("jinan", True), ("jining", True), ("rencheng", True), ("jiqun_org", True),
            ("zhuanjia", False), ("lingdao", True), ("lianzhang", True)]


def _client(username: str):
    return client_for(User.objects.get(username=username))


@pytest.mark.parametrize(("username", "has_overview"), PERSONAS)
def test_each_demo_persona_has_work_and_figures(username, has_overview):
    client = _client(username)
    home = client.get("/")
    assert home.status_code == 200
    assert [g for g in home.context["groups"] if g.count], f"{username}'s workbench is empty"
    overview = client.get("/dashboards/", follow=True)
    if not has_overview:
        assert overview.status_code == 404
        return
    assert overview.status_code == 200
    if "page" in overview.context:  # a region's overview: its KPIs and its clusters' figures
        page = overview.context["page"]
        assert any(k.value is not None for k in page.kpis), f"{username}'s overview has no figure"
        assert any(row.revenue and row.revenue.value is not None for row in page.clusters)
    else:  # whose scope is clusters lands on its cluster's page: the cluster's latest figures
        trends = overview.context["trends"]
        assert trends.latest and any(row.value is not None for row in trends.rows), f"{username}'s cluster has no figure"


def test_the_cluster_organisation_has_its_clusters_report_to_fill():
    org = User.objects.get(username="jiqun_org")
    drafts = Report.objects.filter(cluster__in=org.clusters.all(), period__status=PeriodStatus.OPEN,
                                   status=ReportStatus.DRAFT)
    assert drafts.exists()
    fill = next(g for g in _client("jiqun_org").get("/").context["groups"] if g.key == "fill")
    assert fill.count == drafts.count()


def test_sd_2023_185_clusters_are_in_cities_and_counted_on_the_province_map():
    clusters = Cluster.objects.filter(programme__code="SD-2023-185").prefetch_related("regions")
    assert clusters.count() == 17
    for cluster in clusters:
        regions = list(cluster.regions.all())
        assert regions and all(r.level == RegionLevel.CITY for r in regions), cluster.name
    page = _client("sheng").get(f"/dashboards/regions/{PROVINCE_CODE}/?programme=SD-2023-185").context["page"]
    counted = {name: value for name, value, _link in page.map_rows if value}
    assert len(counted) >= 5 and counted.get("青岛市")  # 青岛轨道交通装备, 节能环保… (the 2020 plan)
