"""`jiqun projects list|show|overdue|move`: the major-project library from the command line.

Reads see the whole library (the command line runs as the system); `move` records a stage move through
project_move_stage, with the same rules as the pages: one step along 谋划 → 储备 → 开工 → 竣工 → 投产, or to
停缓建/退出 with a reason, dated by the day the stage was reached (not in the future, not before the last move).
"""

import datetime
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from jiqun.clusters.models import Cluster
from jiqun.projects import cli_excel
from jiqun.projects.models import Constraint, Project, Stage
from jiqun.projects.selectors import overdue_in, timeline
from jiqun.projects.services import project_move_stage
from jiqun.regions.models import Region, within_q


def project_data(project: Project) -> dict:
    return {
        "code": project.code, "name": project.name, "stage": project.stage,
        "stage_label": project.get_stage_display(), "region": project.region_id, "region_name": project.region.name,
        "zone": project.zone.name if project.zone_id else None,
        "clusters": [f"{c.programme.code}/{c.code}" for c in project.clusters.all()],
        "investor": project.investor_label, "total_investment": project.total_investment, "kind": project.kind,
        "is_major": project.is_major, "major_level": project.major_level, "planned_start_on": project.planned_start_on,
        "planned_completion_on": project.planned_completion_on, "planned_production_on": project.planned_production_on,
        "version": project.version,
    }


def _date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(option)s 的值“%(value)s”不是日期，格式应为 YYYY-MM-DD") % {
            "option": option, "value": value[:40]}) from None


def _project(code: str) -> Project:
    project = Project.objects.select_related("region", "zone", "investor").filter(code=code).first()
    if project is None:
        raise CommandError(_("没有编号为“%(code)s”的项目；用 projects list 查看") % {"code": code[:60]})
    return project


class Command(BaseCommand):
    help = (
        "The major-project library (重大项目库). `list [--cluster CODE] [--region CODE] [--stage S] [--json]` lists "
        "projects (a region code includes the regions below it); `show CODE [--json]` shows one with its stage "
        "timeline (planned against actual dates), year plans and constraints; `overdue [--json]` lists the stages "
        "whose planned date has passed unreached and the open constraints past their deadline; `move CODE STAGE "
        "--date YYYY-MM-DD [--evidence TEXT] [--reason TEXT]` moves a project one stage on (or to suspended/"
        "withdrawn with a reason). Stages: planning, reserve, started, completed, producing, suspended, withdrawn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="projects, filtered")
        listing.add_argument("--cluster", default="", help="cluster code (e.g. high-end-chemical)")
        listing.add_argument("--region", default="", help="6-digit region code, its regions below included")
        listing.add_argument("--stage", default="", help="stage value (planning, reserve, started, ...)")
        listing.add_argument("--json", action="store_true", help="print JSON")
        show = sub.add_parser("show", help="one project")
        show.add_argument("code", help="project code")
        show.add_argument("--json", action="store_true", help="print JSON")
        late = sub.add_parser("overdue", help="late stages and overdue constraints")
        late.add_argument("--json", action="store_true", help="print JSON")
        move = sub.add_parser("move", help="record a stage move")
        move.add_argument("code", help="project code")
        move.add_argument("stage", help="the stage reached")
        move.add_argument("--date", required=True, help="the date the stage was reached, YYYY-MM-DD")
        move.add_argument("--evidence", default="", help="the document that shows it (开工令、竣工验收 …)")
        move.add_argument("--reason", default="", help="required for suspended and withdrawn")
        cli_excel.add_arguments(sub)  # `projects import|export`: the library in Excel

    def handlers(self) -> dict[str, Callable[[dict], None]]:
        """The subcommands, by name: add a new one here (and its parser above)."""
        excel = {action: lambda options: cli_excel.handle(options, stdout=self.stdout) for action in cli_excel.ACTIONS}
        return {"list": self.list_, "show": self.show, "overdue": self.overdue, "move": self.move, **excel}

    def handle(self, *args, **options) -> None:
        self.handlers()[options["action"]](options)

    def _out(self, data) -> None:
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))

    def list_(self, options: dict) -> None:
        projects = Project.objects.select_related("region", "zone", "investor").prefetch_related("clusters__programme")
        if options["cluster"]:
            clusters = Cluster.objects.filter(code=options["cluster"])
            if not clusters.exists():
                raise CommandError(_("没有编码为“%(code)s”的集群") % {"code": options["cluster"][:60]})
            projects = projects.filter(clusters__in=clusters).distinct()
        if options["region"]:
            code = options["region"]
            if not Region.objects.filter(code=code).exists():
                raise CommandError(_("区划代码“%(code)s”不存在，应为 6 位行政区划代码（如 370800 济宁市）") % {
                    "code": code[:20]})
            projects = projects.filter(within_q("region__code", code))
        if options["stage"]:
            if options["stage"] not in Stage.values:
                raise CommandError(_("未知的阶段“%(stage)s”，可选：%(choices)s") % {
                    "stage": options["stage"][:40], "choices": "、".join(Stage.values)})
            projects = projects.filter(stage=options["stage"])
        rows = [project_data(p) for p in projects.order_by("region__code", "code")]
        if options["json"]:
            self._out(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['code']}\t{row['name']}\t{row['stage_label']}\t{row['region_name']}\t"
                              f"{row['total_investment']} {_('万元')}")
        self.stdout.write(_("共 %(n)s 个项目") % {"n": len(rows)})

    def show(self, options: dict) -> None:
        project = _project(options["code"])
        rows = timeline(project)
        data = project_data(project) | {
            "timeline": [{"stage": r.stage, "planned": r.planned, "reached": r.reached, "late": r.late} for r in rows],
            "year_plans": {p.year: p.planned for p in project.year_plans.all()},
            "constraints": [{"kind": c.kind, "description": c.description, "responsible_unit": c.responsible_unit,
                             "deadline": c.deadline, "status": c.status, "decision": c.decision}
                            for c in project.constraints.all()],
        }
        if options["json"]:
            self._out(data)
            return
        self.stdout.write(f"{project.code} {project.name}（{project.get_stage_display()}）")
        self.stdout.write(f"  {_('所在区划')}：{project.region.name}  {_('所在园区')}：{data['zone'] or '—'}  "
                          f"{_('总投资（万元）')}：{project.total_investment}")
        for r in rows:
            late = _("逾期未达到") if r.late else ""
            self.stdout.write(f"  {r.label}\t{_('计划')} {r.planned or '—'}\t{_('实际')} {r.reached or '—'}\t{late}")
        for year, planned in data["year_plans"].items():
            self.stdout.write(f"  {year} {_('年度计划投资（万元）')}：{planned}")
        for c in project.constraints.all():
            self.stdout.write(f"  {_('要素制约')}：{c.get_kind_display()}\t{c.description}\t{c.responsible_unit}\t"
                              f"{c.deadline}\t{c.get_status_display()}")

    def overdue(self, options: dict) -> None:
        late = overdue_in(Project.objects.all(), Constraint.objects.all())
        data = {
            "as_of": late.as_of,
            "stages": [{"code": s.project.code, "name": s.project.name, "region": s.project.region_id,
                        "stage": s.stage, "planned": s.planned, "days_late": s.days_late} for s in late.stages],
            "constraints": [{"project": c.project.code, "kind": c.kind, "responsible_unit": c.responsible_unit,
                             "deadline": c.deadline, "description": c.description} for c in late.constraints],
        }
        if options["json"]:
            self._out(data)
            return
        self.stdout.write(_("截至 %(day)s 逾期未达到的阶段：%(n)s 项") % {"day": late.as_of, "n": len(late.stages)})
        for group in late.stages_by_region():
            self.stdout.write(f"  {group.name}")
            for s in group.items:
                self.stdout.write(f"    {s.project.code}\t{s.project.name}\t{s.label}\t{_('计划')} {s.planned}\t"
                                  f"{_('逾期')} {s.days_late} {_('天')}")
        self.stdout.write(_("超期未解决的要素制约：%(n)s 项") % {"n": len(late.constraints)})
        for group in late.constraints_by_unit():
            self.stdout.write(f"  {group.name}")
            for c in group.items:
                self.stdout.write(f"    {c.project.code}\t{c.get_kind_display()}\t{c.description}\t{c.deadline}")

    def move(self, options: dict) -> None:
        project = _project(options["code"])
        day = _date(options["date"], "--date")
        try:
            event = project_move_stage(actor=None, project=project, to_stage=options["stage"], reached_on=day,
                                       evidence=options["evidence"], reason=options["reason"])
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError(_("未变更阶段：%(detail)s") % {"detail": "；".join(
                m for messages in problems.values() for m in messages)}) from None
        self.stdout.write(_("%(code)s 已转入“%(stage)s”（%(day)s）") % {
            "code": project.code, "stage": event.get_to_stage_display(), "day": event.reached_on})

