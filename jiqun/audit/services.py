"""Writing to the audit log. Every service that changes data calls `audit_record` in its transaction."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from jiqun.audit.models import AuditEvent

GENESIS = "0" * 64


def snapshot(obj, fields: list[str] | None = None) -> dict[str, Any]:
    """The plain values of a model instance, many-to-many fields as sorted key lists."""
    data = model_to_dict(obj, fields=fields)
    for key, value in list(data.items()):
        if isinstance(value, list):
            data[key] = sorted(str(getattr(item, "pk", item)) for item in value)
        elif hasattr(value, "pk"):
            data[key] = value.pk
    return data


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the chain; the row lock on the last event keeps the chain linear."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    # Store exactly what a reload gives back (Decimals and dates as text), so the hash verifies later.
    before, after = (json.loads(json.dumps(v, cls=DjangoJSONEncoder)) if v is not None else None for v in (before, after))
    with transaction.atomic():
        last = AuditEvent.objects.select_for_update().order_by("-id").only("hash").first()
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=actor_name or getattr(actor, "username", "") or "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=before,
            after=after,
            ip=ip,
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = event.compute_hash()
        event.save()
    return event


def audit_verify() -> list[int]:
    """Return the ids of events whose hash does not follow from the chain (empty when intact)."""
    broken: list[int] = []
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.prev_hash != prev or event.compute_hash() != event.hash:
            broken.append(event.pk)
        prev = event.hash
    return broken
