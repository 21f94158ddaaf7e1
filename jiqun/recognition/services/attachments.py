"""Attachments of an application: added and deleted by its applicant while the call is 申报中 and before its
deadline; every download recorded. The file's content is checked in jiqun.recognition.attachments."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.recognition.attachments import AttachmentRefused, check_upload, stored_name
from jiqun.recognition.models import Application, Attachment, CallStatus
from jiqun.recognition.permissions import can_attach


def _where(application: Application) -> str:
    return _("申报“%(cluster)s · %(call)s”") % {"cluster": application.cluster.name, "call": application.call.title}


def attachment_refusal(actor, application: Application, *, today: datetime.date | None = None) -> str:
    """Why the actor may not add or delete this application's attachments now, or ""."""
    today = today or timezone.localdate()
    call = application.call
    if actor is not None and not can_attach(actor, application.cluster):
        return _("只有该集群的促进机构或所在市的市级用户可以管理%(where)s的附件") % {"where": _where(application)}
    if call.status != CallStatus.OPEN:
        return _("%(where)s的批次当前为“%(status)s”，附件不能再修改") % {
            "where": _where(application), "status": call.get_status_display()}
    if today > call.deadline:
        return _("%(where)s已于 %(deadline)s 截止，附件不能再修改") % {
            "where": _where(application), "deadline": call.deadline}
    return ""


def _require_editable(actor, application: Application, today: datetime.date | None) -> None:
    refusal = attachment_refusal(actor, application, today=today)
    if refusal and actor is not None and not can_attach(actor, application.cluster):
        raise PermissionDenied(refusal)
    if refusal:
        raise ValidationError({"file": [refusal]})


@transaction.atomic
def attachment_add(*, actor, application: Application, upload, today: datetime.date | None = None) -> Attachment:
    """Check an uploaded file by its content and keep it under a name made here, with its original name shown."""
    application = Application.objects.select_for_update().select_related("call", "cluster").get(pk=application.pk)
    _require_editable(actor, application, today)
    limit = settings.JIQUN_ATTACHMENT_MAX_COUNT
    if application.attachments.count() >= limit:
        raise ValidationError({"file": [_("%(where)s已有 %(n)d 个附件，达到上限，请先删除不需要的附件") % {
            "where": _where(application), "n": limit}]})
    if upload is None:
        raise ValidationError({"file": [_("请选择要上传的文件")]})
    try:
        checked = check_upload(upload)
    except AttachmentRefused as exc:
        raise ValidationError({"file": [_("%(where)s：%(reason)s") % {"where": _where(application),
                                                                       "reason": exc}]}) from None
    attachment = Attachment(application=application, name=checked.name, kind=checked.kind.code,
                            size=len(checked.content), sha256=checked.sha256,
                            uploaded_by=getattr(actor, "username", "") or _("系统"))
    attachment.full_clean(exclude=["file"])
    attachment.file.save(stored_name(checked.kind), ContentFile(checked.content), save=False)
    try:
        attachment.save()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=attachment, after={
            "application": application.pk, "name": attachment.name, "kind": attachment.kind,
            "size": attachment.size, "sha256": attachment.sha256})
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)  # no row, no file
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor, attachment: Attachment, today: datetime.date | None = None) -> None:
    """Delete an attachment (its applicant, before the deadline); the file goes once the deletion commits."""
    application = Application.objects.select_for_update().select_related("call", "cluster").get(
        pk=attachment.application_id)
    _require_editable(actor, application, today)
    locked = Attachment.objects.select_for_update().filter(pk=attachment.pk).first()
    if locked is None:
        raise ValidationError(_("附件“%(name)s”已被删除，请刷新页面") % {"name": attachment.name})
    stored = locked.file.name
    audit_record(actor=actor, action=AuditAction.DELETE, obj=locked, before={
        "application": application.pk, "name": locked.name, "kind": locked.kind, "size": locked.size,
        "sha256": locked.sha256})
    locked.delete()
    storage = locked.file.storage
    transaction.on_commit(lambda: storage.delete(stored))


def attachment_downloaded(*, actor, attachment: Attachment, ip: str | None = None) -> None:
    """Record that the actor downloaded an attachment (the caller fetched it through its scope)."""
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=attachment, ip=ip, after={
        "application": attachment.application_id, "name": attachment.name, "sha256": attachment.sha256})
