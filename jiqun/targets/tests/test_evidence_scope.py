"""Evidence on a province-wide task is read by the region that reported it and those above, not by
another city."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiqun.accounts.models import User
from jiqun.conftest import client_for
from jiqun.targets.models import TaskUpdate
from jiqun.targets.permissions import task_units
from jiqun.targets.services import task_update_create
from jiqun.targets.supervision import tasks_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def jining_evidence(settings, tmp_path) -> TaskUpdate:
    settings.MEDIA_ROOT = tmp_path
    jining = User.objects.get(username="jining")
    task = next(t for t in tasks_for(jining).filter(programme__scope="province") if task_units(jining, t))
    return task_update_create(actor=jining, task=task, status="in_progress", progress="济宁进展",
                              evidence_file=SimpleUploadedFile("济宁佐证.pdf", b"%PDF-1.4 jining"))


def test_it_refuses_another_citys_evidence_file_as_not_found(jining_evidence, as_jinan, as_jining, as_province):
    url = f"/targets/tasks/updates/{jining_evidence.pk}/evidence/"
    assert as_jinan.get(url).status_code == 404
    assert as_jining.get(url).status_code == 200
    assert as_province.get(url).status_code == 200


def test_the_task_page_and_api_show_only_the_updates_in_scope(jining_evidence, as_jinan, api_jinan):
    task = jining_evidence.task
    assert "济宁进展" not in as_jinan.get(f"/targets/tasks/{task.pk}/").content.decode()
    updates = api_jinan.get(f"/api/v1/tasks/{task.pk}").json()["updates"]
    assert jining_evidence.pk not in {u["id"] for u in updates}


def test_the_provinces_own_update_is_read_by_every_city(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sheng, jinan = User.objects.get(username="sheng"), User.objects.get(username="jinan")
    task = next(t for t in tasks_for(sheng).filter(programme__scope="province") if task_units(sheng, t))
    update = task_update_create(actor=sheng, task=task, status="in_progress", progress="省级进展",
                                evidence_file=SimpleUploadedFile("省级佐证.pdf", b"%PDF-1.4 sheng"))
    assert client_for(jinan).get(f"/targets/tasks/updates/{update.pk}/evidence/").status_code == 200
