"""Writes of the evaluation app: load a scheme version, run a scheme on a year's approved figures, publish a
run. Each is atomic, checks permission and writes one audit entry."""

import json
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster, ClusterStatus, ProposalState
from jiqun.clusters.services import STATUS_MOVES, cluster_change_status, cluster_proposal_create
from jiqun.core.collector import gc_paused
from jiqun.evaluation.compute import RunInputError, evaluate, scheme_parameters
from jiqun.evaluation.inputs import snapshot_collect, source_of
from jiqun.evaluation.models import (
    RUN_MOVES,
    Consequence,
    Run,
    RunRow,
    RunStatus,
    Scheme,
    SchemeItem,
    SubjectKind,
)
from jiqun.evaluation.packs import ParsedScheme, ahp_result
from jiqun.evaluation.permissions import can_load_scheme, can_publish_evaluation, can_run_evaluation
from jiqun.evaluation.storage import run_insert
from jiqun.monitoring.importer.store import insert_rows, table_of
from jiqun.programmes.models import Indicator, Programme

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _require(actor, predicate, message: str) -> None:
    """None is the system itself (the demo, pack loading from the command line)."""
    if actor is not None and not predicate(actor):
        raise PermissionDenied(message)


@transaction.atomic
def scheme_install(*, actor, parsed: ParsedScheme) -> tuple[Scheme, bool]:
    """Write a parsed scheme version; returns (scheme, changed). A locked version is never changed."""
    _require(actor, can_load_scheme, _("只有省级管理员可以载入评价方案"))
    spec = parsed.spec
    scheme = Scheme.objects.select_for_update().filter(code=spec.code, version=spec.version).first()
    if scheme is not None and scheme.pack_hash == parsed.sha256:
        return scheme, False
    if scheme is not None and scheme.locked:
        raise ValidationError(_("评价方案“%(code)s”第%(v)s版已被发布的评价使用，不能修改；请将版本号改为 %(next)s 作为新版本载入")
                              % {"code": spec.code, "v": spec.version, "next": spec.version + 1})
    before = None
    if scheme is None:
        scheme = Scheme(code=spec.code, version=spec.version)
    else:
        before = {"pack_hash": scheme.pack_hash}
    scheme.name = spec.name
    scheme.programme = Programme.objects.get(code=spec.programme)
    scheme.subject_kind = spec.subject_kind
    scheme.weight_method = spec.weight_method
    scheme.combine_alpha = spec.combine_alpha
    scheme.normalisation = spec.normalisation
    scheme.aggregation = spec.aggregation
    scheme.grade_excellent, scheme.grade_good, scheme.grade_pass = (
        spec.grades["优秀"], spec.grades["良好"], spec.grades["合格"])
    scheme.ahp_judgements, scheme.ahp_cr = None, None
    if spec.weight_method == "ahp":
        result = ahp_result(spec)
        scheme.ahp_judgements = result.pairwise.tolist()
        scheme.ahp_cr = Decimal(repr(result.cr)).quantize(Decimal("0.0001"))
    catalogue = {i.code: i for i in Indicator.objects.filter(code__in=[t.indicator for t in spec.eligibility])}
    scheme.eligibility = [
        {"indicator": t.indicator, "name": catalogue[t.indicator].name, "unit": catalogue[t.indicator].unit,
         "source": source_of(catalogue[t.indicator]), "params": t.params,
         "min": None if t.min is None else str(t.min), "max": None if t.max is None else str(t.max),
         "clause": t.clause, "years": t.years}
        for t in spec.eligibility
    ]
    scheme.veto = [item.model_dump() for item in spec.veto]
    scheme.missing_rule = spec.missing_rule
    scheme.clause = spec.clause
    scheme.weights_note = spec.weights_note
    scheme.description = spec.description
    rule = spec.consequences
    scheme.warn_grade = rule.warn_grade if rule else ""
    scheme.exit_after = rule.exit_after if rule else None
    scheme.consequences_clause = rule.clause if rule else ""
    scheme.regions = {"level": spec.regions.level, "within": spec.regions.code} if spec.regions else {}
    scheme.bonus = {"items": [{"code": b.code, "label": b.label, "points": str(b.points), "cap": str(b.cap),
                               "clause": b.clause, "source": b.source,
                               **({"projects": b.projects.model_dump()} if b.projects else {})} for b in spec.bonus],
                    "may_exceed_100": spec.bonus_may_exceed_100} if spec.bonus else {}
    scheme.projects = spec.projects.model_dump() if spec.projects else {}
    scheme.pack_hash = parsed.sha256
    if before is not None:  # an edit page opened before this reload is now stale
        scheme.revision += 1
    scheme.full_clean()
    scheme.save()
    scheme.items.all().delete()
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[i.indicator for i in spec.items])}
    for order, item in enumerate(spec.items, start=1):
        row = SchemeItem(scheme=scheme, order=order, code=item.code or item.indicator, dimension=item.dimension,
                         indicator=indicators[item.indicator], params=item.params, label=item.label,
                         direction=item.direction, weight=item.weight, clause=item.clause)
        row.full_clean()
        row.save()
    audit_record(actor=actor, action=AuditAction.CREATE if before is None else AuditAction.UPDATE, obj=scheme,
                 before=before, after={"file": parsed.path, "pack_hash": parsed.sha256, "items": len(spec.items),
                                       "revision": scheme.revision})
    return scheme, True


_SCORE_PLACES = Decimal("0.0001")  # a score's four decimals (RunRow.score)


def _score_text(value: float) -> Decimal:
    return Decimal(repr(value * 100)).quantize(_SCORE_PLACES)


@transaction.atomic
def evaluation_run_create(*, actor, scheme: Scheme, year: int) -> Run:
    """Run `scheme` on `year`'s approved figures and store snapshot, parameters and result (a draft)."""
    _require(actor, can_run_evaluation, _("只有省级管理员可以开展评价"))
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": [_("评价年度应为 %(a)s 至 %(b)s 之间的年份") % {"a": FIRST_YEAR, "b": LAST_YEAR}]})
    # The snapshot and result of a national run are hundreds of thousands of small objects, alive until the run is
    # written: no cycle collection meanwhile (each would walk them all, and none would free anything).
    with gc_paused():
        if scheme.subject_kind == SubjectKind.REGION:
            from jiqun.evaluation.region_inputs import region_snapshot_collect

            snapshot = region_snapshot_collect(scheme, year)
        elif scheme.subject_kind == SubjectKind.PROJECT:
            from jiqun.evaluation.project_inputs import project_snapshot_collect

            snapshot = project_snapshot_collect(scheme, year)
        else:
            snapshot = snapshot_collect(scheme, year)
        parameters = scheme_parameters(scheme)
        try:
            result = evaluate(snapshot, parameters)
        except RunInputError as exc:
            raise ValidationError({"__all__": [_("%(scheme)s %(year)s年：%(reason)s")
                                               % {"scheme": scheme.name, "year": year, "reason": exc}]}) from None
        run = Run(scheme=scheme, year=year, status=RunStatus.DRAFT, snapshot=snapshot, parameters=parameters,
                  result=result, stability=result["stability"], created_by=getattr(actor, "username", "") or "系统")
        # Validating a JSON field only encodes it, which saving does again: the large ones are left to save(); the
        # scheme is the one read to make the run (validating it would read it again).
        run.full_clean(exclude=["scheme", "snapshot", "parameters", "result", "stability"])
        run_insert(run)
        _rows_insert(run, result, subject={SubjectKind.REGION: "region", SubjectKind.PROJECT: "project"}.get(
            scheme.subject_kind, "cluster"))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=run,
                 after={"scheme": f"{scheme.code} v{scheme.version}", "year": year,
                        "scored": len(result["engine"]["matrix"]["alternatives"]), "excluded": len(result["excluded"])})
    return run


def _rows_insert(run: Run, result: dict, *, subject: str) -> None:
    """The run's rows, written as the importer writes revisions (COPY on PostgreSQL, executemany elsewhere):
    building and saving 500 model instances through the ORM cost as much as the engine's 1,000 draws."""
    engine, stability = result["engine"], result["stability"]
    final = result.get("bonus") or {**engine, **stability}  # with bonus items the totals are ranked
    region = subject == "region"
    scored = [(alternative if region else int(alternative), i, _score_text(final["scores"][i]), final["ranks"][i],
               final["rank_min"][i], final["rank_max"][i], final["grades"][i],
               Decimal(repr(final["points"][i])).quantize(Decimal("0.01")) if "points" in final else None, "", "{}")
              for i, alternative in enumerate(engine["matrix"]["alternatives"])]
    excluded = [(e[subject], None, None, None, None, None, "", None, e["reason"],
                 json.dumps(e.get("reason_code") or {}, ensure_ascii=False)) for e in result["excluded"]]
    table, columns = table_of(RunRow, [subject, "position", "score", "rank", "rank_min", "rank_max", "grade",
                                       "bonus", "excluded", "reason", "run"])
    with connection.cursor() as cursor:
        insert_rows(cursor, table, columns, scored + excluded, (run.pk,))


@transaction.atomic
def evaluation_run_publish(*, actor, run: Run) -> Run:
    """Publish a run: its grades are on record, its scheme version is locked and the scheme's consequences
    (warning, exit proposal) are applied and recorded on the run. Province only; once."""
    _require(actor, can_publish_evaluation, _("只有省级管理员可以发布评价结果"))
    run = Run.objects.select_for_update().select_related("scheme").get(pk=run.pk)
    if RunStatus.PUBLISHED not in RUN_MOVES[run.status]:
        raise ValidationError(_("该评价已于 %(at)s 由 %(who)s 发布，不能再次发布")
                              % {"at": timezone.localtime(run.published_at).strftime("%Y-%m-%d %H:%M")
                                 if run.published_at else "—", "who": run.published_by or _("系统")})
    run.status = RunStatus.PUBLISHED
    run.published_by = getattr(actor, "username", "") or "系统"
    run.published_at = timezone.now()
    run.save(update_fields=["status", "published_by", "published_at"])
    scheme = run.scheme
    if not scheme.locked:
        scheme.locked = True
        scheme.save(update_fields=["locked"])
    # a region or project run records grades only: no cluster is warned or proposed for exit
    run.consequences = [] if scheme.subject_kind != SubjectKind.CLUSTER else _consequences_apply(actor=actor, run=run)
    run.save(update_fields=["consequences"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=run, before={"status": RunStatus.DRAFT},
                 after={"status": RunStatus.PUBLISHED, "scheme_locked": f"{scheme.code} v{scheme.version}",
                        "consequences": {kind: sum(c["action"] == kind for c in run.consequences)
                                         for kind in Consequence.values}})
    return run


def _run_label(run: Run) -> str:
    return _("评价《%(scheme)s》%(year)s年 run #%(id)s") % {"scheme": run.scheme.name, "year": run.year, "id": run.pk}


def _warned_in_a_row(run: Run, cluster_ids: list[int]) -> dict[int, list[Run]]:
    """For each cluster, the published runs of the scheme's code in the `exit_after` years ending with the run's
    year that all graded it at the warn grade (the latest published run of each year counts)."""
    scheme = run.scheme
    years = range(run.year - scheme.exit_after + 1, run.year + 1)
    latest: dict[int, Run] = {}
    for earlier in (Run.objects.filter(scheme__code=scheme.code, status=RunStatus.PUBLISHED, year__in=years)
                    .select_related("scheme").order_by("year", "published_at", "pk")):
        latest[earlier.year] = earlier
    latest[run.year] = run
    if len(latest) < scheme.exit_after:
        return {}
    runs = [latest[y] for y in years]
    warned = set(cluster_ids)
    for earlier in runs:
        warned &= set(RunRow.objects.filter(run=earlier, grade=scheme.warn_grade).values_list("cluster_id", flat=True))
    return {pk: runs for pk in warned}


def _consequences_apply(*, actor, run: Run) -> list[dict]:
    """Warn every cluster graded at the scheme's warn grade and propose exit under its rule; one entry each.

    Status moves go through cluster_change_status (the publisher, or the system); an exit proposal is made by
    the system through cluster_proposal_create, and the province confirms or rejects it on the proposal pages.
    """
    scheme = run.scheme
    if not scheme.warn_grade:
        return []
    rows = list(RunRow.objects.filter(run=run, grade=scheme.warn_grade).select_related("cluster").order_by("rank"))
    in_a_row = _warned_in_a_row(run, [r.cluster_id for r in rows]) if scheme.exit_after else {}
    label = _run_label(run)
    done: list[dict] = []
    for row in rows:
        cluster = Cluster.objects.get(pk=row.cluster_id)
        entry = {"cluster": cluster.pk, "name": cluster.name, "grade": row.grade}
        if cluster.status == ClusterStatus.WARNED:
            done.append({**entry, "action": Consequence.SKIPPED, "reason": _("已处于预警状态")})
        elif ClusterStatus.WARNED not in STATUS_MOVES.get(cluster.status, frozenset()):
            done.append({**entry, "action": Consequence.SKIPPED, "reason": _("状态为“%(status)s”，不能转为预警")
                         % {"status": cluster.get_status_display()}})
        else:
            cluster_change_status(actor=actor, cluster=cluster, status=ClusterStatus.WARNED,
                                  basis=_("%(run)s：%(grade)s") % {"run": label, "grade": row.grade})
            done.append({**entry, "action": Consequence.WARNED, "reason": ""})
        runs = in_a_row.get(cluster.pk)
        if not runs:
            continue
        cluster.refresh_from_db()
        if ClusterStatus.EXITED not in STATUS_MOVES.get(cluster.status, frozenset()):
            continue
        if cluster.proposals.filter(state=ProposalState.PENDING, status=ClusterStatus.EXITED).exists():
            done.append({**entry, "action": Consequence.SKIPPED, "reason": _("已有待审核的退出申请")})
            continue
        reason = _("按%(clause)s，连续%(n)s年评为%(grade)s，提议退出：%(runs)s。由系统在发布时提出，省级确认或驳回。") % {
            "clause": scheme.consequences_clause, "n": len(runs), "grade": scheme.warn_grade,
            "runs": "；".join(_run_label(r) for r in runs)}
        proposal = cluster_proposal_create(actor=None, cluster=cluster, reason=reason, status=ClusterStatus.EXITED)
        done.append({**entry, "action": Consequence.EXIT_PROPOSED, "reason": reason, "proposal": proposal.pk})
    return done
