"""`jiqun targets status|tasks`: where every target and task stands, as text, JSON or an Excel workbook."""

import datetime
import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.programmes.models import Programme, Task
from jiqun.targets.display import row_text
from jiqun.targets.excel import build_targets_workbook
from jiqun.targets.models import ProgressStatus
from jiqun.targets.selectors import row_data, status_counts, target_rows
from jiqun.targets.supervision import task_data, task_rows


def named_text(row) -> str:
    """The clusters a count target names and counts alone, as a trailing 点名 field; empty when none."""
    names = [c.name for c in row.target.counted_clusters.all()]
    return _("｜点名计数 %(names)s") % {"names": "、".join(names)} if names else ""


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
            known = "、".join(Programme.objects.values_list("code", flat=True)) or _("无")
            raise CommandError(_("--programme：培育工程 %(code)s 不存在（已载入：%(known)s）") % {"code": code, "known": known})
        return programme

    def do_status(self, *, programme=None, as_of=None, statuses=None, json=False, xlsx=None, **options) -> None:
        chosen = self._programme(programme)
        day = datetime.date.today()
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(_("--as-of：“%(date)s”不是 YYYY-MM-DD 格式的日期") % {"date": as_of}) from None
        unknown = [s for s in statuses or [] if s not in ProgressStatus.values]
        if unknown:
            raise CommandError(_("--status：未知状态 %(unknown)s，应为 %(allowed)s")
                               % {"unknown": "、".join(unknown), "allowed": ", ".join(ProgressStatus.values)})
        if xlsx and not Path(xlsx).parent.exists():
            raise CommandError(_("--xlsx：目录 %(folder)s 不存在") % {"folder": Path(xlsx).parent})
        rows = target_rows(None, as_of=day, programme=chosen, statuses=statuses)
        if xlsx:
            tasks = Task.objects.filter(programme=chosen) if chosen else Task.objects.all()
            content = build_targets_workbook(rows=rows, tasks=task_rows(tasks.select_related("programme")), as_of=day,
                                             title=_("%(programme)s 目标进度与任务督导")
                                             % {"programme": chosen.name if chosen else _("全部培育工程")},
                                             user_name=_("命令行"))
            Path(xlsx).write_bytes(content)
            audit_record(actor=None, actor_name=f"cli:{getpass.getuser()}", action=AuditAction.EXPORT,
                         obj=chosen, object_type="programmes.programme",
                         object_repr=f"目标进度与任务督导 {chosen.code if chosen else '全部培育工程'}（命令行）",
                         after={"file": str(Path(xlsx).resolve()), "targets": len(rows), "as_of": day.isoformat()})
        if json:
            self.stdout.write(_dumps([row_data(r) for r in rows]))
            return
        self.stdout.write(_("截至 %(day)s：") % {"day": day} + "，".join(f"{label} {n}" for _v, label, n in status_counts(rows)))
        for row in rows:
            res, text = row.result, row_text(row)
            current = f"{text.current}（{res.current.label}）" if res.current else "—"
            label = f"{row.target.label}（{text.params}）" if text.params else row.target.label
            self.stdout.write(
                _("%(programme)s %(code)-4s %(status)s  %(label)s｜%(subject)s｜目标 %(goal)s｜当前 %(current)s"
                  "｜完成率 %(attainment)s｜序时 %(elapsed)s｜与序时差 %(gap)s｜需要 %(required)s｜实际 %(actual)s"
                  "｜预测 %(forecast)s｜%(reason)s｜依据 %(citation)s")
                % {"programme": row.target.programme.code, "code": row.target.code, "status": row.status_label,
                   "label": label, "subject": row.subject.name, "goal": text.goal, "current": current,
                   "attainment": text.attainment, "elapsed": text.elapsed, "gap": text.gap,
                   "required": text.required, "actual": text.actual, "forecast": text.forecast,
                   "reason": res.reason, "citation": row.target.citation}
                + named_text(row)
            )
        if xlsx:
            self.stdout.write(self.style.SUCCESS(_("已写入 %(path)s") % {"path": xlsx}))

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
            latest = f"{row.latest.unit} {row.latest.reported_at:%Y-%m-%d}" if row.latest else _("尚无报送")
            flag = _(" 逾期") if row.overdue else ""
            self.stdout.write(_("%(programme)s %(code)-4s %(status)s%(flag)s  %(title)s｜牵头 %(units)s｜%(year)s年"
                                "｜%(latest)s｜依据 %(citation)s")
                              % {"programme": row.task.programme.code, "code": row.task.code,
                                 "status": row.status_label, "flag": flag, "title": row.task.title,
                                 "units": "、".join(row.task.lead_units), "year": row.task.due_year, "latest": latest,
                                 "citation": row.task.citation})


def _dumps(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
