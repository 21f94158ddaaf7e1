"""Objections received during 公示, recorded and answered by the province."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.text import reject_control_characters_in
from jiqun.recognition.models import Application, Objection
from jiqun.recognition.services.common import S, require_province, require_status


@transaction.atomic
def objection_record(*, actor, application: Application, objector: str, content: str,
                     today: datetime.date | None = None) -> Objection:
    """Record an objection received during the 公示 period (the province registers it)."""
    require_province(actor)
    today = today or timezone.localdate()
    call = application.call
    require_status(call, S.PUBLICITY, doing=_("登记异议"))
    if call.objection_until and today > call.objection_until:
        raise ValidationError(_("公示期已于 %(until)s 结束，不再受理异议") % {"until": call.objection_until})
    reject_control_characters_in(_("异议"), objector=objector, content=content)
    errors = {}
    if not (objector or "").strip():
        errors["objector"] = [_("请填写异议人")]
    if not (content or "").strip():
        errors["content"] = [_("请填写异议内容")]
    if errors:
        raise ValidationError(errors)
    objection = Objection(application=application, objector=objector.strip(), content=content.strip(),
                          received_on=today, recorded_by=getattr(actor, "username", ""))
    objection.full_clean()
    objection.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=objection, after={
        "application": application.pk, "objector": objection.objector, "content": objection.content})
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, answer: str) -> Objection:
    """Answer an objection; an answer is final."""
    require_province(actor)
    reject_control_characters_in(_("答复"), answer=answer)
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("请填写答复内容")]})
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.answered_at is not None:
        raise ValidationError(_("该异议已于 %(at)s 答复") % {"at": f"{timezone.localtime(locked.answered_at):%Y-%m-%d}"})
    locked.answer = answer.strip()
    locked.answered_by = getattr(actor, "username", "")
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "answered_by", "answered_at"])
    objection.answer, objection.answered_by, objection.answered_at = locked.answer, locked.answered_by, locked.answered_at
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, after={"answer": locked.answer})
    return objection
