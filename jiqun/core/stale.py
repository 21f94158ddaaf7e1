"""Refusing a stale edit: a write based on a version of a record that someone has changed since.

Every edit of figures (a report's revision number) and of registry records (`version` on Cluster and
Enterprise) carries the version it was based on; the service compares it under a row lock and raises
StaleEdit naming who changed what since, so nothing a colleague saved is silently overwritten.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# The highest version a record can reach (a positive integer field); a claimed base above it is stale.
MAX_VERSION = 2**31 - 1


class StaleEdit(ValidationError):
    """A write based on an older version than the one on file; the API answers it with 412."""


@dataclass(frozen=True)
class ChangeSince:
    at: datetime.datetime
    actor: str
    fields: tuple[str, ...]


def stale_edit(*, kind: str, changes: Iterable[ChangeSince]) -> StaleEdit:
    """The refusal of a stale edit of a `kind` (报表, 集群, 企业) naming when, who and what changed since."""
    changes = sorted(changes, key=lambda c: c.at)
    if not changes:
        return StaleEdit(_("该%(kind)s已被他人修改，请刷新后重新填写；您的修改未保存。") % {"kind": kind}, code="stale")
    actors = list(dict.fromkeys(c.actor or _("系统") for c in changes))
    fields = list(dict.fromkeys(f for c in changes for f in c.fields))
    return StaleEdit(
        _("该%(kind)s已于 %(at)s 由 %(who)s 修改（%(what)s），请刷新后重新填写；您的修改未保存。") % {
            "kind": kind, "at": timezone.localtime(changes[-1].at).strftime("%Y-%m-%d %H:%M"),
            "who": "、".join(actors), "what": "、".join(fields) or _("无字段变化")},
        code="stale")


def version_missing(*, kind: str) -> ValidationError:
    """The refusal of an edit that does not say which version it was based on."""
    return ValidationError(
        _("修改%(kind)s须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。") % {"kind": kind},
        code="version_missing")


def changes_since(obj, base_version: int) -> list[ChangeSince]:
    """The audited updates of a versioned registry record after `base_version`: when, who and which fields.

    The update services audit `version` with every change, so the audit log, the record of who changed
    what, answers this; field names are the model's own (verbose_name), in the user's language.
    """
    from jiqun.audit.models import AuditAction, AuditEvent

    if base_version > MAX_VERSION:  # no record reaches it, and the database cannot compare such a number
        return []
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk),
                                       action=AuditAction.UPDATE, after__version__gt=base_version).order_by("id")
    changes = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        fields = {f.name: f for f in obj._meta.get_fields() if hasattr(f, "verbose_name")}
        # In the model's field order: PostgreSQL's jsonb keeps an entry's keys in its own order.
        names = tuple(str(field.verbose_name) for key, field in fields.items()
                      if key in after and key != "version" and before.get(key) != after[key])
        changes.append(ChangeSince(event.at, event.actor_name, names))
    return changes
