"""Fixtures of the audit tests: a chain of its own, with its own key and checkpoint file."""

import pytest

from jiqun.audit.models import AuditEvent
from jiqun.audit.services import audit_checkpoint_refresh, audit_record

TEST_KEY = "5f" * 32


@pytest.fixture
def chain_files(settings, tmp_path):
    """Point the key and the checkpoint at files of this test only."""
    settings.JIQUN_AUDIT_KEY = TEST_KEY
    settings.JIQUN_AUDIT_KEY_FILE = tmp_path / "audit.key"
    settings.JIQUN_AUDIT_HEAD_FILE = tmp_path / "audit-head.json"
    return tmp_path


@pytest.fixture
def fresh_chain(db, chain_files):
    """An empty audit table (inside the test's transaction) and no checkpoint yet."""
    AuditEvent.objects.all().delete()
    return chain_files


@pytest.fixture
def append(django_capture_on_commit_callbacks):
    """Append events as committed requests do, so the checkpoint follows each append."""

    def do(n: int = 1, **fields) -> list[AuditEvent]:
        events = []
        for i in range(n):
            with django_capture_on_commit_callbacks(execute=True):
                events.append(audit_record(actor=None, actor_name=fields.get("actor_name", "tester"),
                                           action=fields.get("action", "update"),
                                           object_repr=fields.get("object_repr", f"对象{i}"),
                                           after=fields.get("after", {"n": i})))
        return events

    return do


@pytest.fixture
def checkpointed(db, settings, tmp_path):
    """The demo events (keyed with the configured key) checkpointed in this test's own file."""
    settings.JIQUN_AUDIT_HEAD_FILE = tmp_path / "audit-head.json"
    audit_checkpoint_refresh()
    return tmp_path
