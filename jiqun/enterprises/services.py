"""Writes to the enterprise registry. Each is atomic, validated and audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record, snapshot
from jiqun.core.stale import changes_since, stale_edit
from jiqun.enterprises.creditcode import normalise
from jiqun.enterprises.models import (
    Enterprise,
    EnterpriseScale,
    Honour,
    InnovationCarrier,
    MemberRole,
    Membership,
    Source,
)

EDITABLE_FIELDS = ["name", "full_name", "credit_code", "region", "zone", "industry_code"]


def _clean_code(code: str | None) -> str | None:
    return normalise(code) if code and code.strip() else None


def credit_code_clash(*, actor, code: str | None, exclude_pk: int | None = None) -> str | None:
    """The refusal for a credit code already registered, or None when it is free.

    The other enterprise is named only when the actor may see it; otherwise the message says the code is
    taken without saying by whom or where (范围外的企业不得泄露).
    """
    if not code:
        return None
    clash = Enterprise.objects.filter(credit_code=code).exclude(pk=exclude_pk).first()
    if clash is None:
        return None
    if actor is None or Enterprise.objects.for_user(actor).filter(pk=clash.pk).exists():
        return _("统一社会信用代码 %(code)s 已登记为“%(name)s”") % {"code": code, "name": clash.name}
    return _("统一社会信用代码 %(code)s 已被您范围外的企业登记，请核对代码或联系省级管理员") % {"code": code}


def _refuse_clash(*, actor, code: str | None, exclude_pk: int | None = None) -> None:
    message = credit_code_clash(actor=actor, code=code, exclude_pk=exclude_pk)
    if message:
        raise ValidationError({"credit_code": [message]})


@transaction.atomic
def enterprise_create(
    *,
    actor,
    name: str,
    region,
    full_name: str = "",
    credit_code: str | None = None,
    zone=None,
    industry_code: str = "",
    source: str = Source.MANUAL,
    clause: str = "",
) -> Enterprise:
    enterprise = Enterprise(
        name=name, full_name=full_name, credit_code=_clean_code(credit_code), region=region, zone=zone,
        industry_code=industry_code.strip().upper(), source=source, clause=clause,
    )
    _refuse_clash(actor=actor, code=enterprise.credit_code)
    enterprise.full_clean()
    enterprise.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=enterprise, after=snapshot(enterprise))
    return enterprise


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, base_version: int | None = None, **changes) -> Enterprise:
    """Change an enterprise's registry record.

    `base_version` is the version the user's form or request was based on (forms and the API always give it):
    a later version on file refuses the edit (StaleEdit) naming who changed what since.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"enterprise_update() got fields it cannot change: {sorted(unknown)}")
    current = Enterprise.objects.select_for_update().get(pk=enterprise.pk)  # two edits must not both pass the check
    if base_version is not None and base_version != current.version:
        raise stale_edit(kind=_("企业"), changes=changes_since(current, base_version))
    enterprise.version = current.version
    before = snapshot(enterprise)
    if "credit_code" in changes:
        changes["credit_code"] = _clean_code(changes["credit_code"])
    for field, value in changes.items():
        setattr(enterprise, field, value)
    _refuse_clash(actor=actor, code=enterprise.credit_code, exclude_pk=enterprise.pk)
    enterprise.full_clean()
    after = snapshot(enterprise)
    if after != before:
        enterprise.version = current.version + 1
    enterprise.save()
    if after != before:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=enterprise,
                     before={**before, "version": current.version}, after={**after, "version": enterprise.version})
    return enterprise


@transaction.atomic
def membership_set(
    *, actor, enterprise: Enterprise, cluster, role: str = MemberRole.BACKBONE, source: str = Source.MANUAL
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        enterprise=enterprise, cluster=cluster, defaults={"role": role, "source": source}
    )
    if not created and membership.role != role:
        before = snapshot(membership)
        membership.role = role
        membership.full_clean()
        membership.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=membership, before=before, after=snapshot(membership))
    elif created:
        membership.full_clean()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=membership, after=snapshot(membership))
    return membership


@transaction.atomic
def scale_set(*, actor, enterprise: Enterprise, year: int, above_scale: bool, source: str = Source.MANUAL):
    """Record whether the enterprise was 规模以上 in a year (入库 or 退库)."""
    scale, _ = EnterpriseScale.objects.update_or_create(
        enterprise=enterprise, year=year, defaults={"above_scale": above_scale, "source": source}
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=enterprise, after={"year": year, "above_scale": above_scale})
    return scale


@transaction.atomic
def honour_add(
    *, actor, enterprise: Enterprise, kind: str, level: str, year: int, valid_until: int | None = None,
    source: str = Source.MANUAL,
) -> Honour:
    honour = Honour(enterprise=enterprise, kind=kind, level=level, year=year, valid_until=valid_until, source=source)
    honour.full_clean()
    honour.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=honour, after=snapshot(honour))
    return honour


@transaction.atomic
def carrier_create(
    *, actor, name: str, kind: str, level: str, region, host=None, cluster=None, year: int | None = None,
    source: str = Source.MANUAL,
) -> InnovationCarrier:
    carrier = InnovationCarrier(
        name=name, kind=kind, level=level, region=region, host=host, cluster=cluster, year=year, source=source
    )
    carrier.full_clean()
    carrier.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=carrier, after=snapshot(carrier))
    return carrier
