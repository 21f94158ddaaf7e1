import pytest
from django.core.exceptions import ValidationError

from jiqun.audit.models import AuditEvent
from jiqun.audit.services import audit_verify
from jiqun.clusters.models import Cluster
from jiqun.clusters.services import cluster_update
from jiqun.clusters.tests.factories import make_cluster

pytestmark = pytest.mark.django_db


def test_tier_change_is_kept_in_history_with_its_basis(province_admin):
    cluster = make_cluster("370800")
    cluster_update(actor=province_admin, cluster=cluster, tier="provincial", status="recognised",
                   basis="鲁政办字〔2023〕185号 赛马认定")
    steps = list(cluster.tier_changes.values_list("tier", "status", "basis"))
    # One row per move: the tier first, then the status, both with the decision's basis.
    assert steps[1:] == [("provincial", "cultivating", "鲁政办字〔2023〕185号 赛马认定"),
                         ("provincial", "recognised", "鲁政办字〔2023〕185号 赛马认定")]


def test_update_is_audited_with_before_and_after(province_admin):
    cluster = make_cluster("370800", name="旧名")
    cluster_update(actor=province_admin, cluster=cluster, name="新名")
    event = AuditEvent.objects.filter(object_type="clusters.cluster", object_id=str(cluster.pk)).first()
    assert event.action == "update" and event.before["name"] == "旧名" and event.after["name"] == "新名"
    assert event.actor_name == "sheng"
    assert audit_verify() == []


def test_a_bad_industry_code_is_refused_and_changes_nothing(province_admin):
    cluster = make_cluster("370800", name="原样")
    with pytest.raises(ValidationError) as info:
        cluster_update(actor=province_admin, cluster=cluster, industry_codes="C38, XYZ1")
    assert "XYZ1" in str(info.value)
    assert Cluster.objects.get(pk=cluster.pk).industry_codes == ""


def test_update_refuses_fields_it_does_not_own(province_admin):
    with pytest.raises(TypeError):
        cluster_update(actor=province_admin, cluster=make_cluster("370800"), programme=None)


def test_history_records_each_version(province_admin):
    cluster = make_cluster("370800", name="第一版")
    cluster_update(actor=province_admin, cluster=cluster, name="第二版")
    names = list(cluster.history.order_by("history_id").values_list("name", flat=True))
    assert names[0] == "第一版" and names[-1] == "第二版"
