"""Writes of a 赛马 round. Each is atomic, validated, permission-checked and audited.

A call moves along TRANSITIONS, one service per move and one audit entry each: 草拟 → 申报中 → 评审中 → 公示中
→ 已完成. Finalising records the winners' recognition only through the cluster lifecycle services
(`cluster_change_tier`, `cluster_change_status`) with the round as basis.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.clusters.services import TIER_MOVES, cluster_change_status, cluster_change_tier
from jiqun.core.text import reject_control_characters_in
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.programmes.models import Indicator
from jiqun.recognition import rules as R
from jiqun.recognition.models import (
    ASPECT_CODES,
    ASPECTS,
    Application,
    Assignment,
    Call,
    CallStatus,
    Conflict,
    Expert,
    Objection,
    Threshold,
)
from jiqun.recognition.permissions import can_apply_for, can_manage_rounds, can_score
from jiqun.regions.models import city_code

S = CallStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.OPEN}),
    S.OPEN: frozenset({S.REVIEW}),
    S.REVIEW: frozenset({S.PUBLICITY}),
    S.PUBLICITY: frozenset({S.DONE}),
    S.DONE: frozenset(),
}

TIER_ORDER = ["", Tier.CITY, Tier.PROVINCIAL, Tier.NATIONAL, Tier.WORLD]


def _below(tier: str, sought: str) -> bool:
    """Whether `tier` is lower than `sought`: a round only ever raises a tier."""
    return TIER_ORDER.index(tier) < TIER_ORDER.index(sought)


def _require_province(actor) -> None:
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_("赛马认定由省级管理员组织，您无权进行此操作。"))


def _require_status(call: Call, *statuses: str, doing: str) -> None:
    if call.status not in statuses:
        raise ValidationError(_("批次“%(call)s”当前为“%(status)s”，不能%(doing)s") % {
            "call": call.title, "status": call.get_status_display(), "doing": doing})


def _move(*, actor, call: Call, to: str, after: dict | None = None,
          objection_until: datetime.date | None = None) -> Call:
    """Move a locked call one step of TRANSITIONS, with its audit entry."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if to not in TRANSITIONS[locked.status]:
        raise ValidationError(_("批次“%(call)s”不能从“%(old)s”变为“%(new)s”") % {
            "call": locked.title, "old": locked.get_status_display(), "new": CallStatus(to).label})
    before = locked.status
    locked.status = to
    if objection_until is not None:
        locked.objection_until = objection_until
    locked.save(update_fields=["status", "objection_until"])
    call.status, call.objection_until = locked.status, locked.objection_until
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


@transaction.atomic
def call_create(*, actor, programme, title: str, tier_sought: str, quota: int, deadline: datetime.date,
                data_year: int, aspect_weights: Mapping[str, object], quantitative_weight: Decimal,
                quantitative_indicators: Iterable[str] = (),
                thresholds: Iterable[tuple[str, Decimal]] = ()) -> Call:
    """Draft a call; thresholds are (indicator code, minimum in the indicator's unit)."""
    _require_province(actor)
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
    _require_province(actor)
    return _move(actor=actor, call=call, to=S.OPEN)


@transaction.atomic
def call_close(*, actor, call: Call) -> Call:
    """申报中 → 评审中: applications close; the province assigns experts."""
    _require_province(actor)
    if not call.applications.exists():
        raise ValidationError(_("批次“%(call)s”还没有任何申报，不能进入评审") % {"call": call.title})
    return _move(actor=actor, call=call, to=S.REVIEW)


@transaction.atomic
def call_publicise(*, actor, call: Call, objection_until: datetime.date,
                   today: datetime.date | None = None) -> Call:
    """评审中 → 公示中: compute and rank the results, publish them with a period for objections."""
    _require_province(actor)
    today = today or timezone.localdate()
    if objection_until is None or objection_until < today:
        raise ValidationError({"objection_until": [_("公示截止日期须不早于今天（%(today)s）") % {"today": today}]})
    _require_status(call, S.REVIEW, doing=_("公示"))
    results_compute(call=call)
    return _move(actor=actor, call=call, to=S.PUBLICITY, objection_until=objection_until, after={"objection_until": objection_until, "results": [
        [a.cluster_id, str(a.final_score), a.rank, a.selected]
        for a in call.applications.filter(eligible=True).order_by("rank")]})


@transaction.atomic
def call_finalise(*, actor, call: Call, today: datetime.date | None = None) -> Call:
    """公示中 → 已完成: after the objection period, with every objection answered, recognise the winners
    through the cluster lifecycle services (the round is the basis in their tier history)."""
    _require_province(actor)
    today = today or timezone.localdate()
    _require_status(call, S.PUBLICITY, doing=_("完成"))
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
        if _below(cluster.tier, call.tier_sought):  # raised meanwhile by another decision: left as it is
            cluster_change_tier(actor=actor, cluster=cluster, tier=call.tier_sought, basis=basis)
        if cluster.status in (ClusterStatus.CULTIVATING, ClusterStatus.WARNED):
            cluster_change_status(actor=actor, cluster=cluster, status=ClusterStatus.RECOGNISED, basis=basis)
    return _move(actor=actor, call=call, to=S.DONE, after={"recognised": [a.cluster_id for a in winners]})


MOVES = {S.OPEN: call_open, S.REVIEW: call_close, S.PUBLICITY: call_publicise, S.DONE: call_finalise}


# --- applications ---------------------------------------------------------------------------------------

def figures_draw(call: Call, cluster: Cluster) -> tuple[dict, dict[str, Decimal | None], dict[str, str]]:
    """The cluster's approved figures of the call's data year, for its thresholds and quantitative indicators:
    (what to store with provenance, the values, why a value is missing)."""
    codes = list(dict.fromkeys([t.indicator.code for t in call.thresholds.select_related("indicator")]
                               + list(call.quantitative_indicators)))
    figures = ApprovedFigures(call.programme, as_of=datetime.date(call.data_year, 12, 31))
    subject = figures.cluster(cluster.pk)
    stored, values, missing = {}, {}, {}
    for code in codes:
        indicator = figures.catalogue[code]
        entry = {"name": indicator.name, "unit": indicator.unit, "year": call.data_year, "value": None,
                 "sources": [], "missing": ""}
        total = None if figures.refusal(subject, code) else figures.total(subject, code, call.data_year, 4)
        if figures.refusal(subject, code):
            entry["missing"] = figures.refusal(subject, code)
        elif total is None:
            entry["missing"] = _("%(year)s 年无全年（1-12月）报表") % {"year": call.data_year}
        elif not total.complete:
            names = "、".join(sorted(figures.name_of(k) for k in total.missing))
            entry["missing"] = _("%(year)s 年全年报表未经省级审核：%(names)s") % {"year": call.data_year, "names": names}
        else:
            entry["value"] = str(total.current)
            entry["sources"] = [{"report": s.report, "revision": s.revision, "subject": s.subject}
                                for s in total.sources]
        values[code] = Decimal(entry["value"]) if entry["value"] is not None else None
        if entry["missing"]:
            missing[code] = entry["missing"]
        stored[code] = entry
    return stored, values, missing


@transaction.atomic
def application_create(*, actor, call: Call, cluster: Cluster, texts: Mapping[str, str],
                       today: datetime.date | None = None) -> Application:
    """Apply for a cluster the actor keeps; the figures are drawn from approved data and screened."""
    today = today or timezone.localdate()
    if actor is not None and not can_apply_for(actor, cluster):
        raise PermissionDenied(_("只有该集群的促进机构或所在市的市级用户可以为其申报。"))
    _require_status(call, S.OPEN, doing=_("申报"))
    if today > call.deadline:
        raise ValidationError(_("申报已于 %(deadline)s 截止") % {"deadline": call.deadline})
    errors: dict[str, list[str]] = {}
    if cluster.programme_id != call.programme_id:
        errors["cluster"] = [_("集群“%(cluster)s”不属于本批次的培育工程（%(programme)s）") % {
            "cluster": cluster.name, "programme": call.programme.code}]
    elif cluster.status == ClusterStatus.EXITED:
        errors["cluster"] = [_("集群“%(cluster)s”已退出培育，不能申报") % {"cluster": cluster.name}]
    elif call.tier_sought not in TIER_MOVES.get(cluster.tier, frozenset()) or not _below(cluster.tier, call.tier_sought):
        errors["cluster"] = [_("集群“%(cluster)s”当前层级为“%(tier)s”，不能申报“%(sought)s”") % {
            "cluster": cluster.name, "tier": cluster.get_tier_display() or _("未定"),
            "sought": Tier(call.tier_sought).label}]
    elif call.applications.filter(cluster=cluster).exists():
        errors["cluster"] = [_("集群“%(cluster)s”已申报本批次") % {"cluster": cluster.name}]
    for code, label in ASPECTS:
        if not (texts.get(code) or "").strip():
            errors[code] = [_("请填写“%(aspect)s”") % {"aspect": label}]
    reject_control_characters_in(_("申报书"), **{code: texts.get(code) for code in ASPECT_CODES})
    if errors:
        raise ValidationError(errors)
    stored, values, missing = figures_draw(call, cluster)
    thresholds = [(t.indicator.code, t.indicator.name, t.indicator.unit, t.minimum)
                  for t in call.thresholds.select_related("indicator")]
    checks = R.screen(values, thresholds, missing)
    application = Application(
        call=call, cluster=cluster, applicant=getattr(actor, "username", "") or _("系统"),
        applicant_organisation=getattr(actor, "organisation", ""), figures=stored,
        screen=[{"indicator": c.indicator, "name": c.name, "unit": c.unit,
                 "value": None if c.value is None else str(c.value), "minimum": str(c.minimum),
                 "passed": c.passed, "reason": c.reason} for c in checks],
        eligible=all(c.passed for c in checks),
        **{code: texts[code].strip() for code in ASPECT_CODES},
    )
    application.full_clean()
    application.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=application, after={
        "call": call.pk, "cluster": cluster.pk, "eligible": application.eligible, "figures": stored})
    return application


# --- the expert library ---------------------------------------------------------------------------------

@transaction.atomic
def expert_create(*, actor, name: str, field: str, organisation: str, city=None, contact: str = "",
                  user=None) -> Expert:
    """Add an expert to the library; the linked account, if any, must be a 评审专家 one."""
    _require_province(actor)
    from jiqun.accounts.models import Role

    if user is not None and user.role != Role.EXPERT:
        raise ValidationError({"user": [_("账号“%(user)s”不是评审专家角色") % {"user": user.username}]})
    reject_control_characters_in(_("专家"), name=name, field=field, organisation=organisation, contact=contact)
    expert = Expert(name=(name or "").strip(), field=(field or "").strip(), organisation=(organisation or "").strip(),
                    city=city, contact=(contact or "").strip(), user=user)
    expert.full_clean()
    expert.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=expert, after={
        "name": expert.name, "field": expert.field, "organisation": expert.organisation,
        "city": getattr(city, "pk", None), "user": getattr(user, "pk", None)})
    return expert


@transaction.atomic
def conflict_declare(*, actor, expert: Expert, reason: str, cluster: Cluster | None = None,
                     organisation: str = "") -> Conflict:
    """Record a conflict of interest an expert declared, with a cluster or an organisation."""
    _require_province(actor)
    reject_control_characters_in(_("回避"), reason=reason, organisation=organisation)
    errors = {}
    if cluster is None and not (organisation or "").strip():
        errors["cluster"] = [_("请选择回避的集群或填写回避的单位")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写回避原因")]
    if errors:
        raise ValidationError(errors)
    conflict = Conflict(expert=expert, cluster=cluster, organisation=(organisation or "").strip(),
                        reason=reason.strip())
    conflict.full_clean()
    conflict.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=conflict, after={
        "expert": expert.pk, "cluster": getattr(cluster, "pk", None), "organisation": conflict.organisation,
        "reason": conflict.reason})
    return conflict


def assignment_refusal(expert: Expert, application: Application) -> str:
    """Why this expert may not review this application ("" when it may): its own city, its own organisation,
    or a declared conflict."""
    cluster = application.cluster
    cities = {city_code(r.code) for r in cluster.regions.all()}
    if expert.city_id and expert.city_id in cities:
        return _("专家%(expert)s所在城市（%(city)s）与集群“%(cluster)s”相同，须回避") % {
            "expert": expert.name, "city": expert.city.name, "cluster": cluster.name}
    organisations = {o for o in (cluster.promotion_org, application.applicant_organisation) if o}
    if expert.organisation in organisations:
        return _("专家%(expert)s的工作单位（%(org)s）即集群“%(cluster)s”的促进机构或申报单位，须回避") % {
            "expert": expert.name, "org": expert.organisation, "cluster": cluster.name}
    for conflict in expert.conflicts.all():
        if conflict.cluster_id == cluster.pk or (conflict.organisation and conflict.organisation in organisations):
            return _("专家%(expert)s已申报与集群“%(cluster)s”回避：%(reason)s") % {
                "expert": expert.name, "cluster": cluster.name, "reason": conflict.reason}
    return ""


@transaction.atomic
def assignment_create(*, actor, application: Application, expert: Expert) -> Assignment:
    """Give an application to an expert, unless the expert must stand aside (refused with the reason)."""
    _require_province(actor)
    _require_status(application.call, S.REVIEW, doing=_("分配专家"))
    if not application.eligible:
        raise ValidationError(_("集群“%(cluster)s”未通过资格审查，不进入专家评审") % {"cluster": application.cluster.name})
    refusal = assignment_refusal(expert, application)
    if refusal:
        raise ValidationError({"expert": [refusal]})
    if application.assignments.filter(expert=expert).exists():
        raise ValidationError({"expert": [_("专家%(expert)s已分配评审该申报") % {"expert": expert.name}]})
    assignment = Assignment(application=application, expert=expert, assigned_by=getattr(actor, "username", ""))
    assignment.full_clean()
    assignment.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=assignment, after={
        "application": application.pk, "expert": expert.pk})
    return assignment


def _score(raw, label: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("“%(aspect)s”的评分“%(raw)s”不是数字") % {"aspect": label, "raw": raw}) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ValidationError(_("“%(aspect)s”的评分须在 0 到 100 之间，收到 %(raw)s") % {"aspect": label, "raw": raw})
    return value


@transaction.atomic
def scores_submit(*, actor, assignment: Assignment, scores: Mapping[str, object],
                  comments: Mapping[str, str] | None = None) -> Assignment:
    """The assigned expert scores each aspect (0–100) with comments; it may revise until 公示."""
    if actor is not None and not can_score(actor, assignment):
        raise PermissionDenied(_("只有被分配的评审专家本人可以评分。"))
    call = assignment.application.call
    _require_status(call, S.REVIEW, doing=_("评分"))
    comments = comments or {}
    errors: dict[str, list[str]] = {}
    values = {}
    for code, label in ASPECTS:
        if scores.get(code) in (None, ""):
            errors[code] = [_("请为“%(aspect)s”评分") % {"aspect": label}]
            continue
        try:
            values[code] = _score(scores[code], label)
        except ValidationError as exc:
            errors[code] = exc.messages
    unknown = sorted(set(scores) - set(ASPECT_CODES))
    if unknown:
        errors["__all__"] = [_("未知的评审要点：%(codes)s") % {"codes": "、".join(unknown)}]
    reject_control_characters_in(_("评审意见"), **{code: comments.get(code) for code in ASPECT_CODES})
    if errors:
        raise ValidationError(errors)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    before = {"scores": locked.scores, "total": locked.total}
    locked.scores = {code: {"score": str(values[code]), "comment": (comments.get(code) or "").strip()}
                     for code in ASPECT_CODES}
    weights = {code: Decimal(w) for code, w in call.aspect_weights.items()}
    locked.total = R.round2(R.weighted_score(values, weights))
    locked.submitted_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["scores", "total", "submitted_at"])
    assignment.scores, assignment.total, assignment.submitted_at = locked.scores, locked.total, locked.submitted_at
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before=before,
                 after={"scores": locked.scores, "total": locked.total})
    return assignment


# --- results, 公示 and objections -----------------------------------------------------------------------

def results_compute(*, call: Call) -> list[Application]:
    """Score and rank the eligible applications (rules in jiqun.recognition.rules); refuse while scores are
    missing. Called by call_publicise inside its transaction."""
    eligible = list(call.applications.filter(eligible=True).select_related("cluster")
                    .prefetch_related("assignments__expert"))
    if not eligible:
        raise ValidationError(_("没有通过资格审查的申报，无法公示"))
    waiting = []
    for application in eligible:
        assignments = list(application.assignments.all())
        if not assignments:
            waiting.append(_("%(cluster)s（未分配专家）") % {"cluster": application.cluster.name})
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
        application.expert_score = R.round2(R.trimmed_mean([a.total for a in application.assignments.all()]))
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


@transaction.atomic
def objection_record(*, actor, application: Application, objector: str, content: str,
                     today: datetime.date | None = None) -> Objection:
    """Record an objection received during the 公示 period (the province registers it)."""
    _require_province(actor)
    today = today or timezone.localdate()
    call = application.call
    _require_status(call, S.PUBLICITY, doing=_("登记异议"))
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
    _require_province(actor)
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
