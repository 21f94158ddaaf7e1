"""Writes of the dashboards: a user's saved comparisons. Each is atomic, checked and audited; a user only ever
saves, sees and deletes its own."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.text import reject_control_characters_in
from jiqun.dashboards.compare import comparable_programmes, indicator_choices, subject_choices, year_choices
from jiqun.dashboards.models import MAX_SAVED, MAX_SUBJECTS, ComparisonKind, SavedComparison
from jiqun.dashboards.selectors import Summaries

NAME_LENGTH = 50


def _data(comparison: SavedComparison) -> dict:
    return {"name": comparison.name, "programme": comparison.programme.code, "kind": comparison.kind,
            "subjects": comparison.subjects, "indicators": comparison.indicators, "years": comparison.years,
            "quarter": comparison.quarter}


def _checked(actor, *, name: str, programme, kind: str, subjects, indicators, years, quarter) -> dict:
    """Every problem at once, each on its field; the values as they are stored."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写对比名称")]
    elif len(name) > NAME_LENGTH:
        errors["name"] = [_("对比名称最多 %(n)s 个字（现为 %(length)s 个）") % {"n": NAME_LENGTH, "length": len(name)}]
    elif SavedComparison.objects.filter(owner=actor, name=name).exists():
        errors["name"] = [_("您已有名为“%(name)s”的对比，请换一个名称或先删除原有的") % {"name": name}]
    if programme is None or not comparable_programmes().filter(pk=programme.pk).exists():
        raise ValidationError({"programme": [_("请选择有报告期的培育工程")]})
    if kind not in ComparisonKind.values:
        raise ValidationError({"kind": [_("对比对象类型只能是集群或区域")]})
    summaries = Summaries(actor, programme)
    subjects = list(dict.fromkeys(str(s) for s in subjects or []))
    visible = {key for key, _name in subject_choices(actor, summaries, kind)}
    if not subjects:
        errors["subjects"] = [_("请至少选择一个对比对象")]
    elif len(subjects) > MAX_SUBJECTS:
        errors["subjects"] = [_("最多可选 %(max)s 个对比对象，现选了 %(n)s 个") % {"max": MAX_SUBJECTS, "n": len(subjects)}]
    elif unknown := [s for s in subjects if s not in visible]:
        errors["subjects"] = [_("“%(value)s”不是您可以对比的对象（不存在、不属于所选培育工程或您无权查看）") % {
            "value": unknown[0][:20]}]
    indicators = list(dict.fromkeys(str(c) for c in indicators or []))
    codes = {code for code, _name in indicator_choices(summaries)}
    if not indicators:
        errors["indicators"] = [_("请至少选择一个指标")]
    elif unknown := [c for c in indicators if c not in codes]:
        errors["indicators"] = [_("“%(value)s”不是所选培育工程的指标") % {"value": unknown[0][:60]}]
    try:
        years = sorted({int(y) for y in years or []})
    except (TypeError, ValueError):
        years = None
    if not years or not set(years) <= set(year_choices(summaries)):
        errors["years"] = [_("请选择有审核通过数据的年份")]
    if quarter is not None and quarter not in (1, 2, 3, 4):
        errors["quarter"] = [_("报告期只能是 1-4（4 为全年）")]
    if errors:
        raise ValidationError(errors)
    reject_control_characters_in(_("对比名称"), name=name)
    return {"name": name, "programme": programme, "kind": kind, "subjects": subjects, "indicators": indicators,
            "years": years, "quarter": quarter}


@transaction.atomic
def comparison_save(*, actor, name: str, programme, kind: str, subjects, indicators, years,
                    quarter: int | None = None) -> SavedComparison:
    """Keep the comparison under `name` for `actor` (at most 50 per user; names unique per user)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("只有登录用户可以保存对比"))
    # Lock the owner's row so that two saves at once cannot pass the limit or the name check together.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    if SavedComparison.objects.filter(owner=actor).count() >= MAX_SAVED:
        raise ValidationError(_("每人最多保存 %(n)s 个对比，请先删除不再需要的") % {"n": MAX_SAVED})
    values = _checked(actor, name=name, programme=programme, kind=kind, subjects=subjects, indicators=indicators,
                      years=years, quarter=quarter)
    comparison = SavedComparison(owner=actor, **values)
    comparison.full_clean()
    comparison.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=comparison, after=_data(comparison))
    return comparison


@transaction.atomic
def comparison_delete(*, actor, comparison: SavedComparison) -> None:
    """Delete one of the actor's own saved comparisons."""
    current = SavedComparison.objects.select_for_update().select_related("programme").filter(pk=comparison.pk).first()
    if current is None:
        raise ValidationError(_("该对比已被删除"))
    if actor is None or current.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能删除自己保存的对比"))
    before = _data(current)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=current, before=before)
    current.delete()
