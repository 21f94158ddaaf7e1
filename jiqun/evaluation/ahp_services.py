"""Writes of an AHP consultation (层次分析法征询): the province opens it on an unlocked scheme version and invites
experts from the recognition expert library; each expert saves, revises and submits its pairwise
judgements; the province closes it, which aggregates the submitted judgements (geometric mean, AIJ) and
writes the resulting AHP weights to the scheme version. Each is atomic, checks permission and writes one
audit entry; the moves are CONSULTATION_MOVES and INVITATION_MOVES.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.stale import stale_edit, version_missing
from jiqun.evaluation.ahp_matrices import (
    CR_THRESHOLD,
    SAATY_SCALE,
    Matrix,
    consistency_ratio,
    full_matrix,
    geometric_mean,
    hierarchy,
    matrices_of,
    saaty_value,
    stored_form,
    structure_of,
)
from jiqun.evaluation.models import (
    CONSULTATION_MOVES,
    INVITATION_MOVES,
    AhpConsultation,
    AhpInvitation,
    ConsultationStatus,
    InvitationStatus,
    Scheme,
    WeightMethod,
)
from jiqun.evaluation.permissions import can_consult_experts, can_enter_judgements
from jiqun.recognition.models import Expert

WEIGHT_PLACES = Decimal("0.0001")


def _province(actor) -> None:
    if actor is not None and not can_consult_experts(actor):
        raise PermissionDenied(_("只有省级管理员可以开展层次分析法征询"))


def _name(actor) -> str:
    return getattr(actor, "username", "") or "系统"


def consultation_matrices(consultation: AhpConsultation) -> list[Matrix]:
    return matrices_of(consultation.structure)


@transaction.atomic
def consultation_open(*, actor, scheme: Scheme, experts: Iterable[Expert]) -> AhpConsultation:
    """Open a consultation on an unlocked scheme version and invite experts who have an expert account."""
    _province(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.locked:
        raise ValidationError(_("评价方案“%(code)s”第%(v)s版已锁定，不能再征询权重；请先复制为新版本")
                              % {"code": scheme.code, "v": scheme.version})
    if scheme.ahp_consultations.filter(status=ConsultationStatus.OPEN).exists():
        raise ValidationError(_("该方案版本已有进行中的层次分析法征询，请先结束它"))
    experts = list(experts)
    if not experts:
        raise ValidationError({"experts": [_("请至少邀请一位专家")]})
    without = [e.name for e in experts if e.user_id is None]
    if without:
        raise ValidationError({"experts": [_("专家 %(names)s 没有评审专家账号，不能在平台填写判断")
                                           % {"names": "、".join(without)}]})
    items = [(i.code, i.name, i.dimension) for i in scheme.items.select_related("indicator").order_by("order")]
    structure = structure_of(items)
    if not matrices_of(structure):
        raise ValidationError(_("该方案只有一项指标，无需两两比较"))
    consultation = AhpConsultation(scheme=scheme, structure=structure, opened_by=_name(actor))
    consultation.full_clean()
    consultation.save()
    for expert in experts:
        AhpInvitation.objects.create(consultation=consultation, expert=expert)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=consultation,
                 after={"scheme": f"{scheme.code} v{scheme.version}", "status": consultation.status,
                        "experts": [e.name for e in experts]})
    return consultation


def _checked(consultation: AhpConsultation, judgements: Mapping[str, Any]) -> dict[str, list[str]]:
    """The judgements as stored (per matrix the upper triangle on the Saaty scale); a ValidationError names
    the matrix and the pair of every bad entry."""
    if not isinstance(judgements, Mapping):
        raise ValidationError({"judgements": [_("判断应为“矩阵编号 → 上三角判断列表”的键值表")]})
    matrices = {m.key: m for m in consultation_matrices(consultation)}
    errors: list[str] = []
    checked: dict[str, list[str]] = {}
    unknown = sorted(set(judgements) - set(matrices))
    if unknown:
        errors.append(_("没有这些判断矩阵：%(keys)s（可用：%(known)s）")
                      % {"keys": "、".join(map(str, unknown)), "known": "、".join(matrices)})
    for key, values in judgements.items():
        matrix = matrices.get(key)
        if matrix is None:
            continue
        pairs = matrix.pairs
        if not isinstance(values, list) or len(values) != len(pairs):
            errors.append(_("%(matrix)s：应有 %(n)s 个判断（上三角逐行），收到 %(got)s 个")
                          % {"matrix": matrix.title, "n": len(pairs),
                             "got": len(values) if isinstance(values, list) else _("非列表")})
            continue
        for (i, j), value in zip(pairs, values, strict=True):
            try:
                saaty_value(value)
            except ValueError:
                errors.append(_("%(matrix)s：“%(a)s”与“%(b)s”的判断“%(value)s”不在 1/9 至 9 的标度上")
                              % {"matrix": matrix.title, "a": matrix.names[i], "b": matrix.names[j], "value": value})
        checked[key] = [str(v).strip() for v in values]
    if errors:
        raise ValidationError({"judgements": errors})
    return checked


@transaction.atomic
def judgements_save(*, actor, invitation: AhpInvitation, judgements: Mapping[str, Any],
                    base_version: int | None) -> AhpInvitation:
    """The invited expert saves (or revises) judgements for some or all matrices; each matrix's CR is kept.

    `base_version` is the invitation's version the form or request was based on: a later save on file (the
    same expert in another session) refuses this one (StaleEdit)."""
    if actor is not None and not can_enter_judgements(actor, invitation):
        raise PermissionDenied(_("只有受邀专家本人可以填写判断"))
    locked = AhpInvitation.objects.select_for_update().select_related("consultation").get(pk=invitation.pk)
    if locked.consultation.status != ConsultationStatus.OPEN:
        raise ValidationError(_("该征询已结束，不能再修改判断"))
    if locked.status == InvitationStatus.SUBMITTED:
        raise ValidationError(_("您已提交判断，不能再修改"))
    checked = _checked(locked.consultation, judgements)
    if base_version is None:
        raise version_missing(kind=_("判断"))
    if base_version != locked.version:
        raise stale_edit(kind=_("判断"), changes=[])
    matrices = {m.key: m for m in consultation_matrices(locked.consultation)}
    before = {"judgements": locked.judgements, "version": locked.version}
    locked.judgements = {**locked.judgements, **checked}
    locked.consistency = {key: round(consistency_ratio(matrices[key], values), 4)
                          for key, values in locked.judgements.items()}
    locked.version += 1
    locked.saved_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["judgements", "consistency", "version", "saved_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before=before,
                 after={"judgements": locked.judgements, "consistency": locked.consistency, "version": locked.version})
    return locked


def _inconsistent(invitation: AhpInvitation) -> list[str]:
    """Why the invitation cannot be submitted: missing matrices, and each matrix with CR > 0.1."""
    reasons = []
    for matrix in consultation_matrices(invitation.consultation):
        if matrix.key not in invitation.judgements:
            reasons.append(_("%(matrix)s：尚未填写") % {"matrix": matrix.title})
        elif invitation.consistency.get(matrix.key, 0) > CR_THRESHOLD:
            reasons.append(_("%(matrix)s：一致性比率 CR = %(cr).3f，超过 0.10，请调整判断")
                           % {"matrix": matrix.title, "cr": invitation.consistency[matrix.key]})
    return reasons


@transaction.atomic
def judgements_submit(*, actor, invitation: AhpInvitation) -> AhpInvitation:
    """The invited expert submits: every matrix filled in and consistent (CR ≤ 0.1). Final."""
    if actor is not None and not can_enter_judgements(actor, invitation):
        raise PermissionDenied(_("只有受邀专家本人可以提交判断"))
    locked = AhpInvitation.objects.select_for_update().select_related("consultation").get(pk=invitation.pk)
    if locked.consultation.status != ConsultationStatus.OPEN:
        raise ValidationError(_("该征询已结束，不能再提交"))
    if InvitationStatus.SUBMITTED not in INVITATION_MOVES[locked.status]:
        raise ValidationError(_("您已提交判断"))
    reasons = _inconsistent(locked)
    if reasons:
        raise ValidationError({"judgements": [_("不能提交：") + r for r in reasons]})
    locked.status = InvitationStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before={"status": InvitationStatus.INVITED},
                 after={"status": locked.status, "consistency": locked.consistency})
    return locked


def _rounded(weights: list[float]) -> list[Decimal]:
    """Four-place weights that sum to exactly 1 (the rounding difference goes to the largest weight)."""
    rounded = [Decimal(repr(w)).quantize(WEIGHT_PLACES, ROUND_HALF_EVEN) for w in weights]
    largest = max(range(len(rounded)), key=lambda k: rounded[k])
    rounded[largest] += Decimal(1) - sum(rounded)
    return rounded


def aggregate(consultation: AhpConsultation, invitations: list[AhpInvitation]) -> dict[str, Any]:
    """The aggregation of the submitted judgements: per matrix the geometric mean of the experts' matrices
    with its CR and local weights; the global weights (dimension weight × local weight); each expert's CRs."""
    matrices = consultation_matrices(consultation)
    combined = {m.key: geometric_mean([full_matrix(inv.judgements[m.key], len(m.codes)) for inv in invitations])
                for m in matrices}
    result = hierarchy(consultation.structure, combined)
    weights = dict(zip(result.leaves, result.global_weights.tolist(), strict=True))
    dimensions = consultation.structure["dimensions"]
    return {
        "method": "AIJ geometric mean",
        "experts": [{"invitation": inv.pk, "expert": inv.expert.name, "consistency": inv.consistency}
                    for inv in invitations],
        "matrices": {m.key: {"title": m.title, "names": list(m.names), "matrix": combined[m.key].tolist(),
                             "cr": result.nodes["goal" if m.key == "D" else f"dim:{dimensions[int(m.key[1:]) - 1]}"].cr}
                     for m in matrices},
        "dimension_weights": {d: result.node_weights[f"dim:{d}"] for d in dimensions},
        "weights": weights,
        "total_cr": result.total_cr,
        "combined": combined,
    }


@transaction.atomic
def consultation_close(*, actor, consultation: AhpConsultation) -> AhpConsultation:
    """Close: aggregate the submitted judgements and write AHP weights, with the aggregated matrices (so a
    run reproduces), to the scheme version. The version must still be unlocked and every aggregated matrix
    consistent."""
    _province(actor)
    consultation = AhpConsultation.objects.select_for_update().get(pk=consultation.pk)
    if ConsultationStatus.CLOSED not in CONSULTATION_MOVES[consultation.status]:
        raise ValidationError(_("该征询已结束"))
    scheme = Scheme.objects.select_for_update().get(pk=consultation.scheme_id)
    if scheme.locked:
        raise ValidationError(_("评价方案“%(code)s”第%(v)s版已锁定，不能写入权重；请复制为新版本后重新征询")
                              % {"code": scheme.code, "v": scheme.version})
    submitted = list(consultation.invitations.filter(status=InvitationStatus.SUBMITTED).select_related("expert")
                     .order_by("expert__name", "pk"))
    if not submitted:
        raise ValidationError(_("还没有专家提交判断，不能结束征询"))
    items = list(scheme.items.order_by("order"))
    codes = [c for group in consultation.structure["groups"] for c, _n in group]
    if sorted(codes) != sorted(i.code for i in items):
        raise ValidationError(_("方案的指标已与征询开启时不同，不能写入权重；请重新开启征询"))
    result = aggregate(consultation, submitted)
    bad = [f"{m['title']}（CR = {m['cr']:.3f}）" for m in result["matrices"].values() if m["cr"] > CR_THRESHOLD]
    if bad:
        raise ValidationError(_("集结后的判断矩阵一致性比率超过 0.10：%(list)s；请专家调整后重新征询")
                              % {"list": "、".join(bad)})
    stored = stored_form(consultation.structure, result["combined"],
                         consultation=consultation.pk, method="AIJ geometric mean", experts=len(submitted))
    before = {"weight_method": scheme.weight_method, "weights": {i.code: str(i.weight) for i in items},
              "revision": scheme.revision}
    scheme.weight_method = WeightMethod.AHP
    scheme.ahp_judgements = stored
    scheme.ahp_cr = Decimal(repr(result["total_cr"])).quantize(Decimal("0.0001"))
    scheme.revision += 1
    scheme.full_clean()
    scheme.save()
    for item, weight in zip(items, _rounded([result["weights"][i.code] for i in items]), strict=True):
        item.weight = weight
        item.save(update_fields=["weight"])
    consultation.status = ConsultationStatus.CLOSED
    consultation.result = {k: v for k, v in result.items() if k != "combined"}
    consultation.closed_by, consultation.closed_at = _name(actor), timezone.now()
    consultation.save(update_fields=["status", "result", "closed_by", "closed_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=consultation,
                 before={"status": ConsultationStatus.OPEN, "scheme": before},
                 after={"status": consultation.status, "experts": len(submitted), "total_cr": result["total_cr"],
                        "scheme": {"weight_method": scheme.weight_method, "revision": scheme.revision,
                                   "weights": {i.code: str(i.weight) for i in items}}})
    return consultation


__all__ = ["SAATY_SCALE", "aggregate", "consultation_close", "consultation_open", "judgements_save",
           "judgements_submit"]
