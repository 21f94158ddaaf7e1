"""`jiqun targets status|tasks`: where every target and task stands, as text, JSON or an Excel workbook."""

import datetime
import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.programmes.models import Programme, Task
from jiqun.targets.excel import build_targets_workbook
from jiqun.targets.models import ProgressStatus
from jiqun.targets.selectors import row_data, status_counts, target_rows
from jiqun.targets.supervision import task_data, task_rows


class Command(BaseCommand):
    help = (
        "Show each target's progress: the current figure (counts recomputed from the registries, values from "
        "province-approved statistics), attainment, 序时进度 and the gap to it, required vs actual growth, a "
        "forecast for the target year with its method, and a status (on_track, at_risk, behind, achieved, "
        "expired, no_data). `tasks` lists the supervised tasks with their latest update and the overdue ones. "
        "The method is described in docs/targets.md."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="progress of every target")
        status.add_argument("--programme", help="programme code, e.g. SD-2023-185")
        status.add_argument("--as-of", dest="as_of", help="date YYYY-MM-DD (default: today)")
        status.add_argument("--status", action="append", dest="statuses",
                            help=f"only this status; repeatable ({', '.join(ProgressStatus.values)})")
        status.add_argument("--json", action="store_true", help="print JSON")
        status.add_argument("--xlsx", help="also write an Excel workbook to this path")
        tasks = sub.add_parser("tasks", help="tasks (督导) and their latest status")
        tasks.add_argument("--programme", help="programme code")
        tasks.add_argument("--overdue", action="store_true", help="only overdue tasks")
        tasks.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def _programme(self, code: str | None) -> Programme | None:
        if not code:
            return None
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            known = "、".join(Programme.objects.values_list("code", flat=True)) or "无"
            raise CommandError(f"--programme：培育工程 {code} 不存在（已载入：{known}）")
        return programme

    def do_status(self, *, programme=None, as_of=None, statuses=None, json=False, xlsx=None, **options) -> None:
        chosen = self._programme(programme)
        day = datetime.date.today()
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of：“{as_of}”不是 YYYY-MM-DD 格式的日期") from None
        unknown = [s for s in statuses or [] if s not in ProgressStatus.values]
        if unknown:
            raise CommandError(f"--status：未知状态 {'、'.join(unknown)}，应为 {', '.join(ProgressStatus.values)}")
        if xlsx and not Path(xlsx).parent.exists():
            raise CommandError(f"--xlsx：目录 {Path(xlsx).parent} 不存在")
        rows = target_rows(None, as_of=day, programme=chosen, statuses=statuses)
        if xlsx:
            tasks = Task.objects.filter(programme=chosen) if chosen else Task.objects.all()
            content = build_targets_workbook(rows=rows, tasks=task_rows(tasks.select_related("programme")), as_of=day,
                                             title=f"{chosen.name if chosen else '全部培育工程'} 目标进度与任务督导",
                                             user_name="命令行")
            Path(xlsx).write_bytes(content)
            audit_record(actor=None, actor_name=f"cli:{getpass.getuser()}", action=AuditAction.EXPORT,
                         obj=chosen, object_type="programmes.programme",
                         object_repr=f"目标进度与任务督导 {chosen.code if chosen else '全部培育工程'}（命令行）",
                         after={"file": str(Path(xlsx).resolve()), "targets": len(rows), "as_of": day.isoformat()})
        if json:
            self.stdout.write(_dumps([row_data(r) for r in rows]))
            return
        self.stdout.write(f"截至 {day}：" + "，".join(f"{label} {n}" for _v, label, n in status_counts(rows)))
        for row in rows:
            res = row.result
            current = f"{row.current_text}（{res.current.label}）" if res.current else "—"
            attainment = f"{res.attainment:.1f}%" if res.attainment is not None else "—"
            elapsed = f"{res.elapsed:.1f}%" if res.elapsed is not None else "—"
            self.stdout.write(
                f"{row.target.programme.code} {row.target.code:<4} {row.status_label}  {row.target.label}"
                f"｜{row.subject.name}｜目标 {row.goal_text}｜当前 {current}｜完成率 {attainment}｜序时 {elapsed}"
                f"｜需要 {row.required_text}｜实际 {row.actual_text}｜预测 {row.forecast_text}"
                f"｜{res.reason}｜依据 {row.target.citation}"
            )
        if xlsx:
            self.stdout.write(self.style.SUCCESS(f"已写入 {xlsx}"))

    def do_tasks(self, *, programme=None, overdue=False, json=False, **options) -> None:
        chosen = self._programme(programme)
        tasks = Task.objects.filter(programme=chosen) if chosen else Task.objects.all()
        rows = task_rows(tasks.select_related("programme"))
        if overdue:
            rows = [r for r in rows if r.overdue]
        if json:
            self.stdout.write(_dumps([task_data(r) for r in rows]))
            return
        for row in rows:
            latest = f"{row.latest.unit} {row.latest.reported_at:%Y-%m-%d}" if row.latest else "尚无报送"
            flag = " 逾期" if row.overdue else ""
            self.stdout.write(f"{row.task.programme.code} {row.task.code:<4} {row.status_label}{flag}  {row.task.title}"
                              f"｜牵头 {'、'.join(row.task.lead_units)}｜{row.task.due_year}年｜{latest}"
                              f"｜依据 {row.task.citation}")


def _dumps(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
