"""`jiqun evaluate schemes|load|run|publish|explain|rerun|export|copy|ahp status|bonus|observations`: evaluation
schemes, runs, AHP consultations, bonus claims (加分事项) and on-site 观摩 scores (现场观摩得分) from the shell."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.evaluation.bonus import bonus_claim_create, bonus_claim_decide
from jiqun.evaluation.excel import build_run_workbook
from jiqun.evaluation.models import BonusClaim, Consequence, Run, RunRow, Scheme
from jiqun.evaluation.packs import SchemePackError, scheme_parse
from jiqun.evaluation.selectors import explanation, run_reproduce
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish, scheme_install
from jiqun.regions.models import Region


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def scheme_data(scheme: Scheme) -> dict:
    return {"code": scheme.code, "version": scheme.version, "name": scheme.name, "programme": scheme.programme.code,
            "weight_method": scheme.weight_method, "normalisation": scheme.normalisation,
            "aggregation": scheme.aggregation, "missing_rule": scheme.missing_rule, "locked": scheme.locked,
            "clause": scheme.clause, "weights_note": scheme.weights_note,
            "grades": {"优秀": float(scheme.grade_excellent), "良好": float(scheme.grade_good), "合格": float(scheme.grade_pass)},
            "items": [{"code": i.code, "dimension": i.dimension, "indicator": i.indicator.code, "name": i.name,
                       "params": i.params, "direction": i.direction, "weight": float(i.weight), "clause": i.clause}
                      for i in scheme.items.select_related("indicator").order_by("order")],
            "subject_kind": scheme.subject_kind, "regions": scheme.regions or None, "projects": scheme.projects or None,
            "bonus": scheme.bonus or None}


def row_data(row: RunRow) -> dict:
    return {"cluster": row.cluster_id, "region": row.region_id, "project": row.project_id, "name": row.subject_name, "rank": row.rank,
            "score": None if row.score is None else float(row.score), "grade": row.grade,
            "rank_interval": None if row.rank_min is None else [row.rank_min, row.rank_max], "excluded": row.exclusion,
            "bonus": None if row.bonus is None else float(row.bonus)}


def claim_data(claim) -> dict:
    return {"id": claim.pk, "region": claim.region_id, "region_name": claim.region.name, "year": claim.year,
            "item": f"{claim.scheme_code}/{claim.item}", "item_label": claim.item_label,
            "description": claim.description, "evidence": claim.evidence, "state": claim.state,
            "reason": claim.reason, "claimed_by": claim.claimed_by, "decided_by": claim.decided_by,
            "version": claim.version}


def run_data(run: Run, rows) -> dict:
    return {"id": run.pk, "scheme": run.scheme.code, "version": run.scheme.version, "name": run.scheme.name,
            "year": run.year, "status": run.status, "created_at": run.created_at.isoformat(),
            "published_at": run.published_at.isoformat() if run.published_at else None,
            "consequences": run.consequences, "rows": [row_data(r) for r in rows]}


def _is_number(text) -> bool:
    """Plain ASCII digits int() reads and a database column holds ("²".isdigit() is true as well)."""
    text = str(text)
    return text.isascii() and text.isdigit() and len(text) <= 18


class Command(BaseCommand):
    help = (
        "Evaluation schemes and runs (docs/evaluation.md). A run reads each cluster's province-approved figure "
        "of every scheme indicator for the year (1-12月; else the latest approved period of that year, stated), "
        "applies the scheme's missing-data rule (excluded, zero or imputed_mean: a missing value is never "
        "silently zero), weights, normalises and aggregates with jiqun.scoring, grades on the scheme's "
        "thresholds, and measures rank stability (±10% weight perturbation, 1000 draws, seed 0). The run keeps "
        "its input snapshot with the report and revision of each value, so `rerun` reproduces it exactly "
        "even after a correction. Commands act as the system: a run is computed as a draft; `publish` "
        "publishes it, locks its scheme version and applies the scheme's consequences: clusters graded at its "
        "warn grade (不合格) move to 预警; a cluster so graded by the scheme code's published runs of `exit_after` "
        "consecutive years gets an exit proposal from the system, which the province confirms or rejects. "
        "A region scheme (subject_kind: region) runs the same way over the regions its `regions` selector names "
        "(a region's figure is the sum of the programme's clusters located in it, or its own 综合表); its "
        "publishing records grades only. Its bonus items add the points of the claims (加分事项) the province "
        "decided (核定) for the year, each item capped, kept in the run's snapshot: `bonus list|claim|decide`. "
        "A project scheme's on-site 观摩 scores: `observations list|export|import` (docs/evaluation-projects.md)."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        schemes = sub.add_parser("schemes", help="list the schemes")
        schemes.add_argument("--json", action="store_true", help="print JSON")
        load = sub.add_parser("load", help="load (or update an unlocked) scheme version from a YAML file")
        load.add_argument("file")
        run = sub.add_parser("run", help="run a scheme on a year's approved figures (a draft)")
        run.add_argument("--scheme", required=True, help="scheme code, e.g. sd-2023-185-competitiveness")
        run.add_argument("--version", dest="scheme_version", type=int, help="scheme version (default: the latest)")
        run.add_argument("--year", required=True, help="year, e.g. 2025")
        run.add_argument("--json", action="store_true", help="print JSON")
        publish = sub.add_parser("publish", help="publish a run (locks its scheme version, warns and proposes exit by its rule)")
        publish.add_argument("run")
        explain = sub.add_parser("explain", help="why a cluster has its score in a run")
        explain.add_argument("run")
        explain.add_argument("cluster", help="cluster id, code or name")
        explain.add_argument("--json", action="store_true", help="print JSON")
        rerun = sub.add_parser("rerun", help="recompute a run from its own snapshot and compare")
        rerun.add_argument("run")
        export = sub.add_parser("export", help="write a run's ranking, dimension scores and inputs to Excel")
        export.add_argument("run")
        export.add_argument("-o", "--output", required=True, help="file.xlsx")
        # Copying a scheme version and AHP consultations (jiqun.evaluation.scheme_edit, ahp_services).
        copy = sub.add_parser("copy", help="copy a scheme version as an unlocked draft: the next version, or --as a new code")
        copy.add_argument("code", help="scheme code")
        copy.add_argument("--version", dest="from_version", type=int, required=True, help="the version to copy")
        copy.add_argument("--as", dest="new_code", default="", help="save as version 1 of this new code")
        copy.add_argument("--json", action="store_true", help="print JSON")
        ahp = sub.add_parser("ahp", help="AHP consultations of experts on a scheme version")
        ahp_sub = ahp.add_subparsers(dest="ahp_action", required=True)
        ahp_status = ahp_sub.add_parser("status", help="each consultation of a scheme version: experts, CRs, weights")
        ahp_status.add_argument("scheme_id", help="scheme version id (as in `schemes --json` or the page's URL)")
        ahp_status.add_argument("--json", action="store_true", help="print JSON")
        bonus = sub.add_parser("bonus", help="bonus claims (加分事项): list, claim, decide")
        moves = bonus.add_subparsers(dest="bonus_action", required=True)
        listing = moves.add_parser("list", help="list claims")
        listing.add_argument("--year", help="only this year")
        listing.add_argument("--region", help="only this region code")
        listing.add_argument("--json", action="store_true", help="print JSON")
        claim = moves.add_parser("claim", help="file a claim for a region (as its officer with --as, else the system)")
        claim.add_argument("--region", required=True, help="region code, e.g. 370811")
        claim.add_argument("--year", required=True)
        claim.add_argument("--item", required=True, help="scheme-code/item-code, e.g. jn-2020-231-county-kaohe/major-project")
        claim.add_argument("--description", required=True)
        claim.add_argument("--evidence", required=True, help="document number or what proves it")
        claim.add_argument("--as", dest="username", help="the officer who files it")
        decide = moves.add_parser("decide", help="approve, reject (with --reason) or withdraw a claim")
        decide.add_argument("claim", help="claim id")
        decide.add_argument("decision", help="approve | reject | withdraw")
        decide.add_argument("--reason", default="", help="why it is rejected")
        decide.add_argument("--version", dest="claim_version", type=int, help="the version it is based on")
        decide.add_argument("--as", dest="username", help="the user who decides (default: the system)")
        observations = sub.add_parser("observations", help="on-site 观摩 scores of a project scheme: list, import, export")
        seen = observations.add_subparsers(dest="observation_action", required=True)
        listed = seen.add_parser("list", help="list the scores")
        listed.add_argument("--scheme", help="project scheme code, e.g. jn-2020-231-guanmo")
        listed.add_argument("--year", help="only this year")
        listed.add_argument("--project", help="only this project code, e.g. 370800-2024-0001")
        listed.add_argument("--json", action="store_true", help="print JSON")
        imported = seen.add_parser("import", help="enter or correct the scores of an .xlsx (columns 项目编号, 观摩人员, "
                                                  "现场得分, 说明), all or nothing")
        imported.add_argument("file", help="file.xlsx")
        imported.add_argument("--scheme", required=True, help="project scheme code, e.g. jn-2020-231-guanmo")
        imported.add_argument("--year", required=True, help="year of the 观摩, e.g. 2026")
        imported.add_argument("--user", "--as", dest="username",
                              help="the province admin entering them (default: the system)")
        exported = seen.add_parser("export", help="write a scheme and year's scores to .xlsx (the import reads it back)")
        exported.add_argument("--scheme", required=True, help="project scheme code")
        exported.add_argument("--year", required=True, help="year of the 观摩")
        exported.add_argument("-o", "--output", required=True, help="file.xlsx")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def _emit(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _run(self, text: str) -> Run:
        if not _is_number(text):
            raise CommandError(_("评价编号应为数字，而不是“%(text)s”") % {"text": text})
        run = Run.objects.select_related("scheme").filter(pk=int(text)).first()
        if run is None:
            raise CommandError(_("评价 #%(id)s 不存在") % {"id": text})
        return run

    def do_schemes(self, *, json=False, **options) -> None:
        schemes = Scheme.objects.select_related("programme").order_by("code", "-version")
        if json:
            self._emit([scheme_data(s) for s in schemes])
            return
        for s in schemes:
            lock = _("已锁定") if s.locked else _("可修改")
            self.stdout.write(f"{s.code}\tv{s.version}\t{s.name}\t{s.programme.code}\t{s.get_weight_method_display()}"
                              f"\t{s.get_aggregation_display()}\t{s.items.count()}项指标\t{lock}")

    def do_load(self, *, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("文件 %(file)s 不存在") % {"file": file})
        try:
            scheme, changed = scheme_install(actor=None, parsed=scheme_parse(path))
        except SchemePackError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        self.stdout.write(_("%(what)s %(code)s 第%(v)s版") % {
            "what": _("已载入") if changed else _("未变化："), "code": scheme.code, "v": scheme.version})

    def do_run(self, *, scheme: str, scheme_version=None, year: str, json=False, **options) -> None:
        found = Scheme.objects.filter(code=scheme)
        if scheme_version is not None:
            found = found.filter(version=scheme_version)
        chosen = found.order_by("-version").first()
        versions = list(Scheme.objects.filter(code=scheme).order_by("version").values_list("version", flat=True))
        if chosen is None and versions:
            raise CommandError(_("--version：评价方案 %(code)s 没有第%(v)s版（已有：%(known)s）") % {
                "code": scheme, "v": scheme_version, "known": "、".join(f"第{v}版" for v in versions)})
        if chosen is None:
            known = "、".join(sorted(set(Scheme.objects.values_list("code", flat=True)))) or _("无")
            raise CommandError(_("--scheme：评价方案 %(code)s%(v)s 不存在（已有：%(known)s）") % {
                "code": scheme, "v": f" 第{scheme_version}版" if scheme_version else "", "known": known})
        if not _is_number(year):
            raise CommandError(_("--year：“%(year)s”不是年份") % {"year": year})
        try:
            run = evaluation_run_create(actor=None, scheme=chosen, year=int(year))
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        rows = sorted(run.rows.select_related("cluster", "region", "project"),
                      key=lambda r: (r.rank is None, r.rank or 0, r.subject_name))
        if json:
            self._emit(run_data(run, rows))
            return
        self.stdout.write(_("评价 #%(id)s：%(name)s %(year)s年（未发布）") % {"id": run.pk, "name": chosen.name, "year": run.year})
        for row in rows:
            if row.rank is None:
                self.stdout.write(f"  —\t{row.subject_name}\t{_('未参评')}：{row.exclusion}")
            else:
                bonus = f"\t{_('加分')} {row.bonus:.2f}" if row.bonus is not None else ""
                self.stdout.write(f"  {row.rank}\t{row.subject_name}\t{row.score:.2f}\t{row.grade}\t"
                                  f"{_('排名区间')} {row.rank_min}–{row.rank_max}{bonus}")

    def do_publish(self, *, run: str, **options) -> None:
        chosen = self._run(run)
        try:
            evaluation_run_publish(actor=None, run=chosen)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        published = Run.objects.get(pk=chosen.pk)
        self.stdout.write(_("评价 #%(id)s 已发布；方案 %(code)s 第%(v)s版已锁定") % {
            "id": chosen.pk, "code": chosen.scheme.code, "v": chosen.scheme.version})
        if not chosen.scheme.warn_grade:
            self.stdout.write(_("该方案未规定发布后果"))
        elif not published.consequences:
            self.stdout.write(_("发布后果：没有集群评为%(grade)s") % {"grade": chosen.scheme.warn_grade})
        for c in published.consequences:
            proposal = _("（变更申请 #%(id)s，待省级确认）") % {"id": c["proposal"]} if c.get("proposal") else ""
            self.stdout.write(_("发布后果：%(name)s（%(grade)s）%(label)s%(proposal)s%(reason)s") % {
                "name": c["name"], "grade": c["grade"], "label": Consequence(c["action"]).label, "proposal": proposal,
                "reason": f"：{c['reason']}" if c["action"] == Consequence.SKIPPED else ""})

    def do_explain(self, *, run: str, cluster: str, json=False, **options) -> None:
        chosen = self._run(run)
        rows = chosen.rows.select_related("cluster", "region", "project")
        if chosen.scheme.subject_kind == "region":
            row = rows.filter(region_id=cluster).first() or rows.filter(region__name=cluster).first()
            if row is None:
                raise CommandError(_("评价 #%(id)s 中没有地区“%(region)s”（可用地区代码或名称）") % {"id": chosen.pk, "region": cluster})
        elif chosen.scheme.subject_kind == "project":
            row = (rows.filter(project_id=int(cluster)).first() if _is_number(cluster) and len(cluster) <= 18 else None) \
                or rows.filter(project__code=cluster).first() or rows.filter(project__name=cluster).first()
            if row is None:
                raise CommandError(_("评价 #%(id)s 中没有项目“%(project)s”（可用编号、项目编号或名称）") % {"id": chosen.pk, "project": cluster})
        else:
            row = (rows.filter(cluster_id=int(cluster)).first() if _is_number(cluster) else None) \
                or rows.filter(cluster__code=cluster).first() or rows.filter(cluster__name=cluster).first()
        if row is None:
            raise CommandError(_("评价 #%(id)s 中没有集群“%(cluster)s”（可用编号、编码或名称）") % {"id": chosen.pk, "cluster": cluster})
        ex = explanation(chosen, row)
        data = {**row_data(row), "run": chosen.pk, "keep_share": ex.keep_share,
                "lines": [{"dimension": line.dimension, "indicator": line.code, "name": line.name, "unit": line.unit,
                           "raw": None if line.raw is None else str(line.raw), "used": line.used, "period": line.period,
                           "sources": line.sources, "registry": line.registry, "note": line.note, "normalized": line.normalized,
                           "weight": line.weight, "contribution": line.points, "clause": line.clause}
                          for line in ex.lines],
                "dimensions": [{"name": d.name, "weight": d.weight, "contribution": d.points, "rate": d.rate}
                               for d in ex.dimensions],
                "clusters": ex.clusters, "basis": ex.basis,
                "bonus": [{"item": b["code"], "label": b["label"], "points": b["points"], "cap": b["cap"],
                           "awarded": float(b["awarded"]), "clause": b["clause"], "claims": b["claims"]}
                          for b in ex.bonus]}
        if json:
            self._emit(data)
            return
        if row.rank is None:
            self.stdout.write(f"{row.subject_name}：{_('未参评')}，{row.exclusion}")
            return
        self.stdout.write(f"{row.subject_name}：{row.score:.2f} {row.grade}，第{row.rank}名（{_('排名区间')} "
                          f"{row.rank_min}–{row.rank_max}）")
        for line in ex.lines:
            raw = "缺失" if line.raw is None else f"{round(line.raw, 4).normalize():f} {line.unit}"
            self.stdout.write(f"  {line.dimension}\t{line.name}\t{raw}\t{line.period}\t→ {line.normalized:.4f}"
                              f" × {line.weight:.4f} = {line.points:.4f}\t{line.clause}{('　' + line.note) if line.note else ''}")
        for d in ex.dimensions:
            self.stdout.write(f"  [{d.name}] {d.points:.2f}（{_('得分率')} {d.rate:.1f}）")
        if ex.bonus:
            self.stdout.write(_("  指标得分 %(base).2f，加分 %(bonus).2f：") % {"base": ex.base, "bonus": ex.bonus_points})
            for b in ex.bonus:
                claims = "；".join(f"{c['description']}（{c['evidence']}）" for c in b["claims"]) or "—"
                self.stdout.write(f"  {_('加分')}\t{b['label']}\t{b['awarded']:.2f}\t{claims}\t{b['clause']}")

    def do_rerun(self, *, run: str, **options) -> None:
        chosen = self._run(run)
        again = run_reproduce(chosen)
        if not again.identical:
            raise CommandError(_("评价 #%(id)s 复算结果与存档不一致：%(what)s") % {"id": chosen.pk, "what": "、".join(again.differences)})
        self.stdout.write(_("评价 #%(id)s 按存档的输入快照和参数复算：%(n)s 个集群的得分、排名、等级和排名区间与存档完全一致") % {
            "id": chosen.pk, "n": len(again.stored["scores"])})

    def do_export(self, *, run: str, output: str, **options) -> None:
        chosen = self._run(run)
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(_("-o：目录 %(folder)s 不存在") % {"folder": path.parent})
        rows = sorted(chosen.rows.select_related("cluster", "region", "project"),
                      key=lambda r: (r.rank is None, r.rank or 0, r.subject_name))
        path.write_bytes(build_run_workbook(chosen, rows))
        audit_record(actor=None, action=AuditAction.EXPORT, obj=chosen, actor_name="cli",
                     object_repr=f"{chosen}（{len(rows)} 行）→ {path.name}")
        self.stdout.write(_("已写入 %(file)s") % {"file": path})

    def do_copy(self, *, code: str, from_version: int, new_code: str = "", json=False, **options) -> None:
        from jiqun.evaluation.scheme_edit import scheme_copy

        source = Scheme.objects.filter(code=code, version=from_version).first()
        if source is None:
            versions = list(Scheme.objects.filter(code=code).order_by("version").values_list("version", flat=True))
            if versions:
                raise CommandError(_("--version：评价方案 %(code)s 没有第%(v)s版（已有：%(known)s）") % {
                    "code": code, "v": from_version, "known": "、".join(f"第{v}版" for v in versions)})
            raise CommandError(_("评价方案 %(code)s 不存在") % {"code": code})
        try:
            copy = scheme_copy(actor=None, scheme=source, code=new_code)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        if json:
            self._emit({**scheme_data(copy), "id": copy.pk, "revision": copy.revision})
            return
        self.stdout.write(_("已复制 %(code)s 第%(v)s版为 %(new)s 第%(nv)s版（编号 %(id)s，未锁定）") % {
            "code": code, "v": from_version, "new": copy.code, "nv": copy.version, "id": copy.pk})

    def do_ahp(self, *, ahp_action: str, scheme_id: str, json=False, **options) -> None:
        from jiqun.evaluation.ahp_matrices import CR_THRESHOLD, matrices_of

        if not _is_number(scheme_id):
            raise CommandError(_("方案编号应为数字，而不是“%(text)s”") % {"text": scheme_id})
        scheme = Scheme.objects.filter(pk=int(scheme_id)).first()
        if scheme is None:
            raise CommandError(_("评价方案（编号 %(id)s）不存在") % {"id": scheme_id})
        data = []
        for consultation in scheme.ahp_consultations.order_by("opened_at", "pk"):
            matrices = matrices_of(consultation.structure)
            data.append({
                "id": consultation.pk, "status": consultation.status, "opened_at": consultation.opened_at.isoformat(),
                "matrices": [{"key": m.key, "title": m.title, "names": list(m.names)} for m in matrices],
                "experts": [{"expert": inv.expert.name, "status": inv.status, "consistency": inv.consistency}
                            for inv in consultation.invitations.select_related("expert").order_by("expert__name")],
                "aggregate": consultation.result})
        if json:
            self._emit({"scheme": scheme.code, "version": scheme.version, "weight_method": scheme.weight_method,
                        "ahp_cr": None if scheme.ahp_cr is None else float(scheme.ahp_cr), "consultations": data})
            return
        self.stdout.write(f"{scheme.code} v{scheme.version} {scheme.name}：{scheme.get_weight_method_display()}")
        if not data:
            self.stdout.write(_("尚无层次分析法征询"))
        for c in data:
            self.stdout.write(_("征询 #%(id)s（%(status)s）") % {"id": c["id"], "status": c["status"]})
            for e in c["experts"]:
                crs = "  ".join(f"{m['key']} CR={e['consistency'][m['key']]:.3f}"
                                f"{_('（超过 0.10）') if e['consistency'][m['key']] > CR_THRESHOLD else ''}"
                                if m["key"] in e["consistency"] else f"{m['key']} —" for m in c["matrices"])
                self.stdout.write(f"  {e['expert']}\t{e['status']}\t{crs}")
            if c["aggregate"]:
                crs = "  ".join(f"{k} CR={v['cr']:.3f}" for k, v in c["aggregate"]["matrices"].items())
                self.stdout.write(_("  集结（几何平均）\t%(crs)s") % {"crs": crs})
                for code, weight in c["aggregate"]["weights"].items():
                    self.stdout.write(f"    {code}\t{weight:.4f}")

    # --- bonus claims ------------------------------------------------------------------------------------

    def do_bonus(self, *, bonus_action: str, **options) -> None:
        getattr(self, f"bonus_{bonus_action}")(**options)

    def _user(self, username: str | None):
        from jiqun.accounts.models import User

        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("--as/--user：用户“%(name)s”不存在") % {"name": username})
        return user

    def _year(self, text: str) -> int:
        if not _is_number(text):
            raise CommandError(_("--year：“%(year)s”不是年份") % {"year": text})
        return int(text)

    def bonus_list(self, *, year=None, region=None, json=False, **options) -> None:
        claims = BonusClaim.objects.select_related("region")
        if year is not None:
            claims = claims.filter(year=self._year(year))
        if region:
            if not Region.objects.filter(code=region).exists():
                raise CommandError(_("--region：行政区划“%(code)s”不存在") % {"code": region})
            claims = claims.filter(region_id=region)
        if json:
            self._emit([claim_data(c) for c in claims])
            return
        for c in claims:
            self.stdout.write(f"#{c.pk}\t{c.region.name}\t{c.year}\t{c.item_label}\t{c.get_state_display()}\t"
                              f"v{c.version}\t{c.description}\t{c.evidence}{('　' + c.reason) if c.reason else ''}")

    def bonus_claim(self, *, region: str, year: str, item: str, description: str, evidence: str, username=None,
                    **options) -> None:
        chosen = Region.objects.filter(code=region).first()
        if chosen is None:
            raise CommandError(_("--region：行政区划“%(code)s”不存在") % {"code": region})
        try:
            claim = bonus_claim_create(actor=self._user(username), region=chosen, year=self._year(year), item=item,
                                       description=description, evidence=evidence)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("已申报加分事项 #%(id)s：%(region)s %(year)s年 %(item)s，待省级核定") % {
            "id": claim.pk, "region": chosen.name, "year": claim.year, "item": claim.item_label})

    def bonus_decide(self, *, claim: str, decision: str, reason: str = "", claim_version=None, username=None,
                     **options) -> None:
        if not _is_number(claim):
            raise CommandError(_("加分事项编号应为数字，而不是“%(text)s”") % {"text": claim})
        found = BonusClaim.objects.select_related("region").filter(pk=int(claim)).first()
        if found is None:
            raise CommandError(_("加分事项 #%(id)s 不存在") % {"id": claim})
        try:
            done = bonus_claim_decide(actor=self._user(username), claim=found, decision=decision, reason=reason,
                                      base_version=claim_version)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("加分事项 #%(id)s：%(state)s") % {"id": done.pk, "state": done.get_state_display()})

    # --- on-site 观摩 scores ---------------------------------------------------------------------------------

    def do_observations(self, *, observation_action: str, **options) -> None:
        getattr(self, f"observations_{observation_action}")(**options)

    def _project_scheme(self, code: str) -> str:
        from jiqun.evaluation.observations import project_schemes

        known = [s.code for s in project_schemes()]
        if code not in known:
            raise CommandError(_("--scheme：观摩评比方案“%(code)s”不存在（须为项目方案，已有：%(known)s）") % {
                "code": code, "known": "、".join(known) or _("无")})
        return code

    def _scores(self, *, scheme=None, year=None, project=None):
        from jiqun.evaluation.models import ObservationScore

        scores = ObservationScore.objects.select_related("project")
        if scheme:
            scores = scores.filter(scheme_code=self._project_scheme(scheme))
        if year is not None:
            scores = scores.filter(year=self._year(year))
        if project:
            scores = scores.filter(project__code=project)
        return scores.order_by("-year", "scheme_code", "project__code", "observer", "pk")

    def observations_list(self, *, scheme=None, year=None, project=None, json=False, **options) -> None:
        scores = self._scores(scheme=scheme, year=year, project=project)
        if json:
            self._emit([{"id": s.pk, "scheme": s.scheme_code, "year": s.year, "project": s.project.code,
                         "project_name": s.project.name, "observer": s.observer, "score": float(s.score),
                         "note": s.note, "entered_by": s.entered_by, "entered_at": s.entered_at.isoformat(),
                         "version": s.version} for s in scores])
            return
        for s in scores:
            self.stdout.write(f"#{s.pk}\t{s.scheme_code}\t{s.year}\t{s.project.code}\t{s.project.name}\t{s.observer}"
                              f"\t{s.score}\tv{s.version}{('　' + s.note) if s.note else ''}")

    def observations_import(self, *, file: str, scheme: str, year: str, username=None, **options) -> None:
        from django.conf import settings

        from jiqun.evaluation.observation_excel import ObservationImporter
        from jiqun.monitoring.importer.package import mib

        code, chosen_year = self._project_scheme(scheme), self._year(year)
        actor = self._user(username)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("文件 %(file)s 不存在") % {"file": file})
        if path.stat().st_size > settings.JIQUN_UPLOAD_MAX_BYTES:  # refused before it is read
            raise CommandError(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，请删去多余内容后再导入") % {
                "file": path.name, "size": mib(path.stat().st_size), "limit": mib(settings.JIQUN_UPLOAD_MAX_BYTES)})
        result = ObservationImporter(actor=actor, content=path.read_bytes(), file_name=path.name, scheme_code=code,
                                     year=chosen_year).run()
        if result.problems:
            raise CommandError("\n".join([_("未导入任何得分，请改正以下问题后重新导入："), *map(str, result.problems)]))
        self.stdout.write(_("已导入 %(file)s：新录入 %(created)s 条，修改 %(changed)s 条，未变化 %(unchanged)s 条") % {
            "file": path.name, "created": result.created, "changed": result.changed, "unchanged": result.unchanged})

    def observations_export(self, *, scheme: str, year: str, output: str, **options) -> None:
        from jiqun.evaluation.observation_excel import build_observation_workbook

        scores = list(self._scores(scheme=scheme, year=year))
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(_("-o：目录 %(folder)s 不存在") % {"folder": path.parent})
        path.write_bytes(build_observation_workbook(scores))
        audit_record(actor=None, action=AuditAction.EXPORT, object_type="evaluation.observationscore",
                     actor_name="cli", object_repr=f"{scheme} {year}年现场观摩得分（{len(scores)} 条）→ {path.name}")
        self.stdout.write(_("已写入 %(file)s（%(n)s 条得分）") % {"file": path, "n": len(scores)})
