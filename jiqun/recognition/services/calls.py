"""The call and its moves along TRANSITIONS (草拟 → 申报中 → 评审中 → 公示中 → 已完成), one service and one
audit entry per move; finalising recognises the winners through the cluster lifecycle services."""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.clusters.services import cluster_change_status, cluster_change_tier
from jiqun.core.text import reject_control_characters_in
from jiqun.programmes.models import Indicator
from jiqun.recognition import rules as R
from jiqun.recognition.models import (
    ASPECT_CODES,
    ASPECTS,
    Application,
    Call,
    CallStatus,
    Objection,
    Threshold,
)
from jiqun.recognition.services.common import (
    TRANSITIONS,
    S,
    already_moved,
    below,
    require_province,
    require_status,
)


def _move(*, actor, call: Call, to: str, after: dict | None = None,
          objection_until: datetime.date | None = None, cancel_reason: str | None = None) -> Call:
    """Move a locked call one step of TRANSITIONS, with its audit entry."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status == to:  # someone else moved it meanwhile
        raise already_moved(locked) or ValidationError(_("批次“%(call)s”已是“%(status)s”，请刷新页面") % {
            "call": locked.title, "status": locked.get_status_display()})
    if to not in TRANSITIONS[locked.status]:
        raise ValidationError(_("批次“%(call)s”不能从“%(old)s”变为“%(new)s”") % {
            "call": locked.title, "old": locked.get_status_display(), "new": CallStatus(to).label})
    before = locked.status
    locked.status = to
    if objection_until is not None:
        locked.objection_until = objection_until
    if cancel_reason is not None:
        locked.cancel_reason = cancel_reason
    locked.save(update_fields=["status", "objection_until", "cancel_reason"])
    call.status, call.objection_until = locked.status, locked.objection_until
    call.cancel_reason = locked.cancel_reason
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before={"status": before},
                 after={"status": to, **(after or {})})
    return call


# --- calls ----------------------------------------------------------------------------------------------

def _weights(aspect_weights: Mapping[str, object]) -> dict[str, str]:
    errors = []
    weights = {}
    for code, label in ASPECTS:
        raw = aspect_weights.get(code, 0)
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            errors.append(_("评审要点“%(aspect)s”的权重“%(raw)s”不是数字") % {"aspect": label, "raw": raw})
            continue
        if value < 0:
            errors.append(_("评审要点“%(aspect)s”的权重不能为负数") % {"aspect": label})
        weights[code] = str(value)
    unknown = sorted(set(aspect_weights) - set(ASPECT_CODES))
    if unknown:
        errors.append(_("未知的评审要点：%(codes)s") % {"codes": "、".join(unknown)})
    if not errors and sum(Decimal(w) for w in weights.values()) <= 0:
        errors.append(_("评审要点权重之和须大于 0"))
    if errors:
        raise ValidationError({"aspect_weights": errors})
    return weights


THRESHOLD_LIMIT = Decimal("1e15")  # the column keeps 16 digits before the point and 4 after


def _threshold_problem(minimum) -> str:
    """Why a threshold value cannot be kept, or "": a finite, non-negative number the column can hold."""
    try:
        value = Decimal(minimum)
    except (ArithmeticError, TypeError, ValueError):
        return _("不是数字")
    if not value.is_finite():
        return _("不是有限的数")
    if value < 0:
        return _("不能为负数")
    if value >= THRESHOLD_LIMIT:
        return _("超出范围（须小于 10^15）")
    if value != value.quantize(Decimal("0.0001")):
        return _("最多 4 位小数")
    return ""


@transaction.atomic
def call_create(*, actor, programme, title: str, tier_sought: str, quota: int, deadline: datetime.date,
                data_year: int, aspect_weights: Mapping[str, object], quantitative_weight: Decimal,
                quantitative_indicators: Iterable[str] = (),
                thresholds: Iterable[tuple[str, Decimal]] = ()) -> Call:
    """Draft a call; thresholds are (indicator code, minimum in the indicator's unit)."""
    require_province(actor)
    reject_control_characters_in(_("批次"), title=title)
    errors: dict[str, list[str]] = {}
    if quota is None or quota < 1:
        errors["quota"] = [_("名额至少为 1")]
    if quantitative_weight is None or not Decimal(0) <= Decimal(quantitative_weight) <= Decimal(1):
        errors["quantitative_weight"] = [_("量化得分权重须在 0 到 1 之间")]
    codes = list(quantitative_indicators)
    thresholds = list(thresholds)
    known = {i.code: i for i in Indicator.objects.filter(code__in=codes + [c for c, _m in thresholds])}
    unknown = [c for c in codes + [c for c, _m in thresholds] if c not in known]
    if unknown:
        errors["thresholds"] = [_("指标 %(codes)s 不在指标目录中") % {"codes": "、".join(unknown)}]
    for code, minimum in thresholds:
        problem = _threshold_problem(minimum)
        if problem:
            errors.setdefault("thresholds", []).append(
                _("门槛值 %(value)s（%(code)s）%(problem)s") % {"value": minimum, "code": code, "problem": problem})
    try:
        weights = _weights(aspect_weights)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        weights = {}
    if errors:
        raise ValidationError(errors)
    call = Call(programme=programme, title=(title or "").strip(), tier_sought=tier_sought, quota=quota,
                deadline=deadline, data_year=data_year, aspect_weights=weights,
                quantitative_weight=Decimal(quantitative_weight), quantitative_indicators=codes,
                created_by=getattr(actor, "username", ""))
    call.full_clean()
    call.save()
    for code, minimum in thresholds:
        Threshold.objects.create(call=call, indicator=known[code], minimum=Decimal(minimum))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=call, after={
        "programme": programme.code, "tier_sought": tier_sought, "quota": quota, "deadline": deadline,
        "data_year": data_year, "aspect_weights": weights, "quantitative_weight": quantitative_weight,
        "quantitative_indicators": codes, "thresholds": [[c, m] for c, m in thresholds]})
    return call


@transaction.atomic
def call_open(*, actor, call: Call) -> Call:
    """草拟 → 申报中: the call is published and clusters may apply until the deadline."""
    require_province(actor)
    return _move(actor=actor, call=call, to=S.OPEN)


@transaction.atomic
def call_close(*, actor, call: Call) -> Call:
    """申报中 → 评审中: applications close; the province assigns experts."""
    require_province(actor)
    if not call.applications.exists():
        raise ValidationError(_("批次“%(call)s”还没有任何申报，不能进入评审") % {"call": call.title})
    return _move(actor=actor, call=call, to=S.REVIEW)


@transaction.atomic
def call_publicise(*, actor, call: Call, objection_until: datetime.date,
                   today: datetime.date | None = None) -> Call:
    """评审中 → 公示中: compute and rank the results, publish them with a period for objections."""
    require_province(actor)
    today = today or timezone.localdate()
    if objection_until is None or objection_until < today:
        raise ValidationError({"objection_until": [_("公示截止日期须不早于今天（%(today)s）") % {"today": today}]})
    require_status(call, S.REVIEW, doing=_("公示"))
    results_compute(call=call)
    return _move(actor=actor, call=call, to=S.PUBLICITY, objection_until=objection_until, after={"objection_until": objection_until, "results": [
        [a.cluster_id, str(a.final_score), a.rank, a.selected]
        for a in call.applications.filter(eligible=True).order_by("rank")]})


@transaction.atomic
def call_finalise(*, actor, call: Call, today: datetime.date | None = None) -> Call:
    """公示中 → 已完成: after the objection period, with every objection answered, recognise the winners
    through the cluster lifecycle services (the round is the basis in their tier history)."""
    require_province(actor)
    today = today or timezone.localdate()
    require_status(call, S.PUBLICITY, doing=_("完成"))
    if call.objection_until and today <= call.objection_until:
        raise ValidationError(_("公示期至 %(until)s 结束，期满后才能完成认定") % {"until": call.objection_until})
    open_objections = Objection.objects.filter(application__call=call, answered_at__isnull=True)
    if open_objections.exists():
        names = "、".join(sorted({o.application.cluster.name for o in open_objections.select_related("application__cluster")}))
        raise ValidationError(_("以下申报的异议尚未答复：%(names)s；答复后才能完成认定") % {"names": names})
    winners = call.applications.filter(selected=True).select_related("cluster").order_by("rank")
    for application in winners:
        cluster = Cluster.objects.get(pk=application.cluster_id)
        basis = _("赛马认定：%(call)s（批次 #%(id)s），综合得分 %(score)s，第 %(rank)s 名") % {
            "call": call.title, "id": call.pk, "score": application.final_score, "rank": application.rank}
        if below(cluster.tier, call.tier_sought):  # raised meanwhile by another decision: left as it is
            cluster_change_tier(actor=actor, cluster=cluster, tier=call.tier_sought, basis=basis)
        if cluster.status in (ClusterStatus.CULTIVATING, ClusterStatus.WARNED):
            cluster_change_status(actor=actor, cluster=cluster, status=ClusterStatus.RECOGNISED, basis=basis)
    return _move(actor=actor, call=call, to=S.DONE, after={"recognised": [a.cluster_id for a in winners]})


@transaction.atomic
def call_cancel(*, actor, call: Call, reason: str = "") -> Call:
    """草拟、申报中 or 评审中 → 已撤销: the province withdraws the call; from 评审中 only with a reason. Its
    applications (with their attachments and scores) are kept, read-only."""
    require_province(actor)
    reject_control_characters_in(_("撤销原因"), reason=reason)
    reason = (reason or "").strip()
    locked = Call.objects.get(pk=call.pk)
    if locked.status == S.REVIEW and not reason:
        raise ValidationError({"reason": [_("批次“%(call)s”已进入评审，撤销须填写原因") % {"call": locked.title}]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("撤销原因最多 2000 字（现为 %(n)d 字）") % {"n": len(reason)}]})
    return _move(actor=actor, call=call, to=S.CANCELLED, cancel_reason=reason, after={"reason": reason})


MOVES = {S.OPEN: call_open, S.REVIEW: call_close, S.PUBLICITY: call_publicise, S.DONE: call_finalise,
         S.CANCELLED: call_cancel}


# --- results, 公示 and objections -----------------------------------------------------------------------

def results_compute(*, call: Call) -> list[Application]:
    """Score and rank the eligible applications (rules in jiqun.recognition.rules); refuse while scores are
    missing. Called by call_publicise inside its transaction."""
    eligible = list(call.applications.filter(eligible=True).select_related("cluster")
                    .prefetch_related("assignments__expert"))
    if not eligible:
        raise ValidationError(_("没有通过资格审查的申报，无法公示"))
    from jiqun.recognition.services.experts import assignment_refusal

    waiting = []
    counted: dict[int, list] = {}
    for application in eligible:
        # An expert who must stand aside (a conflict declared after the assignment) does not count.
        assignments = [a for a in application.assignments.all() if not assignment_refusal(a.expert, application)]
        counted[application.pk] = assignments
        if not assignments:
            waiting.append(_("%(cluster)s（未分配专家，或所分配专家均须回避）") % {"cluster": application.cluster.name})
        elif any(a.submitted_at is None for a in assignments):
            names = "、".join(a.expert.name for a in assignments if a.submitted_at is None)
            waiting.append(_("%(cluster)s（待%(names)s评分）") % {"cluster": application.cluster.name, "names": names})
    if waiting:
        raise ValidationError(_("以下申报的评审尚未完成：%(list)s") % {"list": "；".join(waiting)})
    values = {a.pk: {code: (Decimal(e["value"]) if e.get("value") is not None else None)
                     for code, e in a.figures.items()} for a in eligible}
    quantitative = R.quantitative_scores(values, list(call.quantitative_indicators))
    weight = Decimal(call.quantitative_weight)
    entries = []
    for application in eligible:
        application.quantitative_score = R.round2(quantitative[application.pk])
        application.expert_score = R.round2(R.trimmed_mean([a.total for a in counted[application.pk]]))
        application.final_score = R.round2(R.combined(quantitative[application.pk],
                                                      application.expert_score, weight))
        entries.append((application.pk, application.final_score, application.expert_score,
                        application.cluster.name))
    by_pk = {a.pk: a for a in eligible}
    for ranked in R.rank(entries, call.quota):
        application = by_pk[ranked.key]
        application.rank, application.selected = ranked.rank, ranked.selected
        application.save(update_fields=["quantitative_score", "expert_score", "final_score", "rank", "selected"])
    return sorted(eligible, key=lambda a: a.rank)
