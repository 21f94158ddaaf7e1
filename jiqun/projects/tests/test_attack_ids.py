"""An outside tester's attack: a multiple choice of rows by id (a project's clusters) given an id no database
column holds is a form error naming the field, never a 500, and changes nothing."""

import pytest

from jiqun.accounts.models import User
from jiqun.conftest import client_for
from jiqun.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["99999999999999999999999", "1" * 5000, "²", "-1"])
def test_an_impossible_cluster_id_is_a_form_error(value):
    jining = client_for(User.objects.get(username="jining"))
    project = Project.objects.filter(region__code__startswith="3708").first()
    before = (project.version, set(project.clusters.values_list("pk", flat=True)))
    response = jining.post(f"/projects/{project.pk}/edit/", {
        "version": project.version, "name": project.name, "region": project.region_id, "clusters": [value],
        "investor_name": "某企业", "total_investment": "100", "kind": project.kind})
    assert response.status_code == 200
    assert "clusters" in response.context["form"].errors
    project.refresh_from_db()
    assert (project.version, set(project.clusters.values_list("pk", flat=True))) == before
