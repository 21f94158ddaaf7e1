"""Applications: figures drawn from approved data with provenance, and the eligibility screen."""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.clusters.services import TIER_MOVES
from jiqun.core.text import reject_control_characters_in
from jiqun.incidents.veto import hit_text, programme_veto, veto_hits
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.recognition import rules as R
from jiqun.recognition.models import ASPECT_CODES, ASPECTS, Application, Call
from jiqun.recognition.permissions import can_apply_for
from jiqun.recognition.services.common import S, below, require_status

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
    require_status(call, S.OPEN, doing=_("申报"))
    if today > call.deadline:
        raise ValidationError(_("申报已于 %(deadline)s 截止") % {"deadline": call.deadline})
    errors: dict[str, list[str]] = {}
    if cluster.programme_id != call.programme_id:
        errors["cluster"] = [_("集群“%(cluster)s”不属于本批次的培育工程（%(programme)s）") % {
            "cluster": cluster.name, "programme": call.programme.code}]
    elif cluster.status == ClusterStatus.EXITED:
        errors["cluster"] = [_("集群“%(cluster)s”已退出培育，不能申报") % {"cluster": cluster.name}]
    elif call.tier_sought not in TIER_MOVES.get(cluster.tier, frozenset()) or not below(cluster.tier, call.tier_sought):
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
    # The veto list of the programme's standard (jiqun.incidents.veto): the incidents up to today.
    vetoes = veto_hits(programme_veto(call.programme), [cluster.pk], today.year, until=today).get(cluster.pk, [])
    checks += R.veto_checks((h["code"], h["label"], hit_text(h)) for h in vetoes)
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
