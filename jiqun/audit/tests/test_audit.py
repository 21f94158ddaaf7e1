import pytest

from jiqun.audit.models import AppendOnlyError, AuditEvent
from jiqun.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def test_events_chain_and_verify():
    first = audit_record(actor=None, actor_name="t", action="export", object_repr="甲")
    second = audit_record(actor=None, actor_name="t", action="export", object_repr="乙", after={"n": 1})
    assert second.prev_hash == first.hash
    assert audit_verify() == []


def test_an_event_cannot_be_changed_or_deleted():
    event = audit_record(actor=None, actor_name="t", action="export")
    event.object_repr = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_tampering_in_the_database_is_detected():
    event = audit_record(actor=None, actor_name="t", action="export", object_repr="原值")
    AuditEvent.objects.filter(pk=event.pk).update(object_repr="篡改")
    assert event.pk in [problem.event_id for problem in audit_verify()]
