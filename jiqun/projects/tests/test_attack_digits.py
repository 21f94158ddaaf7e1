"""An outside tester's attack: a query parameter that `str.isdigit()` accepts but `int()` refuses (a Unicode
digit such as "²", or a number of more than 4,300 digits) or that no database column holds is a message or a
404, never a 500."""

import pytest

from jiqun.accounts.models import User
from jiqun.conftest import client_for
from jiqun.evaluation.models import Run
from jiqun.programmes.models import Programme

pytestmark = pytest.mark.django_db

HOSTILE = ["²", "1" * 5000, "9" * 30]


@pytest.fixture
def jining():
    return client_for(User.objects.get(username="jining"))


@pytest.mark.parametrize("value", HOSTILE)
def test_the_pipeline_year_is_a_message(jining, value):
    response = jining.get("/projects/pipeline/", {"year": value})
    assert response.status_code == 200
    assert "不是 2000 至 2100 之间的年份" in response.content.decode()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", ["zone", "cluster"])
def test_the_project_export_filter_is_refused(jining, name, value):
    response = jining.get("/projects/", {name: value})
    assert response.status_code == 200
    response = jining.get("/projects/export.xlsx", {name: value})
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_programme_year_filter_is_ignored(jining, value):
    programme = Programme.objects.first()
    response = jining.get(f"/programmes/{programme.code}/", {"year": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", HOSTILE)
def test_the_explained_cluster_is_a_404(value):
    run = Run.objects.order_by("pk").first()
    if run is None:
        pytest.skip("the demo has no evaluation run")
    sheng = client_for(User.objects.get(username="sheng"))
    assert sheng.get(f"/evaluation/runs/{run.pk}/explain/", {"cluster": value}).status_code == 404


@pytest.mark.parametrize("value", HOSTILE)
def test_the_evaluate_command_refuses_the_run_number(value):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="评价编号应为数字"):
        call_command("evaluate", "publish", value)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_incidents_command_refuses_the_cluster(value):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--cluster"):
        call_command("incidents", "list", "--cluster", value)
