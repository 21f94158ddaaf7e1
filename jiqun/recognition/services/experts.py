"""The expert library, declared conflicts, assignment (refused with the reason) and scoring."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster
from jiqun.core.stale import changes_since, stale_edit, version_missing
from jiqun.core.text import reject_control_characters_in
from jiqun.recognition import rules as R
from jiqun.recognition.models import ASPECT_CODES, ASPECTS, Application, Assignment, Conflict, Expert
from jiqun.recognition.permissions import can_score
from jiqun.recognition.services.common import S, require_province, require_status
from jiqun.regions.models import city_code

# --- the expert library ---------------------------------------------------------------------------------

@transaction.atomic
def expert_create(*, actor, name: str, field: str, organisation: str, city=None, contact: str = "",
                  user=None) -> Expert:
    """Add an expert to the library; the linked account, if any, must be a 评审专家 one."""
    require_province(actor)
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
    require_province(actor)
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
    require_province(actor)
    require_status(application.call, S.REVIEW, doing=_("分配专家"))
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
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("“%(aspect)s”的评分最多保留两位小数，收到 %(raw)s") % {"aspect": label, "raw": raw})
    return value


@transaction.atomic
def scores_submit(*, actor, assignment: Assignment, scores: Mapping[str, object], base_version: int | None,
                  comments: Mapping[str, str] | None = None) -> Assignment:
    """The assigned expert scores each aspect (0–100, two decimals) with comments; it may revise until 公示.

    `base_version` is the assignment's version the form or request was based on: a later save on file
    (another session of the same expert) refuses this one (StaleEdit) naming when and by whom.
    """
    if actor is not None and not can_score(actor, assignment):
        raise PermissionDenied(_("只有被分配的评审专家本人可以评分。"))
    call = assignment.application.call
    require_status(call, S.REVIEW, doing=_("评分"))
    refusal = assignment_refusal(assignment.expert, assignment.application)
    if refusal:  # a conflict declared after the assignment: the expert stands aside, its score does not count
        raise ValidationError(_("%(expert)s 须回避此申报，不能评分：%(reason)s")
                              % {"expert": assignment.expert.name, "reason": refusal})
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
    if base_version is None:
        raise version_missing(kind=_("评分"))
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if base_version != locked.version:
        raise stale_edit(kind=_("评分"), changes=changes_since(locked, base_version))
    before = {"scores": locked.scores, "total": locked.total, "version": locked.version}
    locked.scores = {code: {"score": str(values[code]), "comment": (comments.get(code) or "").strip()}
                     for code in ASPECT_CODES}
    weights = {code: Decimal(w) for code, w in call.aspect_weights.items()}
    locked.total = R.round2(R.weighted_score(values, weights))
    locked.submitted_at = timezone.now()
    locked.version += 1
    locked.full_clean()
    locked.save(update_fields=["scores", "total", "submitted_at", "version"])
    assignment.scores, assignment.total, assignment.submitted_at = locked.scores, locked.total, locked.submitted_at
    assignment.version = locked.version
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before=before,
                 after={"scores": locked.scores, "total": locked.total, "version": locked.version})
    return assignment
