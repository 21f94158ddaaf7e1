"""On-site 观摩 scores (现场观摩得分): during a year's 观摩 of a project scheme, the province enters each observer's
score (0–100) of each project the scheme evaluates that year; a run of the scheme and year takes the trimmed mean
of a project's scores (jiqun.evaluation.project_inputs.trimmed_mean) into its snapshot, so a later correction never
changes a stored run.

One service and one audit entry per write: `observation_score_record` enters a new score or corrects one (checking
its `version`: StaleEdit when someone changed it meanwhile), `observation_score_delete` removes one.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.stale import changes_since, stale_edit
from jiqun.core.text import control_character_error
from jiqun.evaluation.models import ObservationScore, Scheme, SubjectKind
from jiqun.evaluation.permissions import can_enter_observation
from jiqun.projects.models import Project

FIRST_YEAR, LAST_YEAR = 2000, 2100


def project_schemes():
    """The latest version of each project scheme (观摩评比), by code."""
    latest: dict[str, Scheme] = {}
    for scheme in Scheme.objects.filter(subject_kind=SubjectKind.PROJECT).select_related("programme").order_by(
            "code", "-version"):
        latest.setdefault(scheme.code, scheme)
    return list(latest.values())


def observed_projects(scheme: Scheme, year: int) -> list[tuple[object, str]]:
    """The projects the scheme evaluates in `year` (新上 or 技改), each with why: those that can be scored."""
    from jiqun.evaluation.project_inputs import project_subjects

    return project_subjects(scheme, year)


def _require(actor) -> None:
    if actor is not None and not can_enter_observation(actor):
        raise PermissionDenied(_("现场观摩得分由省级管理员录入"))


def _checked(*, scheme_code: str, year, project: Project, observer: str, score, note: str) -> tuple:
    errors: dict[str, list[str]] = {}
    scheme = next((s for s in project_schemes() if s.code == scheme_code), None)
    if scheme is None:
        errors["scheme_code"] = [_("观摩评比方案“%(code)s”不存在（须为项目方案）") % {"code": scheme_code}]
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [_("年度应为 %(a)s 至 %(b)s 之间的年份") % {"a": FIRST_YEAR, "b": LAST_YEAR}]
    elif scheme is not None and project.pk not in {p.pk for p, _why in observed_projects(scheme, year)}:
        errors["project"] = [_("项目“%(name)s”不在《%(scheme)s》%(year)s年的参评项目中（当年开工的新上项目或在建技改项目）")
                             % {"name": project.name, "scheme": scheme.name, "year": year}]
    observer = (observer or "").strip()
    if not observer:
        errors["observer"] = [_("请填写观摩人员")]
    elif len(observer) > 100:
        errors["observer"] = [_("观摩人员不能超过 100 个字")]
    elif control_character_error(observer):
        errors["observer"] = [control_character_error(observer)]
    try:
        value = Decimal(str(score).strip())
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        value = None
        errors["score"] = [_("现场得分应为 0 至 100 之间的数，最多一位小数")]
    else:
        if not (0 <= value <= 100) or value != value.quantize(Decimal("0.1")):
            errors["score"] = [_("现场得分应为 0 至 100 之间的数，最多一位小数")]
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = [_("说明不能超过 300 个字")]
    elif note and control_character_error(note):
        errors["note"] = [control_character_error(note)]
    if errors:
        raise ValidationError(errors)
    return observer, value.quantize(Decimal("0.1")), note


@transaction.atomic
def observation_score_record(*, actor, scheme_code: str, year: int, project: Project, observer: str, score,
                             note: str = "", base_version: int | None = None) -> ObservationScore:
    """Enter an observer's score of a project (or correct it: `base_version` is the version it was based on)."""
    _require(actor)
    observer, value, note = _checked(scheme_code=scheme_code, year=year, project=project, observer=observer,
                                     score=score, note=note)
    current = (ObservationScore.objects.select_for_update()
               .filter(scheme_code=scheme_code, year=year, project=project, observer=observer).first())
    who = getattr(actor, "username", "") or "系统"
    if current is None:
        if base_version is not None:
            raise ValidationError({"observer": [_("该观摩人员的得分已被删除，请刷新后重新录入")]})
        current = ObservationScore(scheme_code=scheme_code, year=year, project=project, observer=observer,
                                   score=value, note=note, entered_by=who)
        current.full_clean()
        current.save()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=current,
                     after={"scheme": scheme_code, "year": year, "project": project.pk, "observer": observer,
                            "score": str(value), "version": current.version})
        return current
    if base_version is None:
        raise ValidationError({"observer": [_("%(observer)s 已给该项目打分（%(score)s 分）；修改请在原得分上进行")
                                            % {"observer": observer, "score": current.score}]})
    if base_version != current.version:
        raise stale_edit(kind=_("现场观摩得分"), changes=changes_since(current, base_version))
    before = {"score": str(current.score), "note": current.note, "version": current.version}
    current.score, current.note, current.entered_by = value, note, who
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=before,
                 after={"score": str(value), "note": note, "version": current.version})
    return current


@transaction.atomic
def observation_score_delete(*, actor, score: ObservationScore, base_version: int) -> None:
    """Remove an entered score (an observer entered by mistake), refusing a stale version."""
    _require(actor)
    current = ObservationScore.objects.select_for_update().filter(pk=score.pk).first()
    if current is None:
        return
    if base_version != current.version:
        raise stale_edit(kind=_("现场观摩得分"), changes=changes_since(current, base_version))
    audit_record(actor=actor, action=AuditAction.DELETE, obj=current,
                 before={"project": current.project_id, "observer": current.observer, "score": str(current.score),
                         "version": current.version})
    current.delete()
