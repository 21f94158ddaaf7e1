"""Three personas on every registry page: the province sees all, each city only its own."""

import pytest

from jiqun.accounts.models import User
from jiqun.clusters.models import Cluster
from jiqun.clusters.tests.factories import make_cluster, make_enterprise
from jiqun.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    jinan = make_cluster("370100", name="济南测试集群")
    jining = make_cluster("370811", name="济宁测试集群")
    both = make_cluster("370100", "370800", name="跨市测试集群")
    return {
        "jinan": jinan,
        "jining": jining,
        "both": both,
        "jinan_ent": make_enterprise("370102", name="济南测试企业", cluster=jinan),
        "jining_ent": make_enterprise("370811", name="济宁测试企业", cluster=jining),
    }


def test_cluster_list_shows_each_city_its_own(world, as_province, as_jinan, as_jining):
    assert {"济南测试集群", "济宁测试集群", "跨市测试集群"} <= set(
        Cluster.objects.for_user(User.objects.get(username="sheng")).values_list("name", flat=True)
    )
    page = as_jinan.get("/clusters/?q=测试集群").content.decode()
    assert "济南测试集群" in page and "跨市测试集群" in page and "济宁测试集群" not in page
    page = as_jining.get("/clusters/?q=测试集群").content.decode()
    assert "济宁测试集群" in page and "济南测试集群" not in page
    page = as_province.get("/clusters/?q=测试集群").content.decode()
    assert "济宁测试集群" in page and "济南测试集群" in page


@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_cluster_pages_of_another_city_are_404(world, as_jinan, as_jining, suffix):
    assert as_jinan.get(f"/clusters/{world['jining'].pk}/{suffix}").status_code == 404
    assert as_jining.get(f"/clusters/{world['jinan'].pk}/{suffix}").status_code == 404
    assert as_jining.get(f"/clusters/{world['jining'].pk}/{suffix}").status_code == 200


@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_enterprise_pages_of_another_city_are_404(world, as_jinan, as_jining, as_province, suffix):
    assert as_jinan.get(f"/enterprises/{world['jining_ent'].pk}/{suffix}").status_code == 404
    assert as_jining.get(f"/enterprises/{world['jining_ent'].pk}/{suffix}").status_code == 200
    assert as_province.get(f"/enterprises/{world['jining_ent'].pk}/{suffix}").status_code == 200


def test_enterprise_list_hides_other_cities(world, as_jinan):
    page = as_jinan.get("/enterprises/?q=测试企业").content.decode()
    assert "济南测试企业" in page and "济宁测试企业" not in page


def test_a_cross_city_cluster_is_visible_to_both_cities_but_kept_by_the_province(world, as_jinan, as_province):
    assert as_jinan.get(f"/clusters/{world['both'].pk}/").status_code == 200
    response = as_jinan.get(f"/clusters/{world['both'].pk}/edit/")
    assert response.status_code == 302  # sent back with a message: only the province edits it
    assert as_province.get(f"/clusters/{world['both'].pk}/edit/").status_code == 200


def test_city_officer_cannot_place_a_cluster_in_another_city(world, jinan_officer):
    client = client_for(jinan_officer)
    from jiqun.programmes.models import Programme

    programme = Programme.objects.order_by("id").first()
    response = client.post("/clusters/new/", {
        "programme": programme.pk, "code": "x-new", "name": "越权集群", "regions": ["370800"], "status": "cultivating",
    })
    assert response.status_code == 200
    assert "regions" in response.context["form"].errors
    assert not Cluster.objects.filter(name="越权集群").exists()


def test_read_only_and_admin_roles_see_no_registry(world):
    for username in ("xitong", "anquan", "shenji", "zhuanjia"):
        client = client_for(User.objects.get(username=username))
        assert client.get(f"/clusters/{world['jinan'].pk}/").status_code == 404
        assert "济南测试集群" not in client.get("/clusters/?q=测试").content.decode()


def test_cluster_org_sees_only_its_clusters(world):
    org = User.objects.get(username="jiqun_org")
    org.clusters.set([world["jining"]])
    client = client_for(org)
    assert client.get(f"/clusters/{world['jining'].pk}/").status_code == 200
    assert client.get(f"/clusters/{world['both'].pk}/").status_code == 404
    assert client.get(f"/enterprises/{world['jining_ent'].pk}/").status_code == 200
    assert client.get(f"/enterprises/{world['jinan_ent'].pk}/").status_code == 404


def test_anonymous_users_are_sent_to_login(world, client):
    for url in ("/", "/clusters/", f"/clusters/{world['jinan'].pk}/", "/enterprises/", "/programmes/", "/regions/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
