"""An audit entry keeps what a client sent in a URL, but never a control character PostgreSQL would refuse."""

import pytest

from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_denied_key_is_stored_as_a_replacement_character_and_the_chain_verifies():
    event = audit_record(actor=None, action=AuditAction.DENIED, object_type="programmes:detail",
                         object_id="SD\x00-2023", object_repr="/programmes/SD\x00-2023/\n")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.object_id == "SD\ufffd-2023" and stored.object_repr == "/programmes/SD\ufffd-2023/\ufffd"
    assert audit_verify() == []
