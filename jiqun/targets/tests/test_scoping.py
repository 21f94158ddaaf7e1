"""Three personas: the province sees everything; a city sees its own; out of scope is a 404, never a 403."""

import pytest

from jiqun.clusters.models import Cluster
from jiqun.conftest import token_client as api
from jiqun.programmes.models import Target, Task
from jiqun.regions.models import Zone
from jiqun.targets.models import ChainChecklist
from jiqun.targets.selectors import target_rows
from jiqun.targets.tests.helpers import row_of

pytestmark = pytest.mark.django_db
AS_OF = "2025-09-30"


def target(programme: str, code: str) -> Target:
    return Target.objects.get(programme__code=programme, code=code)




@pytest.fixture
def jn_sheet():
    return ChainChecklist.objects.get(chain="工程机械产业链")  # made by the demo in 任城区


def test_the_province_sees_every_programme_and_its_structure(as_province):
    page = as_province.get(f"/targets/programme/SD-2023-185/?as_of={AS_OF}").content.decode()
    assert 'id="tier-table"' in page and "动力装备集群主导产业产值" in page and "世界级集群数量" in page
    assert as_province.get(f"/targets/{target('JN-2020-231', 'T13').pk}/").status_code == 200


def test_a_city_sees_its_own_targets_and_nothing_province_wide(as_jining, jining_officer):
    import datetime

    rows = target_rows(jining_officer, as_of=datetime.date(2025, 9, 30))
    # a province-wide programme's target shows only when its subject is one of the city's clusters (the demo
    # places SD-2023-185's 食品 cluster in Jining among other cities)
    own = {str(pk) for pk in Cluster.objects.for_user(jining_officer).values_list("pk", flat=True)}
    others = [r for r in rows if r.target.programme.code != "JN-2020-231"]
    assert all(r.subject.kind == "cluster" and r.subject.key in own for r in others)
    assert any(r.target.programme.code == "JN-2020-231" for r in rows)
    assert row_of(rows, "T13").subject.name == "高端装备产业集群"
    page = as_jining.get("/targets/programme/SD-2023-185/").content.decode()
    assert 'id="tier-table"' not in page and "动力装备集群主导产业产值" not in page
    assert 'id="tier-table"' in as_jining.get("/targets/programme/JN-2020-231/").content.decode()


@pytest.mark.parametrize("persona", ["as_jinan", "as_jining"])
def test_province_wide_targets_are_not_found_for_a_city(request, persona):
    client = request.getfixturevalue(persona)
    assert client.get(f"/targets/{target('SD-2023-185', 'T01').pk}/").status_code == 404
    assert client.get(f"/targets/{target('SD-2023-185', 'T05').pk}/").status_code == 404
    assert client.get("/targets/subject/province/370000/").status_code == 404


def test_another_citys_targets_tasks_and_sheets_are_not_found(as_jinan, jn_sheet):
    t13 = target("JN-2020-231", "T13")
    cluster = Cluster.objects.get(programme__code="JN-2020-231", code="high-end-equipment")
    park = Zone.objects.get(name="邹城化工产业园")
    k01 = Task.objects.get(programme__code="JN-2020-231", code="K01")
    for url in [f"/targets/{t13.pk}/", f"/targets/{target('JN-2020-231', 'T37').pk}/?park={park.pk}",
                "/targets/subject/city/370800/", f"/targets/subject/cluster/{cluster.pk}/",
                f"/targets/subject/park/{park.pk}/", f"/targets/tasks/{k01.pk}/", f"/targets/checklists/{jn_sheet.pk}/",
                "/targets/programme/NOPE/"]:
        assert as_jinan.get(url).status_code == 404, url
    page = as_jinan.get("/targets/programme/JN-2020-231/").content.decode()
    assert "没有符合条件、且在您范围内的目标" in page and "高端装备产业集群" not in page


def test_each_park_rows_follow_the_park(as_jining):
    park = Zone.objects.get(name="邹城化工产业园")
    t37 = target("JN-2020-231", "T37")
    assert as_jining.get(f"/targets/{t37.pk}/?park={park.pk}").status_code == 200
    assert as_jining.get(f"/targets/{t37.pk}/").status_code == 404  # an "each park" target needs its park
    assert as_jining.get(f"/targets/subject/park/{park.pk}/").status_code == 200


def test_the_api_follows_the_same_scope(jinan_officer, jining_officer, province_admin, jn_sheet):
    t13, k01 = target("JN-2020-231", "T13"), Task.objects.get(programme__code="JN-2020-231", code="K01")
    jinan, jining, province = api(jinan_officer), api(jining_officer), api(province_admin)
    for path in [f"/api/v1/targets/{t13.pk}", f"/api/v1/tasks/{k01.pk}", f"/api/v1/checklists/{jn_sheet.pk}",
                 "/api/v1/programmes/JN-2020-231/structure"]:
        assert jinan.get(path).status_code == 404, path
        assert jining.get(path).status_code == 200, path
    assert jining.get("/api/v1/programmes/SD-2023-185/structure").status_code == 404
    assert province.get("/api/v1/programmes/SD-2023-185/structure").status_code == 200
    items = jinan.get("/api/v1/targets?limit=500").json()["items"]
    assert "JN-2020-231" not in {r["programme"] for r in items}
    # of the province-wide programme, only the targets on clusters the demo places in Jinan (新一代信息技术, 食品)
    province_wide = [r for r in items if r["programme"] == "SD-2023-185"]
    assert province_wide and all(r["subject_kind"] == "cluster" for r in province_wide)
    assert jinan.patch(f"/api/v1/targets/{t13.pk}", '{"value": 1, "reason": "x"}',
                       content_type="application/json").status_code == 404


def test_an_expert_sees_no_targets_or_tasks(client):
    from jiqun.accounts.models import User

    client.force_login(User.objects.get(username="zhuanjia"))
    assert client.get(f"/targets/{target('SD-2023-185', 'T01').pk}/").status_code == 404
    k01 = Task.objects.get(programme__code="SD-2023-185", code="K01")
    assert client.get(f"/targets/tasks/{k01.pk}/").status_code == 404
    assert "没有您可见的任务" in client.get("/targets/tasks/").content.decode()
